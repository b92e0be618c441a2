// The model checker around the transforms, as a script sees it: a result that fails the checker is never
// written (exit 1: the transform is at fault, one line); convert-opset takes the errors that converting
// resolves, and refuses the source when the chosen target does not; `check --fix` writes a fixed copy
// verified like a transform (0 verified, 1 not verified, 2 refused with nothing written).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateMlp } from '../../../bench/generate/index.js';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, type ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { ResultRefused } from '../../../src/core/transforms/sourceChecks.js';
import { transformFile } from '../../../src/core/transforms/transformFile.js';
import { tempDir } from '../../helpers/models.js';
import { i64, model, node, valueInfo } from '../transforms/foldModels.js';
import { brokenTransform } from './brokenTransform.js';
import { runCli as cli } from '../../helpers/cli.js';
import { oneLine } from '../../helpers/oneLine.js';

const env = { ...process.env, ORT_DISABLE_TELEMETRY: '1' };
/** The real CLI with brokenTransform registered as one more transform. */
const cliWithBroken = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'test/unit/cli/cliWithBrokenTransform.ts', ...args], { encoding: 'utf8', env });
const dir = tempDir('onnx-lens-checker-gate-');
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, m: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(m));
  return path;
}

/** y = Relu(x) at opset 11: Unsqueeze there takes its axes as an attribute. */
const relu11 = () => model({ input: [valueInfo('x', DataType.FLOAT, [2, 4])], output: [valueInfo('y', DataType.FLOAT, [2, 4])], node: [node('Relu', ['x'], ['y'])] }, 11, 6);

/** Reshape by a shape from a Constant node: int64, which Constant makes only from opset 9 on. */
const int64ConstantAt8 = () => model({
  input: [valueInfo('x', DataType.FLOAT, [2, 4])],
  output: [valueInfo('y', DataType.FLOAT, [4, 2])],
  node: [node('Constant', [], ['shape'], { value: i64('shape', [2], [4, 2]) }, 'shape_constant'), node('Reshape', ['x', 'shape'], ['y'])],
}, 8, 3);

test('a transform whose result fails the checker writes nothing: exit 1, one line naming the problem, the report says why', () => {
  const input = write('relu11.onnx', relu11());
  const output = join(dir, 'relu11.chosen.onnx');
  for (const args of [[], ['-o', output]]) {
    const run = cliWithBroken('unsqueeze-too-new', input, '--json', ...args);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(oneLine(run.stderr), /^onnx-lens unsqueeze-too-new: Nothing written: the unsqueezed model fails the checker \(\d errors?\): main graph, node 1 "unsqueeze_x" \(Unsqueeze\): Unsqueeze-11 takes 1 input, the node has 2 \(a bug in unsqueeze-too-new\)\.$/);
    const report = JSON.parse(run.stdout);
    assert.equal(report.output, undefined);
    assert.equal(report.verification.status, 'not-run');
    assert.match(report.verification.problem, /^the unsqueezed model fails the checker .*Unsqueeze-11 takes 1 input, the node has 2; nothing was written$/);
    assert.ok(report.notes.some((n: string) => /^Nothing was written: .*That is a bug in unsqueeze-too-new\.$/.test(n)), report.notes.join('\n'));
  }
  assert.ok(!existsSync(join(dir, 'relu11.unsqueezed.onnx')));
  assert.ok(!existsSync(output));
  // The same transform on a model at opset 13, where that form is Unsqueeze's own, is written and verified.
  const at13 = relu11();
  at13.opsetImport![0].version = 13;
  const ok = cliWithBroken('unsqueeze-too-new', write('relu13.onnx', at13), '--json');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.ok(existsSync(join(dir, 'relu13.unsqueezed.onnx')));
});

test('in core: transformFile rejects the broken result with a ResultRefused that carries the report', async () => {
  const input = write('relu11-core.onnx', relu11());
  const output = join(dir, 'relu11-core.out.onnx');
  const client = RuntimeClient.start();
  try {
    await assert.rejects(transformFile(brokenTransform, { input, output, options: {}, client }), (e: unknown) =>
      e instanceof ResultRefused && e.report.verification?.status === 'not-run' && /Unsqueeze-11 takes 1 input/.test(e.message) && e.report.output === undefined);
  } finally {
    client.dispose();
  }
  assert.ok(!existsSync(output));
});

