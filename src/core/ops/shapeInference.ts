// Static shape inference for the common ops: element type and dims of every value we can know without
// running the model. Folding uses it to evaluate Shape/Size of values with known shapes and to keep
// outputs over the size limit unfolded. Unknown stays unknown: nothing is guessed.
import { DataType, int64ToNumber, type GraphProto, type NodeProto, type TensorProto } from '../model/proto.js';
import { constantNodeTensor, tensorToArray } from '../model/tensorValues.js';
import { shapeOf, type Dim } from '../model/types.js';
import { attribute, topologicalOrder } from '../model/graphQueries.js';

export interface InferredType {
  elemType: number;
  /** Undefined when the rank is unknown. */
  shape?: Dim[];
}

export interface ShapeContext {
  /** Default-domain opset version of the model. */
  opset: number;
  /** Types visible from enclosing scopes (for subgraphs). */
  outer?: ReadonlyMap<string, InferredType>;
  /** Constant tensor of a name visible in this graph (initializer or Constant output), if any. */
  constant?: (name: string) => TensorProto | undefined;
  /** Receives the elements known for small int vectors and scalars (Shape->Gather->Concat chains). */
  valuesOut?: Map<string, Dim[]>;
}

/** Small integer tensors read for shape arguments (Reshape's shape, Slice's starts...). */
const maxShapeArgument = 1 << 16;

export function isStatic(shape: Dim[] | undefined): shape is number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

/** Element count when the shape is fully known, else undefined. */
export function staticCount(type: InferredType | undefined): number | undefined {
  if (!type || !isStatic(type.shape)) return undefined;
  return type.shape.reduce((n, d) => n * d, 1);
}

/** Types of every value of `graph` we can infer (includes the outer scope's entries). */
export function inferShapes(graph: GraphProto, context: ShapeContext): Map<string, InferredType> {
  const types = new Map<string, InferredType>(context.outer ?? []);
  const declare = (name: string | null | undefined, type: InferredType | undefined) => {
    if (name && type) types.set(name, mergeTypes(types.get(name), type));
  };
  const fromValueInfo = (v: { name?: string | null; type?: import('../model/proto.js').TypeProto | null }) => {
    const t = v.type?.tensorType;
    if (v.name && t && t.elemType) declare(v.name, { elemType: t.elemType, shape: shapeOf(t.shape) });
  };
  for (const v of graph.input ?? []) fromValueInfo(v);
  for (const v of graph.valueInfo ?? []) fromValueInfo(v);
  for (const v of graph.output ?? []) fromValueInfo(v);
  for (const t of graph.initializer ?? []) {
    if (t.name) types.set(t.name, { elemType: t.dataType ?? 0, shape: (t.dims ?? []).map((d) => int64ToNumber(d)) });
  }
  // Graph inputs shadow initializers of the same name only in their declared shape, which matches anyway.
  const nodes = graph.node ?? [];
  const constant = context.constant ?? (() => undefined);
  // Small int64 vectors whose elements we know, possibly as symbols: what Shape->Gather->Concat chains
  // compute, so that a Reshape they feed gets its output shape (as ONNX's data propagation does).
  const values = context.valuesOut ?? new Map<string, Dim[]>();
  const valueOf = (name: string | undefined): Dim[] | undefined => {
    if (!name) return undefined;
    const known = values.get(name);
    if (known) return known;
    const t = constant(name);
    // Only scalars and vectors: the propagation below indexes elements as a flat list.
    if (!t || (t.dims ?? []).length > 1) return undefined;
    try {
      return constantNumbers(constant, name);
    } catch {
      return undefined;
    }
  };
  for (const index of topologicalOrder(graph)) {
    const node = nodes[index];
    let out: Array<InferredType | undefined>;
    try {
      out = inferNode(node, (name) => (name ? types.get(name) : undefined), constant, context.opset, valueOf);
      const propagated = propagateValue(node, (name) => (name ? types.get(name) : undefined), valueOf);
      const rank = out[0]?.shape?.length;
      if (propagated && node.output?.[0] && rank !== undefined && rank <= 1) values.set(node.output[0], propagated);
    } catch {
      // A malformed attribute or argument: the node's outputs stay unknown.
      out = [];
    }
    (node.output ?? []).forEach((name, i) => {
      if (!name) return;
      const inferred = out[i];
      const declared = types.get(name);
      types.set(name, declared ? mergeTypes(declared, inferred) : inferred ?? { elemType: 0 });
      if (!types.get(name)!.elemType && !types.get(name)!.shape) types.delete(name);
    });
  }
  return types;
}

