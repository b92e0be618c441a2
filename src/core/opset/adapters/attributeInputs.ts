// Attributes that became inputs (and back): Reshape's shape (5), Slice's starts/ends/axes (10), TopK's k
// (10), Pad's pads and value (11), Clip's min and max (11), the axes of Squeeze, Unsqueeze and ReduceSum
// (13) and of the other reductions (18), Split's split (13), Upsample's scales (9), DFT's axis (20).
// Going up, the attribute becomes a constant input; going down, the input must be a constant.
import { DataType, type NodeProto } from '../../model/proto.js';
import { fromFloat64 } from '../../model/tensorValues.js';
import { forOps, mergeTables, type AdapterTable } from '../adapter.js';
import type { NodeContext } from '../context.js';

function placeInput(ctx: NodeContext, index: number, name: string): void {
  const inputs = [...(ctx.node.input ?? [])];
  while (inputs.length <= index) inputs.push('');
  inputs[index] = name;
  ctx.setInputs(inputs);
}

function removeInputs(ctx: NodeContext, from: number): void {
  ctx.setInputs((ctx.node.input ?? []).slice(0, from));
}

/** An INTS attribute becomes an int64 input at `index`; returns whether there was one. */
export function intsToInput(ctx: NodeContext, attr: string, index: number, label = attr): boolean {
  const values = ctx.ints(attr);
  if (values === undefined) return false;
  ctx.drop(attr);
  const name = ctx.int64s(label, values);
  placeInput(ctx, index, name);
  ctx.note(`${attr} [${values.join(', ')}] moved from attribute to input '${name}'`);
  return true;
}

/** The constant values of input `index`, or a refusal: the older opset wants them as an attribute. */
export function constantInput(ctx: NodeContext, index: number, what: string): number[] | undefined {
  const name = ctx.input(index);
  if (!name) return undefined;
  const values = ctx.constantNumbers(name);
  if (!values) ctx.refuse(`its ${what} ('${name}') is computed at run time, and before opset ${ctx.step.opFrom} ${what} is an attribute`);
  return values;
}

/** Input `index` becomes an INTS attribute (it must be a constant); returns the values. */
export function inputToInts(ctx: NodeContext, index: number, attr: string): number[] | undefined {
  const values = constantInput(ctx, index, attr);
  if (values === undefined) return undefined;
  ctx.setInts(attr, values);
  const inputs = [...(ctx.node.input ?? [])];
  inputs[index] = '';
  ctx.setInputs(inputs);
  ctx.note(`${attr} [${values.join(', ')}] moved from input to attribute`);
  return values;
}

const reshape: AdapterTable = {
  Reshape: {
    5: {
      up: (ctx: NodeContext) => {
        if (!intsToInput(ctx, 'shape', 1)) ctx.refuse('it has no shape attribute');
      },
      down: (ctx: NodeContext) => {
        if (!inputToInts(ctx, 1, 'shape')) ctx.refuse('it has no shape input');
      },
    },
    14: {
      down: (ctx: NodeContext) => {
        if (!ctx.int('allowzero')) return;
        const shape = ctx.constantNumbers(ctx.input(1));
        if (!shape || shape.includes(0)) ctx.refuse('allowzero=1 has no equivalent before opset 14 unless its shape is a constant without 0');
        ctx.drop('allowzero');
        ctx.note('allowzero dropped (the shape has no 0)');
      },
    },
  },
};

const slice: AdapterTable = {
  Slice: {
    10: {
      up: (ctx: NodeContext) => {
        const starts = ctx.ints('starts');
        const ends = ctx.ints('ends');
        if (!starts || !ends) ctx.refuse('it lacks starts or ends');
        const axes = ctx.ints('axes');
        ctx.drop('starts', 'ends', 'axes');
        ctx.setInputs([ctx.input(0), ctx.int64s('starts', starts), ctx.int64s('ends', ends), axes ? ctx.int64s('axes', axes) : '']);
        ctx.note(`starts, ends${axes ? ', axes' : ''} moved from attributes to inputs`);
      },
      down: (ctx: NodeContext) => {
        const steps = constantInput(ctx, 4, 'steps');
        if (steps && steps.some((s) => s !== 1)) ctx.refuse(`steps [${steps.join(', ')}] have no equivalent before opset 10`);
        const starts = constantInput(ctx, 1, 'starts');
        const ends = constantInput(ctx, 2, 'ends');
        const axes = constantInput(ctx, 3, 'axes');
        ctx.setInts('starts', starts!);
        ctx.setInts('ends', ends!);
        if (axes) ctx.setInts('axes', axes);
        removeInputs(ctx, 1);
        ctx.note('starts, ends' + (axes ? ', axes' : '') + ' moved from inputs to attributes');
      },
    },
  },
};

