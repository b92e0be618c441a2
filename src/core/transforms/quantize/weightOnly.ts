// Weight-only quantization of MatMul weights, block-wise along K: either a standard blocked
// DequantizeLinear (opset 21, axis + block_size) feeding the MatMul (and Gemm), or com.microsoft
// MatMulNBits, which onnxruntime runs without materialising the float weight (MatMul only).
import { DataType, onnx, type NodeProto } from '../../model/proto.js';
import { codeOf, quantizeColumnBlocks, quantizeTensor, symmetricCodeOf, type QuantType } from './arithmetic.js';
import type { QuantizeOptions } from './options.js';
import { nodeLabel, type FloatWeight, type Rewriter } from './rewriter.js';
import { intAttribute } from '../graphEdit.js';
import { intAttr } from '../../model/graphQueries.js';

/**
 * MatMul nodes whose B is a constant float matrix, and with `withGemm` Gemm nodes (transA = 0) too:
 * the candidates of weight-only mode.
 */
export function weightOnlyCandidates(rw: Rewriter, withGemm = false): Array<{ index: number; node: NodeProto; weight: FloatWeight }> {
  const found: Array<{ index: number; node: NodeProto; weight: FloatWeight }> = [];
  (rw.graph.node ?? []).forEach((node, index) => {
    const gemm = withGemm && node.opType === 'Gemm' && intAttr(node, 'transA', 0) === 0;
    if ((node.opType !== 'MatMul' && !gemm) || (node.domain && node.domain !== 'ai.onnx') || rw.isExcluded(node)) return;
    const weight = rw.floatWeight(node.input?.[1]);
    if (weight && weight.dims.length === 2 && weight.dims[0] > 0 && weight.dims[1] > 0) found.push({ index, node, weight });
  });
  return found;
}

/** Axis of K in the weight: 0 for MatMul's [K, N], 1 for a Gemm weight stored [N, K] (transB = 1). */
function reductionAxis(node: NodeProto): number {
  return node.opType === 'Gemm' && intAttr(node, 'transB', 0) !== 0 ? 1 : 0;
}

export function weightOnlyQuantType(options: QuantizeOptions): QuantType {
  if (options.bits === 4) return options.symmetric ? 'int4' : 'uint4';
  return options.symmetric ? 'int8' : 'uint8';
}

/**
 * MatMul(A, W) -> MatMul(A, DequantizeLinear(Wq, scales[, zero points], axis=0, block_size)); Gemm the
 * same way, with blocks along its K axis.
 */
export function* rewriteBlockedDequantize(rw: Rewriter, options: QuantizeOptions): Generator<void, number> {
  const type = weightOnlyQuantType(options);
  let count = 0;
  for (const { index, node, weight } of weightOnlyCandidates(rw, true)) {
    yield;
    const axis = reductionAxis(node);
    const key = `dq:${weight.name}:${axis}`;
    let dequantized = rw.memo.get(key) as string | undefined;
    const prefix: NodeProto[] = [];
    if (!dequantized) {
      const granularity = { kind: 'block', axis, blockSize: options.blockSize } as const;
      const q = quantizeTensor(weight.bytes ?? weight.data, weight.dims, { type, symmetric: options.symmetric, granularity });
      const names = rw.addQuantized(weight.name, q, !options.symmetric);
      dequantized = rw.names.fresh(`${weight.name}_dequantized`);
      prefix.push(rw.node('DequantizeLinear', [names.values, names.scale, ...(names.zeroPoint ? [names.zeroPoint] : [])], [dequantized],
        `${node.name || weight.name}_DequantizeLinear`, [intAttribute('axis', axis), intAttribute('block_size', options.blockSize)]));
      rw.memo.set(key, dequantized);
      rw.record({ tensor: weight.name, role: 'weight', node: nodeLabel(node), op: node.opType ?? '', dtype: type, shape: weight.dims }, q);
    }
    const matmul = onnx.NodeProto.create({ ...node, input: [node.input![0], dequantized, ...(node.input ?? []).slice(2)] });
    rw.replace(index, [...prefix, matmul]);
    count++;
  }
  return count;
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
  let count = 0;
  for (const { index, node, weight } of weightOnlyCandidates(rw)) {
    yield;
    const [K, N] = weight.dims;
    const key = `nbits:${weight.name}`;
    let packed = rw.memo.get(key) as { b: string; scales: string; zeroPoints?: string } | undefined;
    if (!packed) {
      const symmetricType: QuantType = bits === 4 ? 'int4' : 'int8';
      const type: QuantType = options.symmetric ? symmetricType : bits === 4 ? 'uint4' : 'uint8';
      const nbits = packMatMulNBits(weight.bytes ?? weight.data, K, N, block, bits, type, options.symmetric);
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
    count++;
  }
  return count;
}

function transpose<T extends Float32Array | Int8Array | Uint8Array>(data: T, rows: number, cols: number): T {
  const out = new (data.constructor as new (n: number) => T)(data.length);
  // Tiled so both sides stay in cache for large matrices.
  const tile = 32;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(cols, c0 + tile);
      for (let r = r0; r < r1; r++) {
        const base = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = data[base + c];
      }
    }
  }
  return out;
}

