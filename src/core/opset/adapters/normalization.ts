// Normalizations. BatchNormalization lost is_test at 7 (the outputs say the mode), spatial at 9 (spatial=0
// normalizes per activation: written out as arithmetic) and changed its training outputs at 14.
// LayerNormalization (17), GroupNormalization (18, per-channel scale from 21) and RMSNormalization (23)
// are written out as arithmetic for opsets that lack them.
import { DataType } from '../../model/proto.js';
import { toFloat64, fromFloat64 } from '../../model/tensorValues.js';
import type { AdapterTable } from '../adapter.js';
import { Builder } from '../builders.js';
import type { NodeContext } from '../context.js';

const batchNormalization: AdapterTable = {
  BatchNormalization: {
    7: {
      up: (ctx: NodeContext) => {
        const isTest = ctx.int('is_test') ?? 0;
        const outputs = (ctx.node.output ?? []).filter(Boolean).length;
        // From opset 7 the outputs say the mode: all five in training, Y alone in inference.
        if (!isTest && outputs === 1) ctx.refuse('it is in training mode (is_test=0) with one output, which means inference from opset 7 on');
        ctx.drop('is_test');
        if (isTest) ctx.keepOutputs(1, 'its statistics outputs are used in inference mode (is_test=1)');
        ctx.note(`is_test=${isTest} dropped (${isTest ? 'one output means inference' : 'all outputs mean training'} from opset 7)`);
      },
      down: (ctx: NodeContext) => {
        const training = (ctx.node.output ?? []).filter(Boolean).length > 1;
        ctx.setInt('is_test', training ? 0 : 1);
        ctx.note(`is_test=${training ? 0 : 1} written`);
      },
    },
    9: {
      up: (ctx: NodeContext) => {
        const spatial = ctx.int('spatial');
        ctx.drop('spatial');
        if (spatial === undefined || spatial === 1) return;
        if ((ctx.node.output ?? []).filter(Boolean).length > 1) ctx.refuse('spatial=0 in training mode has no form from opset 9 on');
        // Per-activation statistics of shape (C, D1, ...) broadcast against (N, C, D1, ...) as they are.
        const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => ctx.input(i));
        const elemType = ctx.needElemType(x, 'spatial=0 is written out as arithmetic');
        const build = new Builder(ctx);
        const eps = build.scalar('epsilon', ctx.float('epsilon') ?? 1e-5, elemType);
        const std = build.op('Sqrt', [build.op('Add', [variance, eps])]);
        const normalized = build.op('Div', [build.op('Sub', [x, mean]), std]);
        build.op('Add', [build.op('Mul', [normalized, scale]), bias], [], ctx.output(0));
        ctx.replace(build.nodes);
        ctx.note('spatial=0 (per-activation statistics) written as (X - mean) / sqrt(var + epsilon) * scale + B');
      },
    },
    14: {
      up: (ctx: NodeContext) => {
        if ((ctx.node.output ?? []).filter(Boolean).length === 1) return;
        // Training mode (five outputs before 14): running mean and variance stay, the saved ones go.
        ctx.keepOutputs(3, 'its saved mean or variance output is used, which does not exist from opset 14 on');
        ctx.setInt('training_mode', 1);
        ctx.note('training mode written as training_mode=1');
      },
      down: (ctx: NodeContext) => {
        const training = ctx.int('training_mode') === 1;
        ctx.drop('training_mode');
        if (!training) {
          ctx.keepOutputs(1, 'its running statistics are used without training_mode');
          return;
        }
        if ((ctx.node.output ?? []).filter(Boolean).length !== 3) ctx.refuse('training_mode=1 needs all outputs before opset 14, where the outputs say the mode');
        ctx.node.output = [...(ctx.node.output ?? []), ctx.fresh(`${ctx.output(0)}_saved_mean`), ctx.fresh(`${ctx.output(0)}_saved_var`)];
        ctx.note('training_mode=1 written as the five training outputs');
      },
    },
  },
};

/**
 * Normalization over `axes` of `x` (keepdims), in float32 when `stash` and x is narrower, as
 * (x - mean) / sqrt(mean((x - mean)^2) + epsilon) (without the centring for RMS normalization).
 */
