// The model diff's matcher and classification on generated pairs: each test states the exact pairing and
// what it is called. Quantized and folded copies come from our own quantizer and fold.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { generateTransformer } from '../../../bench/generate/index.js';
import { diffModels } from '../../../src/core/diff/diffModels.js';
import { nodeStatuses } from '../../../src/core/diff/status.js';
import type { GraphDiff } from '../../../src/core/diff/types.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { foldConstants } from '../../../src/core/transforms/fold.js';
import { runtimeEvaluator } from '../../../src/core/transforms/foldTransform.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { resolveOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { foldableModel, ifModel, inserted, mlp, nodeIndex, ops, removed, renamed, scaledWeight, withAttribute } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

/** [a index, b index] of every pair, in a's order. */
const pairs = (d: GraphDiff) => d.nodes.map((p) => [p.a, p.b]).sort((x, y) => x[0] - y[0]);
const identityPairs = (n: number, skip: number[] = []) => Array.from({ length: n }, (_, i) => i).filter((i) => !skip.includes(i)).map((i) => [i, i]);

test('a model against its copy: every node paired by name, nothing changed, identical', () => {
  const a = mlp();
  const d = diffModels(a, cloneModel(a));
  assert.deepEqual(pairs(d.graph), identityPairs(a.graph!.node!.length));
  assert.ok(d.graph.nodes.every((p) => p.how === 'name' && !p.changed));
  assert.deepEqual(d.graph.groups, []);
  assert.equal(d.identical, true);
});

test('renamed nodes and values (a re-export): paired by structure, each node with its own, only renamed', () => {
  // A transformer: repeated layers, Constant nodes without inputs, shared inputs: the ambiguous cases.
  const a = generateTransformer({ layers: 2, hidden: 32, heads: 4, vocab: 50, maxPositions: 16 });
  const b = renamed(a);
  const d = diffModels(a, b);
  const n = a.graph!.node!.length;
  assert.deepEqual(pairs(d.graph), identityPairs(n));
  const graphOutputs = new Set(a.graph!.output!.map((o) => o.name));
  for (const p of d.graph.nodes) {
    // A node writing a graph output (kept by name) is known by that output.
    assert.equal(p.how, graphOutputs.has(a.graph!.node![p.a].output![0]) ? 'output' : 'structure');
    const [x, y] = [a.graph!.node![p.a], b.graph!.node![p.b]];
    const outputs = x.output!.map((o, slot) => ({ slot, before: o, after: y.output![slot] })).filter((s) => s.before !== s.after);
    assert.deepEqual(p.changes, { renamed: { before: x.name, after: y.name }, ...(outputs.length ? { outputs } : {}) });
  }
  assert.deepEqual(d.graph.groups, []);
  // Renamed weights pair with their originals and hold the same values: renamed, nothing else.
  assert.equal(d.graph.counts.initializers.changed, a.graph!.initializer!.length);
  assert.ok(d.graph.initializers.changed.every((c) => c.a !== c.b && !c.numeric && !c.dtype && !c.shape));
  assert.equal(d.graph.counts.initializers.removed, 0);
  for (const t of a.graph!.initializer!) assert.ok(d.graph.values.some((v) => v.a === t.name && v.b.startsWith('v')), t.name!);
  assert.equal(d.identical, false);
});

test('one node inserted: every original pairs with itself, the new one is inserted, its reader\'s input changed', () => {
  const a = mlp();
  const b = inserted(a, '/net/net.0/Gemm');
  const d = diffModels(a, b);
  const at = nodeIndex(b, 'inserted_sigmoid');
  assert.deepEqual(pairs(d.graph), a.graph!.node!.map((_, i) => [i, i < at ? i : i + 1]));
  assert.deepEqual(d.graph.groups, [{ kind: 'inserted', a: [], b: [at] }]);
  const changed = d.graph.nodes.filter((p) => p.changed);
  assert.equal(changed.length, 1);
  assert.equal(a.graph!.node![changed[0].a].name, '/net/net.1/Relu');
  assert.deepEqual(changed[0].changes, { inputs: [{ slot: 0, before: '/net/net.0/Gemm_output_0', after: '/net/net.0/Gemm_output_0_sigmoid' }] });
  assert.deepEqual(nodeStatuses(d.graph).b.filter((s) => s !== 'unchanged'), ['inserted', 'changed']);
});

