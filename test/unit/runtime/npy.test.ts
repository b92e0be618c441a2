import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { DataType } from '../../../src/core/model/proto.js';
import { toFloat64 } from '../../../src/core/model/tensorValues.js';
import { encodeNpy, parseNpy } from '../../../src/core/runtime/npy.js';
import { tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';

const dir = tempDir('onnx-lens-npy-');

/** numpy writes each array; we read it back and compare with numpy's own tolist(). */
const arrays: Array<[string, string, number]> = [
  ['f4', 'np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7', DataType.FLOAT],
  ['f8', 'np.array([[1e300, -2.5], [np.inf, 0.1]])', DataType.DOUBLE],
  ['f2', 'np.array([0.1, -65504, 1e-7], dtype=np.float16)', DataType.FLOAT16],
  ['i1', 'np.array([-128, 0, 127], dtype=np.int8)', DataType.INT8],
  ['i2', 'np.array([-32768, 5], dtype=np.int16)', DataType.INT16],
  ['i4', 'np.array([[-2**31, 2**31 - 1]], dtype=np.int32)', DataType.INT32],
  ['i8', 'np.array([-2**40, 3, 2**50], dtype=np.int64)', DataType.INT64],
  ['u1', 'np.array([0, 255], dtype=np.uint8)', DataType.UINT8],
  ['u2', 'np.array([65535], dtype=np.uint16)', DataType.UINT16],
  ['u4', 'np.array([4294967295], dtype=np.uint32)', DataType.UINT32],
  ['u8', 'np.array([2**40], dtype=np.uint64)', DataType.UINT64],
  ['b1', 'np.array([True, False, True])', DataType.BOOL],
  ['scalar', 'np.float32(3.5).reshape(())', DataType.FLOAT],
  ['empty', 'np.zeros((0, 3), dtype=np.float32)', DataType.FLOAT],
  ['v2', 'np.arange(5, dtype=np.int32)', DataType.INT32],
  ['v3', 'np.arange(3, dtype=np.float64)', DataType.DOUBLE],
];

test('reads what numpy writes: every numeric type, bool, 0-d, empty, format versions 1, 2 and 3', () => {
  const code = [
    'import sys, json, numpy as np',
    'out = {}',
    ...arrays.map(([name, expr]) => {
      const version = name === 'v2' ? '(2, 0)' : name === 'v3' ? '(3, 0)' : 'None';
      return [
        `a = ${expr}`,
        `with open(sys.argv[1] + '/${name}.npy', 'wb') as f: np.lib.format.write_array(f, a, version=${version})`,
        `out['${name}'] = [list(a.shape), [str(v) if type(v) is int else v for v in a.astype(a.dtype).ravel().tolist()]]`,
      ].join('\n');
    }),
    'print(json.dumps(out).replace("Infinity", "\\"inf\\""))',
  ].join('\n');
  const expected = JSON.parse(runPython(code, [dir])) as Record<string, [number[], Array<number | string | boolean>]>;
  for (const [name, , dtype] of arrays) {
    const array = parseNpy(readFileSync(join(dir, `${name}.npy`)), `${name}.npy`);
    const [shape, values] = expected[name];
    assert.equal(array.dtype, dtype, name);
    assert.deepEqual(array.dims, shape, name);
    if (array.data instanceof BigInt64Array || array.data instanceof BigUint64Array) {
      assert.deepEqual(Array.from(array.data, String), values, name);
    } else {
      const want = values.map((v) => (v === 'inf' ? Infinity : typeof v === 'string' ? Number(v) : Number(v)));
      const got = Array.from(toFloat64(array));
      if (dtype === DataType.FLOAT16 || dtype === DataType.FLOAT) got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= Math.abs(want[i]) * 1e-3, `${name}[${i}]`));
      else assert.deepEqual(got, want, name);
    }
  }
});

test('unicode and byte strings, complex values', () => {
  const code = [
    'import sys, numpy as np',
    "np.save(sys.argv[1] + '/u.npy', np.array(['héllo', '', 'naïve ✓']))",
    "np.save(sys.argv[1] + '/s.npy', np.array([b'ab', b'c']))",
    "np.save(sys.argv[1] + '/c.npy', np.array([1 + 2j, -3j], dtype=np.complex64))",
  ].join('\n');
  runPython(code, [dir]);
  assert.deepEqual(parseNpy(readFileSync(join(dir, 'u.npy'))).data, ['héllo', '', 'naïve ✓']);
  assert.deepEqual(parseNpy(readFileSync(join(dir, 's.npy'))).data, ['ab', 'c']);
  const c = parseNpy(readFileSync(join(dir, 'c.npy')));
  assert.equal(c.dtype, DataType.COMPLEX64);
  assert.deepEqual(c.dims, [2]);
  assert.deepEqual(Array.from(c.data as Float32Array), [1, 2, -0, -3]);
});

test('Fortran order, big-endian, object arrays and non-npy files are one-line errors', () => {
  runPython([
    'import sys, numpy as np',
    "np.save(sys.argv[1] + '/fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))",
    "np.save(sys.argv[1] + '/big.npy', np.ones(3, dtype='>f4'))",
    "np.save(sys.argv[1] + '/object.npy', np.array([{}, 1], dtype=object), allow_pickle=True)",
  ].join('\n'), [dir]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['fortran', readFileSync(join(dir, 'fortran.npy')), /Fortran order.*C order/],
    ['big', readFileSync(join(dir, 'big.npy')), /big-endian/],
    ['object', readFileSync(join(dir, 'object.npy')), /element type \|O/],
    ['png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0, 0]), /not a NumPy \.npy file/],
    ['truncated', readFileSync(join(dir, 'big.npy')).subarray(0, 30), /truncated/],
  ];
  for (const [name, bytes, pattern] of cases) {
    assert.throws(() => parseNpy(bytes, `${name}.npy`), (error: unknown) => {
      assert.ok(error instanceof UserError, name);
      assert.match(error.message, pattern, name);
      assert.ok(!error.message.includes('\n'), name);
      return true;
    });
  }
  // Data shorter than the shape says.
  const cut = Uint8Array.from(readFileSync(join(dir, 'v2.npy')));
  assert.throws(() => parseNpy(cut.subarray(0, cut.length - 4), 'cut.npy'), /cut\.npy holds 16 bytes of data, but shape \(5\) of <i4 needs 20/);
});

test('encodeNpy writes files numpy reads back exactly', () => {
  const values = Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1);
  writeFileSync(join(dir, 'ours.npy'), encodeNpy({ dtype: DataType.FLOAT, dims: [3, 4], data: values }));
  writeFileSync(join(dir, 'ours64.npy'), encodeNpy({ dtype: DataType.INT64, dims: [2], data: BigInt64Array.of(-(2n ** 62n), 7n) }));
  const out = runPython([
    'import sys, json, numpy as np',
    "a = np.load(sys.argv[1] + '/ours.npy'); b = np.load(sys.argv[1] + '/ours64.npy')",
    'print(json.dumps([str(a.dtype), list(a.shape), a.ravel().tolist(), str(b.dtype), [str(v) for v in b.tolist()]]))',
  ].join('\n'), [dir]);
  const [dtype, shape, data, dtype64, data64] = JSON.parse(out) as [string, number[], number[], string, string[]];
  assert.equal(dtype, 'float32');
  assert.deepEqual(shape, [3, 4]);
  assert.deepEqual(data, Array.from(values));
  assert.equal(dtype64, 'int64');
  assert.deepEqual(data64, [String(-(2n ** 62n)), '7']);
});
