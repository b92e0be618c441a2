// Deleting nodes (bypass, dangling consumers confirmed, inside subgraphs) and editing attributes.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { applyEdit, EditNeedsConfirmation, EditRefused, parseAttributeValue, type ModelEdit } from '../../../src/core/edit/index.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { attribute } from '../../../src/core/model/graphQueries.js';
import { AttributeType, int64ToNumber, onnx, type ModelProto } from '../../../src/core/model/proto.js';
import { typeText } from '../../../src/core/model/types.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { checker, feeds, fixture, ifModel, runModel, values } from './editHelpers.js';

const client = RuntimeClient.start();
const dir = tempDir('onnx-lens-edit-nodes-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function refused(model: ModelProto, edit: ModelEdit, message: RegExp): Error {
  const bytes = encodeModel(model);
  let caught: Error | undefined;
  assert.throws(() => applyEdit(model, edit), (e: Error) => {
    caught = e;
    return e instanceof EditRefused && message.test(e.message) && !e.message.includes('\n');
  }, JSON.stringify(edit));
  assert.deepEqual(encodeModel(model), bytes);
  return caught!;
}

test('delete a single-input single-output node: bypassed, its reader reads its input; numbers as without it', async () => {
  const { model, inputs } = await fixture('cnn_torchscript');
  const result = applyEdit(model, { kind: 'deleteNode', node: { name: '/Relu' } });
  assert.equal(result.label, "Delete Relu '/Relu' (its readers now read '/conv1/Conv_output_0')");
  const g = result.model.graph!;
  assert.equal(g.node!.length, model.graph!.node!.length - 1);
  assert.deepEqual(g.node!.find((n) => n.name === '/pool/MaxPool')!.input, ['/conv1/Conv_output_0']);
  assert.equal(result.followUp, undefined, 'nothing left dead');
  assert.equal(checker(result.model, dir), '');
  // Without the first Relu the model computes MaxPool(conv1): the same as the original with that Relu
  // made an Identity by hand.
  const withIdentity = applyEdit(model, { kind: 'renameNode', node: { name: '/Relu' }, to: 'kept' }).model;
  withIdentity.graph = { ...withIdentity.graph, node: withIdentity.graph!.node!.map((n) => (n.name === 'kept' ? { ...n, opType: 'Identity' } : n)) };
  const expected = await runModel(client, withIdentity, inputs);
  const actual = await runModel(client, result.model, inputs);
  assert.deepEqual(values(actual.logits), values(expected.logits));
});

test('delete the node that computes a graph output: its input takes the output name, so the signature stays', async () => {
  const model = ifModel();
  const result = applyEdit(model, { kind: 'deleteNode', node: { name: 'relu' } });
  assert.equal(result.label, "Delete Relu 'relu' ('y' is now named 'z')");
  assert.deepEqual(result.model.graph!.node!.map((n) => [n.name, n.output]), [['sum', ['total']], ['positive', ['cond']], ['branch', ['z']]]);
  assert.deepEqual(result.model.graph!.output!.map((o) => o.name), ['z']);
  const x = feeds(2).x;
  const expected = applyEdit(model, { kind: 'exposeOutput', value: 'y' }).model;
  const [want, got] = [await runModel(client, expected, { x }), await runModel(client, result.model, { x })];
  assert.deepEqual(values(got.z), values(want.y));
  assert.equal(checker(result.model, dir), '');
});

test('delete a node inside an If branch (by graph id): bypassed there; the other branch is shared', async () => {
  const model = ifModel();
  const result = applyEdit(model, { kind: 'deleteNode', node: { graph: '/2.then_branch', name: 'then_mul' } });
  const then = result.model.graph!.node![2].attribute!.find((a) => a.name === 'then_branch')!.g!;
  assert.deepEqual(then.node!.map((n) => [n.name, n.input]), [['then_add', ['x', 'b']]]);
  assert.equal(result.model.graph!.node![2].attribute![1], model.graph!.node![2].attribute![1]);
  assert.equal(checker(result.model, dir), '');
  const x = { ...feeds(1).x, data: Float32Array.from([1, 2, 3, 4]) };
  assert.deepEqual(values((await runModel(client, result.model, { x })).z), [1.5, 1, 5, 4.25]);
});

