// Static int8 quantization in QDQ form: QuantizeLinear/DequantizeLinear pairs on the activations around
// Conv, MatMul and Gemm (ranges from calibration), int8 symmetric weights behind DequantizeLinear (per
// channel or per tensor), and int32 biases with scale = activation scale * weight scale, as onnxruntime's
// QDQ quantizer writes them so that its optimizer can fuse them into integer kernels.
import { DataType, type NodeProto } from '../../model/proto.js';
import { quantizeTensor, scaleZeroPoint, type Granularity, type QuantType } from './arithmetic.js';
import type { QuantizeOptions } from './options.js';
import { nodeLabel, type Rewriter } from './rewriter.js';
import { intAttribute } from '../graphEdit.js';
import { intAttr } from '../../model/graphQueries.js';

export interface ActivationRange {
  min: number;
  max: number;
}

/** Op types whose inputs (and output) get QDQ pairs. */
export const staticOps = new Set(['Conv', 'MatMul', 'Gemm']);

interface Target {
  node: NodeProto;
  /** Input positions that are activations to quantize. */
  activations: number[];
  /** Input position of a constant weight, if any. */
  weight?: number;
}

function isFloatActivation(rw: Rewriter, name: string | undefined): boolean {
  if (!name || rw.constant(name)) return false;
  const t = rw.elemType(name);
  return t === undefined || t === DataType.FLOAT;
}

function targets(rw: Rewriter): Target[] {
  const found: Target[] = [];
  for (const node of rw.graph.node ?? []) {
    if (!staticOps.has(node.opType ?? '') || (node.domain && node.domain !== 'ai.onnx') || rw.isExcluded(node)) continue;
    const inputs = node.input ?? [];
    if (node.opType === 'Gemm' && intAttr(node, 'transA', 0) !== 0) continue;
    const t: Target = { node, activations: [] };
    if (isFloatActivation(rw, inputs[0])) t.activations.push(0);
    else if (!rw.floatWeight(inputs[0])) continue;
    if (rw.floatWeight(inputs[1])) t.weight = 1;
    else if (node.opType !== 'Conv' && isFloatActivation(rw, inputs[1])) t.activations.push(1);
    else continue;
    if (t.activations.length === 0) continue;
    found.push(t);
  }
  return found;
}

/** The Relu that alone reads a quantized node's output, which uint8 activations can stand for. */
function reluAfter(rw: Rewriter, out: string | undefined): { node: NodeProto; index: number } | undefined {
  if (!out || (rw.graph.output ?? []).some((o) => o.name === out)) return undefined;
  const readers = rw.index.consumers(out);
  if (readers.length !== 1 || readers[0].inputIndex !== 0) return undefined;
  const { node, index } = readers[0];
  if (node.opType !== 'Relu' || (node.domain && node.domain !== 'ai.onnx') || rw.isExcluded(node) || !node.output?.[0]) return undefined;
  return { node, index };
}

/** The activation values calibration must observe: inputs and outputs of every quantized node (and of a Relu after one). */
export function staticActivationNames(rw: Rewriter): string[] {
  const names = new Set<string>();
  for (const t of targets(rw)) {
    for (const i of t.activations) names.add(t.node.input![i]);
    const out = t.node.output?.[0];
    if (out) names.add(out);
    const relu = reluAfter(rw, out);
    if (relu) names.add(relu.node.output![0]);
  }
  return [...names];
}

export interface StaticCounts {
  nodes: number;
  /** Embedding Gathers reading an int8 table. */
  gathers: number;
  activations: number;
  weights: number;
  biases: number;
  /** Activation values without a calibrated range, left in float. */
  missing: string[];
}

