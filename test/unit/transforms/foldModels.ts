// Small models with foldable structure, built with the proto API (shared by the fold and prune tests).
import { AttributeType, DataType, onnx, toLong, type ModelProto, type NodeProto, type TensorProto } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { tensorType } from '../../../src/core/transforms/graphEdit.js';

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, number | number[] | TensorProto | onnx.IGraphProto | string> = {}, name?: string): NodeProto {
  const attribute = Object.entries(attrs).map(([key, v]) => {
    if (typeof v === 'number') return Number.isInteger(v) ? { name: key, type: AttributeType.INT, i: toLong(v) } : { name: key, type: AttributeType.FLOAT, f: v };
    if (typeof v === 'string') return { name: key, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name: key, type: AttributeType.INTS, ints: v.map((x) => toLong(x)) };
    if ('dataType' in v || 'dims' in v) return { name: key, type: AttributeType.TENSOR, t: v as TensorProto };
    return { name: key, type: AttributeType.GRAPH, g: v as onnx.IGraphProto };
  });
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: name ?? `${opType}_${outputs[0]}`, attribute });
}

export const f32 = (name: string, dims: number[], values: number[]) => arrayToTensor(name, { dtype: DataType.FLOAT, dims, data: Float32Array.from(values) });
export const i64 = (name: string, dims: number[], values: number[]) => arrayToTensor(name, { dtype: DataType.INT64, dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });
export const bool = (name: string, value: boolean) => arrayToTensor(name, { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(value ? 1 : 0) });

export function valueInfo(name: string, elemType: number, shape?: Array<number | string>) {
  return onnx.ValueInfoProto.create({ name, type: tensorType(elemType, shape) });
}

export function model(graph: onnx.IGraphProto, opset = 17, irVersion = 8): ModelProto {
  return onnx.ModelProto.create({
    irVersion, producerName: 'onnx-lens-test', docString: 'test model',
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: [{ key: 'author', value: 'tests' }],
    graph: { name: 'g', ...graph },
  });
}

export function seq(n: number, scale = 0.1): number[] {
  return Array.from({ length: n }, (_, i) => ((i * 37) % 17) * scale - 0.8);
}

/** x[2,3,4] -> Shape -> Gather(0) -> Unsqueeze -> Concat([-1]) -> Reshape(x), then MatMul with a weight. */
export function shapeChainModel(): ModelProto {
  return model({
    input: [valueInfo('x', DataType.FLOAT, [2, 3, 4])],
    output: [valueInfo('y', DataType.FLOAT, [2, 5])],
    initializer: [i64('zero', [], [0]), i64('axes0', [1], [0]), i64('minus1', [1], [-1]), f32('w', [12, 5], seq(60)), f32('wt_src', [5, 12], seq(60, 0.05))],
    node: [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'zero'], ['batch'], { axis: 0 }),
      node('Unsqueeze', ['batch', 'axes0'], ['batch1']),
      node('Concat', ['batch1', 'minus1'], ['newshape'], { axis: 0 }),
      node('Reshape', ['x', 'newshape'], ['flat']),
      node('Transpose', ['wt_src'], ['wt'], { perm: [1, 0] }),
      node('Add', ['w', 'wt'], ['w2']),
      node('Identity', ['w2'], ['w3']),
      node('Identity', ['w3'], ['w4']),
      node('MatMul', ['flat', 'w4'], ['y']),
    ],
  });
}

/** ConstantOfShape from a constant shape, a constant If, a random op and a dead branch. */
export function mixedModel(): ModelProto {
  const thenBranch = onnx.GraphProto.create({
    name: 'then', output: [valueInfo('then_out', DataType.FLOAT, [2, 3])],
    initializer: [f32('then_c', [2, 3], [1, 2, 3, 4, 5, 6])],
    node: [node('Mul', ['x', 'then_c'], ['then_out'])],
  });
  const elseBranch = onnx.GraphProto.create({
    name: 'else', output: [valueInfo('else_out', DataType.FLOAT, [2, 3])],
    node: [node('Neg', ['x'], ['else_out'])],
  });
  return model({
    input: [valueInfo('x', DataType.FLOAT, ['N', 3].map((d) => (d === 'N' ? 2 : d)) as number[])],
    output: [valueInfo('y', DataType.FLOAT, [2, 3]), valueInfo('r', DataType.FLOAT, [2, 3])],
    initializer: [i64('shape', [2], [2, 3])],
    node: [
      node('Constant', [], ['flag'], { value: bool('flag', true) }),
      node('ConstantOfShape', ['shape'], ['ones'], { value: f32('v', [1], [1.5]) }),
      node('If', ['flag'], ['branch'], { then_branch: thenBranch, else_branch: elseBranch }),
      node('Add', ['branch', 'ones'], ['y']),
      node('RandomNormalLike', ['ones'], ['noise'], { seed: 3.5 }),
      node('Mul', ['noise', 'ones'], ['dead']),
      node('Mul', ['ones', 'ones'], ['r']),
    ],
  });
}