test('delete a node whose readers would dangle: confirmation first, then its result becomes a graph input', async () => {
  const model = ifModel();
  const error = refused(model, { kind: 'deleteNode', node: { name: 'positive' } }, /^Deleting Greater 'positive' leaves If 'branch' without input: its results 'cond' become graph inputs\. Confirm to delete it\.$/);
  assert.ok(error instanceof EditNeedsConfirmation);
  assert.deepEqual(error.items, ["If 'branch'"]);
  assert.deepEqual(error.confirmed, { kind: 'deleteNode', node: { name: 'positive' }, confirmDangling: true });
  const result = applyEdit(model, error.confirmed);
  assert.equal(result.label, "Delete Greater 'positive' ('cond' now graph input)");
  assert.deepEqual(result.model.graph!.input!.map((v) => `${v.name}:${typeText(v.type)}`), ['x:float[N,4]', 'cond:bool[]']);
  assert.ok(result.followUp, 'the ReduceSum that fed it is dead now');
  assert.deepEqual(result.followUp.items, ['sum', 'zero']);
  const cleaned = applyEdit(result.model, result.followUp.edit);
  assert.deepEqual(cleaned.model.graph!.node!.map((n) => n.name), ['branch', 'relu']);
  assert.equal(checker(cleaned.model, dir), '');
  const x = { ...feeds(1).x, data: Float32Array.from([1, 2, 3, 4]) };
  const out = await runModel(client, cleaned.model, { x, cond: { dtype: 9, dims: [], data: Uint8Array.from([0]) } });
  assert.deepEqual(values(out.z), [0.5, 3, 1, 3.75]);
});

test('delete refusals: outputs all gone, a branch output from a captured value, a pass-through that changes type', async () => {
  const model = ifModel();
  refused(model, { kind: 'deleteNode', node: { name: 'branch' } }, /^Deleting If 'branch' leaves Relu 'relu' without input: its results 'y' become graph inputs\. Confirm to delete it\.$/);
  refused(model, { kind: 'deleteNode', node: { graph: '/2.else_branch', name: 'else_sub' } }, /^Sub 'else_sub' computes graph output 'else_out' straight from 'x', which no other node of this graph computes; deleting it would change the graph's outputs\.$/);
  const { model: cnn } = await fixture('cnn_torchscript');
  refused(cnn, { kind: 'deleteNode', node: { name: '/fc/Gemm' } }, /^Gemm '\/fc\/Gemm' computes every output of the model; deleting it would leave the model without outputs\.$/);
  refused(model, { kind: 'deleteNode', node: { name: 'ghost' } }, /^No node named 'ghost' in this graph\.$/);
  const { model: transformer } = await fixture('transformer_torchscript');
  const shape = transformer.graph!.node!.find((n) => n.opType === 'Shape')!;
  refused(transformer, { kind: 'deleteNode', node: { name: shape.name! } }, new RegExp(`^Deleting Shape '${shape.name}' leaves .* without input: its results '${shape.output![0]}' become graph inputs\\. Confirm to delete it\\.$`));
});

test('set attributes: an existing one keeps its type, a new one takes the schema type; onnxruntime sees the change', async () => {
  const { model: cnn, inputs } = await fixture('cnn_torchscript');
  const fc = cnn.graph!.node!.find((n) => n.opType === 'Gemm')!;
  const alpha = applyEdit(cnn, { kind: 'setAttribute', node: { name: fc.name! }, attribute: 'alpha', value: 2 });
  assert.equal(alpha.label, "Set alpha of Gemm '/fc/Gemm' to 2");
  const a = attribute(alpha.model.graph!.node!.find((n) => n.name === fc.name)!, 'alpha')!;
  assert.equal(a.type, AttributeType.FLOAT);
  assert.equal(a.f, 2);
  const beta = applyEdit(alpha.model, { kind: 'setAttribute', node: { name: fc.name! }, attribute: 'beta', value: 0 });
  const base = await runModel(client, cnn, inputs);
  const scaled = await runModel(client, beta.model, inputs);
  // With beta 0 the bias drops out: logits' = 2 * (logits - bias).
  const bias = values((await import('../../../src/core/model/tensorValues.js')).tensorToArray(cnn.graph!.initializer!.find((t) => t.name === fc.input![2])!));
  const want = values(base.logits).map((v, i) => 2 * (v - bias[i % 10]));
  values(scaled.logits).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `${v} vs ${want[i]}`));
  assert.equal(checker(beta.model, dir), '');
  const pool = applyEdit(cnn, { kind: 'setAttribute', node: { name: '/pool/MaxPool' }, attribute: 'strides', value: [1, 1] });
  assert.deepEqual(attribute(pool.model.graph!.node!.find((n) => n.name === '/pool/MaxPool')!, 'strides')!.ints!.map((v) => int64ToNumber(v)), [1, 1]);
  const removed = applyEdit(pool.model, { kind: 'removeAttribute', node: { name: '/pool/MaxPool' }, attribute: 'strides' });
  assert.equal(removed.label, "Remove strides from MaxPool '/pool/MaxPool'");
  assert.equal(attribute(removed.model.graph!.node!.find((n) => n.name === '/pool/MaxPool')!, 'strides'), undefined);
  assert.deepEqual((await runModel(client, removed.model, inputs)).logits.dims, [2, 10]);
});

