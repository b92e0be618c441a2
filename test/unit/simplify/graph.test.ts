// Simplify over the whole model: weights in Constant nodes, rewrites inside If branches and Loop bodies,
// duplicate initializers, the keep list, the report, and one-line errors for bad options.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { allNames, defaultOpset } from '../../../src/core/model/graphQueries.js';
import { DataType, onnx, type ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareModels } from '../../../src/core/runtime/compare.js';
import { NameAllocator, constantNode } from '../../../src/core/transforms/graphEdit.js';
import { formatReport } from '../../../src/core/transforms/report.js';
import { convBatchNorm } from '../../../src/core/transforms/simplify/convBatchNorm.js';
import { runRewrites } from '../../../src/core/transforms/simplify/rewritePass.js';
import { simplifyTolerance } from '../../../src/core/transforms/simplify/simplify.js';
import { simplifyWithReport } from '../../../src/core/transforms/simplify/simplifyReport.js';
import { tempDir } from '../../helpers/models.js';
import { bool, f32, i64, model, node, seq, valueInfo } from '../transforms/foldModels.js';
import { count, ops, SimplifyHarness } from './simplifyHelper.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-simplify-graph-');
const h = new SimplifyHarness(client, dir);
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const F = DataType.FLOAT;

/** Conv -> BatchNormalization with every weight in a Constant node, as paddle2onnx writes them. */
function constantWeightsModel(): ModelProto {
  const weights = [
    f32('w', [2, 1, 3, 3], seq(18, 0.07)), f32('scale', [2], [1.5, 0.5]), f32('beta', [2], [0.1, -0.1]),
    f32('mean', [2], [0.2, -0.3]), f32('var', [2], [0.9, 1.7]),
  ];
  return model({
    input: [valueInfo('x', F, ['N', 1, 5, 5])], output: [valueInfo('y', F, ['N', 2, 5, 5])],
    node: [
      ...weights.map((t) => constantNode(t.name!, t, `const_${t.name}`)),
      node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
      node('BatchNormalization', ['c', 'scale', 'beta', 'mean', 'var'], ['y']),
    ],
  }, 11, 6);
}

test('weights held in Constant nodes: the rewrite reads them as it reads initializers, and simplify fuses them', async () => {
  // The rewrite alone, before folding turns the Constant nodes into initializers.
  const direct = constantWeightsModel();
  const { counts } = runRewrites(direct, [convBatchNorm], { opset: defaultOpset(direct), keep: new Set(), names: new NameAllocator(allNames(direct)) });
  assert.equal(counts.get('conv-bn'), 1);
  assert.ok(!ops(direct).includes('BatchNormalization'));
  const original = constantWeightsModel();
  const before = encodeModel(original);
  const { model: result, stats } = await h.simplify(original);
  assert.deepEqual(encodeModel(original), before, 'the input model is not changed');
  const kept = await h.simplify(original, { keep: ['c'] });
  assert.deepEqual(encodeModel(original), before, 'the input model is not changed when names are kept either');
  assert.deepEqual(ops(kept.model), ['Conv', 'BatchNormalization']);
  assert.deepEqual(ops(result), ['Conv']);
  assert.equal(count(stats, 'conv-bn'), 1);
  await h.assertEquivalent(original, result, 'constant-weights', { N: 2 });
});

test('IR 3 models: initializers are graph inputs, and so are the fused weights', async () => {
  const original = model({
    input: [valueInfo('x', F, [1, 2, 4, 4]), valueInfo('w', F, [2, 2, 1, 1]), valueInfo('k', F, [1, 2, 1, 1])],
    output: [valueInfo('y', F, [1, 2, 4, 4])],
    initializer: [f32('w', [2, 2, 1, 1], [1, 2, 3, 4]), f32('k', [1, 2, 1, 1], [0.5, 2])],
    node: [node('Conv', ['x', 'w'], ['c']), node('Mul', ['c', 'k'], ['y'])],
  }, 8, 3);
  const { model: result } = await h.simplify(original);
  assert.deepEqual(ops(result), ['Conv']);
  const inputs = new Set(result.graph!.input!.map((v) => v.name));
  for (const t of result.graph!.initializer!) assert.ok(inputs.has(t.name!), `${t.name} listed as an input`);
  assert.ok(!inputs.has('w') && !inputs.has('k'), 'the unused weights went with their inputs');
  const r = await compareModels(client, encodeModel(original), encodeModel(result), { ...simplifyTolerance, seed: 4 });
  assert.ok(r.pass, JSON.stringify(r.comparisons));
});

