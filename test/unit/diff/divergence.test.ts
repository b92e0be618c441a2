// The divergence finder in real onnxruntime: a model with one broken layer in the middle must be named at
// that layer first; batching changes how often the models run, not the answer; a quantized copy compares
// its dequantized values with the float values they stand for.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { diffModels } from '../../../src/core/diff/diffModels.js';
import { findDivergence } from '../../../src/core/diff/divergence.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { resolveOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { mlp, scaledWeight } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const tolerance = { rtol: 1e-3, atol: 1e-4 };

test('one layer broken in the middle (its weight times 10): that layer is named first, nothing before it differs', async () => {
  // Gemms /net/net.0, .2, .4, .6, .8 with Relus between: net.4 is the middle one.
  const a = mlp(5);
  const b = scaledWeight(a, 'net.4.weight', 10);
  const diff = diffModels(a, b);
  const feeds = generateInputs(a, { seed: 1, dims: { batch_size: 4 } });
  const report = await findDivergence(client, a, b, diff.graph, feeds, { tolerance });
  assert.equal(report.batches, 1);
  assert.deepEqual(report.skipped, []);
  // Every node output of the model compared (graph inputs are the same feeds).
  assert.equal(report.values.length, a.graph!.node!.length);
  assert.deepEqual(report.first.map((v) => v.nodeA?.name), ['/net/net.4/Gemm']);
  const at = report.values.findIndex((v) => v.nodeA?.name === '/net/net.4/Gemm');
  assert.ok(at > 0);
  for (const v of report.values.slice(0, at)) assert.ok(!v.beyond && v.maxAbs === 0, `${v.a} differs before the broken layer`);
  for (const v of report.values.slice(at)) assert.ok(v.beyond, `${v.a} after the broken layer is within tolerance`);

  // Fetched one value at a time: as many batches as values, the same answer.
  const batched = await findDivergence(client, a, b, diff.graph, feeds, { tolerance, batchBytes: 1 });
  assert.equal(batched.batches, report.values.length);
  assert.deepEqual(batched.values, report.values);
  assert.deepEqual(batched.first, report.first);
});

test('the same model twice: every value compared, none beyond tolerance', async () => {
  const a = mlp(3);
  const report = await findDivergence(client, a, cloneModel(a), diffModels(a, cloneModel(a)).graph, generateInputs(a, { seed: 2, dims: { batch_size: 2 } }), { tolerance });
  assert.equal(report.values.length, a.graph!.node!.length);
  assert.deepEqual(report.first, []);
  assert.ok(report.values.every((v) => !v.beyond && v.maxAbs === 0 && v.cosine === 1));
});

test('a QDQ-quantized copy: dequantized activations pair with their float values; the error starts at the first', async () => {
  const a = mlp(3);
  const b = quantizeModel(cloneModel(a), resolveOptions({ mode: 'dynamic', format: 'qdq' })).model;
  const diff = diffModels(a, b);
  const report = await findDivergence(client, a, b, diff.graph, generateInputs(a, { seed: 3, dims: { batch_size: 4 } }), { tolerance });
  const dequantized = report.values.filter((v) => v.how === 'dequantized');
  assert.equal(dequantized.length, 3);
  assert.deepEqual(dequantized.map((v) => v.nodeB?.op), ['DequantizeLinear', 'DequantizeLinear', 'DequantizeLinear']);
  for (const v of report.values) {
    assert.equal(v.problem, undefined);
    // 8-bit activations and weights: close, not equal.
    assert.ok(v.cosine > 0.99 && v.maxAbs > 0, `${v.b}: cosine ${v.cosine}, max abs ${v.maxAbs}`);
  }
  // The graph input's quantization is where the numbers part first.
  assert.deepEqual(report.first.map((v) => [v.a, v.b]), [['input', 'input_dequantized']]);
});

test('a copy whose graph input was renamed: it is fed the same values through the paired input', async () => {
  const a = mlp(3);
  const b = cloneModel(a);
  b.graph!.input![0].name = 'x';
  for (const n of b.graph!.node!) n.input = n.input!.map((i) => (i === 'input' ? 'x' : i));
  const diff = diffModels(a, b);
  assert.ok(diff.graph.values.some((v) => v.a === 'input' && v.b === 'x' && v.how === 'position'));
  const report = await findDivergence(client, a, b, diff.graph, generateInputs(a, { seed: 4, dims: { batch_size: 2 } }), { tolerance });
  assert.equal(report.values.length, a.graph!.node!.length);
  assert.ok(report.values.every((v) => !v.beyond && v.maxAbs === 0));
});
