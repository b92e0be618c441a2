// Folding generated models with known foldable structure: what must disappear does, what must stay stays,
// outputs are unchanged on the same inputs, and the result passes onnx.checker.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateCnn, generateTransformer } from '../../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx, type ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { foldConstants, type FoldOptions } from '../../../src/core/transforms/fold.js';
import { foldWithReport, optimizeWithOnnxruntime } from '../../../src/core/transforms/foldRun.js';
import { foldTransform, runtimeEvaluator } from '../../../src/core/transforms/foldTransform.js';
import { countOps, formatReport, totalNodes } from '../../../src/core/transforms/report.js';
import { tempDir } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';
import { bool, f32, i64, mixedModel, model, node, shapeChainModel, valueInfo } from './foldModels.js';
import { verifyInMemory } from './verifyHelper.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-fold-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function fold(m: ModelProto, options: Partial<FoldOptions> = {}) {
  return foldConstants(m, { evaluate: runtimeEvaluator(client), ...options });
}

const verifyFolded = (original: ModelProto, folded: ModelProto, seed = 0) =>
  verifyInMemory(client, foldTransform, { sizeLimitBytes: 64 * 2 ** 20 }, original, folded, { seed });

/** Same outputs on the same inputs, and onnx.checker accepts the result. */
async function assertEquivalent(original: ModelProto, folded: ModelProto, label: string): Promise<void> {
  const v = await verifyFolded(original, folded, 7);
  assert.ok(v.ran, `${label}: verification ran (${v.problem ?? ''})`);
  assert.ok(v.pass, `${label}: ${JSON.stringify(v.comparisons)}`);
  assert.ok(v.comparisons.length > 0);
  const path = join(dir, `${label}.onnx`);
  writeFileSync(path, encodeModel(folded));
  assert.equal(onnxCheck(path), '', `${label}: onnx.checker`);
}

const ops = (m: ModelProto) => (m.graph?.node ?? []).map((n) => n.opType);

test('Shape->Gather->Unsqueeze->Concat->Reshape on a static shape folds away; Identity chains are removed', async () => {
  const original = shapeChainModel();
  const { model: folded, stats } = await fold(original);
  assert.deepEqual(ops(folded), ['Reshape', 'MatMul']);
  const inits = new Map((folded.graph!.initializer ?? []).map((t) => [t.name, t]));
  assert.deepEqual([...inits.keys()].sort(), ['newshape', 'w2']);
  // Shape, Gather, Unsqueeze and Concat follow from the static shape without onnxruntime.
  assert.equal(stats.shapeOpsFolded, 4);
  assert.equal(stats.cleanup.identities, 2);
  // Only the values still read survive, under their original names; inputs, outputs and metadata stay.
  assert.deepEqual(folded.graph!.input!.map((v) => v.name), ['x']);
  assert.deepEqual(folded.graph!.output!.map((v) => v.name), ['y']);
  assert.equal(folded.docString, 'test model');
  assert.deepEqual(folded.metadataProps!.map((p) => [p.key, p.value]), [['author', 'tests']]);
  assert.deepEqual(folded.opsetImport!.map((o) => Number(o.version)), [17]);
  // One batched evaluation computes the weight arithmetic (Transpose and Add together).
  assert.equal(stats.evaluations, 1);
  await assertEquivalent(original, folded, 'shape-chain');
});

test('batches over the byte budget are split across rounds with the same result', async () => {
  const original = shapeChainModel();
  const whole = await fold(original);
  const split = await fold(original, { batchBytes: 1 });
  assert.ok(split.stats.evaluations > whole.stats.evaluations, `${split.stats.evaluations} vs ${whole.stats.evaluations}`);
  assert.deepEqual(ops(split.model), ops(whole.model));
  await assertEquivalent(original, split.model, 'split');
});

test('the input model is not changed by folding', async () => {
  const original = shapeChainModel();
  const before = encodeModel(original);
  await fold(original);
  assert.deepEqual(encodeModel(original), before);
});

test('a symbolic dimension stops folding of what depends on it', async () => {
  const m = shapeChainModel();
  m.graph!.input![0] = valueInfo('x', DataType.FLOAT, ['batch', 3, 4]);
  m.graph!.output![0] = valueInfo('y', DataType.FLOAT, ['batch', 5]);
  const { model: folded } = await fold(m);
  // The weight arithmetic folds, the shape chain stays (its Shape reads a dynamic dim).
  assert.ok(ops(folded).includes('Shape') && ops(folded).includes('Concat'), ops(folded).join(','));
  assert.ok(!ops(folded).includes('Transpose') && !ops(folded).includes('Add'));
  await assertEquivalent(m, folded, 'symbolic');
});

