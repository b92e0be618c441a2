import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataType } from '../../../src/core/model/proto.js';
import type { TensorArray } from '../../../src/core/model/tensorValues.js';
import { compareOutputs, compareTensors } from '../../../src/core/runtime/compare.js';
import { Random } from '../../../src/core/runtime/random.js';
import { runPython } from '../../helpers/python.js';

const f64 = (values: number[], dims = [values.length]): TensorArray => ({ dtype: DataType.DOUBLE, dims, data: Float64Array.from(values) });
const tol = { rtol: 1e-3, atol: 1e-4 };

test('identical outputs: no error, cosine 1, pass', () => {
  const c = compareTensors('y', f64([1, -2, 3]), f64([1, -2, 3]), tol);
  assert.deepEqual({ ...c }, { name: 'y', dtype: 'double', shape: [3], count: 3, maxAbsError: 0, maxRelError: 0, cosine: 1, mismatches: 0, pass: true });
});

test('tolerance is |a - e| <= atol + rtol * |e|, as numpy.isclose', () => {
  // Allowed error for e = 100: 1e-4 + 0.1 = 0.1001.
  assert.equal(compareTensors('y', f64([100]), f64([100.1]), tol).pass, true);
  assert.equal(compareTensors('y', f64([100]), f64([100.1002]), tol).pass, false);
  // Relative to the expected value, not the actual one.
  assert.equal(compareTensors('y', f64([0]), f64([0.0002]), tol).mismatches, 1);
  const c = compareTensors('y', f64([2, 4]), f64([2.5, 4]), tol);
  assert.equal(c.maxAbsError, 0.5);
  assert.equal(c.maxRelError, 0.25);
  assert.equal(c.mismatches, 1);
});

test('NaN matches NaN; infinities match only themselves', () => {
  assert.equal(compareTensors('y', f64([NaN, Infinity, -Infinity]), f64([NaN, Infinity, -Infinity]), tol).pass, true);
  assert.equal(compareTensors('y', f64([NaN, 1]), f64([1, NaN]), tol).mismatches, 2);
  assert.equal(compareTensors('y', f64([Infinity]), f64([-Infinity]), tol).mismatches, 1);
  assert.equal(compareTensors('y', f64([Infinity]), f64([1e308]), tol).mismatches, 1);
});

test('cosine similarity', () => {
  assert.ok(Math.abs(compareTensors('y', f64([1, 0]), f64([0, 1]), tol).cosine) < 1e-12);
  assert.equal(compareTensors('y', f64([1, 2]), f64([-1, -2]), tol).cosine, -1);
  assert.ok(Math.abs(compareTensors('y', f64([3, 4]), f64([6, 8]), tol).cosine - 1) < 1e-12);
  assert.equal(compareTensors('y', f64([0, 0]), f64([0, 0]), tol).cosine, 1);
  assert.equal(compareTensors('y', f64([0, 0]), f64([1, 0]), tol).cosine, 0);
});

test('integers, bools and strings compare exactly, whatever the tolerance', () => {
  const loose = { rtol: 1, atol: 10 };
  const i32 = (v: number[]): TensorArray => ({ dtype: DataType.INT32, dims: [v.length], data: Int32Array.from(v) });
  assert.equal(compareTensors('y', i32([1, 2, 3]), i32([1, 2, 4]), loose).mismatches, 1);
  const big = (v: bigint[]): TensorArray => ({ dtype: DataType.INT64, dims: [v.length], data: BigInt64Array.from(v) });
  // 2^53 and 2^53 + 1 are the same double: they must still differ.
  assert.equal(compareTensors('y', big([2n ** 53n]), big([2n ** 53n + 1n]), loose).mismatches, 1);
  assert.equal(compareTensors('y', big([2n ** 60n, -5n]), big([2n ** 60n, -5n]), loose).pass, true);
  const bool = (v: number[]): TensorArray => ({ dtype: DataType.BOOL, dims: [v.length], data: Uint8Array.from(v) });
  assert.equal(compareTensors('y', bool([1, 0]), bool([1, 1]), loose).mismatches, 1);
  const str = (v: string[]): TensorArray => ({ dtype: DataType.STRING, dims: [v.length], data: v });
  const s = compareTensors('y', str(['a', 'b']), str(['a', 'c']), loose);
  assert.equal(s.mismatches, 1);
  assert.equal(s.pass, false);
});

test('float16 compares by value, complex by component', () => {
  // 0x3c00 = 1.0, 0x3c01 = 1.0009765625 in float16.
  const h = (bits: number[]): TensorArray => ({ dtype: DataType.FLOAT16, dims: [bits.length], data: Uint16Array.from(bits) });
  const c = compareTensors('y', h([0x3c00]), h([0x3c01]), { rtol: 0, atol: 0 });
  assert.equal(c.maxAbsError, 0.0009765625);
  const cx = (v: number[]): TensorArray => ({ dtype: DataType.COMPLEX64, dims: [v.length / 2], data: Float32Array.from(v) });
  const d = compareTensors('y', cx([1, 2]), cx([1, 3]), tol);
  assert.equal(d.count, 1);
  assert.equal(d.maxAbsError, 1);
  assert.equal(d.pass, false);
});

test('shape, type and missing outputs fail with the reason', () => {
  const [shape, type, missing] = compareOutputs(
    { a: f64([1, 2], [2]), b: f64([1]), c: f64([1]) },
    { a: f64([1, 2], [1, 2]), b: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(1) } },
    tol,
  );
  assert.match(shape.problem ?? '', /shape \[1,2\] instead of \[2\]/);
  assert.match(type.problem ?? '', /element type float instead of double/);
  assert.equal(missing.problem, 'missing from the outputs');
  assert.ok(!shape.pass && !type.pass && !missing.pass);
});

test('mismatch counts and errors agree with numpy on random data', () => {
  const random = new Random(7);
  const n = 2000;
  const e = Float32Array.from({ length: n }, () => random.normal() * 10);
  const a = Float32Array.from(e, (v, i) => (i % 7 === 0 ? v * (1 + random.normal() * 1e-3) + random.normal() * 1e-4 : v));
  a[3] = NaN;
  e[5] = NaN;
  a[5] = NaN;
  const ours = compareTensors('y', { dtype: DataType.FLOAT, dims: [n], data: e }, { dtype: DataType.FLOAT, dims: [n], data: a }, tol);
  const code = [
    'import sys, json, numpy as np',
    'e = np.array(json.loads(sys.argv[1]), dtype=np.float64); a = np.array(json.loads(sys.argv[2]), dtype=np.float64)',
    'mm = int((~np.isclose(a, e, rtol=1e-3, atol=1e-4, equal_nan=True)).sum())',
    'f = np.isfinite(a) & np.isfinite(e)',
    'print(json.dumps([mm, float(np.abs(a[f] - e[f]).max())]))',
  ].join('\n');
  const list = (x: Float32Array) => JSON.stringify(Array.from(x, (v) => (Number.isNaN(v) ? 'NaN' : v))).replace(/"NaN"/g, 'NaN');
  const [mismatches, maxAbs] = JSON.parse(runPython(code, [list(e), list(a)])) as [number, number];
  assert.ok(mismatches > 0, 'the data must exercise the tolerance');
  assert.equal(ours.mismatches, mismatches);
  assert.equal(ours.maxAbsError, maxAbs);
});
