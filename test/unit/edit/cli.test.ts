// `onnx-lens edit`: edits in command-line order as one change, each printed with its label; a refusal exits 2
// with one line and writes nothing; IN is written over only with --in-place.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { attribute } from '../../../src/core/model/graphQueries.js';
import { DataType, int64ToNumber } from '../../../src/core/model/proto.js';
import { typeText } from '../../../src/core/model/types.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';
import { fixturesDir, values } from './editHelpers.js';
import { tensorToArray } from '../../../src/core/model/tensorValues.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
const dir = tempDir('onnx-lens-edit-cli-');
const client = RuntimeClient.start();
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const cnn = join(fixturesDir, 'cnn_torchscript', 'model.onnx');

test('several edits in order: each label printed, the result written, checked and run', async () => {
  const out = join(dir, 'edited.onnx');
  const run = cli('edit', cnn, '-o', out, '--rename', 'logits=scores', '--batch', 'B', '--expose', '/Flatten_output_0',
    '--set-attr', '/fc/Gemm.alpha=2', '--meta', 'author=me', '--producer', 'lens@1.0', '--model-version', '3', '--doc', 'Edited.',
    '--rename-node', '/fc/Gemm=head', '--node-doc', 'head=the classifier');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, [
    "Rename output 'logits' to 'scores'",
    "Make the batch dim dynamic ('B'): 1 input, 1 output",
    "Expose '/Flatten_output_0' as an output",
    "Set alpha of Gemm '/fc/Gemm' to 2",
    "Add metadata 'author'",
    "Set the producer to 'lens 1.0'",
    'Set the model version to 3',
    'Set the model doc string',
    "Rename Gemm '/fc/Gemm' to 'head'",
    "Set the doc string of Gemm 'head'",
    `Wrote ${out} (${statSync(out).size} bytes)`,
    '',
  ].join('\n'));
  assert.equal(run.stderr, '');
  const model = decodeModel(readFileSync(out));
  assert.deepEqual(model.graph!.output!.map((o) => `${o.name}:${typeText(o.type)}`), ['scores:float[B,10]', '/Flatten_output_0:float[B,16]']);
  assert.deepEqual(model.graph!.input!.map((o) => typeText(o.type)), ['float[B,3,height,width]']);
  const head = model.graph!.node!.find((n) => n.name === 'head')!;
  assert.equal(attribute(head, 'alpha')!.f, 2);
  assert.equal(head.docString, 'the classifier');
  assert.deepEqual(model.metadataProps!.map((p) => [p.key, p.value]), [['author', 'me']]);
  assert.equal(model.producerName, 'lens');
  assert.equal(model.producerVersion, '1.0');
  assert.equal(int64ToNumber(model.modelVersion), 3);
  assert.equal(model.docString, 'Edited.');
  assert.equal(onnxCheck(out), '');
  const feeds = { image: { dtype: DataType.FLOAT, dims: [1, 3, 8, 8], data: Float32Array.from({ length: 192 }, (_, i) => Math.sin(i)) } };
  const [before, after] = [await client.run(cnn, feeds), await client.run(out, feeds)];
  // alpha 2 doubles the matrix product, not the bias: scores = 2 * flat @ W^T + b.
  const source = decodeModel(readFileSync(cnn));
  const bias = values(tensorToArray(source.graph!.initializer!.find((t) => t.name === 'fc.bias')!));
  values(after.scores).forEach((v, i) => assert.ok(Math.abs(v - (2 * (values(before.logits)[i] - bias[i]) + bias[i])) < 1e-4));
});