test('a static dim read from a partly dynamic shape folds; the dynamic one stays', async () => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, ['batch', 3, 4])],
    output: [valueInfo('y', DataType.FLOAT, ['batch', 12])],
    initializer: [i64('zero', [], [0]), i64('two', [1], [2]), i64('one', [], [1]), i64('axes0', [1], [0])],
    node: [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'zero'], ['b']),
      node('Gather', ['s', 'one'], ['c']),
      node('Slice', ['s', 'two', 'minus'], ['last']),
      node('Unsqueeze', ['b', 'axes0'], ['b1']),
      node('Unsqueeze', ['c', 'axes0'], ['c1']),
      node('Mul', ['c1', 'last'], ['flat']),
      node('Concat', ['b1', 'flat'], ['newshape'], { axis: 0 }),
      node('Reshape', ['x', 'newshape'], ['y']),
    ],
  });
  m.graph!.initializer!.push(i64('minus', [1], [3]));
  const { model: folded } = await fold(m);
  const after = ops(folded);
  // The batch dim stays dynamic; 3 * 4 = 12 is known and folded into the shape tensor's tail.
  assert.deepEqual(after.filter((o) => o === 'Gather').length, 1, after.join(','));
  assert.ok(!after.includes('Mul') && !after.includes('Slice'), after.join(','));
  await assertEquivalent(m, folded, 'partly-dynamic');
});

test('ConstantOfShape, a constant If and a random op: folded, inlined, left alone', async () => {
  const original = mixedModel();
  const { model: folded, stats } = await fold(original);
  const after = ops(folded);
  assert.ok(!after.includes('If'), 'the If is replaced by its then-branch');
  assert.ok(after.includes('Mul'), 'the branch Mul reads the graph input and stays');
  assert.ok(!after.includes('ConstantOfShape'));
  assert.ok(!after.includes('Neg'), 'the else branch is gone');
  assert.equal(stats.ifsInlined, 1);
  assert.ok(stats.skipped.some((s) => s.opType === 'RandomNormalLike' && /non-deterministic/.test(s.reason)));
  // 'r' is a graph output computed from constants: it becomes a Constant node under its own name.
  const r = folded.graph!.node!.find((n) => n.output?.includes('r'));
  assert.equal(r?.opType, 'Constant');
  // The hoisted branch initializer keeps its name.
  assert.ok(folded.graph!.initializer!.some((t) => t.name === 'then_c'));
  await assertEquivalent(original, folded, 'mixed');
});

test('a random op whose result is used is never folded', async () => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 3])],
    output: [valueInfo('y', DataType.FLOAT, [2, 3])],
    node: [node('RandomUniform', [], ['u'], { shape: [2, 3], seed: 1.5 }), node('Mul', ['u', 'u'], ['u2']), node('Add', ['x', 'u2'], ['y'])],
  });
  const { model: folded } = await fold(m);
  assert.deepEqual(ops(folded), ['RandomUniform', 'Mul', 'Add']);
});

test('If branches that collide with outer names are renamed on inlining; else-branch taken on false', async () => {
  const elseBranch = onnx.GraphProto.create({
    name: 'else', output: [valueInfo('t', DataType.FLOAT, [2])],
    // 't' and 'k' collide with outer values: they must be renamed when hoisted.
    initializer: [f32('k', [2], [10, 20])],
    node: [node('Add', ['x', 'k'], ['t'], {}, 'same_name')],
  });
  const thenBranch = onnx.GraphProto.create({ name: 'then', output: [valueInfo('x1', DataType.FLOAT, [2])], node: [node('Identity', ['x'], ['x1'])] });
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2])],
    output: [valueInfo('y', DataType.FLOAT, [2]), valueInfo('t', DataType.FLOAT, [2])],
    initializer: [bool('cond', false), f32('k', [2], [1, 2])],
    node: [
      node('If', ['cond'], ['b'], { then_branch: thenBranch, else_branch: elseBranch }, 'if'),
      node('Mul', ['b', 'k'], ['y'], {}, 'same_name'),
      node('Sub', ['x', 'k'], ['t']),
    ],
  });
  const { model: folded } = await fold(m);
  assert.ok(!ops(folded).includes('If'));
  const names = folded.graph!.node!.map((n) => n.name);
  assert.equal(new Set(names).size, names.length, 'node names stay unique');
  await assertEquivalent(m, folded, 'if-rename');
});

