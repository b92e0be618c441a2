// Each checker rule on a generated model that breaks exactly it (the problem names the rule, the place
// and the reason, and no other rule reports an error), and valid models that pass.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { checkModel, describeLocation, hasErrors, type Problem } from '../../../src/core/check/index.js';
import { resolveGraph } from '../../../src/core/graph/viewModel.js';
import { readModelFile } from '../../../src/core/model/decode.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { tempDir, tensorInfo } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';
import { hostileCases, model, node, validCases, writeCases } from './checkerModels.js';

const dir = tempDir('onnx-lens-check-rules-');
after(() => rmSync(dir, { recursive: true, force: true }));
const paths = writeCases(dir);

async function check(name: string): Promise<Problem[]> {
  const path = paths.get(name)!;
  // Through the file, as the CLI reads it: what is checked is what was written.
  const { model: decoded } = await readModelFile(path);
  return checkModel(decoded, { modelDir: dirname(path) });
}

const show = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.rule} @ ${describeLocation(p.where)}: ${p.message}`).join('\n');

for (const c of hostileCases) {
  test(`${c.name}: refused by rule ${c.rule}, with the reason`, async () => {
    const problems = await check(c.name);
    const found = problems.find((p) => p.rule === c.rule && p.severity === 'error');
    assert.ok(found, `no ${c.rule} error in:\n${show(problems)}`);
    assert.match(found.message, c.message!);
    assert.equal(found.fix, c.fix, `quick fix of ${c.rule}`);
    assert.ok(!found.message.includes('\n'), 'one line');
    const others = problems.filter((p) => p.severity === 'error' && p.rule !== c.rule);
    assert.deepEqual(others, [], `the model breaks only ${c.rule}:\n${show(problems)}`);
  });
}

for (const c of validCases) {
  test(`${c.name}: no errors${c.rule ? `, a ${c.rule} ${c.severity}` : ''}`, async () => {
    const problems = await check(c.name);
    assert.ok(!hasErrors(problems), show(problems));
    if (!c.rule) {
      assert.deepEqual(problems, [], show(problems));
      return;
    }
    const found = problems.find((p) => p.rule === c.rule);
    assert.ok(found, show(problems));
    assert.equal(found.severity, c.severity);
    assert.match(found.message, c.message!);
    assert.equal(found.fix, c.fix);
  });
}

test('problems point at the graph by the graph view\'s id and at the node by index', async () => {
  for (const name of ['subgraph-reassigns-outer-name', 'cycle', 'too-many-inputs', 'function-duplicate-input']) {
    const { model: m } = await readModelFile(paths.get(name)!);
    for (const p of checkModel(m)) {
      if (p.where.graph === undefined) continue;
      const source = resolveGraph(m, p.where.graph);
      assert.ok(source, `${name}: graph id '${p.where.graph}' resolves`);
      if (p.where.node !== undefined) {
        assert.ok(p.where.node < source.nodes.length, `${name}: node ${p.where.node} exists`);
        assert.equal(source.nodes[p.where.node].opType ?? '', p.where.opType);
      }
    }
  }
  const [inner] = checkModel((await readModelFile(paths.get('subgraph-reassigns-outer-name')!)).model);
  assert.deepEqual(inner.where, { graph: '/0.then_branch', graphTitle: 'If_0.then_branch', node: 0, nodeName: '', opType: 'Relu', value: 'c' });
});

test('the invalid models of libonnx-testdata are refused with the reason and the opset that fixes it', async () => {
  const invalid = ['pytorch-converted/test_PixelShuffle', 'pytorch-operator/test_operator_repeat', 'pytorch-operator/test_operator_repeat_dim_overflow'];
  const cases = testCases().filter((c) => invalid.includes(c.name));
  assert.equal(cases.length, 3);
  for (const c of cases) {
    const errors = checkModel((await readModelFile(c.model)).model).filter((p) => p.severity === 'error');
    assert.ok(errors.length > 0, c.name);
    for (const e of errors) {
      assert.equal(e.rule, 'type-constraint');
      assert.match(e.message, /^Constant-1 cannot produce int64 .*; opset 9 allows it$/);
      assert.equal(e.fix, 'convert-opset');
    }
  }
});

test('a value captured from the enclosing graph before its producer runs is out of order, not undefined', () => {
  const branch = (out: string, input: string) => new onnx.GraphProto({ name: out, node: [node('Relu', [input], [out])], output: [tensorInfo(out, DataType.FLOAT, [2])] });
  const m = model([
    node('If', ['c'], ['i'], [
      { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('t', 'late') },
      { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('e', 'X') },
    ]),
    node('Neg', ['X'], ['late']),
    node('Add', ['i', 'late'], ['Y']),
  ], { inputs: [tensorInfo('X', DataType.FLOAT, [2]), tensorInfo('c', DataType.BOOL, [])] });
  const problems = checkModel(m);
  assert.ok(!hasErrors(problems), show(problems));
  assert.deepEqual(problems.map((p) => [p.rule, p.where.node]), [['not-sorted', 0]]);
});

test('nodes of a function body resolve against the function\'s own opset imports', () => {
  const fn: onnx.IFunctionProto = {
    name: 'Norm', domain: 'local', input: ['x'], output: ['y'],
    opsetImport: [{ domain: '', version: toLong(13) }],
    node: [node('LayerNormalization', ['x', 'x'], ['y'])],
  };
  const m = model([node('Norm', ['X'], ['Y'], [], { domain: 'local' })], { imports: [['', 18], ['local', 1]], functions: [fn] });
  const problems = checkModel(m).filter((p) => p.severity === 'error');
  assert.equal(problems.length, 1, show(problems));
  assert.equal(problems[0].rule, 'op-unknown');
  assert.equal(problems[0].where.graph, 'fn:local:Norm');
  assert.match(problems[0].message, /LayerNormalization is not in ai\.onnx opset 13; it came with opset 17/);
  fn.opsetImport = [{ domain: '', version: toLong(17) }];
  assert.ok(!hasErrors(checkModel(m)));
});

test('types flow through ops: a wrong type is caught several nodes after the graph input', () => {
  const m = model([node('Cast', ['X'], ['i'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: toLong(DataType.INT64) }]), node('Neg', ['i'], ['n']), node('Shape', ['n'], ['s']), node('Sqrt', ['s'], ['Y'])], {
    outputs: [tensorInfo('Y', DataType.INT64, [1])],
  });
  const errors = checkModel(m).filter((p) => p.severity === 'error');
  assert.deepEqual(errors.map((p) => [p.rule, p.where.opType]), [['type-constraint', 'Sqrt']], show(errors));
  assert.match(errors[0].message, /input X 's' is int64, which Sqrt-13 does not take/);
});

test('a flood of problems is capped, and what is left out is counted with its severity', () => {
  const nodes = Array.from({ length: 50 }, (_, i) => node('Frobnicate', ['X'], [`y${i}`]));
  const problems = checkModel(model([...nodes, node('Relu', ['X'], ['Y'])]), { maxProblems: 10 });
  assert.equal(problems.length, 11);
  const last = problems[10];
  assert.equal(last.rule, 'too-many-problems');
  assert.equal(last.severity, 'error');
  assert.match(last.message, /^40 more problems not listed \(40 errors\)$/);
});

test('the onnxruntime rule can be left out', () => {
  const m = model([node('Relu', ['X'], ['Y'])], { opset: 6 });
  assert.equal(checkModel(m).length, 1);
  assert.deepEqual(checkModel(m, { runtime: false }), []);
});

test('external data that leaves the folder, is missing or is short is refused, as the model loader refuses it', () => {
  const base = tempDir('onnx-lens-check-external-');
  const folder = join(base, 'model');
  mkdirSync(folder);
  writeFileSync(join(base, 'secret.bin'), new Uint8Array(64));
  symlinkSync(join(base, 'secret.bin'), join(folder, 'link.bin'));
  writeFileSync(join(folder, 'short.bin'), new Uint8Array(4));
  writeFileSync(join(folder, 'weights.bin'), new Uint8Array(8));
  const withLocation = (location: string) => model([node('Add', ['X', 'W'], ['Y'])], {
    initializers: [new onnx.TensorProto({
      name: 'W', dataType: DataType.FLOAT, dims: [toLong(2)], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: '8' }],
    })],
  });
  const cases: Array<[string, RegExp]> = [
    ['../secret.bin', /leaves the model's folder/],
    [join(base, 'secret.bin'), /leaves the model's folder/],
    ['link.bin', /resolves outside the model's folder/],
    ['nowhere.bin', /is missing next to the model/],
    ['short.bin', /'short\.bin' is too short \(needs 8 bytes, has 4\)/],
  ];
  try {
    for (const [location, pattern] of cases) {
      const errors = checkModel(withLocation(location), { modelDir: folder }).filter((p) => p.severity === 'error');
      assert.equal(errors.length, 1, `${location}:\n${show(errors)}`);
      assert.equal(errors[0].rule, 'external-data');
      assert.match(errors[0].message, pattern);
      assert.equal(errors[0].where.value, 'W');
    }
    assert.deepEqual(checkModel(withLocation('weights.bin'), { modelDir: folder }), []);
    // Without the model's folder only the location itself is judged.
    assert.deepEqual(checkModel(withLocation('nowhere.bin')), []);
    assert.equal(checkModel(withLocation('../secret.bin'))[0].rule, 'external-data');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
