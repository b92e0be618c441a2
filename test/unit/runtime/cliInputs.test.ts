// `onnx-lens run` with the input specification, as a user runs it: the bundled CLI (built here from the
// sources, as esbuild.mjs builds dist/cli.cjs and dist/runtime-worker.cjs) with real onnxruntime.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { buildSync } from 'esbuild';
import { encodeModel } from '../../../src/core/model/decode.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { audioModel, convModel, declaredModel, encode, hugeModel, negativeDimModel, tokensModel } from './inputModels.js';

const dir = tempDir('onnx-lens-cli-inputs-');
after(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dir, 'bin');
buildSync({
  entryPoints: { cli: 'src/cli.ts', 'runtime-worker': 'src/core/runtime/worker.ts' },
  outdir: bin, outExtension: { '.js': '.cjs' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  external: ['vscode', 'onnxruntime-node'], logLevel: 'silent',
});
const env = { ...process.env, ORT_DISABLE_TELEMETRY: '1', NODE_PATH: resolve('node_modules') };
const cli = (...args: string[]) => spawnSync(process.execPath, [join(bin, 'cli.cjs'), 'run', ...args], { encoding: 'utf8', env });

const files = {
  audio: join(dir, 'audio.onnx'), conv: join(dir, 'conv.onnx'), tokens: join(dir, 'tokens.onnx'), declared: join(dir, 'declared.onnx'),
  huge: join(dir, 'huge.onnx'), negative: join(dir, 'negative.onnx'),
};
writeFileSync(files.audio, encode(audioModel()));
writeFileSync(files.conv, encode(convModel()));
writeFileSync(files.tokens, encode(tokensModel()));
writeFileSync(files.declared, encode(declaredModel()));
writeFileSync(files.huge, encode(hugeModel()));
writeFileSync(files.negative, encode(negativeDimModel()));

/** Exit 2, nothing on stdout, one line on stderr (no stack trace) that matches. */
function assertErrorLine(run: ReturnType<typeof cli>, pattern: RegExp): string {
  assert.equal(run.status, 2, run.stdout + run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'));
  assert.equal(lines.length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at |Error:/);
  assert.match(lines[0], pattern);
  return lines[0];
}

test('run --help documents the input options once: --shape, --dims with INPUT[AXIS], --value, and the defaults', () => {
  const run = spawnSync(process.execPath, [join(bin, 'cli.cjs'), 'run', '--help'], { encoding: 'utf8', env });
  assert.equal(run.status, 0);
  for (const text of ['--shape NAME=1x3x224x224', 'INPUT[AXIS]=N', 'input[1]=512', '--value NAME=V', '.npz', 'reported as assumed', '--verbose']) {
    assert.ok(run.stdout.includes(text), text);
  }
  assert.equal(run.stdout.split('--shape NAME=1x3x224x224  ').length, 2, 'the option is described once');
});

test('nothing given: the run uses the sizes and values the model implies and the report says what was assumed', () => {
  const run = cli(files.audio, '--iterations', '0');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(run.stdout, /^Inputs: {3}generated \(normal, seed 0\)$/m);
  assert.ok(lines.some((l) => /^ {2}input +float +\[1,130\] +generated \(normal\) +input\[0\], input\[1\] assumed$/.test(l)), run.stdout);
  assert.ok(lines.some((l) => /^ {2}sr +int64 +\[\] += 16000 +value assumed$/.test(l)), run.stdout);
  assert.ok(lines.includes('Assumed:  input[0] = 1 (unknown; set with --shape input=1x130)'), run.stdout);
  assert.ok(lines.includes("          sr = 16000 (compared with 16000 by Equal '/Equal'; set with --value sr=16000)"), run.stdout);
  assert.match(run.stdout, /output +float +\[1,8,1\]/);

  const json = cli(files.conv, '--iterations', '0', '--json');
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(report.feeds.map((f: { name: string; shape: number[]; assumedAxes: number[] }) => [f.name, f.shape, f.assumedAxes]), [['image', [1, 3, 18, 18], [0, 2, 3]]]);
  assert.deepEqual(report.assumed.map((a: { subject: string; value: number; kind: string; option: string }) => [a.subject, a.value, a.kind, a.option]), [
    ['batch', 1, 'default', '--dims batch=1'], ['height', 18, 'minimum', '--dims height=18'], ['width', 18, 'minimum', '--dims width=18'],
  ]);
  assert.deepEqual(report.outputs[0].shape, [1, 4]);
});

test('--shape, --dims (symbols and INPUT[AXIS]) and --value run with exactly what was given', () => {
  const run = cli(files.audio, '--shape', 'input=1x512', '--value', 'sr=16000', '--iterations', '0', '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.assumed, []);
  assert.equal(report.inputs, 'generated (normal, seed 0); --shape input=1x512 --value sr=16000');
  assert.deepEqual(report.feeds.map((f: { name: string; source: string; shape: number[] }) => [f.name, f.source, f.shape]), [['input', 'generated', [1, 512]], ['sr', 'value', []]]);
  assert.deepEqual(report.outputs[0].shape, [1, 8, 4]);
  const axis = JSON.parse(cli(files.audio, '--dims', 'input[1]=1024', '--dims', 'input[0]=2', '--value', 'sr=16000', '--iterations', '0', '--json').stdout);
  assert.deepEqual(axis.outputs[0].shape, [2, 8, 8]);
  const conv = JSON.parse(cli(files.conv, '--dims', 'batch=2,height=32,width=40', '--iterations', '0', '--json').stdout);
  assert.deepEqual([conv.assumed, conv.outputs[0].shape], [[], [2, 4]]);
  const tokens = cli(files.tokens, '--shape', 'tokens=3x64', '--iterations', '0');
  assert.equal(tokens.status, 0, tokens.stderr);
  assert.match(tokens.stdout, /mask\[0\] = 3 \(the graph makes it equal to tokens\[0\]; set with --shape mask=3x16\)/);
});

test('npz files feed inputs by name (numpy.savez and savez_compressed)', () => {
  for (const save of ['savez', 'savez_compressed']) {
    const path = join(dir, `${save}.npz`);
    runPython(`import sys, numpy as np\nnp.${save}(sys.argv[1], input=np.sin(np.arange(768, dtype=np.float32).reshape(1, 768) / 10), sr=np.array(16000, dtype=np.int64))`, [path]);
    const run = cli(files.audio, '--inputs', path, '--iterations', '0', '--json');
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.assumed, [], save);
    assert.deepEqual(report.feeds.map((f: { name: string; source: string; shape: number[] }) => [f.name, f.source, f.shape]), [['input', 'file', [1, 768]], ['sr', 'file', []]]);
    assert.deepEqual(report.outputs[0].shape, [1, 8, 6]);
  }
});

test('onnxruntime failures are one line: the node, its op, the inputs fed (assumed ones marked), the hint; --verbose adds the full message', () => {
  const line = assertErrorLine(cli(files.audio, '--value', 'sr=8000', '--iterations', '0'), /^onnx-lens: onnxruntime failed in Reshape node/);
  assert.equal(line, "onnx-lens: onnxruntime failed in Reshape node '/other_rate/Reshape' (inside If '/If'): The input tensor cannot be reshaped to the requested shape. "
    + 'Input shape:{1,130}, requested shape:{1,1,99991}. Fed: input float[1,130] (input[0], input[1] assumed), sr int64[] = 8000. '
    + 'Sizes or values were assumed; set them with --shape input=1x130.');
  assertErrorLine(cli(files.audio, '--shape', 'input=1x1', '--value', 'sr=16000', '--iterations', '0'),
    /^onnx-lens: onnxruntime failed in Pad node '\/rate_16k\/Pad' \(inside If '\/If'\): Pad reflect requires axis length >= 2 after slicing\. Input shape:\{1,1,1\}\. Fed: input float\[1,1\], sr int64\[\] = 16000\.$/);
  const verbose = cli(files.audio, '--value', 'sr=8000', '--iterations', '0', '--verbose');
  assert.equal(verbose.status, 2);
  const lines = verbose.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 2, verbose.stderr);
  assert.match(lines[0], /^onnxruntime said: Non-zero status code returned while running If node\. Name:'\/If' Status Message: .*reshape_helper\.h:\d+ /);
  assert.equal(lines[1], line);
});

test('input errors are one line in the model\'s terms, never a raw JavaScript error', () => {
  assertErrorLine(cli(files.audio, '--dims', 'foo=1280'), /^onnx-lens: --dims names no dimension 'foo': the model's free dimensions are input\[0\], input\[1\] \(any axis can be set as INPUT\[AXIS\]=N\)\.$/);
  assertErrorLine(cli(files.conv, '--shape', 'image=1x4x20x20'), /^onnx-lens: --shape image=1x4x20x20: input 'image' fixes axis 1 at 3 \(\[batch,3,height,width\]\), not 4\.$/);
  assertErrorLine(cli(files.conv, '--shape', 'picture=1x3x20x20'), /^onnx-lens: --shape names no input 'picture': the model's inputs are 'image'\.$/);
  assertErrorLine(cli(files.audio, '--value', 'sr=[16000'), /^onnx-lens: --value sr: the value ends early/);
  assertErrorLine(cli(files.huge), /^onnx-lens: Input 'big' would be float\[1048576,1048576\]: 1099511627776 elements, 4 TiB, more than the 2 GiB generated for one input/);
  assertErrorLine(cli(files.negative), /^onnx-lens: Input 'x' is declared with size -1 at axis 0 \(\[-1,3\]\), which is not a size; give its shape with --shape x=Nx3\.$/);
  const fixed = cli(files.negative, '--shape', 'x=2x3', '--iterations', '0', '--json');
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.deepEqual(JSON.parse(fixed.stdout).outputs[0].shape, [2, 3]);
});

test('outputs are listed in the model\'s declared order, in the table and in --json', () => {
  const json = JSON.parse(cli(files.declared, '--iterations', '0', '--json', '--compare', files.declared).stdout);
  assert.deepEqual(json.outputs.map((o: { name: string }) => o.name), ['z', '7', '3']);
  const text = cli(files.declared, '--iterations', '0').stdout;
  const order = ['z', '7', '3'].map((name) => text.search(new RegExp(`^ {2}${name} +float`, 'm')));
  assert.ok(order.every((at) => at > 0) && order[0] < order[1] && order[1] < order[2], text);
});

test('external data is checked by our own reader before onnxruntime sees the model', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['badoffset', 'abc', '48', /^onnx-lens: Tensor 'W' has an invalid external-data offset: abc$/],
    ['negoffset', '-5', '48', /^onnx-lens: Tensor 'W' has an invalid external-data offset: -5$/],
    ['short', '0', '4000', /^onnx-lens: External data file 'w\.bin' is too short for tensor 'W' \(needs 4000 bytes, has 48\)\.$/],
    ['wronglen', '0', '40', /^onnx-lens: Tensor 'W' takes 40 bytes of 'w\.bin' at offset 0, but float\[4,3\] needs 48\.$/],
  ];
  for (const [name, offset, length, pattern] of cases) {
    const m = linearModel(4, 3);
    const w = m.graph!.initializer![0];
    writeFileSync(join(dir, 'w.bin'), w.rawData!);
    w.rawData = new Uint8Array(0);
    w.dataLocation = 1;
    w.externalData = [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: offset }, { key: 'length', value: length }];
    writeFileSync(join(dir, `${name}.onnx`), encodeModel(m));
    assertErrorLine(cli(join(dir, `${name}.onnx`), '--iterations', '0'), pattern);
  }
});
