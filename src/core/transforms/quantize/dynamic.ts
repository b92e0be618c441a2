// Dynamic int8 quantization, as onnxruntime's quantize_dynamic: int8 weights for MatMul, Gemm, Conv,
// Gather embeddings (one int8 copy when a vocabulary head reads the same table, directly or through a
// Transpose) and LSTM/GRU/RNN W and R (DequantizeLinear feeding the node); activations quantized at run
// time by DynamicQuantizeLinear (uint8, asymmetric).
// 'integer' format: MatMulInteger/ConvInteger + Cast + Mul by the product of scales (+ bias).
// 'qdq' format: DynamicQuantizeLinear -> DequantizeLinear on activations, DequantizeLinear on weights,
// the original op in float (onnxruntime fuses these into integer kernels).
import { DataType, onnx, type NodeProto } from '../../model/proto.js';
import { elementCount } from '../../model/tensorValues.js';
import type { Granularity, QuantizedTensor } from './arithmetic.js';
import type { KernelJob } from './kernels.js';
import type { QuantizeOptions } from './options.js';
import { nodeLabel, type FloatWeight, type Rewriter } from './rewriter.js';
import { intAttribute } from '../graphEdit.js';
import { defaultOpset, floatAttr, intAttr } from '../../model/graphQueries.js';

interface QuantizedWeight {
  values: string;
  scale: string;
  zeroPoint: string;
  q: QuantizedTensor;
}

/** Runtime-quantized activation: uint8 codes, scale and zero point (and, for QDQ, the dequantized value). */
interface DynamicActivation {
  q: string;
  scale: string;
  zeroPoint: string;
  dequantized?: string;
}

function activation(rw: Rewriter, name: string, withDequantize: boolean, nodes: NodeProto[]): DynamicActivation {
  const key = `dql:${name}`;
  let a = rw.memo.get(key) as DynamicActivation | undefined;
  if (!a) {
    a = { q: rw.names.fresh(`${name}_quantized`), scale: rw.names.fresh(`${name}_scale`), zeroPoint: rw.names.fresh(`${name}_zero_point`) };
    nodes.push(rw.node('DynamicQuantizeLinear', [name], [a.q, a.scale, a.zeroPoint], `${name}_DynamicQuantizeLinear`));
    rw.memo.set(key, a);
  }
  if (withDequantize && !a.dequantized) {
    a.dequantized = rw.names.fresh(`${name}_dequantized`);
    nodes.push(rw.node('DequantizeLinear', [a.q, a.scale, a.zeroPoint], [a.dequantized], `${name}_DequantizeLinear`));
  }
  return a;
}

/** `transposed`: the 2-D weight [N, K] is quantized as [K, N] = dims. */
function quantizeWeight(rw: Rewriter, weight: FloatWeight, transposed: boolean, dims: number[], granularity: Granularity, symmetric: boolean, key: string, node: NodeProto, op: string): QuantizedWeight {
  const memoKey = `w:${weight.name}:${key}`;
  const hit = rw.memo.get(memoKey) as QuantizedWeight | undefined;
  if (hit) return hit;
  const q = rw.quantized(weightJob(weight, transposed, dims, granularity, symmetric), weight);
  const names = rw.addQuantized(weight.name, q, true);
  const result = { values: names.values, scale: names.scale, zeroPoint: names.zeroPoint!, q };
  rw.memo.set(memoKey, result);
  rw.record({ tensor: weight.name, role: 'weight', node: nodeLabel(node), op, dtype: 'int8', shape: dims }, q);
  return result;
}

function dequantizeWeight(rw: Rewriter, w: QuantizedWeight, granularity: Granularity, nodes: NodeProto[]): string {
  const key = `wdq:${w.values}`;
  let name = rw.memo.get(key) as string | undefined;
  if (!name) {
    name = rw.names.fresh(`${w.values}_dequantized`);
    const attrs = granularity.kind === 'channel' ? [intAttribute('axis', granularity.axis)] : [];
    nodes.push(rw.node('DequantizeLinear', [w.values, w.scale, w.zeroPoint], [name], `${w.values}_DequantizeLinear`, attrs));
    rw.memo.set(key, name);
  }
  return name;
}

function weightJob(weight: FloatWeight, transposed: boolean, dims: number[], granularity: Granularity, symmetric: boolean): KernelJob & { kind: 'quantize' } {
  return { kind: 'quantize', weight: weight.name, dims, transposed, type: 'int8', symmetric, granularity };
}

