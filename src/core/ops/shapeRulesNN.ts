// Shape rules of the network ops: MatMul and Gemm, Conv and pooling (pads, strides, dilations, auto_pad,
// ceil_mode), Resize, recurrent layers, Einsum, losses, signal ops, and the contrib ops onnxruntime's
// optimizers and our quantizer write.
import { DataType } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import type { DimAlgebra } from './dimAlgebra.js';
import { broadcastShapes, floats, hasInput, ints, normAxis, typeOnly, unknownDims, type InferredType, type NodeFacts, type ShapeRule } from './shapeRuleKit.js';
import { intAttr, stringAttr } from '../model/graphQueries.js';

function matmulShape(dims: DimAlgebra, a: Dim[] | undefined, b: Dim[] | undefined): Dim[] | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  // Fixed inner sizes that differ: the op cannot run, so there is no shape to give.
  const inner = [a2[a2.length - 1], b2[b2.length - 2]];
  if (typeof inner[0] === 'number' && typeof inner[1] === 'number' && inner[0] !== inner[1]) return undefined;
  const batch = broadcastShapes(dims, [a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return undefined;
  return [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]]), ...(b.length === 1 ? [] : [b2[b2.length - 1]])];
}

const matmul = (elemType: (f: NodeFacts) => number, aAt = 0, bAt = 1): ShapeRule => (f) =>
  [{ elemType: elemType(f), shape: matmulShape(f.dims, f.input(aAt)?.shape, f.input(bAt)?.shape) }];

/** Output size of one spatial axis of a convolution or pooling window. */
function windowOutput(dims: DimAlgebra, d: Dim, kernel: number, stride: number, dilation: number, padSum: Dim, autoPad: string, ceil: boolean): Dim {
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return dims.ceilDiv(d, stride);
  const effective = dilation * (kernel - 1) + 1;
  const span = dims.sub(autoPad === 'VALID' ? d : dims.add(d, padSum), effective);
  const steps = ceil ? dims.ceilDiv(span, stride) : dims.floorDiv(span, stride);
  return dims.add(steps, 1);
}

