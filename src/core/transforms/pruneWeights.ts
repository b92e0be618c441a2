// Weight magnitude pruning of MatMul, Gemm, Conv, ConvTranspose and LSTM/GRU/RNN weights, in the main
// graph and inside If/Loop/Scan bodies: unstructured to a target sparsity (over all weights together or
// per layer), or N:M structured (2:4 keeps the 2 largest of each 4 consecutive weights along the
// input-channel axis, the axis sparse tensor cores reduce over).
import { UserError } from '../errors.js';
import type { ExternalDataReader } from '../model/externalData.js';
import { AttributeType, DataType, int64ToNumber, onnx, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../model/proto.js';
import { arrayToTensor, constantNodeTensor, tensorToArray, toFloat64, type TensorArray } from '../model/tensorValues.js';
import { cloneModel } from './graphEdit.js';
import { initializersOverridable } from '../model/graphQueries.js';
import { subgraphsOf, walkModel } from '../model/walk.js';

export interface MagnitudeOptions {
  /** Fraction of weights set to zero, 0..1 (unstructured). */
  sparsity?: number;
  /** 'global': one threshold over all weights; 'layer': each tensor reaches the sparsity itself. */
  scope?: 'global' | 'layer';
  /** N:M structured: keep n of every m consecutive weights along the input-channel axis. */
  pattern?: { n: number; m: number };
  /** Node names or op types left untouched. */
  exclude?: string[];
  external?: ExternalDataReader;
}

export interface TensorSparsity {
  name: string;
  /** '' for the main graph, else the path of the If/Loop/Scan body that holds the tensor. */
  graph: string;
  /** Consumers, as 'name (OpType)'. */
  nodes: string[];
  shape: number[];
  elements: number;
  zerosBefore: number;
  zerosAfter: number;
  /** zerosAfter / elements. */
  sparsity: number;
  /** Why it was left alone. */
  skipped?: string;
}

/**
 * Ops whose constant weights are pruned, and which inputs are weights. MatMul, Gemm, Conv, ConvTranspose:
 * B/W (input 1). LSTM, GRU, RNN: W (input 1) and R (input 2), the input and recurrence matrices. Not
 * pruned: biases (Gemm/Conv C/B, the recurrent B), LSTM's peepholes P (element-wise gains, like a bias),
 * sequence_lens and initial_h/initial_c (data, not weights).
 */
export const prunableOps = new Set(['MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'LSTM', 'GRU', 'RNN']);
const recurrentOps = new Set(['LSTM', 'GRU', 'RNN']);
const floatTypes = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

/** The inputs of a prunable node that are weights. */
function weightSlots(node: NodeProto): number[] {
  return recurrentOps.has(node.opType ?? '') ? [1, 2] : [1];
}

interface Weight {
  name: string;
  /** Where the tensor lives: '' the main graph, else the path of the body that holds it. */
  graph: string;
  consumers: NodeProto[];
  /** Axis the layer reduces over (input channels). */
  axis: number;
  array: TensorArray;
  magnitude: Float64Array;
  write: (tensor: TensorProto) => void;
  skipped?: string;
}

function reductionAxis(node: NodeProto, rank: number): number {
  switch (node.opType) {
    case 'MatMul': return rank >= 2 ? rank - 2 : 0;
    case 'Gemm': {
      const transB = (node.attribute ?? []).find((a) => a.name === 'transB');
      return transB && int64ToNumber(transB.i) === 1 ? 1 : 0;
    }
    case 'ConvTranspose': return 0;
    // W [directions, gates*hidden, input] and R [directions, gates*hidden, hidden] multiply X·Wᵀ: the last axis.
    case 'LSTM': case 'GRU': case 'RNN': return rank - 1;
    default: return 1;
  }
}

function describe(node: NodeProto): string {
  return `${node.name || node.output?.[0] || '?'} (${node.opType})`;
}

/** Every node of a prunable op in the model, subgraph bodies included (functions are not rewritten). */
export function prunableNodes(model: ModelProto): NodeProto[] {
  return [...walkModel(model)].filter((v) => !v.functionName).flatMap((v) => v.nodes.filter((n) => prunableOps.has(n.opType ?? '') && (!n.domain || n.domain === 'ai.onnx')));
}

/** One graph's constants as a name resolves them: initializers and Constant outputs; other definitions shadow. */
interface Scope {
  graph: GraphProto;
  path: string;
  initializers: Map<string, number>;
  constants: Map<string, NodeProto>;
  /** Names defined here that are not constants (graph inputs, node outputs). */
  values: Set<string>;
}

function scopeOf(graph: GraphProto, path: string, main: boolean, overridable: boolean): Scope {
  const initializers = new Map<string, number>();
  (graph.initializer ?? []).forEach((t, i) => t.name && initializers.set(t.name, i));
  const constants = new Map<string, NodeProto>();
  const values = new Set<string>();
  for (const n of graph.node ?? []) {
    if (n.opType === 'Constant' && (!n.domain || n.domain === 'ai.onnx') && n.output?.[0]) constants.set(n.output[0], n);
    else for (const o of n.output ?? []) if (o) values.add(o);
  }
  // A graph input that is also an initializer is a constant only below IR 4 (and never in a body).
  for (const v of graph.input ?? []) if (v.name && (!main || overridable || !initializers.has(v.name))) values.add(v.name);
  for (const name of values) initializers.delete(name);
  return { graph, path, initializers, constants, values };
}

/**
 * Weight tensors feeding the prunable ops, in the main graph and in If/Loop/Scan bodies, resolved by
 * scope: a body's weight may be its own initializer or Constant, or one of an enclosing graph.
 */
function findWeights(model: ModelProto, options: MagnitudeOptions): { weights: Weight[]; excluded: string[] } {
  const exclude = new Set(options.exclude ?? []);
  const overridable = initializersOverridable(model);
  const byTensor = new Map<string, { scope: Scope; name: string; consumers: NodeProto[]; excluded: boolean }>();

  const visit = (graph: GraphProto, path: string, outer: Scope[]) => {
    const scopes = [scopeOf(graph, path, outer.length === 0, overridable), ...outer];
    const resolve = (name: string) => {
      for (const s of scopes) {
        if (s.initializers.has(name) || s.constants.has(name)) return s;
        if (s.values.has(name)) return undefined;
      }
      return undefined;
    };
    (graph.node ?? []).forEach((node, index) => {
      if (prunableOps.has(node.opType ?? '') && (!node.domain || node.domain === 'ai.onnx')) {
        const isExcluded = exclude.has(node.name ?? '') || exclude.has(node.opType ?? '');
        for (const slot of weightSlots(node)) {
          const name = node.input?.[slot];
          const scope = name ? resolve(name) : undefined;
          if (!name || !scope) continue;
          const key = `${scope.path}\u0000${name}`;
          const entry = byTensor.get(key) ?? { scope, name, consumers: [], excluded: false };
          entry.consumers.push(node);
          entry.excluded ||= isExcluded;
          byTensor.set(key, entry);
        }
      }
      for (const sub of subgraphsOf(node)) visit(sub.graph, `${path}/${node.name || `${node.opType}_${index}`}.${sub.attribute}`, scopes);
    });
  };
  visit(model.graph!, '', []);

  const weights: Weight[] = [];
  const excluded: string[] = [];
  for (const { scope, name, consumers, excluded: isExcluded } of byTensor.values()) {
    if (isExcluded) {
      excluded.push(name);
      continue;
    }
    let tensor: TensorProto | undefined;
    let write: ((t: TensorProto) => void) | undefined;
    const index = scope.initializers.get(name);
    if (index !== undefined) {
      tensor = scope.graph.initializer![index];
      write = (t) => {
        scope.graph.initializer![index] = t;
      };
    } else {
      const node = scope.constants.get(name)!;
      tensor = constantNodeTensor(node);
      write = (t) => {
        node.attribute = [onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t })];
      };
    }
    if (!tensor || !floatTypes.has(tensor.dataType ?? 0)) continue;
    const array = tensorToArray(tensor, options.external);
    const rank = array.dims.length;
    const axes = new Set(consumers.map((n) => reductionAxis(n, rank)));
    const weight: Weight = { name, graph: scope.path, consumers, axis: [...axes][0], array, magnitude: toFloat64(array).map(Math.abs), write };
    if (axes.size > 1) weight.skipped = 'its consumers reduce over different axes';
    weights.push(weight);
  }
  return { weights, excluded };
}

/** The k-th smallest value (0-based) of `values`; reorders a copy, not the input. */
export function kthSmallest(values: ArrayLike<number>, k: number): number {
  const a = Float64Array.from(values);
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function zeroCount(w: Weight): number {
  let n = 0;
  for (const m of w.magnitude) if (m === 0) n++;
  return n;
}

/** Zeroes exactly `k` smallest magnitudes across `weights` (ties broken in storage order). */
function zeroSmallest(weights: Weight[], k: number): void {
  if (k <= 0) return;
  const all = new Float64Array(weights.reduce((n, w) => n + w.magnitude.length, 0));
  let offset = 0;
  for (const w of weights) {
    all.set(w.magnitude, offset);
    offset += w.magnitude.length;
  }
  const threshold = kthSmallest(all, Math.min(k, all.length) - 1);
  let below = 0;
  for (const v of all) if (v < threshold) below++;
  let ties = Math.min(k, all.length) - below;
  for (const w of weights) {
    const data = w.array.data as Float32Array;
    for (let i = 0; i < w.magnitude.length; i++) {
      const m = w.magnitude[i];
      if (m < threshold || (m === threshold && ties-- > 0)) {
        data[i] = 0;
        w.magnitude[i] = 0;
      }
    }
  }
}

/** Keeps the n largest of each m consecutive weights along `axis`. */
function applyPattern(w: Weight, n: number, m: number): string | undefined {
  const dims = w.array.dims;
  if (dims.length === 0) return 'it is a scalar';
  const size = dims[w.axis];
  if (size % m !== 0) return `its input-channel axis (${size}) is not a multiple of ${m}`;
  const inner = dims.slice(w.axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, w.axis).reduce((a, b) => a * b, 1);
  const data = w.array.data as Float32Array;
  const group = new Array<number>(m);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let g = 0; g < size; g += m) {
        for (let j = 0; j < m; j++) group[j] = (o * size + g + j) * inner + i;
        // Insertion sort by magnitude, largest first; stable, so among equals the earlier position stays.
        for (let a = 1; a < m; a++) {
          const v = group[a];
          let b = a - 1;
          while (b >= 0 && w.magnitude[group[b]] < w.magnitude[v]) {
            group[b + 1] = group[b];
            b--;
          }
          group[b + 1] = v;
        }
        for (let j = n; j < m; j++) {
          data[group[j]] = 0;
          w.magnitude[group[j]] = 0;
        }
      }
    }
  }
  return undefined;
}

