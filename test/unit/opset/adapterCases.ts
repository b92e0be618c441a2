// One generated model per adapter and direction: the source at the opset before (or after) the version
// step, what the converted model must look like, and, where onnxruntime has no kernels for the source's
// opset, the same computation written by hand at an opset it runs.
import assert from 'node:assert/strict';
import { DataType, int64ToNumber, type ModelProto } from '../../../src/core/model/proto.js';
import type { OpsetConversion } from '../../../src/core/opset/convert.js';
import { a, attribute, BOOL, F, I64, model, n, ops, tensor, values, type GraphSpec } from './models.js';

export interface AdapterCase {
  name: string;
  /** The adapters exercised, as `Op@opset up|down` (the opset where the version begins). */
  covers: string[];
  source: ModelProto;
  target: number;
  /** The same computation at an opset onnxruntime runs, for sources it cannot run. */
  reference?: ModelProto;
  check?: (result: OpsetConversion) => void;
  /** Also convert back to the source's opset and compare again. */
  roundTrip?: boolean;
  /** The conversion must be refused with a message matching this. */
  refuses?: RegExp;
  /** The outputs cannot be compared (random ops, training mode); the structure checks carry the case. */
  noRun?: string;
}

const cases: AdapterCase[] = [];
const add = (c: AdapterCase) => cases.push(c);

const X4: GraphSpec['inputs'][number] = ['X', F, [2, 3, 4, 5]];
const X3: GraphSpec['inputs'][number] = ['X', F, [2, 3, 4]];
const X2: GraphSpec['inputs'][number] = ['X', F, [3, 4]];

/** A one-node model: `op` from the inputs to Y. */
function one(opset: number, op: string, inputs: GraphSpec['inputs'], attrs: Parameters<typeof n>[3], y: GraphSpec['outputs'][number] = ['Y', F, undefined], initializers: GraphSpec['initializers'] = [], extra: string[] = []): ModelProto {
  const names = [...inputs.map((i) => i[0]), ...extra];
  return model(opset, { inputs: inputs.filter((i) => !initializers.some((t) => t.name === i[0])), outputs: [y], initializers, nodes: [n(op, names, [y[0]], attrs)] });
}

const has = (m: ModelProto, op: string) => ops(m).includes(op);
const intOf = (m: ModelProto, op: string, name: string) => int64ToNumber(attribute(m, op, name)?.i);
const inputCount = (m: ModelProto, op: string) => (m.graph?.node?.find((x) => x.opType === op)?.input ?? []).length;

// ---- attributes that became inputs ----

