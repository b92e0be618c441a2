// Quantization arithmetic on typed arrays: ranges, scale/zero-point, round half to even, saturation,
// per-tensor, per-channel and block-wise quantization. No graph knowledge here; hot loops allocate nothing.
import { UserError } from '../../errors.js';
import { formatDims } from '../../format.js';

export type QuantType = 'uint8' | 'int8' | 'uint4' | 'int4';

export interface QuantRange {
  qmin: number;
  qmax: number;
}

export const quantTypeBits: Record<QuantType, number> = { uint8: 8, int8: 8, uint4: 4, int4: 4 };

export function isSigned(type: QuantType): boolean {
  return type === 'int8' || type === 'int4';
}

/** Range of the element type, which QuantizeLinear saturates to. */
export function typeRange(type: QuantType): QuantRange {
  const bits = quantTypeBits[type];
  return isSigned(type) ? { qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 } : { qmin: 0, qmax: 2 ** bits - 1 };
}

/**
 * Range quantized values use. Symmetric signed types drop the most negative code (int8 -127..127,
 * int4 -7..7) so that zero sits in the middle and +-absmax map to the ends, as onnxruntime does.
 */
export function quantRange(type: QuantType, symmetric: boolean): QuantRange {
  const range = typeRange(type);
  if (symmetric && isSigned(type)) return { qmin: range.qmin + 1, qmax: range.qmax };
  return range;
}

/** Nearest integer, ties to even (the rounding of QuantizeLinear). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties toward +infinity
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface ScaleZeroPoint {
  /** A float32 value. */
  scale: number;
  zeroPoint: number;
}

/**
 * Scale and zero point for values in [rmin, rmax]. The range is widened to include 0 so that zero
 * (padding, ReLU outputs) is exact. Symmetric: zero point 0 for signed types, the middle code for
 * unsigned ones. A range of width 0 gets scale 1.
 */
export function scaleZeroPoint(rmin: number, rmax: number, type: QuantType, symmetric: boolean): ScaleZeroPoint {
  const { qmin, qmax } = quantRange(type, symmetric);
  const mid = isSigned(type) ? 0 : 2 ** (quantTypeBits[type] - 1);
  const scale = scaleFor(rmin, rmax, qmin, qmax, symmetric);
  return { scale, zeroPoint: zeroPointFor(rmin, scale, qmin, qmax, symmetric, mid) };
}

function scaleFor(rmin: number, rmax: number, qmin: number, qmax: number, symmetric: boolean): number {
  // The range always includes 0, so that zero (padding, ReLU outputs) is exact.
  let lo = rmin < 0 ? rmin : 0;
  let hi = rmax > 0 ? rmax : 0;
  if (!Number.isFinite(lo)) lo = 0;
  if (!Number.isFinite(hi)) hi = 0;
  if (symmetric) {
    hi = -lo > hi ? -lo : hi;
    lo = -hi;
  }
  const scale = Math.fround((hi - lo) / (qmax - qmin));
  return scale > 0 && Number.isFinite(scale) ? scale : 1;
}

function zeroPointFor(rmin: number, scale: number, qmin: number, qmax: number, symmetric: boolean, mid: number): number {
  if (symmetric) return mid;
  let lo = Math.min(rmin, 0);
  if (!Number.isFinite(lo)) lo = 0;
  return Math.min(qmax, Math.max(qmin, roundHalfEven(qmin - lo / scale)));
}

/** saturate(round_half_even(x / scale) + zeroPoint), as QuantizeLinear computes it in float32. */
export function quantizeValue(x: number, scale: number, zeroPoint: number, qmin: number, qmax: number): number {
  const r = exactRound(x, scale) + zeroPoint;
  return r < qmin ? qmin : r > qmax ? qmax : r;
}

// Adding and subtracting 1.5 * 2^52 rounds a double to an integer, ties to even, in two additions.
const roundingMagic = 6755399441055744;

/**
 * quantizeValue for the hot loops: multiplies by inv = 1 / scale instead of dividing. x * inv is within a
 * few double ulps of x / scale, so it rounds to the same integer unless x / scale is within half a float32
 * ulp of a tie; there (about 1 value in 5,000) the exact float32 division decides. Half an ulp is below
 * 2^-14 for |v| < 1024, and beyond that every code saturates whichever way it rounds. NaN and infinities
 * fail the test too and take the exact path. Kept small so that the JIT inlines it.
 */
