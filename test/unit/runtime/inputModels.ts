// Generated models whose inputs need more than "every free dim is 1": the shapes real exporters write
// (unnamed dims, a reflect Pad on a dynamic axis, an int64 sample rate that selects an If branch, a Conv
// on dynamic spatial dims). The input specification tests run them through onnxruntime.
import { AttributeType, DataType, onnx, toLong, type ModelProto, type NodeProto, type TensorProto } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';

type Dim = number | string | null;
type Attr = number | number[] | string | onnx.IGraphProto;

function node(opType: string, name: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): NodeProto {
  const attribute = Object.entries(attrs).map(([key, v]) => {
    if (typeof v === 'number') return { name: key, type: AttributeType.INT, i: toLong(v) };
    if (typeof v === 'string') return { name: key, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name: key, type: AttributeType.INTS, ints: v.map((x) => toLong(x)) };
    return { name: key, type: AttributeType.GRAPH, g: v };
  });
  return onnx.NodeProto.create({ opType, name, input: inputs, output: outputs, attribute });
}

/** A tensor value; `null` dims are unnamed (no dim_value, no dim_param), as many exporters write them. */
export function info(name: string, elemType: number, shape?: Dim[]): onnx.IValueInfoProto {
  const dim = shape?.map((d) => (typeof d === 'number' ? { dimValue: toLong(d) } : typeof d === 'string' ? { dimParam: d } : {}));
  return { name, type: { tensorType: { elemType, ...(dim ? { shape: { dim } } : {}) } } };
}

const f32 = (name: string, dims: number[], fill: (i: number) => number): TensorProto => {
  const count = dims.reduce((a, b) => a * b, 1);
  return arrayToTensor(name, { dtype: DataType.FLOAT, dims, data: Float32Array.from({ length: count }, (_, i) => fill(i)) });
};
const i64 = (name: string, dims: number[], values: number[]): TensorProto => arrayToTensor(name, { dtype: DataType.INT64, dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });
const wave = (i: number) => Math.sin(i * 0.37) * 0.1;

function model(graph: onnx.IGraphProto, opset = 17): ModelProto {
  return onnx.ModelProto.create({
    irVersion: toLong(8), producerName: 'onnx-lens-test', opsetImport: [{ domain: '', version: toLong(opset) }], graph: { name: 'g', ...graph },
  });
}

export const encode = (m: ModelProto): Uint8Array => onnx.ModelProto.encode(m).finish();

/**
 * Like a voice-activity detector: `input` float[?, ?] (both dims unnamed) and `sr` int64 scalar. `sr == 16000`
 * selects the branch that works: Unsqueeze, a reflect Pad of 64 on the time axis, and a Conv with kernel 256,
 * stride 128 (so the time axis needs at least 128 samples). Any other rate takes a branch that reshapes the
 * audio to 99991 samples, which fails, as an unsupported rate does.
 */
export function audioModel(): ModelProto {
  const then = {
    name: 'rate_16k',
    node: [
      node('Unsqueeze', '/rate_16k/Unsqueeze', ['input', 'axis1'], ['frames']),
      node('Pad', '/rate_16k/Pad', ['frames', 'pads'], ['padded'], { mode: 'reflect' }),
      node('Conv', '/rate_16k/stft/Conv', ['padded', 'basis'], ['spectrum'], { strides: [128] }),
    ],
    initializer: [i64('axis1', [1], [1]), i64('pads', [6], [0, 0, 64, 0, 0, 64]), f32('basis', [8, 1, 256], wave)],
    output: [info('spectrum', DataType.FLOAT, [null, 8, null])],
  };
  const otherwise = {
    name: 'other_rate',
    node: [node('Reshape', '/other_rate/Reshape', ['input', 'fixed'], ['reshaped'])],
    initializer: [i64('fixed', [3], [1, 1, 99991])],
    output: [info('reshaped', DataType.FLOAT, [1, 1, 99991])],
  };
  return model({
    input: [info('input', DataType.FLOAT, [null, null]), info('sr', DataType.INT64, [])],
    output: [info('output', DataType.FLOAT, [null, null, null])],
    initializer: [i64('rate', [], [16000])],
    node: [
      node('Equal', '/Equal', ['sr', 'rate'], ['is_16k']),
      node('If', '/If', ['is_16k'], ['output'], { then_branch: then, else_branch: otherwise }),
    ],
  });
}

/**
 * An image model with symbolic spatial dims: Conv (5x5, dilation 2: a 9x9 window), Relu, MaxPool 3x3 stride 2,
 * GlobalAveragePool, Flatten. `height` and `width` must be at least 18 for both windows to fit.
 */