add({
  name: 'Reshape: shape attribute to input (5) and back',
  covers: ['Reshape@5 up', 'Reshape@5 down'],
  source: one(4, 'Reshape', [X3], { shape: a.ints([4, 6]) }),
  target: 5,
  reference: one(13, 'Reshape', [X3, ['S', I64, [2]]], {}, undefined, [tensor('S', I64, [2], [4, 6])]),
  check: (r) => assert.equal(inputCount(r.model, 'Reshape'), 2),
  roundTrip: true,
});
add({
  name: 'Reshape: allowzero=1 with a constant shape without 0 (14 down)',
  covers: ['Reshape@14 down'],
  source: one(14, 'Reshape', [X3, ['S', I64, [2]]], { allowzero: a.i(1) }, undefined, [tensor('S', I64, [2], [6, -1])]),
  target: 13,
  check: (r) => assert.equal(attribute(r.model, 'Reshape', 'allowzero'), undefined),
});
add({
  name: 'Reshape: allowzero=1 with a shape computed at run time is refused',
  covers: [],
  source: one(14, 'Reshape', [X3, ['S', I64, [2]]], { allowzero: a.i(1) }),
  target: 13,
  refuses: /allowzero=1 has no equivalent before opset 14/,
});
add({
  name: 'Slice: starts/ends/axes to inputs (10) and back',
  covers: ['Slice@10 up', 'Slice@10 down'],
  source: one(9, 'Slice', [X3], { starts: a.ints([1, 0]), ends: a.ints([2, 3]), axes: a.ints([0, 2]) }),
  target: 10,
  check: (r) => assert.equal(inputCount(r.model, 'Slice'), 4),
  roundTrip: true,
});
add({
  name: 'Slice: steps other than 1 are refused going below 10',
  covers: [],
  source: one(10, 'Slice', [X3, ['s', I64, [1]], ['e', I64, [1]], ['ax', I64, [1]], ['st', I64, [1]]], {}, undefined,
    [tensor('s', I64, [1], [0]), tensor('e', I64, [1], [4]), tensor('ax', I64, [1], [2]), tensor('st', I64, [1], [2])]),
  target: 9,
  refuses: /steps \[2\] have no equivalent before opset 10/,
});
add({
  name: 'TopK: k to input (10) and back',
  covers: ['TopK@10 up', 'TopK@10 down'],
  source: model(9, { inputs: [X2], outputs: [['V', F, undefined], ['I', I64, undefined]], nodes: [n('TopK', ['X'], ['V', 'I'], { k: a.i(2), axis: a.i(1) })] }),
  target: 10,
  check: (r) => assert.equal(inputCount(r.model, 'TopK'), 2),
  roundTrip: true,
});
add({
  name: 'Pad: paddings renamed pads (2) and back',
  covers: ['Pad@2 up', 'Pad@2 down'],
  source: one(1, 'Pad', [X2], { paddings: a.ints([0, 1, 1, 2]), value: a.f(1.5) }),
  target: 2,
  reference: one(11, 'Pad', [X2, ['p', I64, [4]], ['v', F, []]], {}, undefined, [tensor('p', I64, [4], [0, 1, 1, 2]), tensor('v', F, [], [1.5])]),
  check: (r) => assert.ok(attribute(r.model, 'Pad', 'pads')),
  roundTrip: true,
});
add({
  name: 'Pad: pads and value to inputs (11) and back',
  covers: ['Pad@11 up', 'Pad@11 down'],
  source: one(10, 'Pad', [X2], { pads: a.ints([1, 0, 0, 2]), value: a.f(0.5) }),
  target: 11,
  check: (r) => assert.equal(inputCount(r.model, 'Pad'), 3),
  roundTrip: true,
});
add({
  name: 'Pad: reflect mode, pads to input (11)',
  covers: ['Pad@11 up'],
  source: one(10, 'Pad', [X2], { pads: a.ints([1, 1, 1, 1]), mode: a.s('reflect') }),
  target: 13,
  check: (r) => assert.equal(inputCount(r.model, 'Pad'), 2),
});
add({
  name: 'Pad: pads over some axes written for every axis (18 down)',
  covers: ['Pad@18 down'],
  source: model(18, { inputs: [X3], outputs: [['Y', F, undefined]], initializers: [tensor('p', I64, [2], [1, 2]), tensor('ax', I64, [1], [-1])], nodes: [n('Pad', ['X', 'p', '', 'ax'], ['Y'])] }),
  target: 17,
  check: (r) => assert.equal(inputCount(r.model, 'Pad'), 2),
});
add({
  name: "Pad: mode 'wrap' is refused below 19",
  covers: ['Pad@19 down'],
  source: one(19, 'Pad', [X2, ['p', I64, [4]]], { mode: a.s('wrap') }, undefined, [tensor('p', I64, [4], [1, 1, 1, 1])]),
  target: 18,
  refuses: /mode 'wrap' does not exist before opset 19/,
});
add({
  name: 'Clip: min/max to inputs (11) and back',
  covers: ['Clip@11 up', 'Clip@11 down'],
  source: one(10, 'Clip', [X2], { min: a.f(-0.5), max: a.f(0.7) }),
  target: 11,
  check: (r) => assert.equal(inputCount(r.model, 'Clip'), 3),
  roundTrip: true,
});
add({
  name: 'Clip: max alone to input (11)',
  covers: ['Clip@11 up'],
  source: one(6, 'Clip', [X2], { max: a.f(0.25) }),
  target: 13,
  check: (r) => assert.deepEqual(r.model.graph!.node![0].input![1], ''),
});
add({
  name: 'Split: split input to attribute (2)',
  covers: ['Split@2 up'],
  source: model(1, { inputs: [['X', F, [6, 2]]], outputs: [['A', F, undefined], ['B', F, undefined]], initializers: [tensor('s', F, [2], [2, 4])], nodes: [n('Split', ['X', 's'], ['A', 'B'], { axis: a.i(0) })] }),
  target: 2,
  reference: model(13, { inputs: [['X', F, [6, 2]]], outputs: [['A', F, undefined], ['B', F, undefined]], initializers: [tensor('s', I64, [2], [2, 4])], nodes: [n('Split', ['X', 's'], ['A', 'B'], { axis: a.i(0) })] }),
  check: (r) => assert.ok(attribute(r.model, 'Split', 'split')),
});
add({
  name: 'Split: split attribute to input (13) and back',
  covers: ['Split@13 up', 'Split@13 down'],
  source: model(12, { inputs: [['X', F, [6, 2]]], outputs: [['A', F, undefined], ['B', F, undefined]], nodes: [n('Split', ['X'], ['A', 'B'], { axis: a.i(0), split: a.ints([2, 4]) })] }),
  target: 13,
  check: (r) => assert.equal(inputCount(r.model, 'Split'), 2),
  roundTrip: true,
});
add({
  name: 'Split: num_outputs written (18) and dropped going back',
  covers: ['Split@18 up', 'Split@18 down'],
  source: model(17, { inputs: [['X', F, [6, 2]]], outputs: [['A', F, undefined], ['B', F, undefined], ['C', F, undefined]], nodes: [n('Split', ['X'], ['A', 'B', 'C'])] }),
  target: 18,
  check: (r) => assert.equal(intOf(r.model, 'Split', 'num_outputs'), 3),
  roundTrip: true,
});
add({
  name: 'Split: uneven num_outputs written as split sizes (18 down)',
  covers: ['Split@18 down'],
  source: model(18, { inputs: [['X', F, [7, 2]]], outputs: [['A', F, undefined], ['B', F, undefined]], nodes: [n('Split', ['X'], ['A', 'B'], { num_outputs: a.i(2) })] }),
  target: 17,
  check: (r) => assert.equal(inputCount(r.model, 'Split'), 2),
});
add({
  name: 'Squeeze/Unsqueeze: axes to inputs (13) and back',
  covers: ['Squeeze@13 up', 'Squeeze@13 down', 'Unsqueeze@13 up', 'Unsqueeze@13 down'],
  source: model(12, {
    inputs: [X2], outputs: [['Y', F, undefined]],
    nodes: [n('Unsqueeze', ['X'], ['U'], { axes: a.ints([0, 3]) }), n('Squeeze', ['U'], ['Y'], { axes: a.ints([0]) })],
  }),
  target: 13,
  check: (r) => assert.deepEqual(r.model.graph!.node!.map((x) => x.input!.length), [2, 2]),
  roundTrip: true,
});
add({
  name: 'ReduceSum: axes to input (13) and back',
  covers: ['ReduceSum@13 up', 'ReduceSum@13 down'],
  source: one(12, 'ReduceSum', [X3], { axes: a.ints([1]), keepdims: a.i(0) }),
  target: 13,
  check: (r) => assert.equal(inputCount(r.model, 'ReduceSum'), 2),
  roundTrip: true,
});
add({
  name: 'ReduceSum: no axes with noop_with_empty_axes=1 becomes Identity (13 down)',
  covers: ['ReduceSum@13 down'],
  source: one(13, 'ReduceSum', [X3], { noop_with_empty_axes: a.i(1) }),
  target: 12,
  check: (r) => assert.deepEqual(ops(r.model), ['Identity']),
});
for (const op of ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']) {
  add({
    name: `${op}: axes to input (18) and back`,
    covers: [`${op}@18 up`, `${op}@18 down`],
    source: model(17, { inputs: [X3], outputs: [['Y', F, undefined]], nodes: [n('Abs', ['X'], ['P']), n(op, ['P'], ['Y'], { axes: a.ints([0, 2]), keepdims: a.i(1) })] }),
    target: 18,
    check: (r) => assert.equal(inputCount(r.model, op), 2),
    roundTrip: true,
  });
}
add({
  name: 'Upsample: height_scale/width_scale to scales (7) and back',
  covers: ['Upsample@7 up', 'Upsample@7 down'],
  source: one(1, 'Upsample', [['X', F, [1, 1, 2, 3]]], { height_scale: a.f(2), width_scale: a.f(3), mode: a.s('nearest') }),
  target: 7,
  reference: one(13, 'Resize', [['X', F, [1, 1, 2, 3]], ['r', F, [0]], ['s', F, [4]]], { mode: a.s('nearest'), coordinate_transformation_mode: a.s('asymmetric'), nearest_mode: a.s('floor') }, undefined, [tensor('r', F, [0], []), tensor('s', F, [4], [1, 1, 2, 3])]),
  check: (r) => assert.ok(attribute(r.model, 'Upsample', 'scales')),
  roundTrip: true,
});
add({
  name: 'Upsample: scales attribute to input (9) and back',
  covers: ['Upsample@9 up', 'Upsample@9 down'],
  source: one(8, 'Upsample', [['X', F, [1, 1, 2, 3]]], { scales: a.floats([1, 1, 2, 3]), mode: a.s('nearest') }),
  target: 9,
  check: (r) => assert.equal(inputCount(r.model, 'Upsample'), 2),
  roundTrip: true,
});
add({
  name: 'Upsample replaced by Resize (10), Resize back to Upsample going down',
  covers: ['Upsample@10 up', 'Resize@10 down'],
  source: one(9, 'Upsample', [['X', F, [1, 1, 2, 3]], ['s', F, [4]]], { mode: a.s('linear') }, undefined, [tensor('s', F, [4], [1, 1, 2, 2])]),
  target: 10,
  check: (r) => assert.deepEqual(ops(r.model), ['Resize']),
  roundTrip: true,
});
for (const mode of ['nearest', 'linear']) {
  add({
    name: `Resize (${mode}): opset-10 behaviour written out (11) and back`,
    covers: ['Resize@11 up', 'Resize@11 down'],
    source: one(10, 'Resize', [['X', F, [1, 1, 3, 3]], ['s', F, [4]]], { mode: a.s(mode) }, undefined, [tensor('s', F, [4], [1, 1, 2, 1.5])]),
    target: 11,
    check: (r) => {
      assert.equal(new TextDecoder().decode(attribute(r.model, 'Resize', 'coordinate_transformation_mode')?.s ?? new Uint8Array()), 'asymmetric');
      assert.equal(inputCount(r.model, 'Resize'), 3);
    },
    roundTrip: true,
  });
}
add({
  name: 'Upsample at opset 7 to Resize at 13',
  covers: ['Upsample@9 up', 'Upsample@10 up', 'Resize@11 up', 'Resize@13 up'],
  source: one(7, 'Upsample', [['X', F, [1, 2, 2, 3]]], { scales: a.floats([1, 1, 3, 2]) }),
  target: 13,
  check: (r) => assert.deepEqual(ops(r.model), ['Resize']),
});
add({
  name: 'Resize: empty roi and scales written as empty tensors (13 down)',
  covers: ['Resize@13 down'],
  source: model(13, { inputs: [['X', F, [1, 1, 2, 2]]], outputs: [['Y', F, undefined]], initializers: [tensor('z', I64, [4], [1, 1, 4, 3])], nodes: [n('Resize', ['X', '', '', 'z'], ['Y'], { mode: a.s('nearest') })] }),
  target: 11,
  check: (r) => assert.equal(inputCount(r.model, 'Resize'), 4),
});
add({
  name: "Resize: 'half_pixel_symmetric' is refused below 19",
  covers: ['Resize@19 down'],
  source: model(19, { inputs: [['X', F, [1, 1, 2, 2]]], outputs: [['Y', F, undefined]], initializers: [tensor('s', F, [4], [1, 1, 2, 2])], nodes: [n('Resize', ['X', '', 's'], ['Y'], { coordinate_transformation_mode: a.s('half_pixel_symmetric'), mode: a.s('linear') })] }),
  target: 18,
  refuses: /half_pixel_symmetric' does not exist before opset 19/,
});
for (const nearest of ['floor', 'round_prefer_floor']) {
  add({
    name: `Resize: 'tf_half_pixel_for_nn' with nearest_mode '${nearest}' written as 'half_pixel' (13)`,
    covers: ['Resize@13 up'],
    source: model(11, {
      inputs: [['X', F, [1, 1, 4, 4]]], outputs: [['Y', F, undefined]],
      initializers: [tensor('r', F, [0], []), tensor('s', F, [0], []), tensor('z', I64, [4], [1, 1, 3, 2])],
      nodes: [n('Resize', ['X', 'r', 's', 'z'], ['Y'], { coordinate_transformation_mode: a.s('tf_half_pixel_for_nn'), nearest_mode: a.s(nearest) })],
    }),
    target: 13,
    check: (r) => assert.equal(new TextDecoder().decode(attribute(r.model, 'Resize', 'coordinate_transformation_mode')!.s!), 'half_pixel'),
  });
}
add({
  name: "Resize: 'tf_half_pixel_for_nn' with nearest_mode 'ceil' is refused from 13",
  covers: [],
  source: one(11, 'Resize', [['X', F, [1, 1, 2, 2]], ['r', F, [0]], ['s', F, [4]]], { coordinate_transformation_mode: a.s('tf_half_pixel_for_nn'), nearest_mode: a.s('ceil') }, undefined, [tensor('r', F, [0], []), tensor('s', F, [4], [1, 1, 2, 2])]),
  target: 13,
  refuses: /tf_half_pixel_for_nn' with nearest_mode 'ceil' was removed at opset 13/,
});
add({
  name: 'DFT: axis attribute to input (20) and back',
  covers: ['DFT@20 up', 'DFT@20 down'],
  source: one(17, 'DFT', [['X', F, [1, 8, 1]]], { axis: a.i(1) }, undefined, []),
  target: 20,
  check: (r) => assert.equal(inputCount(r.model, 'DFT'), 3),
  roundTrip: true,
});
add({
  name: 'Shape: start/end written as a Slice of the shape (15 down)',
  covers: ['Shape@15 down'],
  source: one(15, 'Shape', [X4], { start: a.i(1), end: a.i(-1) }, ['Y', I64, undefined]),
  target: 14,
  check: (r) => assert.deepEqual(ops(r.model), ['Shape', 'Slice']),
});