test('rewrites reach into If branches (reading outer weights) and Loop bodies', async () => {
  const branch = (name: string, mulBy: string) => onnx.GraphProto.create({
    name, output: [valueInfo(`${name}_out`, F, undefined)],
    node: [
      node('Conv', ['x', 'w'], [`${name}_c`], { pads: [1, 1, 1, 1] }),
      node('BatchNormalization', [`${name}_c`, 'scale', 'beta', 'mean', 'var'], [`${name}_bn`]),
      node('Mul', [`${name}_bn`, mulBy], [`${name}_out`]),
    ],
  });
  const body = onnx.GraphProto.create({
    name: 'body',
    input: [valueInfo('i', DataType.INT64, []), valueInfo('cond_in', DataType.BOOL, []), valueInfo('acc', F, [2, 3])],
    output: [valueInfo('cond_out', DataType.BOOL, []), valueInfo('acc_out', F, [2, 3])],
    node: [
      node('Identity', ['cond_in'], ['cond_out']),
      node('Transpose', ['acc'], ['t1'], { perm: [1, 0] }), node('Transpose', ['t1'], ['t2'], { perm: [1, 0] }),
      node('Cast', ['t2'], ['t3'], { to: DataType.DOUBLE }), node('Cast', ['t3'], ['t4'], { to: DataType.FLOAT }),
      node('Add', ['t4', 'step'], ['acc_out']),
    ],
  });
  const original = model({
    input: [valueInfo('x', F, [1, 2, 4, 4]), valueInfo('flag', DataType.BOOL, []), valueInfo('start', F, [2, 3])],
    output: [valueInfo('y', F, [1, 2, 4, 4]), valueInfo('z', F, [2, 3])],
    initializer: [
      f32('w', [2, 2, 3, 3], seq(36, 0.05)), f32('scale', [2], [1.2, 0.8]), f32('beta', [2], [0, 0.5]), f32('mean', [2], [0.1, 0.2]),
      f32('var', [2], [1, 2]), f32('two', [], [2]), f32('half', [1, 2, 1, 1], [0.5, -0.5]), f32('step', [2, 3], seq(6)), i64('trips', [], [3]), bool('go', true),
    ],
    node: [
      node('If', ['flag'], ['y'], { then_branch: branch('then', 'two'), else_branch: branch('else', 'half') }, 'if'),
      node('Loop', ['trips', 'go', 'start'], ['z'], { body }, 'loop'),
    ],
  });
  const { model: result, stats } = await h.simplify(original);
  const ifNode = result.graph!.node!.find((n) => n.opType === 'If')!;
  for (const attr of ifNode.attribute!) assert.deepEqual(attr.g!.node!.map((n) => n.opType), ['Conv'], attr.name!);
  const loop = result.graph!.node!.find((n) => n.opType === 'Loop')!;
  assert.deepEqual(loop.attribute![0].g!.node!.map((n) => n.opType), ['Identity', 'Add']);
  assert.equal(count(stats, 'conv-bn'), 2);
  assert.equal(count(stats, 'conv-mul'), 2);
  for (const flag of [true, false]) {
    const inputs = {
      x: { dtype: F, dims: [1, 2, 4, 4], data: Float32Array.from(seq(32, 0.3)) },
      flag: { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(flag ? 1 : 0) },
      start: { dtype: F, dims: [2, 3], data: Float32Array.from(seq(6, 0.2)) },
    };
    const r = await compareModels(client, encodeModel(original), encodeModel(result), { ...simplifyTolerance, inputs });
    assert.ok(r.pass, `flag ${flag}: ${JSON.stringify(r.comparisons)}`);
  }
  await h.assertEquivalent(original, result, 'subgraphs');
});

