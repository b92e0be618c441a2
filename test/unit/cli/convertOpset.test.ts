// `onnx-lens convert --opset N` (and `convert-opset`): the opset conversion through the transform
// pipeline. An opset-6 libonnx-testdata case, which onnxruntime cannot run, is verified against the
// expected outputs beside it; a lone copy cannot be verified (exit 1, the reason said); a model that
// runs is verified against its original; bad targets are usage errors with nothing written.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import { int64ToNumber } from '../../../src/core/model/proto.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';
import { runCli as cli } from '../../helpers/cli.js';

const dir = tempDir('onnx-lens-convert-opset-');
after(() => rmSync(dir, { recursive: true, force: true }));

const batchNorm = testCases().find((c) => c.name === 'pytorch-converted/test_BatchNorm2d_eval')!;

test('convert --opset 7 on an opset-6 case: verified against the expected outputs beside it, the changed node listed', () => {
  assert.equal(defaultOpset(decodeModel(readFileSync(batchNorm.model))), 6);
  const out = join(dir, 'bn7.onnx');
  const run = cli('convert', batchNorm.model, '-o', out, '--opset', '7', '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.transform, 'convert-opset');
  assert.equal(report.verification.status, 'pass');
  assert.match(report.verification.inputs, /^test_data_set_0 beside the original, against their expected outputs \(the original model does not run in onnxruntime/);
  assert.match(report.verification.tolerance, /against the recorded expected outputs/);
  assert.ok(report.verification.comparisons.length > 0 && report.verification.comparisons.every((c: { pass: boolean }) => c.pass));
  assert.equal(report.details.from, 6);
  assert.equal(report.details.to, 7);
  assert.deepEqual(report.details.changes.map((c: { op: string; from: number; to: number }) => [c.op, c.from, c.to]), [['BatchNormalization', 6, 7]]);
  assert.equal(defaultOpset(decodeModel(readFileSync(out))), 7);
  const text = cli('convert-opset', batchNorm.model, '-o', join(dir, 'bn7b.onnx'), '--opset', '7');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Nodes changed:[\s\S]*BatchNormalization #0[\s\S]*is_test=1 dropped/);
});

test('an original that does not run and has no expected outputs beside it: written, exit 1, "verification was impossible" and why', () => {
  const lone = join(dir, 'lone.onnx');
  copyFileSync(batchNorm.model, lone);
  const out = join(dir, 'lone7.onnx');
  const run = cli('convert', lone, '-o', out, '--opset', '7');
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stderr, /^onnx-lens convert-opset: wrote .*lone7\.onnx, not verified: could not run: verification was impossible: the original model does not run in onnxruntime \(.*BatchNormalization\(6\).*\), and no test_data_set_N folder with expected outputs is beside it\n$/);
  assert.ok(existsSync(out));
});

test('a model onnxruntime runs is verified against the original on generated inputs, down and up', () => {
  const source = join(dir, 'linear.onnx');
  writeFileSync(source, encodeModel(linearModel()));
  const down = join(dir, 'linear7.onnx');
  let run = cli('convert', source, '-o', down, '--opset', '7', '--json');
  assert.equal(run.status, 0, run.stderr);
  let report = JSON.parse(run.stdout);
  assert.equal(report.verification.status, 'pass');
  assert.match(report.verification.inputs, /generated/);
  const written = decodeModel(readFileSync(down));
  assert.equal(defaultOpset(written), 7);
  assert.ok(int64ToNumber(written.irVersion) < 8, 'going down writes an older IR version');
  run = cli('convert-opset', down, '-o', join(dir, 'linear13.onnx'), '--opset', '13', '--json');
  assert.equal(run.status, 0, run.stderr);
  report = JSON.parse(run.stdout);
  assert.equal(report.verification.status, 'pass');
  assert.equal(report.details.to, 13);
});

test('bad targets are usage errors: one line, exit 2, nothing written', () => {
  const out = join(dir, 'never.onnx');
  for (const args of [['--opset', '99'], ['--opset', '6.5'], ['--ir-version', '0']]) {
    const run = cli('convert', batchNorm.model, '-o', out, ...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stdout}`);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, args[0] === '--opset' ? /--opset must be a whole number from 1 to \d+/ : /--ir-version must be a whole number of at least 1/);
  }
  const none = cli('convert-opset', batchNorm.model, '-o', out);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /Give --opset N, --ir-version V, or both\./);
  assert.ok(!existsSync(out));
  const help = cli('convert', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /onnx-lens convert IN \[-o OUT\] --opset N \[--ir-version V\]/);
});
