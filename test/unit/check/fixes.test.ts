// The checker's quick fixes on real models: nodes sorted topologically and names made unique give a
// model the checker (ours and onnx.checker) accepts, whose outputs in onnxruntime equal the original's
// where the original runs, and equal the intended computation where it does not (an SSA violation).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateCnn, generateMlp, generateTransformer } from '../../../bench/generate/index.js';
import { checkModel, describeLocation, type Problem } from '../../../src/core/check/index.js';
import { fixModelFile } from '../../../src/core/check/fixFile.js';
import { applyFixes, fixableProblems, opsetTarget, type AppliedFix } from '../../../src/core/check/fixes.js';
import { UserError } from '../../../src/core/errors.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { AttributeType, DataType, onnx, toLong, type GraphProto, type ModelProto } from '../../../src/core/model/proto.js';
import type { TensorArray } from '../../../src/core/model/tensorValues.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareOutputs } from '../../../src/core/runtime/compare.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { tempDir, tensorInfo } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';
import { testCases } from '../../helpers/testdata.js';
import { hostileCases, model, node, validCases } from './checkerModels.js';
import { isAppliedFix } from '../../../src/core/check/fixes.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-fixes-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const F = DataType.FLOAT;
const show = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.rule} @ ${describeLocation(p.where)}: ${p.message}`).join('\n');
const rules = (problems: Problem[]) => [...new Set(problems.map((p) => p.rule))].sort();

/** Every graph's nodes reversed: the worst order, for models with more than one node. */
function reversed(m: ModelProto): ModelProto {
  const copy = cloneModel(m);
  for (const visit of walkModel(copy)) if (visit.graph?.node) visit.graph.node.reverse();
  for (const fn of copy.functions ?? []) fn.node?.reverse();
  return copy;
}

/** Every node of every graph named `name`. */
function sameNames(m: ModelProto, name = 'layer'): ModelProto {
  const copy = cloneModel(m);
  for (const visit of walkModel(copy)) for (const n of visit.nodes) n.name = name;
  return copy;
}

/** Without graph optimizations each node runs its own kernel, whatever the order: outputs compare exactly. */
async function run(m: ModelProto, feeds: Record<string, TensorArray>): Promise<Record<string, TensorArray>> {
  return client.run(encodeModel(m), feeds, { settings: { graphOptimizationLevel: 'disabled' } });
}

/** The outputs of `actual` equal those of `expected` exactly (sorting and renaming change no arithmetic). */
async function assertSameOutputs(expected: ModelProto, actual: ModelProto, feeds = generateInputs(expected, { seed: 3 })): Promise<void> {
  const comparisons = compareOutputs(await run(expected, feeds), await run(actual, feeds), { rtol: 0, atol: 0 });
  assert.ok(comparisons.length > 0, 'the model has outputs');
  for (const c of comparisons) assert.ok(c.pass, `${c.name}: ${c.problem ?? `${c.mismatches} of ${c.count} differ`}`);
}

function assertOnnxAccepts(m: ModelProto, label: string): void {
  const path = join(dir, `${label}.onnx`);
  writeFileSync(path, encodeModel(m));
  assert.equal(onnxCheck(path), '', `${label}: onnx.checker`);
}

function isTopological(graph: GraphProto): boolean {
  const defined = new Set<string>([...(graph.input ?? []).map((v) => v.name ?? ''), ...(graph.initializer ?? []).map((t) => t.name ?? '')]);
  const produced = new Set((graph.node ?? []).flatMap((n) => n.output ?? []));
  for (const n of graph.node ?? []) {
    for (const i of n.input ?? []) if (i && produced.has(i) && !defined.has(i)) return false;
    for (const o of n.output ?? []) if (o) defined.add(o);
  }
  return true;
}

test('a generated transformer with its nodes reversed: sorted, the checker is satisfied, onnxruntime gives the same outputs', async () => {
  const original = generateTransformer({ layers: 2, hidden: 32, heads: 4, vocab: 64 });
  const broken = reversed(original);
  const problems = checkModel(broken);
  assert.deepEqual(rules(problems), ['not-sorted'], show(problems));
  assert.deepEqual([...fixableProblems(problems).keys()], ['topological-sort']);

  const { model: fixed, changes } = applyFixes(broken, ['topological-sort']);
  assert.equal(changes.length, 1);
  assert.match(changes[0].summary, /^sorted 1 graph topologically \(\d+ nodes moved\)$/);
  assert.deepEqual(checkModel(fixed), [], show(checkModel(fixed)));
  assert.ok(isTopological(fixed.graph!));
  assert.equal(fixed.graph!.node!.length, original.graph!.node!.length);
  // The input model is not changed.
  assert.deepEqual(rules(checkModel(broken)), ['not-sorted']);
  await assertSameOutputs(original, fixed);
  assertOnnxAccepts(fixed, 'transformer-sorted');
});

test('a generated CNN whose nodes all share one name: renamed to unique names, same outputs', async () => {
  const original = generateCnn();
  const broken = sameNames(original);
  const problems = checkModel(broken);
  assert.deepEqual(rules(problems), ['node-name-duplicate'], show(problems));
  const { model: fixed, changes } = applyFixes(broken, [...fixableProblems(problems).keys()]);
  const count = original.graph!.node!.length;
  assert.equal(changes[0].summary, `renamed ${count - 1} repeated node names`);
  const names = fixed.graph!.node!.map((n) => n.name);
  assert.equal(new Set(names).size, count);
  assert.equal(names[0], 'layer');
  assert.equal(names[1], 'layer__1');
  assert.deepEqual(checkModel(fixed), []);
  await assertSameOutputs(original, fixed);
  assertOnnxAccepts(fixed, 'cnn-unique-names');
});

test('both fixes at once on an MLP: names first, then order', async () => {
  const original = generateMlp();
  const broken = sameNames(reversed(original), 'fc');
  assert.deepEqual(rules(checkModel(broken)), ['node-name-duplicate', 'not-sorted']);
  const { model: fixed, changes } = applyFixes(broken, ['topological-sort', 'make-names-unique']);
  assert.deepEqual(changes.map((c) => c.fix), ['make-names-unique', 'topological-sort']);
  assert.deepEqual(checkModel(fixed), []);
  await assertSameOutputs(original, fixed);
});

test('a value defined twice (SSA): the last definition keeps the name, each read follows the latest definition before it', async () => {
  const broken = model([
    node('Relu', ['X'], ['a'], [], { name: 'first' }),
    node('Neg', ['a'], ['a'], [], { name: 'second' }),
    node('Abs', ['a'], ['Y'], [], { name: 'third' }),
  ]);
  const problems = checkModel(broken);
  assert.ok(problems.some((p) => p.rule === 'duplicate-definition' && p.fix === 'make-names-unique'), show(problems));
  const { model: fixed, changes } = applyFixes(broken, ['make-names-unique']);
  assert.deepEqual(fixed.graph!.node!.map((n) => [n.input, n.output]), [[['X'], ['a__1']], [['a__1'], ['a']], [['a'], ['Y']]]);
  assert.match(changes[0].details.join('\n'), /output 'a' of node 0 "first" \(Relu\) renamed to 'a__1': node 1 defines 'a' too/);
  assert.deepEqual(checkModel(fixed), []);
  // What the model meant, written without the reuse: the fixed model computes it.
  const intended = model([node('Relu', ['X'], ['p']), node('Neg', ['p'], ['q']), node('Abs', ['q'], ['Y'])]);
  await assertSameOutputs(intended, fixed);
  assertOnnxAccepts(fixed, 'ssa-fixed');
});

test('a graph output two nodes define: the later node keeps it, the output name is unchanged', async () => {
  const broken = model([node('Relu', ['X'], ['Y']), node('Neg', ['X'], ['Y'])]);
  const { model: fixed } = applyFixes(broken, ['make-names-unique']);
  assert.deepEqual(fixed.graph!.node!.map((n) => n.output), [['Y__1'], ['Y']]);
  assert.deepEqual(fixed.graph!.output!.map((o) => o.name), ['Y']);
  assert.equal(checkModel(fixed).filter((p) => p.severity === 'error').length, 0, show(checkModel(fixed)));
  await assertSameOutputs(model([node('Neg', ['X'], ['Y'])]), fixed);
});

test('a node output that redefines a graph input keeps the input, and readers after the node read the new name', async () => {
  const broken = model([node('Relu', ['X'], ['X']), node('Neg', ['X'], ['Y'])]);
  const { model: fixed } = applyFixes(broken, ['make-names-unique']);
  assert.deepEqual(fixed.graph!.node!.map((n) => [n.input, n.output]), [[['X'], ['X__1']], [['X__1'], ['Y']]]);
  assert.deepEqual(fixed.graph!.input!.map((v) => v.name), ['X']);
  assert.deepEqual(checkModel(fixed), []);
  await assertSameOutputs(model([node('Relu', ['X'], ['r']), node('Neg', ['r'], ['Y'])]), fixed);
});

const cond = tensorInfo('c', DataType.BOOL, []);
const branch = (name: string, nodes: onnx.INodeProto[], output: string): onnx.IGraphProto => ({ name, node: nodes, output: [tensorInfo(output, F, [2])] });

test('an If branch that assigns a name of the enclosing graph: renamed inside the branch, both branches compute as meant', async () => {
  const ifNode = (thenOut: string) => node('If', ['c'], ['Y'], [
    { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then', [node('Relu', ['X'], [thenOut])], thenOut) },
    { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else', [node('Neg', ['X'], ['e'])], 'e') },
  ]);
  const broken = model([ifNode('c')], { inputs: [tensorInfo('X', F, [2]), cond] });
  const problems = checkModel(broken);
  assert.ok(problems.some((p) => p.rule === 'duplicate-definition' && p.where.graph === '/0.then_branch'), show(problems));
  const { model: fixed } = applyFixes(broken, ['make-names-unique']);
  const thenBranch = fixed.graph!.node![0].attribute![0].g!;
  assert.deepEqual(thenBranch.node![0].output, ['c__1']);
  assert.deepEqual(thenBranch.output!.map((o) => o.name), ['c__1']);
  assert.deepEqual(checkModel(fixed), [], show(checkModel(fixed)));
  const intended = model([ifNode('t')], { inputs: [tensorInfo('X', F, [2]), cond] });
  for (const c of [true, false]) {
    const feeds = { X: { dtype: F, dims: [2], data: Float32Array.from([-1.5, 2]) }, c: { dtype: DataType.BOOL, dims: [], data: Uint8Array.from([c ? 1 : 0]) } } as Record<string, TensorArray>;
    await assertSameOutputs(intended, fixed, feeds);
  }
  assertOnnxAccepts(fixed, 'if-branch-fixed');
});

test('a Loop body input that hides a value of the enclosing graph: renamed inside the body, same outputs', async () => {
  // Loop(M, cond, X) with a body whose carried input is also called X (the outer input's name).
  const body: onnx.IGraphProto = {
    name: 'body',
    input: [tensorInfo('i', DataType.INT64, []), tensorInfo('cond_in', DataType.BOOL, []), tensorInfo('X', F, [2])],
    node: [node('Identity', ['cond_in'], ['cond_out']), node('Add', ['X', 'X'], ['X_next'])],
    output: [tensorInfo('cond_out', DataType.BOOL, []), tensorInfo('X_next', F, [2])],
  };
  const build = (b: onnx.IGraphProto) => model([node('Loop', ['M', 'c', 'X'], ['Y'], [{ name: 'body', type: AttributeType.GRAPH, g: b }])], {
    inputs: [tensorInfo('X', F, [2]), tensorInfo('M', DataType.INT64, []), cond],
  });
  const broken = build(body);
  const problems = checkModel(broken);
  assert.deepEqual(problems.map((p) => [p.rule, p.fix]), [['shadowed-name', 'make-names-unique']], show(problems));
  const { model: fixed, changes } = applyFixes(broken, ['make-names-unique']);
  assert.match(changes[0].summary, /renamed 1 subgraph value that hid a value of an enclosing graph/);
  const fixedBody = fixed.graph!.node![0].attribute![0].g!;
  assert.equal(fixedBody.input![2].name, 'X__1');
  assert.deepEqual(fixedBody.node![1].input, ['X__1', 'X__1']);
  assert.deepEqual(checkModel(fixed), []);
  const feeds = { X: { dtype: F, dims: [2], data: Float32Array.from([1, -2]) }, M: { dtype: DataType.INT64, dims: [], data: BigInt64Array.from([3n]) }, c: { dtype: DataType.BOOL, dims: [], data: Uint8Array.from([1]) } } as Record<string, TensorArray>;
  await assertSameOutputs(broken, fixed, feeds);
  assertOnnxAccepts(fixed, 'loop-body-fixed');
});

test('a model-local function with its body reversed and one node name twice: both fixed, same outputs', async () => {
  const fn: onnx.IFunctionProto = {
    name: 'Twice', domain: 'local', input: ['a'], output: ['b'], opsetImport: [{ domain: '', version: toLong(13) }],
    node: [node('Add', ['r', 'r'], ['b'], [], { name: 'op' }), node('Relu', ['a'], ['r'], [], { name: 'op' })],
  };
  const broken = model([node('Twice', ['X'], ['Y'], [], { domain: 'local' })], { imports: [['', 13], ['local', 1]], functions: [fn] });
  const problems = checkModel(broken);
  assert.deepEqual(rules(problems), ['node-name-duplicate', 'not-sorted'], show(problems));
  const { model: fixed } = applyFixes(broken, [...fixableProblems(problems).keys()]);
  assert.deepEqual(fixed.functions![0].node!.map((n) => [n.opType, n.name]), [['Relu', 'op__1'], ['Add', 'op']]);
  assert.deepEqual(checkModel(fixed), []);
  const intended = model([node('Relu', ['X'], ['r']), node('Add', ['r', 'r'], ['Y'])]);
  await assertSameOutputs(intended, fixed);
});

test('an initializer listed twice: the first stays, the repeat is removed', async () => {
  const w = (values: number[]) => new onnx.TensorProto({ name: 'W', dataType: F, dims: [toLong(2)], floatData: values });
  const broken = model([node('Add', ['X', 'W'], ['Y'])], { initializers: [w([1, 2]), w([5, 6])] });
  assert.ok(checkModel(broken).some((p) => p.rule === 'duplicate-definition' && p.fix === 'make-names-unique'));
  const { model: fixed, changes } = applyFixes(broken, ['make-names-unique']);
  assert.deepEqual(fixed.graph!.initializer!.map((t) => t.floatData), [[1, 2]]);
  assert.match(changes[0].summary, /removed 1 repeated graph input or initializer/);
  assert.deepEqual(checkModel(fixed), []);
  await assertSameOutputs(model([node('Add', ['X', 'W'], ['Y'])], { initializers: [w([1, 2])] }), fixed);
});

for (const c of [...hostileCases, ...validCases].filter((x) => isAppliedFix(x.fix))) {
  const offered = fixableProblems(checkModel(c.build())).has(c.fix as AppliedFix);
  test(`checker case ${c.name}: ${offered ? `its fix ${c.fix} removes the ${c.rule} problem and adds none` : `${c.fix} is not offered (the opset converter cannot resolve ${c.rule})`}`, () => {
    const broken = c.build();
    if (!offered) {
      // The converter refuses an op its opset lacks, and keeps a deprecated op: offering it would fail or change nothing.
      assert.ok(['op-unknown', 'op-deprecated'].includes(c.rule!), c.name);
      return;
    }
    const { model: fixed } = applyFixes(broken, [c.fix!]);
    const after = checkModel(fixed);
    assert.deepEqual(after.filter((p) => p.rule === c.rule), [], show(after));
    const before = new Set(checkModel(broken).map((p) => p.rule));
    assert.deepEqual(after.filter((p) => !before.has(p.rule)), [], show(after));
  });
}

test('libonnx-testdata models with their nodes reversed and every node named alike: fixed, they give the outputs of the originals on their test inputs', async () => {
  let fixedCount = 0;
  const notRunning: string[] = [];
  for (const c of testCases()) {
    const original = decodeModel(readFileSync(c.model));
    if ((original.graph?.node?.length ?? 0) < 4) continue;
    const broken = sameNames(reversed(original));
    const before = checkModel(broken);
    assert.ok(before.some((p) => p.rule === 'node-name-duplicate'), `${c.name}: ${show(before)}`);
    const { model: fixed } = applyFixes(broken, ['make-names-unique', 'topological-sort']);
    const after = checkModel(fixed);
    const unfixed = after.filter((p) => p.rule === 'not-sorted' || p.rule === 'node-name-duplicate');
    assert.deepEqual(unfixed, [], `${c.name}: ${show(unfixed)}`);
    // Whatever else the checker says about the original, it says about the fixed model too.
    assert.deepEqual(rules(after), rules(checkModel(original)), c.name);
    for (const visit of walkModel(fixed)) if (visit.graph) assert.ok(isTopological(visit.graph), `${c.name}: ${visit.path.join('/')}`);
    let inputs: Record<string, TensorArray>;
    let expected: Record<string, TensorArray>;
    try {
      inputs = readTestDataSet(testDataSetDirs(c.dir)[0], original).inputs;
      expected = await run(original, inputs);
    } catch (error) {
      notRunning.push(`${c.name}: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const comparisons = compareOutputs(expected, await run(fixed, inputs), { rtol: 0, atol: 0 });
    for (const r of comparisons) assert.ok(r.pass, `${c.name} ${r.name}: ${r.problem ?? `${r.mismatches} differ`}`);
    fixedCount++;
  }
  // The originals onnxruntime cannot run (or feed: sequence inputs) are listed by the runtime conformance
  // test; here they are only counted.
  assert.ok(fixedCount >= 100, `only ${fixedCount} models compared; the originals that do not run: ${notRunning.join('; ')}`);
});

