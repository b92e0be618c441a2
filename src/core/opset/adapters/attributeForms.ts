// Steps where an attribute changed its form or its set of values: Cast's `to` (a name before 6), Concat's
// axis (required from 4), Constant's value forms (11, 12), LpPool's p (an int from 2), GRU's direction
// default (a typo before 3), the RNNs' output_sequence (gone at 7), GridSample's mode names (20),
// RoiAlign's coordinate mode (16), Pad's wrap mode (19), the Scatter reductions (18), per-axis
// quantization (13).
import { DataType, int64ToNumber } from '../../model/proto.js';
import { fromFloat64, sparseToDense } from '../../model/tensorValues.js';
import { AttributeType, onnx } from '../../model/proto.js';
import { constantNodeTensor } from '../../model/tensorValues.js';
import { forOps, mergeTables, type AdapterTable } from '../adapter.js';
import type { NodeContext } from '../context.js';

const dataTypeNames: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]),
);

const cast: AdapterTable = {
  Cast: {
    6: {
      up: (ctx: NodeContext) => {
        const name = ctx.string('to');
        if (name === undefined) return;
        const id = (DataType as unknown as Record<string, number>)[name.toUpperCase()];
        if (typeof id !== 'number') ctx.refuse(`its target type '${name}' is not an ONNX element type`);
        ctx.setInt('to', id);
        ctx.note(`to='${name}' written as ${id}`);
      },
      down: (ctx: NodeContext) => {
        const id = ctx.int('to');
        if (id === undefined) return;
        const name = dataTypeNames[id];
        if (!name) ctx.refuse(`its target type ${id} is not an ONNX element type`);
        ctx.setString('to', name);
        ctx.note(`to=${id} written as '${name}'`);
      },
    },
  },
};

const constant: AdapterTable = {
  Constant: {
    11: {
      down: (ctx: NodeContext) => {
        const sparse = ctx.attr('sparse_value')?.sparseTensor;
        if (!sparse) return;
        const dense = sparseToDense(sparse, '');
        ctx.node.attribute = [onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: dense })];
        ctx.note('sparse_value written as a dense value');
      },
    },
    12: {
      down: (ctx: NodeContext) => {
        const form = ctx.node.attribute?.[0]?.name;
        if (!form || form === 'value' || form === 'sparse_value') return;
        const tensor = constantNodeTensor(ctx.node);
        if (!tensor) ctx.refuse(`its ${form} cannot be read`);
        ctx.node.attribute = [onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: { ...tensor, name: '' } })];
        ctx.note(`${form} written as a tensor value`);
      },
    },
  },
};

/** LpPool's p became an int at 2. */
const lpP = {
  up: (ctx: NodeContext) => {
    const a = ctx.attr('p');
    if (!a || a.type !== AttributeType.FLOAT) return;
    const p = a.f ?? 0;
    if (!Number.isInteger(p)) ctx.refuse(`p=${p} is not an integer, which opset 2 requires`);
    ctx.setInt('p', p);
    ctx.note(`p=${p} written as an int`);
  },
  down: (ctx: NodeContext) => {
    const a = ctx.attr('p');
    if (!a || a.type !== AttributeType.INT) return;
    ctx.setFloat('p', int64ToNumber(a.i));
    ctx.note('p written as a float');
  },
};

const recurrent: AdapterTable = mergeTables(
  {
    GRU: {
      3: {
        up: (ctx: NodeContext) => {
          // Opset 1's default 'foward' (sic) meant forward.
          const direction = ctx.string('direction');
          if (direction === undefined || direction === 'foward') ctx.setString('direction', 'forward');
        },
        down: (ctx: NodeContext) => {
          if (ctx.has('linear_before_reset') && ctx.int('linear_before_reset') !== 0) ctx.refuse('linear_before_reset=1 does not exist before opset 3');
          ctx.drop('linear_before_reset');
          if (!ctx.output(1)) ctx.refuse('its Y_h output is required before opset 3');
        },
      },
    },
  },
  forOps(['RNN', 'GRU', 'LSTM'], 7, {
    up: (ctx: NodeContext) => {
      if (!ctx.has('output_sequence')) return;
      ctx.drop('output_sequence');
      ctx.note('output_sequence dropped (Y is produced when it is asked for)');
    },
    down: (ctx: NodeContext) => {
      if (ctx.output(0)) ctx.setInt('output_sequence', 1);
    },
  }),
);

const gridSample: AdapterTable = {
  GridSample: {
    20: {
      up: (ctx: NodeContext) => {
        const mode = ctx.string('mode') ?? 'bilinear';
        const renamed = mode === 'bilinear' ? 'linear' : mode === 'bicubic' ? 'cubic' : mode;
        ctx.setString('mode', renamed);
        if (renamed !== mode || !ctx.has('mode')) ctx.note(`mode '${mode}' written as '${renamed}'`);
      },
      down: (ctx: NodeContext) => {
        const rank = ctx.rank(ctx.input(0));
        if (rank !== undefined && rank !== 4) ctx.refuse(`it samples a ${rank}-D input, and GridSample takes 4-D inputs only before opset 20`);
        const mode = ctx.string('mode') ?? 'linear';
        const renamed = mode === 'linear' ? 'bilinear' : mode === 'cubic' ? 'bicubic' : mode;
        ctx.setString('mode', renamed);
        ctx.note(`mode '${mode}' written as '${renamed}'`);
      },
    },
  },
};

