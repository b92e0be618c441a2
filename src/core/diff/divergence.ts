// Where two models' numbers part: both run on the same inputs, in the one onnxruntime child, with their
// intermediate values as extra outputs (capture.ts); each paired value is compared (compare.ts), and the
// first divergent nodes are those beyond tolerance with no divergent value upstream of them. Values are
// fetched in batches of bounded size, so a large model runs once per batch.
import { dirname } from 'node:path';
import { dataTypeName } from '../model/dataTypes.js';
import { encodeModel } from '../model/decode.js';
import { GraphIndex } from '../model/graphIndex.js';
import { DataType, type ModelProto } from '../model/proto.js';
import { elementCount, toFloat64, type TensorArray } from '../model/tensorValues.js';
import { upgradeForRuntime, upgradeText } from '../opset/runtimeUpgrade.js';
import { withIntermediateOutputs } from '../runtime/capture.js';
import type { RuntimeClient, RuntimeSession } from '../runtime/client.js';
import { compareTensors, type Tolerance } from '../runtime/compare.js';
import { ortCanReturn } from '../runtime/ortTensors.js';
import type { SessionSettings } from '../runtime/settings.js';
import { adaptFeeds } from '../transforms/compareRuns.js';
import type { GraphDiff, ValueMatchKind } from './types.js';

export interface DivergenceOptions {
  tolerance: Tolerance;
  settings?: SessionSettings;
  signal?: AbortSignal;
  /** Bytes of values fetched per run, both models together (default 256 MiB). */
  batchBytes?: number;
  /** Model files: their folders hold external data the copies still refer to. */
  paths?: { a?: string; b?: string };
  onProgress?: (message: string) => void;
}

export interface ValueDivergence {
  a: string;
  b: string;
  how: ValueMatchKind;
  /** Producing node on each side (undefined for a graph input). */
  nodeA?: { name: string; op: string };
  nodeB?: { name: string; op: string };
  dtype: string;
  shape: number[];
  maxAbs: number;
  maxRel: number;
  cosine: number;
  mismatches: number;
  count: number;
  beyond: boolean;
  /** Why the pair could not be compared element by element (type or shape differs). */
  problem?: string;
}

export interface DivergenceReport {
  tolerance: Tolerance;
  /** Compared pairs in the first model's topological order. */
  values: ValueDivergence[];
  /** Beyond tolerance with nothing beyond tolerance upstream: where divergence starts. */
  first: ValueDivergence[];
  /** Runs per model (1 when everything fit at once). */
  batches: number;
  skipped: Array<{ a: string; b: string; reason: string }>;
  upgrades: string[];
}

const floatTypes = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

/** A float32 value and its float16 copy compare as float64. */
function comparable(x: TensorArray, y: TensorArray): [TensorArray, TensorArray] {
  if (x.dtype === y.dtype || !floatTypes.has(x.dtype) || !floatTypes.has(y.dtype)) return [x, y];
  const wide = (t: TensorArray): TensorArray => ({ dtype: DataType.DOUBLE, dims: t.dims, data: toFloat64(t) });
  return [wide(x), wide(y)];
}

const bytesOf = (dtype: string, shape: number[]) => elementCount(shape) * (/64|double/.test(dtype) ? 8 : /16/.test(dtype) ? 2 : /8|bool/.test(dtype) ? 1 : 4);

interface Side {
  index: GraphIndex;
  session: RuntimeSession;
  feeds: Record<string, TensorArray>;
  fetchable: Set<string>;
}

