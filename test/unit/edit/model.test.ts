// Model-level edits: metadata_props, doc strings, producer, model version.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { applyEdit, EditRefused } from '../../../src/core/edit/index.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { int64ToNumber } from '../../../src/core/model/proto.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { checker, fixture, runModel, values } from './editHelpers.js';

const dir = tempDir('onnx-lens-edit-model-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('metadata: add, change and remove an entry; the graph is shared untouched', () => {
  const model = linearModel();
  const added = applyEdit(model, { kind: 'setMetadata', key: 'author', value: 'me' });
  assert.equal(added.label, "Add metadata 'author'");
  assert.equal(added.model.graph, model.graph);
  const changed = applyEdit(applyEdit(added.model, { kind: 'setMetadata', key: 'license', value: 'MIT' }).model, { kind: 'setMetadata', key: 'author', value: 'you' });
  assert.equal(changed.label, "Set metadata 'author'");
  assert.deepEqual(changed.model.metadataProps!.map((p) => [p.key, p.value]), [['author', 'you'], ['license', 'MIT']]);
  const removed = applyEdit(changed.model, { kind: 'setMetadata', key: 'author', value: null });
  assert.equal(removed.label, "Remove metadata 'author'");
  assert.deepEqual(removed.model.metadataProps!.map((p) => [p.key, p.value]), [['license', 'MIT']]);
  assert.deepEqual(model.metadataProps, [], 'the input model keeps its (empty) list');
  assert.equal(checker(removed.model, dir), '');
  assert.throws(() => applyEdit(model, { kind: 'setMetadata', key: 'nope', value: null }), /^EditRefused: The model has no metadata entry 'nope'\.$/);
  assert.throws(() => applyEdit(added.model, { kind: 'setMetadata', key: 'author', value: 'me' }), /^EditRefused: Metadata 'author' already has that value\.$/);
  assert.throws(() => applyEdit(model, { kind: 'setMetadata', key: '', value: 'x' }), EditRefused);
});

test('doc strings of the model, the graph and a node; an empty text clears one', async () => {
  const { model } = await fixture('cnn_torchscript');
  const doc = applyEdit(model, { kind: 'setDocString', target: 'model', text: 'A small CNN.' });
  assert.equal(doc.model.docString, 'A small CNN.');
  const graphDoc = applyEdit(doc.model, { kind: 'setDocString', target: 'graph', text: 'main' });
  assert.equal(graphDoc.model.graph!.docString, 'main');
  const nodeDoc = applyEdit(graphDoc.model, { kind: 'setDocString', target: 'node', node: { name: '/fc/Gemm' }, text: 'classifier head' });
  assert.equal(nodeDoc.label, "Set the doc string of Gemm '/fc/Gemm'");
  assert.equal(nodeDoc.model.graph!.node!.find((n) => n.name === '/fc/Gemm')!.docString, 'classifier head');
  const cleared = applyEdit(nodeDoc.model, { kind: 'setDocString', target: 'model', text: '' });
  assert.ok(!Object.prototype.hasOwnProperty.call(cleared.model, 'docString'));
  const linear = linearModel();
  const set = applyEdit(linear, { kind: 'setDocString', target: 'model', text: 'x' }).model;
  assert.deepEqual(encodeModel(applyEdit(set, { kind: 'setDocString', target: 'model', text: '' }).model), encodeModel(linear), 'cleared is as never set');
  assert.equal(checker(nodeDoc.model, dir), '');
  assert.throws(() => applyEdit(model, { kind: 'setDocString', target: 'node', text: 'x' }), /^EditRefused: A node doc string needs the node\.$/);
});

test('producer and model version', () => {
  const model = linearModel();
  const producer = applyEdit(model, { kind: 'setProducer', name: 'my-tool', version: '2.1' });
  assert.equal(producer.label, "Set the producer to 'my-tool 2.1'");
  assert.equal(producer.model.producerName, 'my-tool');
  assert.equal(producer.model.producerVersion, '2.1');
  const version = applyEdit(producer.model, { kind: 'setModelVersion', version: 7 });
  assert.equal(version.label, 'Set the model version to 7');
  assert.equal(int64ToNumber(version.model.modelVersion), 7);
  assert.equal(checker(version.model, dir), '');
  assert.throws(() => applyEdit(model, { kind: 'setModelVersion', version: -1 }), /^EditRefused: The model version must be a whole number of 0 or more, not -1\.$/);
  assert.throws(() => applyEdit(model, { kind: 'setModelVersion', version: 1.5 }), EditRefused);
});

test('model-level edits on a real export leave the numbers alone in onnxruntime', async () => {
  const { model, inputs } = await fixture('cnn_torchscript');
  let edited = applyEdit(model, { kind: 'setMetadata', key: 'license', value: 'MIT' }).model;
  edited = applyEdit(edited, { kind: 'setProducer', name: 'lens', version: '1' }).model;
  edited = applyEdit(edited, { kind: 'setModelVersion', version: 2 }).model;
  edited = applyEdit(edited, { kind: 'setDocString', target: 'node', node: { index: 0 }, text: 'stem' }).model;
  const client = RuntimeClient.start();
  try {
    const [before, after] = [await runModel(client, model, inputs), await runModel(client, edited, inputs)];
    assert.deepEqual(values(after.logits), values(before.logits));
  } finally {
    client.dispose();
  }
  assert.equal(checker(edited, dir), '');
});