export function convModel(): ModelProto {
  return model({
    input: [info('image', DataType.FLOAT, ['batch', 3, 'height', 'width'])],
    output: [info('features', DataType.FLOAT, ['batch', 4])],
    initializer: [f32('W', [4, 3, 5, 5], wave), f32('B', [4], (i) => i * 0.1)],
    node: [
      node('Conv', '/backbone/Conv', ['image', 'W', 'B'], ['conv'], { dilations: [2, 2] }),
      node('Relu', '/backbone/Relu', ['conv'], ['relu']),
      node('MaxPool', '/backbone/MaxPool', ['relu'], ['pooled'], { kernel_shape: [3, 3], strides: [2, 2] }),
      node('GlobalAveragePool', '/head/GlobalAveragePool', ['pooled'], ['gap']),
      node('Flatten', '/head/Flatten', ['gap'], ['features']),
    ],
  });
}

/**
 * Unnamed dims tied by the graph: `tokens` float[?, ?] @ W[64, 16] ties tokens[1] to 64; `+ mask` float[?, ?]
 * ties mask[1] to 16 and mask[0] to tokens[0]. Nothing in the graph says what tokens[0] is.
 */
export function tokensModel(): ModelProto {
  return model({
    input: [info('tokens', DataType.FLOAT, [null, null]), info('mask', DataType.FLOAT, [null, null])],
    output: [info('y', DataType.FLOAT, [null, 16])],
    initializer: [f32('W', [64, 16], wave)],
    node: [
      node('MatMul', '/proj/MatMul', ['tokens', 'W'], ['projected']),
      node('Add', '/proj/Add', ['projected', 'mask'], ['y']),
    ],
  });
}

/**
 * An exporter's dim names: `x` is [batch, features]; the output `y` = Relu(x) is declared [batch, 10]: the
 * exporter knew that `features` is 10. Outputs are declared in an order that JavaScript objects do not keep
 * (integer-like names first): `z`, `7`, `3`.
 */
export function declaredModel(): ModelProto {
  return model({
    input: [info('x', DataType.FLOAT, ['batch', 'features'])],
    output: [info('z', DataType.FLOAT, ['batch', 10]), info('7', DataType.FLOAT, ['batch', 10]), info('3', DataType.FLOAT, ['batch', 10])],
    node: [
      node('Relu', '/Relu', ['x'], ['z']),
      node('Neg', '/Neg', ['x'], ['7']),
      node('Abs', '/Abs', ['x'], ['3']),
    ],
  });
}

/** An input with a declared shape too large to allocate ([2^20, 2^20] float: 4 TiB), and one with a negative dim. */
export function hugeModel(): ModelProto {
  return model({
    input: [info('big', DataType.FLOAT, [1 << 20, 1 << 20])],
    output: [info('out', DataType.FLOAT, [1 << 20, 1 << 20])],
    node: [node('Relu', '/Relu', ['big'], ['out'])],
  });
}

export function negativeDimModel(): ModelProto {
  return model({
    input: [info('x', DataType.FLOAT, [-1, 3])],
    output: [info('y', DataType.FLOAT, [null, 3])],
    node: [node('Relu', '/Relu', ['x'], ['y'])],
  });
}

/** An int64 scalar `steps` that nothing compares: `Range(0, steps, 1)` counts up to it. */
export function rangeModel(): ModelProto {
  return model({
    input: [info('steps', DataType.INT64, [])],
    output: [info('counted', DataType.INT64, [null])],
    initializer: [i64('zero', [], [0]), i64('one', [], [1])],
    node: [node('Range', '/Range', ['zero', 'steps', 'one'], ['counted'])],
  });
}

/** An input that declares no shape at all (rank unknown). */
export function unshapedModel(): ModelProto {
  return model({
    input: [info('x', DataType.FLOAT)],
    output: [info('y', DataType.FLOAT)],
    node: [node('Identity', '/Identity', ['x'], ['y'])],
  });
}

/**
 * Two Conv windows of 5: one over `a` [1, 1, L] (L must be at least 5), one over `b`, whose fixed length 2 is
 * too short whatever L is (a broken model: onnxruntime must say so, the guess must not grow without end).
 */
export function brokenWindowModel(): ModelProto {
  return model({
    input: [info('a', DataType.FLOAT, [1, 1, 'L']), info('b', DataType.FLOAT, [1, 1, 2])],
    output: [info('ya', DataType.FLOAT, [1, 1, null]), info('yb', DataType.FLOAT, [1, 1, null])],
    initializer: [f32('k', [1, 1, 5], () => 0.2)],
    node: [node('Conv', '/ConvA', ['a', 'k'], ['ya']), node('Conv', '/ConvB', ['b', 'k'], ['yb'])],
  });
}
