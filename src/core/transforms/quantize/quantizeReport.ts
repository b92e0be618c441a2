// The quantization-specific part of the report: sizes, speed, accuracy and the scales and zero points
// of each quantized tensor (the first few of each, and a summary), as text or Markdown.
import type { Latency } from '../../runtime/latency.js';
import type { OutputCheck } from '../compareRuns.js';
import { formatBytes } from '../report.js';
import { modeSpecs, type QuantizeOptions } from './options.js';
import type { QuantizedTensorInfo } from './rewriter.js';

export interface QuantizeDetails {
  mode: string;
  format: string;
  options: QuantizeOptions;
  counts: Record<string, number>;
  tensors: QuantizedTensorInfo[];
  weightBytesBefore: number;
  weightBytesAfter: number;
  /** Weight bytes before / after; file bytes before / after. */
  weightRatio: number;
  fileRatio: number;
  quantizeMs: number;
  /** MB/s of float32 weights quantized. */
  throughputMBps: number;
  inputs: { source: string; sets: number };
  /** The verification's comparisons: cosine, max abs error, top-1 agreement per output. */
  accuracy: OutputCheck[];
  budget: { cosine: number; pass: boolean };
  latencyBefore?: Latency;
  latencyAfter?: Latency;
  /** Python onnx.checker judges opsets up to 17 and no com.microsoft ops. */
  newerThanChecker: boolean;
}

/** Tensors listed one by one; the rest are summarised. */
export const listedTensors = 20;

function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6 ? x.toExponential(2) : x.toPrecision(digits);
}

function ms(x: number): string {
  return x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(1)} ms`;
}

export function formatQuantizeDetails(d: QuantizeDetails, options: { markdown?: boolean } = {}): string {
  const md = options.markdown ?? false;
  const h = (text: string) => (md ? `\n### ${text}\n` : `\n${text}:`);
  const item = (text: string) => (md ? `- ${text.replace(/([\\`*_[\]<>|])/g, '\\$1')}` : `  ${text}`);
  const lines: string[] = [];
  lines.push(h('Quantization'));
  lines.push(item(`mode: ${d.mode} (${modeSpecs[d.options.mode].describe(d.options)}), format ${d.format}`));
  lines.push(item(`rewritten: ${Object.entries(d.counts).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ') || 'nothing'}`));
  lines.push(item(`weights: ${formatBytes(d.weightBytesBefore)} -> ${formatBytes(d.weightBytesAfter)} (${d.weightRatio.toFixed(2)}x smaller)`));
  lines.push(item(`file: ${d.fileRatio.toFixed(2)}x smaller`));
  const mb = (d.throughputMBps * d.quantizeMs) / 1000;
  lines.push(item(`quantized in ${ms(d.quantizeMs)}${mb >= 1 ? ` (${d.throughputMBps.toFixed(0)} MB/s of float32 weights)` : ''}`));
  if (d.latencyBefore && d.latencyAfter) {
    const b = d.latencyBefore, a = d.latencyAfter;
    lines.push(item(`latency (median of ${a.iterations}): ${ms(b.p50)} -> ${ms(a.p50)} (${(a.p50 / b.p50).toFixed(2)}x); p90 ${ms(b.p90)} -> ${ms(a.p90)}`));
  }
  if (d.newerThanChecker) lines.push(item('uses opset 18+ or com.microsoft ops, which onnx.checker 1.12 cannot judge; onnxruntime loads and runs it'));

  lines.push(h(d.inputs.sets ? `Accuracy on ${d.inputs.sets} input set(s) from ${d.inputs.source}` : 'Accuracy'));
  if (!d.inputs.sets) lines.push(item('not measured: the verification did not run (see Verification)'));
  for (const a of d.accuracy) {
    if (a.problem) lines.push(item(`${a.name}: ${a.problem}`));
    else {
      const top1 = a.top1 !== undefined ? `, top-1 agreement ${(a.top1 * 100).toFixed(1)}%` : '';
      const verdict = !a.float || Number.isNaN(a.cosine) ? '' : a.cosine >= d.budget.cosine ? ' (within budget)' : ` (BELOW the budget of ${d.budget.cosine})`;
      lines.push(item(`${a.name}: max abs error ${num(a.maxAbsError)}, cosine ${num(a.cosine, 6)}${top1}${verdict}`));
    }
  }

  if (d.tensors.length) {
    const scales = d.tensors.map((t) => t.scaleMin).concat(d.tensors.map((t) => t.scaleMax)).filter(Number.isFinite);
    lines.push(h(`Scales and zero points (${d.tensors.length} tensors; scales from ${num(Math.min(...scales))} to ${num(Math.max(...scales))})`));
    const shown = d.tensors.slice(0, listedTensors);
    if (md) {
      lines.push('| tensor | role | type | shape | granularity | groups | scales | zero points |', '| --- | --- | --- | --- | --- | ---: | --- | --- |');
      const cell = (s: string) => s.replace(/([\\`*_[\]<>|])/g, '\\$1');
      for (const t of shown) {
        lines.push(`| ${cell(t.tensor)} | ${t.role} | ${t.dtype} | ${t.shape.length ? `[${t.shape.join(',')}]` : ''} | ${t.granularity} | ${t.groups} | ${t.scales.map((s) => num(s)).join(' ')}${t.groups > t.scales.length ? ' ...' : ''} | ${t.zeroPoints.join(' ')}${t.groups > t.zeroPoints.length ? ' ...' : ''} |`);
      }
    } else {
      for (const t of shown) {
        const more = t.groups > t.scales.length ? ` ... (${t.groups} groups, scale ${num(t.scaleMin)}..${num(t.scaleMax)})` : '';
        const shape = t.shape.length ? `, [${t.shape.join(',')}]` : '';
        lines.push(`  ${t.tensor} [${t.role}, ${t.dtype}${shape}, ${t.granularity}]: scale ${t.scales.map((s) => num(s)).join(' ')}; zero point ${t.zeroPoints.join(' ')}${more}`);
      }
    }
    if (d.tensors.length > shown.length) lines.push(item(`... and ${d.tensors.length - shown.length} more tensors (all of them in --json)`));
  }
  return lines.join('\n') + '\n';
}