function windowed(f: NodeFacts, xAt: number, wAt: number | undefined, elemType: number): InferredType[] {
  const x = f.input(xAt);
  const w = wAt === undefined ? undefined : f.input(wAt);
  const { node, dims } = f;
  if (!x?.shape || x.shape.length < 3) return [typeOnly(elemType)];
  const spatial = x.shape.length - 2;
  const kernel = ints(node, 'kernel_shape') ?? w?.shape?.slice(2);
  const channels: Dim = wAt === undefined ? x.shape[1] : w?.shape?.[0] ?? null;
  if (!kernel || kernel.length !== spatial || !kernel.every((k) => typeof k === 'number')) {
    return [{ elemType, shape: [x.shape[0], channels, ...unknownDims(spatial)] }];
  }
  const strides = ints(node, 'strides') ?? new Array<number>(spatial).fill(1);
  const dilations = ints(node, 'dilations') ?? new Array<number>(spatial).fill(1);
  const pads = ints(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  const ceil = intAttr(node, 'ceil_mode', 0) === 1;
  const out = x.shape.slice(2).map((d, i) =>
    windowOutput(dims, d, kernel[i] as number, strides[i] ?? 1, dilations[i] ?? 1, (pads[i] ?? 0) + (pads[i + spatial] ?? 0), autoPad, ceil));
  return [{ elemType, shape: [x.shape[0], channels, ...out] }];
}

function convTranspose(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  const w = f.input(1);
  const { node, dims } = f;
  const elemType = x?.elemType ?? 0;
  if (!x?.shape || x.shape.length < 3) return [typeOnly(elemType)];
  const spatial = x.shape.length - 2;
  const group = intAttr(node, 'group', 1);
  const channels = dims.mul(w?.shape?.[1] ?? null, group);
  const outputShape = ints(node, 'output_shape');
  if (outputShape) return [{ elemType, shape: [x.shape[0], channels, ...outputShape.slice(-spatial)] }];
  const kernel = ints(node, 'kernel_shape') ?? w?.shape?.slice(2);
  if (!kernel || kernel.length !== spatial || !kernel.every((k) => typeof k === 'number')) {
    return [{ elemType, shape: [x.shape[0], channels, ...unknownDims(spatial)] }];
  }
  const strides = ints(node, 'strides') ?? new Array<number>(spatial).fill(1);
  const dilations = ints(node, 'dilations') ?? new Array<number>(spatial).fill(1);
  const pads = ints(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const outputPadding = ints(node, 'output_padding') ?? new Array<number>(spatial).fill(0);
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  const out = x.shape.slice(2).map((d, i) => {
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return dims.mul(d, strides[i]);
    const full = dims.add(dims.mul(dims.sub(d, 1), strides[i]), outputPadding[i] + (dilations[i] * ((kernel[i] as number) - 1) + 1));
    return dims.sub(full, autoPad === 'VALID' ? 0 : pads[i] + pads[i + spatial]);
  });
  return [{ elemType, shape: [x.shape[0], channels, ...out] }];
}

/** Resize (opset 10 on) and Upsample: sizes where given, else floor(d * scale). */
function resize(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  if (!x?.shape) return [typeOnly(x?.elemType)];
  const rank = x.shape.length;
  const { node, dims } = f;
  let scales: number[] | undefined;
  let sizes: Dim[] | undefined;
  if (node.opType === 'Upsample') scales = f.opset >= 9 ? f.numbers(1) : floats(node, 'scales');
  else if (f.opset < 11) scales = f.numbers(1);
  else {
    sizes = hasInput(node, 3) ? f.value(3) : undefined;
    scales = hasInput(node, 2) ? f.numbers(2) : undefined;
    if (scales?.length === 0) scales = undefined;
    if (sizes?.length === 0) sizes = undefined;
  }
  const axes = (f.opset >= 18 ? ints(node, 'axes') : undefined)?.map((a) => normAxis(a, rank)) ?? x.shape.map((_, i) => i);
  const shape = [...x.shape];
  const policy = stringAttr(node, 'keep_aspect_ratio_policy', 'stretch');
  if (sizes) {
    if (policy !== 'stretch') {
      // One scale for every axis, the smaller or larger of the ratios: numbers only.
      const ratios = axes.map((a, k) => (typeof sizes![k] === 'number' && typeof x.shape![a!] === 'number' ? (sizes![k] as number) / (x.shape![a!] as number) : NaN));
      if (ratios.some((r) => Number.isNaN(r))) return [{ elemType: x.elemType, shape: shape.map((d, i) => (axes.includes(i) ? null : d)) }];
      const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => (shape[a!] = Math.round((x.shape![a!] as number) * scale)));
      return [{ elemType: x.elemType, shape }];
    }
    axes.forEach((a, k) => (shape[a!] = sizes![k] ?? null));
    return [{ elemType: x.elemType, shape }];
  }
  if (!scales) return [{ elemType: x.elemType, shape: unknownDims(rank) }];
  axes.forEach((a, k) => {
    const d = shape[a!];
    const s = scales![k];
    if (typeof d === 'number') shape[a!] = Math.floor(d * s);
    else shape[a!] = Number.isInteger(s) ? dims.mul(d, s) : null;
  });
  return [{ elemType: x.elemType, shape }];
}

function recurrent(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  const elemType = x?.elemType ?? 0;
  const hidden = intAttr(f.node, 'hidden_size', 0) || null;
  const directions = stringAttr(f.node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  const batchMajor = intAttr(f.node, 'layout', 0) === 1;
  const [a, b] = x?.shape ?? [null, null];
  const seq = batchMajor ? b : a;
  const batch = batchMajor ? a : b;
  const y: Dim[] = batchMajor ? [batch, seq, directions, hidden] : [seq, directions, batch, hidden];
  const state: Dim[] = batchMajor ? [batch, directions, hidden] : [directions, batch, hidden];
  const known = x?.shape?.length === 3;
  return [{ elemType, shape: known ? y : undefined }, { elemType, shape: known ? state : undefined }, { elemType, shape: known ? state : undefined }];
}

/** Einsum: each letter's size from the operands, the output from the explicit or implicit subscripts. */
function einsum(f: NodeFacts): InferredType[] {
  const equation = stringAttr(f.node, 'equation', '').replace(/\s/g, '');
  const inputs = (f.node.input ?? []).map((_, i) => f.input(i));
  const elemType = inputs[0]?.elemType ?? 0;
  const [lhs, rhs] = equation.split('->');
  const terms = lhs.split(',');
  if (terms.length !== inputs.length) return [typeOnly(elemType)];
  const sizes = new Map<string, Dim>();
  const counts = new Map<string, number>();
  const ellipses: Dim[][] = [];
  for (const [k, term] of terms.entries()) {
    const shape = inputs[k]?.shape;
    if (!shape) return [typeOnly(elemType)];
    const [before, after] = term.includes('...') ? term.split('...') : [term, undefined];
    const letters = [...before, ...(after ?? '')];
    const ellipsisRank = after === undefined ? 0 : shape.length - letters.length;
    if (ellipsisRank < 0 || (after === undefined && letters.length !== shape.length)) return [typeOnly(elemType)];
    const dimsOf = [...shape.slice(0, before.length), ...shape.slice(before.length + ellipsisRank)];
    if (after !== undefined) ellipses.push(shape.slice(before.length, before.length + ellipsisRank));
    letters.forEach((c, i) => {
      counts.set(c, (counts.get(c) ?? 0) + 1);
      const d = dimsOf[i];
      const prev = sizes.get(c);
      sizes.set(c, prev === undefined || prev === null || prev === 1 ? d : prev);
    });
  }
  const broadcast = ellipses.length ? broadcastShapes(f.dims, ellipses) ?? [] : [];
  // Implicit output: the ellipsis, then the letters used once, in alphabetical order.
  const once = [...counts.keys()].filter((c) => counts.get(c) === 1).sort().join('');
  const [outBefore, outAfter] = rhs === undefined ? ['', ellipses.length ? once : undefined] : rhs.includes('...') ? rhs.split('...') : [rhs, undefined];
  const letters = (text: string) => [...text].map((c) => sizes.get(c) ?? null);
  const shape: Dim[] = rhs === undefined && !ellipses.length
    ? letters(once)
    : [...letters(outBefore), ...(outAfter !== undefined ? broadcast : []), ...letters(outAfter ?? '')];
  return [{ elemType, shape }];
}

function loss(f: NodeFacts, withLogProb: boolean): InferredType[] {
  const scores = f.input(0);
  const target = f.input(1);
  const elemType = scores?.elemType ?? 0;
  const reduced = stringAttr(f.node, 'reduction', 'mean') !== 'none';
  const out: InferredType[] = [{ elemType, shape: reduced ? [] : target?.shape }];
  if (withLogProb) out.push({ elemType, shape: scores?.shape });
  return out;
}

function dft(f: NodeFacts): InferredType[] {
  const x = f.input(0);
  if (!x?.shape) return [typeOnly(x?.elemType)];
  const rank = x.shape.length;
  const axisIn = f.opset >= 20 && hasInput(f.node, 2) ? f.numbers(2)?.[0] : intAttr(f.node, 'axis', 1);
  const axis = axisIn === undefined ? undefined : normAxis(axisIn, rank);
  if (axis === undefined) return [{ elemType: x.elemType, shape: unknownDims(rank) }];
  const length: Dim = hasInput(f.node, 1) ? f.value(1)?.[0] ?? null : x.shape[axis];
  const onesided = intAttr(f.node, 'onesided', 0) === 1;
  const shape = [...x.shape];
  shape[axis] = onesided ? f.dims.add(f.dims.floorDiv(length, 2), 1) : length;
  shape[rank - 1] = 2;
  return [{ elemType: x.elemType, shape }];
}

const window: ShapeRule = (f) => [{ elemType: intAttr(f.node, 'output_datatype', DataType.FLOAT), shape: [f.value(0)?.[0] ?? null] }];

const random: ShapeRule = (f) => [{ elemType: intAttr(f.node, 'dtype', DataType.FLOAT), shape: ints(f.node, 'shape') }];

export const nnRules: Record<string, ShapeRule> = {
  MatMul: matmul((f) => f.input(0)?.elemType ?? 0),
  MatMulInteger: matmul(() => DataType.INT32),
  QLinearMatMul: matmul((f) => f.input(7)?.elemType ?? DataType.UINT8, 0, 3),
  Gemm: (f) => {
    const a = f.input(0)?.shape;
    const b = f.input(1)?.shape;
    const elemType = f.input(0)?.elemType ?? 0;
    if (!a || !b || a.length !== 2 || b.length !== 2) return [typeOnly(elemType)];
    return [{ elemType, shape: [intAttr(f.node, 'transA', 0) ? a[1] : a[0], intAttr(f.node, 'transB', 0) ? b[0] : b[1]] }];
  },
  Conv: (f) => windowed(f, 0, 1, f.input(0)?.elemType ?? 0),
  ConvInteger: (f) => windowed(f, 0, 1, DataType.INT32),
  QLinearConv: (f) => windowed(f, 0, 3, f.input(7)?.elemType ?? DataType.UINT8),
  ConvTranspose: convTranspose,
  MaxPool: (f) => {
    const [y] = windowed(f, 0, undefined, f.input(0)?.elemType ?? 0);
    return [y, { elemType: DataType.INT64, shape: y.shape }];
  },
  AveragePool: (f) => windowed(f, 0, undefined, f.input(0)?.elemType ?? 0),
  LpPool: (f) => windowed(f, 0, undefined, f.input(0)?.elemType ?? 0),
  ...Object.fromEntries(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'].map((op) => [op, (f: NodeFacts) => {
    const x = f.input(0);
    return x ? [{ elemType: x.elemType, shape: x.shape?.map((d, i) => (i < 2 ? d : 1)) }] : [];
  }])),
  MaxRoiPool: (f) => {
    const pooled = ints(f.node, 'pooled_shape') ?? [null, null];
    return [{ elemType: f.input(0)?.elemType ?? 0, shape: [f.input(1)?.shape?.[0] ?? null, f.input(0)?.shape?.[1] ?? null, ...pooled] }];
  },
  RoiAlign: (f) => [{
    elemType: f.input(0)?.elemType ?? 0,
    shape: [f.input(1)?.shape?.[0] ?? null, f.input(0)?.shape?.[1] ?? null, intAttr(f.node, 'output_height', 1), intAttr(f.node, 'output_width', 1)],
  }],
  MaxUnpool: (f) => {
    const x = f.input(0);
    if (!x?.shape || x.shape.length < 3) return [typeOnly(x?.elemType)];
    if (hasInput(f.node, 2)) {
      const given = f.value(2);
      return [{ elemType: x.elemType, shape: given ?? unknownDims(x.shape.length) }];
    }
    const spatial = x.shape.length - 2;
    const kernel = ints(f.node, 'kernel_shape') ?? [];
    const strides = ints(f.node, 'strides') ?? new Array<number>(spatial).fill(1);
    const pads = ints(f.node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
    const out = x.shape.slice(2).map((d, i) =>
      kernel[i] === undefined ? null : f.dims.sub(f.dims.add(f.dims.mul(f.dims.sub(d, 1), strides[i]), kernel[i]), pads[i] + pads[i + spatial]));
    return [{ elemType: x.elemType, shape: [x.shape[0], x.shape[1], ...out] }];
  },
  GridSample: (f) => {
    const x = f.input(0)?.shape;
    const grid = f.input(1)?.shape;
    return [{ elemType: f.input(0)?.elemType ?? 0, shape: x && grid ? [x[0], x[1], ...grid.slice(1, -1)] : undefined }];
  },
  Resize: resize,
  Upsample: resize,
  RNN: recurrent,
  GRU: recurrent,
  LSTM: recurrent,
  Einsum: einsum,
  NegativeLogLikelihoodLoss: (f) => loss(f, false),
  SoftmaxCrossEntropyLoss: (f) => loss(f, (f.node.output ?? []).length > 1),
  DFT: dft,
  HannWindow: window,
  HammingWindow: window,
  BlackmanWindow: window,
  RandomNormal: random,
  RandomUniform: random,
  Multinomial: (f) => [{ elemType: intAttr(f.node, 'dtype', DataType.INT32), shape: [f.input(0)?.shape?.[0] ?? null, intAttr(f.node, 'sample_size', 1)] }],
  MelWeightMatrix: (f) => [{
    elemType: intAttr(f.node, 'output_datatype', DataType.FLOAT),
    shape: [f.dims.add(f.dims.floorDiv(f.value(1)?.[0] ?? null, 2), 1), f.value(0)?.[0] ?? null],
  }],
};