/** Packs `count` codes (each + offset) into `out` at `at`, `bits` wide, first code in the lowest bits. */
function packCodes(codes: Int8Array | Uint8Array, from: number, count: number, bits: number, out: Uint8Array, at: number, offset: number): void {
  if (bits === 8) {
    for (let i = 0; i < count; i++) out[at + i] = (codes[from + i] + offset) & 0xff;
    return;
  }
  for (let i = 0; i < count; i++) {
    const v = (codes[from + i] + offset) & 0x0f;
    out[at + (i >> 1)] |= i & 1 ? v << 4 : v;
  }
}

/**
 * Quantizes W[K, N] in blocks along K straight into MatMulNBits' B[N, blocks, blob]: the codes of column n,
 * block b (+ offset for symmetric codes, which MatMulNBits reads as unsigned with zero point 2^(bits-1))
 * go to B[n, b], first code in the lowest bits. A partial last block is padded with its zero point
 * (value 0). Scales and zero points come back [blocks, N].
 */
function packMatMulNBits(data: Float32Array | Uint8Array, K: number, N: number, block: number, bits: number, type: QuantType, symmetric: boolean): { b: Uint8Array; blocks: number; blob: number; scales: Float32Array; zeroPoints: Uint8Array } {
  const blocks = Math.ceil(K / block);
  const blob = (block * bits) / 8;
  const offset = symmetric ? 2 ** (bits - 1) : 0;
  const out = new Uint8Array(N * blocks * blob);
  const scales = new Float32Array(blocks * N);
  const zps = new Int32Array(blocks * N);
  const stride = blocks * blob;
  const pads = new Uint8Array(N);
  quantizeColumnBlocks(data, { outer: 1, rows: K, cols: N, block }, type, symmetric, scales, zps, (values, width, len, _o, b, c0, p) => {
    const { scales: s, invs, zeroPoints: z, qmin, qmax } = p;
    // Codes are clamped to [qmin, qmax], so code + offset is already in [0, 2^bits): no masks needed.
    for (let i = 0; i < width; i++) pads[i] = z[i] + offset;
    // Each row (8 bits) or pair of rows (4 bits) fills one byte of every column's blob.
    const step = bits === 8 ? 1 : 2;
    for (let r = 0; r < block; r += step) {
      const row = r * width;
      const at = c0 * stride + b * blob + r / step;
      if (r + step <= len) {
        if (bits === 8) {
          for (let i = 0; i < width; i++) out[at + i * stride] = (codeOf(values[row + i], s[i], invs[i], z[i], qmin, qmax) + offset) | 0;
        } else if (p.symmetricFinite) {
          // The common case, without zero points or clamping: a quarter less work per code.
          for (let i = 0; i < width; i++) {
            const low = symmetricCodeOf(values[row + i], s[i], invs[i]) + offset;
            const high = symmetricCodeOf(values[row + width + i], s[i], invs[i]) + offset;
            out[at + i * stride] = (low + high * 16) | 0;
          }
        } else {
          for (let i = 0; i < width; i++) {
            const low = codeOf(values[row + i], s[i], invs[i], z[i], qmin, qmax) + offset;
            const high = codeOf(values[row + width + i], s[i], invs[i], z[i], qmin, qmax) + offset;
            out[at + i * stride] = (low + high * 16) | 0;
          }
        }
      } else {
        // Past the rows of a partial last block: pad codes, after the last real one when it is a low nibble.
        for (let i = 0; i < width; i++) {
          const low = r < len ? codeOf(values[row + i], s[i], invs[i], z[i], qmin, qmax) + offset : pads[i];
          out[at + i * stride] = bits === 8 ? low : low + pads[i] * 16;
        }
      }
    }
  });
  return { b: out, blocks, blob, scales, zeroPoints: Uint8Array.from(zps) };
}
