import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import { onnxCheck } from '../../helpers/python.js';
import { testCases } from '../../helpers/testdata.js';
import { canonicalModel } from './canonical.js';
import { runCli as cli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'onnx-lens-text-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('onnx-lens text --full, then parse -o, writes a model with the same graph that onnx.checker accepts', () => {
  const source = testCases().find((c) => c.name === 'node/test_if')!;
  const printed = cli('text', source.model, '--full');
  assert.equal(printed.status, 0, printed.stderr);
  assert.match(printed.stdout, /then_branch = then_body \(\) => \(float\[5\] then_out\)/);
  const textFile = join(dir, 'if.onnxtxt');
  writeFileSync(textFile, printed.stdout);
  const out = join(dir, 'if.onnx');
  const parsed = cli('parse', textFile, '-o', out);
  assert.equal(parsed.status, 0, parsed.stderr);
  assert.deepEqual(canonicalModel(decodeModel(readFileSync(out))), canonicalModel(decodeModel(readFileSync(source.model))));
  assert.equal(onnxCheck(out), '');
});

test('onnx-lens text --full --strict, then parse -o, gives back the model of a real export: names, node names and metadata', () => {
  for (const name of ['detector_opset11_constants', 'transformer_dynamo']) {
    const source = `test/fixtures/exported/${name}/model.onnx`;
    const printed = cli('text', source, '--full', '--strict');
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, /^# Written for onnx 1\.12's parser/);
    assert.match(printed.stdout, /^#@ rename: /m);
    const textFile = join(dir, `${name}.onnxtxt`);
    writeFileSync(textFile, printed.stdout);
    const out = join(dir, `${name}.onnx`);
    const parsed = cli('parse', textFile, '-o', out);
    assert.equal(parsed.status, 0, parsed.stderr);
    assert.deepEqual(canonicalModel(decodeModel(readFileSync(out))), canonicalModel(decodeModel(readFileSync(source))), name);
  }
});

test('onnx-lens parse reports a misplaced #@ line as file:line:col and writes nothing', () => {
  const bad = join(dir, 'dangling.onnxtxt');
  writeFileSync(bad, 'g (float X) => (float Y) {\n  Y = Relu(X)\n  #@ doc_string: "for nothing"\n}\n');
  const out = join(dir, 'dangling.onnx');
  const r = cli('parse', bad, '-o', out);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `${bad}:3:3: This #@ doc_string line describes nothing: it goes right before the node, graph name, value or function it belongs to.\n`);
  assert.equal(existsSync(out), false);
});

test('onnx-lens text elides large tensors unless --full or a higher --elide-above', () => {
  const source = testCases().find((c) => c.name === 'pytorch-converted/test_Conv2d')!;
  const elided = cli('text', source.model);
  assert.equal(elided.status, 0, elided.stderr);
  assert.match(elided.stdout, /= \{\.\.\.\}/);
  assert.doesNotMatch(cli('text', source.model, '--full').stdout, /\{\.\.\.\}/);
  assert.doesNotMatch(cli('text', source.model, '--elide-above', '1000000').stdout, /\{\.\.\.\}/);
});

test('onnx-lens parse reports file:line:col and exits 2 without writing', () => {
  const bad = join(dir, 'bad.onnxtxt');
  writeFileSync(bad, '<ir_version: 8, opset_import: ["" : 15]>\ng (float X) => (float Y) {\n  Y = Relu(X\n}\n');
  const out = join(dir, 'bad.onnx');
  const r = cli('parse', bad, '-o', out);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `${bad}:4:1: Expected ')' to close the inputs of Relu but found '}'.\n`);
  assert.equal(existsSync(out), false);

  const elided = join(dir, 'elided.onnxtxt');
  writeFileSync(elided, 'g (float[64] X) => (float[64] Y) <float[64] W = {...}> { Y = Add(X, W) }');
  const e = cli('parse', elided, '-o', out);
  assert.equal(e.status, 2);
  assert.match(e.stderr, /elided\.onnxtxt:1:49: The values of 'W' are elided/);
  assert.equal(existsSync(out), false);

  const missing = cli('parse', join(dir, 'nope.onnxtxt'), '-o', out);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^onnx-lens: No such file: .*nope\.onnxtxt\n$/);
  assert.equal(cli('text', join(dir, 'nope.onnx')).status, 2);
});

test('onnx-lens text into a pipe that closes early ends quietly', () => {
  // Megabytes of text: far more than a pipe holds, so the writer meets the closed pipe.
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" --import tsx src/cli.ts text test/fixtures/sample.onnx --full | head -c 10 > /dev/null`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|at /);
});

test('onnx-lens parse reads a text with a byte order mark', () => {
  const file = join(dir, 'bom.onnxtxt');
  writeFileSync(file, '\uFEFF<ir_version: 8, opset_import: ["" : 15]> g (float X) => (float Y) { Y = Relu(X) }');
  const out = join(dir, 'bom.onnx');
  const r = cli('parse', file, '-o', out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(decodeModel(readFileSync(out)).graph?.node?.[0].opType, 'Relu');
});
