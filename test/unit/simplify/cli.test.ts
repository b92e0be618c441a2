// `onnx-lens simplify` as a script runs it: the result beside the source, verified on the fixture's own
// data sets, the report listing each rewrite with its count, exit 0; --keep, --help and bad options.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import { countOps } from '../../../src/core/transforms/report.js';
import { tempDir } from '../../helpers/models.js';
import { runCli as cli } from '../../helpers/cli.js';

const dir = tempDir('onnx-lens-simplify-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = fileURLToPath(new URL('../../fixtures/exported/detector_opset11_constants/', import.meta.url));

test('onnx-lens simplify: writes name.simplified.onnx, verified on real inputs, each rewrite counted; exit 0', () => {
  const input = join(dir, 'detector.onnx');
  copyFileSync(join(fixture, 'model.onnx'), input);
  cpSync(join(fixture, 'test_data_set_0'), join(dir, 'test_data_set_0'), { recursive: true });
  const run = cli('simplify', input, '--data', join(dir, 'test_data_set_0'));
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^Simplify report/);
  assert.match(run.stdout, /Conv \+ per-channel Mul fused into the weights\s+1\n/);
  assert.match(run.stdout, /PASS/);
  const output = join(dir, 'detector.simplified.onnx');
  assert.ok(existsSync(output));
  const ops = countOps(decodeModel(readFileSync(output)));
  assert.equal(ops.Constant ?? 0, 0);
  assert.equal(ops.Mul ?? 0, 0);

  const json = cli('simplify', input, '-o', join(dir, 'kept.onnx'), '--keep', '/head/Conv_output_0', '--json', '--no-verify');
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { details: { rewrites: Array<{ id: string; count: number }> } };
  assert.equal(report.details.rewrites.find((r) => r.id === 'conv-mul')?.count, 0, 'the kept Conv output keeps its Mul');
});

test('onnx-lens simplify --help lists its options; a name to keep that the model lacks is exit 2 with one line', () => {
  const help = cli('simplify', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--keep NAME,\.\.\./);
  assert.match(help.stdout, /--size-limit MB/);
  const input = join(dir, 'detector2.onnx');
  copyFileSync(join(fixture, 'model.onnx'), input);
  const bad = cli('simplify', input, '--keep', 'no_such_value');
  assert.equal(bad.status, 2, bad.stdout + bad.stderr);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /The model has no value or node named 'no_such_value' to keep\./);
  assert.ok(!existsSync(join(dir, 'detector2.simplified.onnx')));
});
