// Broadcasting: up to opset 6 the elementwise ops broadcast B onto A only when asked (broadcast=1), aligned
// at `axis` or at the end; from 7 on they follow numpy. PRelu's slope was per channel and became numpy
// broadcast at 7; Gemm's C lost its broadcast flag at 7 and became optional at 11; Max/Min/Mean/Sum took
// same-shaped inputs only before 8.
import type { Dim } from '../../model/types.js';
import { forOps, mergeTables, type AdapterTable } from '../adapter.js';
import { Builder } from '../builders.js';
import type { NodeContext } from '../context.js';

const legacyBroadcastOps = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Greater', 'Less'];

function dimsText(shape: Dim[]): string {
  return `[${shape.map((d) => d ?? '?').join(', ')}]`;
}

/** B with `count` axes of size 1 appended: a reshaped constant, or an Unsqueeze written for the step's target. */
function appendUnitAxes(ctx: NodeContext, b: string, rankB: number, count: number): string {
  const shape = ctx.shape(b);
  const constant = shape && shape.every((d) => typeof d === 'number') ? ctx.reshapedConstant(b, [...(shape as number[]), ...new Array<number>(count).fill(1)]) : undefined;
  if (constant) return constant;
  const build = new Builder(ctx);
  const out = build.unsqueeze(b, Array.from({ length: count }, (_, i) => rankB + i));
  ctx.insertBefore(...build.nodes);
  return out;
}

function legacyBroadcastUp(ctx: NodeContext): void {
  const broadcast = ctx.int('broadcast') ?? 0;
  const axis = ctx.int('axis');
  if (!ctx.has('broadcast') && axis === undefined) return;
  ctx.drop('broadcast', 'axis');
  if (!broadcast) {
    ctx.note('broadcast=0 dropped (inputs of one shape)');
    return;
  }
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (axis === undefined) {
    ctx.note('broadcast=1 dropped (trailing alignment is numpy broadcasting)');
    return;
  }
  const rankA = ctx.needRank(a, `it broadcasts B from axis ${axis}`);
  const rankB = ctx.needRank(b, `it broadcasts B from axis ${axis}`);
  const start = axis < 0 ? axis + rankA : axis;
  const trailing = rankA - start - rankB;
  if (trailing < 0 || start < 0) ctx.refuse(`B of rank ${rankB} does not fit into A of rank ${rankA} from axis ${axis}`);
  if (trailing === 0) {
    ctx.note(`broadcast=1, axis=${axis} dropped (B already aligns with the end of A)`);
    return;
  }
  const reshaped = appendUnitAxes(ctx, b, rankB, trailing);
  ctx.setInputs([a, reshaped]);
  ctx.note(`broadcast=1, axis=${axis}: B given ${trailing} trailing axes of size 1 ('${reshaped}') for numpy broadcasting`);
}

function legacyBroadcastDown(ctx: NodeContext): void {
  const a = ctx.shape(ctx.input(0));
  const b = ctx.shape(ctx.input(1));
  if (!a || !b) ctx.refuse('opset 6 broadcasts only where attributes say how, and the shapes of its inputs are not known');
  const same = a.length === b.length && a.every((d, i) => d !== null && d === b[i]);
  if (same) return;
  // Opset 6 broadcasts B onto A, aligned at the end: B's dims must equal A's trailing dims (or B hold one element).
  const single = b.every((d) => d === 1);
  const trailing = b.length <= a.length && b.every((d, i) => d !== null && d === a[a.length - b.length + i]);
  if (!single && !trailing) ctx.refuse(`B ${dimsText(b)} does not broadcast onto A ${dimsText(a)} in opset 6's way (aligned at the end)`);
  ctx.setInt('broadcast', 1);
  ctx.note(`broadcast=1 written (B ${dimsText(b)} onto A ${dimsText(a)})`);
}

const gemm: AdapterTable = {
  Gemm: {
    7: {
      up: (ctx: NodeContext) => {
        if (!ctx.has('broadcast')) return;
        ctx.drop('broadcast');
        ctx.note('broadcast dropped (C broadcasts numpy-style from opset 7)');
      },
      down: (ctx: NodeContext) => {
        if (!ctx.input(2)) return;
        // broadcast=1 also covers a C of the full shape (M, N).
        ctx.setInt('broadcast', 1);
        ctx.note('broadcast=1 written for C');
      },
    },
    11: {
      down: (ctx: NodeContext) => {
        if (ctx.input(2)) return;
        const elemType = ctx.needElemType(ctx.input(0), 'C is required before opset 11');
        const build = new Builder(ctx);
        ctx.setInputs([ctx.input(0), ctx.input(1), build.scalar('C', 0, elemType)]);
        ctx.note('a zero C added (required before opset 11)');
      },
    },
  },
};

/** PRelu before 7: a 1-D slope of C values applies per channel (axis 1). */
const prelu: AdapterTable = {
  PRelu: {
    7: {
      up: (ctx: NodeContext) => {
        const x = ctx.input(0);
        const slope = ctx.input(1);
        const s = ctx.shape(slope);
        const rank = ctx.rank(x);
        if (s && s.every((d) => d === 1)) return;
        if (rank !== undefined && s && (s.length === rank || rank <= 2)) return;
        if (!s || s.length !== 1) ctx.refuse(`its slope ${s ? dimsText(s) : 'of unknown shape'} has no numpy-broadcast form at opset 7`);
        const r = ctx.needRank(x, 'its slope applies per channel');
        const reshaped = appendUnitAxes(ctx, slope, 1, r - 2);
        ctx.setInputs([x, reshaped]);
        ctx.note(`per-channel slope ${dimsText(s)} given ${r - 2} trailing axes of size 1 ('${reshaped}')`);
      },
      down: (ctx: NodeContext) => {
        const x = ctx.input(0);
        const slope = ctx.input(1);
        const s = ctx.shape(slope);
        const rank = ctx.rank(x);
        if (s && s.every((d) => d === 1)) return;
        if (rank !== undefined && s && (s.length === rank || (rank <= 2 && s.length === 1))) return;
        // [C, 1, ..., 1] broadcast against [N, C, ...] is the old per-channel slope.
        if (!s || rank === undefined || s.length !== rank - 1 || s.slice(1).some((d) => d !== 1) || typeof s[0] !== 'number') {
          ctx.refuse(`its slope ${s ? dimsText(s) : 'of unknown shape'} is not per channel, the only broadcast before opset 7`);
        }
        const reshaped = ctx.reshapedConstant(slope, [s[0] as number]);
        if (!reshaped) ctx.refuse('its per-channel slope is computed at run time');
        ctx.setInputs([x, reshaped]);
        ctx.note(`slope ${dimsText(s)} written as a per-channel slope [${s[0]}]`);
      },
    },
  },
};

const variadicSameShape = {
  down: (ctx: NodeContext) => {
    const shapes = (ctx.node.input ?? []).filter(Boolean).map((i) => ctx.shape(i));
    const first = shapes[0];
    const same = first !== undefined && shapes.every((s) => s && s.length === first.length && s.every((d, i) => d !== null && d === first[i]));
    if (!same) ctx.refuse('before opset 8 its inputs must have one shape, and they differ or are not known');
  },
};

export const broadcastAdapters: AdapterTable = mergeTables(
  forOps(legacyBroadcastOps, 7, { up: legacyBroadcastUp, down: legacyBroadcastDown }),
  gemm,
  prelu,
  forOps(['Max', 'Min', 'Mean', 'Sum'], 8, variadicSameShape),
);