// ---- broadcasting ----

/** Inputs for an elementwise op by its element type; comparisons and logic give bool. */
const legacyOps: Array<[string, number, number]> = [
  ['Add', F, F], ['Sub', F, F], ['Mul', F, F], ['Div', F, F], ['Pow', F, F], ['And', BOOL, BOOL], ['Or', BOOL, BOOL], ['Xor', BOOL, BOOL],
  ['Equal', I64, BOOL], ['Greater', F, BOOL], ['Less', F, BOOL],
];
for (const [op, t, out] of legacyOps) {
  const A: GraphSpec['inputs'][number] = ['A', t, [2, 3, 4, 5]];
  const posA = op === 'Pow' ? [n('Abs', ['A'], ['PA'])] : [];
  const a0 = op === 'Pow' ? 'PA' : 'A';
  add({
    name: `${op}: broadcast along axis 1 written as numpy broadcasting (7)`,
    covers: [`${op}@7 up`],
    source: model(6, { inputs: [A, ['B', t, [3, 4]]], outputs: [['Y', out, undefined]], nodes: [...posA, n(op, [a0, 'B'], ['Y'], { broadcast: a.i(1), axis: a.i(1) })] }),
    target: 7,
    reference: model(13, {
      inputs: [A, ['B', t, [3, 4]]], outputs: [['Y', out, undefined]], initializers: [tensor('s', I64, [3], [3, 4, 1])],
      nodes: [...posA, n('Reshape', ['B', 's'], ['B3']), n(op, [a0, 'B3'], ['Y'])],
    }),
    check: (r) => assert.ok(has(r.model, 'Unsqueeze')),
  });
  add({
    name: `${op}: trailing broadcast=1 dropped (7) and written back`,
    covers: [`${op}@7 up`, `${op}@7 down`],
    source: model(6, { inputs: [A, ['B', t, [4, 5]]], outputs: [['Y', out, undefined]], nodes: [...posA, n(op, [a0, 'B'], ['Y'], { broadcast: a.i(1) })] }),
    target: 7,
    reference: model(13, { inputs: [A, ['B', t, [4, 5]]], outputs: [['Y', out, undefined]], nodes: [...posA, n(op, [a0, 'B'], ['Y'])] }),
    check: (r) => assert.equal(attribute(r.model, op, 'broadcast'), undefined),
    roundTrip: true,
  });
}
add({
  name: 'Add: a constant B aligned at axis 1 is reshaped in place of an Unsqueeze (7)',
  covers: ['Add@7 up'],
  source: model(6, { inputs: [X4], outputs: [['Y', F, undefined]], initializers: [tensor('B', F, [3], [1, 2, 3])], nodes: [n('Add', ['X', 'B'], ['Y'], { broadcast: a.i(1), axis: a.i(1) })] }),
  target: 13,
  reference: model(13, { inputs: [X4], outputs: [['Y', F, undefined]], initializers: [tensor('B', F, [3, 1, 1], [1, 2, 3])], nodes: [n('Add', ['X', 'B'], ['Y'])] }),
  check: (r) => {
    assert.deepEqual(ops(r.model), ['Add']);
    const b = r.model.graph!.initializer!.find((t) => t.name === r.model.graph!.node![0].input![1])!;
    assert.deepEqual(b.dims!.map(Number), [3, 1, 1]);
  },
});
add({
  name: 'Gemm: broadcast dropped (7) and written back',
  covers: ['Gemm@7 up', 'Gemm@7 down'],
  source: one(6, 'Gemm', [['A', F, [2, 3]], ['B', F, [3, 4]], ['C', F, [4]]], { broadcast: a.i(1), transB: a.i(0) }),
  target: 7,
  reference: one(13, 'Gemm', [['A', F, [2, 3]], ['B', F, [3, 4]], ['C', F, [4]]], {}),
  roundTrip: true,
});
add({
  name: 'Gemm: a missing C becomes a zero (11 down)',
  covers: ['Gemm@11 down'],
  source: one(11, 'Gemm', [['A', F, [2, 3]], ['B', F, [3, 4]]], { alpha: a.f(0.5) }),
  target: 10,
  check: (r) => assert.equal(inputCount(r.model, 'Gemm'), 3),
});
add({
  name: 'PRelu: per-channel slope given trailing axes (7) and written back',
  covers: ['PRelu@7 up', 'PRelu@7 down'],
  source: one(6, 'PRelu', [X4, ['S', F, [3]]], {}, undefined, [tensor('S', F, [3], [0.1, 0.2, 0.3])]),
  target: 7,
  reference: one(13, 'PRelu', [X4, ['S', F, [3, 1, 1]]], {}, undefined, [tensor('S', F, [3, 1, 1], [0.1, 0.2, 0.3])]),
  roundTrip: true,
});
for (const op of ['Max', 'Min', 'Mean', 'Sum']) {
  add({
    name: `${op}: same-shaped inputs go below 8`,
    covers: [`${op}@8 down`],
    source: one(8, op, [['A', F, [2, 3]], ['B', F, [2, 3]]], {}),
    target: 7,
  });
}
add({
  name: 'Max: broadcasting inputs are refused below 8',
  covers: [],
  source: one(8, 'Max', [['A', F, [2, 3]], ['B', F, [3]]], {}),
  target: 7,
  refuses: /its inputs must have one shape/,
});

