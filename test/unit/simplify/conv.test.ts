// Conv fusions: BatchNormalization, a per-channel Add or Mul, and a zero Pad folded into the Conv; each on
// generated models, checked in onnxruntime against the original, and left alone where it would be wrong.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { DataType, type NodeProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { tempDir } from '../../helpers/models.js';
import { f32, i64, model, node, seq, valueInfo } from '../transforms/foldModels.js';
import { count, ops, SimplifyHarness } from './simplifyHelper.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-simplify-conv-');
const h = new SimplifyHarness(client, dir);
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const ramp = (n: number, from: number, step: number) => Array.from({ length: n }, (_, i) => from + i * step);

/** x[N,4,8,8] -> Conv(3x3, 6 out) -> BatchNormalization -> Relu. */
function convBn(options: { bias?: boolean; transpose?: boolean; group?: number; extraReader?: boolean; training?: boolean } = {}) {
  const group = options.group ?? 1;
  const out = 6;
  const wDims = options.transpose ? [4, out / group, 3, 3] : [out, 4 / group, 3, 3];
  const nodes: NodeProto[] = [
    node(options.transpose ? 'ConvTranspose' : 'Conv', ['x', 'w', ...(options.bias ? ['b'] : [])], ['c'], { pads: [1, 1, 1, 1], group, kernel_shape: [3, 3] }),
    node('BatchNormalization', ['c', 'scale', 'beta', 'mean', 'var'], ['bn'], { epsilon: 0.001, ...(options.training ? { training_mode: 1 } : {}) }),
    node('Relu', ['bn'], ['y']),
  ];
  const outputs = [valueInfo('y', DataType.FLOAT, ['N', out, 8, 8])];
  if (options.extraReader) {
    nodes.push(node('Neg', ['c'], ['z']));
    outputs.push(valueInfo('z', DataType.FLOAT, ['N', out, 8, 8]));
  }
  return model({
    input: [valueInfo('x', DataType.FLOAT, ['N', 4, 8, 8])],
    output: outputs,
    initializer: [
      f32('w', wDims, seq(wDims.reduce((a, b) => a * b, 1), 0.05)), f32('b', [out], ramp(out, -0.3, 0.1)),
      f32('scale', [out], ramp(out, 0.5, 0.2)), f32('beta', [out], ramp(out, -0.2, 0.05)),
      f32('mean', [out], ramp(out, 0.1, -0.04)), f32('var', [out], ramp(out, 0.3, 0.25)),
    ],
    node: nodes,
  });
}

test('Conv + BatchNormalization -> one Conv, with and without a bias, grouped, and for ConvTranspose', async () => {
  for (const [label, options] of [
    ['conv-bn', {}], ['conv-bn-bias', { bias: true }], ['conv-bn-group', { group: 2, bias: true }],
    ['convtranspose-bn', { transpose: true }], ['convtranspose-bn-group', { transpose: true, group: 2, bias: true }],
  ] as const) {
    const original = convBn(options);
    const { model: result, stats } = await h.simplify(original);
    assert.deepEqual(ops(result), [options.transpose ? 'ConvTranspose' : 'Conv', 'Relu'], label);
    assert.equal(count(stats, 'conv-bn'), 1, label);
    assert.equal(result.graph!.node![0].input!.length, 3, `${label}: the folded bias`);
    await h.assertEquivalent(original, result, label, { N: 2 });
  }
});

test('Conv + BatchNormalization stays when the Conv output has another reader, or in training mode', async () => {
  const shared = await h.simplify(convBn({ extraReader: true }));
  assert.deepEqual(ops(shared.model), ['Conv', 'BatchNormalization', 'Relu', 'Neg']);
  assert.equal(count(shared.stats, 'conv-bn'), 0);
  const training = await h.simplify(convBn({ training: true }));
  assert.ok(ops(training.model).includes('BatchNormalization'));
});

/** x -> Conv -> op(Conv, constant) -> y, the constant in either operand. */
function convThen(op: 'Add' | 'Mul', dims: number[], constantFirst = false, bias = true, transpose = false) {
  return model({
    input: [valueInfo('x', DataType.FLOAT, ['N', 3, 6, 6])],
    output: [valueInfo('y', DataType.FLOAT, ['n', 'c', 'h', 'w'])],
    initializer: [
      f32('w', transpose ? [3, 4, 3, 3] : [4, 3, 3, 3], seq(108, 0.04)), f32('b', [4], [0.1, -0.2, 0.3, 0]),
      f32('k', dims, ramp(dims.reduce((a, b) => a * b, 1), 0.5, 0.25)),
    ],
    node: [
      node(transpose ? 'ConvTranspose' : 'Conv', ['x', 'w', ...(bias ? ['b'] : [])], ['c'], { pads: [1, 1, 1, 1] }),
      node(op, constantFirst ? ['k', 'c'] : ['c', 'k'], ['y']),
    ],
  });
}

