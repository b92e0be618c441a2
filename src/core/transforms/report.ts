// The report every transform (fold, prune, quantize) returns: what changed in the graph, sizes, time,
// and how close the result is to the original on the same inputs. Rendered as text for the CLI and
// Markdown for the editor; `--json` prints the object itself.
import { formatBytes, formatCosine, formatDims, formatDuration, formatNumber, formatPercent } from '../format.js';
import { dataTypeName } from '../model/dataTypes.js';
import { AttributeType, int64ToNumber, onnx, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../model/proto.js';
import { initializerTotals, type InitializerTotals } from '../model/summary.js';
import { typeText } from '../model/types.js';
import { walkModel } from '../model/walk.js';
import type { OutputCheck } from './compareRuns.js';

export interface ModelDiff {
  removed: string[];
  added: string[];
  changed: string[];
}

export type VerificationStatus = 'pass' | 'fail' | 'not-run' | 'inconclusive' | 'skipped';

export interface Verification {
  status: VerificationStatus;
  /** The models ran and their outputs were compared (pass, fail or inconclusive). */
  ran: boolean;
  /** status === 'pass'. */
  pass: boolean;
  /** The criterion in words: 'atol 1e-5, rtol 1e-5; integer outputs exactly'. */
  tolerance: string;
  /** Set for a lossy transform: float outputs pass with at least this cosine similarity. */
  minCosine?: number;
  comparisons: OutputCheck[];
  /** Why it could not run, or why it proves nothing. */
  problem?: string;
  /** Where the inputs came from, and how many sets were compared. */
  inputs?: string;
  sets?: number;
  /** Outputs whose reference values were all the same: 'y (all 0)'. */
  constant?: string[];
  /** Which measure decided a lossy verdict: 'PASS by SNR 41.2 dB ≥ 30' (accuracyRule.ts). */
  decided?: string;
}

/** How a user gives real inputs, for reports whose verification proved little. */
export const realInputsHint = 'verify with real inputs (test_data_set_N folders or .pb/.npy/.json files: --data on the command line)';

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
  details?: unknown;
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

/**
 * One item of a model for the diff. Labels and fingerprints are built only for the items that are
 * compared or listed: most of a transformed model is unchanged, and hashing every weight again costs more
 * than folding a small model.
 */
interface Entry {
  label(): string;
  /** What changes when the item does (every item but nodes). */
  fingerprint?(): string;
  /** An initializer: compared by its bytes' identity first (a copy that shares them is unchanged). */
  tensor?: TensorProto;
  /** A node: compared field by field (sameNode). */
  node?: NodeProto;
}

function sameList(a?: string[] | null, b?: string[] | null): boolean {
  const [x, y] = [a ?? [], b ?? []];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameBytesOf(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Same attribute value, by its kind's field (other kinds on the wire); a body is its own entry in the diff, so it is not compared here. */
function sameAttribute(a: AttributeProto, b: AttributeProto): boolean {
  if (a === b) return true;
  if (a.name !== b.name || a.type !== b.type) return false;
  switch (a.type) {
    case AttributeType.GRAPH: case AttributeType.GRAPHS: return true;
    case AttributeType.FLOAT: return Object.is(a.f, b.f);
    case AttributeType.INT: return int64ToNumber(a.i ?? 0) === int64ToNumber(b.i ?? 0);
    case AttributeType.STRING: return sameBytesOf(a.s ?? new Uint8Array(), b.s ?? new Uint8Array());
    case AttributeType.FLOATS: return (a.floats ?? []).length === (b.floats ?? []).length && (a.floats ?? []).every((v, i) => Object.is(v, b.floats![i]));
    case AttributeType.INTS: return (a.ints ?? []).length === (b.ints ?? []).length && (a.ints ?? []).every((v, i) => int64ToNumber(v) === int64ToNumber(b.ints![i]));
    case AttributeType.TENSOR: return !!a.t && !!b.t && (sameBytes(a.t, b.t) || tensorFingerprint(a.t) === tensorFingerprint(b.t));
    default: return sameBytesOf(onnx.AttributeProto.encode(a).finish(), onnx.AttributeProto.encode(b).finish());
  }
}

function sameNode(a: NodeProto, b: NodeProto): boolean {
  const aa = a.attribute ?? [];
  const ba = b.attribute ?? [];
  return opKey(a) === opKey(b) && sameList(a.input, b.input) && sameList(a.output, b.output) && aa.length === ba.length && aa.every((x, i) => sameAttribute(x, ba[i]));
}

function entries(model: ModelProto): Map<string, Entry> {
  const map = new Map<string, Entry>();
  const visit = (graph: GraphProto, prefix: string) => {
    (graph.node ?? []).forEach((node, i) => {
      const id = node.name || `${node.opType}(${(node.output ?? []).join(',')})` || `#${i}`;
      map.set(`${prefix}node:${id}`, { label: () => `node ${prefix}${id} (${opKey(node)})`, node });
    });
    for (const t of graph.initializer ?? []) {
      map.set(`${prefix}init:${t.name}`, { label: () => `initializer ${prefix}${t.name} ${tensorText(t)}`, fingerprint: () => tensorFingerprint(t), tensor: t });
    }
    for (const s of graph.sparseInitializer ?? []) {
      const name = s.values?.name ?? '';
      map.set(`${prefix}init:${name}`, {
        label: () => `sparse initializer ${prefix}${name} ${formatDims((s.dims ?? []).map(int64ToNumber))}`,
        fingerprint: () => `sparse:${s.values ? tensorFingerprint(s.values) : ''}`,
      });
    }
    for (const v of graph.input ?? []) map.set(`${prefix}input:${v.name}`, { label: () => `input ${prefix}${v.name}`, fingerprint: () => typeText(v.type) });
    for (const v of graph.output ?? []) map.set(`${prefix}output:${v.name}`, { label: () => `output ${prefix}${v.name}`, fingerprint: () => typeText(v.type) });
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

const hasTypedData = (t: TensorProto) => [t.floatData, t.int32Data, t.int64Data, t.doubleData, t.uint64Data].some((a) => a && a.length);

/** Same type, dims and the very same raw bytes (no typed data): the fingerprints would be equal too. */
function sameBytes(a: TensorProto, b: TensorProto): boolean {
  if (a === b) return true;
  if (!a.rawData || a.rawData !== b.rawData || (a.dataType ?? 0) !== (b.dataType ?? 0) || hasTypedData(a) || hasTypedData(b)) return false;
  const da = a.dims ?? [];
  const db = b.dims ?? [];
  return da.length === db.length && da.every((d, i) => int64ToNumber(d) === int64ToNumber(db[i]));
}

function unchanged(a: Entry, b: Entry): boolean {
  if (a.node && b.node) return sameNode(a.node, b.node);
  if (a.tensor && b.tensor && sameBytes(a.tensor, b.tensor)) return true;
  return a.fingerprint?.() === b.fingerprint?.();
}

/** What was removed, added or changed between two models: nodes, initializers, inputs and outputs. */
export function diffModels(before: ModelProto, after: ModelProto): ModelDiff {
  const a = entries(before);
  const b = entries(after);
  const diff: ModelDiff = { removed: [], added: [], changed: [] };
  for (const [key, entry] of a) {
    const other = b.get(key);
    if (!other) diff.removed.push(entry.label());
    else if (!unchanged(entry, other)) diff.changed.push(other.label());
  }
  for (const [key, entry] of b) if (!a.has(key)) diff.added.push(entry.label());
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

const verdicts: Record<VerificationStatus, string> = {
  pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE', 'not-run': 'could not run', skipped: 'not run',
};

/** The verification as report lines: the verdict first, then the inputs and each output. */
export function verificationLines(v: Verification | undefined): string[] {
  if (!v) return ['not run'];
  if (!v.ran) return [`${verdicts[v.status]}: ${v.problem ?? 'unknown reason'}`, ...(v.inputs ? [`inputs: ${v.inputs}`] : [])];
  const lossy = v.minCosine !== undefined;
  const verdict = v.decided && (v.status === 'pass' || v.status === 'fail') ? v.decided : verdicts[v.status];
  const lines = [`${verdict}: outputs compared on the same inputs (${v.tolerance})${v.status === 'inconclusive' ? `, but ${v.problem}` : ''}`];
  if (v.inputs) lines.push(`inputs: ${v.inputs}`);
  for (const c of v.comparisons) {
    const figures = c.problem ?? (lossy
      ? `${signalFigures(c)}${c.float ? '' : `, ${c.count - c.mismatches}/${c.count} equal (not a float output: shown, not judged)`}`
      : `max abs error ${formatNumber(c.maxAbsError)}, cosine ${formatCosine(c.cosine)}, ${c.mismatches}/${c.count} outside tolerance`);
    lines.push(`${c.name}: ${figures}${c.decided && v.comparisons.length > 1 ? ` (${c.decided})` : c.pass ? '' : ' (FAIL)'}`);
  }
  if (v.constant?.length && v.status !== 'inconclusive') {
    lines.push(`constant on these inputs, so it proves little: ${v.constant.join(', ')}; ${realInputsHint}`);
  }
  return lines;
}

/** A lossy output's measures: max abs error (and against the range), SNR, cosine, top-1 agreement. */
export function signalFigures(c: OutputCheck): string {
  const parts = [`max abs error ${formatNumber(c.maxAbsError)}${c.rangeError !== undefined && Number.isFinite(c.rangeError) ? ` (${formatPercent(c.rangeError)} of the range)` : ''}`];
  if (c.snrDb !== undefined && !Number.isNaN(c.snrDb)) parts.push(`SNR ${c.snrDb === Infinity ? 'inf' : c.snrDb.toFixed(1)} dB`);
  parts.push(`cosine ${formatCosine(c.cosine)}`);
  if (c.top1 !== undefined) parts.push(`top-1 agreement ${formatPercent(c.top1)}`);
  return parts.join(', ');
}

/** One line for a notification: what changed and the verdict. */
export function reportSummary(report: TransformReport, headline?: string): string {
  const v = report.verification;
  const changed = headline ?? `${totalNodes(report.nodesBefore)} -> ${totalNodes(report.nodesAfter)} nodes`;
  if (!v) return `${changed}.`;
  const worst = v.comparisons.filter((c) => c.float && Number.isFinite(c.cosine)).sort((a, b) => a.cosine - b.cosine)[0];
  const cosine = v.minCosine !== undefined && worst ? `cosine ${formatCosine(worst.cosine)} (at least ${v.minCosine} wanted)` : '';
  if (v.decided && (v.status === 'pass' || v.status === 'fail')) return `${changed}; ${v.decided}.`;
  switch (v.status) {
    case 'pass': return `${changed}; ${cosine || 'outputs match the original'}.`;
    case 'fail': return `${changed}; ${cosine ? `${cosine}: BELOW THE ACCEPTANCE CRITERION` : 'OUTPUTS DIFFER from the original'}.`;
    case 'inconclusive': return `${changed}; NOT VERIFIED: ${v.problem}.`;
    case 'not-run': return `${changed}; NOT VERIFIED: ${v.problem ?? 'onnxruntime could not run it'}.`;
    case 'skipped': return `${changed}; not verified (skipped on request).`;
  }
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

  lines.push(h('Verification'));
  lines.push(...verificationLines(report.verification).map(item));

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