// ---- normalization ----

const bnStats = (c: number, dims = [c]) => [tensor('s', F, dims, values(c, 2).map((v) => v + 1.5)), tensor('b', F, dims, values(c, 3)), tensor('m', F, dims, values(c, 4)), tensor('v', F, dims, values(c, 5).map((v) => v + 1.2))];
const bnInputs = (dims: number[]): GraphSpec['inputs'] => [['X', F, [2, 3, 4, 5]], ['s', F, dims], ['b', F, dims], ['m', F, dims], ['v', F, dims]];
add({
  name: 'BatchNormalization: consumed_inputs, is_test, spatial from opset 5 to 15 and back',
  covers: ['BatchNormalization@7 up', 'BatchNormalization@7 down', 'BatchNormalization@9 up', 'BatchNormalization@14 up', 'BatchNormalization@14 down'],
  source: one(5, 'BatchNormalization', bnInputs([3]), { consumed_inputs: a.ints([0, 0, 0, 1, 1]), is_test: a.i(1), spatial: a.i(1), epsilon: a.f(1e-3) }, undefined, bnStats(3)),
  target: 15,
  reference: one(15, 'BatchNormalization', bnInputs([3]), { epsilon: a.f(1e-3) }, undefined, bnStats(3)),
  check: (r) => assert.deepEqual(r.model.graph!.node![0].attribute!.map((x) => x.name), ['epsilon']),
  roundTrip: true,
});
add({
  name: 'BatchNormalization: spatial=0 written out as arithmetic (9)',
  covers: ['BatchNormalization@9 up'],
  source: one(8, 'BatchNormalization', bnInputs([3, 4, 5]), { spatial: a.i(0), epsilon: a.f(1e-3) }, undefined, bnStats(60, [3, 4, 5])),
  target: 9,
  check: (r) => assert.ok(!has(r.model, 'BatchNormalization')),
});
add({
  name: 'BatchNormalization: training outputs become training_mode=1 (14) and back',
  covers: ['BatchNormalization@14 up', 'BatchNormalization@14 down'],
  source: model(13, {
    inputs: bnInputs([3]), outputs: [['Y', F, [2, 3, 4, 5]], ['rm', F, [3]], ['rv', F, [3]]], initializers: bnStats(3),
    nodes: [n('BatchNormalization', ['X', 's', 'b', 'm', 'v'], ['Y', 'rm', 'rv', 'sm', 'sv'])],
  }),
  target: 14,
  check: (r) => {
    assert.equal(intOf(r.model, 'BatchNormalization', 'training_mode'), 1);
    assert.equal(r.model.graph!.node![0].output!.length, 3);
  },
  roundTrip: true,
  noRun: 'training mode: the statistics come from the batch, which onnxruntime runs only as a training kernel',
});
add({
  name: 'LayerNormalization written out for opsets before 17, with its mean and inverse deviation',
  covers: ['LayerNormalization@17 down'],
  source: model(17, {
    inputs: [X3], outputs: [['Y', F, undefined], ['M', F, undefined], ['R', F, undefined]], initializers: [tensor('g', F, [4], values(4, 7)), tensor('h', F, [4], values(4, 8))],
    nodes: [n('LayerNormalization', ['X', 'g', 'h'], ['Y', 'M', 'R'], { epsilon: a.f(1e-4) })],
  }),
  target: 16,
  check: (r) => assert.ok(!has(r.model, 'LayerNormalization')),
});
add({
  name: 'LayerNormalization over the last two axes, to opset 13',
  covers: ['LayerNormalization@17 down'],
  source: one(17, 'LayerNormalization', [X3, ['g', F, [3, 4]]], { axis: a.i(1) }, undefined, [tensor('g', F, [3, 4], values(12, 9))]),
  target: 13,
  check: (r) => assert.ok(has(r.model, 'ReduceMean')),
});
add({
  name: 'RMSNormalization written out for opsets before 23',
  covers: ['RMSNormalization@23 down'],
  source: one(23, 'RMSNormalization', [X3, ['g', F, [4]]], {}, undefined, [tensor('g', F, [4], values(4, 10))]),
  target: 22,
  check: (r) => assert.ok(!has(r.model, 'RMSNormalization')),
});
const gnX: GraphSpec['inputs'][number] = ['X', F, [2, 4, 3, 2]];
add({
  name: 'GroupNormalization (per group) written out for opsets before 18',
  covers: ['GroupNormalization@18 down'],
  source: one(18, 'GroupNormalization', [gnX, ['g', F, [2]], ['h', F, [2]]], { num_groups: a.i(2) }, undefined, [tensor('g', F, [2], [0.5, 1.5]), tensor('h', F, [2], [0.1, -0.2])]),
  target: 17,
  reference: one(21, 'GroupNormalization', [gnX, ['g', F, [4]], ['h', F, [4]]], { num_groups: a.i(2) }, undefined, [tensor('g', F, [4], [0.5, 0.5, 1.5, 1.5]), tensor('h', F, [4], [0.1, 0.1, -0.2, -0.2])]),
  check: (r) => assert.ok(!has(r.model, 'GroupNormalization')),
});
add({
  name: 'GroupNormalization: per-group scale spread over channels (21) and back',
  covers: ['GroupNormalization@21 up', 'GroupNormalization@21 down'],
  source: one(18, 'GroupNormalization', [gnX, ['g', F, [2]], ['h', F, [2]]], { num_groups: a.i(2) }, undefined, [tensor('g', F, [2], [0.5, 1.5]), tensor('h', F, [2], [0.1, -0.2])]),
  target: 21,
  reference: one(21, 'GroupNormalization', [gnX, ['g', F, [4]], ['h', F, [4]]], { num_groups: a.i(2) }, undefined, [tensor('g', F, [4], [0.5, 0.5, 1.5, 1.5]), tensor('h', F, [4], [0.1, 0.1, -0.2, -0.2])]),
  roundTrip: true,
});
add({
  name: 'GroupNormalization: a per-channel scale that differs within a group is written out going below 21',
  covers: ['GroupNormalization@21 down'],
  source: one(21, 'GroupNormalization', [gnX, ['g', F, [4]], ['h', F, [4]]], { num_groups: a.i(2) }, undefined, [tensor('g', F, [4], [0.5, 1, 1.5, 2]), tensor('h', F, [4], [0.1, 0.2, -0.2, 0])]),
  target: 20,
  check: (r) => assert.ok(!has(r.model, 'GroupNormalization')),
});