function normalize(build: Builder, x: string, axes: number[], epsilon: number, stash: boolean, elemType: number, centered = true): { out: string; computeType: number; mean?: string; std: string } {
  const computeType = stash && elemType !== DataType.FLOAT && elemType !== DataType.DOUBLE ? DataType.FLOAT : elemType;
  const input = computeType !== elemType ? build.cast(x, computeType) : x;
  const mean = centered ? build.reduceMean(input, axes) : undefined;
  const d = mean ? build.op('Sub', [input, mean]) : input;
  const variance = build.reduceMean(build.op('Mul', [d, d]), axes);
  const std = build.op('Sqrt', [build.op('Add', [variance, build.scalar('epsilon', epsilon, computeType)])]);
  return { out: build.op('Div', [d, std]), computeType, mean, std };
}

/** The axes from `axis` to the last: negative ones when the rank is not known (opset 11 on takes them). */
function trailingAxes(ctx: NodeContext, x: string, axis: number): number[] {
  const rank = ctx.rank(x);
  if (rank !== undefined) {
    const start = axis < 0 ? axis + rank : axis;
    return Array.from({ length: rank - start }, (_, i) => start + i);
  }
  if (axis >= 0) ctx.refuse(`it normalizes from axis ${axis}, and the rank of '${x}' is not known`);
  return Array.from({ length: -axis }, (_, i) => axis + i);
}

function decomposeLayerNormalization(ctx: NodeContext, centered: boolean): void {
  const x = ctx.input(0);
  const elemType = ctx.needElemType(x, `${ctx.op} is written out as arithmetic`);
  const axes = trailingAxes(ctx, x, ctx.int('axis') ?? -1);
  const build = new Builder(ctx);
  const { out, computeType, mean, std } = normalize(build, x, axes, ctx.float('epsilon') ?? 1e-5, (ctx.int('stash_type') ?? 1) === 1, elemType, centered);
  let y = computeType !== elemType ? build.cast(out, elemType) : out;
  const bias = ctx.input(2);
  y = build.op('Mul', [y, ctx.input(1)], [], bias ? undefined : ctx.output(0));
  if (bias) build.op('Add', [y, bias], [], ctx.output(0));
  // LayerNormalization's optional outputs: the mean and 1 / standard deviation, in the computation type.
  if (ctx.outputUsed(1) && mean) build.op('Identity', [mean], [], ctx.output(1));
  if (ctx.outputUsed(2)) build.op('Reciprocal', [std], [], ctx.output(2));
  ctx.replace(build.nodes);
  ctx.note(`${ctx.op} written out as ${centered ? 'ReduceMean, Sub, ' : 'ReduceMean, '}Sqrt, Div, Mul${bias ? ', Add' : ''} over axes [${axes.join(', ')}]`);
}

/** GroupNormalization with per-channel scale and bias, written out: statistics over each group of channels. */
function decomposeGroupNormalization(ctx: NodeContext, perChannel: boolean): void {
  const x = ctx.input(0);
  const groups = ctx.int('num_groups');
  if (groups === undefined) ctx.refuse('it has no num_groups');
  const elemType = ctx.needElemType(x, 'GroupNormalization is written out as arithmetic');
  const rank = ctx.needRank(x, 'GroupNormalization is written out as arithmetic');
  const build = new Builder(ctx);
  const grouped = build.reshape(x, [0, groups, -1]);
  const { out, computeType } = normalize(build, grouped, [2], ctx.float('epsilon') ?? 1e-5, (ctx.int('stash_type') ?? 1) === 1, elemType);
  const back = build.reshapeTo(computeType !== elemType ? build.cast(out, elemType) : out, build.op('Shape', [x]));
  let scale = ctx.input(1);
  let bias = ctx.input(2);
  if (!perChannel) {
    const c = ctx.shape(x)?.[1];
    if (typeof c !== 'number') ctx.refuse('its per-group scale must be spread over the channels, and the channel count is not known');
    scale = spreadOverChannels(ctx, build, scale, groups, c);
    bias = spreadOverChannels(ctx, build, bias, groups, c);
  }
  const channelAxes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  const perAxis = (v: string) => (channelAxes.length ? build.unsqueeze(v, channelAxes) : v);
  build.op('Add', [build.op('Mul', [back, perAxis(scale)]), perAxis(bias)], [], ctx.output(0));
  ctx.replace(build.nodes);
  ctx.note(`GroupNormalization (${groups} groups) written out as Reshape, ReduceMean, Sub, Sqrt, Div, Mul, Add`);
}