/** Combines two facts about one value: numbers win over symbols, the inferred fact over a stale declaration. */
function mergeTypes(a: InferredType | undefined, b: InferredType | undefined): InferredType {
  if (!a) return b ?? { elemType: 0 };
  if (!b) return a;
  const elemType = b.elemType || a.elemType;
  if (!a.shape) return { elemType, shape: b.shape };
  if (!b.shape) return { elemType, shape: a.shape };
  if (a.shape.length !== b.shape.length) return { elemType, shape: b.shape };
  return { elemType, shape: b.shape.map((d, i) => (typeof d === 'number' ? d : typeof a.shape![i] === 'number' ? a.shape![i] : d ?? a.shape![i])) };
}

type TypeOf = (name: string | undefined) => InferredType | undefined;

function ints(node: NodeProto, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a && a.ints ? a.ints.map((v) => int64ToNumber(v)) : undefined;
}

function int(node: NodeProto, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a && a.i != null ? int64ToNumber(a.i) : fallback;
}

function str(node: NodeProto, name: string, fallback: string): string {
  const a = attribute(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

/** Values of a small constant integer (or float) tensor. */
function constantNumbers(constant: (name: string) => TensorProto | undefined, name: string | undefined): number[] | undefined {
  if (!name) return undefined;
  const t = constant(name);
  if (!t) return undefined;
  const count = (t.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
  if (count > maxShapeArgument) return undefined;
  const array = tensorToArray(t);
  if (Array.isArray(array.data)) return undefined;
  return Array.from(array.data as ArrayLike<number | bigint>, (v) => Number(v));
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function broadcast(shapes: Array<Dim[] | undefined>): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s![s!.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (dim === 1) dim = d;
      else if (dim !== d) dim = typeof dim === 'number' && typeof d !== 'number' ? dim : typeof d === 'number' && typeof dim !== 'number' ? d : null;
    }
    out.push(dim);
  }
  return out;
}

const mul = (a: Dim, b: Dim): Dim => (typeof a === 'number' && typeof b === 'number' ? a * b : null);
const product = (dims: Dim[]): Dim => dims.reduce<Dim>((p, d) => mul(p, d), 1);

const unary = new Set([
  'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Abs', 'Neg', 'Sqrt', 'Erf', 'Identity', 'Softmax', 'LogSoftmax', 'Hardmax',
  'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'HardSigmoid', 'HardSwish', 'Mish', 'Softplus', 'Softsign', 'ThresholdedRelu',
  'Clip', 'Floor', 'Ceil', 'Round', 'Sign', 'Reciprocal', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh',
  'Asinh', 'Acosh', 'Atanh', 'Not', 'BitwiseNot', 'CumSum', 'Trilu', 'LpNormalization', 'InstanceNormalization', 'LRN',
  'MeanVarianceNormalization', 'Shrink', 'ReverseSequence', 'EyeLike', 'BatchNormalization', 'LayerNormalization',
  'GroupNormalization', 'Dropout', 'SkipLayerNormalization', 'FastGelu', 'BiasGelu', 'QuickGelu', 'Swish',
]);
const broadcasting = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Max', 'Min', 'Sum', 'Mean', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'PRelu']);
const comparison = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const reductions = new Set(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);

/** The elements of a node's (small, int64, rank <= 1) output, where they follow from known values. */
function propagateValue(node: NodeProto, typeOf: TypeOf, valueOf: (name: string | undefined) => Dim[] | undefined): Dim[] | undefined {
  if (node.domain && node.domain !== 'ai.onnx') return undefined;
  const inputs = node.input ?? [];
  switch (node.opType) {
    case 'Shape': {
      const shape = typeOf(inputs[0])?.shape;
      if (!shape) return undefined;
      const rank = shape.length;
      const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
      return shape.slice(clamp(int(node, 'start', 0)), clamp(int(node, 'end', rank)));
    }
    case 'Cast': case 'Identity': case 'Squeeze': case 'Unsqueeze': return valueOf(inputs[0]);
    case 'Gather': {
      if (int(node, 'axis', 0) !== 0) return undefined;
      const data = valueOf(inputs[0]);
      const indices = valueOf(inputs[1]);
      if (!data || !indices || indices.some((i) => typeof i !== 'number')) return undefined;
      const picked = (indices as number[]).map((i) => data[i < 0 ? i + data.length : i]);
      return picked.some((d) => d === undefined) ? undefined : picked;
    }
    case 'Concat': {
      const parts = inputs.filter((i) => i).map((i) => valueOf(i));
      return parts.every((p) => p) ? parts.flatMap((p) => p!) : undefined;
    }
    case 'Slice': {
      const data = valueOf(inputs[0]);
      const starts = valueOf(inputs[1]);
      const ends = valueOf(inputs[2]);
      const steps = inputs[4] ? valueOf(inputs[4]) : [1];
      const axes = inputs[3] ? valueOf(inputs[3]) : [0];
      if (!axes || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) return undefined;
      if (!data || !starts || !ends || typeof starts[0] !== 'number' || typeof ends[0] !== 'number' || steps?.[0] !== 1) return undefined;
      const n = data.length;
      const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
      return data.slice(clamp(starts[0]), clamp(ends[0]));
    }
    default: return undefined;
  }
}

/** Reshape's target with 0 (copy) and -1 (infer) resolved, symbolically where the dims allow it. */
function reshapeTarget(x: InferredType, target: Dim[], allowZero: boolean): Dim[] {
  const shape: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? x.shape?.[i] ?? null : d));
  const minus = shape.indexOf(-1);
  if (minus < 0) return shape;
  shape[minus] = null;
  if (!x.shape) return shape;
  const rest = shape.filter((_, i) => i !== minus);
  const symbolsIn = x.shape.filter((d) => typeof d === 'string').sort();
  const symbolsOut = rest.filter((d) => typeof d === 'string').sort();
  if (x.shape.includes(null) || rest.includes(null) || symbolsIn.join('\u0000') !== symbolsOut.join('\u0000')) return shape;
  const numeric = (dims: Dim[]) => dims.reduce<number>((p, d) => p * (typeof d === 'number' ? d : 1), 1);
  const divisor = numeric(rest);
  if (divisor !== 0 && numeric(x.shape) % divisor === 0) shape[minus] = numeric(x.shape) / divisor;
  return shape;
}

