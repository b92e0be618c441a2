// Shape rules of ops that move, cut, join or index tensors: Reshape, Transpose, Slice, Concat, Split,
// Gather, Squeeze/Unsqueeze, Expand, Tile, Pad, the shape-making ops and reductions. Arguments that
// opsets moved from attributes to inputs are read from where the node's opset puts them.
import { DataType } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import { attribute } from '../model/graphQueries.js';
import type { DimAlgebra } from './dimAlgebra.js';
import {
  broadcastShapes, hasInput, int, ints, meetDim, normAxis, typeOnly, unknownDims, type InferredType, type NodeFacts, type ShapeRule,
} from './shapeRuleKit.js';

/** Slice bounds at or beyond this mean "to the end" (exporters write INT64_MAX or INT32_MAX). */
const endSentinel = 2 ** 31 - 1;

/** Shape of an output that keeps the input's element type when only that is known. */
const same = (x: InferredType | undefined, shape: Dim[] | undefined): InferredType[] => (x ? [{ elemType: x.elemType, shape }] : []);

/** Reshape's target with 0 (copy) and -1 (the rest) resolved. */
export function reshapeTarget(dims: DimAlgebra, input: Dim[] | undefined, target: Dim[], allowZero: boolean): Dim[] {
  const shape: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? input?.[i] ?? null : typeof d === 'number' && d < -1 ? null : d));
  const minus = shape.indexOf(-1);
  if (minus < 0) return shape;
  const rest = shape.filter((_, i) => i !== minus);
  shape[minus] = null;
  if (!input) return shape;
  const total = dims.product(input);
  const known = dims.product(rest);
  if (total === null || known === null) return shape;
  const q = dims.exactDiv(total, known);
  // A quotient that is no exact polynomial (different symbols on both sides) says nothing useful.
  shape[minus] = typeof q === 'string' && q.includes('floor(') ? null : q;
  return shape;
}

/** Length of a slice of a dim of length d. */
export function sliceLength(dims: DimAlgebra, d: Dim, start: Dim, end: Dim, step: number): Dim {
  if (step === 0 || d === null || start === null || end === null) return null;
  const forward = step > 0;
  const toEnd = (v: Dim) => typeof v === 'number' && v >= endSentinel;
  const fromEnd = (v: Dim) => typeof v === 'number' && v < 0 && v > -endSentinel;
  const steps = (span: Dim) => dims.ceilDiv(dims.max(span, 0), Math.abs(step));
  if (forward && typeof start === 'number' && start >= 0 && start < endSentinel) {
    // The common forms first, for their simpler text: x[k:], x[k:-j], x[k:j].
    if (toEnd(end)) return steps(dims.sub(d, start));
    if (fromEnd(end)) return steps(dims.sub(dims.add(d, end), start));
    return steps(dims.sub(dims.min(end, d), start));
  }
  if (forward && fromEnd(start)) {
    // x[-k:] is min(k, d); x[-k:-j] is min(k - j, d - j).
    const k = -(start as number);
    if (toEnd(end)) return steps(dims.min(k, d));
    if (fromEnd(end)) return steps(dims.min(dims.add(end, k), dims.add(d, end)));
  }
  const clamp = (v: Dim): Dim => {
    if (typeof v === 'number') {
      if (v >= endSentinel) return forward ? d : dims.sub(d, 1);
      if (v <= -endSentinel) return forward ? 0 : -1;
      if (v < 0) return dims.max(dims.add(d, v), forward ? 0 : -1);
      return dims.min(v, forward ? d : dims.sub(d, 1));
    }
    // A symbolic bound (from a Shape) is taken as non-negative.
    return dims.min(v, forward ? d : dims.sub(d, 1));
  };
  const s = clamp(start);
  const e = clamp(end);
  return steps(forward ? dims.sub(e, s) : dims.sub(s, e));
}

