import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readModelFile } from '../../../src/core/model/decode.js';
import { DataType } from '../../../src/core/model/proto.js';
import { tensorStats } from '../../../src/core/model/stats.js';
import { tensorToArray, type TensorArray } from '../../../src/core/model/tensorValues.js';
import { captureRuntimeValues, withIntermediateOutputs } from '../../../src/core/runtime/capture.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { freeDims, generateInputs } from '../../../src/core/runtime/inputs.js';
import { readTestDataSet } from '../../../src/core/runtime/testData.js';
import { generateTransformer, writeExternalDataModel } from '../../../bench/generate/index.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

test('every intermediate value is captured with its runtime shape and statistics; nodes get profiled times', async () => {
  const model = linearModel(4, 3);
  const x: TensorArray = { dtype: DataType.FLOAT, dims: [2, 4], data: Float32Array.of(1, 2, 3, 4, -1, 0, 1, 2) };
  const result = await captureRuntimeValues(client, model, { X: x }, { profileRuns: 2 });
  assert.deepEqual(Object.keys(result.values).sort(), ['X', 'XW', 'Y']);
  // XW = X @ W, computed here.
  const w = tensorToArray(model.graph!.initializer![0]).data as Float32Array;
  const xw = new Float64Array(6);
  for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 4; k++) xw[r * 3 + c] += (x.data as Float32Array)[r * 4 + k] * w[k * 3 + c];
  const want = tensorStats(xw);
  const got = result.values.XW;
  assert.equal(got.dtype, 'float');
  assert.deepEqual(got.shape, [2, 3]);
  for (const key of ['min', 'max', 'mean', 'std'] as const) assert.ok(Math.abs(got.stats[key] - want[key]) < 1e-5, key);
  assert.deepEqual(result.values.X.shape, [2, 4]);
  assert.equal(result.subgraphValues, 0);
  assert.deepEqual(result.skipped, []);
  assert.deepEqual(result.nodeTimes.map((n) => n.name).sort(), ['add', 'matmul']);
  assert.ok(result.nodeTimes.every((n) => n.count === 2));
});

test('values inside subgraphs are counted, not captured; the top-level ones are', async () => {
  const c = testCases().find((t) => t.name === 'node/test_loop11')!;
  const { model } = await readModelFile(c.model);
  const copy = withIntermediateOutputs(model);
  assert.ok(copy.subgraphValues > 0);
  const set = readTestDataSet(`${c.dir}/test_data_set_0`, model);
  const result = await captureRuntimeValues(client, model, set.inputs, { modelPath: c.model, profileRuns: 1 });
  assert.equal(result.subgraphValues, copy.subgraphValues);
  for (const output of model.graph!.output!) assert.ok(result.values[output.name!], output.name!);
  assert.ok(result.nodeTimes.length > 0);
});

test('a generated transformer: every top-level value captured, times for its nodes', async () => {
  const model = generateTransformer({ layers: 1, hidden: 32, heads: 2, vocab: 50, seed: 1 });
  const feeds = generateInputs(model, { dims: Object.fromEntries(freeDims(model).map((d) => [d.name, d.name.includes('batch') ? 1 : 4])) });
  const result = await captureRuntimeValues(client, model, feeds, { profileRuns: 1 });
  const produced = model.graph!.node!.flatMap((n) => n.output ?? []).filter(Boolean);
  const missing = produced.filter((name) => !result.values[name] && !result.skipped.some((s) => s.name === name));
  // onnxruntime turns Constant nodes into initializers, which are not outputs it can return.
  const constants = new Set(model.graph!.node!.filter((n) => n.opType === 'Constant').flatMap((n) => n.output ?? []));
  assert.deepEqual(missing.filter((n) => !constants.has(n)), []);
  const names = new Set(model.graph!.node!.map((n) => n.name));
  assert.ok(result.nodeTimes.length > 10);
  assert.ok(result.nodeTimes.every((n) => names.has(n.name)), 'profiled names are node names');
});

test('a model with external data: the capture copy (sent as bytes) finds the weights beside the model file', async () => {
  const { modelPath } = writeExternalDataModel(tempDir(), { layers: 3, width: 16, seed: 2 });
  const { model } = await readModelFile(modelPath);
  const feeds = generateInputs(model, { dims: { batch_size: 2 } });
  const result = await captureRuntimeValues(client, model, feeds, { modelPath, profileRuns: 1 });
  // The captured output equals a plain run of the model file.
  const plain = await client.run(modelPath, feeds);
  const want = tensorStats(Float64Array.from(plain.output.data as Float32Array));
  assert.deepEqual(result.values.output.shape, [2, 16]);
  for (const key of ['min', 'max', 'mean'] as const) assert.ok(Math.abs(result.values.output.stats[key] - want[key]) < 1e-5, key);
  assert.ok(Object.keys(result.values).length >= 6, Object.keys(result.values).join(', '));
  assert.ok(result.nodeTimes.some((n) => n.opType === 'MatMul'));
});
