// Float weights as numbers for the fusions: read once in double precision, written back in the weight's own
// element type (one rounding). Conv weights are laid out [C_out, C_in/group, k...]; ConvTranspose weights
// [C_in, C_out/group, k...].
import { DataType, type NodeProto } from '../../model/proto.js';
import { fromFloat64, toFloat64 } from '../../model/tensorValues.js';
import { intAttr, type RewriteGraph } from './rewriteGraph.js';

/** Element types the fusions compute on. */
export const floatTypes = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

export interface FloatWeight {
  dtype: number;
  dims: number[];
  values: Float64Array;
}

/** A constant float tensor's values, or undefined. */
export function readFloats(g: RewriteGraph, name: string | null | undefined): FloatWeight | undefined {
  const array = g.constantArray(name);
  if (!array || !floatTypes.has(array.dtype)) return undefined;
  return { dtype: array.dtype, dims: array.dims, values: toFloat64(array) };
}

/** A new initializer holding `values` in `dtype`; returns its name. */
export function writeFloats(g: RewriteGraph, base: string, weight: FloatWeight): string {
  return g.addConstant(base, { dtype: weight.dtype, dims: weight.dims, data: fromFloat64(weight.dtype, weight.values) });
}

/** Output channels of a Conv or ConvTranspose with this weight. */
export function outputChannels(node: NodeProto, weightDims: number[]): number {
  return node.opType === 'ConvTranspose' ? weightDims[1] * intAttr(node, 'group', 1) : weightDims[0];
}

/** The output channel each weight element feeds, for per-channel scaling. */
export function channelOfElement(node: NodeProto, dims: number[]): (index: number) => number {
  const inner = dims.slice(2).reduce((n, d) => n * d, 1);
  if (node.opType !== 'ConvTranspose') {
    const perOut = dims.slice(1).reduce((n, d) => n * d, 1);
    return (i) => Math.floor(i / perOut);
  }
  // ConvTranspose: element [c_in, j, ...] feeds output channel group(c_in) * (C_out/group) + j.
  const group = intAttr(node, 'group', 1);
  const inPerGroup = dims[0] / group;
  const outPerGroup = dims[1];
  return (i) => {
    const cIn = Math.floor(i / (outPerGroup * inner));
    const j = Math.floor(i / inner) % outPerGroup;
    return Math.floor(cIn / inPerGroup) * outPerGroup + j;
  };
}

/** The weight with each element multiplied by the factor of the output channel it feeds. */
export function scaledPerChannel(node: NodeProto, weight: FloatWeight, factors: Float64Array): FloatWeight {
  const { values, dims } = weight;
  const out = new Float64Array(values.length);
  if (node.opType !== 'ConvTranspose') {
    // Plain loops: TypedArray.from with a mapping function is an order of magnitude slower.
    const perOut = values.length / dims[0];
    for (let o = 0, i = 0; o < dims[0]; o++) for (let j = 0; j < perOut; j++, i++) out[i] = values[i] * factors[o];
  } else {
    const channelOf = channelOfElement(node, dims);
    for (let i = 0; i < values.length; i++) out[i] = values[i] * factors[channelOf(i)];
  }
  return { ...weight, values: out };
}

/** Per-channel numbers from a function of the channel. */
export function perChannelValues(channels: number, value: (c: number) => number): Float64Array {
  const out = new Float64Array(channels);
  for (let c = 0; c < channels; c++) out[c] = value(c);
  return out;
}

/**
 * A constant that broadcasts per output channel onto a Conv output of rank `rank` (right-aligned dims all
 * 1 except the channel axis, which is 1 or C): its value for each channel. Undefined when it would
 * broadcast along another axis or widen the output.
 */
export function perChannel(constant: FloatWeight | undefined, rank: number, channels: number): Float64Array | undefined {
  if (!constant) return undefined;
  const dims = constant.dims;
  if (dims.length > rank) return undefined;
  const offset = rank - dims.length;
  let channelDim = 1;
  for (let i = 0; i < dims.length; i++) {
    const axis = i + offset;
    if (axis === 1) channelDim = dims[i];
    else if (dims[i] !== 1) return undefined;
  }
  if (channelDim !== 1 && channelDim !== channels) return undefined;
  return perChannelValues(channels, (c) => constant.values[channelDim === 1 ? 0 : c]);
}

/** The Conv's weight and bias when both are constant floats of one type (bias zero when absent). */
export function convWeights(g: RewriteGraph, conv: NodeProto): { weight: FloatWeight; bias: Float64Array; channels: number } | undefined {
  const inputs = conv.input ?? [];
  const weight = readFloats(g, inputs[1]);
  if (!weight || weight.dims.length < 3) return undefined;
  const channels = outputChannels(conv, weight.dims);
  if (!inputs[2]) return { weight, bias: new Float64Array(channels), channels };
  const bias = readFloats(g, inputs[2]);
  if (!bias || bias.dtype !== weight.dtype || bias.values.length !== channels) return undefined;
  return { weight, bias: bias.values, channels };
}

/** Points a Conv at new weight and bias initializers (named after the old ones). */
export function setConvWeights(g: RewriteGraph, conv: NodeProto, weight: FloatWeight, bias: Float64Array): void {
  const inputs = conv.input ?? [];
  const base = inputs[1] || 'weight';
  const w = writeFloats(g, `${base}_fused`, weight);
  // A Conv that had no bias keeps none while the bias stays zero (a scaled Conv).
  if (!inputs[2] && bias.every((b) => b === 0)) {
    conv.input = [inputs[0], w];
    return;
  }
  const b = writeFloats(g, `${inputs[2] || `${base}_bias`}_fused`, { dtype: weight.dtype, dims: [bias.length], values: bias });
  conv.input = [inputs[0], w, b];
}