export function* rewriteStatic(rw: Rewriter, options: QuantizeOptions, ranges: Map<string, ActivationRange>): Generator<void, StaticCounts> {
  const counts: StaticCounts = { nodes: 0, gathers: 0, activations: 0, weights: 0, biases: 0, missing: [] };
  const actType: QuantType = options.symmetric ? 'int8' : 'uint8';
  const actDtype = actType === 'int8' ? DataType.INT8 : DataType.UINT8;
  const found = targets(rw);
  /** Activation value -> its scale (for bias scales) and its dequantized name. */
  const quantized = new Map<string, { scale: number; dequantized: string }>();
  const missing = counts.missing;

  const qdq = (name: string, consumer: NodeProto): { scale: number; dequantized: string } | undefined => {
    const hit = quantized.get(name);
    if (hit) return hit;
    const range = ranges.get(name);
    if (!range) {
      missing.push(name);
      return undefined;
    }
    const { scale, zeroPoint } = scaleZeroPoint(range.min, range.max, actType, options.symmetric);
    const s = rw.addInitializer(`${name}_scale`, DataType.FLOAT, [], Float32Array.of(scale));
    const z = rw.addInitializer(`${name}_zero_point`, actDtype, [], actType === 'int8' ? Int8Array.of(zeroPoint) : Uint8Array.of(zeroPoint));
    const q = rw.names.fresh(`${name}_quantized`);
    const dq = rw.names.fresh(`${name}_dequantized`);
    rw.add(rw.node('QuantizeLinear', [name, s, z], [q], `${name}_QuantizeLinear`), rw.node('DequantizeLinear', [q, s, z], [dq], `${name}_DequantizeLinear`));
    rw.record({ tensor: name, role: 'activation', node: nodeLabel(consumer), op: consumer.opType ?? '', dtype: actType, shape: [] }, {
      scales: [scale], zeroPoints: [zeroPoint], granularity: { kind: 'tensor' },
    });
    const entry = { scale, dequantized: dq };
    quantized.set(name, entry);
    counts.activations++;
    return entry;
  };

  // A Relu alone after a quantized node goes, as in onnxruntime's QDQ quantizer: the node's output is
  // quantized with the Relu's range, whose uint8 zero point 0 clamps the negatives as the Relu did.
  let relus = 0;
  if (actType === 'uint8') {
    for (const t of found) {
      const out = t.node.output?.[0];
      const relu = reluAfter(rw, out);
      const reluOut = relu?.node.output?.[0];
      const range = reluOut ? ranges.get(reluOut) : undefined;
      if (!relu || !out || !reluOut || !range || quantized.has(reluOut)) continue;
      const { scale, zeroPoint } = scaleZeroPoint(range.min, range.max, actType, false);
      if (zeroPoint !== 0) continue;
      const sName = rw.addInitializer(`${reluOut}_scale`, DataType.FLOAT, [], Float32Array.of(scale));
      const zName = rw.addInitializer(`${reluOut}_zero_point`, actDtype, [], Uint8Array.of(0));
      const q = rw.names.fresh(`${reluOut}_quantized`);
      rw.add(rw.node('QuantizeLinear', [out, sName, zName], [q], `${reluOut}_QuantizeLinear`), rw.node('DequantizeLinear', [q, sName, zName], [reluOut], `${reluOut}_DequantizeLinear`));
      rw.replace(relu.index, []);
      rw.record({ tensor: reluOut, role: 'activation', node: nodeLabel(relu.node), op: 'Relu', dtype: actType, shape: [] }, { scales: [scale], zeroPoints: [0], granularity: { kind: 'tensor' } });
      const entry = { scale, dequantized: reluOut };
      quantized.set(reluOut, entry);
      quantized.set(out, entry);
      counts.activations++;
      relus++;
    }
  }
  if (relus) rw.notes.push(`${relus} Relu node(s) after a quantized node were folded into its QuantizeLinear (zero point 0 clamps as the Relu did).`);
  const weightMemo = new Map<string, { dequantized: string; scales: Float32Array }>();
  for (const t of found) {
    yield;
    const node = t.node;
    const inputs = node.input!;
    const acts = t.activations.map((i) => qdq(inputs[i], node));
    if (acts.some((a) => !a)) continue;
    for (const [k, i] of t.activations.entries()) inputs[i] = acts[k]!.dequantized;
    if (t.weight !== undefined) {
      const weight = rw.floatWeight(inputs[t.weight])!;
      let axis = -1;
      if (node.opType === 'Conv') axis = 0;
      else if (node.opType === 'Gemm') axis = intAttr(node, 'transB', 0) ? 0 : 1;
      else if (weight.dims.length === 2) axis = 1;
      const g: Granularity = options.perChannel && axis >= 0 ? { kind: 'channel', axis } : { kind: 'tensor' };
      const key = `${weight.name}:${g.kind}:${axis}`;
      let w = weightMemo.get(key);
      if (!w) {
        const q = quantizeTensor(weight.data, weight.dims, { type: 'int8', symmetric: true, granularity: g });
        const names = rw.addQuantized(weight.name, q, true);
        const dequantized = rw.names.fresh(`${weight.name}_dequantized`);
        rw.add(rw.node('DequantizeLinear', [names.values, names.scale, names.zeroPoint!], [dequantized], `${weight.name}_DequantizeLinear`, g.kind === 'channel' ? [intAttribute('axis', g.axis)] : []));
        rw.record({ tensor: weight.name, role: 'weight', node: nodeLabel(node), op: node.opType ?? '', dtype: 'int8', shape: weight.dims }, q);
        w = { dequantized, scales: q.scales };
        weightMemo.set(key, w);
        counts.weights++;
      }
      inputs[t.weight] = w.dequantized;
      // Bias of Conv (input 2) and Gemm (C, 1-D): int32 at scale activation * weight.
      const bias = (node.opType === 'Conv' || node.opType === 'Gemm') ? rw.floatWeight(inputs[2]) : undefined;
      const gemmBeta = node.opType === 'Gemm' ? (node.attribute ?? []).find((a) => a.name === 'beta')?.f ?? 1 : 1;
      if (bias && bias.dims.length === 1 && gemmBeta === 1 && t.activations[0] === 0) {
        const channels = bias.dims[0];
        if (w.scales.length === 1 || w.scales.length === channels) {
          const actScale = acts[0]!.scale;
          const scales = new Float32Array(w.scales.length);
          const values = new Int32Array(channels);
          for (let c = 0; c < w.scales.length; c++) scales[c] = actScale * w.scales[c];
          for (let c = 0; c < channels; c++) {
            const s = scales[w.scales.length === 1 ? 0 : c];
            const v = Math.round(bias.data[c] / s);
            values[c] = Math.max(-2147483648, Math.min(2147483647, Number.isFinite(v) ? v : 0));
          }
          const qName = rw.addInitializer(`${bias.name}_quantized`, DataType.INT32, [channels], values);
          const sName = rw.addInitializer(`${bias.name}_scale`, DataType.FLOAT, w.scales.length === 1 ? [] : [channels], scales);
          const zName = rw.addInitializer(`${bias.name}_zero_point`, DataType.INT32, w.scales.length === 1 ? [] : [channels], new Int32Array(w.scales.length));
          const dq = rw.names.fresh(`${bias.name}_dequantized`);
          rw.add(rw.node('DequantizeLinear', [qName, sName, zName], [dq], `${bias.name}_DequantizeLinear`, w.scales.length === 1 ? [] : [intAttribute('axis', 0)]));
          rw.record({ tensor: bias.name, role: 'bias', node: nodeLabel(node), op: node.opType ?? '', dtype: 'int32', shape: bias.dims }, {
            scales, zeroPoints: new Array<number>(scales.length).fill(0), granularity: w.scales.length === 1 ? { kind: 'tensor' } : { kind: 'channel', axis: 0 },
          });
          inputs[2] = dq;
          counts.biases++;
        }
      }
    }
    counts.nodes++;
  }
  yield* quantizeGatherTables(rw, counts);
  // Outputs of quantized nodes get a pair too, read by every consumer that is not excluded, so that
  // onnxruntime sees DequantizeLinear -> op -> QuantizeLinear and can run the op in integers.
  for (const t of found) {
    const out = t.node.output?.[0];
    if (!out || quantized.has(out) || !ranges.has(out)) continue;
    const consumers = (rw.graph.node ?? []).filter((n) => !rw.isExcluded(n) && (n.input ?? []).includes(out));
    if (consumers.length === 0) continue;
    const entry = qdq(out, t.node);
    if (!entry) continue;
    for (const c of consumers) c.input = c.input!.map((i) => (i === out ? entry.dequantized : i));
  }
  return counts;
}

