// Data-movement rewrites: Reshape, Transpose, Squeeze/Unsqueeze and Cast chains, no-op nodes, and
// Reshape targets computed from Shape chains on symbolic dims; checked in onnxruntime at several sizes.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { attribute } from '../../../src/core/model/graphQueries.js';
import { DataType, type ModelProto } from '../../../src/core/model/proto.js';
import { tensorToArray } from '../../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { tempDir } from '../../helpers/models.js';
import { f32, i64, model, node, valueInfo } from '../transforms/foldModels.js';
import { count, ops, SimplifyHarness } from './simplifyHelper.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-simplify-chains-');
const h = new SimplifyHarness(client, dir);
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const F = DataType.FLOAT;

/** The int64 values of an initializer of the result. */
function initializerValues(m: ModelProto, name: string): number[] {
  const t = (m.graph?.initializer ?? []).find((i) => i.name === name);
  assert.ok(t, `initializer ${name}`);
  return Array.from(tensorToArray(t).data as BigInt64Array, Number);
}

test('consecutive Reshapes (and Flatten/Unsqueeze then Reshape) -> one Reshape; a 0 copying the middle dim is resolved', async () => {
  const cases: Array<[string, ModelProto, number[]]> = [
    ['reshape-reshape', model({
      input: [valueInfo('x', F, ['N', 3, 4])], output: [valueInfo('y', F, ['N', 4, 3])],
      initializer: [i64('s1', [2], [0, 12]), i64('s2', [3], [0, 4, 3])],
      node: [node('Reshape', ['x', 's1'], ['r1']), node('Reshape', ['r1', 's2'], ['y'])],
    }), [0, 4, 3]],
    ['reshape-resolves-middle-dim', model({
      input: [valueInfo('x', F, [2, 3, 4])], output: [valueInfo('y', F, [6, 2, 2])],
      initializer: [i64('s1', [2], [6, 4]), i64('s2', [3], [0, 2, 2])],
      node: [node('Relu', ['x'], ['rx']), node('Reshape', ['rx', 's1'], ['r1']), node('Reshape', ['r1', 's2'], ['y'])],
    }), [6, 2, 2]],
    ['flatten-reshape', model({
      input: [valueInfo('x', F, [2, 3, 4])], output: [valueInfo('y', F, [4, 6])],
      initializer: [i64('s2', [2], [4, 6])],
      node: [node('Flatten', ['x'], ['f'], { axis: 1 }), node('Reshape', ['f', 's2'], ['y'])],
    }), [4, 6]],
  ];
  for (const [label, original, target] of cases) {
    const { model: result, stats } = await h.simplify(original);
    const reshape = result.graph!.node!.find((n) => n.opType === 'Reshape')!;
    assert.equal(ops(result).filter((o) => o === 'Reshape' || o === 'Flatten').length, 1, label);
    assert.equal(count(stats, 'reshape-chain'), 1, label);
    assert.deepEqual(initializerValues(result, reshape.input![1]), target, label);
    await h.assertEquivalent(original, result, label, { N: 3 });
  }
});

test('Transpose chains compose, or cancel (an Identity keeps a graph output name)', async () => {
  const chain = (p1: number[], p2: number[], outputIsT2 = true) => model({
    input: [valueInfo('x', F, [2, 3, 4, 5])], output: [valueInfo('y', F, undefined)],
    node: [
      node('Transpose', ['x'], ['t1'], { perm: p1 }),
      node('Transpose', ['t1'], [outputIsT2 ? 'y' : 't2'], { perm: p2 }),
      ...(outputIsT2 ? [] : [node('Relu', ['t2'], ['y'])]),
    ],
  });
  const composed = chain([0, 2, 1, 3], [0, 1, 3, 2]);
  composed.graph!.output = [valueInfo('y', F, [2, 4, 5, 3])];
  const r1 = await h.simplify(composed);
  assert.deepEqual(ops(r1.model), ['Transpose']);
  assert.deepEqual(attribute(r1.model.graph!.node![0], 'perm')!.ints!.map(Number), [0, 2, 3, 1]);
  await h.assertEquivalent(composed, r1.model, 'transpose-compose');

  const cancelled = chain([0, 2, 1, 3], [0, 2, 1, 3], false);
  cancelled.graph!.output = [valueInfo('y', F, [2, 3, 4, 5])];
  const r2 = await h.simplify(cancelled);
  assert.deepEqual(ops(r2.model), ['Relu']);
  assert.equal(count(r2.stats, 'transpose-chain'), 1);
  await h.assertEquivalent(cancelled, r2.model, 'transpose-cancel');

  const atOutput = chain([1, 0, 2, 3], [1, 0, 2, 3]);
  atOutput.graph!.output = [valueInfo('y', F, [2, 3, 4, 5])];
  const r3 = await h.simplify(atOutput);
  assert.deepEqual(ops(r3.model), ['Identity']);
  await h.assertEquivalent(atOutput, r3.model, 'transpose-cancel-at-output');
});

