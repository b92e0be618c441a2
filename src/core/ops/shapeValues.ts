// Data propagation: the elements of small tensors that shape arguments are computed from (the
// Shape -> Gather -> Concat -> Reshape chains of exporters, and the arithmetic on them), symbols
// included, as onnx's data_prop does. Small tensors of static shape are carried flat, row-major (the
// pads torch builds with Reshape -> Slice -> Transpose); anything not certain stays unknown.
import { DataType, int64ToNumber, type NodeProto, type TensorProto } from '../model/proto.js';
import { constantNodeValue, rawSmallElements, tensorToArray } from '../model/tensorValues.js';
import type { Dim } from '../model/types.js';
import { attribute, intAttr, intsAttr } from '../model/graphQueries.js';
import type { DimAlgebra } from './dimAlgebra.js';
import { type InferredType } from './shapeRuleKit.js';

/** Longest vector whose elements are carried. */
export const maxValueElements = 1024;

export interface ValueFacts {
  node: NodeProto;
  dims: DimAlgebra;
  input(i: number): InferredType | undefined;
  value(i: number): Dim[] | undefined;
  /** The node's first output as shape inference typed it. */
  output: InferredType | undefined;
}

const integerTypes = new Set<number>([
  DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.BOOL,
]);

const toNumber = (v: number) => v;

/** Elements of a small constant tensor of rank 0 or 1 (numbers of any numeric type). */
export function constantElements(t: TensorProto | undefined): number[] | undefined {
  if (!t || (t.dims ?? []).length > 1) return undefined;
  const count = (t.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
  if (count > maxValueElements) return undefined;
  const raw = rawSmallElements(t, count, Number, toNumber);
  if (raw) return raw;
  try {
    const array = tensorToArray(t);
    if (Array.isArray(array.data)) return undefined;
    return Array.from(array.data as ArrayLike<number | bigint>, (v) => Number(v));
  } catch {
    return undefined;
  }
}

/** Pairs up elements where one side may be a single element (broadcast). */
function zip(a: Dim[] | undefined, b: Dim[] | undefined, op: (x: Dim, y: Dim) => Dim): Dim[] | undefined {
  if (!a || !b) return undefined;
  if (a.length !== b.length && a.length !== 1 && b.length !== 1) return undefined;
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => op(a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]));
}

const numeric = (op: (x: number, y: number) => number) => (x: Dim, y: Dim): Dim =>
  typeof x === 'number' && typeof y === 'number' ? op(x, y) : null;

/** The boolean of a comparison where it is certain. */
const truth = (v: boolean | undefined): Dim => (v === undefined ? null : v ? 1 : 0);

function divide(f: ValueFacts, integral: boolean): (x: Dim, y: Dim) => Dim {
  return (x, y) => {
    if (typeof x === 'number' && typeof y === 'number') return y === 0 ? null : integral ? Math.trunc(x / y) : x / y;
    if (integral) return f.dims.floorDiv(x, y);
    // Real division of symbols: only where it is exact.
    const q = f.dims.floorDiv(x, y);
    return f.dims.equal(f.dims.mul(q, y), x) === true ? q : null;
  };
}

/** Applies one of Slice's index rules to a known vector. */
function sliceElements(data: Dim[], start: number, end: number, step: number): Dim[] | undefined {
  if (step === 0) return undefined;
  const n = data.length;
  const out: Dim[] = [];
  if (step > 0) {
    const s = Math.min(n, Math.max(0, start < 0 ? start + n : start));
    const e = Math.min(n, Math.max(0, end < 0 ? end + n : end));
    for (let i = s; i < e; i += step) out.push(data[i]);
  } else {
    const s = Math.min(n - 1, Math.max(-1, start < 0 ? start + n : start));
    const e = Math.min(n - 1, Math.max(-1, end < 0 ? end + n : end));
    for (let i = s; i > e; i += step) out.push(data[i]);
  }
  return out;
}

const allNumbers = (v: Dim[] | undefined): v is number[] => !!v && v.every((d) => typeof d === 'number');

const range = (n: number): Dim[] => Array.from({ length: n }, (_, i) => i);

/** A value's static shape, where it agrees with the elements known (exporters reshape pads to [n, 2]). */
function staticShape(type: InferredType | undefined, count: number): number[] | undefined {
  const shape = type?.shape;
  if (!shape || !shape.every((d): d is number => typeof d === 'number')) return undefined;
  return shape.reduce((n, d) => n * d, 1) === count ? shape : undefined;
}

const stridesOf = (shape: readonly number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((n, d) => n * d, 1));

