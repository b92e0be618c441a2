// Shape rules of ops whose output has the shape of an input or of their inputs broadcast together:
// activations, arithmetic, comparisons, normalizations, casts, quantization, constants.
import { DataType, int64ToNumber } from '../model/proto.js';
import { constantNodeValue } from '../model/tensorValues.js';
import { broadcastShapes, normAxis, type InferredType, type ShapeRule } from './shapeRuleKit.js';
import { intAttr } from '../model/graphQueries.js';

/** Same element type and shape as input 0. */
const sameAsFirst: ShapeRule = (f) => {
  const x = f.input(0);
  return x ? [x] : [];
};

const unary = [
  'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Abs', 'Neg', 'Sqrt', 'Erf', 'Identity', 'Softmax', 'LogSoftmax', 'Hardmax',
  'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'HardSigmoid', 'HardSwish', 'Mish', 'Softplus', 'Softsign', 'ThresholdedRelu',
  'Clip', 'Floor', 'Ceil', 'Round', 'Sign', 'Reciprocal', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh',
  'Asinh', 'Acosh', 'Atanh', 'Not', 'BitwiseNot', 'CumSum', 'Trilu', 'LpNormalization', 'InstanceNormalization', 'LRN',
  'MeanVarianceNormalization', 'Shrink', 'ReverseSequence', 'GroupNormalization', 'PRelu', 'Scatter', 'ScatterElements',
  'ScatterND', 'Swish',
];
const broadcasting = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Max', 'Min', 'Sum', 'Mean', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor'];
const comparison = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'];

const broadcastRule = (elemType: (types: Array<InferredType | undefined>) => number): ShapeRule => (f) => {
  const ts = (f.node.input ?? []).map((name, i) => (name ? f.input(i) : undefined));
  return [{ elemType: elemType(ts), shape: broadcastShapes(f.dims, ts.map((t) => t?.shape)) }];
};

const firstType = (ts: Array<InferredType | undefined>) => ts.find((t) => t?.elemType)?.elemType ?? 0;

/** Normalization statistics: the input's shape with the normalized axes (from `axis` on) kept as 1. */
const layerNorm = (statsFrom: number): ShapeRule => (f) => {
  const x = f.input(0);
  if (!x) return [];
  const shape = x.shape;
  const axis = shape ? normAxis(intAttr(f.node, 'axis', -1), shape.length) : undefined;
  const stats: InferredType = {
    elemType: intAttr(f.node, 'stash_type', 1) === 1 ? DataType.FLOAT : x.elemType,
    shape: shape && axis !== undefined ? shape.map((d, i) => (i < axis ? d : 1)) : undefined,
  };
  const out: Array<InferredType | undefined> = [x];
  for (let i = 1; i < (f.node.output ?? []).length; i++) out.push(i >= statsFrom ? x : stats);
  return out;
};

export const elementwiseRules: Record<string, ShapeRule> = {
  ...Object.fromEntries(unary.map((op) => [op, sameAsFirst])),
  ...Object.fromEntries(broadcasting.map((op) => [op, broadcastRule(firstType)])),
  ...Object.fromEntries(comparison.map((op) => [op, broadcastRule(() => DataType.BOOL)])),
  Where: broadcastRule((ts) => ts[1]?.elemType || ts[2]?.elemType || 0),
  IsNaN: (f) => [{ elemType: DataType.BOOL, shape: f.input(0)?.shape }],
  IsInf: (f) => [{ elemType: DataType.BOOL, shape: f.input(0)?.shape }],
  Cast: (f) => [{ elemType: intAttr(f.node, 'to', 0), shape: f.input(0)?.shape }],
  CastLike: (f) => [{ elemType: f.input(1)?.elemType ?? 0, shape: f.input(0)?.shape }],
  Dropout: (f) => {
    const x = f.input(0);
    return x ? [x, { elemType: f.opset >= 10 ? DataType.BOOL : x.elemType, shape: x.shape }] : [];
  },
  Constant: (f) => {
    const t = constantNodeValue(f.node);
    return t ? [{ elemType: t.dataType ?? 0, shape: (t.dims ?? []).map((d) => int64ToNumber(d)) }] : [];
  },
  EyeLike: (f) => {
    const x = f.input(0);
    return [{ elemType: intAttr(f.node, 'dtype', 0) || x?.elemType || 0, shape: x?.shape }];
  },
  RandomNormalLike: (f) => [{ elemType: intAttr(f.node, 'dtype', 0) || f.input(0)?.elemType || 0, shape: f.input(0)?.shape }],
  RandomUniformLike: (f) => [{ elemType: intAttr(f.node, 'dtype', 0) || f.input(0)?.elemType || 0, shape: f.input(0)?.shape }],
  Bernoulli: (f) => [{ elemType: intAttr(f.node, 'dtype', 0) || f.input(0)?.elemType || 0, shape: f.input(0)?.shape }],
  BatchNormalization: (f) => {
    const x = f.input(0);
    if (!x) return [];
    const channel: InferredType = { elemType: f.input(1)?.elemType ?? x.elemType, shape: x.shape ? [x.shape[1] ?? null] : undefined };
    return [x, ...new Array<InferredType>(Math.max(0, (f.node.output ?? []).length - 1)).fill(channel)];
  },
  LayerNormalization: layerNorm(3),
  QuantizeLinear: (f) => [{ elemType: f.input(2)?.elemType || intAttr(f.node, 'output_dtype', 0) || DataType.UINT8, shape: f.input(0)?.shape }],
  DequantizeLinear: (f) => [{ elemType: intAttr(f.node, 'output_dtype', 0) || f.input(1)?.elemType || DataType.FLOAT, shape: f.input(0)?.shape }],
  DynamicQuantizeLinear: (f) => [
    { elemType: DataType.UINT8, shape: f.input(0)?.shape },
    { elemType: DataType.FLOAT, shape: [] },
    { elemType: DataType.UINT8, shape: [] },
  ],
  Size: () => [{ elemType: DataType.INT64, shape: [] }],
};

/** com.microsoft contrib ops that onnxruntime's optimizers and our quantizer write. */
export const contribElementwiseRules: Record<string, ShapeRule> = {
  ...Object.fromEntries(['FastGelu', 'BiasGelu', 'QuickGelu', 'Gelu', 'RotaryEmbedding', 'BiasAdd'].map((op) => [op, sameAsFirst])),
  SkipLayerNormalization: layerNorm(3),
  SkipSimplifiedLayerNormalization: layerNorm(3),
  SimplifiedLayerNormalization: layerNorm(2),
};
