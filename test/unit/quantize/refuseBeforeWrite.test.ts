// A quantized model is written only when it passes our checker AND loads in onnxruntime, in every mode:
// otherwise nothing is written, the CLI exits 1 and one line names what onnxruntime named. Two real
// refusals: a source with an op onnxruntime has no kernel for (each mode keeps it, so each result is
// refused, and the line says the source is refused too: not blamed on quantize), and, through the same
// pipeline, a result that passes our checker and that onnxruntime refuses by node (an op with no kernel at
// the result's opset), blamed on the transform since the source loads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx, type ModelProto } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { ResultRefused } from '../../../src/core/transforms/sourceChecks.js';
import { transformFile } from '../../../src/core/transforms/transformFile.js';
import type { Transform } from '../../../src/core/transforms/transform.js';
import { tempDir } from '../../helpers/models.js';
import { f32, model, node, seq, valueInfo } from '../transforms/foldModels.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'quantize', ...args], { encoding: 'utf8' });
const dir = tempDir('onnx-lens-quantize-refuse-');
const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

/** x[4,64] · W[64,64] then com.example's Scale, an op no onnxruntime build has: it passes our checker. */
function customOpModel(): ModelProto {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [4, 64])],
    output: [valueInfo('y', DataType.FLOAT, [4, 64])],
    initializer: [f32('W', [64, 64], seq(4096, 0.01))],
    node: [node('MatMul', ['x', 'W'], ['h'], {}, 'matmul'), { ...node('Scale', ['h'], ['y'], {}, 'scale'), domain: 'com.example' }],
  }, 17);
  m.opsetImport = [...(m.opsetImport ?? []), onnx.OperatorSetIdProto.create({ domain: 'com.example', version: 1 })];
  return m;
}

test('every mode: a result onnxruntime refuses is not written; exit 1, one line naming the op', () => {
  const source = join(dir, 'custom.onnx');
  writeFileSync(source, encodeModel(customOpModel()));
  assert.deepEqual(checkModel(customOpModel()).filter((p) => p.severity === 'error'), []);
  const calibration = join(dir, 'calibration');
  for (let s = 0; s < 3; s++) {
    mkdirSync(join(calibration, `test_data_set_${s}`), { recursive: true });
    const x = arrayToTensor('x', { dtype: DataType.FLOAT, dims: [4, 64], data: Float32Array.from({ length: 256 }, (_, i) => Math.sin(i + s)) });
    writeFileSync(join(calibration, `test_data_set_${s}`, 'input_0.pb'), onnx.TensorProto.encode(x).finish());
  }
  const modes: Array<[string, string[]]> = [
    ['dynamic', ['--mode', 'dynamic']],
    ['weight-only int8', ['--mode', 'weight-only', '--bits', '8']],
    ['weight-only int4', ['--mode', 'weight-only', '--bits', '4']],
    ['weight-only int4 MatMulNBits', ['--mode', 'weight-only', '--bits', '4', '--format', 'matmulnbits']],
    ['fp16', ['--mode', 'fp16']],
  ];
  for (const [label, args] of modes) {
    const output = join(dir, `custom.${label.replace(/\W+/g, '-')}.onnx`);
    const run = cli(source, ...args, '-o', output, '--iterations', '0');
    assert.equal(run.status, 1, `${label}: ${run.stdout}${run.stderr}`);
    const line = run.stderr.trim();
    assert.equal(line.split('\n').length, 1, `${label}: one line: ${line}`);
    assert.match(line, /^onnx-lens quantize: Nothing written: onnxruntime does not load the quantized model \(nor .*custom\.onnx\): .*Scale/, label);
    assert.doesNotMatch(line, /a bug in quantize/, `${label}: the source is refused too`);
    assert.match(run.stdout, /Nothing was written/, label);
    assert.ok(!existsSync(output), `${label}: nothing written`);
  }
  // Static mode runs the source to calibrate, which onnxruntime refuses: nothing is written either.
  const output = join(dir, 'custom.static.onnx');
  const run = cli(source, '--mode', 'static', '--calibration', calibration, '-o', output, '--iterations', '0');
  assert.notEqual(run.status, 0, run.stderr);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /Scale/);
  assert.ok(!existsSync(output), 'static: nothing written');
});

/**
 * Gemm at opset 6: valid ONNX (our checker passes it), but onnxruntime 1.30 has no kernel for Gemm
 * before opset 7, and says so by node when loading.
 */
function oldGemm(): ModelProto {
  return model({
    input: [valueInfo('x', DataType.FLOAT, [2, 4])],
    output: [valueInfo('y', DataType.FLOAT, [2, 3])],
    initializer: [f32('B', [4, 3], seq(12)), f32('C', [3], [0.1, 0.2, 0.3])],
    node: [node('Gemm', ['x', 'B', 'C'], ['y'], {}, 'old_gemm')],
  }, 6, 4);
}

test('the pipeline refuses a result onnxruntime does not load, naming the node, and blames the transform', async () => {
  const source = join(dir, 'relu.onnx');
  const output = join(dir, 'relu.broken.onnx');
  writeFileSync(source, encodeModel(model({
    input: [valueInfo('x', DataType.FLOAT, [2, 4])],
    output: [valueInfo('y', DataType.FLOAT, [2, 4])],
    node: [node('Relu', ['x'], ['y'])],
  }, 17)));
  const broken = oldGemm();
  assert.deepEqual(checkModel(decodeModel(encodeModel(broken))).filter((p) => p.severity === 'error').map((p) => p.message), []);
  const transform: Transform<Record<string, never>, object, object> = {
    name: 'downgrade', title: 'Downgrade', command: 'onnxLens.downgrade', summary: 'test', resultName: 'downgraded model', options: {},
    loadsBeforeWrite: true,
    resolve: () => ({}), outputTag: () => 'broken', describe: () => 'test',
    run: async () => ({ model: oldGemm(), notes: [], details: {} }),
    verification: () => ({ criterion: { kind: 'tolerance', rtol: 0, atol: 0 } }),
  };
  await assert.rejects(transformFile(transform, { input: source, output, options: {}, client }), (error: unknown) => {
    assert.ok(error instanceof ResultRefused);
    assert.match(error.message, /^Nothing written: onnxruntime does not load the downgraded model: Could not find an implementation for Gemm\(6\).*old_gemm.* \(a bug in downgrade\)\.$/);
    assert.equal(error.message.split('\n').length, 1);
    assert.equal(error.report.output, undefined);
    assert.equal(error.report.verification?.status, 'not-run');
    return true;
  });
  assert.ok(!existsSync(output));
});
