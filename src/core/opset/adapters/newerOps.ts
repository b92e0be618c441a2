// Ops that do not exist before some opset, written out with older ops when converting below it:
// Celu and GreaterOrEqual/LessOrEqual (12), HardSwish and Trilu (14), CastLike (15), Mish (18), Gelu (20),
// Swish (24).
// (LayerNormalization, GroupNormalization and RMSNormalization are in normalization.ts.)
import type { AdapterTable } from '../adapter.js';
import { Builder } from '../builders.js';
import { floatAttr, intAttr, type NodeContext } from '../context.js';

/** Replaces the node by what `write` builds from its first input, ending in its first output. */
function decompose(ctx: NodeContext, formula: string, write: (build: Builder, x: string, out: string) => void): void {
  const build = new Builder(ctx);
  write(build, ctx.input(0), ctx.output(0));
  ctx.replace(build.nodes);
  ctx.note(`${ctx.op} (new at opset ${ctx.step.opFrom}) written as ${formula}`);
}

function elemTypeOf(ctx: NodeContext): number {
  return ctx.needElemType(ctx.input(0), `${ctx.op} is written out with constants of the input's type`);
}

const comparison = (strict: 'Greater' | 'Less') => ({
  down: (ctx: NodeContext) => {
    const build = new Builder(ctx);
    const [a, b] = [ctx.input(0), ctx.input(1)];
    build.op('Or', [build.op(strict, [a, b]), build.op('Equal', [a, b])], [], ctx.output(0));
    ctx.replace(build.nodes);
    ctx.note(`${ctx.op} written as Or(${strict}, Equal)`);
  },
});

/** Trilu: the elements on and above (or below) the k-th diagonal of the last two axes; the rest are zeros. */
function trilu(ctx: NodeContext): void {
  if (ctx.opset < 11) ctx.refuse('Trilu is written out with Range, which does not exist before opset 11');
  const x = ctx.input(0);
  const elemType = ctx.needElemType(x, 'Trilu is written out with a zero of the input\'s type');
  const upper = (ctx.int('upper') ?? 1) === 1;
  const b = new Builder(ctx);
  const shape = b.op('Shape', [x]);
  const dim = (axis: number) => b.op('Gather', [shape, b.ctx.int64s('axis', [axis], true)], [intAttr('axis', 0)]);
  const zero = b.ctx.int64s('zero', [0], true);
  const one = b.ctx.int64s('one', [1], true);
  const rows = b.unsqueeze(b.op('Range', [zero, dim(-2), one]), [1]);
  const cols = b.unsqueeze(b.op('Range', [zero, dim(-1), one]), [0]);
  let diagonal = b.op('Sub', [cols, rows]);
  if (ctx.input(1)) diagonal = b.op('Sub', [diagonal, ctx.input(1)]);
  // upper: col - row >= k, that is not (col - row - k < 0); lower: not (col - row - k > 0).
  const mask = b.op('Not', [b.op(upper ? 'Less' : 'Greater', [diagonal, zero])]);
  b.op('Where', [mask, x, b.scalar('zero_value', 0, elemType)], [], ctx.output(0));
  ctx.replace(b.nodes);
  ctx.note(`Trilu (${upper ? 'upper' : 'lower'}) written as a Range mask of the last two axes and Where`);
}

export const newerOpAdapters: AdapterTable = {
  Trilu: { 14: { down: trilu } },
  CastLike: {
    15: {
      down: (ctx: NodeContext) => {
        const like = ctx.input(1);
        const to = ctx.needElemType(like, 'CastLike becomes a Cast to the type of its second input');
        const build = new Builder(ctx);
        build.cast(ctx.input(0), to, ctx.output(0));
        ctx.replace(build.nodes);
        ctx.note(`CastLike written as Cast to ${to}`);
      },
    },
  },
  GreaterOrEqual: { 12: comparison('Greater') },
  LessOrEqual: { 12: comparison('Less') },
  Celu: {
    12: {
      down: (ctx: NodeContext) => {
        const alpha = ctx.float('alpha') ?? 1;
        const type = elemTypeOf(ctx);
        decompose(ctx, 'alpha * Elu(x / alpha)', (b, x, out) => {
          const a = b.scalar('alpha', alpha, type);
          b.op('Mul', [b.op('Elu', [b.op('Div', [x, a])], [floatAttr('alpha', 1)]), a], [], out);
        });
      },
    },
  },
  HardSwish: {
    14: {
      down: (ctx: NodeContext) => decompose(ctx, 'x * HardSigmoid(x, alpha=1/6, beta=0.5)', (b, x, out) => {
        b.op('Mul', [x, b.op('HardSigmoid', [x], [floatAttr('alpha', 1 / 6), floatAttr('beta', 0.5)])], [], out);
      }),
    },
  },
  Mish: {
    18: {
      down: (ctx: NodeContext) => decompose(ctx, 'x * tanh(softplus(x))', (b, x, out) => {
        b.op('Mul', [x, b.op('Tanh', [b.op('Softplus', [x])])], [], out);
      }),
    },
  },
  Gelu: {
    20: {
      down: (ctx: NodeContext) => {
        const approximate = ctx.string('approximate') ?? 'none';
        const type = elemTypeOf(ctx);
        if (approximate === 'tanh') {
          decompose(ctx, '0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))', (b, x, out) => {
            const cube = b.op('Mul', [b.op('Mul', [x, x]), x]);
            const inner = b.op('Mul', [b.op('Add', [x, b.op('Mul', [cube, b.scalar('c', 0.044715, type)])]), b.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI), type)]);
            const one = b.op('Add', [b.op('Tanh', [inner]), b.scalar('one', 1, type)]);
            b.op('Mul', [b.op('Mul', [x, b.scalar('half', 0.5, type)]), one], [], out);
          });
          return;
        }
        decompose(ctx, '0.5 x (1 + erf(x / sqrt(2)))', (b, x, out) => {
          const erf = b.op('Erf', [b.op('Div', [x, b.scalar('sqrt2', Math.SQRT2, type)])]);
          const one = b.op('Add', [erf, b.scalar('one', 1, type)]);
          b.op('Mul', [b.op('Mul', [x, b.scalar('half', 0.5, type)]), one], [], out);
        });
      },
    },
  },
  Swish: {
    24: {
      down: (ctx: NodeContext) => {
        const alpha = ctx.float('alpha') ?? 1;
        const type = elemTypeOf(ctx);
        decompose(ctx, 'x * sigmoid(alpha x)', (b, x, out) => {
          const scaled = alpha === 1 ? x : b.op('Mul', [x, b.scalar('alpha', alpha, type)]);
          b.op('Mul', [x, b.op('Sigmoid', [scaled])], [], out);
        });
      },
    },
  },
};
