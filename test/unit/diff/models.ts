// Model pairs for the diff tests: generated models and copies edited the way a user's tools edit them.
import { generateMlp } from '../../../bench/generate/index.js';
import { floatTensor } from '../../../bench/generate/tensors.js';
import { AttributeType, DataType, onnx, toLong, type ModelProto, type TensorProto } from '../../../src/core/model/proto.js';
import { tensorToArray, arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { tensorInfo } from '../../helpers/models.js';

/** Gemm, Relu, Gemm, Relu, ..., Gemm: `layers` Gemms named /net/net.{2k}/Gemm. */
export function mlp(layers = 3, width = 16): ModelProto {
  return generateMlp({ inputs: 8, hidden: Array.from({ length: layers - 1 }, () => width), outputs: 4, seed: 3 });
}

export const ops = (model: ModelProto, indices: number[]) => indices.map((i) => model.graph!.node![i].opType);
export const nodeIndex = (model: ModelProto, name: string) => model.graph!.node!.findIndex((n) => n.name === name);

/** Every node and every value that is not a graph input or output renamed, as a re-export would. */
export function renamed(model: ModelProto): ModelProto {
  const copy = cloneModel(model);
  const g = copy.graph!;
  const keep = new Set([...(g.input ?? []), ...(g.output ?? [])].map((v) => v.name));
  const names = new Map<string, string>();
  const rename = (name: string) => {
    if (!name || keep.has(name)) return name;
    let fresh = names.get(name);
    if (!fresh) names.set(name, (fresh = `v${names.size}`));
    return fresh;
  };
  for (const t of g.initializer ?? []) t.name = rename(t.name ?? '');
  g.node!.forEach((n, i) => {
    n.name = `node_${i}`;
    n.input = (n.input ?? []).map(rename);
    n.output = (n.output ?? []).map(rename);
  });
  for (const v of g.valueInfo ?? []) v.name = rename(v.name ?? '');
  return copy;
}

/** A Sigmoid inserted after the node named `after`. */
export function inserted(model: ModelProto, after: string): ModelProto {
  const copy = cloneModel(model);
  const g = copy.graph!;
  const at = nodeIndex(copy, after);
  const out = g.node![at].output![0];
  const fresh = `${out}_sigmoid`;
  for (const n of g.node!) n.input = (n.input ?? []).map((i) => (i === out ? fresh : i));
  g.node!.splice(at + 1, 0, new onnx.NodeProto({ name: 'inserted_sigmoid', opType: 'Sigmoid', input: [out], output: [fresh] }));
  return copy;
}

/** The one-input node named `name` removed, its readers reading its input instead. */
export function removed(model: ModelProto, name: string): ModelProto {
  const copy = cloneModel(model);
  const g = copy.graph!;
  const at = nodeIndex(copy, name);
  const [node] = g.node!.splice(at, 1);
  for (const n of g.node!) n.input = (n.input ?? []).map((i) => (i === node.output![0] ? node.input![0] : i));
  return copy;
}

export function withAttribute(model: ModelProto, node: string, name: string, value: number): ModelProto {
  const copy = cloneModel(model);
  const n = copy.graph!.node![nodeIndex(copy, node)];
  n.attribute = (n.attribute ?? []).filter((a) => a.name !== name);
  n.attribute.push(new onnx.AttributeProto({ name, type: AttributeType.FLOAT, f: value }));
  return copy;
}

/** The initializer `name` with every value multiplied by `factor` (only element `only` when given). */
export function scaledWeight(model: ModelProto, name: string, factor: number, only?: number): ModelProto {
  const copy = cloneModel(model);
  const g = copy.graph!;
  const at = g.initializer!.findIndex((t) => t.name === name);
  const array = tensorToArray(g.initializer![at]);
  const data = Float32Array.from(array.data as Float32Array);
  for (let i = 0; i < data.length; i++) if (only === undefined || i === only) data[i] *= factor;
  g.initializer![at] = arrayToTensor(name, { ...array, data });
  return copy;
}

/**
 * y = Relu(x @ Transpose(c1 + c2)): the weight is computed from two Constant nodes, a chain fold turns
 * into one initializer.
 */
export function foldableModel(): ModelProto {
  const c1 = floatTensor('', [3, 4], Float32Array.from({ length: 12 }, (_, i) => i / 10));
  const c2 = floatTensor('', [3, 4], Float32Array.from({ length: 12 }, (_, i) => 1 - i / 20));
  const constant = (name: string, t: TensorProto) => new onnx.NodeProto({
    name, opType: 'Constant', output: [`${name}_out`], attribute: [new onnx.AttributeProto({ name: 'value', type: AttributeType.TENSOR, t })],
  });
  return new onnx.ModelProto({
    irVersion: toLong(8),
    opsetImport: [{ domain: '', version: toLong(17) }],
    graph: {
      name: 'foldable',
      node: [
        constant('c1', c1),
        constant('c2', c2),
        { name: 'sum', opType: 'Add', input: ['c1_out', 'c2_out'], output: ['sum_out'] },
        { name: 'transpose', opType: 'Transpose', input: ['sum_out'], output: ['w'] },
        { name: 'matmul', opType: 'MatMul', input: ['x', 'w'], output: ['xw'] },
        { name: 'relu', opType: 'Relu', input: ['xw'], output: ['y'] },
      ],
      input: [tensorInfo('x', DataType.FLOAT, ['N', 4])],
      output: [tensorInfo('y', DataType.FLOAT, ['N', 3])],
    },
  });
}

/** out = If(cond) then x + 1 else x - 1, the then branch's constant given. */
export function ifModel(thenAddend: number): ModelProto {
  const branch = (name: string, op: string, value: number) => new onnx.GraphProto({
    name,
    node: [
      { name: `${name}_const`, opType: 'Constant', output: [`${name}_c`], attribute: [{ name: 'value', type: AttributeType.TENSOR, t: floatTensor('', [], Float32Array.of(value)) }] },
      { name: `${name}_op`, opType: op, input: ['x', `${name}_c`], output: [`${name}_out`] },
    ],
    output: [tensorInfo(`${name}_out`, DataType.FLOAT, [2])],
  });
  return new onnx.ModelProto({
    irVersion: toLong(8),
    opsetImport: [{ domain: '', version: toLong(17) }],
    graph: {
      name: 'if',
      node: [{
        name: 'if', opType: 'If', input: ['cond'], output: ['out'],
        attribute: [
          { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then', 'Add', thenAddend) },
          { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else', 'Sub', 1) },
        ],
      }],
      input: [tensorInfo('cond', DataType.BOOL, []), tensorInfo('x', DataType.FLOAT, [2])],
      output: [tensorInfo('out', DataType.FLOAT, [2])],
    },
  });
}
