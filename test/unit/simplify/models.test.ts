// Simplify on real exports (test/fixtures/exported: torchscript and dynamo, weights in Constant nodes, If
// branches, LSTM) and on our generated CNN and transformer: same outputs as the original on the fixtures'
// own data sets (and torch's expected outputs), never more nodes than onnxruntime's 'basic' optimizer
// leaves with its fusions, and Debian's onnx.checker accepts what it knows (IR <= 8, opset <= 17).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { generateCnn, generateTransformer } from '../../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import { int64ToNumber, type ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareOutputs } from '../../../src/core/runtime/compare.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { optimizeWithOnnxruntime } from '../../../src/core/transforms/foldRun.js';
import { countOps, totalNodes } from '../../../src/core/transforms/report.js';
import { simplifyTolerance } from '../../../src/core/transforms/simplify/simplify.js';
import { tempDir } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';
import { count, SimplifyHarness, signature } from './simplifyHelper.js';

const client = RuntimeClient.start({ timeoutMs: 300_000 });
const dir = tempDir('onnx-lens-simplify-models-');
const h = new SimplifyHarness(client, dir);
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const root = fileURLToPath(new URL('../../fixtures/exported/', import.meta.url));
const fixtures = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const checkerKnows = (m: ModelProto) => int64ToNumber(m.irVersion) <= 8 && defaultOpset(m) <= 17;
/** The fixtures' own bound between onnxruntime and torch (test/fixtures/exported/README.md). */
const torchTolerance = { rtol: 1e-4, atol: 1e-5 };

async function notMoreThanOrtBasic(original: Uint8Array, result: ModelProto, label: string): Promise<void> {
  const ort = await optimizeWithOnnxruntime(client, original, 'basic');
  const ours = totalNodes(countOps(result));
  assert.ok(ours <= totalNodes(ort.nodes), `${label}: ${ours} nodes, onnxruntime basic ${totalNodes(ort.nodes)}`);
}

let checked = 0;
for (const name of fixtures) {
  test(`exported fixture ${name}: same outputs on its data sets, no more nodes than onnxruntime basic`, async () => {
    const fixtureDir = join(root, name);
    const bytes = readFileSync(join(fixtureDir, 'model.onnx'));
    const original = decodeModel(bytes);
    const { model: result, stats } = await h.simplify(original);
    assert.deepEqual(signature(result), signature(original));
    const data = encodeModel(result);
    for (const set of testDataSetDirs(fixtureDir).map((d) => readTestDataSet(d, original))) {
      const before = await client.run(bytes, set.inputs);
      const afterRun = await client.run(data, set.inputs);
      const same = compareOutputs(before, afterRun, simplifyTolerance);
      assert.ok(same.every((c) => c.pass), `${name}/${set.name}: ${JSON.stringify(same)}`);
      const torch = compareOutputs(set.expected!, afterRun, torchTolerance);
      assert.ok(torch.every((c) => c.pass), `${name}/${set.name} against torch: ${JSON.stringify(torch)}`);
    }
    await notMoreThanOrtBasic(bytes, result, name);
    if (name === 'detector_opset11_constants') {
      // Every weight sat in a Constant node; the final `* 0.5` after the 1x1 Conv goes into its weights.
      assert.equal(countOps(original).Constant > 100, true);
      assert.equal(countOps(result).Constant ?? 0, 0);
      assert.equal(count(stats, 'conv-mul'), 1);
      assert.equal(countOps(result).Mul ?? 0, 0);
    }
    if (checkerKnows(original)) {
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, data);
      assert.equal(onnxCheck(path), '', `${name}: onnx.checker`);
      checked++;
    }
  });
}

test('generated CNN (BatchNormalization unfused, weights as initializers or Constant nodes) and transformer: verified, no more nodes than onnxruntime basic', async () => {
  const cases: Array<[string, ModelProto, Record<string, number>]> = [
    ['cnn', generateCnn({ blocks: [1, 1], channels: 8, imageSize: 16, classes: 10 }), { batch_size: 2 }],
    ['cnn-constant-weights', generateCnn({ blocks: [1, 1], channels: 8, imageSize: 16, classes: 10, constantWeights: true }), { batch_size: 1 }],
    ['transformer', generateTransformer({ layers: 2, hidden: 32, heads: 4, vocab: 64, maxPositions: 16 }), { batch_size: 2, sequence_length: 5 }],
  ];
  for (const [label, original, dims] of cases) {
    const { model: result, stats } = await h.simplify(original);
    await h.assertEquivalent(original, result, label, dims);
    await notMoreThanOrtBasic(encodeModel(original), result, label);
    const after = countOps(result);
    if (label.startsWith('cnn')) {
      assert.equal(after.BatchNormalization ?? 0, 0, label);
      assert.ok(count(stats, 'conv-bn') >= 5, label);
    } else {
      assert.equal(after.LayerNormalization, 5, 'two per layer and the final norm');
      assert.equal(after.Concat ?? 0, 0, 'the Reshape targets are constants');
      assert.ok(count(stats, 'shape-chain') > 0 && count(stats, 'transpose-chain') > 0);
    }
  }
});

test('the checker saw every fixture it knows', () => {
  // cnn, transformer, lstm and silero-like torchscript exports and the opset-11 detector.
  assert.equal(checked, 5);
});