test('folding inside subgraphs: branch nodes reading outer constants fold, captures of inputs stay', async () => {
  const thenBranch = onnx.GraphProto.create({
    name: 'then', output: [valueInfo('o1', DataType.FLOAT, [2, 2])],
    node: [node('Transpose', ['w'], ['wt'], { perm: [1, 0] }), node('Mul', ['wt', 'two'], ['w2']), node('MatMul', ['x', 'w2'], ['o1'])],
  });
  const elseBranch = onnx.GraphProto.create({
    name: 'else', output: [valueInfo('o2', DataType.FLOAT, [2, 2])],
    node: [node('Neg', ['x'], ['o2'])],
  });
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 2]), valueInfo('c', DataType.BOOL, [])],
    output: [valueInfo('y', DataType.FLOAT, [2, 2])],
    initializer: [f32('w', [2, 2], [1, 2, 3, 4]), f32('two', [], [2])],
    node: [node('If', ['c'], ['y'], { then_branch: thenBranch, else_branch: elseBranch })],
  });
  const { model: folded } = await fold(m);
  const branch = folded.graph!.node![0].attribute!.find((a) => a.name === 'then_branch')!.g!;
  assert.deepEqual(branch.node!.map((n) => n.opType), ['MatMul']);
  assert.deepEqual(branch.initializer!.map((t) => t.name), ['w2']);
  for (const c of [true, false]) {
    const inputs = { x: { dtype: DataType.FLOAT, dims: [2, 2], data: Float32Array.of(1, -2, 3, 0.5) }, c: { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(c ? 1 : 0) } };
    const v = await verifyFolded(m, folded);
    assert.ok(v.ran && v.pass);
    const a = await client.run(encodeModel(m), inputs);
    const b = await client.run(encodeModel(folded), inputs);
    assert.deepEqual(b.y.data, a.y.data);
  }
  const path = join(dir, 'subgraph.onnx');
  writeFileSync(path, encodeModel(folded));
  assert.equal(onnxCheck(path), '');
});

test('outputs over the size limit stay computed at run time', async () => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [256, 256])],
    output: [valueInfo('y', DataType.FLOAT, [256, 256])],
    initializer: [i64('shape', [2], [256, 256])],
    node: [node('ConstantOfShape', ['shape'], ['big'], { value: f32('v', [1], [0.5]) }), node('Add', ['x', 'big'], ['y'])],
  });
  const limited = await fold(m, { sizeLimitBytes: 1024 });
  assert.deepEqual(ops(limited.model), ['ConstantOfShape', 'Add']);
  assert.ok(limited.stats.skipped.some((s) => /size limit/.test(s.reason)));
  const unlimited = await fold(m);
  assert.deepEqual(ops(unlimited.model), ['Add']);
  await assertEquivalent(m, limited.model, 'limited');
});

test('an op onnxruntime rejects is isolated and skipped; the rest of the batch still folds', async () => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2])],
    output: [valueInfo('y', DataType.FLOAT, [2]), valueInfo('z', DataType.FLOAT, [2])],
    initializer: [f32('a', [2], [1, 2]), f32('b', [2], [3, 4])],
    node: [
      node('Add', ['a', 'b'], ['ab']),
      node('Mul', ['ab', 'x'], ['y']),
      // No kernel exists for this made-up op: the evaluation must find it and leave it in place.
      onnx.NodeProto.create({ name: 'custom', opType: 'NoSuchOp', domain: 'example.custom', input: ['a'], output: ['c'] }),
      node('Add', ['c', 'x'], ['z']),
    ],
  });
  m.opsetImport!.push({ domain: 'example.custom', version: 1 });
  const { model: folded, stats } = await fold(m);
  assert.ok(!ops(folded).includes('Add') || ops(folded).filter((o) => o === 'Add').length === 1);
  assert.ok(ops(folded).includes('NoSuchOp'));
  assert.ok(stats.skipped.some((s) => s.opType === 'NoSuchOp' && /onnxruntime could not evaluate/.test(s.reason)));
  assert.ok(folded.graph!.initializer!.some((t) => t.name === 'ab'), 'a + b folded');
});

