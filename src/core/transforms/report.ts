// The report every transform (fold, prune, quantize) returns: what changed in the graph, sizes, time,
// and how close the result is to the original on the same inputs. Rendered as text for the CLI and
// Markdown for the editor; `--json` prints the object itself.
import { dirname } from 'node:path';
import { dataTypeName } from '../model/dataTypes.js';
import { int64ToNumber, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../model/proto.js';
import { tensorByteSize } from '../model/summary.js';
import { typeText } from '../model/types.js';
import { walkModel } from '../model/walk.js';
import { writeModelAtomic } from '../model/modelFile.js';
import { oneLine } from '../errors.js';
import { formatBytes, formatCosine, formatDims, formatDuration, formatNumber } from '../format.js';
import type { RuntimeClient } from '../runtime/client.js';
import { compareModels, type OutputComparison } from '../runtime/compare.js';

export interface InitializerTotals {
  count: number;
  bytes: number;
}

export interface ModelDiff {
  removed: string[];
  added: string[];
  changed: string[];
}

export interface Verification {
  /** False when it could not run (see `problem`). */
  ran: boolean;
  pass: boolean;
  /** What the outputs were compared with: e.g. 'atol 1e-5, rtol 1e-5; integer outputs exactly'. */
  tolerance: string;
  comparisons: OutputComparison[];
  problem?: string;
  /** The transform changes outputs on purpose (pruning, quantization): errors are shown, not judged. */
  informational?: boolean;
}

export interface ReportTable {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface TransformReport {
  /** 'fold', 'prune', 'quantize'... */
  transform: string;
  source?: string;
  output?: string;
  nodesBefore: Record<string, number>;
  nodesAfter: Record<string, number>;
  initializersBefore: InitializerTotals;
  initializersAfter: InitializerTotals;
  fileBytesBefore?: number;
  fileBytesAfter?: number;
  timeMs: number;
  diff: ModelDiff;
  verification?: Verification;
  /** Plain sentences worth the user's attention (skips, limits, decisions). */
  notes: string[];
  /** Per-tensor figures and the like, rendered as tables. */
  tables?: ReportTable[];
  /** Transform-specific details (fold rounds, prune sparsity per tensor, ...). */
  details?: Record<string, unknown>;
}

function opKey(node: NodeProto): string {
  return node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType ?? '';
}

/** Node count by op type over every graph of the model (subgraphs included). */
export function countOps(model: ModelProto): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const visit of walkModel(model)) for (const node of visit.nodes) ops[opKey(node)] = (ops[opKey(node)] ?? 0) + 1;
  return ops;
}

export function totalNodes(ops: Record<string, number>): number {
  return Object.values(ops).reduce((a, b) => a + b, 0);
}

/** Initializers (dense and sparse) of every graph. */
export function initializerTotals(model: ModelProto): InitializerTotals {
  let count = 0;
  let bytes = 0;
  for (const visit of walkModel(model)) {
    for (const t of visit.graph?.initializer ?? []) {
      count++;
      bytes += tensorByteSize(t);
    }
    for (const s of visit.graph?.sparseInitializer ?? []) {
      count++;
      if (s.values) bytes += tensorByteSize(s.values);
      if (s.indices) bytes += tensorByteSize(s.indices);
    }
  }
  return { count, bytes };
}

function tensorText(t: TensorProto): string {
  return `${dataTypeName(t.dataType ?? 0)}${formatDims((t.dims ?? []).map(int64ToNumber))}`;
}

/** A fingerprint that changes when a tensor's type, shape or bytes change (cheap, not cryptographic). */
function tensorFingerprint(t: TensorProto): string {
  const raw = t.rawData;
  let h = 2166136261;
  if (raw) {
    // Sample at most ~4096 positions: large weights are compared by size plus a spread of bytes.
    const step = Math.max(1, Math.floor(raw.length / 4096));
    for (let i = 0; i < raw.length; i += step) h = Math.imul(h ^ raw[i], 16777619);
  }
  const typed = [t.floatData, t.int32Data, t.int64Data, t.doubleData, t.uint64Data].find((a) => a && a.length);
  if (typed) for (const v of typed) h = Math.imul(h ^ Number(v), 16777619);
  return `${tensorText(t)}:${raw?.length ?? 0}:${h >>> 0}`;
}

interface Entry {
  label: string;
  fingerprint: string;
}

