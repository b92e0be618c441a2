import assert from 'node:assert/strict';
import { existsSync, mkdirSync, openSync, closeSync, ftruncateSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { ExternalDataReader, isExternal } from '../../../src/core/model/externalData.js';
import { allTensors, freeOutputPath, writeModelAtomic } from '../../../src/core/model/modelFile.js';
import { onnx, toLong } from '../../../src/core/model/proto.js';
import { summarize } from '../../../src/core/model/summary.js';
import { tensorToArray } from '../../../src/core/model/tensorValues.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { onnxCheck, runPython } from '../../helpers/python.js';
import { runCli as cli } from '../../helpers/cli.js';


function externalModel(location: string, offset = 0, length = 48): onnx.ModelProto {
  const model = linearModel(4, 3);
  const w = model.graph!.initializer![0] as onnx.TensorProto;
  delete (w as { rawData?: Uint8Array }).rawData;
  w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  w.externalData = [
    new onnx.StringStringEntryProto({ key: 'location', value: location }),
    new onnx.StringStringEntryProto({ key: 'offset', value: String(offset) }),
    new onnx.StringStringEntryProto({ key: 'length', value: String(length) }),
  ];
  return model;
}

test('weights moved to a side file read back equal, and Debian onnx loads and checks the result', () => {
  const dir = tempDir();
  const model = linearModel(64, 32);
  const before = encodeModel(model);
  const result = writeModelAtomic(join(dir, 'ext.onnx'), model, { externalData: 'all' });
  assert.ok(result.dataFile && result.dataBytes >= 64 * 32 * 4);
  assert.deepEqual(encodeModel(model), before, 'the model object is left as it was');
  const again = decodeModel(readFileSync(join(dir, 'ext.onnx')));
  const tensors = [...allTensors(again)];
  assert.ok(tensors.some(isExternal));
  const reader = ExternalDataReader.forModel(join(dir, 'ext.onnx'));
  assert.deepEqual(tensorToArray(tensors[0], reader), tensorToArray(model.graph!.initializer![0]));
  reader.close();
  assert.equal(onnxCheck(join(dir, 'ext.onnx')), '');
  const sum = runPython('import sys, onnx\nfrom onnx import numpy_helper\nm = onnx.load(sys.argv[1])\nprint(float(numpy_helper.to_array(m.graph.initializer[0]).sum()))', [join(dir, 'ext.onnx')]);
  const ours = (tensorToArray(model.graph!.initializer![0]).data as Float32Array).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(Number(sum) - ours) < 1e-3);
  assert.deepEqual(readdirSync(dir).sort(), ['ext.onnx', 'ext.onnx.data'], 'no temporary files left behind');
});

test('convert --external-data then --internal gives back the original bytes', () => {
  const dir = tempDir();
  const original = encodeModel(linearModel(32, 16));
  writeFileSync(join(dir, 'a.onnx'), original);
  assert.equal(cli('convert', join(dir, 'a.onnx'), '-o', join(dir, 'b.onnx'), '--external-data').status, 0);
  assert.ok(statSync(join(dir, 'b.onnx')).size < original.length / 2);
  assert.equal(cli('convert', join(dir, 'b.onnx'), '-o', join(dir, 'c.onnx'), '--internal').status, 0);
  assert.deepEqual(readFileSync(join(dir, 'c.onnx')), Buffer.from(original));
});

test('external data that leaves the folder, is missing or is short is refused with one line', () => {
  const base = tempDir();
  const dir = join(base, 'model');
  mkdirSync(dir);
  writeFileSync(join(base, 'secret.bin'), new Uint8Array(64));
  symlinkSync(join(base, 'secret.bin'), join(dir, 'link.bin'));
  writeFileSync(join(dir, 'short.bin'), new Uint8Array(10));
  const cases: Array<[string, onnx.ModelProto, RegExp]> = [
    ['dotdot', externalModel('../secret.bin'), /leaves the model's folder/],
    ['absolute', externalModel(join(base, 'secret.bin')), /leaves the model's folder/],
    ['symlink', externalModel('link.bin'), /resolves outside the model's folder/],
    ['missing', externalModel('nowhere.bin'), /is missing/],
    ['short', externalModel('short.bin'), /too short/],
  ];
  for (const [name, model, pattern] of cases) {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, encodeModel(model));
    const reader = ExternalDataReader.forModel(path);
    assert.throws(() => tensorToArray(model.graph!.initializer![0], reader), pattern, name);
    reader.close();
    const out = join(dir, `${name}.out.onnx`);
    const run = cli('convert', path, '-o', out);
    assert.equal(run.status, 2, name);
    assert.match(run.stderr, pattern, name);
    assert.equal(run.stderr.trim().split('\n').length, 1, `${name}: one line, no stack trace`);
    assert.ok(!existsSync(out), `${name}: nothing written`);
  }
});

test('opening a model with 2 GB of external weights reads none of them', () => {
  const dir = tempDir();
  const size = 2 * 1024 ** 3;
  // A sparse file: 2 GB long, no blocks on disk; reading it would still cost time and memory.
  const fd = openSync(join(dir, 'weights.bin'), 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  const model = externalModel('weights.bin', 0, size);
  model.graph!.initializer![0].dims = [toLong(size / 4)];
  const path = join(dir, 'big.onnx');
  writeFileSync(path, encodeModel(model));
  const before = process.memoryUsage().rss;
  const summary = summarize(decodeModel(readFileSync(path)));
  assert.equal(summary.initializers.bytes, size + 12, 'external bytes counted from the length entry');
  const reader = ExternalDataReader.forModel(path);
  reader.check(model.graph!.initializer![0]);
  reader.close();
  assert.ok(process.memoryUsage().rss - before < 256 * 1024 ** 2);
  const info = cli('info', path, '--json');
  assert.equal(info.status, 0, info.stderr);
  assert.equal(JSON.parse(info.stdout).initializers.bytes, size + 12);
});

test('freeOutputPath never picks an existing file', () => {
  const dir = tempDir();
  const path = join(dir, 'm.folded.onnx');
  assert.equal(freeOutputPath(path), path);
  writeFileSync(path, 'x');
  assert.equal(freeOutputPath(path), join(dir, 'm.folded-2.onnx'));
});
