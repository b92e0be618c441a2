// Weight-only quantization of MatMul weights, block-wise along K: either a standard blocked
// DequantizeLinear (opset 21, axis + block_size) feeding the MatMul (and Gemm), or com.microsoft
// MatMulNBits, which onnxruntime runs without materialising the float weight (MatMul only).
import { DataType, onnx, type NodeProto } from '../../model/proto.js';
import type { QuantType } from './arithmetic.js';
import { packCodes, transpose, type KernelJob, type PackedNBits } from './kernels.js';
import type { QuantizeOptions } from './options.js';
import { nodeLabel, type FloatWeight, type Rewriter } from './rewriter.js';
import { intAttribute } from '../graphEdit.js';
import { intAttr } from '../../model/graphQueries.js';

/** A weight-only candidate: `node` reads `weight`, directly or (`via`) through a Transpose of it. */
export interface WeightOnlyCandidate {
  index: number;
  node: NodeProto;
  weight: FloatWeight;
  /** MatMul(A, Transpose(W)): the tied vocabulary head of GPT-2-style models, W [vocab, width]. */
  via?: { transpose: NodeProto; index: number };
}

/** A float 2-D constant read through a Transpose that swaps its axes. */
function transposedWeight(rw: Rewriter, name: string | undefined): { weight: FloatWeight; transpose: NodeProto; index: number } | undefined {
  const p = name ? rw.index.producer(name) : undefined;
  if (!p || p.node.opType !== 'Transpose' || (p.node.domain && p.node.domain !== 'ai.onnx') || rw.isExcluded(p.node)) return undefined;
  const weight = rw.floatWeight(p.node.input?.[0]);
  if (!weight || weight.dims.length !== 2) return undefined;
  const perm = (p.node.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map(Number);
  if (perm && !(perm[0] === 1 && perm[1] === 0)) return undefined;
  return { weight, transpose: p.node, index: p.index };
}

/**
 * MatMul nodes whose B is a constant float matrix (or the Transpose of one), and with `withGemm` Gemm
 * nodes (transA = 0) too: the candidates of weight-only mode.
 */
export function weightOnlyCandidates(rw: Rewriter, withGemm = false): WeightOnlyCandidate[] {
  const found: WeightOnlyCandidate[] = [];
  (rw.graph.node ?? []).forEach((node, index) => {
    const gemm = withGemm && node.opType === 'Gemm' && intAttr(node, 'transA', 0) === 0;
    if ((node.opType !== 'MatMul' && !gemm) || (node.domain && node.domain !== 'ai.onnx') || rw.isExcluded(node)) return;
    const weight = rw.floatWeight(node.input?.[1]);
    if (weight && weight.dims.length === 2 && weight.dims[0] > 0 && weight.dims[1] > 0) {
      found.push({ index, node, weight });
      return;
    }
    const via = node.opType === 'MatMul' ? transposedWeight(rw, node.input?.[1]) : undefined;
    if (via && via.weight.dims[0] > 0 && via.weight.dims[1] > 0) found.push({ index, node, weight: via.weight, via: { transpose: via.transpose, index: via.index } });
  });
  return found;
}

/**
 * Transposes whose every reader was rewritten to read the quantized weight are dropped, so that the float
 * weight goes too.
 */
function dropRerouted(rw: Rewriter, done: readonly WeightOnlyCandidate[]): void {
  const handled = new Map<number, { node: NodeProto; count: number }>();
  for (const c of done) {
    if (!c.via) continue;
    const h = handled.get(c.via.index) ?? { node: c.via.transpose, count: 0 };
    h.count++;
    handled.set(c.via.index, h);
  }
  for (const [index, h] of handled) {
    const out = h.node.output?.[0] ?? '';
    if (h.count === rw.index.consumers(out).length && !(rw.graph.output ?? []).some((o) => o.name === out)) rw.replace(index, []);
  }
}

/**
 * Embedding Gathers reading a weight that the rewrite quantized, when nothing else reads its float copy
 * (a tied table: GPT-2's wte is the Gather's table and, transposed, the head's weight). Otherwise the
 * float weight stays for its other readers and the Gathers with it.
 */
function tiedGathers(rw: Rewriter, weight: string, done: readonly WeightOnlyCandidate[]): Array<{ node: NodeProto; index: number }> {
  const readers = rw.index.consumers(weight);
  const gathers = readers.filter((c) => c.node.opType === 'Gather' && c.inputIndex === 0 && (!c.node.domain || c.node.domain === 'ai.onnx') && !rw.isExcluded(c.node));
  if (!gathers.length) return [];
  const rewritten = new Set(done.map((c) => c.node));
  const handled = new Set(done.filter((c) => c.weight.name === weight && !c.via).map((c) => c.node));
  // A Transpose counts when every one of its readers was rewritten (dropRerouted drops it then).
  for (const c of done) {
    if (c.weight.name !== weight || !c.via) continue;
    const out = c.via.transpose.output?.[0] ?? '';
    if (rw.index.consumers(out).every((r) => rewritten.has(r.node)) && !(rw.graph.output ?? []).some((o) => o.name === out)) handled.add(c.via.transpose);
  }
  const others = readers.filter((c) => !gathers.includes(c) && !handled.has(c.node));
  if (others.length) return [];
  return gathers.map((c) => ({ node: c.node, index: c.index }));
}

/** Axis of K in the weight: 0 for MatMul's [K, N], 1 for a weight stored [N, K] (Gemm transB = 1, a Transpose). */
function reductionAxis(c: WeightOnlyCandidate): number {
  return c.via || (c.node.opType === 'Gemm' && intAttr(c.node, 'transB', 0) !== 0) ? 1 : 0;
}

/** The blocked quantization of a weight for DequantizeLinear, blocks along `axis` (K). */
function blockedJob(weight: string, dims: number[], axis: number, type: QuantType, options: QuantizeOptions): KernelJob & { kind: 'quantize' } {
  return { kind: 'quantize', weight, dims, transposed: false, type, symmetric: options.symmetric, granularity: { kind: 'block', axis, blockSize: options.blockSize } };
}

/** MatMulNBits' packing of a candidate's weight (a head through a Transpose packs W transposed to [K, N]). */
function nbitsJob(c: WeightOnlyCandidate, options: QuantizeOptions): KernelJob & { kind: 'nbits' } {
  const bits = options.bits;
  const [K, N] = c.via ? [c.weight.dims[1], c.weight.dims[0]] : c.weight.dims;
  const symmetricType: QuantType = bits === 4 ? 'int4' : 'int8';
  const type: QuantType = options.symmetric ? symmetricType : bits === 4 ? 'uint4' : 'uint8';
  return { kind: 'nbits', weight: c.weight.name, K, N, transposed: !!c.via, block: options.blockSize, bits, type, symmetric: options.symmetric };
}

/**
 * The kernel jobs a weight-only rewrite of `rw` will ask for, so that a pool can compute them first. A job
 * the rewrite does not ask for after all costs time only: results are looked up by the whole job.
 */
export function weightOnlyJobs(rw: Rewriter, options: QuantizeOptions, qdq: boolean): Array<{ job: KernelJob; weight: FloatWeight }> {
  if (!qdq) return weightOnlyCandidates(rw).map((c) => ({ job: nbitsJob(c, options), weight: c.weight }));
  const type = weightOnlyQuantType(options);
  return weightOnlyCandidates(rw, true).map((c) => ({ job: blockedJob(c.weight.name, c.weight.dims, reductionAxis(c), type, options), weight: c.weight }));
}

export function weightOnlyQuantType(options: QuantizeOptions): QuantType {
  if (options.bits === 4) return options.symmetric ? 'int4' : 'uint4';
  return options.symmetric ? 'int8' : 'uint8';
}

/**
 * MatMul(A, W) -> MatMul(A, DequantizeLinear(Wq, scales[, zero points], axis=0, block_size)); Gemm the
 * same way, with blocks along its K axis. A head through a Transpose of W[N, K] reads Transpose(the
 * DequantizeLinear of W, blocks along axis 1); an embedding Gather of the same W reads that
 * DequantizeLinear too, so a tied table is stored once.
 */
export function* rewriteBlockedDequantize(rw: Rewriter, options: QuantizeOptions): Generator<void, number> {
  const type = weightOnlyQuantType(options);
  const done: WeightOnlyCandidate[] = [];
  for (const c of weightOnlyCandidates(rw, true)) {
    yield;
    const { index, node, weight } = c;
    const axis = reductionAxis(c);
    const key = `dq:${weight.name}:${axis}`;
    let dequantized = rw.memo.get(key) as string | undefined;
    const prefix: NodeProto[] = [];
    if (!dequantized) {
      const q = rw.quantized(blockedJob(weight.name, weight.dims, axis, type, options), weight);
      const names = rw.addQuantized(weight.name, q, !options.symmetric);
      dequantized = rw.names.fresh(`${weight.name}_dequantized`);
      // Added apart from the node: an embedding Gather before the head may read it too.
      rw.add(rw.node('DequantizeLinear', [names.values, names.scale, ...(names.zeroPoint ? [names.zeroPoint] : [])], [dequantized],
        `${node.name || weight.name}_DequantizeLinear`, [intAttribute('axis', axis), intAttribute('block_size', options.blockSize)]));
      rw.memo.set(key, dequantized);
      rw.record({ tensor: weight.name, role: 'weight', node: nodeLabel(node), op: node.opType ?? '', dtype: type, shape: weight.dims }, q);
    }
    const b = c.via ? rw.transposeOf(dequantized, prefix) : dequantized;
    const matmul = onnx.NodeProto.create({ ...node, input: [node.input![0], b, ...(node.input ?? []).slice(2)] });
    rw.replace(index, [...prefix, matmul]);
    done.push(c);
  }
  dropRerouted(rw, done);
  let tied = 0;
  for (const name of new Set(done.map((c) => c.weight.name))) {
    const gathers = tiedGathers(rw, name, done);
    const dequantized = (rw.memo.get(`dq:${name}:1`) ?? rw.memo.get(`dq:${name}:0`)) as string;
    for (const g of gathers) g.node.input = [dequantized, ...(g.node.input ?? []).slice(1)];
    if (gathers.length) tied++;
  }
  if (tied) rw.notes.push(`${tied} weight(s) shared by an embedding Gather and a MatMul/Gemm head: quantized once, one DequantizeLinear feeds both.`);
  return done.length;
}

/**
 * MatMul(A, W[K, N]) -> com.microsoft.MatMulNBits(A, B, scales[, zero_points]) with
 * B[N, ceil(K / block), block * bits / 8] holding W transposed, codes packed low nibble first,
 * scales [N, blocks] and zero points packed the same way per row. Without zero points onnxruntime
 * uses 2^(bits-1), which is where symmetric codes are shifted to.
 */
export function* rewriteMatMulNBits(rw: Rewriter, options: QuantizeOptions): Generator<void, number> {
  const bits = options.bits;
  const block = options.blockSize;
  const done: WeightOnlyCandidate[] = [];
  for (const c of weightOnlyCandidates(rw)) {
    yield;
    const { index, node, weight } = c;
    // A head through a Transpose of W[N, K]: MatMulNBits' B holds W's rows as they are, so the codes
    // come from W transposed to [K, N] (packMatMulNBits reads that layout).
    const [K, N] = c.via ? [weight.dims[1], weight.dims[0]] : weight.dims;
    const key = `nbits:${weight.name}:${c.via ? 'T' : ''}`;
    let packed = rw.memo.get(key) as { b: string; scales: string; zeroPoints?: string } | undefined;
    if (!packed) {
      const job = nbitsJob(c, options);
      const type = job.type;
      const nbits = rw.kernel(job, weight) as PackedNBits;
      const { b, blocks, blob } = nbits;
      const offset = options.symmetric ? 2 ** (bits - 1) : 0;
      const q = { scales: transpose(nbits.scales, blocks, N), zeroPoints: transpose(nbits.zeroPoints, blocks, N) };
      const scales = rw.addInitializer(`${weight.name}_scales`, DataType.FLOAT, [N, blocks], q.scales);
      const bName = rw.addInitializer(`${weight.name}_quantized`, DataType.UINT8, [N, blocks, blob], b);
      let zeroPoints: string | undefined;
      if (!options.symmetric) {
        const perRow = Math.ceil((blocks * bits) / 8);
        const zp = new Uint8Array(N * perRow);
        for (let n = 0; n < N; n++) packCodes(q.zeroPoints as Uint8Array, n * blocks, blocks, bits, zp, n * perRow, 0);
        zeroPoints = rw.addInitializer(`${weight.name}_zero_points`, DataType.UINT8, [N, perRow], zp);
      }
      packed = { b: bName, scales, zeroPoints };
      rw.memo.set(key, packed);
      rw.record({ tensor: weight.name, role: 'weight', node: nodeLabel(node), op: 'MatMulNBits', dtype: options.symmetric ? (bits === 4 ? 'uint4 (zero point 8)' : 'uint8 (zero point 128)') : type, shape: weight.dims }, {
        scales: q.scales, zeroPoints: options.symmetric ? new Uint8Array(q.scales.length).fill(offset) : q.zeroPoints, granularity: { kind: 'block', axis: 0, blockSize: block },
      });
    }
    const inputs = [node.input![0], packed.b, packed.scales, ...(packed.zeroPoints ? [packed.zeroPoints] : [])];
    const replacement = onnx.NodeProto.create({
      name: rw.names.fresh(`${node.name || weight.name}_MatMulNBits`), opType: 'MatMulNBits', domain: 'com.microsoft', input: inputs, output: [node.output![0]],
      attribute: [intAttribute('K', K), intAttribute('N', N), intAttribute('bits', bits), intAttribute('block_size', block)],
    });
    rw.replace(index, [replacement]);
    done.push(c);
  }
  dropRerouted(rw, done);
  // MatMulNBits' layout serves no Gather: a tied table gets its own int8 copy (per tensor) for the
  // embedding, which reads the rows it needs and widens only those.
  let tied = 0;
  for (const name of new Set(done.map((c) => c.weight.name))) {
    const gathers = tiedGathers(rw, name, done);
    if (!gathers.length) continue;
    const weight = rw.floatWeight(name)!;
    const q = rw.quantized({ kind: 'quantize', weight: name, dims: weight.dims, transposed: false, type: 'int8', symmetric: true, granularity: { kind: 'tensor' } }, weight);
    const names = rw.addQuantized(`${name}_gather`, q, true);
    for (const g of gathers) {
      const out = g.node.output![0];
      const gathered = rw.names.fresh(`${out}_quantized`);
      rw.replace(g.index, [
        onnx.NodeProto.create({ ...g.node, input: [names.values, ...(g.node.input ?? []).slice(1)], output: [gathered] }),
        rw.node('DequantizeLinear', [gathered, names.scale, names.zeroPoint!], [out], `${g.node.name || out}_DequantizeLinear`),
      ]);
    }
    rw.record({ tensor: name, role: 'weight', node: nodeLabel(gathers[0].node), op: 'Gather', dtype: 'int8', shape: weight.dims }, q);
    tied++;
  }
  if (tied) rw.notes.push(`${tied} weight(s) shared by an embedding Gather and a MatMulNBits head: the head has its packed copy, the Gather an int8 one (per tensor), as MatMulNBits' layout serves no Gather.`);
  return done.length;
}
