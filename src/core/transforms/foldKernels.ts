// Constant folding's own kernels for small values: the shape arithmetic exporters write (Shape, Gather,
// Slice, Concat, Unsqueeze, Reshape, Cast, integer Add/Mul/Div...) and scalar hyperparameters such as
// Pow(Cast(head_dim), -0.5). A session in onnxruntime's child costs far more than this arithmetic; larger
// and float tensors still go to onnxruntime, which stays the reference. Every kernel gives exactly what
// onnxruntime gives or nothing: undefined sends the node to onnxruntime.
import { intAttr, intsAttr, attribute } from '../model/graphQueries.js';
import { DataType, type NodeProto } from '../model/proto.js';
import { newestOpset } from '../opset/schemas.js';
import { elementCount, tensorToArray, type ElementArray, type TensorArray } from '../model/tensorValues.js';

/** Integer and bool tensors up to this many elements are computed here. */
export const smallIntElements = 4096;
/** Float tensors up to this many elements (scalars, short vectors) are computed here. */
export const smallFloatElements = 16;

const intTypes = new Set<number>([
  DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.BOOL,
]);
const floatTypes = new Set<number>([DataType.FLOAT, DataType.DOUBLE]);
const bigTypes = new Set<number>([DataType.INT64, DataType.UINT64]);

/** Thrown by a kernel for a case it leaves to onnxruntime. */
class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported();
}

/** Whether a value of this type and element count is computed here. */
export function smallEnough(dtype: number, count: number): boolean {
  if (intTypes.has(dtype)) return count <= smallIntElements;
  if (floatTypes.has(dtype)) return count <= smallFloatElements;
  return false;
}

type Elem = number | bigint;
type Kernel = (node: NodeProto, inputs: Array<TensorArray | undefined>, opset: number) => TensorArray[];

function make(dtype: number, dims: number[], values: ArrayLike<Elem> | Elem[]): TensorArray {
  const count = elementCount(dims);
  if (values.length !== count) unsupported();
  let data: ElementArray;
  switch (dtype) {
    case DataType.FLOAT: data = new Float32Array(count); break;
    case DataType.DOUBLE: data = new Float64Array(count); break;
    case DataType.INT8: data = new Int8Array(count); break;
    case DataType.INT16: data = new Int16Array(count); break;
    case DataType.INT32: data = new Int32Array(count); break;
    case DataType.INT64: data = new BigInt64Array(count); break;
    case DataType.UINT8: case DataType.BOOL: data = new Uint8Array(count); break;
    case DataType.UINT16: data = new Uint16Array(count); break;
    case DataType.UINT32: data = new Uint32Array(count); break;
    case DataType.UINT64: data = new BigUint64Array(count); break;
    default: unsupported();
  }
  const big = bigTypes.has(dtype);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    // Typed arrays wrap integers as a C++ static_cast does; the values here were checked to be integers.
    (data as unknown as Elem[])[i] = big ? BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(v)) : Number(v);
  }
  return { dtype, dims, data };
}

function elems(t: TensorArray): Elem[] {
  return Array.from(t.data as ArrayLike<Elem>);
}

function need(inputs: Array<TensorArray | undefined>, i: number): TensorArray {
  return inputs[i] ?? unsupported();
}

/** An int vector input (axes, shape, starts...) as numbers; exact below 2^53, larger values clamp. */
function ints(t: TensorArray): number[] {
  if (!intTypes.has(t.dtype)) unsupported();
  return elems(t).map((v) => {
    const n = Number(v);
    return n > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : n < -Number.MAX_SAFE_INTEGER ? -Number.MAX_SAFE_INTEGER : n;
  });
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) unsupported();
  return a;
}

