// `onnx-lens quantize` as a user runs it: output naming beside the input, --json report contents,
// exit codes (0 within budget, 2 on errors), one-line errors, nothing the user owns overwritten.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateTransformer } from '../../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { linearModel, tempDir, tensorInfo } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';
import { runCli } from '../../helpers/cli.js';

const cli = (...args: string[]) => runCli('quantize', ...args);
const dir = tempDir('onnx-lens-quantize-cli-');
const model = join(dir, 'tiny-lm.onnx');
writeFileSync(model, encodeModel(generateTransformer({ layers: 1, hidden: 64, heads: 2, vocab: 64, maxPositions: 16 })));

test('weight-only int4 writes name.int4.onnx beside the input, then name.int4-2.onnx; --json has the report', () => {
  const first = cli(model, '--mode', 'weight-only', '--bits', '4', '--block', '32', '--iterations', '2', '--json');
  assert.equal(first.status, 0, first.stderr);
  const report = JSON.parse(first.stdout);
  assert.equal(report.output, join(dir, 'tiny-lm.int4.onnx'));
  assert.ok(existsSync(report.output));
  const d = report.details;
  assert.equal(d.mode, 'weight-only');
  assert.ok(d.tensors.length > 0 && d.tensors.every((t: { scales: number[]; zeroPoints: number[] }) => t.scales.length > 0 && t.zeroPoints.length === t.scales.length));
  assert.ok(d.weightBytesAfter < d.weightBytesBefore && d.fileRatio > 1);
  assert.ok(d.latencyBefore.iterations === 2 && d.latencyAfter.iterations === 2);
  assert.ok(d.accuracy.length === 1 && d.accuracy[0].cosine >= 0.95);
  assert.equal(report.verification.pass, true);
  const second = cli(model, '--mode', 'weight-only', '--bits', '4', '--iterations', '0');
  assert.equal(second.status, 0, second.stderr);
  assert.ok(existsSync(join(dir, 'tiny-lm.int4-2.onnx')));
  assert.match(second.stdout, /Scales and zero points/);
  assert.match(second.stdout, /Accuracy on 4 input set/);
});

test('dynamic, static (calibrated on a folder of .pb inputs) and fp16 through the CLI', () => {
  const lin = join(dir, 'linear.onnx');
  writeFileSync(lin, encodeModel(linearModel(64, 32)));
  const calibration = join(dir, 'calibration');
  for (let s = 0; s < 3; s++) {
    const set = join(calibration, `test_data_set_${s}`);
    spawnSync('mkdir', ['-p', set]);
    const x = onnx.TensorProto.create({ name: 'X', dataType: DataType.FLOAT, dims: [toLong(2), toLong(64)], floatData: Array.from({ length: 128 }, (_, i) => Math.sin(i + s)) });
    writeFileSync(join(set, 'input_0.pb'), onnx.TensorProto.encode(x).finish());
  }
  for (const args of [['--mode', 'dynamic', '--per-channel'], ['--mode', 'static', '--calibration', calibration, '--calibrator', 'percentile'], ['--mode', 'fp16']]) {
    const run = cli(lin, ...args, '--iterations', '0', '--json');
    assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verification.pass, true, args.join(' '));
    // Three samples: the last is held out of calibration and verified on.
    if (args.includes('static')) assert.match(report.details.inputs.source, /^calibrated on 2 samples, verified on 1 held out: test_data_set_2 \(of .*calibration\)$/);
  }
  assert.ok(existsSync(join(dir, 'linear.int8.onnx')) && existsSync(join(dir, 'linear.qdq.onnx')) && existsSync(join(dir, 'linear.fp16.onnx')));
});

test('bad requests exit 2 with one line and leave the input untouched', () => {
  const before = readFileSync(model);
  const notModel = join(dir, 'notes.onnx');
  writeFileSync(notModel, 'hello, not a model');
  const relu = join(dir, 'relu.onnx');
  writeFileSync(relu, encodeModel(new onnx.ModelProto({
    irVersion: toLong(8), opsetImport: [{ domain: '', version: toLong(13) }],
    graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], input: [tensorInfo('x', DataType.FLOAT, [4])], output: [tensorInfo('y', DataType.FLOAT, [4])] },
  })));
  const cases: Array<[string[], RegExp]> = [
    [[model], /^Usage: onnx-lens quantize/],
    [[model, '--mode', 'int3'], /--mode must be one of/],
    [[model, '--mode', 'dynamic', '--bits', '4'], /4-bit weights are available in weight-only mode/],
    [[model, '--mode', 'weight-only', '--block', '48'], /power of two/],
    [[model, '--mode', 'weight-only', '--format', 'integer'], /not 'integer'/],
    [[model, '--mode', 'dynamic', '-o', model], /overwrite the input/],
    [[notModel, '--mode', 'dynamic'], /Not a valid ONNX model|not an ONNX model|Not an ONNX model/],
    [[join(dir, 'missing.onnx'), '--mode', 'dynamic'], /No such file/],
    [[relu, '--mode', 'weight-only'], /nothing to quantize in weight-only mode/],
    [[model, '--mode', 'static', '--calibration', join(dir, 'nowhere')], /No such file or folder/],
  ];
  for (const [args, pattern] of cases) {
    const run = cli(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr.trim(), pattern, args.join(' '));
    assert.equal(run.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
    assert.ok(!run.stderr.includes('    at '), 'no stack trace');
  }
  assert.deepEqual(readFileSync(model), before);
  assert.doesNotThrow(() => decodeModel(readFileSync(model)));
});

test('a model onnxruntime cannot run is still quantized, reported as not verified, exit 1', () => {
  // Gemm at opset 6 has no kernel in onnxruntime 1.30; the quantized copy (opset 11) has no Gemm left.
  const linear = testCases().find((c) => c.name === 'pytorch-converted/test_Linear')!;
  const output = join(dir, 'old-linear.int8.onnx');
  const run = cli(linear.model, '--mode', 'dynamic', '-o', output, '--iterations', '0');
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /could not run: the original model does not run in onnxruntime/);
  assert.ok(existsSync(output));
});