/** A per-group vector [G] as a per-channel one [C] (each group's value repeated C/G times). */
function spreadOverChannels(ctx: NodeContext, build: Builder, v: string, groups: number, channels: number): string {
  if (channels % groups !== 0) ctx.refuse(`${channels} channels do not split into ${groups} groups`);
  const per = channels / groups;
  const values = ctx.constant(v);
  if (values && !Array.isArray(values.data)) {
    const numbers = toFloat64(values);
    const spread = Array.from({ length: channels }, (_, i) => numbers[Math.floor(i / per)]);
    return ctx.addConstant('per_channel', { dtype: values.dtype, dims: [channels], data: fromFloat64(values.dtype, spread) });
  }
  if (ctx.opset < 8) ctx.refuse('its per-group scale is computed at run time and Expand does not exist before opset 8');
  const column = build.reshape(v, [groups, 1]);
  const wide = build.op('Expand', [column, build.int64s('shape', [groups, per])]);
  return build.reshape(wide, [channels]);
}

/** Whether a per-channel vector is constant within each group, and its per-group values. */
function perGroupValues(ctx: NodeContext, v: string, groups: number): number[] | undefined {
  const values = ctx.constant(v);
  if (!values || Array.isArray(values.data)) return undefined;
  const numbers = toFloat64(values);
  if (numbers.length % groups !== 0) return undefined;
  const per = numbers.length / groups;
  const result: number[] = [];
  for (let g = 0; g < groups; g++) {
    const first = numbers[g * per];
    for (let i = 1; i < per; i++) if (numbers[g * per + i] !== first) return undefined;
    result.push(first);
  }
  return result;
}

const groupNormalization: AdapterTable = {
  GroupNormalization: {
    18: {
      down: (ctx: NodeContext) => decomposeGroupNormalization(ctx, false),
    },
    21: {
      up: (ctx: NodeContext) => {
        const x = ctx.input(0);
        const groups = ctx.int('num_groups');
        if (groups === undefined) ctx.refuse('it has no num_groups');
        const c = ctx.shape(x)?.[1];
        if (typeof c !== 'number') ctx.refuse('its per-group scale and bias become per channel at opset 21, and the channel count is not known');
        const build = new Builder(ctx);
        const scale = spreadOverChannels(ctx, build, ctx.input(1), groups, c);
        const bias = spreadOverChannels(ctx, build, ctx.input(2), groups, c);
        ctx.insertBefore(...build.nodes);
        ctx.setInputs([x, scale, bias]);
        ctx.note(`per-group scale and bias spread over ${c} channels`);
      },
      down: (ctx: NodeContext) => {
        const groups = ctx.int('num_groups');
        if (groups === undefined) ctx.refuse('it has no num_groups');
        const scale = perGroupValues(ctx, ctx.input(1), groups);
        const bias = perGroupValues(ctx, ctx.input(2), groups);
        const stash = ctx.int('stash_type') ?? 1;
        const elemType = ctx.elemType(ctx.input(0));
        if (scale && bias && (stash === 0 || elemType === DataType.FLOAT)) {
          const dtype = ctx.elemType(ctx.input(1)) ?? DataType.FLOAT;
          ctx.drop('stash_type');
          ctx.setInputs([
            ctx.input(0),
            ctx.addConstant('scale', { dtype, dims: [groups], data: fromFloat64(dtype, scale) }),
            ctx.addConstant('bias', { dtype, dims: [groups], data: fromFloat64(dtype, bias) }),
          ]);
          ctx.note('per-channel scale and bias, constant within each group, written per group');
          return;
        }
        decomposeGroupNormalization(ctx, true);
      },
    },
  },
};

export const normalizationAdapters: AdapterTable = {
  ...batchNormalization,
  ...groupNormalization,
  LayerNormalization: { 17: { down: (ctx: NodeContext) => decomposeLayerNormalization(ctx, true) } },
  RMSNormalization: { 23: { down: (ctx: NodeContext) => decomposeLayerNormalization(ctx, false) } },
};

