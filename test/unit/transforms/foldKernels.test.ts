// Fold's own kernels for small constant values against onnxruntime: each case is one node on constant
// inputs, computed by evaluateSmall and by onnxruntime in its child; the values must be identical, bit for
// bit. Cases a kernel leaves to onnxruntime must come back undefined, never a different answer.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DataType, onnx, type NodeProto, type TensorProto } from '../../../src/core/model/proto.js';
import { arrayToTensor, tensorToArray, type TensorArray } from '../../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { evaluateSmall } from '../../../src/core/transforms/foldKernels.js';
import { runtimeEvaluator } from '../../../src/core/transforms/foldTransform.js';
import { f32, i64, model, node } from './foldModels.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const evaluate = runtimeEvaluator(client);

const i32 = (name: string, dims: number[], values: number[]) => arrayToTensor(name, { dtype: DataType.INT32, dims, data: Int32Array.from(values) });
const b = (name: string, dims: number[], values: boolean[]) => arrayToTensor(name, { dtype: DataType.BOOL, dims, data: Uint8Array.from(values, (v) => (v ? 1 : 0)) });

interface Case {
  label: string;
  node: NodeProto;
  inputs: TensorProto[];
  opset?: number;
  /** The kernel leaves it to onnxruntime. */
  leaves?: boolean;
}