test('convert-opset takes an error that converting resolves, and refuses the source when the target does not resolve it', () => {
  const input = write('int64-constant-opset8.onnx', int64ConstantAt8());
  assert.deepEqual(checkModel(int64ConstantAt8()).filter((p) => p.severity === 'error').map((p) => p.rule), ['type-constraint']);
  const up = cli('convert-opset', input, '--opset', '9', '--json');
  assert.equal(up.status, 0, up.stdout + up.stderr);
  const written = join(dir, 'int64-constant-opset8.opset9.onnx');
  assert.deepEqual(checkModel(decodeModel(readFileSync(written))).filter((p) => p.severity === 'error'), []);
  // Opset 8 keeps Constant-1: the converted model would fail the same way, so the source is refused.
  const same = cli('convert-opset', input, '--opset', '8', '--ir-version', '4');
  assert.equal(same.status, 2, same.stdout + same.stderr);
  assert.match(oneLine(same.stderr), /^onnx-lens: .*int64-constant-opset8\.onnx fails the checker, and so would the converted model \(1 error\): main graph, node 0 "shape_constant" \(Constant\): Constant-1 cannot produce int64 .*; opset 9 allows it; run `onnx-lens check .*` for the list\.$/);
  assert.ok(!existsSync(join(dir, 'int64-constant-opset8.opset8.onnx')));
  // Any other transform refuses it, pointing at the fix.
  const fold = cli('fold', input);
  assert.equal(fold.status, 2);
  assert.match(oneLine(fold.stderr), /fails the checker \(1 error\): .*Constant-1 cannot produce int64 .*; run `onnx-lens check .*int64-constant-opset8\.onnx --fix` to fix it\.$/);
});

test('check --fix writes name.fixed.onnx, verified: exit 0; the source is never written over', () => {
  const input = write('int64-fix.onnx', int64ConstantAt8());
  const before = readFileSync(input);
  const run = cli('check', input, '--fix', '--json');
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const report = JSON.parse(run.stdout);
  const output = join(dir, 'int64-fix.fixed.onnx');
  assert.equal(report.output, output);
  assert.equal(report.verification.status, 'pass');
  assert.ok(report.notes.includes('Converted the opset from 8 to 9.'), report.notes.join('\n'));
  assert.ok(report.notes.some((n: string) => /^Problems before: 1 error.*; after: no problems\.$/.test(n)), report.notes.join('\n'));
  assert.deepEqual(checkModel(decodeModel(readFileSync(output))), []);
  assert.deepEqual(readFileSync(input), before);
  // Again: the first result stays, the second is numbered; text output ends in the verification.
  const again = cli('check', input, '--fix');
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /Verification:\n {2}PASS: /);
  assert.ok(existsSync(join(dir, 'int64-fix.fixed-2.onnx')));
  // -o names the file; it may not be the source, and it needs --fix.
  const chosen = join(dir, 'chosen.onnx');
  assert.equal(cli('check', input, '--fix', '-o', chosen).status, 0);
  assert.ok(existsSync(chosen));
  const over = cli('check', input, '--fix', '-o', input);
  assert.equal(over.status, 2);
  assert.match(oneLine(over.stderr), /overwrite the input model/);
  const usage = cli('check', input, '-o', chosen);
  assert.equal(usage.status, 2);
  assert.match(oneLine(usage.stderr), /^Usage: onnx-lens check MODEL \[--json\] \[--fix \[-o OUT\]\]$/);
  assert.deepEqual(readFileSync(input), before);
});

test('check --fix refuses a model with an error no fix addresses, and one with nothing to fix: exit 2, nothing written', () => {
  const unknown = model({ input: [valueInfo('x', DataType.FLOAT, [2])], output: [valueInfo('y', DataType.FLOAT, [2])], node: [node('Relu', ['x'], ['a'], {}, 'n'), node('Frobnicate', ['a'], ['y'], {}, 'n')] });
  const input = write('unknown-op.onnx', unknown);
  const run = cli('check', input, '--fix');
  assert.equal(run.status, 2, run.stdout + run.stderr);
  assert.match(oneLine(run.stderr), /^onnx-lens: .*unknown-op\.onnx has an error that no fix addresses: main graph, node 1 "n" \(Frobnicate\): Frobnicate is not an operator of ai\.onnx.*; run `onnx-lens check .*unknown-op\.onnx` for the list\.$/);
  assert.ok(!existsSync(join(dir, 'unknown-op.fixed.onnx')));
  const fine = write('fine.onnx', generateMlp());
  const nothing = cli('check', fine, '--fix');
  assert.equal(nothing.status, 2);
  assert.match(oneLine(nothing.stderr), /no problems that these fixes address/);
  assert.ok(!existsSync(join(dir, 'fine.fixed.onnx')));
});

test('check --fix on a model onnxruntime refuses (a value defined twice): written, not verified, exit 1 with the reason', () => {
  const twice = model({ input: [valueInfo('x', DataType.FLOAT, [2])], output: [valueInfo('y', DataType.FLOAT, [2])], node: [node('Relu', ['x'], ['a']), node('Neg', ['a'], ['a'], {}, 'neg'), node('Abs', ['a'], ['y'])] });
  const input = write('twice.onnx', twice);
  const run = cli('check', input, '--fix');
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(oneLine(run.stderr), /^onnx-lens check --fix: wrote .*twice\.fixed\.onnx, not verified: could not run: the original model does not run in onnxruntime/);
  assert.match(run.stdout, /The fixed model runs in onnxruntime\./);
  assert.deepEqual(checkModel(decodeModel(readFileSync(join(dir, 'twice.fixed.onnx')))).filter((p) => p.severity === 'error'), []);
});