function slice(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  if (!x?.shape) return same(x, undefined);
  const { node } = f;
  const rank = x.shape.length;
  let starts: Dim[] | undefined, ends: Dim[] | undefined, axes: number[] | undefined, steps: number[] | undefined;
  if (f.opset >= 10) {
    starts = f.value(1);
    ends = f.value(2);
    axes = hasInput(node, 3) ? f.numbers(3) : starts?.map((_, i) => i);
    steps = hasInput(node, 4) ? f.numbers(4) : starts?.map(() => 1);
  } else {
    starts = ints(node, 'starts');
    ends = ints(node, 'ends');
    axes = ints(node, 'axes') ?? starts?.map((_, i) => i);
    steps = starts?.map(() => 1);
  }
  if (!axes || !steps) return same(x, unknownDims(rank));
  const shape = [...x.shape];
  for (let k = 0; k < axes.length; k++) {
    const axis = normAxis(axes[k], rank);
    if (axis === undefined) return same(x, undefined);
    shape[axis] = starts && ends ? sliceLength(f.dims, x.shape[axis], starts[k] ?? null, ends[k] ?? null, steps[k]) : null;
  }
  return same(x, shape);
}

function squeeze(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  if (!x?.shape) return same(x, undefined);
  const axes = f.opset >= 13 ? (hasInput(f.node, 1) ? f.numbers(1) : undefined) : ints(f.node, 'axes');
  if (!axes) {
    if (hasInput(f.node, 1)) return same(x, undefined);
    // Without axes every 1 goes: only known where no dim could be 1.
    if (x.shape.some((d) => typeof d !== 'number' && f.dims.equal(d, 1) !== false)) return same(x, undefined);
    return same(x, x.shape.filter((d) => d !== 1));
  }
  const set = new Set(axes.map((a) => normAxis(a, x.shape!.length)));
  return same(x, x.shape.filter((_, i) => !set.has(i)));
}

function unsqueeze(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  const axes = f.opset >= 13 ? f.numbers(1) : ints(f.node, 'axes');
  if (!x?.shape || !axes) return same(x, undefined);
  const rank = x.shape.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, rank)));
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[k++] ?? null);
  return same(x, shape);
}

function concat(f: NodeFacts): InferredType[] {
  const inputs = (f.node.input ?? []).map((name, i) => (name ? f.input(i) : undefined));
  const elemType = inputs.find((t) => t?.elemType)?.elemType ?? 0;
  const ranked = inputs.find((t) => t?.shape);
  if (!ranked?.shape) return [typeOnly(elemType)];
  const rank = ranked.shape.length;
  const axis = normAxis(int(f.node, 'axis', 0), rank);
  if (axis === undefined) return [typeOnly(elemType)];
  const shape = ranked.shape.map((_, i) => {
    if (i === axis) return inputs.some((t) => !t?.shape) ? null : f.dims.sum(inputs.map((t) => t!.shape![i] ?? null));
    return inputs.reduce<Dim>((d, t) => meetDim(d, t?.shape?.[i] ?? null), null);
  });
  return [{ elemType, shape }];
}

function split(f: NodeFacts): Array<InferredType | undefined> {
  const x = f.input(0);
  const outputs = (f.node.output ?? []).length;
  if (!x?.shape) return new Array<InferredType | undefined>(outputs).fill(x ? typeOnly(x.elemType) : undefined);
  const axis = normAxis(int(f.node, 'axis', 0), x.shape.length);
  if (axis === undefined) return [];
  const sizesIn = f.opset >= 13 ? hasInput(f.node, 1) : !!attribute(f.node, 'split');
  let sizes: Dim[] | undefined = f.opset >= 13 ? (sizesIn ? f.value(1) : undefined) : ints(f.node, 'split');
  const d = x.shape[axis];
  if (!sizes && !sizesIn) {
    const numOutputs = int(f.node, 'num_outputs', 0) || outputs;
    if (typeof d === 'number') {
      // Opset 18: equal chunks, the last one smaller; before it the split must be even.
      const chunk = Math.ceil(d / numOutputs);
      if (int(f.node, 'num_outputs', 0) || d % numOutputs === 0) sizes = Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(chunk, d - chunk * i)));
    } else if (!int(f.node, 'num_outputs', 0)) {
      const part = f.dims.exactDiv(d, numOutputs);
      sizes = new Array<Dim>(numOutputs).fill(part);
    }
  }
  return Array.from({ length: outputs }, (_, i) => ({ elemType: x.elemType, shape: x.shape!.map((v, j) => (j === axis ? sizes?.[i] ?? null : v)) }));
}