// ---- Softmax, LogSoftmax, Hardmax ----

for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
  add({
    name: `${op}: the last axis (13) and back`,
    covers: [`${op}@13 up`, `${op}@13 down`],
    source: one(12, op, [X3], { axis: a.i(2) }),
    target: 13,
    check: (r) => assert.deepEqual(ops(r.model), [op]),
    roundTrip: true,
  });
  add({
    name: `${op}: over every axis from 1 written as Flatten, ${op}, Reshape (13)`,
    covers: [`${op}@13 up`],
    source: one(11, op, [X4], {}),
    target: 13,
    check: (r) => assert.deepEqual(ops(r.model), ['Flatten', op, 'Shape', 'Reshape']),
  });
  add({
    name: `${op}: a rank shape inference does not know is written the safe way (13)`,
    covers: [`${op}@13 up`],
    // Our shape inference does not follow Einsum, so the rank of R is not known to the converter.
    source: model(12, { inputs: [X3], outputs: [['Y', F, undefined]], nodes: [n('Einsum', ['X'], ['R'], { equation: a.s('abc->abc') }), n(op, ['R'], ['Y'], { axis: a.i(-2) })] }),
    target: 13,
    check: (r) => assert.deepEqual(ops(r.model), ['Einsum', 'Flatten', op, 'Shape', 'Reshape']),
  });
  add({
    name: `${op}: one middle axis written with a Transpose pair (13 down)`,
    covers: [`${op}@13 down`],
    source: one(13, op, [X4], { axis: a.i(1) }),
    target: 12,
    check: (r) => assert.deepEqual(ops(r.model), ['Transpose', op, 'Transpose']),
  });
}
add({
  name: 'Softmax: one axis with the rank not known is refused going below 13',
  covers: [],
  source: one(13, 'Softmax', [['X', F, undefined]], { axis: a.i(1) }),
  target: 12,
  refuses: /the rank of 'X' is not known/,
});

// ---- negative axes (11) ----