/** com.microsoft ops with their own shapes. */
export const contribNNRules: Record<string, ShapeRule> = {
  FusedMatMul: (f) => {
    const t = (shape: Dim[] | undefined, flag: string) =>
      shape && shape.length >= 2 && intAttr(f.node, flag, 0) ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape;
    return [{ elemType: f.input(0)?.elemType ?? 0, shape: matmulShape(f.dims, t(f.input(0)?.shape, 'transA'), t(f.input(1)?.shape, 'transB')) }];
  },
  MatMulNBits: (f) => {
    const a = f.input(0);
    const n = intAttr(f.node, 'N', 0);
    return [{ elemType: a?.elemType ?? 0, shape: a?.shape && n ? [...a.shape.slice(0, -1), n] : undefined }];
  },
  MatMulIntegerToFloat: matmul((f) => f.input(2)?.elemType ?? DataType.FLOAT),
  DynamicQuantizeMatMul: matmul(() => DataType.FLOAT),
  MatMulInteger16: matmul(() => DataType.INT32),
  QLinearAdd: (f) => [{ elemType: f.input(7)?.elemType ?? DataType.UINT8, shape: broadcastShapes(f.dims, [f.input(0)?.shape, f.input(3)?.shape]) }],
  QLinearMul: (f) => [{ elemType: f.input(7)?.elemType ?? DataType.UINT8, shape: broadcastShapes(f.dims, [f.input(0)?.shape, f.input(3)?.shape]) }],
  QuantizeLinear: (f) => [{ elemType: f.input(2)?.elemType || DataType.UINT8, shape: f.input(0)?.shape }],
  DequantizeLinear: (f) => [{ elemType: f.input(1)?.elemType || DataType.FLOAT, shape: f.input(0)?.shape }],
  Gelu: (f) => (f.input(0) ? [f.input(0)!] : []),
  Attention: (f) => {
    const x = f.input(0)?.shape;
    const bias = f.input(2)?.shape;
    const hidden = bias?.[0] !== undefined ? f.dims.floorDiv(bias[0], 3) : null;
    return [{ elemType: f.input(0)?.elemType ?? 0, shape: x?.length === 3 ? [x[0], x[1], hidden] : undefined }];
  },
  MultiHeadAttention: (f) => {
    const q = f.input(0)?.shape;
    const v = f.input(2)?.shape;
    const hidden = v?.length === 3 ? v[2] : q?.length === 3 ? q[2] : null;
    return [{ elemType: f.input(0)?.elemType ?? 0, shape: q?.length === 3 ? [q[0], q[1], hidden] : undefined }];
  },
};