function reduce(f: NodeFacts, axesFromInputAt: number): InferredType[] {
  const x = f.input(0);
  if (!x?.shape) return same(x, undefined);
  const fromInput = f.opset >= axesFromInputAt;
  let axes = fromInput ? (hasInput(f.node, 1) ? f.numbers(1) : []) : ints(f.node, 'axes') ?? [];
  const keep = int(f.node, 'keepdims', 1) === 1;
  if (axes === undefined) return same(x, keep ? unknownDims(x.shape.length) : undefined);
  if (axes.length === 0) {
    if (fromInput && int(f.node, 'noop_with_empty_axes', 0) === 1) return [x];
    axes = x.shape.map((_, i) => i);
  }
  const set = new Set(axes.map((a) => normAxis(a, x.shape!.length)));
  return same(x, keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i)));
}

function argReduce(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  if (!x?.shape) return [typeOnly(DataType.INT64)];
  const axis = normAxis(int(f.node, 'axis', 0), x.shape.length);
  const keep = int(f.node, 'keepdims', 1) === 1;
  return [{ elemType: DataType.INT64, shape: keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis) }];
}

function pad(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  if (!x?.shape) return same(x, undefined);
  const rank = x.shape.length;
  const pads = f.opset >= 11 ? f.value(1) : ints(f.node, f.opset >= 2 ? 'pads' : 'paddings');
  if (!pads) return same(x, unknownDims(rank));
  const axesGiven = f.opset >= 18 && hasInput(f.node, 3);
  const axesIn = axesGiven ? f.numbers(3) : undefined;
  if (axesGiven && !axesIn) return same(x, unknownDims(rank));
  const axes = axesIn ? axesIn.map((a) => normAxis(a, rank)) : x.shape.map((_, i) => i);
  const shape = [...x.shape];
  axes.forEach((a, k) => {
    if (a === undefined) return;
    shape[a] = f.dims.add(f.dims.add(shape[a], pads[k] ?? null), pads[k + axes.length] ?? null);
  });
  return same(x, shape);
}

function range(f: NodeFacts): InferredType[] {
  const elemType = f.input(0)?.elemType ?? 0;
  const [start, limit, delta] = [f.value(0)?.[0], f.value(1)?.[0], f.value(2)?.[0]];
  if (start === undefined || limit === undefined || typeof delta !== 'number' || delta === 0) return [{ elemType, shape: [null] }];
  const span = delta > 0 ? f.dims.sub(limit, start) : f.dims.sub(start, limit);
  const steps = Number.isInteger(delta) ? f.dims.ceilDiv(span, Math.abs(delta)) : typeof span === 'number' ? Math.ceil(span / Math.abs(delta)) : null;
  return [{ elemType, shape: [f.dims.max(steps, 0)] }];
}

function topK(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  const k: Dim | undefined = f.opset >= 10 ? f.value(1)?.[0] : int(f.node, 'k', 0);
  if (!x?.shape) return [typeOnly(x?.elemType), typeOnly(DataType.INT64)];
  const axis = normAxis(int(f.node, 'axis', -1), x.shape.length);
  const shape = x.shape.map((d, i) => (i === axis ? k ?? null : d));
  return [{ elemType: x.elemType, shape }, { elemType: DataType.INT64, shape }];
}

