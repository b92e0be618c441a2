// Softmax, LogSoftmax and Hardmax before 13 flatten the input to 2-D at `axis` (default 1) and normalize
// over everything from `axis` on; from 13 they normalize over the one axis (default -1). Where the two
// differ, the old meaning is written out: Flatten, the op over the last axis, Reshape back; going down, a
// Transpose pair moves the axis last.
import type { AdapterTable } from '../adapter.js';
import { Builder } from '../builders.js';
import { intAttr, type NodeContext } from '../context.js';

function up(ctx: NodeContext): void {
  const x = ctx.input(0);
  const axis = ctx.int('axis') ?? 1;
  const rank = ctx.rank(x);
  if (rank !== undefined && (axis < 0 ? axis + rank : axis) === rank - 1) {
    ctx.setInt('axis', -1);
    ctx.note(`axis ${axis} is the last of ${rank}: axis=-1 written`);
    return;
  }
  // Over several axes (or a rank not known): the coerced 2-D form, written out.
  const build = new Builder(ctx);
  const flat = build.op('Flatten', [x], [intAttr('axis', axis)]);
  const normalized = build.op(ctx.op, [flat], [intAttr('axis', -1)]);
  build.reshapeTo(normalized, build.op('Shape', [x]), ctx.output(0));
  ctx.replace(build.nodes);
  ctx.note(`over every axis from ${axis}${rank === undefined ? ' (rank not known)' : ` of ${rank}`}: written as Flatten, ${ctx.op} over the last axis, Reshape back`);
}

function down(ctx: NodeContext): void {
  const x = ctx.input(0);
  const axis = ctx.int('axis') ?? -1;
  const rank = ctx.rank(x);
  const normalized = rank !== undefined && axis < 0 ? axis + rank : axis;
  if (axis === -1 || (rank !== undefined && normalized === rank - 1)) {
    // The last axis alone is also what the coerced 2-D form normalizes over.
    ctx.setInt('axis', rank !== undefined ? rank - 1 : -1);
    ctx.note('over the last axis: the same before opset 13');
    return;
  }
  if (rank === undefined) ctx.refuse(`it normalizes over axis ${axis} alone, and the rank of '${x}' is not known`);
  const perm = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== normalized);
  perm.push(normalized);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const build = new Builder(ctx);
  const moved = build.transpose(x, perm);
  const result = build.op(ctx.op, [moved], [intAttr('axis', rank - 1)]);
  build.transpose(result, inverse, ctx.output(0));
  ctx.replace(build.nodes);
  ctx.note(`over axis ${axis} of ${rank}: written as Transpose, ${ctx.op} over the last axis, Transpose back`);
}

export const softmaxAdapters: AdapterTable = {
  Softmax: { 13: { up, down } },
  LogSoftmax: { 13: { up, down } },
  Hardmax: { 13: { up, down } },
};