test('Squeeze/Unsqueeze pairs on the same axes go (axes as attributes before opset 13, as inputs after)', async () => {
  for (const opset of [11, 13]) {
    const axes = (name: string, values: number[]): { inputs: string[]; attrs: Record<string, number[]> } =>
      (opset >= 13 ? { inputs: [name], attrs: {} } : { inputs: [], attrs: { axes: values } });
    const a = axes('a1', [1]);
    const b = axes('a0', [0]);
    const original = model({
      input: [valueInfo('x', F, [2, 1, 3])], output: [valueInfo('y', F, [2, 1, 3]), valueInfo('z', F, [2, 1, 3])],
      initializer: opset >= 13 ? [i64('a1', [1], [1]), i64('a0', [1], [-3])] : [],
      node: [
        node('Squeeze', ['x', ...a.inputs], ['s'], a.attrs), node('Unsqueeze', ['s', ...a.inputs], ['u'], a.attrs), node('Relu', ['u'], ['y']),
        node('Unsqueeze', ['x', ...b.inputs], ['u2'], opset >= 13 ? {} : { axes: [-4] as number[] }), node('Squeeze', ['u2', ...b.inputs], ['s2'], b.attrs), node('Neg', ['s2'], ['z']),
      ],
    }, opset);
    const { model: result, stats } = await h.simplify(original);
    assert.deepEqual(ops(result), ['Relu', 'Neg'], `opset ${opset}`);
    assert.equal(count(stats, 'squeeze-unsqueeze'), 2);
    await h.assertEquivalent(original, result, `squeeze-unsqueeze-${opset}`);
  }
  // Different axes are a real reshape: they stay.
  const moved = model({
    input: [valueInfo('x', F, [2, 1, 3])], output: [valueInfo('y', F, [2, 3, 1])],
    initializer: [i64('a1', [1], [1]), i64('a2', [1], [2])],
    node: [node('Squeeze', ['x', 'a1'], ['s']), node('Unsqueeze', ['s', 'a2'], ['y'])],
  });
  assert.deepEqual(ops((await h.simplify(moved)).model), ['Squeeze', 'Unsqueeze']);
});

test('Cast chains through a lossless type shorten; a lossy round trip stays', async () => {
  const original = model({
    input: [valueInfo('i', DataType.INT32, [4]), valueInfo('x', F, [4])],
    output: [valueInfo('a', DataType.INT32, [4]), valueInfo('b', DataType.FLOAT16, [4]), valueInfo('c', F, [4])],
    node: [
      // int32 -> int64 -> int32: nothing happened.
      node('Cast', ['i'], ['i64'], { to: DataType.INT64 }), node('Cast', ['i64'], ['i32'], { to: DataType.INT32 }), node('Neg', ['i32'], ['a']),
      // float -> double -> float16: one Cast.
      node('Cast', ['x'], ['xd'], { to: DataType.DOUBLE }), node('Cast', ['xd'], ['b'], { to: DataType.FLOAT16 }),
      // float -> float16 -> float rounds: stays.
      node('Cast', ['x'], ['xh'], { to: DataType.FLOAT16 }), node('Cast', ['xh'], ['c'], { to: DataType.FLOAT }),
    ],
  });
  const { model: result, stats } = await h.simplify(original);
  assert.deepEqual(ops(result), ['Neg', 'Cast', 'Cast', 'Cast']);
  assert.equal(count(stats, 'cast-chain'), 2);
  await h.assertEquivalent(original, result, 'cast-chain');
});

test('no-op nodes go: Cast to its own type, identity Transpose, x + 0, x * 1, zero Pad, one-input Concat, same-shape Expand; a widening Add of 0 stays', async () => {
  const original = model({
    input: [valueInfo('x', F, [2, 3])], output: [valueInfo('y', F, [2, 3]), valueInfo('w', F, [4, 2, 3])],
    initializer: [f32('zero', [1, 3], [0, 0, 0]), f32('one', [], [1]), i64('nopad', [4], [0, 0, 0, 0]), i64('shape', [2], [2, 3]), f32('zeros3', [4, 1, 1], [0, 0, 0, 0])],
    node: [
      node('Cast', ['x'], ['c'], { to: DataType.FLOAT }), node('Transpose', ['c'], ['t'], { perm: [0, 1] }), node('Add', ['t', 'zero'], ['a']),
      node('Mul', ['one', 'a'], ['m']), node('Pad', ['m', 'nopad'], ['p']), node('Concat', ['p'], ['k'], { axis: 0 }),
      node('Expand', ['k', 'shape'], ['e']), node('Relu', ['e'], ['y']),
      node('Add', ['x', 'zeros3'], ['w']),
    ],
  });
  const { model: result, stats } = await h.simplify(original);
  assert.deepEqual(ops(result), ['Relu', 'Add']);
  assert.equal(count(stats, 'identity-like'), 7);
  await h.assertEquivalent(original, result, 'identity-like');
});