const negative: Array<[string, GraphSpec['inputs'], Parameters<typeof n>[3], GraphSpec['outputs'][number]?, GraphSpec['initializers']?]> = [
  ['ArgMax', [X3], { axis: a.i(-1) }, ['Y', I64, undefined]],
  ['ArgMin', [X3], { axis: a.i(-2) }, ['Y', I64, undefined]],
  ['Compress', [X3, ['c', BOOL, [4]]], { axis: a.i(-1) }, undefined, [tensor('c', BOOL, [4], [1, 0, 1, 1])]],
  ['Concat', [X3, ['Z', F, [2, 3, 4]]], { axis: a.i(-1) }],
  ['Gather', [X3, ['i', I64, [2]]], { axis: a.i(-1) }, undefined, [tensor('i', I64, [2], [3, 0])]],
  ['Flatten', [X3], { axis: a.i(-1) }],
  ['Softmax', [X3], { axis: a.i(-1) }],
  ['LogSoftmax', [X3], { axis: a.i(-2) }],
  ['Hardmax', [X3], { axis: a.i(-1) }],
  ['Squeeze', [['X', F, [2, 3, 1]]], { axes: a.ints([-1]) }],
  ['Unsqueeze', [X2], { axes: a.ints([-1]) }],
  ['OneHot', [['X', I64, [3]], ['d', I64, []], ['v', F, [2]]], { axis: a.i(-2) }, undefined, [tensor('d', I64, [], [4]), tensor('v', F, [2], [0, 1])]],
];
for (const op of ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare']) {
  negative.push([op, [['X', F, [2, 3, 4]]], { axes: a.ints([-1, 0]) }]);
}
for (const [op, inputs, attrs, out, inits] of negative) {
  const positive = op.startsWith('Reduce') && /L1|L2|Log|Prod/.test(op);
  add({
    name: `${op}: a negative axis written from the rank (11 down)`,
    covers: [`${op}@11 down`],
    source: positive
      ? model(11, { inputs, outputs: [out ?? ['Y', F, undefined]], nodes: [n('Abs', ['X'], ['P']), n(op, ['P'], ['Y'], attrs)] })
      : one(11, op, inputs, attrs, out, inits ?? []),
    target: 10,
  });
}
add({
  name: 'Split: a negative axis written from the rank (11 down)',
  covers: ['Split@11 down'],
  source: model(11, { inputs: [X3], outputs: [['A', F, undefined], ['B', F, undefined]], nodes: [n('Split', ['X'], ['A', 'B'], { axis: a.i(-1) })] }),
  target: 10,
});
add({
  name: 'Slice: negative constant axes written from the rank (11 down)',
  covers: ['Slice@11 down'],
  source: one(11, 'Slice', [X3, ['s', I64, [1]], ['e', I64, [1]], ['ax', I64, [1]]], {}, undefined, [tensor('s', I64, [1], [1]), tensor('e', I64, [1], [3]), tensor('ax', I64, [1], [-1])]),
  target: 10,
});
const scanBody = (axis: number) => ({
  name: 'body', input: [{ name: 'acc', type: { tensorType: { elemType: F, shape: { dim: [{ dimValue: 2 }] } } } }, { name: 'x', type: { tensorType: { elemType: F, shape: { dim: [{ dimValue: 2 }] } } } }],
  output: [{ name: 'acc_out', type: { tensorType: { elemType: F, shape: { dim: [{ dimValue: 2 }] } } } }, { name: 'y', type: { tensorType: { elemType: F, shape: { dim: [{ dimValue: 2 }] } } } }],
  node: [n('Add', ['acc', 'x'], ['acc_out']), n('Identity', ['acc_out'], ['y'])],
  initializer: [], valueInfo: [], sparseInitializer: [], quantizationAnnotation: [], metadataProps: [], docString: `axis ${axis}`,
});
add({
  name: 'Scan: negative scan axes are refused going below 11; positive ones pass',
  covers: ['Scan@11 down'],
  source: model(11, {
    inputs: [['I', F, [2]], ['S', F, [3, 2]]], outputs: [['A', F, undefined], ['Y', F, undefined]],
    nodes: [n('Scan', ['I', 'S'], ['A', 'Y'], { body: a.g(scanBody(0)), num_scan_inputs: a.i(1), scan_input_axes: a.ints([0]) })],
  }),
  target: 10,
});
add({
  name: 'Scan: negative scan axes are refused going below 11',
  covers: [],
  source: model(11, {
    inputs: [['I', F, [2]], ['S', F, [3, 2]]], outputs: [['A', F, undefined], ['Y', F, undefined]],
    nodes: [n('Scan', ['I', 'S'], ['A', 'Y'], { body: a.g(scanBody(-2)), num_scan_inputs: a.i(1), scan_input_axes: a.ints([-2]) })],
  }),
  target: 10,
  refuses: /scan_input_axes count from the end/,
});
add({
  name: 'Scan: the batched form of opset 8 is refused going up',
  covers: ['Scan@9 up'],
  source: model(8, {
    inputs: [['I', F, [1, 2]], ['S', F, [1, 3, 2]]], outputs: [['A', F, [1, 2]], ['Y', F, [1, 3, 2]]],
    nodes: [n('Scan', ['', 'I', 'S'], ['A', 'Y'], { body: a.g(scanBody(0)), num_scan_inputs: a.i(1) })],
  }),
  target: 9,
  refuses: /Scan changed from batched to unbatched scanning at opset 9/,
});
add({
  name: 'Scan: the unbatched form is refused going below 9',
  covers: ['Scan@9 down'],
  source: model(9, {
    inputs: [['I', F, [2]], ['S', F, [3, 2]]], outputs: [['A', F, undefined], ['Y', F, undefined]],
    nodes: [n('Scan', ['I', 'S'], ['A', 'Y'], { body: a.g(scanBody(0)), num_scan_inputs: a.i(1) })],
  }),
  target: 8,
  refuses: /Scan changed from batched to unbatched scanning at opset 9/,
});

// ---- attribute forms ----