const topK: AdapterTable = {
  TopK: {
    10: {
      up: (ctx: NodeContext) => {
        const k = ctx.int('k');
        if (k === undefined) ctx.refuse('it has no k attribute');
        ctx.drop('k');
        ctx.setInputs([ctx.input(0), ctx.int64s('k', [k])]);
        ctx.note(`k=${k} moved from attribute to input`);
      },
      down: (ctx: NodeContext) => {
        const k = constantInput(ctx, 1, 'k');
        if (!k || k.length !== 1) ctx.refuse('its k input is not a single constant');
        ctx.setInt('k', k[0]);
        removeInputs(ctx, 1);
        ctx.note(`k=${k[0]} moved from input to attribute`);
      },
    },
  },
};

/** Pad's constant value as a scalar of the data's element type. */
function padValue(ctx: NodeContext, value: number): string {
  const elemType = ctx.needElemType(ctx.input(0), `its value ${value} becomes an input of the data's type`);
  return ctx.addConstant('constant_value', { dtype: elemType, dims: [], data: fromFloat64(elemType, [value]) });
}

const pad: AdapterTable = {
  Pad: {
    2: {
      up: (ctx: NodeContext) => {
        const paddings = ctx.ints('paddings');
        if (!paddings) return;
        ctx.drop('paddings');
        ctx.setInts('pads', paddings);
        ctx.note('paddings renamed pads');
      },
      down: (ctx: NodeContext) => {
        const pads = ctx.ints('pads');
        if (!pads) return;
        ctx.drop('pads');
        ctx.setInts('paddings', pads);
        ctx.note('pads renamed paddings');
      },
    },
    11: {
      up: (ctx: NodeContext) => {
        const pads = ctx.ints('pads');
        if (!pads) ctx.refuse('it has no pads attribute');
        const value = ctx.float('value') ?? 0;
        ctx.drop('pads', 'value');
        ctx.setInputs([ctx.input(0), ctx.int64s('pads', pads), value !== 0 ? padValue(ctx, value) : '']);
        ctx.note(`pads${value !== 0 ? ' and value' : ''} moved from attributes to inputs`);
      },
      down: (ctx: NodeContext) => {
        const pads = constantInput(ctx, 1, 'pads');
        if (!pads) ctx.refuse('it has no pads input');
        const value = constantInput(ctx, 2, 'constant_value');
        if (value && value.length !== 1) ctx.refuse('its constant_value is not a scalar');
        ctx.setInts('pads', pads);
        if (value && value[0] !== 0) ctx.setFloat('value', value[0]);
        removeInputs(ctx, 1);
        ctx.note(`pads${value ? ' and constant_value' : ''} moved from inputs to attributes`);
      },
    },
    18: {
      down: (ctx: NodeContext) => {
        const axesName = ctx.input(3);
        if (!axesName) return;
        const axes = constantInput(ctx, 3, 'axes')!;
        const rank = ctx.needRank(ctx.input(0), 'its pads cover only some axes');
        const pads = constantInput(ctx, 1, 'pads');
        if (!pads) ctx.refuse('its pads input is computed at run time and covers only some axes');
        const full = new Array<number>(2 * rank).fill(0);
        axes.forEach((a, k) => {
          const axis = a < 0 ? a + rank : a;
          full[axis] = pads[k];
          full[axis + rank] = pads[k + axes.length];
        });
        const inputs = [...(ctx.node.input ?? [])];
        inputs[1] = ctx.int64s('pads', full);
        inputs[3] = '';
        ctx.setInputs(inputs);
        ctx.note(`pads over axes [${axes.join(', ')}] written for every axis`);
      },
    },
  },
};

