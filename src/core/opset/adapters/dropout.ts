// Dropout: is_test went at 7 (inference is the runtime's business from then on), the mask became bool
// at 10, and ratio and training_mode became inputs at 12.
import { AttributeType, DataType, onnx } from '../../model/proto.js';
import type { AdapterTable } from '../adapter.js';
import { Builder } from '../builders.js';
import type { NodeContext } from '../context.js';

/** The mask output changes element type: a Cast keeps what its readers see. */
function castMask(ctx: NodeContext, to: number, what: string): void {
  if (!ctx.outputUsed(1)) return;
  const { original, renamed } = ctx.redirectOutput(1);
  const build = new Builder(ctx);
  build.cast(renamed, to, original);
  ctx.insertAfter(...build.nodes);
  ctx.note(`mask cast ${what}`);
}

export const dropoutAdapters: AdapterTable = {
  Dropout: {
    7: {
      up: (ctx: NodeContext) => {
        const isTest = ctx.int('is_test') ?? 0;
        if (!isTest) ctx.refuse('it is in training mode (is_test=0), which has no form at opset 7 to 11');
        ctx.drop('is_test');
        ctx.note('is_test=1 dropped');
      },
      down: (ctx: NodeContext) => {
        ctx.setInt('is_test', 1);
        ctx.note('is_test=1 written');
      },
    },
    10: {
      up: (ctx: NodeContext) => {
        const elemType = ctx.outputUsed(1) ? ctx.needElemType(ctx.input(0), 'its mask becomes bool at opset 10') : DataType.FLOAT;
        castMask(ctx, elemType, 'back from bool to the data type');
      },
      down: (ctx: NodeContext) => {
        if (!ctx.outputUsed(1)) return;
        // Outside training (the only mode opset 10 and 11 have) the mask keeps everything: written as
        // ones, which the older mask of the data's type leaves to the runtime.
        const mask = ctx.output(1);
        ctx.node.output = [ctx.output(0)];
        const build = new Builder(ctx);
        const ones = onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: { dataType: DataType.BOOL, dims: [1], rawData: Uint8Array.of(1) } });
        build.op('ConstantOfShape', [build.op('Shape', [ctx.input(0)])], [ones], mask);
        ctx.insertAfter(...build.nodes);
        ctx.note('mask written as ones of the input\'s shape (ConstantOfShape)');
      },
    },
    12: {
      up: (ctx: NodeContext) => {
        const ratio = ctx.float('ratio');
        ctx.drop('ratio');
        if (ratio === undefined || ratio === 0.5) return;
        ctx.setInputs([ctx.input(0), ctx.addConstant('ratio', { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(ratio) })]);
        ctx.note(`ratio=${ratio} moved from attribute to input`);
      },
      down: (ctx: NodeContext) => {
        const training = ctx.input(2);
        if (training) {
          const value = ctx.constantNumbers(training);
          if (!value || value[0] !== 0) ctx.refuse('training_mode may be true, which has no form before opset 12');
        }
        const ratio = ctx.input(1);
        if (ratio) {
          const value = ctx.constantNumbers(ratio);
          if (value) ctx.setFloat('ratio', value[0]);
          else ctx.note('ratio computed at run time dropped (it matters in training only)');
        }
        ctx.setInputs([ctx.input(0)]);
        // The seed draws the mask in training only.
        ctx.drop('seed');
        ctx.note('ratio and training_mode moved from inputs');
      },
    },
  },
};
