import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScopedMap } from '../../../src/core/ops/scopedMap.js';
import { Random } from '../../../bench/generate/index.js';

// A body's map must answer every question as the copy of the enclosing map it replaces would.
test('ScopedMap behaves as a copy of its parent under any sequence of sets and deletes', () => {
  const random = new Random(7);
  const pick = (n: number) => Math.floor(random.next() * n);
  for (let round = 0; round < 200; round++) {
    const parent = new Map<string, number>();
    for (let i = 0; i < pick(8); i++) parent.set(`k${pick(12)}`, i);
    const scoped = new ScopedMap(parent);
    const copy = new Map(parent);
    const before = [...parent];
    for (let step = 0; step < 30; step++) {
      const key = `k${pick(12)}`;
      const action = pick(4);
      if (action === 0) assert.equal(scoped.delete(key), copy.delete(key));
      else if (action === 1) {
        assert.equal(scoped.set(key, step), scoped);
        copy.set(key, step);
      } else assert.equal(scoped.get(key), copy.get(key));
      assert.equal(scoped.has(key), copy.has(key));
      assert.equal(scoped.size, copy.size);
    }
    assert.deepEqual([...scoped], [...copy], `round ${round}: entries and their order`);
    assert.deepEqual([...scoped.keys()], [...copy.keys()]);
    assert.deepEqual([...scoped.values()], [...copy.values()]);
    const seen: string[] = [];
    scoped.forEach((v, k, map) => { seen.push(`${k}=${v}`); assert.equal(map, scoped); });
    assert.deepEqual(seen, [...copy].map(([k, v]) => `${k}=${v}`));
    // The parent is read, never written.
    assert.deepEqual([...parent], before);
    scoped.clear();
    assert.equal(scoped.size, 0);
    assert.equal(scoped.has(before[0]?.[0] ?? 'k0'), false);
  }
});

test('ScopedMap reads through nested scopes and sees what the parent gains later', () => {
  const outer = new Map([['a', 1]]);
  const middle = new ScopedMap(outer);
  middle.set('b', 2);
  const inner = new ScopedMap(middle);
  inner.set('a', 10);
  assert.deepEqual([...inner], [['a', 10], ['b', 2]]);
  middle.delete('a');
  assert.equal(middle.get('a'), undefined);
  assert.equal(inner.get('a'), 10);
  outer.set('c', 3);
  assert.equal(inner.get('c'), 3);
});