test('the first refusal exits 2 with its one line and writes nothing; edits before it are not written either', () => {
  const out = join(dir, 'refused.onnx');
  const run = cli('edit', cnn, '-o', out, '--rename', 'logits=scores', '--remove-output', 'scores', '--meta', 'a=b');
  assert.equal(run.status, 2);
  assert.equal(run.stderr, "onnx-lens: 'scores' is the model's only output; a model needs at least one.\n");
  assert.equal(run.stdout, '', 'a refused change prints no labels of edits that were never written');
  assert.ok(!existsSync(out));
  const invalid = cli('edit', cnn, '-o', out, '--set-shape', 'image=1,3');
  assert.equal(invalid.status, 2);
  assert.match(invalid.stderr, /^onnx-lens: Refused: shapes would not agree \(the ops can no longer compute the shape of '\/conv1\/Conv_output_0' \(was \[batch,8,height,width\]\), and \d+ more\)\.\n$/);
  assert.ok(!existsSync(out));
});

test('dangling deletes and type changes need --force; --remove-dead removes what the edits leave dead', () => {
  const out = join(dir, 'forced.onnx');
  const transformer = join(fixturesDir, 'transformer_torchscript', 'model.onnx');
  const shape = decodeModel(readFileSync(transformer)).graph!.node!.find((n) => n.opType === 'Shape')!;
  const asked = cli('edit', transformer, '-o', out, '--delete-node', shape.name!);
  assert.equal(asked.status, 2);
  assert.match(asked.stderr, new RegExp(`^onnx-lens: Deleting Shape '${shape.name}' leaves .* without input: its results '${shape.output![0]}' become graph inputs\\. Run with --force to do it anyway\\.\\n$`));
  assert.ok(!existsSync(out));
  const exposed = cli('edit', cnn, '-o', out, '--expose', '/pool/MaxPool_output_0', '--remove-output', 'logits');
  assert.equal(exposed.status, 0, exposed.stderr);
  assert.match(exposed.stdout, /Remove output 'logits'\n {2}5 dead nodes and 4 unused initializers left after removing output 'logits' \(--remove-dead removes them\)\n/);
  assert.equal(decodeModel(readFileSync(out)).graph!.node!.length, 8);
  const dead = cli('edit', cnn, '-o', out, '--expose', '/pool/MaxPool_output_0', '--remove-output', 'logits', '--remove-dead');
  assert.equal(dead.status, 0, dead.stderr);
  assert.match(dead.stdout, /Remove output 'logits'\nRemove 5 dead nodes and 4 unused initializers\n/);
  assert.equal(decodeModel(readFileSync(out)).graph!.node!.length, 3);
  assert.equal(onnxCheck(out), '');
  const source = join(dir, 'linear.onnx');
  writeFileSync(source, encodeModel(linearModel()));
  const npy = join(dir, 'b.npy');
  writeFileSync(npy, encodeNpy({ dtype: DataType.FLOAT, dims: [1, 3], data: Float32Array.from([1, 2, 3]) }));
  const shapeChange = cli('edit', source, '-o', out, '--replace-initializer', `B=${npy}`);
  assert.equal(shapeChange.status, 2);
  assert.equal(shapeChange.stderr, "onnx-lens: 'B' is float[3] but the file holds float[1,3]. Run with --force to do it anyway.\n");
  const forced = cli('edit', source, '-o', out, '--replace-initializer', `B=${npy}`, '--force');
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /^Replace initializer 'B' \(float\[3\] -> float\[1,3\]\)\n/);
});

