// Initializers replaced from .npy files, and saving edited models: atomically, external data files
// left untouched (bytes and mtime), weights read back unchanged.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyEdit, applyEdits, EditNeedsConfirmation, EditRefused, saveEditedModel, type ModelEdit } from '../../../src/core/edit/index.js';
import { encodeModel, readModelFile } from '../../../src/core/model/decode.js';
import { ExternalDataReader, externalLocation, isExternal } from '../../../src/core/model/externalData.js';
import { writeModelAtomic } from '../../../src/core/model/modelFile.js';
import { DataType } from '../../../src/core/model/proto.js';
import { tensorToArray, type TensorArray } from '../../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { checker, feeds, fixture, runModel, values } from './editHelpers.js';

const client = RuntimeClient.start();
const dir = tempDir('onnx-lens-edit-files-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const f32 = (dims: number[], data: number[]): TensorArray => ({ dtype: DataType.FLOAT, dims, data: Float32Array.from(data) });

test('replace an initializer with the same dtype and shape: the model computes with the new values', async () => {
  const model = linearModel(2, 2);
  const identity = encodeNpy(f32([2, 2], [1, 0, 0, 1]));
  const zeros = encodeNpy(f32([2], [0, 0]));
  const w = applyEdit(model, { kind: 'replaceInitializer', name: 'W', npy: identity });
  assert.equal(w.label, "Replace initializer 'W' (float[2,2])");
  const b = applyEdit(w.model, { kind: 'replaceInitializer', name: 'B', npy: zeros });
  assert.equal(b.model.graph!.initializer![0], w.model.graph!.initializer![0], 'the W just set is shared by the next edit');
  const x = f32([2, 2], [1.5, -2, 3, 4]);
  assert.deepEqual(values((await runModel(client, b.model, { X: x })).Y), [1.5, -2, 3, 4]);
  assert.equal(checker(b.model, dir), '');
});

test('another dtype or shape asks first; confirmed, the new type is used and shapes are checked', async () => {
  const model = linearModel(4, 3);
  const wide = encodeNpy(f32([4, 5], Array.from({ length: 20 }, (_, i) => i / 10)));
  let asked: EditNeedsConfirmation | undefined;
  assert.throws(() => applyEdit(model, { kind: 'replaceInitializer', name: 'W', npy: wide }), (e: Error) => {
    asked = e as EditNeedsConfirmation;
    return e instanceof EditNeedsConfirmation && e.message === "'W' is float[4,3] but the file holds float[4,5]. Confirm to change its type.";
  });
  // float[4,5] W with a float[3] B: Add broadcasts [N,5] + [3] -> not computable; the output contradicts its declared [N,3].
  assert.throws(() => applyEdit(model, asked!.confirmed), /^EditRefused: Refused: shapes would not agree/);
  const b5 = encodeNpy(f32([5], [1, 1, 1, 1, 1]));
  // Widening a layer takes three edits whose in-between states do not compute: one batch, validated at its end.
  const widen: ModelEdit[] = [asked!.confirmed, { kind: 'replaceInitializer', name: 'B', npy: b5, allowChange: true }, { kind: 'setShape', value: 'Y', dims: ['N', 5] }];
  const result = applyEdits(model, widen);
  assert.deepEqual(result.steps.map((s) => s.label), ["Replace initializer 'W' (float[4,3] -> float[4,5])", "Replace initializer 'B' (float[3] -> float[5])", "Set the shape of output 'Y' to [N,5]"]);
  assert.throws(() => applyEdits(model, widen.slice(0, 2)), /^EditRefused: Refused: shapes would not agree/, 'a batch that ends invalid is refused');
  const y = await runModel(client, result.model, { X: feeds(1).x });
  assert.deepEqual(y.Y.dims, [1, 5]);
  assert.equal(checker(result.model, dir), '');
  const halves = encodeNpy({ dtype: DataType.FLOAT16, dims: [3], data: Uint16Array.from([0x3c00, 0x3c00, 0x3c00]) });
  assert.throws(() => applyEdit(model, { kind: 'replaceInitializer', name: 'B', npy: halves }), /'B' is float\[3\] but the file holds float16\[3\]\. Confirm/);
  assert.throws(() => applyEdit(model, { kind: 'replaceInitializer', name: 'B', npy: halves, allowChange: true }), /^EditRefused: Refused: the model would be invalid \(main graph, node 1 "add" \(Add\)/);
  assert.throws(() => applyEdit(model, { kind: 'replaceInitializer', name: 'X', npy: halves }), (e: Error) => e instanceof EditRefused && e.message === "No initializer named 'X' in the main graph.");
  assert.throws(() => applyEdit(model, { kind: 'replaceInitializer', name: 'B', npy: new Uint8Array([1, 2, 3]) }), /^UserError: The \.npy file is not a NumPy \.npy file\.$/);
});

test('replace a real export\'s classifier weight with zeros: the logits become the bias', async () => {
  const { model, inputs } = await fixture('cnn_torchscript');
  const weight = model.graph!.initializer!.find((t) => t.name === 'fc.weight')!;
  const bias = values(tensorToArray(model.graph!.initializer!.find((t) => t.name === 'fc.bias')!));
  const edited = applyEdit(model, { kind: 'replaceInitializer', name: 'fc.weight', npy: encodeNpy(f32([10, 16], new Array(160).fill(0))) });
  assert.equal(edited.label, "Replace initializer 'fc.weight' (float[10,16])");
  assert.ok(weight.rawData && edited.model.graph!.initializer!.find((t) => t.name === 'fc.weight') !== weight);
  const logits = values((await runModel(client, edited.model, inputs)).logits);
  assert.deepEqual(logits, [...bias, ...bias]);
  assert.equal(checker(edited.model, dir), '');
});

/** A linear model whose W and B live in `linear.onnx.data` beside it. */
function externalModel(folder: string): { path: string; data: string } {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'linear.onnx');
  writeModelAtomic(path, linearModel(16, 8, 3), { externalData: 'all', threshold: 0 });
  const data = join(folder, 'linear.onnx.data');
  // An old mtime, so that a rewrite could not hide inside the clock's resolution.
  utimesSync(data, new Date(2020, 0, 1), new Date(2020, 0, 1));
  return { path, data };
}

function weights(path: string, model: Awaited<ReturnType<typeof readModelFile>>['model']): number[][] {
  const reader = ExternalDataReader.forModel(path);
  try {
    return model.graph!.initializer!.map((t) => values(tensorToArray(t, reader)));
  } finally {
    reader.close();
  }
}

test('external data: edit, save in place, reopen: weights unchanged and external, the data file untouched', async () => {
  const { path, data } = externalModel(join(dir, 'inplace'));
  const dataBytes = readFileSync(data);
  const dataMtime = statSync(data).mtimeMs;
  const { model } = await readModelFile(path);
  const before = weights(path, model);
  const x = { X: feeds(2, 16).x };
  const expected = await client.run(path, x);
  let edited = applyEdit(model, { kind: 'renameValue', from: 'Y', to: 'scores' }, { modelDir: dir }).model;
  edited = applyEdit(edited, { kind: 'setMetadata', key: 'edited', value: 'yes' }).model;
  const written = saveEditedModel(path, edited, { sourceDir: join(dir, 'inplace') });
  assert.equal(written.dataFile, undefined);
  assert.deepEqual(readFileSync(data), dataBytes);
  assert.equal(statSync(data).mtimeMs, dataMtime);
  assert.deepEqual(readdirSync(join(dir, 'inplace')).sort(), ['linear.onnx', 'linear.onnx.data'], 'no temporary file left');
  const { model: reopened } = await readModelFile(path);
  assert.ok(reopened.graph!.initializer!.every((t) => isExternal(t) && externalLocation(t).location === 'linear.onnx.data'));
  assert.deepEqual(weights(path, reopened), before);
  assert.equal(reopened.graph!.output![0].name, 'scores');
  const actual = await client.run(path, x);
  assert.deepEqual(values(actual.scores), values(expected.Y));
});

test('external data: a replaced external initializer is stored inline; the data file untouched, the other weight still read from it', async () => {
  const folder = join(dir, 'replace');
  const { path, data } = externalModel(folder);
  const dataBytes = readFileSync(data);
  const dataMtime = statSync(data).mtimeMs;
  const { model } = await readModelFile(path);
  const bias = Array.from({ length: 8 }, (_, i) => i - 4);
  const edited = applyEdit(model, { kind: 'replaceInitializer', name: 'B', npy: encodeNpy(f32([8], bias)) }, { modelDir: folder });
  assert.equal(edited.model.graph!.initializer![0], model.graph!.initializer![0], 'W keeps its external reference object');
  saveEditedModel(path, edited.model, { sourceDir: folder });
  assert.deepEqual(readFileSync(data), dataBytes);
  assert.equal(statSync(data).mtimeMs, dataMtime);
  const { model: reopened } = await readModelFile(path);
  const [w, b] = reopened.graph!.initializer!;
  assert.ok(isExternal(w));
  assert.ok(!isExternal(b));
  assert.deepEqual(values(tensorToArray(b)), bias);
  const zeros = { X: { dtype: DataType.FLOAT, dims: [1, 16], data: new Float32Array(16) } };
  assert.deepEqual(values((await client.run(path, zeros)).Y), bias);
});

test('external data: Save As into another folder copies the weights into the copy\'s own data file; the source untouched', async () => {
  const { path, data } = externalModel(join(dir, 'source'));
  const dataBytes = readFileSync(data);
  const dataMtime = statSync(data).mtimeMs;
  const { model } = await readModelFile(path);
  const edited = applyEdit(model, { kind: 'setProducer', name: 'edited' }).model;
  const target = join(dir, 'elsewhere');
  mkdirSync(target);
  const written = saveEditedModel(join(target, 'copy.onnx'), edited, { sourceDir: join(dir, 'source') });
  assert.equal(written.dataFile, join(target, 'copy.onnx.data'));
  assert.deepEqual(readFileSync(data), dataBytes);
  assert.equal(statSync(data).mtimeMs, dataMtime);
  const { model: copy } = await readModelFile(join(target, 'copy.onnx'));
  assert.equal(copy.producerName, 'edited');
  assert.deepEqual(weights(join(target, 'copy.onnx'), copy), weights(path, model));
  assert.ok(encodeModel(model).length > 0);
  assert.throws(() => saveEditedModel(join(target, 'lost.onnx'), edited), /^UserError: The model refers to external data, but the folder it was read from is unknown\.$/);
});
