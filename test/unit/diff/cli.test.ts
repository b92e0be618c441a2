// `onnx-lens diff` as a user runs it: the real CLI in a child process, on model files written here.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { resolveOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { tempDir } from '../../helpers/models.js';
import { mlp, scaledWeight, withAttribute } from './models.js';
import { runCli } from '../../helpers/cli.js';

const cli = (...args: string[]) => runCli('diff', ...args);

const dir = tempDir('onnx-lens-diff-');
const base = mlp(5);
const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const original = write('original.onnx', encodeModel(base));
const copy = write('copy.onnx', encodeModel(cloneModel(base)));
const quantized = write('quantized.onnx', encodeModel(quantizeModel(cloneModel(base), resolveOptions({ mode: 'dynamic' })).model));
const edited = write('edited.onnx', encodeModel(withAttribute(scaledWeight(base, 'net.4.weight', 10), '/net/net.2/Gemm', 'alpha', 0.5)));

test('text: counts first, then the changes grouped by kind', () => {
  const run = cli(original, quantized);
  assert.equal(run.status, 0, run.stderr);
  const text = run.stdout;
  assert.match(text, /^Nodes: +9 → 34: 4 paired \(4 unchanged, 0 changed\), 5 only in the first, 30 only in the second$/m);
  assert.match(text, /^Replaced \(5\):$/m);
  assert.match(text, /^ {2}Gemm \/net\/net\.4\/Gemm → 6 nodes: DynamicQuantizeLinear, MatMulInteger, Cast, Mul ×2, Add$/m);
  assert.match(text, /^ {2}ops: .*Gemm 5 → 0/m);
  const e = cli(original, edited).stdout;
  assert.match(e, /^Attributes changed \(1\):\n {2}Gemm \/net\/net\.2\/Gemm: alpha 1\.0 → 0\.5$/m);
  assert.match(e, /^Initializers changed \(1\):\n {2}net\.4\.weight: max abs [\d.]+, cosine 1(\.0+)?, 100(\.0)?% of values changed$/m);
});

test('--json: the documented shape, nodes by name', () => {
  const run = cli(original, edited, '--json');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.version, 1);
  assert.equal(json.identical, false);
  assert.deepEqual(Object.keys(json).sort(), ['a', 'b', 'graph', 'identical', 'model', 'version']);
  assert.deepEqual(Object.keys(json.graph).sort(), ['changed', 'counts', 'groups', 'initializers']);
  assert.deepEqual(json.graph.changed, [{
    a: { name: '/net/net.2/Gemm', op: 'Gemm' }, b: { name: '/net/net.2/Gemm', op: 'Gemm' }, how: 'name',
    changes: { attributes: [{ name: 'alpha', before: '1.0', after: '0.5' }] },
  }]);
  assert.deepEqual(json.graph.initializers.changed.map((c: { a: string }) => c.a), ['net.4.weight']);
  assert.deepEqual(json.graph.groups, []);
});

test('--run: names the broken layer first, in text and JSON', () => {
  const run = cli(original, edited, '--run', '--dims', 'batch_size=2', '--json');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  // alpha 0.5 on net.2 comes before the weight of net.4: that is where the numbers part.
  assert.deepEqual(json.run.first.map((v: { nodeA: { name: string } }) => v.nodeA.name), ['/net/net.2/Gemm']);
  const text = cli(original, edited, '--run', '--dims', 'batch_size=2').stdout;
  assert.match(text, /^Divergence starts at \(1\):\n {2}Gemm \/net\/net\.2\/Gemm: \/net\/net\.2\/Gemm_output_0 float\[2,16\]/m);
});

test('--run on a model onnxruntime cannot run: the diff printed, one line on stderr, exit 1', () => {
  const unknown = cloneModel(base);
  const relu = unknown.graph!.node!.find((n) => n.opType === 'Relu')!;
  relu.opType = 'NoSuchOp';
  relu.domain = 'example.custom';
  unknown.opsetImport = [...unknown.opsetImport!, { domain: 'example.custom', version: 1 }];
  const run = cli(original, write('unknown-op.onnx', encodeModel(unknown)), '--run');
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /^Replaced \(1\):\n {2}Relu \/net\/net\.1\/Relu → example\.custom\.NoSuchOp \/net\/net\.1\/Relu$/m);
  assert.match(run.stderr, /^onnx-lens: the models could not be run: onnxruntime: .+\n$/);
});

test('--exit-code: 1 when the models differ, 0 when identical; without it 0 either way', () => {
  assert.equal(cli(original, copy, '--exit-code').status, 0);
  assert.match(cli(original, copy).stdout, /The models are identical/);
  assert.equal(cli(original, quantized, '--exit-code').status, 1);
  assert.equal(cli(original, quantized).status, 0);
});

test('bad input: one line on stderr, exit 2', () => {
  const garbage = write('garbage.onnx', new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]));
  for (const args of [[original, join(dir, 'missing.onnx')], [garbage, original], [original]]) {
    const run = cli(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stdout}`);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /\bat .*\.ts:\d+/);
  }
});

test('--textconv: one model as text, each weight with a digest that changes with its values', () => {
  const a = cli('--textconv', original);
  const b = cli('--textconv', edited);
  assert.equal(a.status, 0, a.stderr);
  const digest = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`# ${name}: `));
  assert.match(digest(a.stdout, 'net.4.weight')!, /^# net\.4\.weight: float\[16,16\] sha256:[0-9a-f]{16}$/);
  assert.notEqual(digest(a.stdout, 'net.4.weight'), digest(b.stdout, 'net.4.weight'));
  assert.equal(digest(a.stdout, 'net.0.weight'), digest(b.stdout, 'net.0.weight'));
  assert.match(a.stdout, /^main_graph \(float\[batch_size,8\] input\) => \(float\[batch_size,4\] output\)$/m);
});