test('Conv/ConvTranspose + per-channel Add -> bias; + per-channel or scalar Mul -> scaled weights', async () => {
  const cases: Array<[string, ReturnType<typeof model>, string]> = [
    ['conv-add-1c11', convThen('Add', [1, 4, 1, 1]), 'conv-add'],
    ['conv-add-c11-first', convThen('Add', [4, 1, 1], true), 'conv-add'],
    ['conv-add-scalar-nobias', convThen('Add', [], false, false), 'conv-add'],
    ['conv-mul-scalar', convThen('Mul', [1]), 'conv-mul'],
    ['conv-mul-c11-first', convThen('Mul', [4, 1, 1], true), 'conv-mul'],
    ['conv-mul-nobias', convThen('Mul', [1, 4, 1, 1], false, false), 'conv-mul'],
    ['convtranspose-add', convThen('Add', [4, 1, 1], false, true, true), 'conv-add'],
    ['convtranspose-mul', convThen('Mul', [1, 4, 1, 1], true, true, true), 'conv-mul'],
  ];
  for (const [label, original, id] of cases) {
    const { model: result, stats } = await h.simplify(original);
    assert.deepEqual(ops(result), [label.startsWith('convtranspose') ? 'ConvTranspose' : 'Conv'], label);
    assert.equal(count(stats, id), 1, label);
    await h.assertEquivalent(original, result, label, { N: 2 });
  }
  // A Mul that keeps a Conv without bias keeps it without one.
  const { model: scaled } = await h.simplify(convThen('Mul', [1], false, false));
  assert.equal(scaled.graph!.node![0].input!.length, 2);
});

test('an Add or Mul that varies along a spatial axis stays', async () => {
  for (const [op, dims] of [['Add', [1, 1, 6, 6]], ['Mul', [6]], ['Add', [1, 4, 6, 1]]] as const) {
    const { model: result, stats } = await h.simplify(convThen(op, [...dims]));
    assert.deepEqual(ops(result), ['Conv', op], `${op} ${dims.join('x')}`);
    assert.equal(count(stats, op === 'Add' ? 'conv-add' : 'conv-mul'), 0);
  }
});

/** x -> Pad -> consumer, opset 11+ (pads as an input) or 2..10 (attribute). */
function padThen(consumer: NodeProto, options: { opset?: number; mode?: string; value?: number; pads?: number[] } = {}) {
  const opset = options.opset ?? 17;
  const pads = options.pads ?? [0, 0, 1, 2, 0, 0, 1, 2];
  const padAttrs: Record<string, number | number[] | string> = { ...(options.mode ? { mode: options.mode } : {}) };
  if (opset < 11) padAttrs.pads = pads;
  const padInputs = opset < 11 ? ['x'] : ['x', 'pads', ...(options.value !== undefined ? ['value'] : [])];
  return model({
    input: [valueInfo('x', DataType.FLOAT, ['N', 3, 6, 6])],
    output: [valueInfo('y', DataType.FLOAT, ['n', 'c', 'h', 'w'])],
    initializer: [f32('w', [4, 3, 3, 3], seq(108, 0.04)), i64('pads', [pads.length], pads), f32('value', [], [options.value ?? 0])],
    node: [node('Pad', padInputs, ['p'], padAttrs), consumer],
  }, opset);
}

test('a zero Pad moves into the following Conv or counting AveragePool; MaxPool, reflect and non-zero Pads stay', async () => {
  const conv = () => node('Conv', ['p', 'w'], ['y'], { pads: [1, 0, 1, 0], kernel_shape: [3, 3] });
  const avg = (attrs: Record<string, number | number[]>) => node('AveragePool', ['p'], ['y'], { kernel_shape: [3, 3], ...attrs });
  const fused: Array<[string, ReturnType<typeof model>, string]> = [
    ['pad-conv', padThen(conv()), 'Conv'],
    ['pad-conv-explicit-zero', padThen(conv(), { value: 0 }), 'Conv'],
    ['pad-conv-opset10', padThen(conv(), { opset: 10 }), 'Conv'],
    ['pad-avgpool', padThen(avg({})), 'AveragePool'],
    ['pad-avgpool-counting', padThen(avg({ count_include_pad: 1, pads: [1, 0, 1, 0] }), { pads: [0, 0, 1, 1, 0, 0, 0, 1] }), 'AveragePool'],
  ];
  for (const [label, original, op] of fused) {
    const { model: result, stats } = await h.simplify(original);
    assert.deepEqual(ops(result), [op], label);
    assert.equal(count(stats, 'pad-conv'), 1, label);
    await h.assertEquivalent(original, result, label, { N: 1 });
  }
  const kept: Array<[string, ReturnType<typeof model>]> = [
    ['maxpool', padThen(node('MaxPool', ['p'], ['y'], { kernel_shape: [3, 3] }))],
    ['reflect', padThen(conv(), { mode: 'reflect' })],
    ['non-zero value', padThen(conv(), { value: 1 })],
    ['batch pad', padThen(conv(), { pads: [1, 0, 0, 0, 0, 0, 0, 0] })],
    ['avgpool excluding its own pads', padThen(avg({ pads: [1, 1, 1, 1] }))],
    ['avgpool pads reaching the kernel size', padThen(avg({ count_include_pad: 1, pads: [1, 1, 1, 1] }))],
  ];
  for (const [label, original] of kept) {
    const { model: result, stats } = await h.simplify(original);
    assert.equal(ops(result)[0], 'Pad', label);
    assert.equal(count(stats, 'pad-conv'), 0, label);
  }
});