async function openSide(client: RuntimeClient, model: ModelProto, feeds: Record<string, TensorArray>, which: string, upgrades: string[], options: DivergenceOptions, path?: string): Promise<Side> {
  const { model: runnable, upgrade } = upgradeForRuntime(model);
  if (upgrade) upgrades.push(upgradeText(upgrade, which));
  // Unoptimized, as capture.ts: the values are the graph's own, and onnxruntime's extended optimizations
  // crash on some graphs whose intermediates are all outputs.
  const settings: SessionSettings = { ...options.settings, graphOptimizationLevel: 'disabled', optimizedModelFilePath: undefined };
  const open = (m: ModelProto) => client.open(encodeModel(m), { settings, signal: options.signal, ...(path ? { baseDir: dirname(path) } : {}) });
  let copy = withIntermediateOutputs(runnable);
  let session: RuntimeSession;
  try {
    session = await open(copy.model);
  } catch (error) {
    if (!copy.untyped.length) throw error;
    copy = withIntermediateOutputs(runnable, true);
    session = await open(copy.model);
  }
  const fetchable = new Set(session.outputs.filter((o) => o.isTensor && ortCanReturn(o.type)).map((o) => o.name));
  return { index: GraphIndex.build(runnable.graph ?? {}), session, feeds: adaptFeeds(feeds, runnable), fetchable };
}

/** The second model's feeds: each of its inputs gets the value of the first model's input paired with it. */
function feedsFor(b: ModelProto, feeds: Record<string, TensorArray>, diff: GraphDiff): Record<string, TensorArray> {
  const byB = new Map(diff.values.filter((v) => v.how !== 'dequantized').map((v) => [v.b, v.a]));
  const out: Record<string, TensorArray> = {};
  for (const input of b.graph?.input ?? []) {
    const name = input.name ?? '';
    const from = byB.get(name) ?? name;
    if (from in feeds) out[name] = feeds[from];
  }
  return out;
}

function producerRef(index: GraphIndex, name: string): { name: string; op: string } | undefined {
  const p = index.producer(name);
  return p ? { name: p.node.name || `${p.node.opType}#${p.index}`, op: p.node.opType ?? '' } : undefined;
}

/**
 * Runs both models on `feeds` (resolved against the first model; adapted to the second's input types)
 * and compares every paired intermediate value.
 */
export async function findDivergence(client: RuntimeClient, a: ModelProto, b: ModelProto, diff: GraphDiff, feeds: Record<string, TensorArray>, options: DivergenceOptions): Promise<DivergenceReport> {
  const upgrades: string[] = [];
  const sideA = await openSide(client, a, feeds, 'the first model', upgrades, options, options.paths?.a);
  let sideB: Side | undefined;
  try {
    sideB = await openSide(client, b, feedsFor(b, feeds, diff), 'the second model', upgrades, options, options.paths?.b);
    return await compareSides(sideA, sideB, diff, options, upgrades);
  } finally {
    await sideA.session.close().catch(() => undefined);
    await sideB?.session.close().catch(() => undefined);
  }
}