function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** Output dims of numpy-style broadcasting. */
function broadcastDims(shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) unsupported();
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** For each output element, the index of the broadcast input element. */
function broadcastIndex(dims: number[], out: number[]): Int32Array {
  const count = elementCount(out);
  const index = new Int32Array(count);
  const pad = out.length - dims.length;
  const inStrides = strides(dims);
  for (let i = 0; i < count; i++) {
    let rest = i, at = 0;
    for (let d = out.length - 1; d >= 0; d--) {
      const coord = rest % out[d];
      rest = Math.floor(rest / out[d]);
      const k = d - pad;
      if (k >= 0 && dims[k] !== 1) at += coord * inStrides[k];
    }
    index[i] = at;
  }
  return index;
}

function elementwise(inputs: TensorArray[], dtype: number, f: (...v: Elem[]) => Elem): TensorArray {
  const dims = broadcastDims(inputs.map((t) => t.dims));
  const maps = inputs.map((t) => broadcastIndex(t.dims, dims));
  const values = inputs.map(elems);
  const out: Elem[] = [];
  const count = elementCount(dims);
  for (let i = 0; i < count; i++) out.push(f(...values.map((v, k) => v[maps[k][i]])));
  return make(dtype, dims, out);
}

const isInt = (t: TensorArray) => intTypes.has(t.dtype) && t.dtype !== DataType.BOOL;
const isFloat = (t: TensorArray) => floatTypes.has(t.dtype);

/** A float32 result of exact IEEE arithmetic: one rounding of the double result, as float32 hardware does. */
function floatResult(dtype: number, v: number): number {
  const r = dtype === DataType.FLOAT ? Math.fround(v) : v;
  if (!Number.isFinite(r)) unsupported();
  return r;
}

function sameTypes(inputs: TensorArray[]): number {
  const dtype = inputs[0].dtype;
  if (inputs.some((t) => t.dtype !== dtype)) unsupported();
  return dtype;
}

/** + - * / on integers (wrapping, division truncating toward zero) and floats (correctly rounded). */
function arithmetic(op: (a: number, b: number) => number, bigOp: (a: bigint, b: bigint) => bigint, intOp?: (a: number, b: number) => number): Kernel {
  return (_node, inputs) => {
    const ts = [need(inputs, 0), need(inputs, 1)];
    const dtype = sameTypes(ts);
    if (bigTypes.has(dtype)) return [elementwise(ts, dtype, (a, b) => bigOp(a as bigint, b as bigint))];
    if (isFloat(ts[0])) return [elementwise(ts, dtype, (a, b) => floatResult(dtype, op(a as number, b as number)))];
    if (!isInt(ts[0])) unsupported();
    return [elementwise(ts, dtype, (a, b) => (intOp ?? op)(a as number, b as number))];
  };
}

function intDiv(a: number, b: number): number {
  if (b === 0) unsupported();
  return Math.trunc(a / b);
}

function bigDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) unsupported();
  return a / b;
}

function compare(f: (a: Elem, b: Elem) => boolean): Kernel {
  return (_node, inputs) => {
    const ts = [need(inputs, 0), need(inputs, 1)];
    sameTypes(ts);
    return [elementwise(ts, DataType.BOOL, (a, b) => (f(a, b) ? 1 : 0))];
  };
}

function logical(f: (a: boolean, b: boolean) => boolean): Kernel {
  return (_node, inputs) => {
    const ts = [need(inputs, 0), need(inputs, 1)];
    if (ts.some((t) => t.dtype !== DataType.BOOL)) unsupported();
    return [elementwise(ts, DataType.BOOL, (a, b) => (f(a !== 0, b !== 0) ? 1 : 0))];
  };
}

function unary(intF: ((v: number) => number) | undefined, bigF: ((v: bigint) => bigint) | undefined, floatF: ((v: number) => number) | undefined): Kernel {
  return (_node, inputs) => {
    const t = need(inputs, 0);
    if (bigTypes.has(t.dtype) && bigF) return [elementwise([t], t.dtype, (v) => bigF(v as bigint))];
    if (isFloat(t) && floatF) return [elementwise([t], t.dtype, (v) => floatResult(t.dtype, floatF(v as number)))];
    if (isInt(t) && !bigTypes.has(t.dtype) && intF) return [elementwise([t], t.dtype, (v) => intF(v as number))];
    return unsupported();
  };
}