test('convert-opset: a Relu model at opset 6 (older than onnxruntime supports) goes to opset 7, verified', async () => {
  const broken = model([node('Relu', ['X'], ['Y'])], { opset: 6, ir: 3 });
  const problems = checkModel(broken);
  assert.deepEqual(problems.map((p) => [p.rule, p.fix]), [['onnxruntime-support', 'convert-opset']], show(problems));
  assert.equal(opsetTarget(broken, problems), 7);
  const input = join(dir, 'relu-opset6.onnx');
  writeFileSync(input, encodeModel(broken));
  const { report, changes, remaining } = await fixModelFile(input, join(dir, 'relu-opset6.fixed.onnx'), { client });
  assert.equal(changes[0].summary, 'converted the opset from 6 to 7');
  assert.deepEqual(remaining, []);
  // onnxruntime-node still loads this one at opset 6 (Relu-6 has a kernel): the two are compared.
  assert.equal(report.verification?.status, 'pass', report.verification?.problem);
  const fixed = decodeModel(readFileSync(join(dir, 'relu-opset6.fixed.onnx')));
  const x = Float32Array.from([-1, 2]);
  const y = (await run(fixed, { X: { dtype: F, dims: [2], data: x } })).Y.data as Float32Array;
  assert.deepEqual([...y], [0, 2]);
});

