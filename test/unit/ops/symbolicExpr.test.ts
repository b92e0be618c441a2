import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dim } from '../../../src/core/model/types.js';
import { DimAlgebra } from '../../../src/core/ops/dimAlgebra.js';
import { parseExpr } from '../../../src/core/ops/symbolicExpr.js';
import { Random } from '../../../bench/generate/random.js';

test('arithmetic on symbols folds to canonical text, as sympy prints it', () => {
  const d = new DimAlgebra();
  assert.equal(d.mul('s0', 8), '8*s0');
  assert.equal(d.add('s1', 1), 's1 + 1');
  assert.equal(d.add(1, 's1'), 's1 + 1');
  assert.equal(d.sub(d.add('N', 3), 3), 'N');
  assert.equal(d.mul(d.add('N', 1), d.sub('N', 1)), 'N**2 - 1');
  assert.equal(d.product(['batch', 'seq', 12, 64]), '768*batch*seq');
  assert.equal(d.exactDiv(d.product(['batch', 'seq', 768]), d.product(['batch', 'seq', 12])), 64);
  assert.equal(d.exactDiv(d.product(['batch', 'seq', 768]), 12), '64*batch*seq');
  // A convolution with pads 1, kernel 3, stride 2 and auto_pad SAME with stride 2 give the same text.
  assert.equal(d.add(d.floorDiv(d.sub(d.add('H', 2), 3), 2), 1), 'floor((H + 1)/2)');
  assert.equal(d.ceilDiv('H', 2), 'floor((H + 1)/2)');
  assert.equal(d.ceilDiv(d.ceilDiv('H', 2), 2), 'floor((H + 3)/4)');
  assert.equal(d.floorDiv(d.mul('H', 6), 4), 'H + floor(H/2)');
  assert.equal(d.floorDiv('H', 'W'), 'floor(H/W)');
  assert.equal(d.floorDiv(d.mul('H', 'W'), 'W'), 'H');
});

test('Max and Min decide what follows from dims being at least 1, and stay symbolic otherwise', () => {
  const d = new DimAlgebra();
  assert.equal(d.max(d.sub('N', 1), 0), 'N - 1');
  assert.equal(d.min(1, 'N'), 1);
  assert.equal(d.min(5, 'N'), 'Min(5, N)');
  assert.equal(d.max('N', 'M'), 'Max(M, N)');
  assert.equal(d.max(d.min(5, 'N'), 0), 'Min(5, N)');
  assert.equal(d.max(d.floorDiv('N', 2), 0), 'floor(N/2)');
  assert.equal(d.equal('s0 + 1', '1 + s0'), true);
  assert.equal(d.equal('N', d.add('N', 1)), false);
  assert.equal(d.equal('N', 'M'), undefined);
});

test("a file's dim_param passes through unchanged; exporters' expressions read as expressions", () => {
  const d = new DimAlgebra();
  assert.equal(d.add('batch-size', 0), 'batch-size');
  assert.equal(d.mul('batch-size', 1), 'batch-size');
  assert.equal(d.add('unk__12', 0), 'unk__12');
  // PyTorch's dynamo exporter writes sympy's text, floor division included.
  assert.equal(d.sub('s0 + 1', 1), 's0');
  assert.equal(d.add('((s0 - 1)//2) + 1', 0), '((s0 - 1)//2) + 1');
  assert.equal(d.equal('((s0 - 1)//2) + 1', 'floor((s0 + 1)/2)'), true);
  assert.equal(d.sub('2*s1', 's1'), 's1');
  // Anything else is one opaque symbol, whatever it holds.
  for (const name of ['batch size', 'N/A', '"quoted"', 'a\nb', '']) assert.equal(parseExpr(name)?.soleAtom ?? name, name);
  assert.equal(d.add('N/A', 0), 'N/A');
});

test('unknown dims and oversized expressions stay unknown, never wrong', () => {
  const d = new DimAlgebra();
  assert.equal(d.add(null, 1), null);
  assert.equal(d.mul(null, 0), 0);
  assert.equal(d.floorDiv('N', 0), null);
  let e: Dim = 'a';
  for (let i = 0; i < 30; i++) e = d.add(d.mul(e, `x${i}`), 1);
  assert.equal(e, null);
  assert.equal(d.mul(2 ** 40, 2 ** 40), 2 ** 80);
  assert.equal(d.mul(d.mul('N', 2 ** 40), 2 ** 40), null, 'coefficients beyond 2^53 are not carried');
});

test('random expressions: the symbolic result evaluates to what plain arithmetic gives, and its text reads back to itself', () => {
  const random = new Random(7);
  const symbols = ['N', 'S', 'H', 'batch-size'];
  const int = (lo: number, hi: number) => lo + Math.floor(random.uniform(0, 1) * (hi - lo + 1));
  let checked = 0;
  for (let round = 0; round < 300; round++) {
    const d = new DimAlgebra();
    const sizes = new Map(symbols.map((s) => [s, int(1, 40)]));
    // Each entry: the dim inference carries and the number it stands for.
    let pool: Array<[Dim, number]> = symbols.map((s) => [s, sizes.get(s)!]);
    pool.push([int(1, 9), 0]);
    pool[pool.length - 1][1] = pool[pool.length - 1][0] as number;
    for (let step = 0; step < 6; step++) {
      const [a, x] = pool[int(0, pool.length - 1)];
      const [b, y] = pool[int(0, pool.length - 1)];
      const k = int(1, 5);
      const ops: Array<[Dim, number]> = [
        [d.add(a, b), x + y],
        [d.sub(a, b), x - y],
        [d.mul(a, k), x * k],
        [d.mul(a, b), x * y],
        [d.floorDiv(a, k), Math.floor(x / k)],
        [d.ceilDiv(a, k), Math.ceil(x / k)],
        [d.add(d.floorDiv(d.sub(d.add(a, 2 * (k - 1)), 2 * k - 1), k), 1), Math.floor((x + 2 * (k - 1) - (2 * k - 1)) / k) + 1],
        [d.max(a, b), Math.max(x, y)],
        [d.min(a, b), Math.min(x, y)],
      ];
      pool = [...pool, ...ops.filter(([dim]) => dim !== null)];
    }
    for (const [dim, value] of pool) {
      assert.equal(d.evaluate(dim, sizes), value + 0, `${dim} with ${JSON.stringify(Object.fromEntries(sizes))}`);
      if (typeof dim === 'string') assert.equal(new DimAlgebra().add(dim, 0), dim, `${dim} reads back to the same text`);
      checked++;
    }
  }
  assert.ok(checked > 5000, `${checked} expressions checked`);
});