/**
 * The weights a dynamic rewrite of `rw` will quantize, as kernel jobs a pool can compute first: MatMul,
 * Gemm, Conv and embedding Gather weights, the bulk of a model's bytes. Rarer forms (a head through a
 * Transpose, tied tables, recurrent weights) are computed in the rewrite itself. A job the rewrite does
 * not ask for after all costs time only: results are looked up by the whole job.
 */
export function dynamicJobs(rw: Rewriter, options: QuantizeOptions): Array<{ job: KernelJob; weight: FloatWeight }> {
  const jobs: Array<{ job: KernelJob; weight: FloatWeight }> = [];
  const add = (weight: FloatWeight, transposed: boolean, dims: number[], g: Granularity) => jobs.push({ job: weightJob(weight, transposed, dims, g, options.symmetric), weight });
  for (const node of rw.graph.node ?? []) {
    if ((node.domain && node.domain !== 'ai.onnx') || rw.isExcluded(node)) continue;
    const inputs = node.input ?? [];
    const weight = rw.floatWeight(node.opType === 'Gather' ? inputs[0] : inputs[1]);
    if (!weight || (node.opType !== 'Gather' && rw.floatWeight(inputs[0]))) continue;
    const dims = weight.dims;
    if (node.opType === 'MatMul' && dims.length === 2) add(weight, false, dims, options.perChannel ? { kind: 'channel', axis: 1 } : { kind: 'tensor' });
    else if (node.opType === 'Conv' && dims.length >= 3) add(weight, false, dims, options.perChannel ? { kind: 'channel', axis: 0 } : { kind: 'tensor' });
    else if (node.opType === 'Gather' && dims.length >= 2 && elementCount(dims) >= 256) add(weight, false, dims, { kind: 'tensor' });
    else if (node.opType === 'Gemm' && dims.length === 2 && intAttr(node, 'transA', 0) === 0 && !gatheredToo(rw, weight.name)) {
      const transB = intAttr(node, 'transB', 0) !== 0;
      if (options.format === 'qdq') add(weight, false, dims, options.perChannel ? { kind: 'channel', axis: transB ? 0 : 1 } : { kind: 'tensor' });
      else add(weight, transB, transB ? [dims[1], dims[0]] : dims, options.perChannel ? { kind: 'channel', axis: 1 } : { kind: 'tensor' });
    }
  }
  return jobs;
}

/** Y_int32 -> float, times activation scale * weight scale (* alpha), optionally + bias. */
function rescale(rw: Rewriter, base: string, integer: string, actScale: string, weightScale: string, output: string, nodes: NodeProto[], alpha = 1, bias?: string): void {
  const asFloat = rw.names.fresh(`${base}_output_float`);
  nodes.push(rw.node('Cast', [integer], [asFloat], `${base}_Cast`, [intAttribute('to', DataType.FLOAT)]));
  const scale = rw.names.fresh(`${base}_scale_product`);
  nodes.push(rw.node('Mul', [actScale, weightScale], [scale], `${base}_scale_Mul`));
  let scaleName = scale;
  if (alpha !== 1) {
    scaleName = rw.names.fresh(`${base}_scale_alpha`);
    nodes.push(rw.node('Mul', [scale, rw.addScalar(`${base}_alpha`, DataType.FLOAT, alpha)], [scaleName], `${base}_alpha_Mul`));
  }
  const scaled = bias ? rw.names.fresh(`${base}_output_scaled`) : output;
  nodes.push(rw.node('Mul', [asFloat, scaleName], [scaled], `${base}_output_Mul`));
  if (bias) nodes.push(rw.node('Add', [scaled, bias], [output], `${base}_bias_Add`));
}

export interface DynamicCounts {
  matmul: number;
  gemm: number;
  conv: number;
  gather: number;
  /** LSTM, GRU and RNN nodes whose W and R weights were quantized. */
  recurrent: number;
}

/** Memo key of a weight quantized in its own layout: one int8 copy for every consumer that agrees on it. */
function layoutKey(g: Granularity): string {
  return g.kind === 'channel' ? `channel:${g.axis}` : g.kind;
}

