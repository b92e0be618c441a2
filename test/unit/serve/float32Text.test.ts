// float32 values as JSON text: every value reads back to the same float32, in the fewest digits, checked
// against toPrecision (an independent way to find the shortest text) over random bit patterns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../../src/core/runtime/random.js';
import { float32ArrayJson, float32Text } from '../../../src/core/serve/float32Text.js';

/** The fewest significant digits that read back, found by trying each precision; written as JavaScript writes it. */
function shortest(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const n = Number(v.toPrecision(p));
    if (Math.fround(n) === v) return String(n);
  }
  throw new Error(`no text reads back to ${v}`);
}

test('random float32 bit patterns: the text reads back to the same float32 and is the shortest that does', () => {
  const random = new Random(21);
  const bits = new Uint32Array(1);
  const value = new Float32Array(bits.buffer);
  let checked = 0;
  for (let i = 0; i < 200_000; i++) {
    bits[0] = random.int(0, 2 ** 32);
    const v = value[0];
    if (!Number.isFinite(v)) continue;
    const text = float32Text(v);
    assert.equal(Math.fround(JSON.parse(text) as number), v === 0 ? 0 : v, `${v} as ${text}`);
    assert.equal(text, v === 0 ? '0' : shortest(v), `bits ${bits[0].toString(16)}`);
    checked++;
  }
  assert.ok(checked > 190_000);
});

test('edge values: zeros, subnormals, the largest float32, powers of ten, values that print in exponent form', () => {
  const cases: Array<[number, string]> = [
    [0, '0'], [-0, '0'], [0.1, '0.1'], [-0.3, '-0.3'], [1, '1'], [123456789, '123456790'], [1e-7, '1e-7'], [0.000001, '0.000001'],
    [1.5e20, '150000000000000000000'], [1e21, '1e+21'], [3.4028234663852886e38, '3.4028235e+38'], [1.401298464324817e-45, '1e-45'],
    [1.1754943508222875e-38, '1.1754944e-38'], [16777218, '16777218'],
  ];
  for (const [v, text] of cases) assert.equal(float32Text(v), text, String(v));
  for (let e = -45; e <= 38; e++) {
    for (const m of [1, 1.5, 9.999999, 1.2345678]) {
      const v = Math.fround(m * 10 ** e);
      if (v === 0 || !Number.isFinite(v)) continue;
      assert.equal(float32Text(v), shortest(v));
      assert.equal(float32Text(-v), shortest(-v));
    }
  }
});

test('an array is JSON with null for NaN and infinities', () => {
  const values = Float32Array.of(1, -0, Number.NaN, Infinity, -Infinity, 0.1, -2.5e-7, 3e38);
  const text = float32ArrayJson(values).toString('utf8');
  assert.equal(text, '[1,0,null,null,null,0.1,-2.5e-7,3e+38]');
  assert.deepEqual(float32ArrayJson(new Float32Array(0)).toString(), '[]');
  const random = new Random(5);
  const many = Float32Array.from({ length: 10_000 }, () => random.normal() * 10 ** random.int(-8, 9));
  assert.deepEqual(Float32Array.from(JSON.parse(float32ArrayJson(many).toString()) as number[]), many);
});
