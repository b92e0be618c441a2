// Output comparison: numpy.isclose rules for floats (|a - e| <= atol + rtol * |e|, NaN equals NaN),
// exact equality for integers, bools and strings.
import { dirname } from 'node:path';
import { formatDims } from '../format.js';
import { upgradeForRuntime, upgradeText } from '../opset/runtimeUpgrade.js';
import { readModelFile, decodeModel, encodeModel } from '../model/decode.js';
import { dataTypeName } from '../model/dataTypes.js';
import { UserError } from '../errors.js';
import { DataType, type ModelProto } from '../model/proto.js';
import { elementCount, toFloat64, type TensorArray } from '../model/tensorValues.js';
import type { RuntimeClient, SessionSettings } from './client.js';
import { generateInputs, type Distribution } from './inputs.js';
import { resolveInputs } from './inputResolve.js';
import type { Assumption } from './inputReport.js';
import type { InputSpec } from './inputSpec.js';
import { inDeclaredOrder } from './outputOrder.js';
import { describeRunFailure, type FailureContext } from './runFailure.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface OutputComparison {
  name: string;
  /** Element type name of the actual output (expected when it is missing). */
  dtype: string;
  shape: number[];
  maxAbsError: number;
  maxRelError: number;
  /** 1 for identical directions; NaN when not numeric. */
  cosine: number;
  mismatches: number;
  count: number;
  pass: boolean;
  /** Why it failed outright (missing, shape or type differs). */
  problem?: string;
}

const exactTypes = new Set<number>([
  DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32, DataType.UINT32, DataType.INT64,
  DataType.UINT64, DataType.BOOL, DataType.INT4, DataType.UINT4, DataType.INT2, DataType.UINT2, DataType.STRING,
]);

const sameDims = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Complex values compare component by component; everything else by element value. */
export function numeric(array: TensorArray): Float64Array {
  if (array.dtype === DataType.COMPLEX64 || array.dtype === DataType.COMPLEX128) return Float64Array.from(array.data as Float32Array);
  return toFloat64(array);
}

function failed(name: string, array: TensorArray | undefined, problem: string): OutputComparison {
  const count = array ? elementCount(array.dims) : 0;
  return {
    name, dtype: array ? dataTypeName(array.dtype) : '?', shape: array?.dims ?? [], maxAbsError: NaN, maxRelError: NaN,
    cosine: NaN, mismatches: count, count, pass: false, problem,
  };
}

export function compareTensors(name: string, expected: TensorArray, actual: TensorArray, tol: Tolerance): OutputComparison {
  if (expected.dtype !== actual.dtype) {
    return failed(name, actual, `element type ${dataTypeName(actual.dtype)} instead of ${dataTypeName(expected.dtype)}`);
  }
  if (!sameDims(expected.dims, actual.dims)) return failed(name, actual, `shape ${formatDims(actual.dims)} instead of ${formatDims(expected.dims)}`);
  const count = elementCount(actual.dims);
  const base = { name, dtype: dataTypeName(actual.dtype), shape: actual.dims, count };
  if (actual.dtype === DataType.STRING) {
    const e = expected.data as string[];
    const a = actual.data as string[];
    let mismatches = 0;
    for (let i = 0; i < count; i++) if (e[i] !== a[i]) mismatches++;
    return { ...base, maxAbsError: NaN, maxRelError: NaN, cosine: NaN, mismatches, pass: mismatches === 0 };
  }
  const exact = exactTypes.has(actual.dtype);
  let mismatches = 0;
  if (expected.data instanceof BigInt64Array || expected.data instanceof BigUint64Array) {
    // Compared as bigints: int64 ids above 2^53 must not pass by rounding.
    const a = actual.data as BigInt64Array | BigUint64Array;
    for (let i = 0; i < count; i++) if (expected.data[i] !== a[i]) mismatches++;
  }
  const e = numeric(expected);
  const a = numeric(actual);
  let maxAbs = 0;
  let maxRel = 0;
  let dot = 0;
  let normE = 0;
  let normA = 0;
  const bigints = expected.data instanceof BigInt64Array || expected.data instanceof BigUint64Array;
  for (let i = 0; i < e.length; i++) {
    const x = e[i];
    const y = a[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (!(Number.isNaN(x) && Number.isNaN(y)) && !bigints) mismatches++;
      continue;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (x !== y && !bigints) mismatches++;
      continue;
    }
    const diff = Math.abs(y - x);
    if (diff > maxAbs) maxAbs = diff;
    if (x !== 0 && diff / Math.abs(x) > maxRel) maxRel = diff / Math.abs(x);
    dot += x * y;
    normE += x * x;
    normA += y * y;
    if (bigints) continue;
    if (exact ? diff !== 0 : diff > tol.atol + tol.rtol * Math.abs(x)) mismatches++;
  }
  let cosine: number;
  if (normE === 0 && normA === 0) cosine = 1;
  else if (normE === 0 || normA === 0) cosine = 0;
  else cosine = dot / Math.sqrt(normE * normA);
  return { ...base, maxAbsError: maxAbs, maxRelError: maxRel, cosine, mismatches, pass: mismatches === 0 };
}