add({
  name: "Cast: to='INT32' written as 6 (6) and back",
  covers: ['Cast@6 up', 'Cast@6 down'],
  source: one(5, 'Cast', [X2], { to: a.s('INT32') }, ['Y', DataType.INT32, undefined]),
  target: 6,
  reference: one(13, 'Cast', [X2], { to: a.i(6) }, ['Y', DataType.INT32, undefined]),
  check: (r) => assert.equal(intOf(r.model, 'Cast', 'to'), 6),
  roundTrip: true,
});
add({
  name: 'Concat: axis=1 written out (4)',
  covers: ['Concat@4 up'],
  source: one(3, 'Concat', [X2, ['Z', F, [3, 4]]], {}),
  target: 4,
  reference: one(13, 'Concat', [X2, ['Z', F, [3, 4]]], { axis: a.i(1) }),
  check: (r) => assert.equal(intOf(r.model, 'Concat', 'axis'), 1),
});
add({
  name: 'Constant: value_floats written as a tensor value (12 down)',
  covers: ['Constant@12 down'],
  source: model(12, { inputs: [['X', F, [3]]], outputs: [['Y', F, undefined]], nodes: [n('Constant', [], ['c'], { value_floats: a.floats([1, 2, 3]) }), n('Add', ['X', 'c'], ['Y'])] }),
  target: 11,
  check: (r) => assert.equal(r.model.graph!.node![0].attribute![0].name, 'value'),
});
add({
  name: 'Constant: a sparse value written dense (11 down)',
  covers: ['Constant@11 down'],
  source: model(11, {
    inputs: [['X', F, [4]]], outputs: [['Y', F, undefined]],
    nodes: [
      n('Constant', [], ['c'], { sparse_value: { type: 11, sparseTensor: { values: tensor('vals', F, [2], [5, 7]), indices: tensor('idx', I64, [2], [1, 3]), dims: [4] } } }),
      n('Add', ['X', 'c'], ['Y']),
    ],
  }),
  target: 10,
  check: (r) => assert.equal(r.model.graph!.node![0].attribute![0].name, 'value'),
});
for (const op of ['LpPool', 'GlobalLpPool']) {
  add({
    name: `${op}: p written as an int (2) and back`,
    covers: [`${op}@2 up`, `${op}@2 down`],
    source: one(1, op, [['X', F, [1, 2, 4, 4]]], { p: a.f(2), ...(op === 'LpPool' ? { kernel_shape: a.ints([2, 2]) } : {}) }),
    target: 2,
    reference: one(13, op, [['X', F, [1, 2, 4, 4]]], { p: a.i(2), ...(op === 'LpPool' ? { kernel_shape: a.ints([2, 2]) } : {}) }),
    roundTrip: true,
  });
}
const gruInputs: GraphSpec['inputs'] = [['X', F, [2, 1, 3]], ['W', F, [1, 12, 3]], ['R', F, [1, 12, 4]]];
const gruWeights = [tensor('W', F, [1, 12, 3], values(36, 11)), tensor('R', F, [1, 12, 4], values(48, 12))];
add({
  name: 'GRU: direction written out (3) and output_sequence dropped (7), and back',
  covers: ['GRU@3 up', 'GRU@3 down', 'GRU@7 up', 'GRU@7 down'],
  source: model(1, { inputs: gruInputs, outputs: [['Y', F, undefined], ['H', F, undefined]], initializers: gruWeights, nodes: [n('GRU', ['X', 'W', 'R'], ['Y', 'H'], { hidden_size: a.i(4), output_sequence: a.i(1) })] }),
  target: 7,
  reference: model(7, { inputs: gruInputs, outputs: [['Y', F, undefined], ['H', F, undefined]], initializers: gruWeights, nodes: [n('GRU', ['X', 'W', 'R'], ['Y', 'H'], { hidden_size: a.i(4) })] }),
  roundTrip: true,
});
for (const [op, gates] of [['RNN', 1], ['LSTM', 4]] as const) {
  const h = 3;
  const w = [tensor('W', F, [1, gates * h, 3], values(gates * h * 3, 13)), tensor('R', F, [1, gates * h, h], values(gates * h * h, 14))];
  const ins: GraphSpec['inputs'] = [['X', F, [2, 1, 3]], ['W', F, [1, gates * h, 3]], ['R', F, [1, gates * h, h]]];
  add({
    name: `${op}: output_sequence dropped (7) and back`,
    covers: [`${op}@7 up`, `${op}@7 down`],
    source: model(6, { inputs: ins, outputs: [['Y', F, undefined]], initializers: w, nodes: [n(op, ['X', 'W', 'R'], ['Y'], { hidden_size: a.i(h), output_sequence: a.i(1) })] }),
    target: 7,
    reference: model(7, { inputs: ins, outputs: [['Y', F, undefined]], initializers: w, nodes: [n(op, ['X', 'W', 'R'], ['Y'], { hidden_size: a.i(h) })] }),
    roundTrip: true,
  });
}
add({
  name: "GridSample: mode 'bilinear' renamed 'linear' (20) and back",
  covers: ['GridSample@20 up', 'GridSample@20 down'],
  source: one(16, 'GridSample', [['X', F, [1, 1, 3, 3]], ['G', F, [1, 2, 2, 2]]], { align_corners: a.i(1) }),
  target: 20,
  roundTrip: true,
});
add({
  name: "RoiAlign: coordinate_transformation_mode='output_half_pixel' written (16) and back",
  covers: ['RoiAlign@16 up', 'RoiAlign@16 down'],
  source: one(10, 'RoiAlign', [['X', F, [1, 2, 4, 4]], ['rois', F, [1, 4]], ['bi', I64, [1]]], { output_height: a.i(2), output_width: a.i(2), sampling_ratio: a.i(2) }, undefined,
    [tensor('rois', F, [1, 4], [0.5, 0.5, 2.5, 3]), tensor('bi', I64, [1], [0])]),
  target: 16,
  roundTrip: true,
});
add({
  name: 'Scatter replaced by ScatterElements (11) and back',
  covers: ['Scatter@11 up', 'ScatterElements@11 down'],
  source: one(10, 'Scatter', [['D', F, [3, 3]], ['i', I64, [1, 3]], ['u', F, [1, 3]]], { axis: a.i(0) }, undefined, [tensor('i', I64, [1, 3], [1, 0, 2]), tensor('u', F, [1, 3], [7, 8, 9])]),
  target: 11,
  check: (r) => assert.deepEqual(ops(r.model), ['ScatterElements']),
  roundTrip: true,
});
for (const op of ['ScatterElements', 'ScatterND']) {
  const ins: GraphSpec['inputs'] = op === 'ScatterND' ? [['D', F, [4]], ['i', I64, [2, 1]], ['u', F, [2]]] : [['D', F, [4]], ['i', I64, [2]], ['u', F, [2]]];
  const inits = [tensor('i', I64, op === 'ScatterND' ? [2, 1] : [2], [1, 3]), tensor('u', F, [2], [5, 6])];
  add({ name: `${op}: reduction 'add' goes below 18`, covers: [`${op}@18 down`], source: one(18, op, ins, { reduction: a.s('add') }, undefined, inits), target: 17 });
  add({ name: `${op}: reduction 'max' is refused below 18`, covers: [], source: one(18, op, ins, { reduction: a.s('max') }, undefined, inits), target: 17, refuses: /reduction 'max' does not exist before opset 18/ });
}
add({
  name: 'Tile: tiles and axis written as repeats (6) and back',
  covers: ['Tile@6 up', 'Tile@6 down'],
  source: one(5, 'Tile', [X2, ['t', F, []], ['ax', F, []]], {}, undefined, [tensor('t', F, [], [2]), tensor('ax', F, [], [1])]),
  target: 6,
  reference: one(13, 'Tile', [X2, ['r', I64, [2]]], {}, undefined, [tensor('r', I64, [2], [1, 2])]),
  roundTrip: true,
});
add({
  name: 'OptionalHasElement: an empty input is refused below 18',
  covers: ['OptionalHasElement@18 down'],
  source: model(18, { inputs: [], outputs: [['Y', BOOL, []]], nodes: [n('OptionalHasElement', [''], ['Y'])] }),
  target: 17,
  refuses: /its input is empty/,
});
for (const op of ['QuantizeLinear', 'DequantizeLinear']) {
  const q = op === 'QuantizeLinear';
  const ins: GraphSpec['inputs'] = [['X', q ? F : DataType.UINT8, [3, 4]], ['sc', F, []], ['zp', DataType.UINT8, []]];
  const inits = [tensor('sc', F, [], [0.05]), tensor('zp', DataType.UINT8, [], [128])];
  add({ name: `${op}: per-tensor goes below 13 and back`, covers: [`${op}@13 down`], source: one(13, op, ins, {}, ['Y', q ? DataType.UINT8 : F, undefined], inits), target: 12, roundTrip: true });
  add({
    name: `${op}: per-axis is refused below 13`, covers: [],
    source: one(13, op, [ins[0], ['sc', F, [4]], ['zp', DataType.UINT8, [4]]], { axis: a.i(1) }, ['Y', q ? DataType.UINT8 : F, undefined], [tensor('sc', F, [4], [0.1, 0.2, 0.3, 0.4]), tensor('zp', DataType.UINT8, [4], [1, 2, 3, 4])]),
    target: 12, refuses: /per-axis quantization does not exist before opset 13/,
  });
}

// ---- newer ops written out ----