const x = i64('x', [2, 3], [1, -2, 3, 4, 5, -6]);
const cases: Case[] = [
  { label: 'Add int64 broadcast', node: node('Add', ['x', 'y'], ['o']), inputs: [x, i64('y', [3], [10, 20, 30])] },
  { label: 'Sub int32', node: node('Sub', ['x', 'y'], ['o']), inputs: [i32('x', [2], [2 ** 31 - 1, -5]), i32('y', [2], [-1, 7])] },
  { label: 'Mul int64 scalar', node: node('Mul', ['x', 'y'], ['o']), inputs: [x, i64('y', [], [-3])] },
  { label: 'Div int64 truncates toward zero', node: node('Div', ['x', 'y'], ['o']), inputs: [i64('x', [4], [7, -7, 7, -7]), i64('y', [4], [2, 2, -2, -2])] },
  { label: 'Div int32', node: node('Div', ['x', 'y'], ['o']), inputs: [i32('x', [3], [9, -9, 100]), i32('y', [3], [4, 4, -7])] },
  { label: 'Add float scalars', node: node('Add', ['x', 'y'], ['o']), inputs: [f32('x', [], [0.1]), f32('y', [], [0.2])] },
  { label: 'Div float', node: node('Div', ['x', 'y'], ['o']), inputs: [f32('x', [3], [1, 2, 10]), f32('y', [3], [3, 7, 0.3])] },
  { label: 'Mul float broadcast', node: node('Mul', ['x', 'y'], ['o']), inputs: [f32('x', [2, 2], [1.1, 2.2, 3.3, 4.4]), f32('y', [2, 1], [0.7, 1.3])] },
  { label: 'Pow float exact', node: node('Pow', ['x', 'y'], ['o']), inputs: [f32('x', [], [4]), f32('y', [], [-0.5])] },
  { label: 'Pow float square', node: node('Pow', ['x', 'y'], ['o']), inputs: [f32('x', [3], [1.5, 3, 0.25]), f32('y', [], [2])] },
  { label: 'Pow float inexact', node: node('Pow', ['x', 'y'], ['o']), inputs: [f32('x', [], [3]), f32('y', [], [0.5])], leaves: true },
  { label: 'Sqrt float', node: node('Sqrt', ['x'], ['o']), inputs: [f32('x', [3], [2, 3, 64])] },
  { label: 'Reciprocal float', node: node('Reciprocal', ['x'], ['o']), inputs: [f32('x', [2], [3, 7])] },
  { label: 'Neg and Abs int64', node: node('Abs', ['x'], ['o']), inputs: [x] },
  { label: 'Max int64 variadic', node: node('Max', ['x', 'y', 'z'], ['o']), inputs: [x, i64('y', [3], [0, 0, 0]), i64('z', [], [4])] },
  { label: 'Equal int64', node: node('Equal', ['x', 'y'], ['o']), inputs: [x, i64('y', [3], [1, 2, 3])] },
  { label: 'Less float', node: node('Less', ['x', 'y'], ['o']), inputs: [f32('x', [3], [1, 2, 3]), f32('y', [], [2])] },
  { label: 'And/Not bool', node: node('And', ['x', 'y'], ['o']), inputs: [b('x', [3], [true, false, true]), b('y', [3], [true, true, false])] },
  { label: 'Where', node: node('Where', ['c', 'x', 'y'], ['o']), inputs: [b('c', [3], [true, false, true]), i64('x', [3], [1, 2, 3]), i64('y', [], [-1])] },
  { label: 'Cast int64 to float', node: node('Cast', ['x'], ['o'], { to: DataType.FLOAT }), inputs: [x] },
  { label: 'Cast int64 to int32 wraps', node: node('Cast', ['x'], ['o'], { to: DataType.INT32 }), inputs: [i64('x', [3], [2 ** 40 + 5, -1, 2 ** 31])] },
  { label: 'Cast float to int64 truncates', node: node('Cast', ['x'], ['o'], { to: DataType.INT64 }), inputs: [f32('x', [4], [1.7, -1.7, 0.5, -3])] },
  { label: 'Cast int64 to bool', node: node('Cast', ['x'], ['o'], { to: DataType.BOOL }), inputs: [i64('x', [3], [0, 5, -1])] },
  { label: 'Cast float to double', node: node('Cast', ['x'], ['o'], { to: DataType.DOUBLE }), inputs: [f32('x', [2], [0.1, -2.5])] },
  { label: 'Reshape with 0 and -1', node: node('Reshape', ['x', 's'], ['o']), inputs: [i64('x', [2, 3, 2], Array.from({ length: 12 }, (_, i) => i)), i64('s', [3], [0, -1, 2])] },
  { label: 'Unsqueeze (input axes)', node: node('Unsqueeze', ['x', 'a'], ['o']), inputs: [x, i64('a', [2], [0, -1])] },
  { label: 'Unsqueeze (attribute axes, opset 11)', node: node('Unsqueeze', ['x'], ['o'], { axes: [1] }), inputs: [x], opset: 11 },
  { label: 'Squeeze', node: node('Squeeze', ['x', 'a'], ['o']), inputs: [i64('x', [1, 3, 1], [4, 5, 6]), i64('a', [1], [2])] },
  { label: 'Flatten', node: node('Flatten', ['x'], ['o'], { axis: 2 }), inputs: [i64('x', [2, 1, 3], [1, 2, 3, 4, 5, 6])] },
  { label: 'Concat axis 1', node: node('Concat', ['x', 'y'], ['o'], { axis: 1 }), inputs: [x, i64('y', [2, 1], [7, 8])] },
  { label: 'Gather axis 1, negative index', node: node('Gather', ['x', 'i'], ['o'], { axis: 1 }), inputs: [x, i64('i', [2], [-1, 0])] },
  { label: 'Gather scalar index', node: node('Gather', ['x', 'i'], ['o'], { axis: 0 }), inputs: [i64('x', [4], [5, 6, 7, 8]), i64('i', [], [2])] },
  { label: 'Slice with steps and clamping', node: node('Slice', ['x', 's', 'e', 'a', 'p'], ['o']), inputs: [i64('x', [8], [0, 1, 2, 3, 4, 5, 6, 7]), i64('s', [1], [1]), i64('e', [1], [1000]), i64('a', [1], [0]), i64('p', [1], [3])] },
  { label: 'Slice backwards', node: node('Slice', ['x', 's', 'e', 'a', 'p'], ['o']), inputs: [i64('x', [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]), i64('s', [1], [-1]), i64('e', [1], [-1000]), i64('a', [1], [1]), i64('p', [1], [-2])] },
  { label: 'Slice pads vector (silero-like)', node: node('Slice', ['x', 's', 'e', 'a', 'p'], ['o']), inputs: [i64('x', [4, 2], [0, 0, 0, 0, 0, 0, 256, 0]), i64('s', [1], [-1]), i64('e', [1], [-(2 ** 53)]), i64('a', [1], [0]), i64('p', [1], [-1])] },
  { label: 'Transpose', node: node('Transpose', ['x'], ['o'], { perm: [1, 0] }), inputs: [x] },
  { label: 'Expand', node: node('Expand', ['x', 's'], ['o']), inputs: [i64('x', [3, 1], [1, 2, 3]), i64('s', [2], [1, 4])] },
  { label: 'Shape with start', node: node('Shape', ['x'], ['o'], { start: 1 }), inputs: [i64('x', [2, 3, 4], Array.from({ length: 24 }, (_, i) => i))], opset: 15 },
  { label: 'Size', node: node('Size', ['x'], ['o']), inputs: [x] },
  { label: 'ConstantOfShape int64', node: node('ConstantOfShape', ['s'], ['o'], { value: i64('v', [1], [7]) }), inputs: [i64('s', [2], [2, 2])] },
  { label: 'Range int64', node: node('Range', ['s', 'l', 'd'], ['o']), inputs: [i64('s', [], [10]), i64('l', [], [1]), i64('d', [], [-3])] },
  { label: 'float weights are left to onnxruntime', node: node('Transpose', ['x'], ['o'], { perm: [1, 0] }), inputs: [f32('x', [5, 12], Array.from({ length: 60 }, (_, i) => i))], leaves: true },
  { label: 'integer division by zero is left to onnxruntime', node: node('Div', ['x', 'y'], ['o']), inputs: [i64('x', [1], [1]), i64('y', [1], [0])], leaves: true },
];

function bytesOf(t: TensorArray): Uint8Array {
  const data = t.data as Exclude<TensorArray['data'], string[]>;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

for (const c of cases) {
  test(`small kernel: ${c.label}`, async () => {
    const opset = c.opset ?? 17;
    const inputs = (c.node.input ?? []).map((name) => {
      const t = c.inputs.find((i) => i.name === name);
      return t ? tensorToArray(t) : undefined;
    });
    const ours = evaluateSmall(c.node, inputs, opset);
    if (c.leaves) {
      assert.equal(ours, undefined);
      return;
    }
    assert.ok(ours, 'computed here');
    const m = model({ node: [c.node], initializer: c.inputs, output: [onnx.ValueInfoProto.create({ name: 'o', type: { tensorType: { elemType: ours[0].dtype } } })] }, opset);
    const theirs = (await evaluate(m, ['o']))['o'];
    assert.equal(ours[0].dtype, theirs.dtype);
    assert.deepEqual(ours[0].dims, theirs.dims);
    assert.deepEqual(bytesOf(ours[0]), bytesOf(theirs));
  });
}
