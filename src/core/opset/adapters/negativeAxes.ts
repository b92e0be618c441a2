// Opset 11 let axis attributes count from the end (axis=-1). Going below 11, a negative axis is rewritten
// from the rank; going up there is nothing to do.
import { forOps, mergeTables, type AdapterTable } from '../adapter.js';
import type { NodeContext } from '../context.js';

/** Rewrites negative values of an INT or INTS attribute with `rank` (called only when one is negative). */
function normalize(ctx: NodeContext, attr: string, rank: () => number): void {
  const single = ctx.int(attr);
  const list = ctx.ints(attr);
  const a = ctx.attr(attr);
  if (!a) return;
  if (a.ints && a.ints.length > 0 && list) {
    if (!list.some((v) => v < 0)) return;
    const r = rank();
    const fixed = list.map((v) => (v < 0 ? v + r : v));
    ctx.setInts(attr, fixed);
    ctx.note(`${attr} [${list.join(', ')}] written as [${fixed.join(', ')}] (no negative axes before opset 11)`);
  } else if (single !== undefined && single < 0) {
    const r = rank();
    ctx.setInt(attr, single + r);
    ctx.note(`${attr}=${single} written as ${single + r} (no negative axes before opset 11)`);
  }
}

const inputRank = (ctx: NodeContext, index = 0, extra = 0) => () =>
  ctx.needRank(ctx.input(index), 'a negative axis must be written from the rank before opset 11') + extra;

const axisOfInput = (attr: string) => ({
  down: (ctx: NodeContext) => normalize(ctx, attr, inputRank(ctx)),
});

const tables: AdapterTable[] = [
  forOps(['ArgMax', 'ArgMin', 'Compress', 'Concat', 'Gather', 'Split', 'Hardmax', 'LogSoftmax', 'Softmax'], 11, axisOfInput('axis')),
  forOps(['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare', 'Squeeze'], 11, axisOfInput('axes')),
  {
    Flatten: { 11: axisOfInput('axis') },
    Unsqueeze: {
      11: {
        // Unsqueeze's axes count in the output, which has one axis more per entry.
        down: (ctx: NodeContext) => normalize(ctx, 'axes', inputRank(ctx, 0, ctx.ints('axes')?.length ?? 0)),
      },
    },
    OneHot: {
      11: {
        down: (ctx: NodeContext) => {
          const axis = ctx.int('axis') ?? -1;
          if (axis < -1) normalize(ctx, 'axis', inputRank(ctx, 0, 1));
        },
      },
    },
    Slice: {
      11: {
        down: (ctx: NodeContext) => {
          const axesName = ctx.input(3);
          if (!axesName) return;
          const axes = ctx.constantInts(axesName);
          if (!axes) ctx.refuse('its axes are computed at run time and may count from the end, which opset 10 does not allow');
          if (!axes.some((a) => a < 0)) return;
          const r = inputRank(ctx)();
          const fixed = axes.map((a) => (a < 0 ? a + r : a));
          const inputs = [...(ctx.node.input ?? [])];
          inputs[3] = ctx.int64s('axes', fixed);
          ctx.setInputs(inputs);
          ctx.note(`axes [${axes.join(', ')}] written as [${fixed.join(', ')}]`);
        },
      },
    },
    Scan: {
      11: {
        down: (ctx: NodeContext) => {
          for (const attr of ['scan_input_axes', 'scan_output_axes']) {
            if ((ctx.ints(attr) ?? []).some((v) => v < 0)) ctx.refuse(`its ${attr} count from the end, which Scan does not allow before opset 11`);
          }
        },
      },
    },
  },
];

export const negativeAxisAdapters: AdapterTable = mergeTables(...tables);