for (const [op, since, attrs] of [
  ['GreaterOrEqual', 12, {}], ['LessOrEqual', 12, {}], ['Celu', 12, { alpha: a.f(0.7) }], ['HardSwish', 14, {}], ['Mish', 18, {}],
  ['Gelu', 20, {}], ['Gelu', 20, { approximate: a.s('tanh') }], ['Swish', 24, { alpha: a.f(1.5) }],
] as const) {
  const binary = op.endsWith('Equal');
  add({
    name: `${op}${'approximate' in attrs ? ' (tanh)' : ''} written out for opsets before ${since}`,
    covers: [`${op}@${since} down`],
    source: one(since, op, binary ? [X3, ['Z', F, [2, 3, 4]]] : [X3], attrs, binary ? ['Y', BOOL, undefined] : undefined),
    target: since - 1,
    check: (r) => assert.ok(!has(r.model, op)),
  });
}
add({
  name: 'Trilu (upper, k=1) written as a Range mask for opsets before 14',
  covers: ['Trilu@14 down'],
  source: one(14, 'Trilu', [['X', F, [2, 3, 4]], ['k', I64, []]], {}, undefined, [tensor('k', I64, [], [1])]),
  target: 13,
  check: (r) => assert.ok(!has(r.model, 'Trilu')),
});
add({
  name: 'Trilu (lower) written as a Range mask for opsets before 14',
  covers: ['Trilu@14 down'],
  source: one(14, 'Trilu', [['X', F, [4, 3]]], { upper: a.i(0) }),
  target: 11,
  check: (r) => assert.ok(has(r.model, 'Range')),
});
add({
  name: 'CastLike written as Cast for opsets before 15',
  covers: ['CastLike@15 down'],
  source: one(15, 'CastLike', [X3, ['L', DataType.INT32, [1]]], {}, ['Y', DataType.INT32, undefined], [tensor('L', DataType.INT32, [1], [0])]),
  target: 14,
  check: (r) => assert.deepEqual(ops(r.model), ['Cast']),
});

// ---- dropout ----

add({
  name: 'Dropout: is_test=1 dropped (7) and back',
  covers: ['Dropout@7 up', 'Dropout@7 down'],
  source: one(6, 'Dropout', [X2], { is_test: a.i(1), ratio: a.f(0.3) }),
  target: 7,
  reference: model(13, { inputs: [X2], outputs: [['Y', F, undefined]], nodes: [n('Identity', ['X'], ['Y'])] }),
  roundTrip: true,
});
add({
  name: 'Dropout: is_test=0 (training) is refused from 7',
  covers: [],
  source: one(6, 'Dropout', [X2], { is_test: a.i(0) }),
  target: 7,
  refuses: /training mode \(is_test=0\)/,
});
add({
  name: 'Dropout: the float mask becomes bool (10) behind a Cast',
  covers: ['Dropout@10 up'],
  source: model(9, { inputs: [X2], outputs: [['Y', F, undefined], ['M', F, undefined]], nodes: [n('Dropout', ['X'], ['Y', 'M'])] }),
  target: 10,
  check: (r) => assert.deepEqual(ops(r.model), ['Dropout', 'Cast']),
});
add({
  // onnxruntime's Dropout kernels before opset 12 return a mask of zeros, where the spec keeps everything
  // outside training: the mask is written as ones, which is what onnxruntime gives from opset 12.
  name: 'Dropout: the bool mask written as ones going below 10',
  covers: ['Dropout@10 down', 'Dropout@12 down'],
  source: model(12, { inputs: [X2], outputs: [['Y', F, undefined], ['M', BOOL, undefined]], nodes: [n('Dropout', ['X'], ['Y', 'M'])] }),
  target: 9,
  check: (r) => assert.deepEqual(ops(r.model), ['Dropout', 'Shape', 'ConstantOfShape']),
});
add({
  name: 'Dropout: ratio to input (12) and back',
  covers: ['Dropout@12 up', 'Dropout@12 down'],
  source: one(11, 'Dropout', [X2], { ratio: a.f(0.2) }),
  target: 12,
  check: (r) => assert.equal(inputCount(r.model, 'Dropout'), 2),
  roundTrip: true,
});

// ---- the schema rules alone ----

add({
  name: 'consumed_inputs dropped at 6 (Add, Relu, Conv), and nothing written back where it is optional',
  covers: [],
  source: model(5, {
    inputs: [['X', F, [1, 2, 4, 4]]], outputs: [['Y', F, undefined]],
    initializers: [tensor('W', F, [3, 2, 3, 3], values(54, 21)), tensor('B', F, [1], [0.25])],
    nodes: [n('Conv', ['X', 'W'], ['C']), n('Add', ['C', 'B'], ['A'], { broadcast: a.i(1), consumed_inputs: a.ints([0, 0]) }), n('Relu', ['A'], ['Y'], { consumed_inputs: a.ints([1]) })],
  }),
  target: 13,
  reference: model(13, {
    inputs: [['X', F, [1, 2, 4, 4]]], outputs: [['Y', F, undefined]],
    initializers: [tensor('W', F, [3, 2, 3, 3], values(54, 21)), tensor('B', F, [1], [0.25])],
    nodes: [n('Conv', ['X', 'W'], ['C']), n('Add', ['C', 'B'], ['A']), n('Relu', ['A'], ['Y'])],
  }),
  check: (r) => assert.ok(r.model.graph!.node!.every((x) => !(x.attribute ?? []).some((y) => y.name === 'consumed_inputs'))),
  roundTrip: true,
});
add({
  name: 'Selu: the old default alpha and gamma written out (6)',
  covers: [],
  source: one(1, 'Selu', [X2], {}),
  target: 6,
  reference: one(13, 'Selu', [X2], { alpha: a.f(1.6732), gamma: a.f(1.0507) }),
  check: (r) => assert.ok(attribute(r.model, 'Selu', 'alpha')),
});
add({
  name: 'ArgMax: select_last_index=0 dropped going below 12',
  covers: [],
  source: one(12, 'ArgMax', [X3], { select_last_index: a.i(0) }, ['Y', I64, undefined]),
  target: 11,
  check: (r) => assert.equal(attribute(r.model, 'ArgMax', 'select_last_index'), undefined),
});
add({
  name: 'ArgMax: select_last_index=1 is refused going below 12',
  covers: [],
  source: one(12, 'ArgMax', [X3], { select_last_index: a.i(1) }, ['Y', I64, undefined]),
  target: 11,
  refuses: /its attribute select_last_index=1 has no equivalent before opset 12/,
});
add({
  name: 'Add: int8 inputs are refused going below 14',
  covers: [],
  source: one(14, 'Add', [['A', DataType.INT8, [3]], ['B', DataType.INT8, [3]]], {}, ['Y', DataType.INT8, undefined]),
  target: 13,
  refuses: /its input 'A' is int8, which Add does not take at opset 13/,
});
add({
  name: 'AveragePool: count_include_pad=1 is refused going below 7',
  covers: [],
  source: one(7, 'AveragePool', [['X', F, [1, 1, 4, 4]]], { kernel_shape: a.ints([2, 2]), count_include_pad: a.i(1) }),
  target: 6,
  refuses: /count_include_pad=1 has no equivalent before opset 7/,
});

export const adapterCases: readonly AdapterCase[] = cases;
