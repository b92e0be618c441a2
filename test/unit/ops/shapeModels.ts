// Models with symbolic dims whose every intermediate shape onnxruntime reports, for the shape inference
// tests: convolutions and pooling with pads/strides/dilations/auto_pad/ceil_mode, exporter-style Shape
// chains into Reshape, slices, joins, reductions (both opset forms of their axes), If and Loop.
import { DataType, onnx, type ModelProto } from '../../../src/core/model/proto.js';
import { f32, i64, model, node, seq, valueInfo } from '../transforms/foldModels.js';

export interface ShapeCase {
  name: string;
  model: ModelProto;
  /** Sizes for the symbols, one run each. */
  bindings: Array<Record<string, number>>;
  /** Extra inputs that are not float tensors of the symbolic shape (If conditions). */
  feeds?: (binding: Record<string, number>, run: number) => Record<string, { dtype: number; dims: number[]; data: Uint8Array | Float32Array | BigInt64Array }>;
  /** Node outputs whose shape inference cannot fully know (and why), checked to stay exactly these. */
  partial?: Record<string, string>;
  /** Shapes expected as text, for a few values. */
  expect?: Record<string, Array<number | string | null>>;
}

const weights = (name: string, dims: number[]) => f32(name, dims, seq(dims.reduce((n, d) => n * d, 1), 0.01));

