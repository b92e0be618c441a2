// MatMul + Add -> Gemm on 2-D operands only, Transposes into Gemm's flags, and LayerNormalization written
// op by op fused into the standard op (opset 17+); on generated models, checked in onnxruntime.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { attribute } from '../../../src/core/model/graphQueries.js';
import { DataType, int64ToNumber } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { tempDir } from '../../helpers/models.js';
import { f32, i64, model, node, seq, valueInfo } from '../transforms/foldModels.js';
import { count, ops, SimplifyHarness } from './simplifyHelper.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-simplify-matmul-');
const h = new SimplifyHarness(client, dir);
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function matmulAdd(xShape: Array<number | string>, biasDims: number[], biasFirst = false) {
  const out = [...xShape.slice(0, -1), 3];
  return model({
    input: [valueInfo('x', DataType.FLOAT, xShape)],
    output: [valueInfo('y', DataType.FLOAT, out)],
    initializer: [f32('w', [4, 3], seq(12)), f32('b', biasDims, seq(biasDims.reduce((a, b) => a * b, 1), 0.3))],
    node: [node('MatMul', ['x', 'w'], ['xw']), node('Add', biasFirst ? ['b', 'xw'] : ['xw', 'b'], ['y'])],
  });
}

test('MatMul + Add -> Gemm where the input is 2-D; 3-D inputs and widening biases stay MatMul + Add', async () => {
  for (const [label, original] of [
    ['matmul-add-2d', matmulAdd(['N', 4], [3])],
    ['matmul-add-row-bias-first', matmulAdd([5, 4], [1, 3], true)],
    ['matmul-add-full-bias', matmulAdd([5, 4], [5, 3])],
  ] as const) {
    const { model: result, stats } = await h.simplify(original);
    assert.deepEqual(ops(result), ['Gemm'], label);
    assert.equal(count(stats, 'matmul-add'), 1, label);
    await h.assertEquivalent(original, result, label, { N: 5 });
  }
  for (const [label, original] of [['3-D input', matmulAdd(['N', 5, 4], [3])], ['bias wider than the product', matmulAdd([1, 4], [5, 3])]] as const) {
    const { model: result } = await h.simplify(original);
    assert.deepEqual(ops(result), ['MatMul', 'Add'], label);
  }
});

test('Gemm without C + Add -> Gemm with C; Transposes into and out of a Gemm -> its transA/transB', async () => {
  const gemmAdd = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 4])],
    output: [valueInfo('y', DataType.FLOAT, [2, 3])],
    initializer: [f32('w', [3, 4], seq(12)), f32('b', [3], [0.5, -1, 2])],
    node: [node('Gemm', ['x', 'w'], ['g'], { transB: 1, beta: 0.75 }), node('Add', ['g', 'b'], ['y'])],
  });
  const fused = await h.simplify(gemmAdd);
  assert.deepEqual(ops(fused.model), ['Gemm']);
  assert.equal(attribute(fused.model.graph!.node![0], 'beta'), undefined, 'beta back to 1 for the new C');
  await h.assertEquivalent(gemmAdd, fused.model, 'gemm-add');

  // x[4,2]^T -> Gemm(., w) -> ^T: both Transposes become flags.
  const transposes = model({
    input: [valueInfo('x', DataType.FLOAT, [4, 2]), valueInfo('v', DataType.FLOAT, [4, 3])],
    output: [valueInfo('y', DataType.FLOAT, [3, 2])],
    node: [node('Transpose', ['x'], ['xt'], { perm: [1, 0] }), node('Gemm', ['xt', 'v'], ['g'], { alpha: 0.5 }), node('Transpose', ['g'], ['y'], { perm: [1, 0] })],
  });
  const { model: result, stats } = await h.simplify(transposes);
  assert.deepEqual(ops(result), ['Gemm']);
  assert.equal(count(stats, 'gemm-transpose'), 2);
  await h.assertEquivalent(transposes, result, 'gemm-transpose');
});

/** The LayerNorm exporters write at opset 17 (torch.nn.LayerNorm traced op by op). */
function layerNormModel(opset: number, options: { bias?: boolean; squareWithMul?: boolean } = {}) {
  const axes: Record<string, number[]> = opset >= 18 ? {} : { axes: [-1] };
  const mean = (input: string, output: string) => (opset >= 18 ? node('ReduceMean', [input, 'axes'], [output]) : node('ReduceMean', [input], [output], axes));
  return model({
    input: [valueInfo('x', DataType.FLOAT, ['batch', 'seq', 8])],
    output: [valueInfo('y', DataType.FLOAT, ['batch', 'seq', 8])],
    initializer: [
      f32('two', [], [2]), f32('eps', [], [1e-5]), f32('gamma', [8], seq(8, 0.2)), f32('beta', [8], seq(8, 0.05)),
      ...(opset >= 18 ? [i64('axes', [1], [-1])] : []),
    ],
    node: [
      mean('x', 'm'), node('Sub', ['x', 'm'], ['d']),
      options.squareWithMul ? node('Mul', ['d', 'd'], ['p']) : node('Pow', ['d', 'two'], ['p']),
      mean('p', 'v'), node('Add', ['v', 'eps'], ['ve']), node('Sqrt', ['ve'], ['s']), node('Div', ['d', 's'], ['n']),
      node('Mul', ['n', 'gamma'], options.bias === false ? ['y'] : ['ng']),
      ...(options.bias === false ? [] : [node('Add', ['ng', 'beta'], ['y'])]),
    ],
  }, opset);
}

test('LayerNormalization written op by op -> LayerNormalization from opset 17; before it, the ops stay', async () => {
  for (const [label, original] of [
    ['layernorm-17', layerNormModel(17)],
    ['layernorm-17-mul-square-no-bias', layerNormModel(17, { bias: false, squareWithMul: true })],
    ['layernorm-18-axes-input', layerNormModel(18)],
  ] as const) {
    const { model: result, stats } = await h.simplify(original);
    assert.deepEqual(ops(result), ['LayerNormalization'], label);
    assert.equal(count(stats, 'layer-norm'), 1, label);
    const fused = result.graph!.node![0];
    assert.equal(int64ToNumber(attribute(fused, 'axis')!.i), -1);
    assert.ok(Math.abs(attribute(fused, 'epsilon')!.f! - 1e-5) < 1e-9);
    // The checker Debian ships knows opset 17 at most.
    if (label.includes('18')) {
      const { compareModels } = await import('../../../src/core/runtime/compare.js');
      const { encodeModel } = await import('../../../src/core/model/decode.js');
      const r = await compareModels(client, encodeModel(original), encodeModel(result), { rtol: 1e-4, atol: 1e-5, seed: 3, dims: { batch: 2, seq: 3 } });
      assert.ok(r.pass, JSON.stringify(r.comparisons));
    } else {
      await h.assertEquivalent(original, result, label, { batch: 2, seq: 3 });
    }
  }
  const old = await h.simplify(layerNormModel(13));
  assert.equal(ops(old.model).length, 9);
  assert.equal(count(old.stats, 'layer-norm'), 0);
});
