// The Try panel's request: each input from the example, inline JSON or a .npy file, sent over real HTTP
// to a real server (JSON and binary); the answer summarized with the outputs' values and statistics, and
// the server's own 400 when the values do not fit the model.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { DataType } from '../../../src/core/model/proto.js';
import { tensorToArray } from '../../../src/core/model/tensorValues.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { ModelServer } from '../../../src/core/serve/server.js';
import { nestedJson, requestTensors, tryRequest } from '../../../src/core/serve/tryRequest.js';
import { linearModel, tempDir } from '../../helpers/models.js';

const dir = tempDir('onnx-lens-try-');
const linear = linearModel(4, 3);
const modelPath = join(dir, 'linear.onnx');
writeFileSync(modelPath, encodeModel(linear));
const npyPath = join(dir, 'x.npy');
const x = Float32Array.from([1, 2, 3, 4, -1, 0, 0.5, 2]);
writeFileSync(npyPath, encodeNpy({ dtype: DataType.FLOAT, dims: [2, 4], data: x }));
const server = await ModelServer.start({ modelPath, port: 0 });
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const w = tensorToArray(linear.graph!.initializer![0]).data as Float32Array;
const b = tensorToArray(linear.graph!.initializer![1]).data as Float32Array;
const reference = (row: number[]) => [0, 1, 2].map((c) => b[c] + row.reduce((sum, v, k) => sum + v * w[k * 3 + c], 0));
const example = 'tensors' in server.example ? server.example.tensors : assert.fail('no example');

test('inline JSON and a .npy file give X @ W + B, as JSON and as binary; the example answers too', async () => {
  const inline = { X: { kind: 'json' as const, text: '[[1, 2, 3, 4]]' } };
  for (const binary of [false, true]) {
    const answer = await tryRequest(server.inferUrl, requestTensors(server.signature, example, inline), inline, binary);
    assert.equal(answer.status, 200, answer.error);
    assert.equal(answer.binary, binary);
    assert.deepEqual(answer.sent, ['X FP32[1,4] (JSON)']);
    const y = answer.outputs![0];
    assert.deepEqual([y.name, y.datatype, y.shape], ['Y', 'FP32', [1, 3]]);
    reference([1, 2, 3, 4]).forEach((v, i) => assert.ok(Math.abs(Number(y.preview[i]) - v) < 1e-5, `${y.preview[i]} vs ${v}`));
    assert.ok(Math.abs(y.stats.max - Math.max(...reference([1, 2, 3, 4]))) < 1e-5);
  }
  const file = { X: { kind: 'file' as const, path: npyPath } };
  const fromFile = await tryRequest(server.inferUrl, requestTensors(server.signature, example, file), file, true);
  assert.equal(fromFile.status, 200, fromFile.error);
  assert.deepEqual(fromFile.outputs![0].shape, [2, 3]);
  reference([-1, 0, 0.5, 2]).forEach((v, i) => assert.ok(Math.abs(Number(fromFile.outputs![0].preview[3 + i]) - v) < 1e-5));
  const fromExample = await tryRequest(server.inferUrl, requestTensors(server.signature, example, {}), {}, false);
  assert.equal(fromExample.status, 200, fromExample.error);
  assert.deepEqual(fromExample.sent, [`X FP32[${example[0].array.dims.join(',')}] (example)`]);
  assert.ok(fromExample.ms > 0 && fromExample.requestBytes > 0 && fromExample.responseBytes > 0);
});

test('values that do not fit are sent and the server answers 400; values that cannot be read are one-line errors here', async () => {
  const wrongShape = { X: { kind: 'json' as const, text: '[1, 2, 3]' } };
  const answer = await tryRequest(server.inferUrl, requestTensors(server.signature, example, wrongShape), wrongShape, false);
  assert.equal(answer.status, 400);
  assert.match(answer.error!, /Input 'X' has rank 2/);
  assert.equal(answer.outputs, undefined);
  assert.throws(() => requestTensors(server.signature, example, { X: { kind: 'json', text: '[1, 2' } }), /Input 'X': the values are not JSON/);
  assert.throws(() => requestTensors(server.signature, example, { X: { kind: 'json', text: '[[1, 2], [3]]' } }), /Input 'X': the nested lists are not rectangular/);
  assert.throws(() => requestTensors(server.signature, example, { X: { kind: 'file', path: join(dir, 'none.npy') } }), /Input 'X': cannot read .*none\.npy \(ENOENT\)/);
  assert.throws(() => requestTensors(server.signature, example, { X: { kind: 'file', path: modelPath } }), /is not a \.npy file/);
});

test('the example as nested JSON lists, for the panel to edit; none for large inputs', () => {
  const tensor = { name: 'X', datatype: 'FP32', array: { dtype: DataType.FLOAT, dims: [2, 2], data: Float32Array.from([0.1, 2, 3, 4]) } };
  assert.equal(nestedJson(tensor), '[[0.1,2],[3,4]]');
  assert.equal(nestedJson({ ...tensor, array: { ...tensor.array, dims: [], data: Float32Array.from([5]) } }), '5');
  assert.equal(nestedJson(tensor, 3), undefined);
});