const roiAlign: AdapterTable = {
  RoiAlign: {
    16: {
      up: (ctx: NodeContext) => {
        if (ctx.has('coordinate_transformation_mode')) return;
        // Opset 10's behaviour; opset 16's default is half_pixel.
        ctx.setString('coordinate_transformation_mode', 'output_half_pixel');
        ctx.note("coordinate_transformation_mode='output_half_pixel' written (the behaviour before opset 16)");
      },
      down: (ctx: NodeContext) => {
        const mode = ctx.string('coordinate_transformation_mode') ?? 'half_pixel';
        if (mode !== 'output_half_pixel') ctx.refuse(`coordinate_transformation_mode '${mode}' does not exist before opset 16`);
        ctx.drop('coordinate_transformation_mode');
      },
    },
  },
};

/** A string attribute value that does not exist before `version`. */
function refuseValue(attr: string, values: string[], fallback: string): { down: (ctx: NodeContext) => void } {
  return {
    down: (ctx: NodeContext) => {
      const value = ctx.string(attr) ?? fallback;
      if (values.includes(value)) ctx.refuse(`${attr} '${value}' does not exist before opset ${ctx.step.opFrom}`);
    },
  };
}

/** Per-axis scales and zero points came at 13; before, they are scalars. */
const perTensorOnly = {
  down: (ctx: NodeContext) => {
    for (const i of [1, 2]) {
      const name = ctx.input(i);
      if (!name) continue;
      const shape = ctx.shape(name);
      if (!shape) ctx.refuse(`the shape of its ${i === 1 ? 'scale' : 'zero point'} is not known, and it must be a scalar before opset 13`);
      if (!shape.every((d) => d === 1)) ctx.refuse('per-axis quantization does not exist before opset 13');
    }
    ctx.drop('axis');
  },
};

const scatter: AdapterTable = {
  Scatter: {
    11: {
      up: (ctx: NodeContext) => {
        ctx.node.opType = 'ScatterElements';
        ctx.note('Scatter (deprecated at opset 11) replaced by ScatterElements');
      },
    },
  },
  ScatterElements: {
    11: {
      down: (ctx: NodeContext) => {
        ctx.node.opType = 'Scatter';
        ctx.note('ScatterElements written as Scatter');
      },
    },
    18: refuseValue('reduction', ['max', 'min'], 'none'),
  },
  ScatterND: { 18: refuseValue('reduction', ['max', 'min'], 'none') },
};

const scan: AdapterTable = {
  Scan: {
    9: {
      up: (ctx: NodeContext) => ctx.refuse('Scan changed from batched to unbatched scanning at opset 9, which the converter does not rewrite'),
      down: (ctx: NodeContext) => ctx.refuse('Scan changed from batched to unbatched scanning at opset 9, which the converter does not rewrite'),
    },
  },
};

const tile: AdapterTable = {
  Tile: {
    6: {
      up: (ctx: NodeContext) => {
        const tiles = constantScalar(ctx, 1, 'tiles');
        const axis = constantScalar(ctx, 2, 'axis');
        const rank = ctx.needRank(ctx.input(0), 'opset 6 takes repeats for every axis');
        const repeats = new Array<number>(rank).fill(1);
        repeats[axis < 0 ? axis + rank : axis] = tiles;
        ctx.setInputs([ctx.input(0), ctx.int64s('repeats', repeats)]);
        ctx.note(`tiles=${tiles} along axis ${axis} written as repeats [${repeats.join(', ')}]`);
      },
      down: (ctx: NodeContext) => {
        const repeats = ctx.constantInts(ctx.input(1));
        if (!repeats) ctx.refuse('its repeats are computed at run time');
        const axes = repeats.map((r, i) => (r !== 1 ? i : -1)).filter((i) => i >= 0);
        if (axes.length > 1) ctx.refuse('it repeats along several axes, and opset 1 repeats along one');
        const axis = axes[0] ?? 0;
        // Tile-1 takes tiles and axis as tensors of the input's own type.
        const elemType = ctx.needElemType(ctx.input(0), 'opset 1 takes tiles and axis in the input\'s type');
        const scalar = (label: string, v: number) => ctx.addConstant(label, { dtype: elemType, dims: [], data: fromFloat64(elemType, [v]) });
        ctx.setInputs([ctx.input(0), scalar('tiles', repeats[axis] ?? 1), scalar('axis', axis)]);
        ctx.note(`repeats written as tiles=${repeats[axis] ?? 1} along axis ${axis}`);
      },
    },
  },
};

function constantScalar(ctx: NodeContext, index: number, what: string): number {
  const values = ctx.constantNumbers(ctx.input(index));
  if (!values || values.length !== 1) ctx.refuse(`its ${what} is not a constant scalar`);
  return values[0];
}

const optional: AdapterTable = {
  OptionalHasElement: {
    18: {
      down: (ctx: NodeContext) => {
        if (!ctx.input(0)) ctx.refuse('its input is empty, which is allowed from opset 18 only');
      },
    },
  },
};

export const attributeFormAdapters: AdapterTable = mergeTables(
  cast,
  constant,
  recurrent,
  gridSample,
  roiAlign,
  scatter,
  scan,
  tile,
  optional,
  {
    Concat: {
      4: {
        up: (ctx: NodeContext) => {
          if (ctx.has('axis')) return;
          ctx.setInt('axis', 1);
          ctx.note('axis=1 written (the default before opset 4)');
        },
      },
    },
    Pad: { 19: refuseValue('mode', ['wrap'], 'constant') },
  },
  forOps(['LpPool', 'GlobalLpPool'], 2, lpP),
  forOps(['QuantizeLinear', 'DequantizeLinear'], 13, perTensorOnly),
);