test('IR 3 models: initializers listed as inputs are constants, and new initializers are listed as inputs too', async () => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2]), valueInfo('a', DataType.FLOAT, [2]), valueInfo('b', DataType.FLOAT, [2])],
    output: [valueInfo('y', DataType.FLOAT, [2])],
    initializer: [f32('a', [2], [1, 2]), f32('b', [2], [3, 4])],
    node: [node('Add', ['a', 'b'], ['ab']), node('Mul', ['ab', 'x'], ['y'])],
  }, 8, 3);
  const { model: folded } = await fold(m);
  assert.deepEqual(ops(folded), ['Mul']);
  assert.deepEqual(folded.graph!.input!.map((v) => v.name).sort(), ['ab', 'x']);
  await assertEquivalent(m, folded, 'ir3');
  // With IR >= 4 the same initializers are overridable defaults: nothing folds.
  const overridable = await fold({ ...m, irVersion: 8 });
  assert.deepEqual(ops(overridable.model), ['Add', 'Mul']);
});

test('generated transformer and CNN: fold verifies, shrinks the graph, and compares with onnxruntime basic', async () => {
  const transformer = generateTransformer({ layers: 2, hidden: 32, heads: 4, vocab: 64, maxPositions: 16 });
  const cnn = generateCnn({ blocks: [1, 1], channels: 8, imageSize: 16, classes: 10 });
  for (const [label, m] of [['transformer', transformer], ['cnn', cnn]] as const) {
    const { model: folded, report } = await foldWithReport(m, { client });
    const v = await verifyFolded(m, folded, 3);
    assert.ok(v.ran && v.pass, `${label}: ${JSON.stringify(v)}`);
    assert.ok(totalNodes(report.nodesAfter) <= totalNodes(report.nodesBefore), label);
    const text = formatReport({ ...report, verification: v });
    assert.match(text, /Verification:\n {2}PASS/);
    const ort = await optimizeWithOnnxruntime(client, encodeModel(m), 'basic');
    assert.ok(ort.timeMs >= 0 && totalNodes(ort.nodes) > 0, label);
    assert.ok(totalNodes(countOps(folded)) > 0);
  }
  // The transformer's Shape->Gather->Unsqueeze->Concat->Reshape chains are what onnxruntime's ReshapeFusion
  // merges: with it left out by name, more nodes stay.
  const bytes = encodeModel(transformer);
  const fused = await optimizeWithOnnxruntime(client, bytes, 'basic');
  const unfused = await optimizeWithOnnxruntime(client, bytes, 'basic', ['ReshapeFusion']);
  assert.ok(totalNodes(unfused.nodes) > totalNodes(fused.nodes), `${totalNodes(unfused.nodes)} > ${totalNodes(fused.nodes)}`);
  assert.ok((unfused.nodes.Concat ?? 0) > (fused.nodes.Concat ?? 0));
});

test('models with external data: fold reads the weights it evaluates, writes beside, verifies from the files', async () => {
  const { writeExternalDataModel } = await import('../../../bench/generate/index.js');
  const { readModelFile } = await import('../../../src/core/model/decode.js');
  const { transformFile } = await import('../../../src/core/transforms/transformFile.js');
  const { pruneTransform } = await import('../../../src/core/transforms/pruneTransform.js');
  const sub = join(dir, 'external');
  const { modelPath } = writeExternalDataModel(sub, { layers: 2, width: 32 });
  // Scale the first weight by a constant: a foldable node that reads external data.
  const { model: m } = await readModelFile(modelPath);
  m.graph!.initializer!.push(f32('two', [], [2]));
  const matmul = m.graph!.node!.find((n) => n.opType === 'MatMul')!;
  m.graph!.node!.unshift(node('Mul', [matmul.input![1], 'two'], ['scaled_weight']));
  matmul.input![1] = 'scaled_weight';
  writeFileSync(modelPath, encodeModel(m));
  const out = join(sub, 'model.folded.onnx');
  const { report } = await transformFile(foldTransform, { input: modelPath, output: out, options: { sizeLimitBytes: 64 * 2 ** 20 }, client });
  const stats = report.details;
  assert.equal(stats.evaluations, 1);
  assert.ok(report.verification?.ran && report.verification.pass, JSON.stringify(report.verification));
  assert.equal((await readModelFile(out)).model.graph!.node!.filter((n) => n.opType === 'Mul').length, 0);
  const pruned = join(sub, 'model.pruned.onnx');
  const result = await transformFile(pruneTransform, { input: modelPath, output: pruned, options: { request: { kind: 'magnitude', sparsity: 0.5, scope: 'layer' }, sparseStorage: false }, client });
  assert.ok(result.report.verification?.ran, result.report.verification?.problem);
  // The first MatMul now reads a computed weight (the Mul), so only the second weight is a constant to prune.
  assert.ok(result.report.notes.some((n) => /1 weight tensor pruned/.test(n)), result.report.notes.join(' | '));
});