/** Stem, strided, SAME and dilated VALID convolutions, pools with ceil_mode and pads, a transposed conv, Resize. */
function convolutions(): ShapeCase {
  return {
    name: 'convolutions',
    model: model({
      input: [valueInfo('x', DataType.FLOAT, ['N', 3, 'H', 'W'])],
      output: [valueInfo('y', DataType.FLOAT)],
      initializer: [
        weights('w1', [8, 3, 3, 3]), weights('w2', [8, 8, 3, 3]), weights('w3', [4, 8, 3, 3]), weights('w4', [4, 2, 4, 4]),
        f32('scales', [4], [1, 1, 2, 2]), f32('roi', [0], []), i64('zero', [1], [0]), i64('two', [1], [2]), i64('small', [2], [5, 6]),
      ],
      node: [
        node('Conv', ['x', 'w1'], ['c1'], { pads: [1, 1, 1, 1], strides: [2, 2] }),
        node('Conv', ['c1', 'w2'], ['c2'], { auto_pad: 'SAME_UPPER', strides: [2, 2] }),
        node('Conv', ['c2', 'w3'], ['c3'], { auto_pad: 'VALID', dilations: [2, 2] }),
        node('MaxPool', ['c3'], ['p1'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
        node('AveragePool', ['p1'], ['p2'], { kernel_shape: [2, 2], pads: [0, 0, 1, 1] }),
        node('ConvTranspose', ['p2', 'w4'], ['t1'], { strides: [2, 2], pads: [1, 1, 1, 1] }),
        node('Resize', ['t1', 'roi', 'scales'], ['r1'], { mode: 'nearest' }),
        node('GlobalAveragePool', ['r1'], ['g1']),
        node('Flatten', ['g1'], ['y']),
        // Resize to sizes made from the input's own Shape: batch and channels kept, a fixed image size.
        node('Shape', ['c1'], ['c1_shape']),
        node('Slice', ['c1_shape', 'zero', 'two'], ['c1_nc']),
        node('Concat', ['c1_nc', 'small'], ['sizes'], { axis: 0 }),
        node('Resize', ['c1', '', '', 'sizes'], ['r2'], { mode: 'nearest' }),
      ],
    }),
    bindings: [{ N: 1, H: 32, W: 32 }, { N: 2, H: 37, W: 45 }],
    expect: {
      r2: ['N', 8, 5, 6],
      c2: ['N', 8, 'floor((H + 3)/4)', 'floor((W + 3)/4)'],
      c1: ['N', 8, 'floor((H + 1)/2)', 'floor((W + 1)/2)'],
      y: ['N', 2],
    },
  };
}

/**
 * torch's F.pad, scripted: the pads are built at run time as [begin, end] pairs in torch's order, reshaped
 * to [n, 2], reversed along the rows and transposed into ONNX's order. Reflect Pad then a strided Conv.
 */
function torchPads(): ShapeCase {
  return {
    name: 'torch pads built at run time',
    model: model({
      input: [valueInfo('x', DataType.FLOAT, ['N', 'T'])],
      output: [valueInfo('y', DataType.FLOAT)],
      initializer: [
        weights('w', [4, 1, 16]), i64('one', [1], [1]), i64('zero', [1], [0]), i64('pair', [2], [3, 5]), i64('six', [], [6]),
        i64('rows', [2], [-1, 2]), i64('minus1', [1], [-1]), i64('lowest', [1], [-9223372036854775807]), i64('flat', [1], [-1]),
      ],
      node: [
        node('Unsqueeze', ['x', 'one'], ['x3']),
        node('Shape', ['pair'], ['pair_shape']),
        node('Gather', ['pair_shape', 'zero'], ['pair_len'], { axis: 0 }),
        node('Sub', ['six', 'pair_len'], ['rest']),
        node('ConstantOfShape', ['rest'], ['zeros'], { value: i64('', [1], [0]) }),
        node('Concat', ['pair', 'zeros'], ['torch_pads'], { axis: 0 }),
        node('Reshape', ['torch_pads', 'rows'], ['by_dim']),
        node('Slice', ['by_dim', 'minus1', 'lowest', 'zero', 'minus1'], ['reversed']),
        node('Transpose', ['reversed'], ['onnx_order'], { perm: [1, 0] }),
        node('Reshape', ['onnx_order', 'flat'], ['pads']),
        node('Pad', ['x3', 'pads'], ['padded'], { mode: 'reflect' }),
        node('Conv', ['padded', 'w'], ['y'], { strides: [8] }),
      ],
    }),
    bindings: [{ N: 1, T: 40 }, { N: 3, T: 97 }],
    expect: {
      padded: ['N', 1, 'T + 8'],
      y: ['N', 4, 'floor(T/8)'],
    },
  };
}

/** What exporters write around attention: Shape -> Gather -> Unsqueeze -> Concat -> Reshape, and friends. */
function exporterChains(): ShapeCase {
  return {
    name: 'exporter chains (opset 17)',
    model: model({
      input: [valueInfo('x', DataType.FLOAT, ['B', 'S', 32])],
      output: [valueInfo('y', DataType.FLOAT)],
      initializer: [
        i64('zero', [], [0]), i64('one', [], [1]), i64('axes0', [1], [0]), i64('heads', [1], [4]), i64('width', [1], [8]),
        i64('merge', [3], [0, 0, -1]), i64('s1', [1], [1]), i64('end', [1], [2 ** 53]), i64('ax1', [1], [1]), i64('m1', [1], [-1]),
        i64('step2', [1], [2]), i64('split', [2], [12, 20]), i64('pick', [2], [0, 2]), i64('reps', [3], [1, 2, 1]),
        i64('pads', [6], [0, 1, 0, 0, 2, 0]), i64('k', [1], [2]), i64('ax2', [1], [2]), f32('half', [], [0.5]), i64('delta', [], [2]),
      ],
      node: [
        node('Shape', ['x'], ['shape']),
        node('Gather', ['shape', 'zero'], ['b'], { axis: 0 }),
        node('Gather', ['shape', 'one'], ['s'], { axis: 0 }),
        node('Unsqueeze', ['b', 'axes0'], ['b1']),
        node('Unsqueeze', ['s', 'axes0'], ['s1v']),
        node('Concat', ['b1', 's1v', 'heads', 'width'], ['target'], { axis: 0 }),
        node('Reshape', ['x', 'target'], ['heads4']),
        node('Transpose', ['heads4'], ['q'], { perm: [0, 2, 1, 3] }),
        node('Transpose', ['heads4'], ['kT'], { perm: [0, 2, 3, 1] }),
        node('MatMul', ['q', 'kT'], ['scores']),
        node('Softmax', ['scores'], ['probs'], { axis: -1 }),
        node('MatMul', ['probs', 'q'], ['context']),
        node('Transpose', ['context'], ['context_t'], { perm: [0, 2, 1, 3] }),
        node('Reshape', ['context_t', 'merge'], ['merged']),
        node('Constant', [], ['zero1'], { value: i64('zero1', [1], [0]) }),
        node('Slice', ['merged', 's1', 'end', 'ax1'], ['tail']),
        node('Slice', ['merged', 'zero1', 'm1', 'ax1'], ['head']),
        node('Slice', ['merged', 'zero1', 'end', 'ax1', 'step2'], ['even']),
        node('Sub', ['s1v', 's1'], ['s_minus']),
        node('Slice', ['merged', 'zero1', 's_minus', 'ax1'], ['upto']),
        node('Concat', ['tail', 'head'], ['joined'], { axis: 1 }),
        node('Split', ['merged', 'split'], ['part_a', 'part_b'], { axis: 2 }),
        node('Gather', ['merged', 'pick'], ['picked'], { axis: 1 }),
        node('ConstantOfShape', ['shape'], ['zeros'], { value: f32('v', [1], [0]) }),
        node('Expand', ['half', 'shape'], ['halves']),
        node('Range', ['zero', 's', 'one'], ['positions']),
        node('Range', ['zero', 's', 'delta'], ['evens']),
        node('Greater', ['merged', 'zeros'], ['positive']),
        node('Where', ['positive', 'merged', 'halves'], ['chosen']),
        node('ReduceMean', ['chosen'], ['mean'], { axes: [-1], keepdims: 1 }),
        node('ReduceSum', ['chosen', 'ax2'], ['total'], { keepdims: 0 }),
        node('Tile', ['chosen', 'reps'], ['tiled']),
        node('Pad', ['chosen', 'pads'], ['padded']),
        node('TopK', ['chosen', 'k'], ['top', 'top_i'], { axis: -1 }),
        node('Cast', ['top_i'], ['top_f'], { to: DataType.FLOAT }),
        node('Einsum', ['merged', 'merged'], ['gram'], { equation: 'bsd,btd->bst' }),
        node('Squeeze', ['mean', 'm1'], ['mean_sq']),
        node('Unsqueeze', ['mean_sq', 'axes0'], ['mean_un']),
        node('Size', ['merged'], ['count']),
        node('Cast', ['count'], ['count_f'], { to: DataType.FLOAT }),
        node('Mul', ['mean_un', 'count_f'], ['scaled']),
        node('Identity', ['merged'], ['y']),
      ],
    }),
    bindings: [{ B: 1, S: 5 }, { B: 3, S: 8 }],
    expect: {
      heads4: ['B', 'S', 4, 8],
      merged: ['B', 'S', 32],
      tail: ['B', 'S - 1', 32],
      even: ['B', 'floor((S + 1)/2)', 32],
      joined: ['B', '2*S - 2', 32],
      evens: ['floor((S + 1)/2)'],
      tiled: ['B', '2*S', 32],
      padded: ['B', 'S + 3', 32],
      gram: ['B', 'S', 'S'],
    },
  };
}

/** The opset 11 forms: axes and split sizes as attributes. */
function opset11Forms(): ShapeCase {
  return {
    name: 'opset 11 attribute forms',
    model: model({
      input: [valueInfo('x', DataType.FLOAT, ['B', 'S', 6])],
      output: [valueInfo('y', DataType.FLOAT)],
      initializer: [i64('starts', [1], [-2]), i64('ends', [1], [2 ** 31 - 1]), i64('axes', [1], [1])],
      node: [
        node('Unsqueeze', ['x'], ['u'], { axes: [0, 3] }),
        node('Squeeze', ['u'], ['sq'], { axes: [0] }),
        node('Split', ['sq'], ['a', 'b'], { axis: 3, split: [2, 4] }),
        node('ReduceSum', ['b'], ['rs'], { axes: [3], keepdims: 1 }),
        node('Slice', ['rs', 'starts', 'ends', 'axes'], ['last2']),
        node('Flatten', ['last2'], ['y'], { axis: 2 }),
      ],
    }, 11),
    bindings: [{ B: 2, S: 3 }, { B: 1, S: 7 }],
    expect: { sq: ['B', 'S', 1, 6], last2: ['B', 'Min(2, S)', 1, 1], y: ['B*Min(2, S)', 1] },
  };
}

/** The opset 18 forms: reduction axes as an input, Split's num_outputs. */
function opset18Forms(): ShapeCase {
  return {
    name: 'opset 18 input forms',
    model: model({
      input: [valueInfo('x', DataType.FLOAT, ['B', 'S', 6])],
      output: [valueInfo('y', DataType.FLOAT)],
      initializer: [i64('ax', [1], [1])],
      node: [
        node('ReduceMax', ['x', 'ax'], ['m'], { keepdims: 1 }),
        node('Split', ['m'], ['p', 'q', 'r'], { axis: 2, num_outputs: 3 }),
        node('Concat', ['p', 'q', 'r'], ['y'], { axis: 1 }),
      ],
    }, 18),
    bindings: [{ B: 2, S: 3 }, { B: 1, S: 4 }],
    expect: { p: ['B', 1, 2], y: ['B', 3, 2] },
  };
}

/** If with a condition only known at run time, Loop with a fixed trip count. */
function controlFlow(): ShapeCase {
  const thenBranch = onnx.GraphProto.create({
    name: 'then', output: [valueInfo('then_same', DataType.FLOAT), valueInfo('then_cut', DataType.FLOAT)],
    initializer: [i64('t_start', [1], [0]), i64('t_end', [1], [1]), i64('t_axes', [1], [1])],
    node: [node('Relu', ['x'], ['then_same']), node('Slice', ['x', 't_start', 't_end', 't_axes'], ['then_cut'])],
  });
  const elseBranch = onnx.GraphProto.create({
    name: 'else', output: [valueInfo('else_same', DataType.FLOAT), valueInfo('else_cut', DataType.FLOAT)],
    node: [node('Neg', ['x'], ['else_same']), node('Identity', ['x'], ['else_cut'])],
  });
  const body = onnx.GraphProto.create({
    name: 'body',
    input: [valueInfo('i', DataType.INT64, []), valueInfo('cond_in', DataType.BOOL, []), valueInfo('v', DataType.FLOAT)],
    output: [valueInfo('cond_out', DataType.BOOL), valueInfo('v_out', DataType.FLOAT), valueInfo('scan', DataType.FLOAT)],
    node: [node('Identity', ['cond_in'], ['cond_out']), node('Add', ['v', 'v'], ['v_out']), node('Identity', ['v'], ['scan'])],
  });
  return {
    name: 'control flow',
    model: model({
      input: [valueInfo('x', DataType.FLOAT, ['B', 'S', 4]), valueInfo('flag', DataType.BOOL, [])],
      output: [valueInfo('same', DataType.FLOAT), valueInfo('cut', DataType.FLOAT), valueInfo('last', DataType.FLOAT), valueInfo('stacked', DataType.FLOAT)],
      initializer: [i64('trips', [], [3])],
      node: [
        node('If', ['flag'], ['same', 'cut'], { then_branch: thenBranch, else_branch: elseBranch }),
        node('Loop', ['trips', '', 'x'], ['last', 'stacked'], { body }),
      ],
    }),
    bindings: [{ B: 2, S: 3 }, { B: 1, S: 5 }],
    feeds: (_, run) => ({ flag: { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(run % 2) } }),
    partial: { cut: 'the branches make [B,1,4] and [B,S,4]: axis 1 depends on the condition' },
    expect: { same: ['B', 'S', 4], cut: ['B', 'unk__0', 4], last: ['B', 'S', 4], stacked: [3, 'B', 'S', 4] },
  };
}

/** Sizes only the data decides (NonZero): one fresh symbol follows them through the graph. */
function dataDependent(): ShapeCase {
  const why = 'how many elements are positive';
  return {
    name: 'data-dependent sizes',
    model: model({
      input: [valueInfo('x', DataType.FLOAT, ['N', 4])],
      output: [valueInfo('zeros', DataType.FLOAT)],
      initializer: [f32('zero', [], [0])],
      node: [
        node('Greater', ['x', 'zero'], ['positive']),
        node('NonZero', ['positive'], ['where']),
        node('Transpose', ['where'], ['indices'], { perm: [1, 0] }),
        node('GatherND', ['x', 'indices'], ['picked']),
        node('Relu', ['picked'], ['relu']),
        node('Add', ['relu', 'picked'], ['sum']),
        node('Concat', ['sum', 'picked'], ['both'], { axis: 0 }),
        node('Shape', ['both'], ['size']),
        node('ConstantOfShape', ['size'], ['zeros'], { value: f32('v', [1], [0]) }),
      ],
    }),
    bindings: [{ N: 3 }, { N: 17 }],
    partial: { where: why, indices: why, picked: why, relu: why, sum: why, both: why, zeros: why },
    expect: { where: [2, 'unk__0'], indices: ['unk__0', 2], sum: ['unk__0'], both: ['2*unk__0'], zeros: ['2*unk__0'] },
  };
}

export function shapeCases(): ShapeCase[] {
  return [convolutions(), exporterChains(), opset11Forms(), opset18Forms(), controlFlow(), dataDependent(), torchPads()];
}