async function compareSides(sa: Side, sb: Side, diff: GraphDiff, options: DivergenceOptions, upgrades: string[]): Promise<DivergenceReport> {
  const skipped: DivergenceReport['skipped'] = [];
  // A graph input is known without running: its feed.
  const available = (s: Side, name: string) => s.fetchable.has(name) || name in s.feeds;
  const pairs = diff.values.filter((v) => {
    if (sa.index.initializer(v.a) || sb.index.initializer(v.b)) return false;
    if (v.a in sa.feeds && v.b in sb.feeds && v.how !== 'dequantized') return false;
    if (!available(sa, v.a) || !available(sb, v.b)) {
      skipped.push({ a: v.a, b: v.b, reason: 'not a tensor onnxruntime returns (untyped, a sequence, or inside a subgraph)' });
      return false;
    }
    return true;
  });
  // Sizes from one summarized run of each: batches are then cut to fit.
  const fetchA = pairs.map((p) => p.a).filter((n) => sa.fetchable.has(n));
  const fetchB = pairs.map((p) => p.b).filter((n) => sb.fetchable.has(n));
  options.onProgress?.('measuring values');
  const sizeA = (await sa.session.summarize(sa.feeds, { outputs: fetchA, signal: options.signal })).values;
  const sizeB = (await sb.session.summarize(sb.feeds, { outputs: fetchB, signal: options.signal })).values;
  const limit = options.batchBytes ?? 256 * 2 ** 20;
  const batches: Array<typeof pairs> = [];
  let current: typeof pairs = [];
  let bytes = 0;
  for (const p of pairs) {
    const sx = sizeA[p.a];
    const sy = sizeB[p.b];
    const size = (sx ? bytesOf(sx.dtype, sx.shape) : 0) + (sy ? bytesOf(sy.dtype, sy.shape) : 0);
    if (current.length && bytes + size > limit) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += size;
  }
  if (current.length) batches.push(current);

  const values: ValueDivergence[] = [];
  for (const [k, batch] of batches.entries()) {
    if (batches.length > 1) options.onProgress?.(`batch ${k + 1} of ${batches.length}`);
    const outA = batch.map((p) => p.a).filter((n) => sa.fetchable.has(n));
    const outB = batch.map((p) => p.b).filter((n) => sb.fetchable.has(n));
    const ra = outA.length ? (await sa.session.run(sa.feeds, { outputs: outA, signal: options.signal })).outputs : {};
    const rb = outB.length ? (await sb.session.run(sb.feeds, { outputs: outB, signal: options.signal })).outputs : {};
    for (const p of batch) {
      const x = ra[p.a] ?? sa.feeds[p.a];
      const y = rb[p.b] ?? sb.feeds[p.b];
      if (!x || !y) {
        skipped.push({ a: p.a, b: p.b, reason: 'onnxruntime returned no value' });
        continue;
      }
      const [cx, cy] = comparable(x, y);
      const c = compareTensors(p.b, cx, cy, options.tolerance);
      values.push({
        a: p.a, b: p.b, how: p.how, nodeA: producerRef(sa.index, p.a), nodeB: producerRef(sb.index, p.b),
        dtype: dataTypeName(y.dtype), shape: y.dims, maxAbs: c.maxAbsError, maxRel: c.maxRelError, cosine: c.cosine,
        mismatches: c.mismatches, count: c.count, beyond: !c.pass, ...(c.problem ? { problem: c.problem } : {}),
      });
    }
  }
  const ordered = inTopologicalOrder(sa.index, values);
  return { tolerance: options.tolerance, values: ordered, first: firstDivergent(sa.index, ordered), batches: batches.length, skipped, upgrades };
}

function inTopologicalOrder(index: GraphIndex, values: ValueDivergence[]): ValueDivergence[] {
  const rank = new Int32Array(index.nodes.length);
  index.topologicalOrder().forEach((n, r) => (rank[n] = r));
  const at = (v: ValueDivergence) => {
    const p = index.producer(v.a);
    return p ? rank[p.index] : -1;
  };
  return values.map((v, k) => ({ v, k, at: at(v) })).sort((x, y) => x.at - y.at || x.k - y.k).map((e) => e.v);
}

/** Divergent values whose producer (in the first model) reads nothing divergent, directly or upstream. */
function firstDivergent(index: GraphIndex, values: ValueDivergence[]): ValueDivergence[] {
  const beyond = new Map<string, boolean>();
  for (const v of values) if (v.beyond) beyond.set(v.a, true);
  const tainted = new Uint8Array(index.nodes.length);
  const reaches = (name: string): boolean => {
    if (beyond.has(name)) return true;
    const p = index.producer(name);
    return p !== undefined && tainted[p.index] === 1;
  };
  for (const n of index.topologicalOrder()) {
    for (const input of index.nodes[n].input ?? []) {
      if (input && reaches(input)) {
        tainted[n] = 1;
        break;
      }
    }
  }
  return values.filter((v) => {
    if (!v.beyond) return false;
    const p = index.producer(v.a);
    return !p || tainted[p.index] === 0;
  });
}