/** x[batch, seq, 32] -> Reshape to [batch, seq, 4, 8] with the target computed from Shape(x). */
function shapeChainModel(order: 'same' | 'swapped') {
  const first = order === 'same' ? 'g0' : 'g1';
  const second = order === 'same' ? 'g1' : 'g0';
  return model({
    input: [valueInfo('x', F, ['batch', 'seq', 32])],
    output: [valueInfo('y', F, order === 'same' ? ['batch', 'seq', 4, 8] : ['seq', 'batch', 4, 8])],
    initializer: [i64('i0', [], [0]), i64('i1', [], [1]), i64('ax', [1], [0]), i64('tail', [2], [4, 8])],
    node: [
      node('Relu', ['x'], ['rx']),
      node('Shape', ['rx'], ['s']), node('Gather', ['s', 'i0'], ['g0'], { axis: 0 }), node('Gather', ['s', 'i1'], ['g1'], { axis: 0 }),
      node('Unsqueeze', [first, 'ax'], ['u0']), node('Unsqueeze', [second, 'ax'], ['u1']),
      node('Concat', ['u0', 'u1', 'tail'], ['target'], { axis: 0 }), node('Reshape', ['rx', 'target'], ['y']),
    ],
  });
}

test('a Shape -> Gather -> Concat -> Reshape chain on symbolic dims becomes a constant target [0, 0, 4, 8]; one needing two unknowns stays', async () => {
  const original = shapeChainModel('same');
  const { model: result, stats } = await h.simplify(original);
  assert.deepEqual(ops(result), ['Relu', 'Reshape']);
  assert.equal(count(stats, 'shape-chain'), 1);
  assert.deepEqual(initializerValues(result, result.graph!.node![1].input![1]), [0, 0, 4, 8]);
  for (const dims of [{ batch: 1, seq: 1 }, { batch: 3, seq: 5 }]) await h.assertEquivalent(original, result, `shape-chain-${dims.batch}x${dims.seq}`, dims);

  // [seq, batch, 4, 8] from x[batch, seq, 32]: neither symbol sits at its own position; with two unknowns
  // no constant target says it, so the chain stays (and stays correct).
  const swapped = shapeChainModel('swapped');
  const kept = await h.simplify(swapped);
  assert.equal(count(kept.stats, 'shape-chain'), 0);
  assert.ok(ops(kept.model).includes('Shape') && ops(kept.model).includes('Concat'));
  for (const dims of [{ batch: 2, seq: 3 }, { batch: 4, seq: 1 }]) await h.assertEquivalent(swapped, kept.model, `shape-chain-swapped-${dims.batch}x${dims.seq}`, dims);
});

test('a target with one unknown element gets -1: Reshape(x[batch, seq, 32], [batch, 8, 4, seq])', async () => {
  const original = model({
    input: [valueInfo('x', F, ['batch', 'seq', 32])], output: [valueInfo('y', F, ['batch', 8, 4, 'seq'])],
    initializer: [i64('i0', [1], [0]), i64('i1', [1], [1]), i64('mid', [2], [8, 4])],
    node: [
      node('Shape', ['x'], ['s']), node('Gather', ['s', 'i0'], ['b']), node('Gather', ['s', 'i1'], ['q']),
      node('Concat', ['b', 'mid', 'q'], ['target'], { axis: 0 }), node('Reshape', ['x', 'target'], ['y']),
    ],
  });
  const { model: result } = await h.simplify(original);
  assert.deepEqual(ops(result), ['Reshape']);
  assert.deepEqual(initializerValues(result, result.graph!.node![0].input![1]), [0, 8, 4, -1]);
  for (const dims of [{ batch: 3, seq: 2 }, { batch: 1, seq: 5 }]) await h.assertEquivalent(original, result, `shape-chain-minus-one-${dims.batch}x${dims.seq}`, dims);
});

test('symbolic arithmetic in the chain: Reshape(x[batch, seq, 32], [batch * seq, 32]) gets [-1, 32]', async () => {
  const original = model({
    input: [valueInfo('x', F, ['batch', 'seq', 32])], output: [valueInfo('y', F, ['n', 32])],
    initializer: [i64('i0', [1], [0]), i64('i1', [1], [1]), i64('last', [1], [32])],
    node: [
      node('Shape', ['x'], ['s']), node('Gather', ['s', 'i0'], ['b']), node('Gather', ['s', 'i1'], ['q']), node('Mul', ['b', 'q'], ['bq']),
      node('Concat', ['bq', 'last'], ['target'], { axis: 0 }), node('Reshape', ['x', 'target'], ['y']),
    ],
  });
  const { model: result } = await h.simplify(original);
  assert.deepEqual(ops(result), ['Reshape']);
  assert.deepEqual(initializerValues(result, result.graph!.node![0].input![1]), [-1, 32]);
  for (const dims of [{ batch: 3, seq: 2 }, { batch: 1, seq: 7 }]) await h.assertEquivalent(original, result, `shape-chain-product-${dims.batch}x${dims.seq}`, dims);
});
