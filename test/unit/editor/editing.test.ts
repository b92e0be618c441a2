// The editor's side of editing, without VS Code: the history that undo/redo and the dirty state use,
// the readers of what the user types in the edit prompts, the graph context menu's data, and the claim
// that an edit which keeps box sizes is laid out from the layout cache (nothing moves).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateMlp, generateTransformer } from '../../../bench/generate/index.js';
import { applyEdit } from '../../../src/core/edit/index.js';
import { buildModelView } from '../../../src/core/graph/viewModel.js';
import type { LayoutResult } from '../../../src/core/layout/index.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { EditHistory } from '../../../src/editor/editHistory.js';
import { checkName, formatShape, parseAttributeValue, parseDim, parseShape } from '../../../src/editor/editInputs.js';
import { menuContext } from '../../../webview/editMenu.js';
import { runLayoutJob } from '../../../webview/layoutJob.js';
import { composeScene, planScene } from '../../../webview/scene.js';

const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };

function mlp(): ModelProto {
  return decodeModel(encodeModel(generateMlp({ hidden: [16] })));
}

test('undo and redo restore the very model objects, and the file bytes, step by step', () => {
  const opened = mlp();
  const original = encodeModel(opened);
  const history = new EditHistory(opened);
  assert.equal(history.dirty, false);
  const renamed = applyEdit(opened, { kind: 'renameValue', from: 'output', to: 'logits' });
  const first = history.push(renamed.model, renamed.label);
  const meta = applyEdit(renamed.model, { kind: 'setMetadata', key: 'author', value: 'me' });
  const second = history.push(meta.model, meta.label);
  assert.equal(history.dirty, true);
  assert.equal(second.after.label, meta.label);

  history.moveTo(second.before); // undo the metadata
  assert.equal(history.model, renamed.model);
  history.moveTo(first.before); // undo the rename
  assert.equal(history.model, opened);
  assert.equal(history.dirty, false, 'back at the opened model: clean');
  assert.deepEqual(encodeModel(history.model), original, 'undone to the original bytes');
  assert.deepEqual(opened.graph?.output?.map((o) => o.name), ['output'], 'the edits never touched the opened model');

  history.moveTo(first.after); // redo
  history.moveTo(second.after);
  assert.deepEqual(encodeModel(history.model), encodeModel(meta.model));
  history.markSaved();
  assert.equal(history.dirty, false);
  history.moveTo(second.before);
  assert.equal(history.dirty, true, 'undoing past the save makes it dirty again');
  history.moveTo(second.after);
  assert.equal(history.dirty, false);
});

test('a document restored from a hot-exit backup is dirty until saved; a revert starts clean', () => {
  const history = new EditHistory(mlp(), { fromBackup: true });
  assert.equal(history.dirty, true);
  history.markSaved();
  assert.equal(history.dirty, false);
  const edited = history.push(mlp(), 'x');
  assert.equal(history.dirty, true);
  const saving = history.step;
  history.push(mlp(), 'an edit made while the save was writing');
  history.markSaved(saving);
  assert.equal(history.dirty, true, 'the file holds the model the save began with, not the later edit');
  history.reset(mlp());
  assert.equal(history.dirty, false, 'a revert reads the file: clean');
  history.moveTo(edited.before);
  assert.equal(history.dirty, true, 'an undo after the revert differs from the file');
});

test('shapes as typed: sizes, names, ? for unknown, with one-line errors', () => {
  assert.deepEqual(parseShape('N,3,224,224'), { value: ['N', 3, 224, 224] });
  assert.deepEqual(parseShape(' [batch, ?, 16] '), { value: ['batch', null, 16] });
  assert.deepEqual(parseShape('1×3×8'), { value: [1, 3, 8] });
  assert.deepEqual(parseShape(''), { value: [] });
  assert.match((parseShape('1,,3') as { error: string }).error, /empty/);
  assert.match((parseShape('1,-3') as { error: string }).error, /negative/);
  assert.match((parseShape('1,3 4') as { error: string }).error, /not a size, a name or \?/);
  assert.deepEqual(parseDim('?'), { value: null });
  assert.equal(formatShape(['N', null, 3]), 'N,?,3');
});

