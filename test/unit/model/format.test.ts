// The one way numbers are written for people: every boundary of each rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatBytes, formatCosine, formatCount, formatDims, formatDuration, formatNumber, formatPercent, formatRatio, formatValue,
} from '../../../src/core/format.js';

test('formatNumber: four significant digits, whole integers, exponents outside [1e-3, 1e5)', () => {
  const cases: Array<[number, string]> = [
    [0, '0'], [-0, '0'], [7, '7'], [-42, '-42'], [123456789, '123456789'], [1e15, '1e+15'],
    [0.5, '0.5'], [-1.5, '-1.5'], [1 / 3, '0.3333'], [2 / 3, '0.6667'], [0.1 + 0.2, '0.3'], [1234.5678, '1235'],
    [12345.6, '12346'], [99999.4, '99999'], [100000.5, '1e+5'], [123456.7, '1.235e+5'], [-2.5e9 + 0.5, '-2.5e+9'],
    [0.001, '0.001'], [0.00099999, '1e-3'], [0.000123456, '1.235e-4'], [1.5e-7, '1.5e-7'], [5e-324, '4.941e-324'],
    [NaN, 'NaN'], [Infinity, 'inf'], [-Infinity, '-inf'],
  ];
  for (const [x, text] of cases) assert.equal(formatNumber(x), text, `formatNumber(${x})`);
  assert.equal(formatNumber(Math.PI, 2), '3.1');
  assert.equal(formatNumber(0.000123456, 2), '1.2e-4');
});

test('formatValue keeps seven digits, formatCosine six, by the same rule', () => {
  assert.equal(formatValue(0.1234567891), '0.1234568');
  assert.equal(formatValue(Math.fround(0.1)), '0.1');
  assert.equal(formatValue(123456.7), '1.234567e+5');
  assert.equal(formatValue(3), '3');
  assert.equal(formatCosine(0.99987321), '0.999873');
  assert.equal(formatCosine(1), '1');
  assert.equal(formatCosine(NaN), 'NaN');
});

test('formatCount groups thousands, for numbers and bigints', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(9007199254740993n), '9,007,199,254,740,993');
  // Grouped by hand (no ICU in the page's first paint): the same text as en-US toLocaleString, signs and all.
  for (const n of [1, 12, 123, 1234, 12345, 123456, -1, -999, -1000, -123456789, Number.MAX_SAFE_INTEGER, -5000n, 10n ** 21n, 1.5, 1e21]) {
    assert.equal(formatCount(n), n.toLocaleString('en-US'), String(n));
  }
});

test('formatBytes: binary units, three significant digits, never 1024 of a unit', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'], [1, '1 B'], [1023, '1023 B'], [1024, '1 KiB'], [1536, '1.5 KiB'], [10 * 1024 + 307, '10.3 KiB'],
    [512 * 1024 + 300, '512 KiB'], [1024 * 1024 - 1, '1 MiB'], [64 * 2 ** 20, '64 MiB'], [2.25 * 2 ** 30, '2.25 GiB'],
    [3 * 2 ** 40, '3 TiB'], [5000 * 2 ** 40, '5000 TiB'],
  ];
  for (const [n, text] of cases) assert.equal(formatBytes(n), text, `formatBytes(${n})`);
  assert.equal(formatBytes(1536, { exact: true }), '1.5 KiB (1,536 bytes)');
  assert.equal(formatBytes(100, { exact: true }), '100 B');
});

test('formatDuration picks µs, ms or s and rounds like formatNumber', () => {
  const cases: Array<[number, string]> = [
    [0, '0 ms'], [0.0004, '0.4 µs'], [0.0123, '12.3 µs'], [0.85, '850 µs'], [1, '1 ms'], [12.3456, '12.35 ms'],
    [999.94, '999.9 ms'], [1000, '1 s'], [1500, '1.5 s'], [300000, '300 s'], [NaN, 'NaN ms'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `formatDuration(${ms})`);
});

test('formatPercent has one decimal, formatRatio two', () => {
  assert.equal(formatPercent(0.9), '90.0%');
  assert.equal(formatPercent(0.12345), '12.3%');
  assert.equal(formatPercent(1), '100.0%');
  assert.equal(formatPercent(0), '0.0%');
  assert.equal(formatPercent(NaN), 'NaN%');
  assert.equal(formatRatio(3.984), '3.98x');
  assert.equal(formatRatio(1), '1.00x');
  assert.equal(formatRatio(Infinity), 'inf');
});

test('formatDims writes shapes as ONNX text does', () => {
  assert.equal(formatDims([]), '[]');
  assert.equal(formatDims([1, 3, 224, 224]), '[1,3,224,224]');
  assert.equal(formatDims(['N', null, 7n]), '[N,?,7]');
  assert.equal(formatDims(undefined), '?');
});