function minMax(pick: (a: Elem, b: Elem) => Elem): Kernel {
  return (_node, inputs) => {
    const ts = inputs.filter((t): t is TensorArray => !!t);
    if (ts.length === 0) unsupported();
    const dtype = sameTypes(ts);
    if (!isInt(ts[0]) && !isFloat(ts[0])) unsupported();
    // NaN handling differs between runtimes: leave it to onnxruntime.
    if (isFloat(ts[0]) && ts.some((t) => elems(t).some((v) => Number.isNaN(v)))) unsupported();
    return [elementwise(ts, dtype, (...v) => v.reduce((a, b) => pick(a, b)))];
  };
}

/** Pow where the float result is exact (then powf, x*x and x*x*x all give it); integer Pow stays with onnxruntime. */
const pow: Kernel = (_node, inputs) => {
  const ts = [need(inputs, 0), need(inputs, 1)];
  if (!isFloat(ts[0]) || !isFloat(ts[1])) unsupported();
  const dtype = ts[0].dtype;
  return [elementwise(ts, dtype, (a, b) => {
    const v = Math.pow(a as number, b as number);
    if (dtype === DataType.FLOAT && Math.fround(v) !== v) unsupported();
    return floatResult(dtype, v);
  })];
};

/** Values a float converts to without undefined behaviour in C++ (int64 kept within 2^53 here). */
function intRange(dtype: number): [number, number] {
  switch (dtype) {
    case DataType.INT8: return [-128, 127];
    case DataType.UINT8: return [0, 255];
    case DataType.INT16: return [-32768, 32767];
    case DataType.UINT16: return [0, 65535];
    case DataType.INT32: return [-(2 ** 31), 2 ** 31 - 1];
    case DataType.UINT32: return [0, 2 ** 32 - 1];
    case DataType.UINT64: return [0, Number.MAX_SAFE_INTEGER];
    default: return [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  }
}

const cast: Kernel = (node, inputs) => {
  const t = need(inputs, 0);
  const to = intAttr(node, 'to', 0);
  const values = elems(t);
  if (to === DataType.BOOL) return [make(to, t.dims, values.map((v) => (Number(v) !== 0 ? 1 : 0)))];
  if (intTypes.has(to)) {
    // Float to int truncates in C++; out-of-range values are undefined behaviour there: leave those.
    if (isFloat(t)) {
      const [lo, hi] = intRange(to);
      const truncated = values.map((v) => Math.trunc(v as number));
      if (truncated.some((v) => !(v >= lo && v <= hi))) unsupported();
      return [make(to, t.dims, truncated)];
    }
    if (!intTypes.has(t.dtype)) unsupported();
    // The low 32 bits first: a large int64 through a double would lose them.
    return [make(to, t.dims, values.map((v) => (bigTypes.has(to) ? BigInt(v) : Number(BigInt.asIntN(32, BigInt(v))))))];
  }
  if (floatTypes.has(to)) {
    if (intTypes.has(t.dtype)) {
      // int64 beyond 2^53 would round twice on its way through a double.
      if (values.some((v) => Math.abs(Number(v)) > 2 ** 53)) unsupported();
      return [make(to, t.dims, values.map((v) => floatResult(to, Number(v))))];
    }
    if (isFloat(t)) return [make(to, t.dims, values.map((v) => floatResult(to, v as number)))];
  }
  return unsupported();
};

function reshaped(t: TensorArray, dims: number[]): TensorArray {
  if (elementCount(dims) !== t.data.length) unsupported();
  return { dtype: t.dtype, dims, data: t.data };
}

const reshape: Kernel = (node, inputs) => {
  const t = need(inputs, 0);
  const shape = ints(need(inputs, 1));
  const allowZero = intAttr(node, 'allowzero', 0) === 1;
  const dims = shape.map((d, i) => (d === 0 && !allowZero ? t.dims[i] ?? unsupported() : d));
  const known = dims.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1 || dims.some((d) => d < -1)) unsupported();
  if (unknown === 1) {
    if (known === 0 || t.data.length % known !== 0) unsupported();
    dims[dims.indexOf(-1)] = t.data.length / known;
  }
  return [reshaped(t, dims)];
};

