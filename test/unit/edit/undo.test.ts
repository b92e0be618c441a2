// Undo is holding on to the previous model object: edits never change their input, so every model of a
// sequence encodes to the same bytes after later edits as before them, and redoing the same edits from
// the start gives the same bytes again. What an edit does not touch is shared, not copied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdit, type ModelEdit } from '../../../src/core/edit/index.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { DataType } from '../../../src/core/model/proto.js';
import { fixture, ifModel } from './editHelpers.js';

function replay(start: ModelProto, edits: ModelEdit[]): ModelProto[] {
  const models = [start];
  for (const edit of edits) models.push(applyEdit(models.at(-1)!, edit).model);
  return models;
}

test('undo/redo on a real export: every state encodes byte-identically after the whole sequence, and again on redo', async () => {
  const { model, bytes } = await fixture('cnn_torchscript');
  const file = new Uint8Array(bytes);
  assert.deepEqual(encodeModel(model), file, 'the fixture encodes back to its file');
  const edits: ModelEdit[] = [
    { kind: 'renameValue', from: 'logits', to: 'scores' },
    { kind: 'setBatchDim', dim: 1 },
    { kind: 'exposeOutput', value: '/Flatten_output_0' },
    { kind: 'setAttribute', node: { name: '/fc/Gemm' }, attribute: 'alpha', value: 0.5 },
    { kind: 'deleteNode', node: { name: '/Relu_1' } },
    { kind: 'setMetadata', key: 'k', value: 'v' },
    { kind: 'renameNode', node: { index: 0 }, to: 'stem' },
    { kind: 'removeOutput', value: 'scores', removeDeadCode: true },
    { kind: 'setDocString', target: 'node', node: { name: 'stem' }, text: 'first conv' },
  ];
  const models = replay(model, edits);
  const snapshots = models.map(encodeModel);
  for (let i = 1; i < snapshots.length; i++) assert.notDeepEqual(snapshots[i], snapshots[i - 1], `edit ${i} changed something`);
  // Undo all the way: each earlier state is the object the host kept, still the same bytes.
  for (let i = models.length - 1; i >= 0; i--) assert.deepEqual(encodeModel(models[i]), snapshots[i], `state ${i} after the edits`);
  assert.deepEqual(encodeModel(models[0]), file, 'the original still encodes to its file');
  // Redo from the start: the same edits give the same bytes.
  const again = replay(model, edits).map(encodeModel);
  assert.deepEqual(again, snapshots);
  // Undo three, then a different edit, then undo it: back to the same bytes.
  const branch = applyEdit(models[models.length - 4], { kind: 'setProducer', name: 'other' }).model;
  assert.notDeepEqual(encodeModel(branch), snapshots[models.length - 4]);
  assert.deepEqual(encodeModel(models[models.length - 4]), snapshots[models.length - 4]);
});

test('structural sharing: initializer bytes and untouched nodes and subgraphs are the same objects', async () => {
  const model = ifModel();
  const renamed = applyEdit(model, { kind: 'renameValue', from: 'z', to: 'out' }).model;
  assert.equal(renamed.graph!.initializer, model.graph!.initializer);
  assert.equal(renamed.graph!.node![2], model.graph!.node![2], 'the If and its branches');
  assert.equal(renamed.opsetImport, model.opsetImport);
  const { model: transformer } = await fixture('transformer_torchscript');
  const npy = (name: string) => {
    const t = transformer.graph!.initializer!.find((i) => i.name === name)!;
    const dims = t.dims!.map(Number);
    return encodeNpy({ dtype: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
  };
  const first = transformer.graph!.initializer!.find((t) => t.dataType === DataType.FLOAT && (t.dims?.length ?? 0) === 2)!;
  const replaced = applyEdit(transformer, { kind: 'replaceInitializer', name: first.name!, npy: npy(first.name!) }).model;
  const pairs = transformer.graph!.initializer!.map((t, i) => [t, replaced.graph!.initializer![i]] as const);
  assert.equal(pairs.filter(([a, b]) => a !== b).length, 1, 'only the replaced initializer is new');
  assert.ok(pairs.every(([a, b]) => a === b || a.name === first.name));
  assert.ok(replaced.graph!.node!.every((n, i) => n === transformer.graph!.node![i]));
});