test('edits are one change, validated after the last: a layer widened in one call computes; stopped halfway, it is refused', async () => {
  const source = join(dir, 'linear.onnx');
  writeFileSync(source, encodeModel(linearModel(4, 3)));
  const w = join(dir, 'w5.npy');
  const b = join(dir, 'b5.npy');
  writeFileSync(w, encodeNpy({ dtype: DataType.FLOAT, dims: [4, 5], data: Float32Array.from({ length: 20 }, (_, i) => i / 10) }));
  writeFileSync(b, encodeNpy({ dtype: DataType.FLOAT, dims: [5], data: new Float32Array(5) }));
  const out = join(dir, 'wide.onnx');
  const half = cli('edit', source, '-o', out, '--force', '--replace-initializer', `W=${w}`, '--replace-initializer', `B=${b}`);
  assert.equal(half.status, 2);
  assert.match(half.stderr, /^onnx-lens: Refused: shapes would not agree \(.*\)\.\n$/);
  assert.equal(existsSync(out), false);
  const whole = cli('edit', source, '-o', out, '--force', '--replace-initializer', `W=${w}`, '--replace-initializer', `B=${b}`, '--set-shape', 'Y=N,5');
  assert.equal(whole.status, 0, whole.stderr);
  assert.match(whole.stdout, /^Replace initializer 'W' \(float\[4,3\] -> float\[4,5\]\)\nReplace initializer 'B' \(float\[3\] -> float\[5\]\)\nSet the shape of output 'Y' to \[N,5\]\nWrote /);
  const y = await client.run(out, { X: { dtype: DataType.FLOAT, dims: [2, 4], data: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]) } });
  assert.deepEqual(y.Y.dims, [2, 5]);
  assert.deepEqual(Array.from(values(y.Y)), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((v) => Math.fround(v)));
  assert.equal(onnxCheck(out), '');
});

test('IN is never written over without --in-place; with it, it is', () => {
  const source = join(dir, 'own.onnx');
  copyFileSync(cnn, source);
  const bytes = readFileSync(source);
  const same = cli('edit', source, '-o', source, '--meta', 'a=b');
  assert.equal(same.status, 2);
  assert.equal(same.stderr, 'onnx-lens: The output would overwrite the input model; choose another output path.\n');
  assert.deepEqual(readFileSync(source), bytes);
  const none = cli('edit', source, '--meta', 'a=b');
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^Usage: onnx-lens edit IN \(-o OUT \| --in-place\)/);
  const both = cli('edit', source, '-o', join(dir, 'x.onnx'), '--in-place', '--meta', 'a=b');
  assert.equal(both.status, 2);
  const noEdit = cli('edit', source, '-o', join(dir, 'x.onnx'));
  assert.equal(noEdit.status, 2);
  assert.match(noEdit.stderr, /no edit given/);
  const inPlace = cli('edit', source, '--in-place', '--meta', 'a=b', '--json');
  assert.equal(inPlace.status, 0, inPlace.stderr);
  assert.deepEqual(JSON.parse(inPlace.stdout), { output: source, edits: [{ label: "Add metadata 'a'", warnings: [] }], warnings: [] });
  assert.deepEqual(decodeModel(readFileSync(source)).metadataProps!.map((p) => [p.key, p.value]), [['a', 'b']]);
});

test('bad arguments: one line each, nothing written', () => {
  const out = join(dir, 'bad.onnx');
  const cases: Array<[string[], RegExp]> = [
    [['--rename', 'logits'], /^onnx-lens: --rename takes NAME=VALUE, not 'logits'\.\n$/],
    [['--set-attr', 'alpha=2'], /^onnx-lens: --set-attr takes NODE\.ATTRIBUTE=VALUE, not 'alpha=2'\.\n$/],
    [['--model-version', 'x'], /^onnx-lens: --model-version takes a whole number, not 'x'\.\n$/],
    [['--batch', '?'], /^onnx-lens: --batch takes a number or a name, not \?\.\n$/],
    [['--replace-initializer', 'B=missing.npy'], /^onnx-lens: Cannot read missing\.npy: ENOENT\n$/],
    [['--delete-node', '#99'], /^onnx-lens: No node 99 in this graph: it has 8 nodes\.\n$/],
    [['--set-dtype', 'image=float16'], /^onnx-lens: Refused: the model would be invalid \(main graph, node 0 "\/conv1\/Conv" \(Conv\): .*\)\.\n$/],
  ];
  for (const [args, message] of cases) {
    const run = cli('edit', cnn, '-o', out, ...args);
    assert.equal(run.status, 2, args.join(' '));
    assert.match(run.stderr, message, args.join(' '));
    assert.ok(!existsSync(out));
  }
  const help = cli('edit', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--rename A=B/);
  assert.match(cli('--help').stdout, /\n {2}edit +edit a model/);
});