function entries(model: ModelProto): Map<string, Entry> {
  const map = new Map<string, Entry>();
  const visit = (graph: GraphProto, prefix: string) => {
    (graph.node ?? []).forEach((node, i) => {
      const id = node.name || `${node.opType}(${(node.output ?? []).join(',')})` || `#${i}`;
      const attrs = (node.attribute ?? []).map((a) => `${a.name}=${a.i ?? a.f ?? a.ints?.join(' ') ?? a.type}`).join(';');
      map.set(`${prefix}node:${id}`, {
        label: `node ${prefix}${id} (${opKey(node)})`,
        fingerprint: `${opKey(node)}|${(node.input ?? []).join(',')}|${(node.output ?? []).join(',')}|${attrs}`,
      });
    });
    for (const t of graph.initializer ?? []) {
      map.set(`${prefix}init:${t.name}`, { label: `initializer ${prefix}${t.name} ${tensorText(t)}`, fingerprint: tensorFingerprint(t) });
    }
    for (const s of graph.sparseInitializer ?? []) {
      const name = s.values?.name ?? '';
      const dims = (s.dims ?? []).map((d) => int64ToNumber(d)).join(',');
      map.set(`${prefix}init:${name}`, { label: `sparse initializer ${prefix}${name} [${dims}]`, fingerprint: `sparse:${s.values ? tensorFingerprint(s.values) : ''}` });
    }
    for (const v of graph.input ?? []) map.set(`${prefix}input:${v.name}`, { label: `input ${prefix}${v.name}`, fingerprint: typeText(v.type) });
    for (const v of graph.output ?? []) map.set(`${prefix}output:${v.name}`, { label: `output ${prefix}${v.name}`, fingerprint: typeText(v.type) });
    (graph.node ?? []).forEach((node, i) => {
      for (const a of node.attribute ?? []) {
        const subs = a.g ? [a.g] : a.graphs ?? [];
        subs.forEach((g, k) => visit(g, `${prefix}${node.name || `${node.opType}_${i}`}/${a.name}${subs.length > 1 ? k : ''}/`));
      }
    });
  };
  if (model.graph) visit(model.graph, '');
  return map;
}

/** What was removed, added or changed between two models: nodes, initializers, inputs and outputs. */
export function diffModels(before: ModelProto, after: ModelProto): ModelDiff {
  const a = entries(before);
  const b = entries(after);
  const diff: ModelDiff = { removed: [], added: [], changed: [] };
  for (const [key, entry] of a) {
    const other = b.get(key);
    if (!other) diff.removed.push(entry.label);
    else if (other.fingerprint !== entry.fingerprint) diff.changed.push(other.label);
  }
  for (const [key, entry] of b) if (!a.has(key)) diff.added.push(entry.label);
  return diff;
}

/** The parts of a report that only need the two models; the caller adds time, verification and notes. */
export function baseReport(transform: string, before: ModelProto, after: ModelProto): Omit<TransformReport, 'timeMs' | 'notes'> {
  return {
    transform,
    nodesBefore: countOps(before),
    nodesAfter: countOps(after),
    initializersBefore: initializerTotals(before),
    initializersAfter: initializerTotals(after),
    diff: diffModels(before, after),
  };
}

/** Writes a transformed model atomically beside its source's external data, and records where and how big. */
export function writeTransformed(report: TransformReport, model: ModelProto, input: string, output: string, bytesBefore: number): void {
  const written = writeModelAtomic(output, model, { sourceDir: dirname(input) });
  report.source = input;
  report.output = output;
  report.fileBytesBefore = bytesBefore;
  report.fileBytesAfter = written.bytes + written.dataBytes;
}

export interface FormatOptions {
  /** Items listed per diff category (default 20). */
  listLimit?: number;
  markdown?: boolean;
}