function axesOf(node: NodeProto, inputs: Array<TensorArray | undefined>, opset: number, since: number): number[] | undefined {
  if (opset >= since) return inputs[1] ? ints(inputs[1]) : undefined;
  return intsAttr(node, 'axes');
}

const unsqueeze: Kernel = (node, inputs, opset) => {
  const t = need(inputs, 0);
  const axes = axesOf(node, inputs, opset, 13) ?? unsupported();
  const rank = t.dims.length + axes.length;
  const norm = axes.map((a) => normAxis(a, rank));
  if (new Set(norm).size !== norm.length) unsupported();
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(norm.includes(i) ? 1 : t.dims[k++]);
  return [reshaped(t, dims)];
};

const squeeze: Kernel = (node, inputs, opset) => {
  const t = need(inputs, 0);
  const axes = axesOf(node, inputs, opset, 13);
  const norm = axes ? axes.map((a) => normAxis(a, t.dims.length)) : t.dims.flatMap((d, i) => (d === 1 ? [i] : []));
  if (norm.some((a) => t.dims[a] !== 1)) unsupported();
  return [reshaped(t, t.dims.filter((_, i) => !norm.includes(i)))];
};

const flatten: Kernel = (node, inputs) => {
  const t = need(inputs, 0);
  const rank = t.dims.length;
  const axis = intAttr(node, 'axis', 1);
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a > rank) unsupported();
  const outer = t.dims.slice(0, a).reduce((n, d) => n * d, 1);
  return [reshaped(t, [outer, t.dims.slice(a).reduce((n, d) => n * d, 1)])];
};

/** Gathers elements by index: out[i] = in[index[i]]. */
function take(t: TensorArray, dims: number[], index: ArrayLike<number>): TensorArray {
  const source = elems(t);
  const out: Elem[] = [];
  for (let i = 0; i < index.length; i++) out.push(source[index[i]]);
  return make(t.dtype, dims, out);
}

const concat: Kernel = (node, inputs) => {
  const ts = inputs.filter((t): t is TensorArray => !!t);
  if (ts.length === 0) unsupported();
  const dtype = sameTypes(ts);
  const rank = ts[0].dims.length;
  const axis = normAxis(intAttr(node, 'axis', 0), rank);
  if (ts.some((t) => t.dims.length !== rank || t.dims.some((d, i) => i !== axis && d !== ts[0].dims[i]))) unsupported();
  const outer = ts[0].dims.slice(0, axis).reduce((n, d) => n * d, 1);
  const out: Elem[] = [];
  const parts = ts.map(elems);
  for (let o = 0; o < outer; o++) {
    ts.forEach((t, k) => {
      const run = t.dims.slice(axis).reduce((n, d) => n * d, 1);
      for (let i = 0; i < run; i++) out.push(parts[k][o * run + i]);
    });
  }
  const dims = ts[0].dims.slice();
  dims[axis] = ts.reduce((n, t) => n + t.dims[axis], 0);
  return [make(dtype, dims, out)];
};

const gather: Kernel = (node, inputs) => {
  const t = need(inputs, 0);
  const indices = need(inputs, 1);
  const axis = normAxis(intAttr(node, 'axis', 0), t.dims.length);
  const size = t.dims[axis];
  const idx = ints(indices).map((i) => {
    if (i < -size || i >= size) unsupported();
    return i < 0 ? i + size : i;
  });
  const outer = t.dims.slice(0, axis).reduce((n, d) => n * d, 1);
  const inner = t.dims.slice(axis + 1).reduce((n, d) => n * d, 1);
  const index: number[] = [];
  for (let o = 0; o < outer; o++) for (const i of idx) for (let k = 0; k < inner; k++) index.push((o * size + i) * inner + k);
  return [take(t, [...t.dims.slice(0, axis), ...indices.dims, ...t.dims.slice(axis + 1)], index)];
};