function inferNode(
  node: NodeProto, typeOf: TypeOf, constant: (name: string) => TensorProto | undefined, opset: number,
  valueOf: (name: string | undefined) => Dim[] | undefined = () => undefined,
): Array<InferredType | undefined> {
  const op = node.opType ?? '';
  if (node.domain && node.domain !== 'ai.onnx' && node.domain !== 'com.microsoft') return [];
  const inputs = node.input ?? [];
  const x = typeOf(inputs[0]);
  const value = (i: number) => constantNumbers(constant, inputs[i]);
  if (op === 'Constant') {
    const t = constantNodeTensor(node);
    return t ? [{ elemType: t.dataType ?? 0, shape: (t.dims ?? []).map((d) => int64ToNumber(d)) }] : [];
  }
  if (unary.has(op)) {
    if (!x) return [];
    if (op === 'Dropout') return [x, { elemType: DataType.BOOL, shape: x.shape }];
    return [x];
  }
  if (op === 'IsNaN' || op === 'IsInf') return x ? [{ elemType: DataType.BOOL, shape: x.shape }] : [];
  if (op === 'Cast') return [{ elemType: int(node, 'to', 0), shape: x?.shape }];
  if (op === 'CastLike') return [{ elemType: typeOf(inputs[1])?.elemType ?? 0, shape: x?.shape }];
  if (broadcasting.has(op) || comparison.has(op) || op === 'Where') {
    const ts = inputs.map((i) => typeOf(i));
    const elemType = comparison.has(op) ? DataType.BOOL : op === 'Where' ? ts[1]?.elemType ?? 0 : ts.find((t) => t?.elemType)?.elemType ?? 0;
    if (op === 'PRelu') return x ? [x] : [];
    return [{ elemType, shape: broadcast(ts.map((t) => t?.shape)) }];
  }
  switch (op) {
    case 'MatMul': case 'MatMulInteger': {
      const a = x?.shape, b = typeOf(inputs[1])?.shape;
      const elemType = op === 'MatMulInteger' ? DataType.INT32 : x?.elemType ?? 0;
      if (!a || !b || a.length === 0 || b.length === 0) return [{ elemType }];
      const a2 = a.length === 1 ? [1, a[0]] : a, b2 = b.length === 1 ? [b[0], 1] : b;
      const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
      if (!batch) return [{ elemType }];
      const shape = [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]]), ...(b.length === 1 ? [] : [b2[b2.length - 1]])];
      return [{ elemType, shape }];
    }
    case 'Gemm': {
      const a = x?.shape, b = typeOf(inputs[1])?.shape;
      if (!a || !b || a.length !== 2 || b.length !== 2) return [{ elemType: x?.elemType ?? 0 }];
      const m = int(node, 'transA', 0) ? a[1] : a[0];
      const n = int(node, 'transB', 0) ? b[0] : b[1];
      return [{ elemType: x?.elemType ?? 0, shape: [m, n] }];
    }
    case 'Conv': case 'ConvInteger': case 'MaxPool': case 'AveragePool': case 'LpPool': return pool(node, op, x, typeOf(inputs[1]));
    case 'GlobalAveragePool': case 'GlobalMaxPool': case 'GlobalLpPool':
      return x ? [{ elemType: x.elemType, shape: x.shape ? x.shape.map((d, i) => (i < 2 ? d : 1)) : undefined }] : [];
    case 'Flatten': {
      if (!x?.shape) return x ? [{ elemType: x.elemType }] : [];
      const axis = normAxis(int(node, 'axis', 1), x.shape.length);
      return [{ elemType: x.elemType, shape: [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))] }];
    }
    case 'Reshape': {
      if (!x) return [];
      const target: Dim[] | undefined = opset >= 5 ? valueOf(inputs[1]) : ints(node, 'shape');
      if (!target) {
        // The rank still follows from the length of the shape input.
        const length = typeOf(inputs[1])?.shape?.[0];
        return [{ elemType: x.elemType, shape: typeof length === 'number' ? new Array<Dim>(length).fill(null) : undefined }];
      }
      return [{ elemType: x.elemType, shape: reshapeTarget(x, target, int(node, 'allowzero', 0) === 1) }];
    }
    case 'Transpose': {
      if (!x?.shape) return x ? [{ elemType: x.elemType }] : [];
      const perm = ints(node, 'perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
      return [{ elemType: x.elemType, shape: perm.map((p) => x.shape![p]) }];
    }
    case 'Unsqueeze': {
      const axes = opset >= 13 ? value(1) : ints(node, 'axes');
      if (!x?.shape || !axes) return x ? [{ elemType: x.elemType }] : [];
      const rank = x.shape.length + axes.length;
      const set = new Set(axes.map((a) => normAxis(a, rank)));
      const shape: Dim[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[k++]);
      return [{ elemType: x.elemType, shape }];
    }
    case 'Squeeze': {
      if (!x?.shape) return x ? [{ elemType: x.elemType }] : [];
      const axes = opset >= 13 ? (inputs[1] ? value(1) : undefined) : ints(node, 'axes');
      if (!axes) {
        if (inputs[1]) return [{ elemType: x.elemType }];
        if (!isStatic(x.shape)) return [{ elemType: x.elemType }];
        return [{ elemType: x.elemType, shape: x.shape.filter((d) => d !== 1) }];
      }
      const set = new Set(axes.map((a) => normAxis(a, x.shape!.length)));
      return [{ elemType: x.elemType, shape: x.shape.filter((_, i) => !set.has(i)) }];
    }
    case 'Concat': {
      const ts = inputs.filter((i) => i).map((i) => typeOf(i));
      const first = ts.find((t) => t?.shape);
      const elemType = ts.find((t) => t?.elemType)?.elemType ?? 0;
      if (!first?.shape || ts.some((t) => !t?.shape)) return [{ elemType }];
      const axis = normAxis(int(node, 'axis', 0), first.shape.length);
      const shape = first.shape.map((d, i) => {
        if (i === axis) return ts.reduce<Dim>((s, t) => (typeof s === 'number' && typeof t!.shape![i] === 'number' ? s + (t!.shape![i] as number) : null), 0);
        return ts.map((t) => t!.shape![i]).find((v) => typeof v === 'number') ?? d;
      });
      return [{ elemType, shape }];
    }
    case 'Gather': {
      const indices = typeOf(inputs[1]);
      if (!x?.shape || !indices?.shape) return x ? [{ elemType: x.elemType }] : [];
      const axis = normAxis(int(node, 'axis', 0), x.shape.length);
      return [{ elemType: x.elemType, shape: [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)] }];
    }
    case 'GatherElements': return x ? [{ elemType: x.elemType, shape: typeOf(inputs[1])?.shape }] : [];
    case 'Slice': return slice(node, x, opset, value);
    case 'Shape': {
      if (!x?.shape) return [{ elemType: DataType.INT64, shape: [null] }];
      const rank = x.shape.length;
      const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
      const start = clamp(int(node, 'start', 0));
      const end = clamp(int(node, 'end', rank));
      return [{ elemType: DataType.INT64, shape: [Math.max(0, end - start)] }];
    }
    case 'Size': return [{ elemType: DataType.INT64, shape: [] }];
    case 'ConstantOfShape': {
      const t = attribute(node, 'value')?.t;
      const shape = valueOf(inputs[0]);
      return [{ elemType: t?.dataType ?? DataType.FLOAT, shape: shape ?? (typeOf(inputs[0])?.shape?.[0] != null && typeof typeOf(inputs[0])!.shape![0] === 'number' ? new Array<Dim>(typeOf(inputs[0])!.shape![0] as number).fill(null) : undefined) }];
    }
    case 'Expand': {
      if (!x) return [];
      const target = valueOf(inputs[1]);
      if (target) return [{ elemType: x.elemType, shape: broadcast([x.shape, target]) }];
      const length = typeOf(inputs[1])?.shape?.[0];
      const rank = typeof length === 'number' && x.shape ? Math.max(length, x.shape.length) : undefined;
      return [{ elemType: x.elemType, shape: rank !== undefined ? new Array<Dim>(rank).fill(null) : undefined }];
    }
    case 'Tile': {
      const repeats = value(1);
      if (!x?.shape || !repeats) return x ? [{ elemType: x.elemType }] : [];
      return [{ elemType: x.elemType, shape: x.shape.map((d, i) => mul(d, repeats[i])) }];
    }
    case 'Range': {
      const [start, limit, delta] = [value(0), value(1), value(2)];
      const symbolic = valueOf(inputs[1])?.[0];
      if (start?.[0] === 0 && delta?.[0] === 1 && typeof symbolic === 'string') return [{ elemType: x?.elemType ?? 0, shape: [symbolic] }];
      const n = start && limit && delta && delta[0] !== 0 ? Math.max(0, Math.ceil((limit[0] - start[0]) / delta[0])) : null;
      return [{ elemType: x?.elemType ?? 0, shape: [n] }];
    }
    case 'ArgMax': case 'ArgMin': {
      if (!x?.shape) return [{ elemType: DataType.INT64 }];
      const axis = normAxis(int(node, 'axis', 0), x.shape.length);
      const keep = int(node, 'keepdims', 1) === 1;
      return [{ elemType: DataType.INT64, shape: keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis) }];
    }
    case 'Split': return split(node, x, opset, value);
    case 'Pad': {
      if (!x?.shape) return x ? [{ elemType: x.elemType }] : [];
      const pads = opset >= 11 ? value(1) : ints(node, 'pads') ?? ints(node, 'paddings');
      if (!pads) return [{ elemType: x.elemType, shape: x.shape.map(() => null) }];
      const axesIn = opset >= 18 && inputs[3] ? value(3) : undefined;
      if (opset >= 18 && inputs[3] && !axesIn) return [{ elemType: x.elemType, shape: x.shape.map(() => null) }];
      const axes = axesIn ? axesIn.map((a) => normAxis(a, x.shape!.length)) : x.shape.map((_, i) => i);
      const shape = [...x.shape];
      axes.forEach((a, k) => {
        const d = shape[a];
        shape[a] = typeof d === 'number' ? d + pads[k] + pads[k + axes.length] : null;
      });
      return [{ elemType: x.elemType, shape }];
    }
    case 'TopK': {
      const k = opset >= 10 ? value(1) : [int(node, 'k', 0)];
      if (!x?.shape) return [{ elemType: x?.elemType ?? 0 }, { elemType: DataType.INT64 }];
      const axis = normAxis(int(node, 'axis', -1), x.shape.length);
      const shape = x.shape.map((d, i) => (i === axis ? (k ? k[0] : null) : d));
      return [{ elemType: x.elemType, shape }, { elemType: DataType.INT64, shape }];
    }
    case 'DequantizeLinear': return [{ elemType: typeOf(inputs[1])?.elemType || DataType.FLOAT, shape: x?.shape }];
    case 'QuantizeLinear': return [{ elemType: typeOf(inputs[2])?.elemType || int(node, 'output_dtype', 0) || DataType.UINT8, shape: x?.shape }];
    case 'NonZero': return [{ elemType: DataType.INT64, shape: x?.shape ? [x.shape.length, null] : undefined }];
    case 'OneHot': return [];
    default:
      if (reductions.has(op)) return reduce(node, op, x, opset, value, inputs);
      return [];
  }
}

