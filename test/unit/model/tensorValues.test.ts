import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataTypeName } from '../../../src/core/model/dataTypes.js';
import {
  floatToHalf, floatToMiniFloat, halfToFloat, miniFloatToFloat, floatToBfloat16, bfloat16ToFloat,
} from '../../../src/core/model/floatFormats.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { tensorStats } from '../../../src/core/model/stats.js';
import {
  arrayToTensor, constantNodeTensor, constantNodeValue, fromFloat64, sparseToDense, tensorDims, tensorToArray, toFloat64, type TensorArray,
} from '../../../src/core/model/tensorValues.js';
import { runPython } from '../../helpers/python.js';
import { testCases } from '../../helpers/testdata.js';

function pbFiles(): string[] {
  const files: string[] = [];
  for (const c of testCases()) {
    for (const set of readdirSync(c.dir).filter((d) => d.startsWith('test_data_set_'))) {
      for (const f of readdirSync(join(c.dir, set)).filter((f) => f.endsWith('.pb'))) files.push(join(c.dir, set, f));
    }
  }
  return files;
}

// Debian's onnx.numpy_helper is the oracle for what each TensorProto holds.
const oracle = `
import sys, json, math, onnx
from onnx import numpy_helper
out = []
for path in json.load(sys.stdin):
    t = onnx.TensorProto()
    try:
        t.ParseFromString(open(path, 'rb').read())
        if t.data_type == 0:
            raise ValueError('not a tensor')
        a = numpy_helper.to_array(t)
    except Exception as e:
        out.append({'error': type(e).__name__}); continue
    flat = a.flatten()
    if t.data_type == 8:
        out.append({'dtype': 8, 'dims': list(a.shape), 'strings': [s.decode() if isinstance(s, bytes) else str(s) for s in flat[:8]]}); continue
    vals = [complex(v).real if t.data_type in (14, 15) else float(v) for v in flat]
    finite = [v for v in vals if math.isfinite(v)]
    out.append({'dtype': t.data_type, 'dims': list(a.shape), 'head': [v if math.isfinite(v) else str(v) for v in vals[:8]], 'sum': math.fsum(finite)})
print(json.dumps(out))
`;

test('tensor values of every libonnx-testdata .pb file match onnx.numpy_helper', () => {
  const files = pbFiles();
  assert.ok(files.length > 3000, `expected the corpus's .pb files, found ${files.length}`);
  const expected = JSON.parse(runPython(`import sys; sys.stdin = open(sys.argv[1]); exec(${JSON.stringify(oracle)})`, [writeList(files)])) as Array<{
    error?: string; dtype: number; dims: number[]; head?: Array<number | string>; sum?: number; strings?: string[];
  }>;
  let compared = 0;
  let notTensors = 0;
  files.forEach((file, i) => {
    const want = expected[i];
    if (want.error) {
      // Sequence/optional/map test data: not TensorProto, so our decoder must not claim it either.
      notTensors++;
      return;
    }
    const tensor = onnx.TensorProto.decode(readFileSync(file));
    const got = tensorToArray(tensor);
    assert.deepEqual(got.dims, want.dims, file);
    assert.equal(got.dtype, want.dtype, file);
    if (want.strings) {
      assert.deepEqual((got.data as string[]).slice(0, 8), want.strings, file);
    } else {
      const values = toFloat64(got);
      const head = Array.from(values.slice(0, 8), (v) => (Number.isFinite(v) ? v : String(v)));
      assert.deepEqual(head.map(String), want.head!.map((v) => (typeof v === 'number' ? String(v) : v.replace('inf', 'Infinity').replace('nan', 'NaN'))), `${file} (${dataTypeName(got.dtype)})`);
      let sum = 0;
      for (const v of values) if (Number.isFinite(v)) sum += v;
      assert.ok(Math.abs(sum - want.sum!) <= 1e-6 * Math.max(1, Math.abs(want.sum!)), `${file}: sum ${sum} vs ${want.sum}`);
    }
    compared++;
  });
  assert.ok(compared > 3000, `compared ${compared}`);
  // Counted, not skipped silently: these .pb files hold sequences or optionals, not tensors.
  assert.ok(notTensors < 100, `non-tensor .pb files: ${notTensors}`);
});

function writeList(files: string[]): string {
  const path = join(tmpdir(), `pb-list-${process.pid}.json`);
  writeFileSync(path, JSON.stringify(files));
  return path;
}

