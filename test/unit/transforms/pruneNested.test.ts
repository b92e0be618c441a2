// Pruning reaches weights inside If bodies (the body's own Constant node and main-graph initializers a
// body captures) with one global ranking, and the W and R weights of LSTM/GRU; biases, peepholes and
// initial states are left alone. Every result runs in onnxruntime.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto, TensorProto } from '../../../src/core/model/proto.js';
import { constantNodeTensor, tensorToArray, toFloat64 } from '../../../src/core/model/tensorValues.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { compareRuns, type Feeds } from '../../../src/core/transforms/compareRuns.js';
import { pruneTransform, type PruneRequest } from '../../../src/core/transforms/pruneTransform.js';
import { followsPattern, prunableNodes, pruneWeights } from '../../../src/core/transforms/pruneWeights.js';
import { applyTransform, memoryContext } from '../../../src/core/transforms/transformFile.js';
import { ifWeightsModel, recurrentModel } from '../../helpers/recurrentModels.js';
import { DataType } from '../../../src/core/model/proto.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

/** Every float tensor by name, at any depth: initializers and Constant-node values. */
function tensors(m: ModelProto): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const v of walkModel(m)) {
    for (const t of v.graph?.initializer ?? []) out.set(t.name!, toFloat64(tensorToArray(t)));
    for (const n of v.nodes) if (n.opType === 'Constant') out.set(n.output![0], toFloat64(tensorToArray(constantNodeTensor(n) as TensorProto)));
  }
  return out;
}

const zeros = (a: Float64Array) => a.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);

async function runBoth(original: ModelProto, pruned: ModelProto, sets: Feeds[]) {
  const e = await client.runMany(encodeModel(original), sets);
  const a = await client.runMany(encodeModel(pruned), sets);
  return compareRuns(Object.keys(e[0]), e, a, { rtol: 0, atol: 0 });
}

const ifSets = (m: ModelProto): Feeds[] => [true, false].map((c) => ({ ...generateInputs(m, { seed: 1 }), cond: { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(c ? 1 : 0) } }));

test('global sparsity ranks the main graph\'s weight, a captured one and a body\'s Constant together', async () => {
  const m = ifWeightsModel();
  assert.equal(prunableNodes(m).length, 3, 'the quick pick sees the MatMuls inside the bodies');
  const before = tensors(m);
  const { model: pruned, tensors: report } = pruneWeights(m, { sparsity: 0.5, scope: 'global' });
  assert.deepEqual(report.map((t) => [t.name, t.graph]).sort(), [['W_else', '/branch.else_branch'], ['W_main', ''], ['W_outer', '']]);
  const after = tensors(pruned);
  const names = ['W_main', 'W_outer', 'W_else'];
  const total = names.reduce((n, k) => n + before.get(k)!.length, 0);
  assert.equal(names.reduce((n, k) => n + zeros(after.get(k)!), 0), Math.round(0.5 * total), 'exactly half of all weights');
  // One threshold: every zeroed magnitude is at most every kept one, across the three tensors.
  let maxZeroed = 0, minKept = Infinity;
  for (const k of names) {
    before.get(k)!.forEach((v, i) => {
      if (after.get(k)![i] === 0) maxZeroed = Math.max(maxZeroed, Math.abs(v));
      else minKept = Math.min(minKept, Math.abs(v));
    });
  }
  assert.ok(maxZeroed <= minKept, `${maxZeroed} > ${minKept}`);
  // W_outer holds the smallest values (scale 0.1 against 0.3): the global rule takes most of it.
  assert.ok(zeros(after.get('W_outer')!) > zeros(after.get('W_main')!));
  // Both branches run, and their outputs change (the pruned weights are the ones used).
  for (const c of await runBoth(m, pruned, ifSets(m))) {
    assert.equal(c.problem, undefined);
    assert.ok(c.maxAbsError > 0 && c.cosine > 0.5, `${c.name}: ${c.maxAbsError}, ${c.cosine}`);
  }
});

test('2:4 inside the If bodies; the prune transform counts the body tensors and its result runs both branches', async () => {
  const m = ifWeightsModel();
  const { model: pruned, tensors: report } = pruneWeights(m, { pattern: { n: 2, m: 4 } });
  assert.equal(report.filter((t) => !t.skipped).length, 3);
  const elseBody = pruned.graph!.node![1].attribute!.find((a) => a.name === 'else_branch')!.g!;
  const w = tensorToArray(constantNodeTensor(elseBody.node![0])!);
  assert.ok(followsPattern(w, 0, 2, 4));
  assert.equal(zeros(toFloat64(w)), w.data.length / 2);
  const request: PruneRequest = { kind: 'magnitude', sparsity: 0.3, scope: 'layer' };
  const options = { request, sparseStorage: false };
  const run = await applyTransform(pruneTransform, m, options, memoryContext(pruneTransform, m, options, { client }));
  assert.ok(run.report.notes.some((n) => /3 weight tensors pruned/.test(n)), run.report.notes.join(' | '));
  for (const c of await runBoth(m, run.model, ifSets(m))) assert.ok(c.cosine > 0.9, `${c.name}: cosine ${c.cosine}`);
});

test('LSTM and GRU: W and R are pruned along their input axis; biases, peepholes and initial states are not', async () => {
  const m = recurrentModel();
  const before = tensors(m);
  const { model: pruned, tensors: report } = pruneWeights(m, { sparsity: 0.4, scope: 'layer' });
  assert.deepEqual(report.map((t) => t.name).sort(), ['gru_R', 'gru_W', 'head_W', 'lstm_R', 'lstm_W']);
  const after = tensors(pruned);
  for (const t of report) assert.equal(zeros(after.get(t.name)!), Math.round(0.4 * t.elements), t.name);
  for (const k of ['lstm_B', 'lstm_P', 'lstm_h0', 'gru_B']) assert.deepEqual(after.get(k), before.get(k), `${k} untouched`);
  const sets = [0, 1].map((seed) => generateInputs(m, { seed }));
  for (const c of await runBoth(m, pruned, sets)) {
    assert.equal(c.problem, undefined);
    assert.ok(c.maxAbsError > 0 && c.cosine > 0.8, `${c.name}: ${c.maxAbsError}, cosine ${c.cosine}`);
  }
  // N:M groups run along the last axis of W [directions, gates*hidden, input] and R [.., hidden].
  const structured = pruneWeights(recurrentModel({ bidirectional: true }), { pattern: { n: 2, m: 4 } });
  for (const name of ['lstm_W', 'lstm_R', 'gru_W', 'gru_R']) {
    const t = structured.model.graph!.initializer!.find((x) => x.name === name)!;
    assert.ok(followsPattern(tensorToArray(t), 2, 2, 4), name);
  }
  const bi = recurrentModel({ bidirectional: true });
  for (const c of await runBoth(bi, structured.model, [generateInputs(bi, { seed: 2 })])) assert.equal(c.problem, undefined);
});