test('duplicate initializers (equal bytes) merge, and then the nodes reading them merge too', async () => {
  const original = model({
    input: [valueInfo('x', F, ['N', 4])], output: [valueInfo('y', F, ['N', 3])],
    initializer: [f32('w1', [4, 3], seq(12)), f32('w2', [4, 3], seq(12)), f32('w3', [4, 3], seq(12, 0.2))],
    node: [node('MatMul', ['x', 'w1'], ['a']), node('MatMul', ['x', 'w2'], ['b']), node('MatMul', ['x', 'w3'], ['c']), node('Sum', ['a', 'b', 'c'], ['y'])],
  });
  const { model: result, stats } = await h.simplify(original);
  assert.equal(count(stats, 'duplicate-initializers'), 1);
  assert.deepEqual(result.graph!.initializer!.map((t) => t.name).sort(), ['w1', 'w3']);
  assert.deepEqual(ops(result).filter((o) => o === 'MatMul').length, 2);
  await h.assertEquivalent(original, result, 'duplicate-initializers', { N: 2 });
});

test('kept names stay: a kept Conv output keeps its BatchNormalization, a kept node stays, graph outputs never change', async () => {
  const original = model({
    input: [valueInfo('x', F, ['N', 1, 4, 4])], output: [valueInfo('y', F, ['N', 2, 4, 4])],
    initializer: [f32('w', [2, 1, 1, 1], [1, -1]), f32('s', [2], [1, 2]), f32('b', [2], [0, 1]), f32('m', [2], [0, 0]), f32('v', [2], [1, 1])],
    node: [
      node('Conv', ['x', 'w'], ['c']), node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['bn']),
      node('Transpose', ['bn'], ['t1'], { perm: [0, 1, 3, 2] }, 'first_transpose'), node('Transpose', ['t1'], ['y'], { perm: [0, 1, 3, 2] }),
    ],
  });
  const keptValue = await h.simplify(original, { keep: ['c'] });
  assert.ok(ops(keptValue.model).includes('BatchNormalization'));
  assert.ok(keptValue.model.graph!.node!.some((n) => n.output?.includes('c')));
  assert.equal(count(keptValue.stats, 'conv-bn'), 0);
  await h.assertEquivalent(original, keptValue.model, 'keep-value', { N: 1 });
  const keptNode = await h.simplify(original, { keep: ['first_transpose'] });
  assert.ok(keptNode.model.graph!.node!.some((n) => n.name === 'first_transpose'));
  assert.ok(!ops(keptNode.model).includes('BatchNormalization'));
  const all = await h.simplify(original);
  assert.deepEqual(ops(all.model), ['Conv', 'Identity'], 'the cancelled Transposes leave an Identity for the graph output');
  await h.assertEquivalent(original, all.model, 'keep-none', { N: 1 });
});

test('the report lists every rewrite with its count; bad options are one-line errors', async () => {
  const original = constantWeightsModel();
  const { report } = await simplifyWithReport(original, {}, { client });
  const text = formatReport(report);
  assert.match(text, /^Simplify report/);
  assert.match(text, /Rewrites:\n\s+rewrite\s+count\n/);
  assert.match(text, /Conv \+ BatchNormalization fused\s+1\n/);
  assert.match(text, /LayerNormalization fused \(opset 17\+\)\s+0\n/);
  assert.match(formatReport(report, { markdown: true }), /\| Conv \+ BatchNormalization fused \| 1 \|/);
  await assert.rejects(h.simplify(original, { keep: ['no_such_value'] }), { name: 'UserError', message: "The model has no value or node named 'no_such_value' to keep." });
  await assert.rejects(h.simplify(original, { rewrites: ['conv-bn', 'nope'] }), { name: 'UserError', message: /^Unknown rewrite 'nope'; the rewrites are identity-like, cast-chain, / });
  const controller = new AbortController();
  controller.abort();
  const { simplifyModel } = await import('../../../src/core/transforms/simplify/simplify.js');
  await assert.rejects(simplifyModel(original, {}, { client, signal: controller.signal }), { name: 'UserError', message: 'Simplifying was cancelled.' });
});