const clip: AdapterTable = {
  Clip: {
    11: {
      up: (ctx: NodeContext) => {
        const min = ctx.float('min');
        const max = ctx.float('max');
        ctx.drop('min', 'max');
        const bound = (value: number | undefined, label: string) => {
          if (value === undefined) return '';
          const elemType = ctx.needElemType(ctx.input(0), `its ${label} becomes an input of the input's type`);
          return ctx.addConstant(label, { dtype: elemType, dims: [], data: fromFloat64(elemType, [value]) });
        };
        ctx.setInputs([ctx.input(0), bound(min, 'min'), bound(max, 'max')]);
        if (min !== undefined || max !== undefined) ctx.note('min/max moved from attributes to inputs');
      },
      down: (ctx: NodeContext) => {
        const min = constantInput(ctx, 1, 'min');
        const max = constantInput(ctx, 2, 'max');
        if ((min && min.length !== 1) || (max && max.length !== 1)) ctx.refuse('its min or max is not a scalar');
        if (min) ctx.setFloat('min', min[0]);
        if (max) ctx.setFloat('max', max[0]);
        removeInputs(ctx, 1);
        if (min || max) ctx.note('min/max moved from inputs to attributes');
      },
    },
  },
};

const axesToInput: AdapterTable[string][number] = {
  up: (ctx: NodeContext) => {
    intsToInput(ctx, 'axes', 1);
  },
  down: (ctx: NodeContext) => {
    inputToInts(ctx, 1, 'axes');
  },
};

/** Reductions: axes become an input, and noop_with_empty_axes says what no axes mean. */
const reduceAxes: AdapterTable[string][number] = {
  up: (ctx: NodeContext) => {
    intsToInput(ctx, 'axes', 1);
  },
  down: (ctx: NodeContext) => {
    const noop = ctx.int('noop_with_empty_axes') === 1;
    ctx.drop('noop_with_empty_axes');
    const axes = ctx.input(1) ? constantInput(ctx, 1, 'axes')! : [];
    if (axes.length === 0 && noop) {
      // No axes with noop_with_empty_axes=1 leaves the data as it is.
      ctx.node.opType = 'Identity';
      ctx.node.attribute = [];
      ctx.setInputs([ctx.input(0)]);
      ctx.note('no axes with noop_with_empty_axes=1: replaced by Identity');
      return;
    }
    if (axes.length > 0) inputToInts(ctx, 1, 'axes');
    else removeInputs(ctx, 1);
  },
};

const reductions = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

const split: AdapterTable = {
  Split: {
    2: {
      up: (ctx: NodeContext) => {
        const sizes = constantInput(ctx, 1, 'split');
        if (sizes === undefined) return;
        ctx.setInts('split', sizes);
        removeInputs(ctx, 1);
        ctx.note('split moved from input to attribute');
      },
    },
    13: {
      up: (ctx: NodeContext) => {
        intsToInput(ctx, 'split', 1);
      },
      down: (ctx: NodeContext) => {
        inputToInts(ctx, 1, 'split');
      },
    },
    18: {
      up: (ctx: NodeContext) => {
        if (ctx.input(1) || ctx.has('num_outputs')) return;
        const n = (ctx.node.output ?? []).length;
        ctx.setInt('num_outputs', n);
        ctx.note(`num_outputs=${n} written (opset 18 asks for it where split is not given)`);
      },
      down: (ctx: NodeContext) => {
        const n = ctx.int('num_outputs');
        if (n === undefined) return;
        ctx.drop('num_outputs');
        const x = ctx.shape(ctx.input(0));
        const rank = x?.length;
        const axisRaw = ctx.int('axis') ?? 0;
        const d = rank !== undefined ? x![axisRaw < 0 ? axisRaw + rank : axisRaw] : undefined;
        if (typeof d === 'number' && d % n !== 0) {
          // Uneven: the last chunk is smaller; opset 13 needs the sizes spelled out.
          const chunk = Math.ceil(d / n);
          const sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - chunk * i)));
          placeInput(ctx, 1, ctx.int64s('split', sizes));
          ctx.note(`num_outputs=${n} of ${d} written as split [${sizes.join(', ')}]`);
        } else {
          ctx.note(`num_outputs=${n} dropped (an even split of ${typeof d === 'number' ? d : 'a dimension known only at run time'})`);
        }
      },
    },
  },
};

