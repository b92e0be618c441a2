// Renaming values and nodes: every use follows (node inputs, graph outputs, value_info, subgraph
// captures), the model computes the same in onnxruntime, and both checkers accept it.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { applyEdit, EditRefused } from '../../../src/core/edit/index.js';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import type { GraphProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { checker, feeds, fixture, ifModel, runModel, values } from './editHelpers.js';

const client = RuntimeClient.start();
const dir = tempDir('onnx-lens-edit-names-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const branch = (graph: GraphProto, attribute: string) => graph.node!.find((n) => n.opType === 'If')!.attribute!.find((a) => a.name === attribute)!.g!;

test('rename an output: the producing node and the graph output take the new name; the same numbers come out', async () => {
  const model = linearModel();
  const result = applyEdit(model, { kind: 'renameValue', from: 'Y', to: 'logits' });
  assert.equal(result.label, "Rename output 'Y' to 'logits'");
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(result.model.graph!.output!.map((o) => o.name), ['logits']);
  assert.deepEqual(result.model.graph!.node!.map((n) => n.output), [['XW'], ['logits']]);
  assert.equal(model.graph!.output![0].name, 'Y', 'the input model is not changed');
  const x = { X: feeds(3).x };
  const before = await runModel(client, model, x);
  const edited = await runModel(client, result.model, x);
  assert.deepEqual(Object.keys(edited), ['logits']);
  assert.deepEqual(values(edited.logits), values(before.Y));
  assert.equal(checker(result.model, dir), '');
});

test('rename an input and an initializer: definitions and every reader follow', async () => {
  const model = linearModel();
  const renamed = applyEdit(applyEdit(model, { kind: 'renameValue', from: 'X', to: 'features' }).model, { kind: 'renameValue', from: 'W', to: 'weight' });
  assert.equal(renamed.label, "Rename initializer 'W' to 'weight'");
  const g = renamed.model.graph!;
  assert.deepEqual(g.input!.map((v) => v.name), ['features']);
  assert.deepEqual(g.initializer!.map((t) => t.name), ['weight', 'B']);
  assert.deepEqual(g.node![0].input, ['features', 'weight']);
  assert.equal(g.initializer![0].rawData, model.graph!.initializer![0].rawData, 'the weight bytes are shared, not copied');
  const before = await runModel(client, model, { X: feeds(2).x });
  const after = await runModel(client, renamed.model, { features: feeds(2).x });
  assert.deepEqual(values(after.Y), values(before.Y));
  assert.equal(checker(renamed.model, dir), '');
});

test('rename a value that If branches capture: both branches read the new name; the result runs the same', async () => {
  const model = ifModel();
  const result = applyEdit(applyEdit(model, { kind: 'renameValue', from: 'x', to: 'features' }).model, { kind: 'renameValue', from: 'b', to: 'bias' });
  const g = result.model.graph!;
  assert.deepEqual(branch(g, 'then_branch').node!.map((n) => n.input), [['features', 'two'], ['scaled', 'bias']]);
  assert.deepEqual(branch(g, 'else_branch').node!.map((n) => n.input), [['features', 'bias']]);
  assert.equal(branch(model.graph!, 'else_branch').node![0].input![0], 'x', 'the original branches are not changed');
  for (const sign of [1, -1]) {
    const x = feeds(2).x;
    const data = Float32Array.from(x.data as Float32Array, (v) => sign * Math.abs(v));
    const before = await runModel(client, model, { x: { ...x, data } });
    const edited = await runModel(client, result.model, { features: { ...x, data } });
    assert.deepEqual(values(edited.z), values(before.z));
  }
  assert.equal(checker(result.model, dir), '');
  assert.deepEqual(checkModel(result.model).filter((p) => p.severity === 'error'), []);
});

test('rename inside a subgraph (by its graph id): only that branch changes; the main graph is shared', () => {
  const model = ifModel();
  const result = applyEdit(model, { kind: 'renameValue', graph: '/2.then_branch', from: 'scaled', to: 'doubled' });
  assert.equal(result.label, "Rename value 'scaled' to 'doubled'");
  const then = branch(result.model.graph!, 'then_branch');
  assert.deepEqual(then.node!.map((n) => [n.input, n.output]), [[['x', 'two'], ['doubled']], [['doubled', 'b'], ['then_out']]]);
  assert.equal(branch(result.model.graph!, 'else_branch'), branch(model.graph!, 'else_branch'), 'the else branch object is shared');
  assert.equal(result.model.graph!.node![0], model.graph!.node![0], 'untouched nodes are shared');
  assert.equal(result.model.graph!.initializer, model.graph!.initializer);
});

test('rename on a real export (cnn torchscript): output and intermediate renames run the same and pass onnx.checker', async () => {
  const { model, inputs } = await fixture('cnn_torchscript');
  let edited = applyEdit(model, { kind: 'renameValue', from: 'logits', to: 'scores' }).model;
  edited = applyEdit(edited, { kind: 'renameValue', from: '/Relu_output_0', to: 'relu1' }).model;
  edited = applyEdit(edited, { kind: 'renameNode', node: { name: '/Relu' }, to: 'first_relu' }).model;
  assert.deepEqual(edited.graph!.node!.find((n) => n.name === 'first_relu')!.output, ['relu1']);
  assert.deepEqual(edited.graph!.node!.filter((n) => n.input?.includes('relu1')).map((n) => n.name), ['/pool/MaxPool']);
  const before = await runModel(client, model, inputs);
  const after = await runModel(client, edited, inputs);
  assert.deepEqual(values(after.scores), values(before.logits));
  assert.equal(checker(edited, dir), '');
});

test('rename on a dynamo export with an If: the captured input follows into both branches', async () => {
  const { model, inputs } = await fixture('cond_dynamo');
  const edited = applyEdit(model, { kind: 'renameValue', from: 'x', to: 'features' }).model;
  const reads = (g: GraphProto): string[] => g.node!.flatMap((n) => [...(n.input ?? []), ...(n.attribute ?? []).flatMap((a) => (a.g ? reads(a.g) : []))]);
  assert.ok(!reads(edited.graph!).includes('x'));
  assert.ok(reads(edited.graph!.node!.find((n) => n.opType === 'If')!.attribute![0].g!).includes('features'));
  const before = await runModel(client, model, inputs);
  const after = await runModel(client, edited, { features: inputs.x });
  assert.deepEqual(values(after.y), values(before.y));
});

test('rename node: by name and by index; the label says which', () => {
  const model = linearModel();
  const byName = applyEdit(model, { kind: 'renameNode', node: { name: 'add' }, to: 'bias_add' });
  assert.equal(byName.label, "Rename Add 'add' to 'bias_add'");
  assert.deepEqual(byName.model.graph!.node!.map((n) => n.name), ['matmul', 'bias_add']);
  const byIndex = applyEdit(model, { kind: 'renameNode', node: { index: 0 }, to: 'mm' });
  assert.deepEqual(byIndex.model.graph!.node!.map((n) => n.name), ['mm', 'add']);
  assert.equal(byIndex.model.graph!.node![1], model.graph!.node![1]);
});

test('refusals: each with one line, the model unchanged', () => {
  const model = ifModel();
  const bytes = encodeModel(model);
  const refusals: Array<[Parameters<typeof applyEdit>[1], RegExp]> = [
    [{ kind: 'renameValue', from: 'nope', to: 'a' }, /^No value named 'nope' in this graph\.$/],
    [{ kind: 'renameValue', from: 'x', to: 'b' }, /^The name 'b' is already used in this model; choose another\.$/],
    [{ kind: 'renameValue', from: 'x', to: 'scaled' }, /^The name 'scaled' is already used/],
    [{ kind: 'renameValue', from: 'x', to: ' ' }, /^A value needs a non-empty name\.$/],
    [{ kind: 'renameValue', from: 'x', to: 'x' }, /^'x' already has that name\.$/],
    [{ kind: 'renameValue', graph: '/2.then_branch', from: 'x', to: 'x2' }, /^'x' is defined in an enclosing graph; rename it there\.$/],
    [{ kind: 'renameValue', graph: '/7.body', from: 'x', to: 'x2' }, /^No graph with the id '\/7\.body' in this model\.$/],
    [{ kind: 'renameValue', graph: 'fn:custom:Gelu', from: 'x', to: 'x2' }, /^Edits inside model-local functions are not supported/],
    [{ kind: 'renameNode', node: { name: 'sum' }, to: 'relu' }, /^Another node in this graph is named 'relu'; choose another name\.$/],
    [{ kind: 'renameNode', node: { name: 'ghost' }, to: 'a' }, /^No node named 'ghost' in this graph\.$/],
    [{ kind: 'renameNode', node: { index: 9 }, to: 'a' }, /^No node 9 in this graph: it has 4 nodes\.$/],
  ];
  for (const [edit, message] of refusals) {
    assert.throws(() => applyEdit(model, edit), (e: Error) => e instanceof EditRefused && message.test(e.message) && !e.message.includes('\n'), JSON.stringify(edit));
  }
  assert.deepEqual(encodeModel(model), bytes);
});

test('two nodes of one name: refused by name, editable by index', () => {
  const twin = linearModel();
  twin.graph!.node![1].name = 'matmul';
  assert.throws(() => applyEdit(twin, { kind: 'renameNode', node: { name: 'matmul' }, to: 'x' }), /^EditRefused: 2 nodes are named 'matmul'; choose one by its index\.$/);
  assert.equal(applyEdit(twin, { kind: 'renameNode', node: { index: 1 }, to: 'add' }).model.graph!.node![1].name, 'add');
});