/** A float 2-D constant read through a Transpose that swaps its axes (lm_head = x · Wᵀ of a tied embedding). */
function transposedWeight(rw: Rewriter, name: string): { weight: FloatWeight; transpose: NodeProto; index: number } | undefined {
  const p = rw.index.producer(name);
  if (!p || p.node.opType !== 'Transpose' || (p.node.domain && p.node.domain !== 'ai.onnx')) return undefined;
  const weight = rw.floatWeight(p.node.input?.[0]);
  if (!weight || weight.dims.length !== 2) return undefined;
  const perm = (p.node.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map(Number);
  if (perm && !(perm[0] === 1 && perm[1] === 0)) return undefined;
  return { weight, transpose: p.node, index: p.index };
}

/** The weight is also an embedding table that a Gather reads (GPT-2's tied wte / lm_head). */
function gatheredToo(rw: Rewriter, name: string): boolean {
  return rw.index.consumers(name).some((c) => c.node.opType === 'Gather' && c.inputIndex === 0 && !rw.isExcluded(c.node));
}

export function* rewriteDynamic(rw: Rewriter, options: QuantizeOptions): Generator<void, DynamicCounts> {
  const counts: DynamicCounts = { matmul: 0, gemm: 0, conv: 0, gather: 0, recurrent: 0 };
  const qdq = options.format === 'qdq';
  let convPerChannelAsQdq = 0;
  let tiedPerTensor = 0;
  // Transposes of a constant weight whose readers were rewritten to read the quantized weight: dropped
  // when every reader was, so that the float weight goes too.
  const rerouted = new Map<number, { node: NodeProto; handled: number }>();
  const graphNodes = rw.graph.node ?? [];
  for (let index = 0; index < graphNodes.length; index++) {
    const node = graphNodes[index];
    yield;
    if ((node.domain && node.domain !== 'ai.onnx') || rw.isExcluded(node)) continue;
    const inputs = node.input ?? [];
    const base = node.name || `${node.opType}_${node.output?.[0] ?? index}`;
    const nodes: NodeProto[] = [];
    switch (node.opType) {
      case 'MatMul': {
        if (rw.floatWeight(inputs[0])) continue;
        const viaTranspose = rw.floatWeight(inputs[1]) ? undefined : transposedWeight(rw, inputs[1]);
        if (viaTranspose) {
          if (!matMulThroughTranspose(rw, options, node, base, viaTranspose, nodes)) continue;
          const r = rerouted.get(viaTranspose.index) ?? { node: viaTranspose.transpose, handled: 0 };
          r.handled++;
          rerouted.set(viaTranspose.index, r);
          if (options.perChannel && gatheredToo(rw, viaTranspose.weight.name)) tiedPerTensor++;
          counts.matmul++;
          break;
        }
        const weight = rw.floatWeight(inputs[1]);
        if (!weight || weight.dims.length !== 2) continue;
        const g: Granularity = options.perChannel ? { kind: 'channel', axis: 1 } : { kind: 'tensor' };
        const w = quantizeWeight(rw, weight, false, weight.dims, g, options.symmetric, layoutKey(g), node, 'MatMul');
        if (qdq) {
          const a = activation(rw, inputs[0], true, nodes);
          nodes.push(onnx.NodeProto.create({ ...node, input: [a.dequantized!, dequantizeWeight(rw, w, g, nodes)] }));
        } else {
          const a = activation(rw, inputs[0], false, nodes);
          const integer = rw.names.fresh(`${base}_output_int32`);
          nodes.push(rw.node('MatMulInteger', [a.q, w.values, a.zeroPoint, w.zeroPoint], [integer], `${base}_MatMulInteger`));
          rescale(rw, base, integer, a.scale, w.scale, node.output![0], nodes);
        }
        counts.matmul++;
        break;
      }
      case 'Gemm': {
        const weight = rw.floatWeight(inputs[1]);
        if (!weight || weight.dims.length !== 2 || intAttr(node, 'transA', 0) !== 0 || rw.floatWeight(inputs[0])) continue;
        const transB = intAttr(node, 'transB', 0) !== 0;
        if (qdq) {
          // The weight keeps its layout; output channels are axis 0 when transB is set. A table an embedding
          // Gather reads too is per tensor, so that the Gather's int8 copy serves the head as well.
          const tied = transB && gatheredToo(rw, weight.name);
          if (tied && options.perChannel) tiedPerTensor++;
          const g: Granularity = options.perChannel && !tied ? { kind: 'channel', axis: transB ? 0 : 1 } : { kind: 'tensor' };
          const w = quantizeWeight(rw, weight, false, weight.dims, g, options.symmetric, layoutKey(g), node, 'Gemm');
          const a = activation(rw, inputs[0], true, nodes);
          const rest = inputs.slice(2);
          nodes.push(onnx.NodeProto.create({ ...node, input: [a.dequantized!, dequantizeWeight(rw, w, g, nodes), ...rest] }));
        } else {
          const [K, N] = transB ? [weight.dims[1], weight.dims[0]] : weight.dims;
          // A weight an embedding Gather reads too is quantized once, per tensor, in its own layout, and
          // transposed as int8 at run time; otherwise the int8 copy is stored as MatMulInteger reads it.
          const tied = transB && gatheredToo(rw, weight.name);
          if (tied && options.perChannel) tiedPerTensor++;
          const g: Granularity = options.perChannel && !tied ? { kind: 'channel', axis: 1 } : { kind: 'tensor' };
          const w = tied
            ? quantizeWeight(rw, weight, false, weight.dims, g, options.symmetric, layoutKey(g), node, 'Gemm')
            : quantizeWeight(rw, weight, transB, [K, N], g, options.symmetric, `${g.kind}:KN`, node, 'Gemm');
          const a = activation(rw, inputs[0], false, nodes);
          const integer = rw.names.fresh(`${base}_output_int32`);
          nodes.push(rw.node('MatMulInteger', [a.q, tied ? rw.transposeOf(w.values, nodes) : w.values, a.zeroPoint, w.zeroPoint], [integer], `${base}_MatMulInteger`));
          let bias: string | undefined = inputs[2] || undefined;
          const beta = floatAttr(node, 'beta', 1);
          if (bias && beta !== 1) {
            const scaled = rw.names.fresh(`${base}_bias_beta`);
            nodes.push(rw.node('Mul', [bias, rw.addScalar(`${base}_beta`, DataType.FLOAT, beta)], [scaled], `${base}_beta_Mul`));
            bias = scaled;
          }
          rescale(rw, base, integer, a.scale, w.scale, node.output![0], nodes, floatAttr(node, 'alpha', 1), bias);
        }
        counts.gemm++;
        break;
      }
      case 'Conv': {
        const weight = rw.floatWeight(inputs[1]);
        if (!weight || weight.dims.length < 3 || rw.floatWeight(inputs[0])) continue;
        // onnxruntime's ConvInteger takes one weight zero point only: per-channel Conv goes through QDQ.
        const asQdq = qdq || options.perChannel;
        const g: Granularity = options.perChannel ? { kind: 'channel', axis: 0 } : { kind: 'tensor' };
        const w = quantizeWeight(rw, weight, false, weight.dims, g, options.symmetric, g.kind, node, 'Conv');
        if (asQdq) {
          if (!qdq) convPerChannelAsQdq++;
          const a = activation(rw, inputs[0], true, nodes);
          nodes.push(onnx.NodeProto.create({ ...node, input: [a.dequantized!, dequantizeWeight(rw, w, g, nodes), ...inputs.slice(2)] }));
        } else {
          const a = activation(rw, inputs[0], false, nodes);
          const integer = rw.names.fresh(`${base}_output_int32`);
          const attrs = (node.attribute ?? []).filter((x) => ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'].includes(x.name ?? ''));
          nodes.push(rw.node('ConvInteger', [a.q, w.values, a.zeroPoint, w.zeroPoint], [integer], `${base}_ConvInteger`, attrs));
          let bias: string | undefined;
          if (inputs[2]) {
            // Bias [M] broadcast over [N, M, spatial...].
            const shape = rw.addInitializer(`${base}_bias_shape`, DataType.INT64, [weight.dims.length - 1], BigInt64Array.from([-1n, ...new Array<bigint>(weight.dims.length - 2).fill(1n)]));
            bias = rw.names.fresh(`${base}_bias_reshaped`);
            nodes.push(rw.node('Reshape', [inputs[2], shape], [bias], `${base}_bias_Reshape`));
          }
          rescale(rw, base, integer, a.scale, w.scale, node.output![0], nodes, 1, bias);
        }
        counts.conv++;
        break;
      }
      case 'Gather': {
        const weight = rw.floatWeight(inputs[0]);
        if (!weight || weight.dims.length < 2 || elementCount(weight.dims) < 256) continue;
        const g: Granularity = { kind: 'tensor' };
        const w = quantizeWeight(rw, weight, false, weight.dims, g, options.symmetric, layoutKey(g), node, 'Gather');
        const gathered = rw.names.fresh(`${base}_output_quantized`);
        nodes.push(onnx.NodeProto.create({ ...node, input: [w.values, inputs[1]], output: [gathered] }));
        nodes.push(rw.node('DequantizeLinear', [gathered, w.scale, w.zeroPoint], [node.output![0]], `${base}_DequantizeLinear`));
        counts.gather++;
        break;
      }
      case 'LSTM':
      case 'GRU':
      case 'RNN': {
        if (!recurrentWeights(rw, options, node, nodes)) continue;
        counts.recurrent++;
        break;
      }
      default:
        continue;
    }
    rw.replace(index, nodes);
  }
  for (const [index, r] of rerouted) {
    const out = r.node.output?.[0] ?? '';
    if (r.handled === rw.index.consumers(out).length && !(rw.graph.output ?? []).some((o) => o.name === out)) rw.replace(index, []);
  }
  if (tiedPerTensor) rw.notes.push(`${tiedPerTensor} vocabulary head(s) share their weight with an embedding Gather: quantized once, per tensor, so that one int8 copy serves both.`);
  if (convPerChannelAsQdq) rw.notes.push(`${convPerChannelAsQdq} per-channel Conv node(s) use the QDQ form: onnxruntime's ConvInteger accepts one weight zero point only.`);
  return counts;
}

/**
 * MatMul(x, Transpose(W)): W [N, K] is quantized in its own layout (shared with an embedding Gather of the
 * same table), then transposed as int8 for MatMulInteger, or dequantized and transposed for QDQ.
 */
function matMulThroughTranspose(rw: Rewriter, options: QuantizeOptions, node: NodeProto, base: string, via: { weight: FloatWeight; transpose: NodeProto }, nodes: NodeProto[]): boolean {
  const { weight } = via;
  if (rw.isExcluded(via.transpose)) return false;
  // Per channel of W's rows (MatMul's output columns), unless a Gather shares the table (per tensor).
  const g: Granularity = options.perChannel && !gatheredToo(rw, weight.name) ? { kind: 'channel', axis: 0 } : { kind: 'tensor' };
  const w = quantizeWeight(rw, weight, false, weight.dims, g, options.symmetric, layoutKey(g), node, 'MatMul');
  const inputs = node.input ?? [];
  if (options.format === 'qdq') {
    const a = activation(rw, inputs[0], true, nodes);
    nodes.push(onnx.NodeProto.create({ ...node, input: [a.dequantized!, rw.transposeOf(dequantizeWeight(rw, w, g, nodes), nodes)] }));
  } else {
    const a = activation(rw, inputs[0], false, nodes);
    const integer = rw.names.fresh(`${base}_output_int32`);
    nodes.push(rw.node('MatMulInteger', [a.q, rw.transposeOf(w.values, nodes), a.zeroPoint, w.zeroPoint], [integer], `${base}_MatMulInteger`));
    rescale(rw, base, integer, a.scale, w.scale, node.output![0], nodes);
  }
  return true;
}

/**
 * LSTM/GRU/RNN: W (input 1) and R (input 2) become int8 with a DequantizeLinear feeding the node, a
 * standard-ops form any runtime takes (onnxruntime's DynamicQuantizeLSTM is a com.microsoft op, which
 * dynamic mode does not write). Per channel means per gate row (axis 1) when there is one direction.
 */
function recurrentWeights(rw: Rewriter, options: QuantizeOptions, node: NodeProto, nodes: NodeProto[]): boolean {
  const inputs = [...(node.input ?? [])];
  let done = 0;
  for (const slot of [1, 2]) {
    const weight = rw.floatWeight(inputs[slot]);
    if (!weight || weight.dims.length !== 3) continue;
    const g: Granularity = options.perChannel && weight.dims[0] === 1 && defaultOpsetOf(rw) >= 13 ? { kind: 'channel', axis: 1 } : { kind: 'tensor' };
    const w = quantizeWeight(rw, weight, false, weight.dims, g, options.symmetric, layoutKey(g), node, node.opType ?? '');
    inputs[slot] = dequantizeWeight(rw, w, g, nodes);
    done++;
  }
  if (!done) return false;
  nodes.push(onnx.NodeProto.create({ ...node, input: inputs }));
  return true;
}

function defaultOpsetOf(rw: Rewriter): number {
  return defaultOpset(rw.model);
}