function oneHot(f: NodeFacts): InferredType[] {
  const indices = f.input(0);
  const elemType = f.input(2)?.elemType ?? 0;
  if (!indices?.shape) return [typeOnly(elemType)];
  const rank = indices.shape.length + 1;
  const axis = normAxis(int(f.node, 'axis', -1), rank);
  if (axis === undefined) return [typeOnly(elemType)];
  const depth = f.value(1)?.[0] ?? null;
  const shape = [...indices.shape];
  shape.splice(axis, 0, typeof depth === 'number' ? Math.trunc(depth) : depth);
  return [{ elemType, shape }];
}

function blockRearrange(f: NodeFacts, toDepth: boolean): InferredType[] {
  const x = f.input(0);
  if (!x?.shape || x.shape.length !== 4) return same(x, undefined);
  const b = int(f.node, 'blocksize', 1);
  const [n, c, h, w] = x.shape;
  const { dims } = f;
  return same(x, toDepth
    ? [n, dims.mul(c, b * b), dims.exactDiv(h, b), dims.exactDiv(w, b)]
    : [n, dims.exactDiv(c, b * b), dims.mul(h, b), dims.mul(w, b)]);
}

function gatherNd(f: NodeFacts): InferredType[] {
  const data = f.input(0);
  const indices = f.input(1)?.shape;
  if (!data?.shape || !indices?.length) return same(data, undefined);
  const last = indices[indices.length - 1];
  const batch = int(f.node, 'batch_dims', 0);
  if (typeof last !== 'number') return same(data, undefined);
  return same(data, [...indices.slice(0, -1), ...data.shape.slice(batch + last)]);
}