test('one node removed: it is removed, the next node reads its input instead', () => {
  const a = mlp();
  const gone = nodeIndex(a, '/net/net.1/Relu');
  const b = removed(a, '/net/net.1/Relu');
  const d = diffModels(a, b);
  assert.deepEqual(pairs(d.graph), a.graph!.node!.map((_, i) => i).filter((i) => i !== gone).map((i) => [i, i < gone ? i : i - 1]));
  assert.deepEqual(d.graph.groups, [{ kind: 'removed', a: [gone], b: [] }]);
  const changed = d.graph.nodes.filter((p) => p.changed);
  assert.deepEqual(changed.map((p) => a.graph!.node![p.a].name), ['/net/net.2/Gemm']);
  assert.deepEqual(changed[0].changes.inputs, [{ slot: 0, before: '/net/net.1/Relu_output_0', after: '/net/net.0/Gemm_output_0' }]);
});

test('an attribute changed: that one pair, that one attribute, before and after', () => {
  const a = mlp();
  const d = diffModels(a, withAttribute(a, '/net/net.2/Gemm', 'alpha', 0.5));
  assert.deepEqual(pairs(d.graph), identityPairs(a.graph!.node!.length));
  const changed = d.graph.nodes.filter((p) => p.changed);
  assert.equal(changed.length, 1);
  assert.equal(a.graph!.node![changed[0].a].name, '/net/net.2/Gemm');
  assert.deepEqual(changed[0].changes, { attributes: [{ name: 'alpha', before: '1.0', after: '0.5' }] });
});

test('a weight perturbed: no node changes, the initializer\'s numeric difference is exact', () => {
  const a = mlp();
  const w = a.graph!.initializer!.find((t) => t.name === 'net.2.weight')!;
  const values = new Float32Array(w.rawData!.buffer.slice(w.rawData!.byteOffset, w.rawData!.byteOffset + w.rawData!.byteLength));
  const b = scaledWeight(a, 'net.2.weight', 3, 5);
  const d = diffModels(a, b);
  assert.deepEqual(pairs(d.graph), identityPairs(a.graph!.node!.length));
  assert.equal(d.graph.counts.changed, 0);
  assert.equal(d.graph.initializers.changed.length, 1);
  const c = d.graph.initializers.changed[0];
  assert.equal(c.a, 'net.2.weight');
  assert.equal(c.dtype, undefined);
  assert.equal(c.shape, undefined);
  assert.ok(Math.abs(c.numeric!.maxAbs - Math.abs(2 * values[5])) < 1e-6, `${c.numeric!.maxAbs} vs ${2 * values[5]}`);
  assert.equal(c.numeric!.changedShare, 1 / values.length);
  assert.ok(c.numeric!.cosine < 1 && c.numeric!.cosine > 0.9);
  assert.equal(c.sparsity.before, 0);
  assert.equal(d.identical, false);
});

function quantized(a: ModelProto, format: 'integer' | 'qdq'): ModelProto {
  return quantizeModel(cloneModel(a), resolveOptions({ mode: 'dynamic', format })).model;
}

