// Dynamic int8 quantization, as onnxruntime's quantize_dynamic: int8 weights for MatMul, Gemm, Conv
// and Gather embeddings; activations quantized at run time by DynamicQuantizeLinear (uint8, asymmetric).
// 'integer' format: MatMulInteger/ConvInteger + Cast + Mul by the product of scales (+ bias).
// 'qdq' format: DynamicQuantizeLinear -> DequantizeLinear on activations, DequantizeLinear on weights,
// the original op in float (onnxruntime fuses these into integer kernels).
import { DataType, onnx, type NodeProto } from '../../model/proto.js';
import { elementCount } from '../../model/tensorValues.js';
import { quantizeTensor, type Granularity, type QuantizedTensor } from './arithmetic.js';
import type { QuantizeOptions } from './options.js';
import { nodeLabel, type FloatWeight, type Rewriter } from './rewriter.js';
import { intAttribute } from '../graphEdit.js';
import { floatAttr, intAttr } from '../../model/graphQueries.js';

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

function quantizeWeight(rw: Rewriter, weight: FloatWeight, data: Float32Array | Uint8Array, dims: number[], granularity: Granularity, symmetric: boolean, key: string, node: NodeProto, op: string): QuantizedWeight {
  const memoKey = `w:${weight.name}:${key}`;
  const hit = rw.memo.get(memoKey) as QuantizedWeight | undefined;
  if (hit) return hit;
  const q = quantizeTensor(data, dims, { type: 'int8', symmetric, granularity });
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

function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
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
}

export function* rewriteDynamic(rw: Rewriter, options: QuantizeOptions): Generator<void, DynamicCounts> {
  const counts: DynamicCounts = { matmul: 0, gemm: 0, conv: 0, gather: 0 };
  const qdq = options.format === 'qdq';
  let convPerChannelAsQdq = 0;
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
        const weight = rw.floatWeight(inputs[1]);
        if (!weight || weight.dims.length !== 2 || rw.floatWeight(inputs[0])) continue;
        const g: Granularity = options.perChannel ? { kind: 'channel', axis: 1 } : { kind: 'tensor' };
        const w = quantizeWeight(rw, weight, weight.bytes ?? weight.data, weight.dims, g, options.symmetric, g.kind, node, 'MatMul');
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
          // The weight keeps its layout; output channels are axis 0 when transB is set.
          const g: Granularity = options.perChannel ? { kind: 'channel', axis: transB ? 0 : 1 } : { kind: 'tensor' };
          const w = quantizeWeight(rw, weight, weight.bytes ?? weight.data, weight.dims, g, options.symmetric, `${g.kind}:${transB}`, node, 'Gemm');
          const a = activation(rw, inputs[0], true, nodes);
          const rest = inputs.slice(2);
          nodes.push(onnx.NodeProto.create({ ...node, input: [a.dequantized!, dequantizeWeight(rw, w, g, nodes), ...rest] }));
        } else {
          const [K, N] = transB ? [weight.dims[1], weight.dims[0]] : weight.dims;
          const data = transB ? transposed(weight.data, N, K) : weight.data;
          const g: Granularity = options.perChannel ? { kind: 'channel', axis: 1 } : { kind: 'tensor' };
          const w = quantizeWeight(rw, weight, data, [K, N], g, options.symmetric, `${g.kind}:KN`, node, 'Gemm');
          const a = activation(rw, inputs[0], false, nodes);
          const integer = rw.names.fresh(`${base}_output_int32`);
          nodes.push(rw.node('MatMulInteger', [a.q, w.values, a.zeroPoint, w.zeroPoint], [integer], `${base}_MatMulInteger`));
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
        const w = quantizeWeight(rw, weight, weight.bytes ?? weight.data, weight.dims, g, options.symmetric, g.kind, node, 'Conv');
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
        const w = quantizeWeight(rw, weight, weight.bytes ?? weight.data, weight.dims, g, options.symmetric, 'tensor', node, 'Gather');
        const gathered = rw.names.fresh(`${base}_output_quantized`);
        nodes.push(onnx.NodeProto.create({ ...node, input: [w.values, inputs[1]], output: [gathered] }));
        nodes.push(rw.node('DequantizeLinear', [gathered, w.scale, w.zeroPoint], [node.output![0]], `${base}_DequantizeLinear`));
        counts.gather++;
        break;
      }
      default:
        continue;
    }
    rw.replace(index, nodes);
  }
  if (convPerChannelAsQdq) rw.notes.push(`${convPerChannelAsQdq} per-channel Conv node(s) use the QDQ form: onnxruntime's ConvInteger accepts one weight zero point only.`);
  return counts;
}