export function codeOf(x: number, scale: number, inv: number, zeroPoint: number, qmin: number, qmax: number): number {
  const v = x * inv;
  let r = v + roundingMagic - roundingMagic;
  if (!(Math.abs(v - r) <= 0.4999)) r = exactRound(x, scale);
  r += zeroPoint;
  return r < qmin ? qmin : r > qmax ? qmax : r;
}

/**
 * codeOf without zero point and clamp, for symmetric signed codes of finite values: |x| <= max|x| makes
 * |x / scale| at most qmax plus a float32 ulp, which rounds to qmax. NaN gives 0, the zero point.
 */
export function symmetricCodeOf(x: number, scale: number, inv: number): number {
  const v = x * inv;
  const r = v + roundingMagic - roundingMagic;
  return Math.abs(v - r) <= 0.4999 ? r : exactRound(x, scale);
}

/** round_half_even(float32(x / scale)); NaN gives 0, so that its code is the zero point. */
function exactRound(x: number, scale: number): number {
  if (x !== x) return 0;
  const f = Math.fround(x / scale);
  const r = Math.round(f);
  return r - f === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return Math.fround((q - zeroPoint) * scale);
}

/** How a tensor is split into groups that share one scale and zero point. */
export type Granularity =
  | { kind: 'tensor' }
  /** One group per index along `axis`. */
  | { kind: 'channel'; axis: number }
  /** Blocks of `blockSize` consecutive indices along `axis`; the last block may be partial. */
  | { kind: 'block'; axis: number; blockSize: number };

export interface QuantizedTensor {
  type: QuantType;
  dims: number[];
  /** One element per entry (4-bit values unpacked), Int8Array for signed types. */
  values: Int8Array | Uint8Array;
  /** Shape of scales and zero points: [] per tensor, [C] per channel, dims with dims[axis] = blocks for blocks. */
  scaleDims: number[];
  scales: Float32Array;
  zeroPoints: Int8Array | Uint8Array;
  granularity: Granularity;
  symmetric: boolean;
}

function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new UserError(`Quantization axis ${axis} is out of range for a tensor of rank ${rank}.`);
  return a;
}

function product(dims: number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i];
  return n;
}

/**
 * Layout of a granularity over dims: element (o, c, i) with o < outer, c < channels, i < inner has
 * group ((o * blocks) + floor(c / block)) * groupInner + (blockwise ? i : 0).
 */
interface Layout {
  outer: number;
  channels: number;
  inner: number;
  block: number;
  blocks: number;
  /** Inner stride of groups: inner for block-wise (each inner position has its own group), else 0. */
  groupInner: number;
  groups: number;
  scaleDims: number[];
}

function layoutOf(dims: number[], g: Granularity): Layout {
  const count = product(dims, 0, dims.length);
  if (g.kind === 'tensor') {
    return { outer: 1, channels: 1, inner: count, block: 1, blocks: 1, groupInner: 0, groups: 1, scaleDims: [] };
  }
  const axis = normalizeAxis(g.axis, dims.length);
  const outer = product(dims, 0, axis);
  const channels = dims[axis];
  const inner = product(dims, axis + 1, dims.length);
  if (g.kind === 'channel') {
    return { outer, channels, inner, block: 1, blocks: channels, groupInner: 0, groups: channels, scaleDims: [channels] };
  }
  if (!(g.blockSize >= 1) || !Number.isInteger(g.blockSize)) throw new UserError(`Block size must be a positive integer, not ${g.blockSize}.`);
  const blocks = Math.ceil(channels / g.blockSize);
  const scaleDims = dims.slice();
  scaleDims[axis] = blocks;
  return { outer, channels, inner, block: g.blockSize, blocks, groupInner: inner, groups: outer * blocks * inner, scaleDims };
}