test('every element type round-trips through raw_data, including packed and odd counts', () => {
  const cases: TensorArray[] = [
    { dtype: DataType.FLOAT, dims: [3], data: Float32Array.of(1.5, -2, 3e-8) },
    { dtype: DataType.DOUBLE, dims: [2], data: Float64Array.of(Math.PI, -0) },
    { dtype: DataType.INT64, dims: [2], data: BigInt64Array.of(2n ** 62n + 1n, -(2n ** 63n)) },
    { dtype: DataType.UINT64, dims: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
    { dtype: DataType.INT4, dims: [5], data: Int8Array.of(-8, 7, 0, -1, 3) },
    { dtype: DataType.UINT4, dims: [3], data: Uint8Array.of(15, 0, 9) },
    { dtype: DataType.INT2, dims: [5], data: Int8Array.of(-2, 1, 0, -1, 1) },
    { dtype: DataType.UINT2, dims: [6], data: Uint8Array.of(3, 2, 1, 0, 3, 1) },
    { dtype: DataType.FLOAT4E2M1, dims: [3], data: Uint8Array.of(0x7, 0xf, 0x1) },
    { dtype: DataType.FLOAT16, dims: [2, 1], data: Uint16Array.of(0x3c00, 0xc000) },
    { dtype: DataType.BFLOAT16, dims: [1], data: Uint16Array.of(0x3f80) },
    { dtype: DataType.FLOAT8E4M3FN, dims: [2], data: Uint8Array.of(0x7e, 0x38) },
    { dtype: DataType.COMPLEX64, dims: [1], data: Float32Array.of(1, 2) },
    { dtype: DataType.BOOL, dims: [3], data: Uint8Array.of(1, 0, 1) },
    { dtype: DataType.STRING, dims: [2], data: ['a', '<b>'] },
    { dtype: DataType.INT32, dims: [0], data: new Int32Array() },
  ];
  for (const array of cases) {
    const tensor = onnx.TensorProto.decode(onnx.TensorProto.encode(arrayToTensor('t', array)).finish());
    assert.deepEqual(tensorToArray(tensor), array, dataTypeName(array.dtype));
  }
  // 4-bit packing: first element in the low nibble.
  assert.deepEqual(arrayToTensor('t', { dtype: DataType.UINT4, dims: [3], data: Uint8Array.of(1, 2, 3) }).rawData, Uint8Array.of(0x21, 0x03));
});

test('misaligned raw_data and typed fields both read', () => {
  const buffer = new Uint8Array(13);
  new DataView(buffer.buffer).setFloat32(1, 2.5, true);
  new DataView(buffer.buffer).setFloat32(5, -1, true);
  const tensor = new onnx.TensorProto({ dataType: DataType.FLOAT, dims: [toLong(2)], rawData: buffer.subarray(1, 9) });
  assert.deepEqual(Array.from(tensorToArray(tensor).data as Float32Array), [2.5, -1]);
  const typed = new onnx.TensorProto({ dataType: DataType.FLOAT16, dims: [toLong(2)], int32Data: [0x3c00, 0x4000] });
  assert.deepEqual(Array.from(toFloat64(tensorToArray(typed))), [1, 2]);
  const int4 = new onnx.TensorProto({ dataType: DataType.INT4, dims: [toLong(3)], int32Data: [0xf8, 0x07] });
  assert.deepEqual(Array.from(tensorToArray(int4).data as Int8Array), [-8, -1, 7]);
  const short = new onnx.TensorProto({ name: 'w', dataType: DataType.FLOAT, dims: [toLong(4)], rawData: new Uint8Array(8) });
  assert.throws(() => tensorToArray(short), /holds 8 bytes of data, but its shape needs 16/);
});

test('narrow float formats decode exactly and encode to nearest even with saturation', () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(floatToHalf(65504), 0x7bff);
  assert.equal(floatToHalf(1e6), 0x7c00);
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00, 'tie rounds to even');
  assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02, 'tie rounds to even (up)');
  assert.equal(bfloat16ToFloat(floatToBfloat16(3.140625)), 3.140625);
  assert.equal(miniFloatToFloat(DataType.FLOAT8E4M3FN, 0x7e), 448);
  assert.ok(Number.isNaN(miniFloatToFloat(DataType.FLOAT8E4M3FN, 0x7f)));
  assert.equal(floatToMiniFloat(DataType.FLOAT8E4M3FN, 1000), 0x7e, 'saturates');
  assert.equal(floatToMiniFloat(DataType.FLOAT8E4M3FN, 1.0625), 0x38, '1.0625 is halfway between 1 and 1.125: even wins');
  assert.equal(miniFloatToFloat(DataType.FLOAT8E5M2, 0x7b), 57344);
  assert.equal(miniFloatToFloat(DataType.FLOAT8E5M2, 0x7c), Infinity);
  assert.ok(Number.isNaN(miniFloatToFloat(DataType.FLOAT8E4M3FNUZ, 0x80)));
  assert.equal(miniFloatToFloat(DataType.FLOAT8E4M3FNUZ, 0x7f), 240);
  assert.equal(miniFloatToFloat(DataType.FLOAT8E5M2FNUZ, 0x7f), 57344);
  const e2m1 = Array.from({ length: 8 }, (_, i) => miniFloatToFloat(DataType.FLOAT4E2M1, i));
  assert.deepEqual(e2m1, [0, 0.5, 1, 1.5, 2, 3, 4, 6]);
  assert.equal(miniFloatToFloat(DataType.FLOAT4E2M1, 0xf), -6);
  assert.deepEqual(Array.from(toFloat64({ dtype: DataType.FLOAT8E8M0, dims: [2], data: Uint8Array.of(127, 130) })), [1, 8]);
  assert.deepEqual(Array.from(fromFloat64(DataType.INT8, [2.5, 3.5, -300, 127.4]) as Int8Array), [2, 4, -128, 127]);
  assert.deepEqual(Array.from(fromFloat64(DataType.UINT4, [-1, 7.5, 99]) as Uint8Array), [0, 8, 15]);
});