const upsampleScales: AdapterTable = {
  Upsample: {
    7: {
      up: (ctx: NodeContext) => {
        const h = ctx.float('height_scale');
        const w = ctx.float('width_scale');
        if (h === undefined || w === undefined) ctx.refuse('it lacks height_scale or width_scale');
        ctx.drop('height_scale', 'width_scale');
        ctx.setFloats('scales', [1, 1, h, w]);
        ctx.note(`height_scale/width_scale written as scales [1, 1, ${h}, ${w}]`);
      },
      down: (ctx: NodeContext) => {
        const scales = ctx.floats('scales');
        if (!scales || scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1) ctx.refuse('opset 1 scales only the last two axes of a 4-D input');
        ctx.drop('scales');
        ctx.setFloat('height_scale', scales[2]);
        ctx.setFloat('width_scale', scales[3]);
        ctx.note('scales written as height_scale/width_scale');
      },
    },
    9: {
      up: (ctx: NodeContext) => {
        const scales = ctx.floats('scales');
        if (!scales) ctx.refuse('it has no scales attribute');
        ctx.drop('scales');
        ctx.setInputs([ctx.input(0), ctx.addConstant('scales', { dtype: DataType.FLOAT, dims: [scales.length], data: Float32Array.from(scales) })]);
        ctx.note('scales moved from attribute to input');
      },
      down: (ctx: NodeContext) => {
        const scales = constantInput(ctx, 1, 'scales');
        if (!scales) ctx.refuse('it has no scales input');
        ctx.setFloats('scales', scales);
        removeInputs(ctx, 1);
        ctx.note('scales moved from input to attribute');
      },
    },
  },
};

const dft: AdapterTable = {
  DFT: {
    20: {
      up: (ctx: NodeContext) => {
        // The default moved from 1 to -2: the old one is written out.
        const axis = ctx.int('axis') ?? 1;
        ctx.drop('axis');
        placeInput(ctx, 2, ctx.int64s('axis', [axis], true));
        ctx.note(`axis=${axis} moved from attribute to input`);
      },
      down: (ctx: NodeContext) => {
        const given = ctx.input(2) ? constantInput(ctx, 2, 'axis') : [-2];
        let axis = given![0];
        if (axis < 0) axis += ctx.needRank(ctx.input(0), `its axis ${axis} counts from the end`);
        ctx.setInt('axis', axis);
        removeInputs(ctx, 2);
        ctx.note(`axis=${axis} moved from input to attribute`);
      },
    },
  },
};

const shape: AdapterTable = {
  Shape: {
    15: {
      down: (ctx: NodeContext) => {
        const start = ctx.int('start') ?? 0;
        const end = ctx.int('end');
        ctx.drop('start', 'end');
        if (start === 0 && end === undefined) return;
        // Shape of the whole tensor, then the slice the attributes asked for.
        const { original, renamed } = ctx.redirectOutput(0);
        const slice: NodeProto = ctx.make('Slice', [renamed, ctx.int64s('starts', [start]), ctx.int64s('ends', [end ?? Number.MAX_SAFE_INTEGER]), ctx.int64s('axes', [0])], [], [original]);
        ctx.insertAfter(slice);
        ctx.note(`start/end written as a Slice of the whole shape`);
      },
    },
  },
};

export const attributeInputAdapters: AdapterTable = mergeTables(
  reshape, slice, topK, pad, clip, split, upsampleScales, dft, shape,
  forOps(['Squeeze', 'Unsqueeze'], 13, axesToInput),
  forOps(['ReduceSum'], 13, reduceAxes),
  forOps(reductions, 18, reduceAxes),
);