/** Per-group [min, max] of finite values; groups without any get [0, 0]. */
export function groupRanges(input: Float32Array | Float64Array, dims: number[], g: Granularity): { mins: Float64Array; maxs: Float64Array } {
  const data = input instanceof Float32Array ? input : Float32Array.from(input);
  const L = layoutOf(dims, g);
  const mins = new Float64Array(L.groups).fill(Infinity);
  const maxs = new Float64Array(L.groups).fill(-Infinity);
  const channel = g.kind === 'channel';
  const inner = L.inner;
  let p = 0;
  if (g.kind === 'block' && inner === 1) {
    // Blocks along the last axis are runs of `block` consecutive elements.
    for (let o = 0; o < L.outer; o++) {
      for (let b = 0; b < L.blocks; b++) {
        const gi = o * L.blocks + b;
        const end = p + Math.min(L.block, L.channels - b * L.block);
        let lo = Infinity, hi = -Infinity;
        for (; p < end; p++) {
          const x = data[p];
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        mins[gi] = lo;
        maxs[gi] = hi;
      }
    }
  } else for (let o = 0; o < L.outer; o++) {
    for (let c = 0; c < L.channels; c++) {
      const base = groupBase(L, channel, o, c);
      if (L.groupInner === 0) {
        let lo = mins[base], hi = maxs[base];
        for (let i = 0; i < inner; i++, p++) {
          const x = data[p];
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        mins[base] = lo;
        maxs[base] = hi;
      } else {
        for (let i = 0; i < inner; i++, p++) {
          const x = data[p];
          const gi = base + i;
          if (x < mins[gi]) mins[gi] = x;
          if (x > maxs[gi]) maxs[gi] = x;
        }
      }
    }
  }
  // Infinite values were counted above; drop them so one Inf does not wipe out a whole group.
  for (let i = 0; i < L.groups; i++) {
    if (!Number.isFinite(mins[i]) || !Number.isFinite(maxs[i])) {
      const r = finiteRangeOfGroup(data, g, L, i);
      mins[i] = r[0];
      maxs[i] = r[1];
    }
  }
  return { mins, maxs };
}

/** First group index of (outer o, channel c); block-wise groups add the inner position. */
function groupBase(L: Layout, channel: boolean, o: number, c: number): number {
  return channel ? c : (o * L.blocks + ((c / L.block) | 0)) * L.groupInner;
}

/** Slow path for groups holding non-finite values (rare): scans the whole tensor for that group. */
function finiteRangeOfGroup(data: Float32Array, g: Granularity, L: Layout, group: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  let p = 0;
  for (let o = 0; o < L.outer; o++) {
    for (let c = 0; c < L.channels; c++) {
      const base = groupBase(L, g.kind === 'channel', o, c);
      for (let i = 0; i < L.inner; i++, p++) {
        const gi = L.groupInner === 0 ? base : base + i;
        const x = data[p];
        if (gi !== group || !Number.isFinite(x)) continue;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

export interface QuantizeOptions {
  type: QuantType;
  symmetric: boolean;
  granularity: Granularity;
  /** Use these ranges instead of the data's (calibrated activations); one per group. */
  ranges?: { mins: ArrayLike<number>; maxs: ArrayLike<number> };
}

/** Quantizes a float tensor; returns the quantized values and the scale and zero point of each group. */
export function quantizeTensor(input: Float32Array | Float64Array | Uint8Array, dims: number[], options: QuantizeOptions): QuantizedTensor {
  const count = product(dims, 0, dims.length);
  // Uint8Array: the raw little-endian float32 bytes of a weight, at any alignment (see FloatWeight.bytes).
  const raw = input instanceof Uint8Array ? input : undefined;
  if ((raw ? raw.length / 4 : input.length) !== count) throw new UserError(`A tensor of shape ${formatDims(dims)} needs ${count} values, not ${raw ? raw.length / 4 : input.length}.`);
  const { type, symmetric, granularity } = options;
  const L = layoutOf(dims, granularity);
  const scales = new Float32Array(L.groups);
  const zps = new Int32Array(L.groups);
  const { qmin, qmax } = quantRange(type, symmetric);
  const signed = isSigned(type);
  const values = signed ? new Int8Array(count) : new Uint8Array(count);
  // Signed codes are written through a byte view: storing -1 into a Uint8Array leaves 0xFF, the int8 bits.
  const out = new Uint8Array(values.buffer, values.byteOffset, values.length);
  if (!options.ranges && granularity.kind === 'block' && L.inner > 1) {
    quantizeColumnBlocks(raw ?? float32(input), { outer: L.outer, rows: L.channels, cols: L.inner, block: L.block }, type, symmetric, scales, zps, emitRowMajor(out, L.channels, L.inner, L.block));
  } else if (!options.ranges && granularity.kind === 'channel' && L.inner === 1 && count > 0 && count / L.channels <= maxColumnRows) {
    // Per channel along the last axis (MatMul weights [K, N]): the columns are one block of all K rows, so
    // the chunked column kernel applies, with its symmetric fast paths (the same scales and codes).
    const rows = count / L.channels;
    quantizeColumnBlocks(raw ?? float32(input), { outer: 1, rows, cols: L.channels, block: rows }, type, symmetric, scales, zps, emitRowMajor(out, rows, L.channels, rows));
  } else if (!(raw && !options.ranges && L.groupInner === 0 && channelsFromBytes(raw, out, L, granularity.kind === 'channel', type, symmetric, scales, zps))) {
    // The kernels take float32 only, so that every element access stays monomorphic.
    const data = float32(input);
    const { mins, maxs } = options.ranges ?? groupRanges(data, dims, granularity);
    const mid = isSigned(type) ? 0 : 2 ** (quantTypeBits[type] - 1);
    for (let gi = 0; gi < L.groups; gi++) {
      const scale = scaleFor(mins[gi], maxs[gi], qmin, qmax, symmetric);
      scales[gi] = scale;
      zps[gi] = zeroPointFor(mins[gi], scale, qmin, qmax, symmetric, mid);
    }
    const invs = Float64Array.from(scales, (s) => 1 / s);
    if (L.groupInner === 0) quantizeRuns(data, out, L, granularity.kind === 'channel', scales, invs, zps, qmin, qmax);
    else if (L.inner === 1) quantizeLastAxisBlocks(data, out, L, scales, invs, zps, qmin, qmax);
    else quantizeBlocks(data, out, L, scales, invs, zps, qmin, qmax);
  }
  const zeroPoints = signed ? Int8Array.from(zps) : Uint8Array.from(zps);
  return { type, dims: dims.slice(), values, scaleDims: L.scaleDims, scales, zeroPoints, granularity, symmetric };
}

/** Above this many rows, even a chunk of 16 columns of every row would no longer stay in cache. */
const maxColumnRows = 4096;

/** The values as one aligned Float32Array (raw bytes are copied, doubles rounded). */
function float32(input: Float32Array | Float64Array | Uint8Array): Float32Array {
  if (input instanceof Float32Array) return input;
  if (input instanceof Float64Array) return Float32Array.from(input);
  const out = new Float32Array(input.length / 4);
  new Uint8Array(out.buffer).set(input);
  return out;
}

const bytesChunk = 16_384;

/**
 * Per-tensor and per-channel quantization straight from raw float32 bytes, a cache-sized chunk at a time:
 * one pass for the ranges, one for the codes, and the tensor is never decoded whole (a decoded copy is
 * fresh memory as large as the weight). The same ranges, scales and codes as the general path. False,
 * with nothing written, when a group holds infinities or no finite value: the general path handles those.
 */
function channelsFromBytes(bytes: Uint8Array, out: Uint8Array, L: Layout, channel: boolean, type: QuantType, symmetric: boolean, scales: Float32Array, zps: Int32Array): boolean {
  const chunk = new Float32Array(bytesChunk);
  const chunkBytes = new Uint8Array(chunk.buffer);
  const count = bytes.length / 4;
  const C = channel ? L.channels : 1;
  const inner = channel ? L.inner : count;
  const mins = new Float64Array(C).fill(Infinity);
  const maxs = new Float64Array(C).fill(-Infinity);
  for (let start = 0; start < count; start += bytesChunk) {
    const n = Math.min(bytesChunk, count - start);
    chunkBytes.set(bytes.subarray(start * 4, (start + n) * 4));
    if (C === 1) {
      let lo = mins[0], hi = maxs[0];
      for (let i = 0; i < n; i++) {
        const x = chunk[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      mins[0] = lo;
      maxs[0] = hi;
    } else if (inner === 1) {
      // Per channel along the last axis (MatMul weights): the channel changes with every element.
      for (let i = 0, c = start % C; i < n; i++) {
        const x = chunk[i];
        if (x < mins[c]) mins[c] = x;
        if (x > maxs[c]) maxs[c] = x;
        if (++c === C) c = 0;
      }
    } else {
      for (let i = 0, c = Math.floor(start / inner) % C, k = start % inner; i < n;) {
        const end = Math.min(n, i + inner - k);
        let lo = mins[c], hi = maxs[c];
        for (; i < end; i++) {
          const x = chunk[i];
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        mins[c] = lo;
        maxs[c] = hi;
        k = 0;
        if (++c === C) c = 0;
      }
    }
  }
  for (let c = 0; c < C; c++) if (!Number.isFinite(mins[c]) || !Number.isFinite(maxs[c])) return false;
  const { qmin, qmax } = quantRange(type, symmetric);
  const mid = isSigned(type) ? 0 : 2 ** (quantTypeBits[type] - 1);
  const invs = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const scale = scaleFor(mins[c], maxs[c], qmin, qmax, symmetric);
    scales[c] = scale;
    zps[c] = zeroPointFor(mins[c], scale, qmin, qmax, symmetric, mid);
    invs[c] = 1 / scales[c];
  }
  for (let start = 0; start < count; start += bytesChunk) {
    const n = Math.min(bytesChunk, count - start);
    chunkBytes.set(bytes.subarray(start * 4, (start + n) * 4));
    if (C === 1) {
      const s = scales[0], inv = invs[0], z = zps[0];
      for (let i = 0; i < n; i++) out[start + i] = codeOf(chunk[i], s, inv, z, qmin, qmax) | 0;
    } else if (inner === 1) {
      for (let i = 0, c = start % C; i < n; i++) {
        out[start + i] = codeOf(chunk[i], scales[c], invs[c], zps[c], qmin, qmax) | 0;
        if (++c === C) c = 0;
      }
    } else {
      for (let i = 0, c = Math.floor(start / inner) % C, k = start % inner; i < n;) {
        const end = Math.min(n, i + inner - k);
        const s = scales[c], inv = invs[c], z = zps[c];
        for (; i < end; i++) out[start + i] = codeOf(chunk[i], s, inv, z, qmin, qmax) | 0;
        k = 0;
        if (++c === C) c = 0;
      }
    }
  }
  return true;
}

/** Groups that cover runs of `inner` consecutive elements (per tensor, per channel). */
function quantizeRuns(data: Float32Array, out: Uint8Array, L: Layout, channel: boolean, scales: Float32Array, invs: Float64Array, zps: Int32Array, qmin: number, qmax: number): void {
  let p = 0;
  const inner = L.inner;
  if (channel && inner === 1) {
    // Per channel along the last axis (MatMul weights): the scale changes with every element.
    const C = L.channels;
    for (let o = 0; o < L.outer; o++) {
      for (let c = 0; c < C; c++, p++) out[p] = codeOf(data[p], scales[c], invs[c], zps[c], qmin, qmax) | 0;
    }
    return;
  }
  for (let o = 0; o < L.outer; o++) {
    for (let c = 0; c < L.channels; c++) {
      const gi = groupBase(L, channel, o, c);
      const s = scales[gi], inv = invs[gi], z = zps[gi];
      for (const end = p + inner; p < end; p++) out[p] = codeOf(data[p], s, inv, z, qmin, qmax) | 0;
    }
  }
}

/** Blocks along the last axis: runs of `block` elements (the last of each row may be shorter). */
function quantizeLastAxisBlocks(data: Float32Array, out: Uint8Array, L: Layout, scales: Float32Array, invs: Float64Array, zps: Int32Array, qmin: number, qmax: number): void {
  let p = 0;
  for (let o = 0; o < L.outer; o++) {
    for (let b = 0; b < L.blocks; b++) {
      const gi = o * L.blocks + b;
      const s = scales[gi], inv = invs[gi], z = zps[gi];
      for (const end = p + Math.min(L.block, L.channels - b * L.block); p < end; p++) out[p] = codeOf(data[p], s, inv, z, qmin, qmax) | 0;
    }
  }
}

/** Block-wise groups with given ranges: each inner position has its own group, shared by `block` consecutive channels. */
function quantizeBlocks(data: Float32Array, out: Uint8Array, L: Layout, scales: Float32Array, invs: Float64Array, zps: Int32Array, qmin: number, qmax: number): void {
  let p = 0;
  const inner = L.inner;
  for (let o = 0; o < L.outer; o++) {
    for (let c = 0; c < L.channels; c++) {
      const base = (o * L.blocks + ((c / L.block) | 0)) * inner;
      for (let i = 0; i < inner; i++, p++) out[p] = codeOf(data[p], scales[base + i], invs[base + i], zps[base + i], qmin, qmax) | 0;
    }
  }
}

/** A stack of `outer` [rows, cols] matrices quantized in blocks of `block` rows per column. */
export interface RowBlocks {
  outer: number;
  rows: number;
  cols: number;
  block: number;
}

/** Quantization parameters of the columns of one chunk (index i is column c0 + i). */
export interface ChunkParams {
  scales: Float64Array;
  invs: Float64Array;
  zeroPoints: Float64Array;
  qmin: number;
  qmax: number;
  /** Symmetric signed codes and no infinities in the chunk: symmetricCodeOf gives every code. */
  symmetricFinite: boolean;
}

/**
 * Writes the codes of one chunk: `values` holds rows [b * block, + len) of columns [c0, c0 + width) of
 * matrix o, row-major with `width` values per row. Each emitter lays the codes out as its format wants
 * (row-major bytes, MatMulNBits' transposed packing) and computes them with codeOf.
 */
export type ChunkEmitter = (values: Float32Array, width: number, len: number, o: number, b: number, c0: number, p: ChunkParams) => void;

const chunkWidth = 256;
/** Floats a chunk holds at most: 64 KB, so that tall blocks (a whole column per channel) take narrower chunks. */
const chunkFloats = 16_384;

/**
 * Block-wise quantization along rows (MatMul weights [K, N] blocked along K), one chunk of up to 256 columns of
 * one block at a time. The chunk's rows are copied into a small buffer that stays in cache: a pass over it
 * finds each column's range, then the emitter reads it again to write the codes. No transposed copy is
 * made, and `source` may be the tensor's raw little-endian bytes, at any alignment, so the whole tensor is
 * never decoded. Scales and zero points are written in [outer, blocks, cols] order.
 */
export function quantizeColumnBlocks(source: Float32Array | Uint8Array, m: RowBlocks, type: QuantType, symmetric: boolean, scales: Float32Array, zps: Int32Array, emit: ChunkEmitter): void {
  const { outer, rows, cols, block } = m;
  const { qmin, qmax } = quantRange(type, symmetric);
  const mid = isSigned(type) ? 0 : 2 ** (quantTypeBits[type] - 1);
  const blocks = Math.ceil(rows / block);
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (bytes.length !== outer * rows * cols * 4) throw new UserError(`A tensor of ${outer * rows * cols} floats needs ${outer * rows * cols * 4} bytes, not ${bytes.length}.`);
  const chunkCols = Math.max(16, Math.min(chunkWidth, 2 ** Math.floor(Math.log2(chunkFloats / block))));
  const values = new Float32Array(block * chunkCols);
  const valueBytes = new Uint8Array(values.buffer);
  const bits = new Int32Array(values.buffer);
  const lo = new Float64Array(chunkCols);
  const hi = new Float64Array(chunkCols);
  const max = new Int32Array(chunkCols);
  const p: ChunkParams = { scales: new Float64Array(chunkCols), invs: new Float64Array(chunkCols), zeroPoints: new Float64Array(chunkCols), qmin, qmax, symmetricFinite: false };
  for (let o = 0; o < outer; o++) {
    for (let c0 = 0; c0 < cols; c0 += chunkCols) {
      const width = Math.min(chunkCols, cols - c0);
      for (let b = 0; b < blocks; b++) {
        const len = Math.min(block, rows - b * block);
        for (let r = 0; r < len; r++) {
          const from = ((o * rows + b * block + r) * cols + c0) * 4;
          valueBytes.set(bytes.subarray(from, from + width * 4), r * width * 4);
        }
        if (symmetric) columnAbsMax(bits, width, len, lo, hi, max);
        else columnRanges(values, width, len, lo, hi);
        const g0 = (o * blocks + b) * cols + c0;
        p.symmetricFinite = symmetric && mid === 0;
        for (let i = 0; i < width; i++) {
          let l = lo[i], h = hi[i];
          if (l === -Infinity || h === Infinity || l > h) {
            [l, h] = finiteColumnRange(values, i, width, len);
            p.symmetricFinite = false;
          }
          const s = scaleFor(l, h, qmin, qmax, symmetric);
          const z = zeroPointFor(l, s, qmin, qmax, symmetric, mid);
          scales[g0 + i] = s;
          zps[g0 + i] = z;
          p.scales[i] = s;
          p.invs[i] = 1 / s;
          p.zeroPoints[i] = z;
          // A subnormal scale can be far from max|x| / qmax: then codes need the clamp after all.
          if (h * p.invs[i] > qmax + 0.25) p.symmetricFinite = false;
        }
        emit(values, width, len, o, b, c0, p);
      }
    }
  }
}

/**
 * Largest magnitude per column of a chunk as [-m, m]. Works on the float bits: without the sign bit, finite floats
 * order like their bit patterns as integers, and an integer max can be taken without a branch (a branch
 * on new maxima mispredicts about once per eight values). Inf or NaN in a column gives m = Infinity,
 * which sends the column to the finite-range path.
 */
function columnAbsMax(bits: Int32Array, width: number, len: number, lo: Float64Array, hi: Float64Array, max: Int32Array): void {
  max.fill(0);
  for (let r = 0; r < len; r++) {
    const row = r * width;
    for (let i = 0; i < width; i++) {
      const a = bits[row + i] & 0x7fffffff;
      const m = max[i];
      max[i] = m ^ ((m ^ a) & ((m - a) >> 31));
    }
  }
  for (let i = 0; i < width; i++) {
    const m = max[i];
    magnitude[0] = m;
    hi[i] = m >= 0x7f800000 ? Infinity : magnitudeFloat[0];
    lo[i] = -hi[i];
  }
}

const magnitude = new Int32Array(1);
const magnitudeFloat = new Float32Array(magnitude.buffer);

/** [min, max] per column of a chunk (NaN ignored; a column of NaN only comes back with min > max). */
function columnRanges(data: Float32Array, width: number, len: number, lo: Float64Array, hi: Float64Array): void {
  lo.fill(Infinity);
  hi.fill(-Infinity);
  for (let r = 0; r < len; r++) {
    const row = r * width;
    for (let i = 0; i < width; i++) {
      const x = data[row + i];
      if (x < lo[i]) lo[i] = x;
      if (x > hi[i]) hi[i] = x;
    }
  }
}

/** Rare: a column with infinities, or NaN only. The range of its finite values, [0, 0] without any. */
function finiteColumnRange(data: Float32Array, from: number, stride: number, count: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let k = 0, p = from; k < count; k++, p += stride) {
    const x = data[p];
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** Codes of a chunk written row-major into `out` at the chunk's own place: the layout of the tensor itself. */
function emitRowMajor(out: Uint8Array, rows: number, cols: number, block: number): ChunkEmitter {
  return (values, width, len, o, b, c0, p) => {
    const { scales, invs, zeroPoints, qmin, qmax } = p;
    for (let r = 0; r < len; r++) {
      const to = (o * rows + b * block + r) * cols + c0;
      const from = r * width;
      // The common case (symmetric weights, finite values): no zero point, no clamp.
      if (p.symmetricFinite) for (let i = 0; i < width; i++) out[to + i] = symmetricCodeOf(values[from + i], scales[i], invs[i]) | 0;
      else for (let i = 0; i < width; i++) out[to + i] = codeOf(values[from + i], scales[i], invs[i], zeroPoints[i], qmin, qmax) | 0;
    }
  };
}

/** (q - zero point) * scale for every element: the reference the tests and error reports use. */
export function dequantizeTensor(q: QuantizedTensor): Float32Array {
  const L = layoutOf(q.dims, q.granularity);
  const out = new Float32Array(q.values.length);
  let p = 0;
  for (let o = 0; o < L.outer; o++) {
    for (let c = 0; c < L.channels; c++) {
      const base = groupBase(L, q.granularity.kind === 'channel', o, c);
      for (let i = 0; i < L.inner; i++, p++) {
        const gi = L.groupInner === 0 ? base : base + i;
        out[p] = (q.values[p] - q.zeroPoints[gi]) * q.scales[gi];
      }
    }
  }
  return out;
}

/**
 * Packs 4-bit codes two per byte, the first in the low nibble (the ONNX int4/uint4 raw_data order and
 * MatMulNBits' order). Signed codes are stored as their two's-complement nibble.
 */
export function packNibbles(values: Int8Array | Uint8Array, out = new Uint8Array(Math.ceil(values.length / 2)), outOffset = 0): Uint8Array {
  const n = values.length;
  let j = outOffset;
  let i = 0;
  for (; i + 1 < n; i += 2) out[j++] = (values[i] & 0x0f) | ((values[i + 1] & 0x0f) << 4);
  if (i < n) out[j] = values[i] & 0x0f;
  return out;
}

export function unpackNibbles(bytes: Uint8Array, count: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const nibble = (bytes[i >> 1] >> ((i & 1) * 4)) & 0x0f;
    out[i] = signed && nibble > 7 ? nibble - 16 : nibble;
  }
  return out;
}