/** Lines for a terminal, or Markdown for an editor tab. */
export function formatReport(report: TransformReport, options: FormatOptions = {}): string {
  const md = options.markdown ?? false;
  const limit = options.listLimit ?? 20;
  const h = (text: string) => (md ? `\n### ${text}\n` : `\n${text}:`);
  // Markdown: arrows read better as arrows, and model-provided text must not turn into markup.
  const item = (text: string) => (md ? `- ${text.replace(/ -> /g, ' → ').replace(/([\\`*_[\]<>|])/g, '\\$1')}` : `  ${text}`);
  const lines: string[] = [];
  const title = `${report.transform[0].toUpperCase()}${report.transform.slice(1)}`;
  lines.push(md ? `## ${title} report` : `${title} report`);
  if (report.source) lines.push(item(`source: ${report.source}`));
  if (report.output) lines.push(item(`output: ${report.output}`));
  const nb = totalNodes(report.nodesBefore);
  const na = totalNodes(report.nodesAfter);
  lines.push(item(`nodes: ${nb} -> ${na} (${na - nb >= 0 ? '+' : ''}${na - nb})`));
  lines.push(item(`initializers: ${report.initializersBefore.count} (${formatBytes(report.initializersBefore.bytes)}) -> ${report.initializersAfter.count} (${formatBytes(report.initializersAfter.bytes)})`));
  if (report.fileBytesBefore !== undefined && report.fileBytesAfter !== undefined) {
    lines.push(item(`file: ${formatBytes(report.fileBytesBefore)} -> ${formatBytes(report.fileBytesAfter)}`));
  }
  lines.push(item(`time: ${formatDuration(report.timeMs)}`));

  const ops = [...new Set([...Object.keys(report.nodesBefore), ...Object.keys(report.nodesAfter)])]
    .map((op) => ({ op, before: report.nodesBefore[op] ?? 0, after: report.nodesAfter[op] ?? 0 }))
    .filter((o) => o.before !== o.after)
    .sort((x, y) => Math.abs(y.before - y.after) - Math.abs(x.before - x.after) || x.op.localeCompare(y.op));
  if (ops.length) {
    lines.push(h('Nodes by op type (changed only)'));
    if (md) lines.push('| op | before | after |', '| --- | ---: | ---: |', ...ops.map((o) => `| ${o.op.replace(/\|/g, '\\|')} | ${o.before} | ${o.after} |`));
    else lines.push(...ops.map((o) => `  ${o.op.padEnd(24)} ${String(o.before).padStart(6)} -> ${o.after}`));
  }

  const v = report.verification;
  lines.push(h('Verification'));
  if (!v) lines.push(item('not run'));
  else if (!v.ran) lines.push(item(`could not run: ${v.problem ?? 'unknown reason'}`));
  else if (v.informational) {
    lines.push(item(`effect on the outputs, original and result run on the same inputs${v.problem ? ` (${v.problem})` : ''}:`));
    for (const c of v.comparisons) lines.push(item(`${c.name}: ${c.problem ?? `max abs error ${formatNumber(c.maxAbsError)}, cosine ${formatCosine(c.cosine)}`}`));
  } else {
    lines.push(item(`${v.pass ? 'PASS' : 'FAIL'}: outputs compared on the same inputs (${v.tolerance})`));
    for (const c of v.comparisons) {
      lines.push(item(`${c.name}: ${c.problem ?? `max abs error ${formatNumber(c.maxAbsError)}, cosine ${formatCosine(c.cosine)}, ${c.mismatches}/${c.count} outside tolerance`}${c.pass ? '' : ' (FAIL)'}`));
    }
  }

  for (const table of report.tables ?? []) {
    lines.push(h(table.title));
    if (md) {
      const cell = (x: string) => x.replace(/([\\`*_[\]<>|])/g, '\\$1');
      lines.push(`| ${table.columns.map(cell).join(' | ')} |`, `|${table.columns.map(() => ' --- |').join('')}`);
      for (const row of table.rows.slice(0, 200)) lines.push(`| ${row.map(cell).join(' | ')} |`);
    } else {
      const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
      const fmt = (r: string[]) => '  ' + r.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
      lines.push(fmt(table.columns), ...table.rows.map(fmt));
    }
    if (md && table.rows.length > 200) lines.push(`\n... and ${table.rows.length - 200} more rows`);
  }

  if (report.notes.length) {
    lines.push(h('Notes'));
    lines.push(...report.notes.map(item));
  }

  const d = report.diff;
  lines.push(h(`Changes: ${d.removed.length} removed, ${d.added.length} added, ${d.changed.length} changed`));
  for (const [label, list] of [['removed', d.removed], ['added', d.added], ['changed', d.changed]] as const) {
    if (!list.length) continue;
    lines.push(item(`${label}:`));
    for (const entry of list.slice(0, limit)) lines.push(md ? `  ${item(entry)}` : `    ${entry}`);
    if (list.length > limit) lines.push(md ? `  - ... and ${list.length - limit} more` : `    ... and ${list.length - limit} more`);
  }
  return lines.join('\n') + '\n';
}

export interface VerifyOptions {
  rtol: number;
  atol: number;
  seed?: number;
  signal?: AbortSignal;
}

/**
 * Runs the original and the transformed model on the same generated inputs. Integer, bool and string
 * outputs must match exactly (compareOutputs does so); floats within atol + rtol * |expected|.
 * A model that onnxruntime cannot run yields ran: false with the reason, never a throw (except cancel).
 */
export async function verifyModels(client: RuntimeClient, original: Uint8Array | string, transformed: Uint8Array | string, options: VerifyOptions): Promise<Verification> {
  const tolerance = `atol ${options.atol}, rtol ${options.rtol}; integer outputs exactly`;
  try {
    const result = await compareModels(client, original, transformed, { rtol: options.rtol, atol: options.atol, seed: options.seed ?? 0, signal: options.signal });
    return { ran: true, pass: result.pass, tolerance, comparisons: result.comparisons };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ran: false, pass: false, tolerance, comparisons: [], problem: oneLine(error) };
  }
}

/** Where a transform's result goes by default: beside the source, `name.<tag>.onnx`. */
export function siblingOutputPath(input: string, tag: string): string {
  const dot = input.toLowerCase().endsWith('.onnx') ? input.length - 5 : input.length;
  return `${input.slice(0, dot)}.${tag}.onnx`;
}