test('nested constant Ifs unfold level by level; a Loop body folds what reads only outer constants', async () => {
  const inner = (value: number) => onnx.GraphProto.create({
    name: `inner${value}`, output: [valueInfo(`inner_out${value}`, DataType.FLOAT, [2])],
    initializer: [f32(`inner_c${value}`, [2], [value, value])],
    node: [node('Mul', ['x', `inner_c${value}`], [`inner_out${value}`])],
  });
  const outerThen = onnx.GraphProto.create({
    name: 'outer_then', output: [valueInfo('outer_out', DataType.FLOAT, [2])],
    node: [node('If', ['flag2'], ['outer_out'], { then_branch: inner(3), else_branch: inner(5) }, 'inner_if')],
  });
  const outerElse = onnx.GraphProto.create({ name: 'outer_else', output: [valueInfo('neg', DataType.FLOAT, [2])], node: [node('Neg', ['x'], ['neg'])] });
  const body = onnx.GraphProto.create({
    name: 'body',
    input: [valueInfo('i', DataType.INT64, []), valueInfo('cond_in', DataType.BOOL, []), valueInfo('acc', DataType.FLOAT, [2])],
    output: [valueInfo('cond_out', DataType.BOOL, []), valueInfo('acc_out', DataType.FLOAT, [2])],
    node: [
      node('Identity', ['cond_in'], ['cond_out']),
      // step = k * k reads only outer constants: folded inside the body.
      node('Mul', ['k', 'k'], ['step']),
      node('Add', ['acc', 'step'], ['acc_out']),
    ],
  });
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2])],
    output: [valueInfo('y', DataType.FLOAT, [2]), valueInfo('z', DataType.FLOAT, [2])],
    initializer: [bool('flag1', true), bool('flag2', false), f32('k', [2], [0.5, 2]), i64('trips', [], [3]), bool('go', true)],
    node: [
      node('If', ['flag1'], ['y'], { then_branch: outerThen, else_branch: outerElse }, 'outer_if'),
      node('Loop', ['trips', 'go', 'x'], ['z'], { body }, 'loop'),
    ],
  });
  const { model: folded, stats } = await fold(m);
  assert.equal(stats.ifsInlined, 2);
  assert.deepEqual(ops(folded), ['Mul', 'Loop']);
  const loopBody = folded.graph!.node![1].attribute!.find((a) => a.name === 'body')!.g!;
  assert.deepEqual(loopBody.node!.map((n) => n.opType), ['Identity', 'Add']);
  await assertEquivalent(m, folded, 'nested');
});

test('inference Dropout goes like Identity; one whose mask is read, or with training_mode, stays', async () => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 3])],
    output: [valueInfo('y', DataType.FLOAT, [2, 3]), valueInfo('mask', DataType.BOOL, [2, 3])],
    initializer: [f32('ratio', [], [0.5])],
    node: [
      node('Dropout', ['x', 'ratio'], ['d1']),
      node('Relu', ['d1'], ['r']),
      node('Dropout', ['r'], ['y', 'mask']),
    ],
  });
  const { model: folded, stats } = await fold(m);
  assert.deepEqual(ops(folded), ['Relu', 'Dropout']);
  assert.equal(stats.cleanup.identities, 1);
  await assertEquivalent(m, folded, 'dropout');
});