test('convert-opset: an int32 Relu at opset 13 goes to opset 14, the first that allows int32, with the same outputs as a model written at 14', async () => {
  const at = (opset: number) => model([node('Relu', ['X'], ['Y'])], { opset, inputs: [tensorInfo('X', DataType.INT32, [3])], outputs: [tensorInfo('Y', DataType.INT32, [3])] });
  const broken = at(13);
  const problems = checkModel(broken);
  assert.deepEqual(problems.map((p) => p.rule), ['type-constraint'], show(problems));
  assert.equal(opsetTarget(broken, problems), 14);
  const { model: fixed, changes } = applyFixes(broken, ['convert-opset']);
  assert.equal(changes[0].summary, 'converted the opset from 13 to 14');
  assert.deepEqual(checkModel(fixed), []);
  const feeds = { X: { dtype: DataType.INT32, dims: [3], data: Int32Array.from([-4, 0, 5]) } } as Record<string, TensorArray>;
  await assertSameOutputs(at(14), fixed, feeds);
  assertOnnxAccepts(fixed, 'relu-int32-opset14');
});

test('fixModelFile writes a new file, verifies it against the original in onnxruntime, and checks it again', async () => {
  // onnxruntime runs an unsorted graph (it sorts on load), so the original can be compared with.
  const input = join(dir, 'mlp-unsorted.onnx');
  writeFileSync(input, encodeModel(reversed(generateMlp())));
  const output = join(dir, 'mlp-unsorted.fixed.onnx');
  const { report, changes, remaining, addressed } = await fixModelFile(input, output, { client });
  assert.ok(existsSync(output));
  assert.deepEqual(changes.map((c) => c.fix), ['topological-sort']);
  assert.deepEqual(remaining, []);
  assert.deepEqual(rules(addressed), ['not-sorted']);
  assert.equal(report.transform, 'fix');
  assert.equal(report.verification?.status, 'pass', report.verification?.problem);
  assert.ok(report.notes.some((n) => /Problems before: 1 warning; after: no problems\./.test(n)), report.notes.join('\n'));
  assert.deepEqual(checkModel(decodeModel(readFileSync(output))), []);
  await assert.rejects(fixModelFile(input, input, { client }), /overwrite the input/);
});