test('Constant nodes in every attribute form, and sparse tensors, become dense tensors', () => {
  const constant = (attribute: onnx.IAttributeProto) => new onnx.NodeProto({ opType: 'Constant', output: ['c'], attribute: [attribute] });
  const values = (node: onnx.NodeProto) => Array.from(toFloat64(tensorToArray(constantNodeTensor(node)!)));
  assert.deepEqual(values(constant({ name: 'value_float', f: 1.5, type: 1 })), [1.5]);
  assert.deepEqual(values(constant({ name: 'value_floats', floats: [1, 2], type: 6 })), [1, 2]);
  assert.deepEqual(values(constant({ name: 'value_int', i: toLong(7), type: 2 })), [7]);
  assert.deepEqual(values(constant({ name: 'value_ints', ints: [toLong(3), toLong(-4)], type: 7 })), [3, -4]);
  assert.deepEqual(tensorToArray(constantNodeTensor(constant({ name: 'value_string', s: new TextEncoder().encode('hi'), type: 3 }))!).data, ['hi']);
  const sparse = new onnx.SparseTensorProto({
    dims: [toLong(2), toLong(3)],
    values: arrayToTensor('s', { dtype: DataType.FLOAT, dims: [2], data: Float32Array.of(5, 6) }),
    indices: arrayToTensor('i', { dtype: DataType.INT64, dims: [2, 2], data: BigInt64Array.of(0n, 1n, 1n, 2n) }),
  });
  assert.deepEqual(Array.from(toFloat64(tensorToArray(sparseToDense(sparse)))), [0, 5, 0, 0, 0, 6]);
  assert.deepEqual(values(constant({ name: 'sparse_value', sparseTensor: sparse, type: 11 })), [0, 5, 0, 0, 0, 6]);
});

test('constantNodeValue reads as constantNodeTensor in every attribute form; a `value` tensor is the attribute\'s own', () => {
  const constant = (attribute: onnx.IAttributeProto) => new onnx.NodeProto({ opType: 'Constant', output: ['c'], attribute: [attribute] });
  const t = arrayToTensor('', { dtype: DataType.INT64, dims: [2], data: BigInt64Array.of(4n, -5n) });
  const sparse = new onnx.SparseTensorProto({
    dims: [toLong(3)],
    values: arrayToTensor('s', { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(5) }),
    indices: arrayToTensor('i', { dtype: DataType.INT64, dims: [1], data: BigInt64Array.of(2n) }),
  });
  const forms = [
    constant({ name: 'value', t, type: 4 }),
    constant({ name: 'value_float', f: 1.5, type: 1 }),
    constant({ name: 'value_floats', floats: [1, 2], type: 6 }),
    constant({ name: 'value_int', i: toLong(7), type: 2 }),
    constant({ name: 'value_ints', ints: [toLong(3), toLong(-4)], type: 7 }),
    constant({ name: 'value_string', s: new TextEncoder().encode('hi'), type: 3 }),
    constant({ name: 'sparse_value', sparseTensor: sparse, type: 11 }),
  ];
  for (const node of forms) {
    const copy = constantNodeTensor(node)!;
    const value = constantNodeValue(node)!;
    assert.equal(value.dataType, copy.dataType, node.attribute![0].name!);
    assert.deepEqual(tensorDims(value), tensorDims(copy));
    assert.deepEqual(tensorToArray(value).data, tensorToArray(copy).data);
  }
  assert.equal(constantNodeValue(forms[0]), t, 'no copy made');
  assert.equal(constantNodeTensor(forms[0])!.name, 'c', 'the copy is named after the output');
  assert.equal(constantNodeValue(new onnx.NodeProto({ opType: 'Relu', output: ['c'] })), undefined);
  assert.equal(constantNodeValue(new onnx.NodeProto({ opType: 'Constant', domain: 'custom', output: ['c'], attribute: [{ name: 'value', t, type: 4 }] })), undefined);
});

test('statistics count zeros, NaN and Inf and keep them out of min/max/mean', () => {
  const s = tensorStats([0, 1, 2, 3, NaN, Infinity, -Infinity], 3);
  assert.equal(s.count, 7);
  assert.equal(s.min, 0);
  assert.equal(s.max, 3);
  assert.equal(s.mean, 1.5);
  assert.ok(Math.abs(s.std - Math.sqrt(1.25)) < 1e-12);
  assert.equal(s.zeros, 1);
  assert.equal(s.nan, 1);
  assert.equal(s.inf, 2);
  assert.deepEqual(s.histogram.counts, [1, 1, 2]);
});
