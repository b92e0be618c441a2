// The per-tensor work of quantization as plain data in and out: a job names a weight and what to make of
// it, runKernel computes it from the weight's values. The rewrite runs a job on the main thread or takes
// its result from a worker thread (kernelPool.ts); either way it is the same function on the same bytes.
// Nothing here knows the graph or protobuf, so that the worker's bundle stays small.
import { codeOf, quantizeColumnBlocks, quantizeTensor, symmetricCodeOf, type Granularity, type QuantizedTensor, type QuantType } from './arithmetic.js';

/** What to compute for one weight. `transposed`: from the weight's 2-D values transposed first. */
export type KernelJob =
  | { kind: 'quantize'; weight: string; dims: number[]; transposed: boolean; type: QuantType; symmetric: boolean; granularity: Granularity }
  /** MatMulNBits' packed B for W[K, N] (transposed: the weight is stored [N, K]). */
  | { kind: 'nbits'; weight: string; K: number; N: number; transposed: boolean; block: number; bits: number; type: QuantType; symmetric: boolean };

export interface PackedNBits {
  b: Uint8Array;
  blocks: number;
  blob: number;
  /** [blocks, N] */
  scales: Float32Array;
  zeroPoints: Uint8Array;
}

export type KernelResult = QuantizedTensor | PackedNBits;

/** A job's identity: results are found by it, so equal keys mean equal results. */
export function kernelKey(job: KernelJob): string {
  return JSON.stringify(job);
}

/**
 * A weight's values as the kernels take them: its raw little-endian float32 bytes when the model holds
 * them (chunked kernels read those without decoding the whole tensor), else the decoded floats.
 */
export type KernelInput = Uint8Array | Float32Array;

export function runKernel(job: KernelJob, input: KernelInput): KernelResult {
  if (job.kind === 'quantize') {
    // Stored [N, K], quantized as [K, N] = dims.
    const data = job.transposed ? transpose(asFloat32(input), job.dims[1], job.dims[0]) : input;
    return quantizeTensor(data, job.dims, { type: job.type, symmetric: job.symmetric, granularity: job.granularity });
  }
  const data = job.transposed ? transpose(asFloat32(input), job.N, job.K) : input;
  return packMatMulNBits(data, job.K, job.N, job.block, job.bits, job.type, job.symmetric);
}

/** The typed arrays of a result, whose buffers a worker hands over instead of copying. */
export function resultArrays(result: KernelResult): ArrayBufferView[] {
  return 'b' in result ? [result.b, result.scales, result.zeroPoints] : [result.values, result.scales, result.zeroPoints];
}

/** Bytes of float32 a job reads: what decides whether a worker pays for itself. */
export function jobBytes(job: KernelJob): number {
  return (job.kind === 'quantize' ? job.dims.reduce((a, d) => a * d, 1) : job.K * job.N) * 4;
}

function asFloat32(input: KernelInput): Float32Array {
  if (input instanceof Float32Array) return input;
  const out = new Float32Array(input.length / 4);
  new Uint8Array(out.buffer).set(input);
  return out;
}

export function transpose<T extends Float32Array | Int8Array | Uint8Array>(data: T, rows: number, cols: number): T {
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
export function packCodes(codes: Int8Array | Uint8Array, from: number, count: number, bits: number, out: Uint8Array, at: number, offset: number): void {
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
export function packMatMulNBits(data: Float32Array | Uint8Array, K: number, N: number, block: number, bits: number, type: QuantType, symmetric: boolean): PackedNBits {
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
