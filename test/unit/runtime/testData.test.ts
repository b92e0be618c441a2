import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { readModelFile } from '../../../src/core/model/decode.js';
import { DataType, onnx } from '../../../src/core/model/proto.js';
import { arrayToTensor, toFloat64 } from '../../../src/core/model/tensorValues.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { loadInputSources, missingInputs, parseJsonInputs, readTestDataSet } from '../../../src/core/runtime/testData.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { testCases } from '../../helpers/testdata.js';

const byName = (name: string) => testCases().find((c) => c.name === name)!;

test('test_data_set folders: inputs in model order, expected outputs, values equal to onnx.numpy_helper', async () => {
  const c = byName('node/test_add');
  const { model } = await readModelFile(c.model);
  const [set] = loadInputSources([c.dir], model);
  assert.equal(set.name, 'test_data_set_0');
  assert.deepEqual(Object.keys(set.inputs), ['x', 'y']);
  assert.deepEqual(Object.keys(set.expected ?? {}), ['sum']);
  const reference = JSON.parse(runPython([
    'import sys, json, onnx, onnx.numpy_helper as nh',
    "print(json.dumps([nh.to_array(onnx.load_tensor(sys.argv[1] + '/test_data_set_0/' + f)).ravel().tolist() for f in ['input_0.pb', 'input_1.pb', 'output_0.pb']]))",
  ].join('\n'), [c.dir])) as number[][];
  assert.deepEqual([set.inputs.x, set.inputs.y, set.expected!.sum].map((t) => Array.from(toFloat64(t))), reference.map((r) => Array.from(Float32Array.from(r))));
  // The same folder given directly.
  assert.deepEqual(loadInputSources([join(c.dir, 'test_data_set_0')], model)[0].inputs.x.dims, [3, 4, 5]);
});

test('sequence and optional values are refused with the reason', async () => {
  const c = byName('node/test_identity_sequence');
  const { model } = await readModelFile(c.model);
  assert.throws(() => readTestDataSet(join(c.dir, 'test_data_set_0'), model), (e: unknown) =>
    e instanceof UserError && /^Input 'x' is a sequence \(seq\(float\)\); onnxruntime's JavaScript API passes only tensors\.$/.test(e.message));
});

test('files: .npy named after inputs, .pb by tensor name, others in input order; JSON', async () => {
  const dir = tempDir();
  const m = linearModel(2, 2);
  const xs = { dtype: DataType.FLOAT, dims: [1, 2], data: Float32Array.of(1, 2) };
  writeFileSync(join(dir, 'X.npy'), encodeNpy(xs));
  assert.deepEqual(loadInputSources([join(dir, 'X.npy')], m)[0].inputs.X, xs);
  writeFileSync(join(dir, 'anything.npy'), encodeNpy(xs));
  assert.deepEqual(loadInputSources([join(dir, 'anything.npy')], m)[0].inputs.X, xs);
  writeFileSync(join(dir, 'named.pb'), onnx.TensorProto.encode(arrayToTensor('X', xs)).finish());
  assert.deepEqual(loadInputSources([join(dir, 'named.pb')], m)[0].inputs.X, xs);
  const folder = join(dir, 'folder');
  mkdirSync(folder);
  writeFileSync(join(folder, 'X.npy'), encodeNpy(xs));
  assert.deepEqual(loadInputSources([folder], m)[0].inputs.X, xs);
  writeFileSync(join(dir, 'two.npy'), encodeNpy(xs));
  assert.throws(() => loadInputSources([join(dir, 'anything.npy'), join(dir, 'two.npy')], m), /2 input files do not name an input.*only 1/);
  assert.throws(() => loadInputSources([join(dir, 'nope.npy')], m), /No such file or folder/);
  writeFileSync(join(dir, 'x.txt'), 'hello');
  assert.throws(() => loadInputSources([join(dir, 'x.txt')], m), /must be \.pb \(TensorProto\), \.npy, \.npz or \.json/);
  assert.equal(missingInputs({}, m), "No values for input 'X'.");
});

test('JSON inputs: nested arrays typed by the model, {dtype, shape, data}, int64 beyond 2^53 as strings; bad JSON is one line', () => {
  const m = linearModel(2, 2);
  const a = parseJsonInputs('{"X": [[1, 2], [3, 4.5]]}', m);
  assert.deepEqual(a.X, { dtype: DataType.FLOAT, dims: [2, 2], data: Float32Array.of(1, 2, 3, 4.5) });
  const b = parseJsonInputs('{"ids": {"dtype": "int64", "shape": [3], "data": ["9007199254740993", 2, -1]}, "f": {"dtype": "float16", "data": [[1], [0.5]]}}', m);
  assert.deepEqual(b.ids, { dtype: DataType.INT64, dims: [3], data: BigInt64Array.of(9007199254740993n, 2n, -1n) });
  assert.deepEqual(b.f.dims, [2, 1]);
  assert.deepEqual(Array.from(b.f.data as Uint16Array), [0x3c00, 0x3800]);
  const flat = parseJsonInputs('{"X": {"shape": [2, 2], "data": [1, 2, 3, "NaN"]}}', m);
  assert.ok(Number.isNaN((flat.X.data as Float32Array)[3]));
  const bool = parseJsonInputs('{"b": {"dtype": "bool", "data": [true, false, 1]}}', m);
  assert.deepEqual(bool.b, { dtype: DataType.BOOL, dims: [3], data: Uint8Array.of(1, 0, 1) });
  const errors: Array<[string, RegExp]> = [
    ['{"X": [[1, 2], [3]]}', /not rectangular/],
    ['{"X": [1, "a"]}', /not a number: "a"/],
    ['{"X": {"dtype": "float128", "data": [1]}}', /unknown dtype 'float128'/],
    ['{"X": {"shape": [-1], "data": []}}', /invalid shape/],
    ['[1, 2]', /must hold an object/],
    ['{"X": ', /not valid JSON/],
  ];
  for (const [text, pattern] of errors) {
    assert.throws(() => parseJsonInputs(text, m), (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n'), text);
  }
});