function reduce(node: NodeProto, op: string, x: InferredType | undefined, opset: number, value: (i: number) => number[] | undefined, inputs: string[]): Array<InferredType | undefined> {
  if (!x?.shape) return x ? [{ elemType: x.elemType }] : [];
  const axesFromInput = op === 'ReduceSum' ? opset >= 13 : opset >= 18;
  let axes = axesFromInput ? (inputs[1] ? value(1) : []) : ints(node, 'axes') ?? [];
  if (axes === undefined) return [{ elemType: x.elemType }];
  if (axes.length === 0) {
    if (int(node, 'noop_with_empty_axes', 0) === 1) return [x];
    axes = x.shape.map((_, i) => i);
  }
  const set = new Set(axes.map((a) => normAxis(a, x.shape!.length)));
  const keep = int(node, 'keepdims', 1) === 1;
  return [{ elemType: x.elemType, shape: keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i)) }];
}

function pool(node: NodeProto, op: string, x: InferredType | undefined, w: InferredType | undefined): Array<InferredType | undefined> {
  const elemType = op === 'ConvInteger' ? DataType.INT32 : x?.elemType ?? 0;
  const isConv = op === 'Conv' || op === 'ConvInteger';
  if (!x?.shape || x.shape.length < 3) return [{ elemType }];
  const spatial = x.shape.length - 2;
  const kernel = ints(node, 'kernel_shape') ?? (isConv && w?.shape ? w.shape.slice(2) : undefined);
  if (!kernel || kernel.length !== spatial || kernel.some((k) => typeof k !== 'number')) return [{ elemType }];
  const strides = ints(node, 'strides') ?? new Array<number>(spatial).fill(1);
  const dilations = ints(node, 'dilations') ?? new Array<number>(spatial).fill(1);
  const pads = ints(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const autoPad = str(node, 'auto_pad', 'NOTSET');
  const ceil = int(node, 'ceil_mode', 0) === 1;
  const channels: Dim = isConv ? w?.shape?.[0] ?? null : x.shape[1];
  const dims: Dim[] = x.shape.slice(2).map((d, i) => {
    if (typeof d !== 'number') return null;
    const k = kernel[i] as number;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(d / strides[i]);
    const effective = dilations[i] * (k - 1) + 1;
    const padded = autoPad === 'VALID' ? d : d + pads[i] + pads[i + spatial];
    const q = (padded - effective) / strides[i];
    return (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
  });
  const shape = [x.shape[0], channels, ...dims];
  return op === 'MaxPool' ? [{ elemType, shape }, { elemType: DataType.INT64, shape }] : [{ elemType, shape }];
}

function slice(node: NodeProto, x: InferredType | undefined, opset: number, value: (i: number) => number[] | undefined): Array<InferredType | undefined> {
  if (!x?.shape) return x ? [{ elemType: x.elemType }] : [];
  const inputs = node.input ?? [];
  const starts = opset >= 10 ? value(1) : ints(node, 'starts');
  const ends = opset >= 10 ? value(2) : ints(node, 'ends');
  const axes = opset >= 10 ? (inputs[3] ? value(3) : starts?.map((_, i) => i)) : ints(node, 'axes') ?? starts?.map((_, i) => i);
  const steps = opset >= 10 && inputs[4] ? value(4) : starts?.map(() => 1);
  if (!starts || !ends || !axes || !steps) return [{ elemType: x.elemType, shape: x.shape.map(() => null) }];
  const shape = [...x.shape];
  axes.forEach((a, k) => {
    const axis = normAxis(a, shape.length);
    const d = shape[axis];
    if (typeof d !== 'number') {
      shape[axis] = null;
      return;
    }
    const step = steps[k];
    let s = starts[k] < 0 ? starts[k] + d : starts[k];
    let e = ends[k] < 0 ? ends[k] + d : ends[k];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
      shape[axis] = Math.max(0, Math.ceil((e - s) / step));
    } else {
      s = Math.min(Math.max(s, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
      shape[axis] = Math.max(0, Math.ceil((s - e) / -step));
    }
  });
  return [{ elemType: x.elemType, shape }];
}

function split(node: NodeProto, x: InferredType | undefined, opset: number, value: (i: number) => number[] | undefined): Array<InferredType | undefined> {
  const outputs = (node.output ?? []).length;
  if (!x?.shape) return new Array(outputs).fill(x ? { elemType: x.elemType } : undefined);
  const axis = normAxis(int(node, 'axis', 0), x.shape.length);
  const inputs = node.input ?? [];
  let sizes = opset >= 13 ? (inputs[1] ? value(1) : undefined) : ints(node, 'split');
  if (!sizes && opset >= 13 && inputs[1]) return new Array(outputs).fill({ elemType: x.elemType });
  const d = x.shape[axis];
  if (!sizes) {
    if (typeof d !== 'number') return new Array(outputs).fill({ elemType: x.elemType, shape: x.shape.map((v, i) => (i === axis ? null : v)) });
    const chunk = Math.ceil(d / outputs);
    sizes = Array.from({ length: outputs }, (_, i) => Math.max(0, Math.min(chunk, d - chunk * i)));
    if (int(node, 'num_outputs', 0) === 0 && d % outputs !== 0) sizes = undefined;
  }
  if (!sizes) return new Array(outputs).fill({ elemType: x.elemType });
  return sizes.map((s) => ({ elemType: x.elemType, shape: x.shape!.map((v, i) => (i === axis ? s : v)) }));
}