/** One comparison per expected output, in the expected order. */
export function compareOutputs(expected: Record<string, TensorArray>, actual: Record<string, TensorArray>, tol: Tolerance): OutputComparison[] {
  return Object.entries(expected).map(([name, e]) => {
    const a = actual[name];
    return a ? compareTensors(name, e, a, tol) : failed(name, e, 'missing from the outputs');
  });
}

export interface CompareModelsOptions extends Tolerance {
  /** Default: generated from model a's inputs. */
  inputs?: Record<string, TensorArray>;
  /** The input specification (inputSpec.ts), resolved against model a; used when `inputs` is not given. */
  spec?: InputSpec;
  seed?: number;
  distribution?: Distribution;
  dims?: Record<string, number>;
  settings?: SessionSettings;
  signal?: AbortSignal;
}

export interface ModelComparison {
  inputs: Record<string, TensorArray>;
  /** Sizes and values the resolver assumed (with `spec`). */
  assumptions: Assumption[];
  comparisons: OutputComparison[];
  pass: boolean;
  /** Models below onnxruntime's oldest opset ran upgraded in memory: 'ran as opset 7: upgraded in memory from opset 6'. */
  upgrades: string[];
}

/** The model as onnxruntime opens it: upgraded in memory when its opset is below what it runs. */
async function runnable(model: Uint8Array | string, which: string, upgrades: string[]): Promise<{ data: Uint8Array | string; baseDir?: string }> {
  const { model: upgraded, upgrade } = upgradeForRuntime(await loadModel(model));
  if (!upgrade) return { data: model };
  upgrades.push(upgradeText(upgrade, which));
  return { data: encodeModel(upgraded), ...(typeof model === 'string' ? { baseDir: dirname(model) } : {}) };
}

async function loadModel(model: Uint8Array | string): Promise<ModelProto> {
  return typeof model === 'string' ? (await readModelFile(model)).model : decodeModel(model);
}

/**
 * Runs both models on the same inputs; a's outputs are the expected ones. Comparisons follow a's declared
 * output order. Without `inputs` or `spec`, inputs are generated as generateInputs does.
 */
export async function compareModels(client: RuntimeClient, a: Uint8Array | string, b: Uint8Array | string, options: CompareModelsOptions): Promise<ModelComparison> {
  let inputs = options.inputs;
  let context: FailureContext = {};
  let assumptions: Assumption[] = [];
  if (!inputs) {
    const model = await loadModel(a);
    context = { model };
    if (options.spec) {
      const resolved = resolveInputs(model, { seed: options.seed, distribution: options.distribution, dims: options.dims, ...options.spec });
      if (resolved.dataSets.length !== 1) throw new UserError(`Comparing two models takes one set of inputs, not ${resolved.dataSets.length}.`);
      inputs = resolved.dataSets[0].inputs;
      assumptions = resolved.assumptions;
      context = { model, fed: resolved.dataSets[0].fed, assumptions };
    } else {
      inputs = generateInputs(model, { seed: options.seed, distribution: options.distribution, dims: options.dims });
    }
  }
  const run = { signal: options.signal };
  const upgrades: string[] = [];
  const first = await runnable(a, 'the first model', upgrades);
  const second = await runnable(b, 'the second model', upgrades);
  const session = await client.open(first.data, { settings: options.settings, signal: options.signal, baseDir: first.baseDir });
  let expected: Record<string, TensorArray>;
  try {
    expected = (await session.run(inputs, run).catch((e: unknown) => {
      throw describeRunFailure(e, context);
    })).outputs;
  } finally {
    await session.close().catch(() => undefined);
  }
  const compared = { ...context, model: undefined, which: 'the compared model' };
  const otherSession = await client.open(second.data, { settings: options.settings, signal: options.signal, baseDir: second.baseDir }).catch((e: unknown) => {
    throw describeRunFailure(e, compared);
  });
  let actual: Record<string, TensorArray>;
  try {
    actual = (await otherSession.run(inputs, run).catch((e: unknown) => {
      throw describeRunFailure(e, compared);
    })).outputs;
  } finally {
    await otherSession.close().catch(() => undefined);
  }
  const comparisons = inDeclaredOrder(compareOutputs(expected, actual, options), session.outputs.map((o) => o.name));
  return { inputs, assumptions, comparisons, pass: comparisons.every((c) => c.pass), upgrades };
}

