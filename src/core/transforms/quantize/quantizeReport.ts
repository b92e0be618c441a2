// The quantization-specific part of the report: sizes, speed, accuracy and the scales and zero points
// of each quantized tensor (the first few of each, and a summary), as text or Markdown.
import type { Latency } from '../../runtime/latency.js';
import type { ModelProto } from '../../model/proto.js';
import type { OutputCheck } from '../compareRuns.js';
import { signalFigures, type VerificationStatus } from '../report.js';
import { formatBytes, formatDims, formatDuration, formatNumber, formatRatio } from '../../format.js';
import { modeSpecs, type QuantizeOptions } from './options.js';
import type { QuantizedTensorInfo } from './rewriter.js';

/** One granularity's result, for --compare-per-tensor. */
export interface QuantizeVariant {
  granularity: string;
  weightBytes: number;
  /** The quantized model encoded (weights kept in external data files count as references only). */
  fileBytes: number;
  verification?: { status: VerificationStatus; decided: string; accuracy: OutputCheck[] };
}

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
  /** The verification's comparisons: max abs error, range error, SNR, cosine, top-1 agreement per output. */
  accuracy: OutputCheck[];
  budget: { cosine: number; pass: boolean };
  latencyBefore?: Latency;
  latencyAfter?: Latency;
  /** Python onnx.checker judges opsets up to 17 and no com.microsoft ops. */
  newerThanChecker: boolean;
  /** Per channel and per tensor side by side (--compare-per-tensor). */
  variants?: QuantizeVariant[];
  /** The per-tensor variant until it is verified (then dropped: not part of the report). */
  perTensorModel?: ModelProto;
}

/** Tensors listed one by one; the rest are summarised. */
export const listedTensors = 20;

export function formatQuantizeDetails(d: QuantizeDetails, options: { markdown?: boolean } = {}): string {
  const md = options.markdown ?? false;
  const h = (text: string) => (md ? `\n### ${text}\n` : `\n${text}:`);
  const item = (text: string) => (md ? `- ${text.replace(/([\\`*_[\]<>|])/g, '\\$1')}` : `  ${text}`);
  const lines: string[] = [];
  lines.push(h('Quantization'));
  lines.push(item(`mode: ${d.mode} (${modeSpecs[d.options.mode].describe(d.options)}), format ${d.format}`));
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

  lines.push(h(d.inputs.sets ? `Accuracy on ${d.inputs.sets} input set(s) (${d.inputs.source})` : 'Accuracy'));
  if (!d.inputs.sets) lines.push(item('not measured: the verification did not run (see Verification)'));
  for (const a of d.accuracy) {
    if (a.problem) lines.push(item(`${a.name}: ${a.problem}`));
    else lines.push(item(`${a.name}: ${signalFigures(a)}${a.decided ? ` (${a.decided})` : a.float ? '' : ' (not a float output: shown, not judged)'}`));
  }

  if (d.variants?.length) {
    lines.push(h('Per channel and per tensor'));
    const rows = d.variants.flatMap((v) => (v.verification?.accuracy.length ? v.verification.accuracy : [undefined]).map((a) => [
      v.granularity, formatBytes(v.weightBytes), formatBytes(v.fileBytes), a?.name ?? '',
      a ? `${formatNumber(a.maxAbsError)}${a.rangeError !== undefined && Number.isFinite(a.rangeError) ? ` (${(a.rangeError * 100).toFixed(2)}%)` : ''}` : '',
      a?.snrDb !== undefined ? (a.snrDb === Infinity ? 'inf' : a.snrDb.toFixed(1)) : '', a && Number.isFinite(a.cosine) ? a.cosine.toFixed(4) : '',
      a?.decided ?? v.verification?.decided ?? 'not verified',
    ]));
    const columns = ['granularity', 'weights', 'file', 'output', 'max abs error (of range)', 'SNR dB', 'cosine', 'verdict'];
    if (md) {
      const cell = (s: string) => s.replace(/([\\`*_[\]<>|])/g, '\\$1');
      lines.push(`| ${columns.join(' | ')} |`, `|${columns.map(() => ' --- |').join('')}`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`));
    } else {
      lines.push(...rows.map((r) => item(`${r[0]}: weights ${r[1]}, file ${r[2]}${r[3] ? `; ${r[3]}: max abs error ${r[4]}, SNR ${r[5]} dB, cosine ${r[6]}` : ''}: ${r[7]}`)));
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