test('a dynamically quantized copy (integer): each Gemm replaced by its six nodes, the Relus unchanged', () => {
  const a = mlp();
  const b = quantized(a, 'integer');
  const d = diffModels(a, b);
  const relus = a.graph!.node!.map((n, i) => [n, i] as const).filter(([n]) => n.opType === 'Relu').map(([, i]) => i);
  assert.deepEqual(d.graph.nodes.map((p) => p.a).sort(), relus);
  assert.ok(d.graph.nodes.every((p) => !p.changed && p.how === 'name'));
  const gemms = a.graph!.node!.map((n, i) => [n, i] as const).filter(([n]) => n.opType === 'Gemm').map(([, i]) => i);
  assert.equal(d.graph.groups.length, gemms.length);
  for (const [k, g] of d.graph.groups.entries()) {
    assert.equal(g.kind, 'replaced');
    assert.deepEqual(g.a, [gemms[k]]);
    assert.deepEqual(ops(b, g.b), ['DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Mul', 'Add']);
    // The six nodes write the value the Gemm wrote.
    assert.ok(g.b.some((j) => b.graph!.node![j].output![0] === a.graph!.node![gemms[k]].output![0]));
  }
  assert.deepEqual(d.graph.initializers.removed, gemms.map((i) => a.graph!.node![i].input![1]));
});

test('a dynamically quantized copy (QDQ): each Gemm gained its quantize/dequantize inputs, as a unit', () => {
  const a = mlp();
  const b = quantized(a, 'qdq');
  const d = diffModels(a, b);
  assert.equal(d.graph.nodes.length, a.graph!.node!.length);
  assert.ok(d.graph.nodes.every((p) => a.graph!.node![p.a].name === b.graph!.node![p.b].name));
  const gemmPairs = d.graph.nodes.map((p, k) => [p, k] as const).filter(([p]) => a.graph!.node![p.a].opType === 'Gemm');
  assert.equal(d.graph.groups.length, gemmPairs.length);
  for (const [p, k] of gemmPairs) {
    const g = d.graph.groups.find((x) => x.pair === k)!;
    assert.equal(g.kind, 'gained');
    assert.deepEqual(ops(b, g.b), ['DynamicQuantizeLinear', 'DequantizeLinear', 'DequantizeLinear']);
    assert.deepEqual(g.initializers, [a.graph!.node![p.a].input![1]]);
    // The activation's dequantized copy pairs with the float value it stands for.
    const input = a.graph!.node![p.a].input![0];
    assert.ok(d.graph.values.some((v) => v.how === 'dequantized' && v.a === input && v.b === b.graph!.node![p.b].input![0]));
    assert.deepEqual(p.changes.inputs?.map((s) => s.slot), [0]);
  }
});

test('a folded copy (our fold): the constant chain folded into the initializer the MatMul reads', async () => {
  const a = foldableModel();
  const { model: b } = await foldConstants(a, { evaluate: runtimeEvaluator(client) });
  const d = diffModels(a, b);
  const names = (m: ModelProto, idx: number[]) => idx.map((i) => m.graph!.node![i].name);
  assert.deepEqual(d.graph.nodes.map((p) => [a.graph!.node![p.a].name, b.graph!.node![p.b].name]), [['matmul', 'matmul'], ['relu', 'relu']]);
  assert.equal(d.graph.groups.length, 1);
  const g = d.graph.groups[0];
  assert.equal(g.kind, 'folded');
  assert.deepEqual(names(a, g.a), ['c1', 'c2', 'sum', 'transpose']);
  const weight = b.graph!.node!.find((n) => n.name === 'matmul')!.input![1];
  assert.deepEqual(g.initializers, [weight]);
  assert.deepEqual(d.graph.initializers.added, [weight]);
});

test('an If whose then branch changed: the If pair says which body changed, with its own counts', () => {
  const d = diffModels(ifModel(1), ifModel(2));
  assert.equal(d.graph.nodes.length, 1);
  const subs = d.graph.nodes[0].changes.subgraphs!;
  assert.deepEqual(subs.map((s) => s.attribute), ['then_branch']);
  const inner = subs[0].diff!;
  assert.equal(inner.counts.paired, 2);
  assert.equal(inner.counts.changed, 1);
  assert.deepEqual(inner.nodes.filter((p) => p.changed).map((p) => p.changes.attributes?.[0].name), ['value']);
  assert.equal(diffModels(ifModel(1), ifModel(1)).identical, true);
});
