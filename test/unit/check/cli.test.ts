// `onnx-lens check` as a user runs it: exit 0 without errors (warnings allowed), 1 with errors, 2 when
// the file is not a readable model; the problems in text or JSON; the model file is left as it was.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from '../../helpers/models.js';
import { writeCases } from './checkerModels.js';
import { runCli } from '../../helpers/cli.js';

const cli = (...args: string[]) => runCli('check', ...args);
const dir = tempDir('onnx-lens-check-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));
const paths = writeCases(dir);

test('a valid model: exit 0 and "no problems found"', () => {
  const run = cli(paths.get('valid-relu')!);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), `${paths.get('valid-relu')}: no problems found`);
  assert.equal(run.stderr, '');
});

test('warnings alone exit 0 and are printed with their quick fix', () => {
  const run = cli(paths.get('warn-not-sorted')!);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /: 0 errors, 1 warning\n/);
  assert.match(run.stdout, /^warning not-sorted +main graph, node 0 \(Relu\): nodes are not in topological order.*\[quick fix: topological-sort\]$/m);
});

test('errors exit 1 with severity, rule, place and reason on one line each, and the file is untouched', () => {
  const path = paths.get('cycle')!;
  const before = readFileSync(path);
  const run = cli(path);
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines[0], `${path}: 1 error, 0 warnings`);
  assert.match(lines[1], /^error +cycle +main graph, node 0 \(Add\): nodes 0 "Add_0" \(Add\), 1 "Relu_1" \(Relu\) form a cycle$/);
  assert.deepEqual(readFileSync(path), before);
});

test('--json gives the verdict, the counts and every problem with its location', () => {
  const run = cli(paths.get('subgraph-reassigns-outer-name')!, '--json');
  assert.equal(run.status, 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.valid, false);
  assert.equal(report.errors, 1);
  assert.deepEqual(report.problems, [{
    severity: 'error',
    rule: 'duplicate-definition',
    where: { graph: '/0.then_branch', graphTitle: 'If_0.then_branch', node: 0, nodeName: '', opType: 'Relu', value: 'c' },
    message: "'c' is already defined in an enclosing graph: a subgraph may not assign it again (SSA)",
    fix: 'make-names-unique',
  }]);
  const valid = JSON.parse(cli(paths.get('valid-subgraph-capture')!, '--json').stdout);
  assert.deepEqual(valid, { model: paths.get('valid-subgraph-capture'), valid: true, errors: 0, warnings: 0, infos: 0, problems: [] });
});

test('external data is looked up beside the model', () => {
  assert.equal(cli(paths.get('valid-external-data')!).status, 0);
  const missing = cli(paths.get('external-data-missing-file')!);
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /External data file 'missing\.bin' is missing next to the model/);
});

test('unreadable input and wrong arguments exit 2 with one line on stderr', () => {
  const files: Record<string, Uint8Array | string> = { 'empty.onnx': '', 'garbage.onnx': 'not a model at all \u0000\u00ff' };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  for (const args of [[join(dir, 'empty.onnx')], [join(dir, 'garbage.onnx')], [join(dir, 'nothere.onnx')], [dir], [], ['a.onnx', 'b.onnx']]) {
    const run = cli(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stdout}`);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  }
});