test('attribute refusals: wrong value type, unknown attribute, tensor attributes, required ones', async () => {
  const { model } = await fixture('cnn_torchscript');
  refused(model, { kind: 'setAttribute', node: { name: '/pool/MaxPool' }, attribute: 'kernel_shape', value: 'big' }, /^Attribute 'kernel_shape' is an ints: give whole numbers\.$/);
  refused(model, { kind: 'setAttribute', node: { name: '/pool/MaxPool' }, attribute: 'kernel_shape', value: [1.5, 2] }, /^Attribute 'kernel_shape' is an ints: give whole numbers\.$/);
  refused(model, { kind: 'setAttribute', node: { name: '/fc/Gemm' }, attribute: 'alpha', value: 'x' }, /^Attribute 'alpha' is a float: give a number\.$/);
  refused(model, { kind: 'setAttribute', node: { name: '/fc/Gemm' }, attribute: 'gamma', value: 1 }, /^Gemm \(opset 13\+\) has no attribute 'gamma'\.$/);
  refused(model, { kind: 'setAttribute', node: { name: '/fc/Gemm' }, attribute: 'alpha', value: 1, type: 'int' }, /^Attribute 'alpha' is a float, not int\.$/);
  refused(model, { kind: 'removeAttribute', node: { name: '/pool/MaxPool' }, attribute: 'kernel_shape' }, /^Refused: the model would be invalid \(main graph, node 2 "\/pool\/MaxPool" \(MaxPool\).*kernel_shape.*\)\.$/);
  refused(model, { kind: 'removeAttribute', node: { name: '/fc/Gemm' }, attribute: 'gamma' }, /^Gemm '\/fc\/Gemm' has no attribute 'gamma'\.$/);
  const { model: detector } = await fixture('detector_opset11_constants');
  const constant = detector.graph!.node!.find((n) => n.opType === 'Constant')!;
  refused(detector, { kind: 'setAttribute', node: { name: constant.name! }, attribute: 'value', value: 1 }, /^Attribute 'value' holds a tensor or graph; only int, float, string and lists of them can be edited\.$/);
});

test('attribute values as typed: numbers, lists, text', () => {
  assert.equal(parseAttributeValue('2'), 2);
  assert.equal(parseAttributeValue(' 0.5 '), 0.5);
  assert.equal(parseAttributeValue('NOTSET'), 'NOTSET');
  assert.equal(parseAttributeValue("'1'"), '1');
  assert.deepEqual(parseAttributeValue('2,2'), [2, 2]);
  assert.deepEqual(parseAttributeValue('[1, 2, 3]'), [1, 2, 3]);
  assert.deepEqual(parseAttributeValue('[]'), []);
  assert.deepEqual(parseAttributeValue('a,b'), ['a', 'b']);
});

test('delete an Identity of a weight: bypassed to the weight itself', async () => {
  const model = linearModel();
  model.graph!.node!.unshift(new onnx.NodeProto({ opType: 'Identity', name: 'w_copy', input: ['W'], output: ['W2'] }));
  model.graph!.node![1].input = ['X', 'W2'];
  const result = applyEdit(model, { kind: 'deleteNode', node: { name: 'w_copy' } });
  assert.equal(result.label, "Delete Identity 'w_copy' (its readers now read 'W')");
  assert.deepEqual(result.model.graph!.node!.map((n) => [n.name, n.input]), [['matmul', ['X', 'W']], ['add', ['XW', 'B']]]);
  const x = { X: feeds(2).x };
  assert.deepEqual(values((await runModel(client, result.model, x)).Y), values((await runModel(client, model, x)).Y));
});
