// The diff overlay the model editor paints on the second model: exact paints, counts, removed list, hover
// lines and change stops for generated pairs (our own fold and quantizer, and hand-edited copies).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { diffModels } from '../../../src/core/diff/diffModels.js';
import { diffOverlay, type DiffOverlay } from '../../../src/core/diff/diffOverlay.js';
import { GraphIndex } from '../../../src/core/model/graphIndex.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { foldConstants } from '../../../src/core/transforms/fold.js';
import { runtimeEvaluator } from '../../../src/core/transforms/foldTransform.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { resolveOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { foldableModel, inserted, mlp, nodeIndex, withAttribute } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

function overlayOf(a: ModelProto, b: ModelProto): DiffOverlay {
  const d = diffModels(a, b);
  return diffOverlay(d.graph, a.graph!, b.graph!, GraphIndex.build(b.graph!).topologicalOrder(), 'a.onnx');
}

const names = (m: ModelProto) => m.graph!.node!.map((n) => n.name);

test('our fold of a generated model: both kept nodes unchanged, the four folded nodes listed as removed, one stop only in the first model', async () => {
  const a = foldableModel();
  const { model: b } = await foldConstants(a, { evaluate: runtimeEvaluator(client) });
  const o = overlayOf(a, b);
  assert.deepEqual(names(b), ['matmul', 'relu']);
  assert.deepEqual(o.paint, ['unchanged', 'unchanged']);
  assert.deepEqual(o.counts, { unchanged: 2, changed: 0, inserted: 0, replaced: 0, removed: 4 });
  assert.deepEqual(o.removed, [
    { op: 'Constant', name: 'c1', why: 'folded' },
    { op: 'Constant', name: 'c2', why: 'folded' },
    { op: 'Add', name: 'sum', why: 'folded' },
    { op: 'Transpose', name: 'transpose', why: 'folded' },
  ]);
  assert.deepEqual(o.notes, {});
  assert.deepEqual(o.stops, []);
  assert.equal(o.stopsOnlyInFirst, 1);
});

test('a dynamically quantized copy (our quantizer): each Gemm\'s six nodes one replaced unit, the Relus unchanged, one stop per Gemm', () => {
  const a = mlp();
  const b = quantizeModel(cloneModel(a), resolveOptions({ mode: 'dynamic', format: 'integer' })).model;
  const o = overlayOf(a, b);
  const gemms = a.graph!.node!.filter((n) => n.opType === 'Gemm');
  assert.equal(gemms.length, 3);
  const expected = b.graph!.node!.map((n) => (n.opType === 'Relu' ? 'unchanged' : 'replaced'));
  assert.deepEqual(o.paint, expected);
  assert.deepEqual(o.counts, { unchanged: 2, changed: 0, inserted: 0, replaced: 18, removed: 3 });
  assert.deepEqual(o.removed, gemms.map((n) => ({ op: 'Gemm', name: n.name, why: 'replaced' })));
  // Each stop is the first node of its group in b's order: the DynamicQuantizeLinear in front of each Gemm's replacement.
  assert.deepEqual(o.stops.map((j) => b.graph!.node![j].opType), ['DynamicQuantizeLinear', 'DynamicQuantizeLinear', 'DynamicQuantizeLinear']);
  assert.equal(o.stopsOnlyInFirst, 0);
  const first = o.stops[0];
  assert.deepEqual(o.notes[first], [`replaces 1 node of the first model: Gemm ${gemms[0].name}`, 'one of 6 replacing nodes']);
});

test('an inserted node and a changed attribute: their paints, hover lines and stops in b\'s order', () => {
  const a = mlp();
  const b = withAttribute(inserted(a, '/net/net.0/Gemm'), '/net/net.4/Gemm', 'alpha', 0.5);
  const o = overlayOf(a, b);
  const sigmoid = nodeIndex(b, 'inserted_sigmoid');
  const relu = nodeIndex(b, '/net/net.1/Relu');
  const last = nodeIndex(b, '/net/net.4/Gemm');
  assert.deepEqual(o.paint.map((p, i) => [b.graph!.node![i].name, p]).filter(([, p]) => p !== 'unchanged'), [
    ['inserted_sigmoid', 'inserted'],
    ['/net/net.1/Relu', 'changed'],
    ['/net/net.4/Gemm', 'changed'],
  ]);
  assert.deepEqual(o.counts, { unchanged: 3, changed: 2, inserted: 1, replaced: 0, removed: 0 });
  assert.deepEqual(o.notes[sigmoid], ['not in the first model']);
  assert.deepEqual(o.notes[relu], ['input 0: /net/net.0/Gemm_output_0 → /net/net.0/Gemm_output_0_sigmoid']);
  assert.equal(o.notes[last].length, 1);
  assert.match(o.notes[last][0], /^attribute alpha: .* → 0\.5$/);
  assert.deepEqual(o.stops, [sigmoid, relu, last]);
  assert.deepEqual(o.removed, []);
});