/** The row-major elements at the given indices along one axis. */
function pickAlong(data: Dim[], shape: number[], axis: number, indices: number[]): { data: Dim[]; shape: number[] } {
  const outer = shape.slice(0, axis).reduce((n, d) => n * d, 1);
  const inner = shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const out: Dim[] = [];
  for (let o = 0; o < outer; o++) for (const i of indices) out.push(...data.slice((o * shape[axis] + i) * inner, (o * shape[axis] + i + 1) * inner));
  return { data: out, shape: shape.map((d, k) => (k === axis ? indices.length : d)) };
}

function transposeElements(data: Dim[], shape: number[], perm: number[]): Dim[] | undefined {
  if ([...perm].sort((a, b) => a - b).some((p, i) => p !== i)) return undefined;
  const from = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const to = stridesOf(outShape);
  return data.map((_, flat) => data[perm.reduce((at, p, k) => at + (Math.floor(flat / to[k]) % outShape[k]) * from[p], 0)]);
}

/** The elements of a node's (small, rank <= 1) first output, where they follow from known inputs. */
export function propagateValue(f: ValueFacts): Dim[] | undefined {
  const { node, dims } = f;
  if (node.domain && node.domain !== 'ai.onnx') return undefined;
  const outType = f.output?.elemType ?? 0;
  const integral = integerTypes.has(outType);
  switch (node.opType) {
    case 'Constant': return constantElements(constantNodeValue(node));
    case 'Shape': {
      const shape = f.input(0)?.shape;
      if (!shape) return undefined;
      const rank = shape.length;
      const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
      return shape.slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', rank)));
    }
    case 'Size': {
      const shape = f.input(0)?.shape;
      const n = shape ? dims.product(shape) : null;
      return n === null ? undefined : [n];
    }
    case 'Identity': case 'Squeeze': case 'Unsqueeze': case 'Reshape': case 'Flatten': case 'CastLike':
      return f.value(0);
    case 'Cast': {
      const v = f.value(0);
      if (!v) return undefined;
      if (outType === DataType.BOOL) return v.map((d) => (typeof d === 'number' ? (d !== 0 ? 1 : 0) : null));
      return integral ? v.map((d) => (typeof d === 'number' ? Math.trunc(d) : d)) : v;
    }
    case 'Gather': {
      const data = f.value(0);
      const indices = f.value(1);
      if (!data || !allNumbers(indices) || intAttr(node, 'axis', 0) !== 0 || (f.input(0)?.shape?.length ?? 1) !== 1) return undefined;
      const picked = indices.map((i) => data[i < 0 ? i + data.length : i]);
      return picked.some((d) => d === undefined) ? undefined : picked;
    }
    case 'Slice': {
      const data = f.value(0);
      const [starts, ends] = [f.value(1), f.value(2)];
      if (!data || !allNumbers(starts) || !allNumbers(ends) || starts.length !== ends.length) return undefined;
      const axes = node.input?.[3] ? f.value(3) : starts.map((_, i) => i);
      const steps = node.input?.[4] ? f.value(4) : starts.map(() => 1);
      if (!allNumbers(axes) || !allNumbers(steps) || axes.length !== starts.length || steps.length !== starts.length) return undefined;
      const shape = staticShape(f.input(0), data.length) ?? [data.length];
      let out: { data: Dim[]; shape: number[] } | undefined = { data, shape };
      starts.forEach((start, k) => {
        const axis = axes[k] < 0 ? axes[k] + shape.length : axes[k];
        const picked = out && axis >= 0 && axis < shape.length ? sliceElements(range(out.shape[axis]), start, ends[k], steps[k]) : undefined;
        out = out && picked ? pickAlong(out.data, out.shape, axis, picked as number[]) : undefined;
      });
      return out?.data;
    }
    case 'Transpose': {
      const data = f.value(0);
      const shape = data ? staticShape(f.input(0), data.length) : undefined;
      if (!data || !shape) return undefined;
      const perm = intsAttr(node, 'perm') ?? shape.map((_, i) => shape.length - 1 - i);
      return perm.length === shape.length ? transposeElements(data, shape, perm) : undefined;
    }
    case 'Concat': {
      const parts = (node.input ?? []).map((_, i) => f.value(i));
      if (!parts.every((p) => p)) return undefined;
      const joined = parts.flatMap((p) => p!);
      return joined.length <= maxValueElements ? joined : undefined;
    }
    case 'Add': return zip(f.value(0), f.value(1), (x, y) => dims.add(x, y));
    case 'Sub': return zip(f.value(0), f.value(1), (x, y) => dims.sub(x, y));
    case 'Mul': return zip(f.value(0), f.value(1), (x, y) => dims.mul(x, y));
    case 'Div': return zip(f.value(0), f.value(1), divide(f, integral));
    case 'Mod': {
      const fmod = intAttr(node, 'fmod', 0) === 1;
      return zip(f.value(0), f.value(1), fmod ? numeric((x, y) => x % y) : (x, y) => dims.mod(x, y));
    }
    case 'Max': case 'Min': {
      const vs = (node.input ?? []).map((_, i) => f.value(i));
      const op = node.opType === 'Max' ? (x: Dim, y: Dim) => dims.max(x, y) : (x: Dim, y: Dim) => dims.min(x, y);
      return vs.slice(1).reduce<Dim[] | undefined>((acc, v) => zip(acc, v, op), vs[0]);
    }
    case 'Neg': return f.value(0)?.map((d) => dims.sub(0, d));
    case 'Abs': return f.value(0)?.map((d) => (typeof d === 'number' ? Math.abs(d) : d));
    case 'Floor': case 'Ceil': case 'Round': {
      const fn = node.opType === 'Floor' ? Math.floor : node.opType === 'Ceil' ? Math.ceil : roundHalfEven;
      return f.value(0)?.map((d) => (typeof d === 'number' ? fn(d) : d));
    }
    case 'Sqrt': return f.value(0)?.map((d) => (typeof d === 'number' ? Math.sqrt(d) : null));
    case 'Equal': return zip(f.value(0), f.value(1), (x, y) => truth(dims.equal(x, y)));
    case 'Less': return zip(f.value(0), f.value(1), numeric((x, y) => (x < y ? 1 : 0)));
    case 'Greater': return zip(f.value(0), f.value(1), numeric((x, y) => (x > y ? 1 : 0)));
    case 'LessOrEqual': return zip(f.value(0), f.value(1), numeric((x, y) => (x <= y ? 1 : 0)));
    case 'GreaterOrEqual': return zip(f.value(0), f.value(1), numeric((x, y) => (x >= y ? 1 : 0)));
    case 'Not': return f.value(0)?.map((d) => (typeof d === 'number' ? (d ? 0 : 1) : null));
    case 'And': return zip(f.value(0), f.value(1), numeric((x, y) => (x && y ? 1 : 0)));
    case 'Or': return zip(f.value(0), f.value(1), numeric((x, y) => (x || y ? 1 : 0)));
    case 'Where': {
      const [c, a, b] = [f.value(0), f.value(1), f.value(2)];
      if (!c || !a || !b) return undefined;
      const n = Math.max(c.length, a.length, b.length);
      const at = (v: Dim[], i: number) => v[v.length === 1 ? 0 : i];
      if ([c, a, b].some((v) => v.length !== 1 && v.length !== n)) return undefined;
      return Array.from({ length: n }, (_, i) => {
        const cond = at(c, i);
        return typeof cond === 'number' ? (cond ? at(a, i) : at(b, i)) : null;
      });
    }
    case 'Range': {
      const [start, limit, delta] = [f.value(0)?.[0], f.value(1)?.[0], f.value(2)?.[0]];
      if (typeof start !== 'number' || typeof limit !== 'number' || typeof delta !== 'number' || delta === 0) return undefined;
      const n = Math.max(0, Math.ceil((limit - start) / delta));
      return n <= maxValueElements ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined;
    }
    case 'ConstantOfShape': {
      const shape = f.value(0);
      if (!allNumbers(shape) || shape.length > 1) return undefined;
      const n = shape.reduce((p, d) => p * d, 1);
      const fill = constantElements(attribute(node, 'value')?.t ?? undefined)?.[0] ?? 0;
      return n <= maxValueElements ? new Array<Dim>(n).fill(fill) : undefined;
    }
    case 'Expand': {
      const v = f.value(0);
      const shape = f.value(1);
      if (!v || !allNumbers(shape) || shape.length > 1) return undefined;
      const n = shape.length ? shape[0] : 1;
      if (v.length === n || (v.length > 1 && n === 1)) return v;
      return v.length === 1 && n <= maxValueElements ? new Array<Dim>(n).fill(v[0]) : undefined;
    }
    case 'ReduceProd': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': {
      const v = f.value(0);
      if (!v?.length || (f.input(0)?.shape?.length ?? 0) > 1) return undefined;
      if (intAttr(node, 'noop_with_empty_axes', 0) === 1 && !node.input?.[1] && !attribute(node, 'axes')) return v;
      if (node.opType === 'ReduceProd') return [dims.product(v)];
      if (node.opType === 'ReduceSum') return [dims.sum(v)];
      const op = node.opType === 'ReduceMax' ? (x: Dim, y: Dim) => dims.max(x, y) : (x: Dim, y: Dim) => dims.min(x, y);
      return [v.slice(1).reduce<Dim>(op, v[0])];
    }
    default: return undefined;
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
