// The side-by-side diff's core: each node's partner on the other side (selection and camera follow it),
// the overlay laid over the first model, and the divergence heat seen from the first model. Generated
// pairs (our fold and quantizer, hand-edited copies, a broken layer run in onnxruntime); exact results.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { diffModels } from '../../../src/core/diff/diffModels.js';
import { diffOverlay, firstSideOverlay } from '../../../src/core/diff/diffOverlay.js';
import { findDivergence } from '../../../src/core/diff/divergence.js';
import { divergenceHeat } from '../../../src/core/diff/divergenceHeat.js';
import { firstSideHeat } from '../../../src/core/diff/firstSideHeat.js';
import { nodePartners } from '../../../src/core/diff/partners.js';
import { GraphIndex } from '../../../src/core/model/graphIndex.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { foldConstants } from '../../../src/core/transforms/fold.js';
import { runtimeEvaluator } from '../../../src/core/transforms/foldTransform.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { resolveOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { formatCount, formatNumber } from '../../../src/core/format.js';
import { diffDetails } from '../../../webview/diffDetails.js';
import { foldableModel, inserted, mlp, nodeIndex, renamed, scaledWeight, withAttribute } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

const order = (m: ModelProto) => GraphIndex.build(m.graph!).topologicalOrder();
const name = (m: ModelProto, i: number) => (i < 0 ? null : m.graph!.node![i].name);

test('partners of renamed nodes: each node to its renamed copy, both ways', () => {
  const a = mlp();
  const b = renamed(a);
  const { aToB, bToA } = nodePartners(diffModels(a, b).graph);
  assert.equal(aToB.length, a.graph!.node!.length);
  // renamed() keeps the order: node i is node i.
  assert.deepEqual(aToB, a.graph!.node!.map((_, i) => i));
  assert.deepEqual(bToA, b.graph!.node!.map((_, i) => i));
  assert.notEqual(name(a, 0), name(b, 0));
});

test('partners with an inserted node: it has none, its neighbours keep theirs', () => {
  const a = mlp();
  const b = withAttribute(inserted(a, '/net/net.0/Gemm'), '/net/net.4/Gemm', 'alpha', 0.5);
  const { aToB, bToA } = nodePartners(diffModels(a, b).graph);
  assert.equal(bToA[nodeIndex(b, 'inserted_sigmoid')], -1);
  for (const node of a.graph!.node!) {
    const i = nodeIndex(a, node.name!);
    assert.equal(name(b, aToB[i]), node.name, `${node.name} pairs with its namesake`);
    assert.equal(bToA[aToB[i]], i);
  }
});

test('partners of a quantized copy: each replaced Gemm and its six quantized nodes point at each other\'s group', () => {
  const a = mlp();
  const b = quantizeModel(cloneModel(a), resolveOptions({ mode: 'dynamic', format: 'integer' })).model;
  const { aToB, bToA } = nodePartners(diffModels(a, b).graph);
  const gemms = a.graph!.node!.map((n, i) => (n.opType === 'Gemm' ? i : -1)).filter((i) => i >= 0);
  // Each Gemm points at a DynamicQuantizeLinear (the first node of its replacement), a different one each.
  const targets = gemms.map((i) => aToB[i]);
  assert.deepEqual(targets.map((j) => b.graph!.node![j].opType), ['DynamicQuantizeLinear', 'DynamicQuantizeLinear', 'DynamicQuantizeLinear']);
  assert.equal(new Set(targets).size, 3);
  // Every node of b that is not a Relu points back at a Gemm; the six of each group at the same one.
  const back = b.graph!.node!.map((n, j) => (n.opType === 'Relu' ? null : name(a, bToA[j])));
  for (const [j, n] of b.graph!.node!.entries()) if (n.opType !== 'Relu') assert.equal(a.graph!.node![bToA[j]].opType, 'Gemm');
  assert.deepEqual([...new Set(back.filter((x) => x !== null))].sort(), gemms.map((i) => a.graph!.node![i].name).sort());
  for (const i of gemms) assert.equal(bToA.filter((x) => x === i).length, 6);
  // The Relus pair with the Relus.
  for (const [i, n] of a.graph!.node!.entries()) if (n.opType === 'Relu') assert.equal(name(b, aToB[i]), n.name);
});

test('the first side of our fold: the folded nodes painted removed with what they became, the kept two unchanged, no other-side nodes', async () => {
  const a = foldableModel();
  const { model: b } = await foldConstants(a, { evaluate: runtimeEvaluator(client) });
  const d = diffModels(a, b);
  const o = firstSideOverlay(d.graph, a.graph!, b.graph!, order(a), 'b.onnx');
  assert.equal(o.side, 'first');
  const painted = Object.fromEntries(a.graph!.node!.map((n, i) => [n.name, o.paint[i]]));
  assert.deepEqual(painted, { c1: 'removed', c2: 'removed', sum: 'removed', transpose: 'removed', matmul: 'unchanged', relu: 'unchanged' });
  assert.deepEqual(o.counts, { unchanged: 2, changed: 0, inserted: 0, replaced: 0, removed: 4 });
  assert.deepEqual(o.removed, []);
  assert.match(o.notes[nodeIndex(a, 'sum')][0], /^folded into initializer/);
  // One stop: the folded group, at its first node in a's order.
  assert.equal(o.stops.length, 1);
  assert.equal(o.paint[o.stops[0]], 'removed');
  assert.equal(o.stopsOnlyInFirst, 0);
  // The second side agrees on what is removed, and its partners are the inverse.
  const second = diffOverlay(d.graph, a.graph!, b.graph!, order(b), 'a.onnx');
  assert.equal(second.counts.removed, o.counts.removed);
  second.partners.forEach((i, j) => assert.equal(o.partners[i], j));
});