export function pruneWeights(model: ModelProto, options: MagnitudeOptions): { model: ModelProto; tensors: TensorSparsity[]; excluded: string[] } {
  const { sparsity, pattern } = options;
  if ((sparsity === undefined) === (pattern === undefined)) throw new UserError('Choose either a target sparsity or an N:M pattern.');
  if (sparsity !== undefined && !(sparsity >= 0 && sparsity < 1)) throw new UserError('The target sparsity must be at least 0 and below 1 (for example 0.5 for 50%).');
  if (pattern && !(Number.isInteger(pattern.n) && Number.isInteger(pattern.m) && pattern.n >= 1 && pattern.n < pattern.m && pattern.m <= 64)) {
    throw new UserError('The N:M pattern needs whole numbers with 1 <= N < M <= 64, such as 2:4.');
  }
  const copy = cloneModel(model);
  if (!copy.graph) throw new UserError('The model has no graph.');
  const { weights, excluded } = findWeights(copy, options);
  const zerosBefore = new Map(weights.map((w) => [w, zeroCount(w)]));
  const active = weights.filter((w) => !w.skipped);
  if (pattern) {
    for (const w of active) w.skipped = applyPattern(w, pattern.n, pattern.m);
  } else if (options.scope === 'layer') {
    for (const w of active) zeroSmallest([w], Math.round(sparsity! * w.magnitude.length));
  } else {
    const total = active.reduce((n, w) => n + w.magnitude.length, 0);
    zeroSmallest(active, Math.round(sparsity! * total));
  }
  const tensors: TensorSparsity[] = [];
  for (const w of weights) {
    const after = zeroCount(w);
    if (!w.skipped) w.write(arrayToTensor(w.name, w.array));
    tensors.push({
      name: w.name, graph: w.graph, nodes: w.consumers.map(describe), shape: w.array.dims, elements: w.magnitude.length,
      zerosBefore: zerosBefore.get(w)!, zerosAfter: after, sparsity: w.magnitude.length ? after / w.magnitude.length : 0,
      ...(w.skipped ? { skipped: w.skipped } : {}),
    });
  }
  return { model: copy, tensors, excluded };
}

/** Whether every group of m along the axis has at most n non-zeros (for tests and reports). */
export function followsPattern(array: TensorArray, axis: number, n: number, m: number): boolean {
  const dims = array.dims;
  const size = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const values = toFloat64(array);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let g = 0; g < size; g += m) {
        let nonZero = 0;
        for (let j = 0; j < m; j++) if (values[(o * size + g + j) * inner + i] !== 0) nonZero++;
        if (nonZero > n) return false;
      }
    }
  }
  return true;
}