const slice: Kernel = (node, inputs, opset) => {
  const t = need(inputs, 0);
  const rank = t.dims.length;
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (opset >= 10) {
    starts = ints(need(inputs, 1));
    ends = ints(need(inputs, 2));
    axes = inputs[3] ? ints(inputs[3]) : undefined;
    steps = inputs[4] ? ints(inputs[4]) : undefined;
  } else {
    starts = intsAttr(node, 'starts') ?? unsupported();
    ends = intsAttr(node, 'ends') ?? unsupported();
    axes = intsAttr(node, 'axes');
  }
  axes ??= starts.map((_, i) => i);
  if (ends.length !== starts.length || axes.length !== starts.length || (steps && steps.length !== starts.length)) unsupported();
  const begin = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  const count = t.dims.slice();
  axes.forEach((axisRaw, k) => {
    const a = normAxis(axisRaw, rank);
    const dim = t.dims[a];
    const s = steps?.[k] ?? 1;
    if (s === 0 || dim === 0 || step[a] !== 1 || begin[a] !== 0 || count[a] !== dim) unsupported();
    // onnxruntime's clamping: starts and ends within [0, dim] forward, [-1, dim - 1] backward.
    let b = starts[k] < 0 ? starts[k] + dim : starts[k];
    let e = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (s > 0) {
      b = Math.min(Math.max(b, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      count[a] = Math.max(0, Math.ceil((e - b) / s));
    } else {
      b = Math.min(Math.max(b, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      count[a] = Math.max(0, Math.ceil((b - e) / -s));
    }
    begin[a] = b;
    step[a] = s;
  });
  const inStrides = strides(t.dims);
  const total = elementCount(count);
  const index: number[] = [];
  for (let i = 0; i < total; i++) {
    let rest = i, at = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rest % count[d];
      rest = Math.floor(rest / count[d]);
      at += (begin[d] + c * step[d]) * inStrides[d];
    }
    index.push(at);
  }
  return [take(t, count, index)];
};

const transpose: Kernel = (node, inputs) => {
  const t = need(inputs, 0);
  const rank = t.dims.length;
  const perm = intsAttr(node, 'perm') ?? t.dims.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => p < 0 || p >= rank)) unsupported();
  const dims = perm.map((p) => t.dims[p]);
  const inStrides = strides(t.dims);
  const total = elementCount(dims);
  const index: number[] = [];
  for (let i = 0; i < total; i++) {
    let rest = i, at = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rest % dims[d];
      rest = Math.floor(rest / dims[d]);
      at += c * inStrides[perm[d]];
    }
    index.push(at);
  }
  return [take(t, dims, index)];
};

const expand: Kernel = (_node, inputs) => {
  const t = need(inputs, 0);
  const shape = ints(need(inputs, 1));
  if (shape.some((d) => d < 0)) unsupported();
  const dims = broadcastDims([t.dims, shape]);
  if (!smallEnough(t.dtype, elementCount(dims))) unsupported();
  return [take(t, dims, broadcastIndex(t.dims, dims))];
};

const shape: Kernel = (node, inputs) => {
  const t = need(inputs, 0);
  const rank = t.dims.length;
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const dims = t.dims.slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', rank)));
  return [make(DataType.INT64, [dims.length], dims)];
};

const size: Kernel = (_node, inputs) => [make(DataType.INT64, [], [need(inputs, 0).data.length])];

const constantOfShape: Kernel = (node, inputs) => {
  const dims = ints(need(inputs, 0));
  if (dims.some((d) => d < 0)) unsupported();
  const valueAttr = attribute(node, 'value')?.t;
  const value = valueAttr ? tensorToArray(valueAttr) : make(DataType.FLOAT, [1], [0]);
  if (value.data.length !== 1 || !smallEnough(value.dtype, elementCount(dims))) unsupported();
  return [make(value.dtype, dims, new Array<Elem>(elementCount(dims)).fill(elems(value)[0]))];
};