// Measures of a lossy result (quantization): how large the error is against the reference's own scale.

/** What the measures need of a reference output and its error, summed over every compared set. */
export interface SignalSums {
  count: number;
  min: number;
  max: number;
  sum: number;
  /** Σ ref². */
  sumSq: number;
  /** Σ (ref - result)². */
  errorSq: number;
  maxAbsError: number;
}

export function emptySums(): SignalSums {
  return { count: 0, min: Infinity, max: -Infinity, sum: 0, sumSq: 0, errorSq: 0, maxAbsError: 0 };
}

/** Adds the finite element pairs of one set (non-finite pairs are the element rules' business). */
export function addSignal(sums: SignalSums, reference: Float64Array, result: Float64Array): void {
  for (let i = 0; i < reference.length; i++) {
    const x = reference[i], y = result[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const d = y - x;
    sums.count++;
    if (x < sums.min) sums.min = x;
    if (x > sums.max) sums.max = x;
    sums.sum += x;
    sums.sumSq += x * x;
    sums.errorSq += d * d;
    if (Math.abs(d) > sums.maxAbsError) sums.maxAbsError = Math.abs(d);
  }
}

/** 10·log10(Σref² / Σ(ref - result)²): Infinity for an exact result, NaN when nothing was compared. */
export function snrDb(sums: SignalSums): number {
  if (sums.count === 0) return NaN;
  if (sums.errorSq === 0) return Infinity;
  return 10 * Math.log10(sums.sumSq / sums.errorSq);
}

/** Max abs error over the reference's range (max - min); NaN for a constant reference (no range to relate to). */
export function rangeError(sums: SignalSums): number {
  const range = sums.max - sums.min;
  return sums.count && range > 0 ? sums.maxAbsError / range : NaN;
}

/**
 * The reference's standard deviation over its root mean square, from 0 (constant) to 1 (zero mean). An
 * output that is mostly a constant offset (low spread) has a cosine near 1 whatever its varying part does.
 */
export function spread(sums: SignalSums): number {
  if (sums.count === 0 || sums.sumSq === 0) return 0;
  const mean = sums.sum / sums.count;
  const variance = Math.max(0, sums.sumSq / sums.count - mean * mean);
  return Math.sqrt(variance / (sums.sumSq / sums.count));
}

/** Op types whose output is a class score, or that read one, for `classCount`. */
const classOps = new Set(['Softmax', 'LogSoftmax', 'ArgMax', 'TopK']);
const className = /logit|prob|score|class/i;

/**
 * Whether the model marks `output` as class scores: produced by Softmax/LogSoftmax, read by ArgMax/TopK/
 * Softmax/LogSoftmax in the graph, or named like logits/probs/scores/classes with at most 3 declared dims
 * (a [1, 1, H, W] 'prob_map' is a map, not rows of classes).
 */
export function classHinted(model: ModelProto, output: string): boolean {
  const rank = (model.graph?.output ?? []).find((o) => o.name === output)?.type?.tensorType?.shape?.dim?.length;
  if (className.test(output) && (rank === undefined || rank <= 3)) return true;
  return (model.graph?.node ?? []).some((n) => classOps.has(n.opType ?? '') && (n.output?.includes(output) || n.input?.[0] === output));
}

/**
 * Classes per row of a class-like output, else 0. Class-like: a float output the model marks (classHinted)
 * whose last dim is above 1, or an unmarked [rows, classes] / [classes] output with 2 to 1000 classes.
 * Anything else (a [1, 1, H, W] map, a [batch, seq, hidden] state) has no classes to agree on.
 */
export function classCount(dims: readonly number[], hinted: boolean): number {
  const last = dims[dims.length - 1];
  if (dims.length === 0 || !(last > 1)) return 0;
  if (hinted) return last;
  return dims.length <= 2 && last <= 1000 ? last : 0;
}

function argMax(values: Float64Array, start: number, length: number): number {
  let best = 0;
  for (let c = 1; c < length; c++) if (values[start + c] > values[start + best]) best = c;
  return best;
}

/** Rows (every leading index) whose arg-max agrees, out of the rows compared. */
export function top1Agreement(reference: Float64Array, result: Float64Array, classes: number): { agree: number; rows: number } {
  const rows = classes > 0 ? Math.floor(reference.length / classes) : 0;
  let agree = 0;
  for (let r = 0; r < rows; r++) if (argMax(reference, r * classes, classes) === argMax(result, r * classes, classes)) agree++;
  return { agree, rows };
}