test('the first side of a quantized copy: the Gemms painted as replaced groups, the quantized nodes listed as the other side\'s, one stop per Gemm', () => {
  const a = mlp();
  const b = quantizeModel(cloneModel(a), resolveOptions({ mode: 'dynamic', format: 'integer' })).model;
  const d = diffModels(a, b);
  const o = firstSideOverlay(d.graph, a.graph!, b.graph!, order(a), 'b.onnx');
  assert.deepEqual(o.paint, a.graph!.node!.map((n) => (n.opType === 'Gemm' ? 'replaced' : 'unchanged')));
  assert.deepEqual(o.counts, { unchanged: 2, changed: 0, inserted: 18, replaced: 3, removed: 0 });
  assert.equal(o.removed.length, 18);
  assert.ok(o.removed.every((r) => r.why === 'replaced'));
  assert.deepEqual(o.stops.map((i) => a.graph!.node![i].name), a.graph!.node!.filter((n) => n.opType === 'Gemm').map((n) => n.name));
  assert.match(o.notes[o.stops[0]][0], /^replaced by 6 nodes of the second model: DynamicQuantizeLinear /);
});

test('the first side of an inserted node and a changed attribute: the attribute change noted as on the second side, the inserted node listed', () => {
  const a = mlp();
  const b = withAttribute(inserted(a, '/net/net.0/Gemm'), '/net/net.4/Gemm', 'alpha', 0.5);
  const d = diffModels(a, b);
  const o = firstSideOverlay(d.graph, a.graph!, b.graph!, order(a), 'b.onnx');
  const second = diffOverlay(d.graph, a.graph!, b.graph!, order(b), 'a.onnx');
  const last = nodeIndex(a, '/net/net.4/Gemm');
  assert.equal(o.paint[last], 'changed');
  assert.deepEqual(o.notes[last], second.notes[nodeIndex(b, '/net/net.4/Gemm')]);
  assert.deepEqual(o.removed, [{ op: 'Sigmoid', name: 'inserted_sigmoid', why: 'inserted' }]);
  assert.deepEqual(o.counts, { unchanged: 3, changed: 2, inserted: 1, replaced: 0, removed: 0 });
  // The stops of the pairs, in a's order; the inserted node's group has no node here.
  assert.deepEqual(o.stops.map((i) => name(a, i)), ['/net/net.1/Relu', '/net/net.4/Gemm']);
  assert.equal(o.stopsOnlyInFirst, 1);
});

test('the heat seen from the first model: the broken layer\'s partner named first, values keyed by the first model\'s names', async () => {
  const a = mlp(5);
  const b = renamed(scaledWeight(a, 'net.4.weight', -1));
  const diff = diffModels(a, b);
  const report = await findDivergence(client, a, b, diff.graph, generateInputs(a, { seed: 1, dims: { batch_size: 2 } }), { tolerance: { rtol: 1e-3, atol: 1e-4 } });
  const heat = divergenceHeat(report, b.graph!, 'generated');
  const { bToA } = nodePartners(diff.graph);
  const mirrored = firstSideHeat(heat, a.graph!, bToA);
  const broken = nodeIndex(a, '/net/net.4/Gemm');
  assert.deepEqual(mirrored.first, [{ node: broken, label: 'Gemm /net/net.4/Gemm', value: a.graph!.node![broken].output![0] }]);
  assert.equal(mirrored.nodes[broken].level, heat.nodes[heat.first[0].node!].level);
  assert.equal(mirrored.nodes[broken].value, a.graph!.node![broken].output![0]);
  for (const v of report.values) {
    assert.equal(mirrored.values[v.a].other, v.b);
    assert.equal(mirrored.values[v.a].maxAbs, heat.values[v.b].maxAbs);
  }
  assert.equal(mirrored.compared, heat.compared);
  assert.equal(mirrored.beyond, heat.beyond);

  // The side panel's diff section of the broken Gemm, on each side: before Compare numbers no numbers, then its output's.
  const overlayB = diffOverlay(diff.graph, a.graph!, b.graph!, order(b), 'a.onnx');
  const overlayA = firstSideOverlay(diff.graph, a.graph!, b.graph!, order(a), 'b.onnx');
  const brokenB = heat.first[0].node!;
  const outB = b.graph!.node![brokenB].output!;
  const before = diffDetails(overlayB, brokenB, outB)!;
  assert.equal(before.numbers, undefined);
  assert.match(before.status, /^changed \(against a\.onnx\)$/);
  const h = heat.values[outB[0]];
  const rows = (other: string): Array<[string, string]> => [
    ['Compared with', other],
    ['Max abs', formatNumber(h.maxAbs)],
    ['Max rel', formatNumber(h.maxRel)],
    ['Cosine', formatNumber(h.cosine)],
    ['Beyond tolerance', `${formatCount(h.mismatches)} of ${formatCount(h.count)} elements (rtol 0.001, atol 0.0001)`],
  ];
  assert.ok(h.mismatches > 0);
  assert.deepEqual(diffDetails({ ...overlayB, divergence: heat }, brokenB, outB)!.numbers, [{ value: outB[0], rows: rows(h.other) }]);
  const outA = a.graph!.node![broken].output!;
  const seenFromA = diffDetails({ ...overlayA, divergence: mirrored }, broken, outA)!;
  assert.match(seenFromA.status, /against b\.onnx/);
  assert.deepEqual(seenFromA.numbers, [{ value: outA[0], rows: rows(outB[0]) }]);
  // A node whose outputs were not compared says so with an empty list.
  assert.deepEqual(diffDetails({ ...overlayB, divergence: heat }, brokenB, ['no such value'])!.numbers, []);
});
