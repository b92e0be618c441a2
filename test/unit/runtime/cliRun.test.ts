// `onnx-lens run` end to end: real models, real onnxruntime, exit codes 0 (all match), 1 (one differs), 2 (error).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';
import { runCli } from '../../helpers/cli.js';

const cli = (...args: string[]) => runCli('run', ...args);
const testCase = (name: string) => testCases().find((c) => c.name === name)!;

function assertError(run: ReturnType<typeof cli>, pattern: RegExp): void {
  assert.equal(run.status, 2, run.stdout + run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], pattern);
}

test('expected outputs that match: exit 0; --json per output with stats, errors and latency', () => {
  const add = testCase('node/test_add');
  const run = cli(add.model, '--inputs', add.dir, '--json', '--iterations', '5', '--warmup', '1');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.pass, true);
  assert.equal(report.reference, 'expected outputs');
  assert.equal(report.outputs.length, 1);
  const [sum] = report.outputs;
  assert.equal(sum.name, 'sum');
  assert.equal(sum.dtype, 'float');
  assert.deepEqual(sum.shape, [3, 4, 5]);
  assert.equal(sum.mismatches, 0);
  assert.equal(sum.maxAbsError, 0);
  assert.equal(sum.cosine, 1);
  assert.equal(sum.stats.count, 60);
  assert.ok(sum.stats.min < sum.stats.mean && sum.stats.mean < sum.stats.max);
  assert.equal(report.latency.iterations, 5);
  for (const key of ['mean', 'p50', 'p90', 'p99', 'sessionCreateMs']) assert.ok(report.latency[key] > 0, key);
});

test('expected outputs that differ: exit 1, the table says which', () => {
  const add = testCase('node/test_add');
  const sub = testCase('node/test_sub');
  const run = cli(add.model, '--inputs', sub.dir, '--iterations', '0');
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /sum\s+float\s+\[3,4,5\].*60\/60\s+FAIL/);
  assert.match(run.stdout, /1 output differs beyond rtol 0\.001, atol 0\.0001/);
  // Every element is far off: a looser atol does not hide it.
  assert.equal(cli(add.model, '--inputs', sub.dir, '--iterations', '0', '--atol', '0.5').status, 1);
});

test('the tolerance decides: test_dft fails at atol 1e-4 and passes at 1e-3', () => {
  const c = testCase('node/test_dft');
  assert.equal(cli(c.model, '--inputs', c.dir, '--iterations', '0').status, 1);
  assert.equal(cli(c.model, '--inputs', c.dir, '--iterations', '0', '--atol', '1e-3').status, 0);
});

test('--compare runs both models on the same generated inputs', () => {
  const dir = tempDir();
  const a = join(dir, 'a.onnx');
  const b = join(dir, 'b.onnx');
  const c = join(dir, 'c.onnx');
  writeFileSync(a, encodeModel(linearModel(4, 3, 1)));
  writeFileSync(b, encodeModel(linearModel(4, 3, 1)));
  writeFileSync(c, encodeModel(linearModel(4, 3, 2)));
  const same = cli(a, '--compare', b, '--dims', 'N=6', '--json', '--iterations', '0');
  assert.equal(same.status, 0, same.stderr);
  const report = JSON.parse(same.stdout);
  assert.equal(report.reference, 'other model');
  assert.deepEqual(report.outputs[0].shape, [6, 3]);
  assert.equal(report.latency, null);
  const other = cli(a, '--compare', c, '--iterations', '0');
  assert.equal(other.status, 1, other.stderr);
  assert.match(other.stdout, /compared with other model/);
});

test('without anything to compare: exit 0 and a report of the outputs', () => {
  const dir = tempDir();
  const a = join(dir, 'a.onnx');
  writeFileSync(a, encodeModel(linearModel()));
  const run = cli(a, '--iterations', '3', '--seed', '4', '--distribution', 'uniform');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Inputs:\s+generated \(uniform, seed 4\)/);
  assert.match(run.stdout, /Y\s+float\s+\[1,3\]/);
  assert.match(run.stdout, /Latency:\s+3 runs: mean/);
  assert.doesNotMatch(run.stdout, /Result:/);
});

test('errors exit 2 with one line on stderr', () => {
  const add = testCase('node/test_add');
  const dir = tempDir();
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, 'not a model at all');
  assertError(cli(join(dir, 'missing.onnx')), /^onnx-lens: No such file: /);
  assertError(cli(bad), /^onnx-lens: Not (a valid|an) ONNX model/);
  assertError(cli(add.model, '--inputs', join(dir, 'nothing-here')), /^onnx-lens: No such file or folder: /);
  assertError(cli(add.model, '--dims', 'N:3'), /^onnx-lens: Dimension sizes are NAME=SIZE pairs separated by commas, not 'N:3'\.$/);
  assertError(cli(add.model, '--iterations', 'many'), /^onnx-lens: --iterations must be a whole number/);
  assertError(cli(add.model, '--optimization', 'max'), /^onnx-lens: --optimization must be one of/);
  assertError(cli(add.model, '--inputs', testCase('node/test_abs').dir), /^onnx-lens: test_data_set_0: No values for input 'y'\.$/);
  const seq = testCase('node/test_identity_sequence');
  assertError(cli(seq.model, '--inputs', seq.dir), /^onnx-lens: Input 'x' is a sequence \(seq\(float\)\); onnxruntime's JavaScript API passes only tensors\.$/);
  assertError(cli(testCase('node/test_adam').model), /^onnx-lens: onnxruntime: .*Adam/);
  assertError(cli(add.model, '--bogus'), /bogus/);
});