const range: Kernel = (_node, inputs) => {
  const ts = [need(inputs, 0), need(inputs, 1), need(inputs, 2)];
  const dtype = sameTypes(ts);
  if (!isInt(ts[0])) unsupported();
  const [start, limit, delta] = ts.map((t) => ints(t)[0]);
  if (delta === 0) unsupported();
  const n = Math.max(0, Math.ceil((limit - start) / delta));
  if (!smallEnough(dtype, n)) unsupported();
  return [make(dtype, [n], Array.from({ length: n }, (_, i) => start + i * delta))];
};

const where: Kernel = (_node, inputs) => {
  const ts = [need(inputs, 0), need(inputs, 1), need(inputs, 2)];
  if (ts[0].dtype !== DataType.BOOL) unsupported();
  const dtype = sameTypes([ts[1], ts[2]]);
  return [elementwise(ts, dtype, (c, a, b) => (c !== 0 ? a : b))];
};

const not: Kernel = (_node, inputs) => {
  const t = need(inputs, 0);
  if (t.dtype !== DataType.BOOL) unsupported();
  return [elementwise([t], DataType.BOOL, (v) => (v !== 0 ? 0 : 1))];
};

const kernels: Record<string, Kernel> = {
  Add: arithmetic((a, b) => a + b, (a, b) => a + b),
  Sub: arithmetic((a, b) => a - b, (a, b) => a - b),
  Mul: arithmetic((a, b) => a * b, (a, b) => a * b, (a, b) => {
    const r = a * b;
    if (!Number.isSafeInteger(r)) unsupported();
    return r;
  }),
  Div: arithmetic((a, b) => a / b, bigDiv, intDiv),
  Neg: unary((v) => -v, (v) => -v, (v) => -v),
  Abs: unary(Math.abs, (v) => (v < 0n ? -v : v), Math.abs),
  Sqrt: unary(undefined, undefined, (v) => (v < 0 ? unsupported() : Math.sqrt(v))),
  Reciprocal: unary(undefined, undefined, (v) => 1 / v),
  Min: minMax((a, b) => (a < b ? a : b)),
  Max: minMax((a, b) => (a > b ? a : b)),
  Pow: pow,
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  LessOrEqual: compare((a, b) => a <= b),
  GreaterOrEqual: compare((a, b) => a >= b),
  And: logical((a, b) => a && b),
  Or: logical((a, b) => a || b),
  Xor: logical((a, b) => a !== b),
  Not: not,
  Where: where,
  Cast: cast,
  Reshape: reshape,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Flatten: flatten,
  Concat: concat,
  Gather: gather,
  Slice: slice,
  Transpose: transpose,
  Expand: expand,
  Shape: shape,
  Size: size,
  ConstantOfShape: constantOfShape,
  Range: range,
};

/** Whether an op has a kernel here (the node may still be left to onnxruntime by its values). */
export function hasSmallKernel(node: NodeProto): boolean {
  return (!node.domain || node.domain === 'ai.onnx') && Object.hasOwn(kernels, node.opType ?? '');
}

/**
 * The outputs of `node` computed here from its constant inputs, in output order; undefined when a value
 * is too large, of a type or case left to onnxruntime.
 */
export function evaluateSmall(node: NodeProto, inputs: Array<TensorArray | undefined>, opset: number): TensorArray[] | undefined {
  // The kernels follow the ops up to the newest opset we know; a newer one may have changed them.
  if (!hasSmallKernel(node) || opset > newestOpset) return undefined;
  if (!inputs.every((t) => !t || smallEnough(t.dtype, t.data.length))) return undefined;
  let outputs: TensorArray[];
  try {
    outputs = kernels[node.opType!](node, inputs, opset);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  if (outputs.length !== (node.output ?? []).length || !outputs.every((t) => smallEnough(t.dtype, t.data.length))) return undefined;
  return outputs;
}