export const layoutRules: Record<string, ShapeRule> = {
  Reshape: (f) => {
    const x = f.input(0);
    if (!x) return [];
    const target = f.opset >= 5 ? f.value(1) : ints(f.node, 'shape');
    if (!target) {
      // The rank still follows from the length of the shape input.
      const length = f.input(1)?.shape?.[0];
      return same(x, typeof length === 'number' ? unknownDims(length) : undefined);
    }
    return same(x, reshapeTarget(f.dims, x.shape, target, int(f.node, 'allowzero', 0) === 1));
  },
  Flatten: (f) => {
    const x = f.input(0);
    if (!x?.shape) return same(x, x ? unknownDims(2) : undefined);
    const a = int(f.node, 'axis', 1);
    const axis = a < 0 ? a + x.shape.length : a;
    return same(x, [f.dims.product(x.shape.slice(0, axis)), f.dims.product(x.shape.slice(axis))]);
  },
  Transpose: (f) => {
    const x = f.input(0);
    if (!x?.shape) return same(x, undefined);
    const perm = ints(f.node, 'perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
    if (perm.length !== x.shape.length) return same(x, undefined);
    return same(x, perm.map((p) => x.shape![p] ?? null));
  },
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: (f) => {
    const x = f.input(0);
    const indices = f.input(1)?.shape;
    if (!x?.shape || !indices) return same(x, undefined);
    const axis = normAxis(int(f.node, 'axis', 0), x.shape.length);
    if (axis === undefined) return same(x, undefined);
    return same(x, [...x.shape.slice(0, axis), ...indices, ...x.shape.slice(axis + 1)]);
  },
  GatherElements: (f) => same(f.input(0), f.input(1)?.shape),
  GatherND: gatherNd,
  Shape: (f) => {
    const shape = f.input(0)?.shape;
    if (!shape) return [{ elemType: DataType.INT64, shape: [null] }];
    const rank = shape.length;
    const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
    return [{ elemType: DataType.INT64, shape: [Math.max(0, clamp(int(f.node, 'end', rank)) - clamp(int(f.node, 'start', 0)))] }];
  },
  ConstantOfShape: (f) => {
    const elemType = attribute(f.node, 'value')?.t?.dataType ?? DataType.FLOAT;
    const shape = f.value(0);
    const length = f.input(0)?.shape?.[0];
    return [{ elemType, shape: shape ?? (typeof length === 'number' ? unknownDims(length) : undefined) }];
  },
  Expand: (f) => {
    const x = f.input(0);
    if (!x) return [];
    const length = f.input(1)?.shape?.[0];
    // With the target's elements unknown, a dim of x other than 1 still stands (the target's is 1 or equal).
    const target = f.value(1) ?? (typeof length === 'number' ? unknownDims(length) : undefined);
    return same(x, target ? broadcastShapes(f.dims, [x.shape, target]) : undefined);
  },
  Tile: (f) => {
    const x = f.input(0);
    const repeats = f.value(1);
    if (!x?.shape) return same(x, undefined);
    return same(x, x.shape.map((d, i) => f.dims.mul(d, repeats?.[i] ?? null)));
  },
  Pad: pad,
  Range: range,
  TopK: topK,
  ArgMax: argReduce,
  ArgMin: argReduce,
  ReduceSum: (f) => reduce(f, 13),
  ...Object.fromEntries(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']
    .map((op) => [op, (f: NodeFacts) => reduce(f, 18)])),
  OneHot: oneHot,
  DepthToSpace: (f) => blockRearrange(f, false),
  SpaceToDepth: (f) => blockRearrange(f, true),
  NonZero: (f) => [{ elemType: DataType.INT64, shape: f.input(0)?.shape ? [f.input(0)!.shape!.length, null] : undefined }],
  Compress: (f) => {
    const x = f.input(0);
    if (!x?.shape) return same(x, undefined);
    const a = attribute(f.node, 'axis') ? normAxis(int(f.node, 'axis', 0), x.shape.length) : undefined;
    return same(x, a === undefined ? [null] : x.shape.map((d, i) => (i === a ? null : d)));
  },
  Unique: (f) => {
    const x = f.input(0);
    const axis = x?.shape && attribute(f.node, 'axis') ? normAxis(int(f.node, 'axis', 0), x.shape.length) : undefined;
    const y = x?.shape && axis !== undefined ? x.shape.map((d, i) => (i === axis ? null : d)) : [null];
    const inverse = x?.shape ? (axis !== undefined ? x.shape[axis] : f.dims.product(x.shape)) : null;
    const int64 = (shape: Dim[]) => ({ elemType: DataType.INT64, shape });
    return [{ elemType: x?.elemType ?? 0, shape: y }, int64([null]), int64([inverse]), int64([null])];
  },
  StringNormalizer: (f) => {
    const shape = f.input(0)?.shape;
    // Stop words can take elements away: the last axis is unknown.
    return [{ elemType: DataType.STRING, shape: shape?.map((d, i) => (i === shape.length - 1 ? null : d)) }];
  },
  TfIdfVectorizer: (f) => {
    const shape = f.input(0)?.shape;
    const indexes = ints(f.node, 'ngram_indexes');
    const width = indexes?.length ? Math.max(...indexes) + 1 : null;
    return [{ elemType: DataType.FLOAT, shape: shape ? [...shape.slice(0, -1), width] : undefined }];
  },
  NonMaxSuppression: () => [{ elemType: DataType.INT64, shape: [null, 3] }],
  Det: (f) => same(f.input(0), f.input(0)?.shape?.slice(0, -2)),
  CenterCropPad: (f) => {
    const x = f.input(0);
    const target = f.value(1);
    if (!x?.shape || !target) return same(x, x?.shape ? unknownDims(x.shape.length) : undefined);
    const axes = ints(f.node, 'axes') ?? x.shape.map((_, i) => i);
    const shape = [...x.shape];
    axes.forEach((a, k) => {
      const axis = normAxis(a, shape.length);
      if (axis !== undefined) shape[axis] = target[k] ?? null;
    });
    return same(x, shape);
  },
};