/**
 * Embedding tables, as onnxruntime's static quantizer takes them too: the Gather reads an int8 table
 * (per tensor) and a DequantizeLinear after it gives the float rows, so only the rows used are widened.
 * A table that another node reads as well (a tied vocabulary head) stays float for that node, and so here.
 */
function* quantizeGatherTables(rw: Rewriter, counts: StaticCounts): Generator<void> {
  for (const node of rw.graph.node ?? []) {
    if (node.opType !== 'Gather' || (node.domain && node.domain !== 'ai.onnx') || rw.isExcluded(node)) continue;
    const table = rw.floatWeight(node.input?.[0]);
    if (!table || table.dims.length < 2 || table.data.length < 256) continue;
    if (rw.index.consumers(table.name).some((c) => c.node.opType !== 'Gather' || c.inputIndex !== 0)) continue;
    yield;
    const q = quantizeTensor(table.data, table.dims, { type: 'int8', symmetric: true, granularity: { kind: 'tensor' } });
    const names = rw.addQuantized(table.name, q, true);
    const out = node.output![0];
    const gathered = rw.names.fresh(`${out}_quantized`);
    node.input = [names.values, ...node.input!.slice(1)];
    node.output = [gathered, ...node.output!.slice(1)];
    rw.add(rw.node('DequantizeLinear', [gathered, names.scale, names.zeroPoint!], [out], `${node.name || out}_DequantizeLinear`));
    rw.record({ tensor: table.name, role: 'weight', node: nodeLabel(node), op: 'Gather', dtype: 'int8', shape: table.dims }, q);
    counts.gathers++;
    counts.weights++;
  }
}