test('int64 extremes (INT64_MAX as a Slice end) keep their exact value when folded', async () => {
  const { arrayToTensor } = await import('../../../src/core/model/tensorValues.js');
  const max = arrayToTensor('max', { dtype: DataType.INT64, dims: [1], data: BigInt64Array.of(9223372036854775807n) });
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 6])],
    output: [valueInfo('y', DataType.FLOAT, [2, 4]), valueInfo('ends', DataType.INT64, [2])],
    initializer: [max, i64('two', [1], [2]), i64('starts', [2], [0, 2]), i64('axes', [2], [0, 1])],
    node: [
      node('Concat', ['max', 'max'], ['ends'], { axis: 0 }),
      node('Slice', ['x', 'starts', 'ends', 'axes'], ['y']),
    ],
  });
  const { model: folded } = await fold(m);
  const ends = folded.graph!.node!.find((n) => n.output?.[0] === 'ends');
  assert.equal(ends?.opType, 'Constant');
  const { tensorToArray } = await import('../../../src/core/model/tensorValues.js');
  assert.deepEqual([...(tensorToArray(ends!.attribute![0].t!).data as BigInt64Array)], [9223372036854775807n, 9223372036854775807n]);
  await assertEquivalent(m, folded, 'int64-max');
});

test('duplicate nodes (same op, inputs and attributes) merge into the first; random ops, other attributes and graph outputs do not', async () => {
  // A dynamic batch keeps Shape from folding: the per-layer copies of Shape -> Gather stay, and merge.
  const original = model({
    node: [
      node('Shape', ['x'], ['s1']), node('Gather', ['s1', 'zero'], ['b1'], { axis: 0 }),
      node('Shape', ['x'], ['s2']), node('Gather', ['s2', 'zero'], ['b2'], { axis: 0 }),
      // The same Gather once more, under another node name; and two Flattens that differ only in axis.
      node('Gather', ['s2', 'zero'], ['b3'], { axis: 0 }, 'same_as_b2'), node('Flatten', ['x'], ['f1'], { axis: 1 }), node('Flatten', ['x'], ['f2'], { axis: 2 }),
      node('Add', ['b1', 'b2'], ['sum1']), node('Add', ['sum1', 'b3'], ['sum']),
      node('Cast', ['sum'], ['y'], { to: DataType.FLOAT }),
      // Random draws are never merged, even with equal attributes.
      node('RandomNormalLike', ['x'], ['r1'], { seed: 1.5 }), node('RandomNormalLike', ['x'], ['r2'], { seed: 1.5 }),
      node('Sub', ['r1', 'r2'], ['noise']),
      // Two identical nodes that are both graph outputs keep their names.
      node('Relu', ['x'], ['out1']), node('Relu', ['x'], ['out2']),
      node('Add', ['f1', 'f1'], ['f1x2']), node('Add', ['f2', 'f2'], ['f2x2']),
    ],
    initializer: [i64('zero', [], [0])],
    input: [valueInfo('x', DataType.FLOAT, ['N', 3, 4])],
    output: [valueInfo('y', DataType.FLOAT, []), valueInfo('noise', DataType.FLOAT, ['N', 3, 4]), valueInfo('out1', DataType.FLOAT, ['N', 3, 4]),
      valueInfo('out2', DataType.FLOAT, ['N', 3, 4]), valueInfo('f1x2', DataType.FLOAT, ['N', 12]), valueInfo('f2x2', DataType.FLOAT, ['M', 4])],
  });
  const { model: folded, stats } = await fold(original);
  // Shape s2 merges into s1, then Gather b2 (now on s1) into b1, and b3 (same op, input and axis) too.
  assert.equal(stats.cleanup.duplicates, 3);
  const count = (op: string) => ops(folded).filter((o) => o === op).length;
  assert.equal(count('Shape'), 1);
  assert.equal(count('Gather'), 1);
  assert.equal(count('Flatten'), 2, 'axis 1 and axis 2 are different computations');
  assert.equal(count('RandomNormalLike'), 2);
  assert.equal(count('Relu'), 2);
  await assertEquivalent(folded, decodeModel(encodeModel(folded)), 'duplicates-roundtrip');
  // The deterministic outputs are unchanged (the noise output differs between any two runs).
  const feeds = { x: { dtype: DataType.FLOAT, dims: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i - 12) } };
  const [e] = await client.runMany(encodeModel(original), [feeds]);
  const [a] = await client.runMany(encodeModel(folded), [feeds]);
  for (const name of ['y', 'out1', 'out2', 'f1x2', 'f2x2']) assert.deepEqual(Array.from(a[name].data as Float32Array), Array.from(e[name].data as Float32Array), name);
});
