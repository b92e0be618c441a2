// Upsample and Resize. Upsample was deprecated at 10 for Resize, whose opset-10 form means the same; Resize
// 11 added coordinate transformation modes (the opset-10 behaviour is 'asymmetric', nearest rounding down)
// and a roi input; 13 made roi and scales optional and dropped tf_half_pixel_for_nn; 19 added
// half_pixel_symmetric.
import { DataType } from '../../model/proto.js';
import type { AdapterTable } from '../adapter.js';
import type { NodeContext } from '../context.js';

function emptyFloats(ctx: NodeContext, label: string): string {
  return ctx.addConstant(label, { dtype: DataType.FLOAT, dims: [0], data: new Float32Array(0) });
}

/** Scales from a constant sizes input, where floor(dim * scale) gives the size back exactly in float32. */
function scalesFromSizes(ctx: NodeContext, sizesName: string): number[] {
  const sizes = ctx.constantNumbers(sizesName);
  const shape = ctx.shape(ctx.input(0));
  if (!sizes || !shape || shape.length !== sizes.length || !shape.every((d) => typeof d === 'number')) {
    ctx.refuse('it resizes to sizes, and opset 10 takes scales, which follow only from constant sizes and a known input shape');
  }
  return sizes.map((s, i) => {
    const d = shape[i] as number;
    const scale = Math.fround(s / d);
    if (Math.floor(Math.fround(d * scale)) !== s) ctx.refuse(`size ${s} of a dimension of ${d} has no float32 scale that gives it back`);
    return scale;
  });
}

export const resizeAdapters: AdapterTable = {
  Upsample: {
    10: {
      up: (ctx: NodeContext) => {
        // Deprecated at 10: Resize-10 takes the same inputs and means the same.
        ctx.node.opType = 'Resize';
        ctx.note('Upsample (deprecated at opset 10) replaced by Resize');
      },
    },
  },
  Resize: {
    10: {
      down: (ctx: NodeContext) => {
        ctx.node.opType = 'Upsample';
        ctx.note('Resize written as Upsample (Resize does not exist before opset 10)');
      },
    },
    11: {
      up: (ctx: NodeContext) => {
        const mode = ctx.string('mode') ?? 'nearest';
        ctx.setString('coordinate_transformation_mode', 'asymmetric');
        if (mode === 'nearest') ctx.setString('nearest_mode', 'floor');
        ctx.setInputs([ctx.input(0), emptyFloats(ctx, 'roi'), ctx.input(1)]);
        ctx.note(`opset-10 behaviour written out: coordinate_transformation_mode='asymmetric'${mode === 'nearest' ? ", nearest_mode='floor'" : ''}, an empty roi`);
      },
      down: (ctx: NodeContext) => {
        const mode = ctx.string('mode') ?? 'nearest';
        const transform = ctx.string('coordinate_transformation_mode') ?? 'half_pixel';
        const nearest = ctx.string('nearest_mode') ?? 'round_prefer_floor';
        if (mode === 'cubic') ctx.refuse("mode 'cubic' does not exist before opset 11");
        if (transform !== 'asymmetric') ctx.refuse(`coordinate_transformation_mode '${transform}' has no equivalent before opset 11 (only 'asymmetric')`);
        if (mode === 'nearest' && nearest !== 'floor') ctx.refuse(`nearest_mode '${nearest}' has no equivalent before opset 11 (only 'floor')`);
        const scales = ctx.input(2);
        const scaleValues = scales ? ctx.constantNumbers(scales) : undefined;
        let scalesInput = scales;
        if (!scales || (scaleValues && scaleValues.length === 0)) {
          const sizes = ctx.input(3);
          if (!sizes) ctx.refuse('it has neither scales nor sizes');
          const derived = scalesFromSizes(ctx, sizes);
          scalesInput = ctx.addConstant('scales', { dtype: DataType.FLOAT, dims: [derived.length], data: Float32Array.from(derived) });
          ctx.note(`sizes written as scales [${derived.join(', ')}]`);
        }
        ctx.drop('coordinate_transformation_mode', 'nearest_mode', 'cubic_coeff_a', 'exclude_outside', 'extrapolation_value');
        ctx.setInputs([ctx.input(0), scalesInput]);
        ctx.note('roi dropped, the asymmetric transformation is the opset-10 behaviour');
      },
    },
    13: {
      up: (ctx: NodeContext) => {
        if (ctx.string('coordinate_transformation_mode') !== 'tf_half_pixel_for_nn') return;
        // It is half_pixel shifted by half a pixel: rounding (x + 0.5) down is rounding x half up, and
        // rounding (x + 0.5) half down is rounding x up.
        const nearest = ctx.string('nearest_mode') ?? 'round_prefer_floor';
        const equivalent: Record<string, string> = { floor: 'round_prefer_ceil', round_prefer_floor: 'ceil' };
        if ((ctx.string('mode') ?? 'nearest') !== 'nearest' || !equivalent[nearest]) {
          ctx.refuse(`coordinate_transformation_mode 'tf_half_pixel_for_nn' with nearest_mode '${nearest}' was removed at opset 13 and has no equivalent there`);
        }
        ctx.setString('coordinate_transformation_mode', 'half_pixel');
        ctx.setString('nearest_mode', equivalent[nearest]);
        ctx.note(`'tf_half_pixel_for_nn' (removed at opset 13) written as 'half_pixel' with nearest_mode '${equivalent[nearest]}'`);
      },
      down: (ctx: NodeContext) => {
        const inputs = [...(ctx.node.input ?? [])];
        if (inputs.length > 1 && !inputs[1]) inputs[1] = emptyFloats(ctx, 'roi');
        if (inputs.length > 3 && inputs[3] && !inputs[2]) inputs[2] = emptyFloats(ctx, 'scales');
        if (inputs.length < 3) ctx.refuse('it has neither scales nor sizes');
        if (inputs.join('\u0000') !== (ctx.node.input ?? []).join('\u0000')) {
          ctx.setInputs(inputs);
          ctx.note('empty roi/scales written as empty tensors (required inputs before opset 13)');
        }
      },
    },
    19: {
      down: (ctx: NodeContext) => {
        if (ctx.string('coordinate_transformation_mode') === 'half_pixel_symmetric') {
          ctx.refuse("coordinate_transformation_mode 'half_pixel_symmetric' does not exist before opset 19");
        }
      },
    },
  },
};
