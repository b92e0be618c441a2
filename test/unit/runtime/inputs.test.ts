import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { arrayToTensor, toFloat64 } from '../../../src/core/model/tensorValues.js';
import { freeDims, generateInputs, requiredInputs } from '../../../src/core/runtime/inputs.js';
import { linearModel, tensorInfo } from '../../helpers/models.js';

function model(inputs: onnx.ValueInfoProto[], initializers: onnx.ITensorProto[] = []): onnx.ModelProto {
  return new onnx.ModelProto({ irVersion: toLong(8), opsetImport: [{ domain: '', version: toLong(17) }], graph: { name: 'g', input: inputs, initializer: initializers } });
}

test('shapes: fixed dims kept, symbols from the answers (shared by inputs), unnamed dims by input[axis], default 1', () => {
  const m = model([
    tensorInfo('ids', DataType.INT64, ['batch', 'seq']),
    tensorInfo('mask', DataType.INT64, ['batch', 'seq']),
    tensorInfo('pixels', DataType.FLOAT, ['batch', 3, 8, 8]),
    new onnx.ValueInfoProto({ name: 'free', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{}, { dimValue: toLong(2) }] } } } }),
  ]);
  assert.deepEqual(freeDims(m), [
    { name: 'batch', uses: ['ids[0]', 'mask[0]', 'pixels[0]'] },
    { name: 'seq', uses: ['ids[1]', 'mask[1]'] },
    { name: 'free[0]', uses: ['free[0]'] },
  ]);
  const feeds = generateInputs(m, { dims: { batch: 2, seq: 5, 'free[0]': 4 } });
  assert.deepEqual(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims])), { ids: [2, 5], mask: [2, 5], pixels: [2, 3, 8, 8], free: [4, 2] });
  assert.deepEqual(generateInputs(m).ids.dims, [1, 1]);
  assert.throws(() => generateInputs(m, { dims: { batch: -1 } }), /whole number/);
});

test('initializer-backed inputs are not generated', () => {
  const w = arrayToTensor('W', { dtype: DataType.FLOAT, dims: [2], data: Float32Array.of(1, 2) });
  const m = model([tensorInfo('X', DataType.FLOAT, [2]), tensorInfo('W', DataType.FLOAT, [2])], [w]);
  assert.deepEqual(requiredInputs(m).map((i) => i.name), ['X']);
  assert.deepEqual(Object.keys(generateInputs(m)), ['X']);
  assert.deepEqual(Object.keys(generateInputs(linearModel())), ['X']);
});

test('seeded: the same seed gives the same values, another seed other values', () => {
  const m = model([tensorInfo('x', DataType.FLOAT, [64]), tensorInfo('i', DataType.INT64, [64])]);
  assert.deepEqual(generateInputs(m, { seed: 5 }), generateInputs(m, { seed: 5 }));
  assert.notDeepEqual(generateInputs(m, { seed: 5 }).x.data, generateInputs(m, { seed: 6 }).x.data);
});

test('distributions: normal (mean 0, std 1), uniform [0, 1), zeros, ones', () => {
  const m = model([tensorInfo('x', DataType.FLOAT, [20000])]);
  const stats = (values: Float64Array) => {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    return { mean, std, min: Math.min(...values), max: Math.max(...values) };
  };
  const normal = stats(toFloat64(generateInputs(m, { distribution: 'normal' }).x));
  assert.ok(Math.abs(normal.mean) < 0.05 && Math.abs(normal.std - 1) < 0.05, JSON.stringify(normal));
  assert.ok(normal.min < -3 && normal.max > 3, 'tails are present');
  const uniform = stats(toFloat64(generateInputs(m, { distribution: 'uniform' }).x));
  assert.ok(uniform.min >= 0 && uniform.max < 1 && Math.abs(uniform.mean - 0.5) < 0.02, JSON.stringify(uniform));
  assert.ok(toFloat64(generateInputs(m, { distribution: 'zeros' }).x).every((v) => v === 0));
  assert.ok(toFloat64(generateInputs(m, { distribution: 'ones' }).x).every((v) => v === 1));
});

test('element types: storage arrays of each type, integers in sensible ranges, bools 0/1, strings, float16 bits', () => {
  const types: Array<[number, string, (v: number) => boolean]> = [
    [DataType.INT64, 'BigInt64Array', (v) => v >= 0 && v < 10 && Number.isInteger(v)],
    [DataType.INT32, 'Int32Array', (v) => v >= 0 && v < 10 && Number.isInteger(v)],
    [DataType.UINT8, 'Uint8Array', (v) => v >= 0 && v <= 255],
    [DataType.INT8, 'Int8Array', (v) => v >= -128 && v <= 127],
    [DataType.BOOL, 'Uint8Array', (v) => v === 0 || v === 1],
    [DataType.DOUBLE, 'Float64Array', (v) => Number.isFinite(v)],
    [DataType.FLOAT16, 'Uint16Array', (v) => Number.isFinite(v) && Math.abs(v) < 10],
  ];
  const m = model(types.map(([t]) => tensorInfo(`in_${t}`, t, [500])));
  const feeds = generateInputs(m, { distribution: 'uniform', seed: 1 });
  for (const [t, ctor, ok] of types) {
    const array = feeds[`in_${t}`];
    assert.equal(array.dtype, t);
    assert.equal(array.data.constructor.name, ctor, `array type for ${t}`);
    const values = toFloat64(array);
    assert.ok(values.every(ok), `range for ${t}`);
    assert.ok(new Set(values).size > 1, `values vary for ${t}`);
  }
  const all8 = toFloat64(generateInputs(model([tensorInfo('u', DataType.UINT8, [5000])]), { seed: 2 }).u);
  assert.ok(Math.min(...all8) < 10 && Math.max(...all8) > 245, 'uint8 spans its range');
  const s = generateInputs(model([tensorInfo('s', DataType.STRING, [3])])).s;
  assert.ok(Array.isArray(s.data) && s.data.every((w) => typeof w === 'string' && /^[a-z]{1,8}$/.test(w)));
  const ones = generateInputs(model([tensorInfo('b', DataType.BOOL, [3]), tensorInfo('h', DataType.FLOAT16, [2])]), { distribution: 'ones' });
  assert.deepEqual(Array.from(ones.b.data as Uint8Array), [1, 1, 1]);
  assert.deepEqual(Array.from(ones.h.data as Uint16Array), [0x3c00, 0x3c00]);
});

test('non-tensor and untyped inputs are one-line errors', () => {
  const seq = new onnx.ValueInfoProto({ name: 's', type: { sequenceType: { elemType: { tensorType: { elemType: DataType.FLOAT } } } } });
  assert.throws(() => generateInputs(model([seq])), (e: unknown) => e instanceof UserError && /^Input 's' is a sequence; only tensor inputs can be generated\.$/.test(e.message));
  const untyped = new onnx.ValueInfoProto({ name: 'u', type: { tensorType: {} } });
  assert.throws(() => generateInputs(model([untyped])), /Input 'u' has no element type/);
});
