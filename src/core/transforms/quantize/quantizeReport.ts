// The quantization-specific part of the report: sizes, speed, accuracy and the scales and zero points
// of each quantized tensor (the first few of each, and a summary), as text or Markdown.
import { formatBytes, formatCosine, formatDims, formatDuration, formatNumber, formatPercent, formatRatio } from '../../format.js';
import type { QuantizeDetails } from './pipeline.js';

/** Tensors listed one by one; the rest are summarised. */
export const listedTensors = 20;

export function formatQuantizeDetails(d: QuantizeDetails, options: { markdown?: boolean } = {}): string {
  const md = options.markdown ?? false;
  const h = (text: string) => (md ? `\n### ${text}\n` : `\n${text}:`);
  const item = (text: string) => (md ? `- ${text.replace(/([\\`*_[\]<>|])/g, '\\$1')}` : `  ${text}`);
  const lines: string[] = [];
  lines.push(h('Quantization'));
  const o = d.options;
  const what = o.mode === 'fp16' ? 'float16' : o.mode === 'weight-only'
    ? `${o.bits}-bit, block ${o.blockSize}, ${o.symmetric ? 'symmetric' : 'asymmetric'}`
    : o.mode === 'static'
      ? `int8 symmetric weights ${o.perChannel ? 'per channel' : 'per tensor'}, ${o.symmetric ? 'int8 symmetric' : 'uint8 asymmetric'} activations, ${o.calibrator} calibration`
      : `int8 ${o.symmetric ? 'symmetric' : 'asymmetric'} weights ${o.perChannel ? 'per channel' : 'per tensor'}, uint8 activations quantized at run time`;
  lines.push(item(`mode: ${d.mode} (${what}), format ${d.format}`));
  lines.push(item(`rewritten: ${Object.entries(d.counts).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ') || 'nothing'}`));
  lines.push(item(`weights: ${formatBytes(d.weightBytesBefore)} -> ${formatBytes(d.weightBytesAfter)} (${formatRatio(d.weightRatio)} smaller)`));
  lines.push(item(`file: ${formatRatio(d.fileRatio)} smaller`));
  const mb = (d.throughputMBps * d.quantizeMs) / 1000;
  lines.push(item(`quantized in ${formatDuration(d.quantizeMs)}${mb >= 1 ? ` (${formatNumber(d.throughputMBps)} MB/s of float32 weights)` : ''}`));
  if (d.latencyBefore && d.latencyAfter) {
    const b = d.latencyBefore, a = d.latencyAfter;
    lines.push(item(`latency (median of ${a.iterations}): ${formatDuration(b.p50)} -> ${formatDuration(a.p50)} (${formatRatio(a.p50 / b.p50)}); p90 ${formatDuration(b.p90)} -> ${formatDuration(a.p90)}`));
  }
  if (d.newerThanChecker) lines.push(item('uses opset 18+ or com.microsoft ops, which onnx.checker 1.12 cannot judge; onnxruntime loads and runs it'));

  lines.push(h(`Accuracy on ${d.inputs.sets} input set(s) from ${d.inputs.source}`));
  for (const a of d.accuracy) {
    if (a.problem) lines.push(item(`${a.name}: ${a.problem}`));
    else {
      const top1 = a.top1 !== undefined ? `, top-1 agreement ${formatPercent(a.top1)}` : '';
      const verdict = Number.isNaN(a.cosine) ? '' : a.cosine >= d.budget.cosine ? ' (within budget)' : ` (BELOW the budget of ${d.budget.cosine})`;
      lines.push(item(`${a.name}: max abs error ${formatNumber(a.maxAbsError)}, cosine ${formatCosine(a.cosine)}${top1}${verdict}`));
    }
  }

  if (d.tensors.length) {
    const scales = d.tensors.map((t) => t.scaleMin).concat(d.tensors.map((t) => t.scaleMax)).filter(Number.isFinite);
    lines.push(h(`Scales and zero points (${d.tensors.length} tensors; scales from ${formatNumber(Math.min(...scales))} to ${formatNumber(Math.max(...scales))})`));
    const shown = d.tensors.slice(0, listedTensors);
    if (md) {
      lines.push('| tensor | role | type | shape | granularity | groups | scales | zero points |', '| --- | --- | --- | --- | --- | ---: | --- | --- |');
      const cell = (s: string) => s.replace(/([\\`*_[\]<>|])/g, '\\$1');
      for (const t of shown) {
        lines.push(`| ${cell(t.tensor)} | ${t.role} | ${t.dtype} | ${t.shape.length ? formatDims(t.shape) : ''} | ${t.granularity} | ${t.groups} | ${t.scales.map((s) => formatNumber(s)).join(' ')}${t.groups > t.scales.length ? ' ...' : ''} | ${t.zeroPoints.join(' ')}${t.groups > t.zeroPoints.length ? ' ...' : ''} |`);
      }
    } else {
      for (const t of shown) {
        const more = t.groups > t.scales.length ? ` ... (${t.groups} groups, scale ${formatNumber(t.scaleMin)}..${formatNumber(t.scaleMax)})` : '';
        const shape = t.shape.length ? `, ${formatDims(t.shape)}` : '';
        lines.push(`  ${t.tensor} [${t.role}, ${t.dtype}${shape}, ${t.granularity}]: scale ${t.scales.map((s) => formatNumber(s)).join(' ')}; zero point ${t.zeroPoints.join(' ')}${more}`);
      }
    }
    if (d.tensors.length > shown.length) lines.push(item(`... and ${d.tensors.length - shown.length} more tensors (all of them in --json)`));
  }
  return lines.join('\n') + '\n';
}
