// `onnx-lens fold` and `onnx-lens prune` as a user runs them: files written beside or where asked,
// never over the input or an earlier result, JSON reports, one-line errors with exit 2, exit 1 when a
// result is not verified.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateMlp } from '../../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { tempDir } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';
import { mixedModel, shapeChainModel } from './foldModels.js';
import { runCli as cli } from '../../helpers/cli.js';

const dir = tempDir('onnx-lens-fold-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));

function oneLineError(run: ReturnType<typeof cli>, pattern: RegExp): void {
  assert.equal(run.status, 2, run.stdout + run.stderr);
  assert.match(run.stderr, pattern);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}

test('fold writes name.folded.onnx beside the input, verified, then name.folded-2.onnx: nothing is clobbered', () => {
  const input = join(dir, 'chain.onnx');
  writeFileSync(input, encodeModel(shapeChainModel()));
  const run = cli('fold', input, '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const output = join(dir, 'chain.folded.onnx');
  assert.equal(report.output, output);
  assert.equal(report.verification.pass, true);
  assert.ok(report.nodesBefore.Shape === 1 && report.nodesAfter.Shape === undefined);
  assert.ok(report.diff.removed.some((r: string) => r.includes('Shape')));
  assert.equal(onnxCheck(output), '');
  // A second run does not overwrite the first result: without -o it takes the next free name.
  const mtime = statSync(output).mtimeMs;
  const second = cli('fold', input, '--json');
  assert.equal(second.status, 0, second.stderr);
  assert.equal(JSON.parse(second.stdout).output, join(dir, 'chain.folded-2.onnx'));
  assert.equal(statSync(output).mtimeMs, mtime);
  // -o over the input itself is refused, and the input is untouched.
  const before = readFileSync(input);
  oneLineError(cli('fold', input, '-o', input), /overwrite the input/);
  assert.deepEqual(readFileSync(input), before);
});

test('fold prints a readable report with the size limit honoured', () => {
  const input = join(dir, 'mixed.onnx');
  writeFileSync(input, encodeModel(mixedModel()));
  const output = join(dir, 'mixed-small.onnx');
  const run = cli('fold', input, '-o', output, '--size-limit', '0');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Fold report/);
  assert.match(run.stdout, /PASS/);
  assert.match(run.stdout, /over the size limit of 0 B/);
  // With a zero limit ConstantOfShape stays.
  assert.ok(decodeModel(readFileSync(output)).graph!.node!.some((n) => n.opType === 'ConstantOfShape'));
});

test('bad input and arguments are one-line errors with exit 2', () => {
  const garbage = join(dir, 'garbage.onnx');
  writeFileSync(garbage, Buffer.from('not a model at all, just text'));
  oneLineError(cli('fold', garbage, '-o', join(dir, 'g.out.onnx')), /onnx-lens: /);
  assert.ok(!existsSync(join(dir, 'g.out.onnx')));
  oneLineError(cli('fold', join(dir, 'missing.onnx')), /No such file/);
  oneLineError(cli('fold', garbage, '--size-limit', 'lots'), /--size-limit takes megabytes/);
  const mlp = join(dir, 'mlp.onnx');
  writeFileSync(mlp, encodeModel(generateMlp()));
  oneLineError(cli('prune', mlp, '--sparsity', '2'), /sparsity must be a fraction/);
  oneLineError(cli('prune', mlp, '--pattern', 'two:four'), /N:M/);
  oneLineError(cli('prune', mlp, '--outputs', 'nope'), /no value named 'nope'/);
  assert.equal(cli('prune', mlp).status, 2, 'a mode is required');
  assert.equal(cli('prune', mlp, '--sparsity', '0.5', '--pattern', '2:4').status, 2, 'one mode only');
});

test('prune --sparsity --per-layer reports exact sparsity per tensor; --sparse-storage shrinks the file', () => {
  const input = join(dir, 'mlp2.onnx');
  writeFileSync(input, encodeModel(generateMlp()));
  const dense = join(dir, 'dense.onnx');
  const run = cli('prune', input, '-o', dense, '--sparsity', '90%', '--per-layer', '--exclude', 'Relu', '--json');
  // 90% of random weights moves the outputs beyond pruning's default acceptance: written, exit 1.
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^onnx-lens prune: wrote .*dense\.onnx, not verified: FAIL: .*cosine >= 0\.99/);
  const report = JSON.parse(run.stdout);
  for (const t of report.details.tensors) assert.equal(t.zerosAfter, Math.round(0.9 * t.elements));
  assert.ok(report.notes.some((n: string) => n.includes('do not make the file smaller')));
  assert.equal(report.verification.status, 'fail');
  assert.ok(report.verification.comparisons[0].cosine < 0.99);
  // A user who accepts the loss says so.
  const sparse = join(dir, 'sparse.onnx');
  const sparseRun = cli('prune', input, '-o', sparse, '--sparsity', '0.9', '--per-layer', '--sparse-storage', '--min-cosine', '0', '--json');
  assert.equal(sparseRun.status, 0, sparseRun.stderr);
  assert.equal(JSON.parse(sparseRun.stdout).verification.status, 'pass');
  assert.equal(JSON.parse(sparseRun.stdout).details.sparse.written, true);
  assert.ok(statSync(sparse).size < statSync(dense).size / 2);
});

test('prune --outputs extracts a subgraph that reproduces the original values', () => {
  const input = join(dir, 'mlp3.onnx');
  const m = generateMlp();
  writeFileSync(input, encodeModel(m));
  const relus = m.graph!.node!.filter((n) => n.opType === 'Relu').map((n) => n.output![0]);
  const output = join(dir, 'part.onnx');
  const run = cli('prune', input, '-o', output, '--outputs', relus[1], '--inputs', relus[0], '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.verification.pass, true, JSON.stringify(report.verification));
  const part = decodeModel(readFileSync(output));
  assert.deepEqual(part.graph!.input!.map((i) => i.name), [relus[0]]);
  assert.deepEqual(part.graph!.node!.map((n) => n.opType), ['Gemm', 'Relu']);
  assert.equal(onnxCheck(output), '');
});
