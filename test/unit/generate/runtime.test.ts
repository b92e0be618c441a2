// Generated models load and run in onnxruntime (through our child-process client), and weights stored as
// Constant nodes or with node metadata compute exactly what initializers do.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import type { TensorArray } from '../../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { generateCnn, generateMlp, generateTransformer, writeExternalDataModel } from '../../../bench/generate/index.js';
import { sampleModel } from '../../../bench/generate/sample.js';
import { tempDir } from '../../helpers/models.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dirs: string[] = [];
after(() => {
  client.dispose();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function assertFinite(outputs: Record<string, TensorArray>, name: string, dims: number[]): Float32Array {
  const output = outputs[name];
  assert.ok(output, `no output ${name}`);
  assert.deepEqual(output.dims, dims);
  const data = output.data as Float32Array;
  assert.ok(data.every(Number.isFinite), 'finite outputs');
  assert.ok(new Set(data).size > data.length / 2, 'outputs vary: the model is not degenerate');
  return data;
}

test('the transformer runs, and Constant-node weights and node metadata give identical logits', async () => {
  const options = { layers: 2, hidden: 32, heads: 4, vocab: 64, maxPositions: 16 };
  const plain = generateTransformer(options);
  const feeds = generateInputs(plain, { dims: { batch_size: 2, sequence_length: 7 }, seed: 3 });
  const expected = assertFinite(await client.run(encodeModel(plain), feeds), 'logits', [2, 7, 64]);
  for (const variant of [{ constantWeights: true }, { constantWeights: 'vectors' as const }, { nodeMetadata: true }]) {
    const actual = await client.run(encodeModel(generateTransformer({ ...options, ...variant })), feeds);
    assert.deepEqual(actual.logits.data, expected, JSON.stringify(variant));
  }
  // A longer sequence uses the same graph: the shape chains read batch and sequence at run time.
  assertFinite(await client.run(encodeModel(plain), generateInputs(plain, { dims: { batch_size: 1, sequence_length: 16 } })), 'logits', [1, 16, 64]);
});

test('the sample model, the CNN (also with Constant-node vectors) and the MLP run', async () => {
  const sample = sampleModel();
  assertFinite(await client.run(encodeModel(sample), generateInputs(sample, { dims: { batch_size: 1, sequence_length: 12 } })), 'logits', [1, 12, 256]);
  const cnnOptions = { blocks: [1, 1], channels: 8, imageSize: 16, classes: 6 };
  const cnn = generateCnn(cnnOptions);
  assertFinite(await client.run(encodeModel(cnn), generateInputs(cnn, { dims: { batch_size: 3 } })), 'output', [3, 6]);
  // BatchNorm parameters as Constant nodes, convolution weights as initializers: the same outputs.
  const feeds = generateInputs(cnn, { dims: { batch_size: 2 }, seed: 4 });
  const expected = (await client.run(encodeModel(cnn), feeds)).output.data;
  assert.deepEqual((await client.run(encodeModel(generateCnn({ ...cnnOptions, constantWeights: 'vectors' })), feeds)).output.data, expected);
  const mlp = generateMlp({ inputs: 20, hidden: [16], outputs: 4 });
  assertFinite(await client.run(encodeModel(mlp), generateInputs(mlp, { dims: { batch_size: 5 } })), 'output', [5, 4]);
});

test('the external-data model runs from its folder', async () => {
  const dir = tempDir('onnx-lens-generate-');
  dirs.push(dir);
  const { modelPath } = writeExternalDataModel(dir, { layers: 2, width: 32 });
  const input = { dtype: 1, dims: [2, 32], data: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)) };
  assertFinite(await client.run(modelPath, { input }), 'output', [2, 32]);
});