for (const [label, broken, refusal] of [
  ['a value defined twice', model([node('Relu', ['X'], ['a']), node('Neg', ['a'], ['a']), node('Abs', ['a'], ['Y'])]), /Duplicate definition|duplicate/i],
  ['repeated node names', sameNames(generateMlp()), /two nodes with same node name/],
] as const) {
  test(`fixModelFile on a model onnxruntime refuses (${label}): not verified, and says that the fixed model runs`, async () => {
    const input = join(dir, `refused-${label.replace(/ /g, '-')}.onnx`);
    writeFileSync(input, encodeModel(broken));
    const { report, remaining } = await fixModelFile(input, input.replace(/\.onnx$/, '.fixed.onnx'), { client });
    assert.deepEqual(remaining, []);
    assert.equal(report.verification?.ran, false);
    assert.match(report.verification?.problem ?? '', /^the original model does not run in onnxruntime/);
    assert.match(report.verification?.problem ?? '', refusal);
    assert.equal(report.verification?.status, 'not-run');
    assert.ok(report.notes.includes('The fixed model runs in onnxruntime.'), report.notes.join('\n'));
  });
}

test('fixModelFile on a model with nothing to fix refuses in one line', async () => {
  const input = join(dir, 'fine.onnx');
  writeFileSync(input, encodeModel(generateMlp()));
  await assert.rejects(fixModelFile(input, join(dir, 'fine.fixed.onnx'), { client }), (e: unknown) => e instanceof UserError && /no problems that these fixes address/.test(e.message));
  assert.ok(!existsSync(join(dir, 'fine.fixed.onnx')));
});
