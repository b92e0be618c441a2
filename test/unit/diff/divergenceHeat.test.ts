// The divergence heat painted over a diff: the level buckets by tolerance and cosine, and the heat of a
// real run (onnxruntime) of a model with one layer whose weight changed sign, on the second model's nodes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { diffModels } from '../../../src/core/diff/diffModels.js';
import { findDivergence } from '../../../src/core/diff/divergence.js';
import { divergenceHeat, heatLevel, heatLines } from '../../../src/core/diff/divergenceHeat.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { mlp, nodeIndex, scaledWeight } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const tolerance = { rtol: 1e-3, atol: 1e-4 };

test('heat levels: 0 within tolerance whatever the cosine, then by how far the directions part; incomparable and NaN are the hottest', () => {
  assert.equal(heatLevel({ beyond: false, cosine: 0.5 }), 0);
  assert.equal(heatLevel({ beyond: true, cosine: 1 }), 1);
  assert.equal(heatLevel({ beyond: true, cosine: 0.99995 }), 1);
  assert.equal(heatLevel({ beyond: true, cosine: 0.9995 }), 2);
  assert.equal(heatLevel({ beyond: true, cosine: 0.995 }), 3);
  assert.equal(heatLevel({ beyond: true, cosine: 0.98 }), 4);
  assert.equal(heatLevel({ beyond: true, cosine: -1 }), 4);
  assert.equal(heatLevel({ beyond: true, cosine: Number.NaN }), 4);
  assert.equal(heatLevel({ beyond: false, cosine: 1, problem: 'shapes differ' }), 4);
});

test('hover lines: the numbers and the verdict; a problem instead of numbers', () => {
  const base = { other: 'y', maxAbs: 0.5, maxRel: 2, cosine: 0.25, mismatches: 3, count: 1200 };
  assert.deepEqual(heatLines({ level: 4, ...base }, tolerance), ['vs y: max abs 0.5 · max rel 2 · cosine 0.25', '3 of 1,200 elements beyond rtol 0.001, atol 0.0001']);
  assert.deepEqual(heatLines({ level: 0, ...base, mismatches: 0 }, tolerance)[1], 'within tolerance');
  assert.deepEqual(heatLines({ level: 4, ...base, problem: 'shape [2] vs [3]' }, tolerance), ['not comparable with y: shape [2] vs [3]']);
});

test('one layer of five with its weight negated: cold before it, hottest at it, named first with its node of the second model', async () => {
  const a = mlp(5);
  const b = scaledWeight(a, 'net.4.weight', -1);
  const diff = diffModels(a, b);
  const report = await findDivergence(client, a, b, diff.graph, generateInputs(a, { seed: 1, dims: { batch_size: 4 } }), { tolerance });
  const heat = divergenceHeat(report, b.graph!, 'generated');
  const broken = nodeIndex(b, '/net/net.4/Gemm');
  assert.ok(broken > 0);
  assert.deepEqual(heat.first, [{ node: broken, label: 'Gemm /net/net.4/Gemm', value: b.graph!.node![broken].output![0] }]);
  assert.equal(heat.compared, b.graph!.node!.length);
  assert.equal(heat.beyond, report.values.filter((v) => v.beyond).length);
  assert.equal(heat.nodes[broken].level, 4);
  assert.equal(heat.values[heat.nodes[broken].value].level, 4);
  // Every node before the broken one (in b's order, which is topological here) has no heat.
  for (let i = 0; i < broken; i++) assert.equal(heat.nodes[i].level, 0, `${b.graph!.node![i].name} is hot`);
  // The value records say what it was compared with.
  for (const v of report.values) assert.equal(heat.values[v.b].other, v.a);
});