test('attribute values by type', () => {
  assert.deepEqual(parseAttributeValue('3', 'int'), { value: 3 });
  assert.match((parseAttributeValue('3.5', 'int') as { error: string }).error, /not an integer/);
  assert.deepEqual(parseAttributeValue('0.5', 'float'), { value: 0.5 });
  assert.match((parseAttributeValue('x', 'float') as { error: string }).error, /not a number/);
  assert.deepEqual(parseAttributeValue('[1, 2, -3]', 'ints'), { value: [1, 2, -3] });
  assert.deepEqual(parseAttributeValue('', 'floats'), { value: [] });
  assert.deepEqual(parseAttributeValue(' a b ', 'string'), { value: ' a b ' });
  assert.deepEqual(parseAttributeValue('"a", b', 'strings'), { value: ['a', 'b'] });
  assert.equal(checkName('y', 'y'), 'That is the current name.');
  assert.equal(checkName(' y', 'x'), 'A name cannot start or end with a space.');
  assert.equal(checkName('', 'x'), 'A name cannot be empty.');
  assert.equal(checkName('z', 'x'), undefined);
});

test('the graph context menu says what was right-clicked, and which edits apply to it', () => {
  const graph = buildModelView(mlp(), 'm.onnx').main;
  const scene = composeScene(planScene(graph, new Set(graph.groups.map((g) => g.path)), 'TB', measure, fonts), runLayoutJob(planScene(graph, new Set(graph.groups.map((g) => g.path)), 'TB', measure, fonts).job, new Map()));
  const node = scene.items.find((i) => i.kind === 'node')!;
  assert.deepEqual(menuContext(graph, node), { webviewSection: 'node', preventDefaultContextMenuItems: true, graph: '', node: node.index, 'onnxLens.canExpose': graph.nodes[node.index].outputs.some((v) => !graph.values[v].output) || undefined });
  const input = scene.items.find((i) => i.kind === 'input')!;
  assert.equal(menuContext(graph, input)['onnxLens.valueRole'], 'input');
  assert.equal(menuContext(graph, input).value, graph.values[input.index].name);
  const output = scene.items.find((i) => i.kind === 'output')!;
  assert.equal(menuContext(graph, output)['onnxLens.valueRole'], 'output');
  const inner = scene.edges.find((e) => e.values.length === 1 && graph.values[e.values[0]].kind === 'value' && !graph.values[e.values[0]].output)!;
  assert.equal(menuContext(graph, undefined, inner)['onnxLens.valueRole'], 'value', 'an inner edge can be exposed');
  assert.equal(menuContext(graph).webviewSection, 'model');
});

test('an edit that keeps every box size is laid out from the cache: nothing moves', () => {
  const model = decodeModel(encodeModel(generateTransformer({ layers: 2, hidden: 16, heads: 2, vocab: 20 })));
  const before = buildModelView(model, 't.onnx').main;
  const expanded = new Set(before.groups.map((g) => g.path));
  const cache = new Map<string, LayoutResult>();
  const plan = planScene(before, expanded, 'TB', measure, fonts);
  const first = composeScene(plan, runLayoutJob(plan.job, cache));
  const cached = cache.size;

  // Metadata, and a rename to a name of the same length: the same boxes.
  const meta = applyEdit(model, { kind: 'setMetadata', key: 'note', value: 'x' }).model;
  const output = model.graph!.output![0].name!;
  const renamed = applyEdit(meta, { kind: 'renameValue', from: output, to: output.replace(/.$/, (c) => (c === 'z' ? 'y' : 'z')) }).model;
  const after = buildModelView(renamed, 't.onnx').main;
  const again = planScene(after, expanded, 'TB', measure, fonts);
  const computed: string[] = [];
  const spy = new Map<string, LayoutResult>(cache);
  const originalGet = spy.get.bind(spy);
  spy.get = (key) => {
    const hit = originalGet(key);
    if (!hit) computed.push(key);
    return hit;
  };
  const second = composeScene(again, runLayoutJob(again.job, spy));
  assert.deepEqual(computed, [], 'no container was laid out again');
  assert.equal(spy.size, cached);
  assert.deepEqual(second.items.map((i) => [i.id, i.x, i.y, i.width, i.height]), first.items.map((i) => [i.id, i.x, i.y, i.width, i.height]));
  assert.ok(second.items.some((i) => i.title === after.values[after.outputs[0]].name), 'the drawing shows the new name');

  // The control: a longer name makes a box wider (the MLP's input pill is narrower than the cap), and
  // that container is laid out again.
  const small = mlp();
  const smallView = buildModelView(small, 'm.onnx').main;
  const open = new Set(smallView.groups.map((g) => g.path));
  const smallPlan = planScene(smallView, open, 'TB', measure, fonts);
  runLayoutJob(smallPlan.job, spy);
  computed.length = 0;
  const longer = buildModelView(applyEdit(small, { kind: 'renameValue', from: 'input', to: 'inputWithAMuchLongerName' }).model, 'm.onnx').main;
  const wider = planScene(longer, open, 'TB', measure, fonts);
  runLayoutJob(wider.job, spy);
  assert.ok(computed.length > 0, 'a box that changed size is laid out again');
});
