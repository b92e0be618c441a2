// Quantization arithmetic on typed arrays: ranges, scale/zero-point, round half to even, saturation,
// per-tensor, per-channel and block-wise quantization. No graph knowledge here; hot loops allocate nothing.
import { UserError } from '../../errors.js';

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
  if (x !== x) return zeroPoint; // NaN
  const v = Math.fround(x / scale);
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  r += zeroPoint;
  return r < qmin ? qmin : r > qmax ? qmax : r;
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
export function quantizeTensor(input: Float32Array | Float64Array, dims: number[], options: QuantizeOptions): QuantizedTensor {
  const count = product(dims, 0, dims.length);
  if (input.length !== count) throw new UserError(`A tensor of shape [${dims.join(',')}] needs ${count} values, not ${input.length}.`);
  // The kernels take float32 only, so that every element access stays monomorphic.
  const data = input instanceof Float32Array ? input : Float32Array.from(input);
  const { type, symmetric, granularity } = options;
  const L = layoutOf(dims, granularity);
  const scales = new Float32Array(L.groups);
  const zps = new Int32Array(L.groups);
  const { qmin, qmax } = quantRange(type, symmetric);
  const mid = isSigned(type) ? 0 : 2 ** (quantTypeBits[type] - 1);
  const signed = isSigned(type);
  const values = signed ? new Int8Array(count) : new Uint8Array(count);
  // Signed codes are written through a byte view: storing -1 into a Uint8Array leaves 0xFF, the int8 bits.
  const out = new Uint8Array(values.buffer, values.byteOffset, values.length);
  if (!options.ranges && granularity.kind === 'block' && L.inner > 1) {
    quantizeBlocksFused(data, out, L, scales, zps, qmin, qmax, symmetric, mid);
  } else {
    const { mins, maxs } = options.ranges ?? groupRanges(data, dims, granularity);
    for (let gi = 0; gi < L.groups; gi++) {
      const scale = scaleFor(mins[gi], maxs[gi], qmin, qmax, symmetric);
      scales[gi] = scale;
      zps[gi] = zeroPointFor(mins[gi], scale, qmin, qmax, symmetric, mid);
    }
    if (L.groupInner === 0) quantizeRuns(data, out, L, granularity.kind === 'channel', scales, zps, qmin, qmax);
    else if (L.inner === 1) quantizeLastAxisBlocks(data, out, L, scales, zps, qmin, qmax);
    else quantizeBlocks(data, out, L, scales, zps, qmin, qmax);
  }
  const zeroPoints = signed ? Int8Array.from(zps) : Uint8Array.from(zps);
  return { type, dims: dims.slice(), values, scaleDims: L.scaleDims, scales, zeroPoints, granularity, symmetric };
}

/** Groups that cover runs of `inner` consecutive elements (per tensor, per channel). */
function quantizeRuns(data: Float32Array, out: Uint8Array, L: Layout, channel: boolean, scales: Float32Array, zps: Int32Array, qmin: number, qmax: number): void {
  let p = 0;
  const inner = L.inner;
  if (channel && inner === 1) {
    // Per channel along the last axis (MatMul weights): the scale changes with every element.
    const C = L.channels;
    for (let o = 0; o < L.outer; o++) {
      for (let c = 0; c < C; c++, p++) {
        const s = scales[c], z = zps[c];
        const x = data[p];
        const v = Math.fround(x / s);
        let r = Math.round(v);
        if (r - v === 0.5 && r % 2 !== 0) r -= 1;
        r += z;
        out[p] = r < qmin ? qmin : r > qmax ? qmax : x !== x ? z : r;
      }
    }
    return;
  }
  for (let o = 0; o < L.outer; o++) {
    for (let c = 0; c < L.channels; c++) {
      const gi = groupBase(L, channel, o, c);
      const s = scales[gi], z = zps[gi];
      const end = p + inner;
      for (; p < end; p++) {
        const x = data[p];
        const v = Math.fround(x / s);
        let r = Math.round(v);
        if (r - v === 0.5 && r % 2 !== 0) r -= 1;
        r += z;
        out[p] = r < qmin ? qmin : r > qmax ? qmax : x !== x ? z : r;
      }
    }
  }
}

/** Blocks along the last axis: runs of `block` elements (the last of each row may be shorter). */
function quantizeLastAxisBlocks(data: Float32Array, out: Uint8Array, L: Layout, scales: Float32Array, zps: Int32Array, qmin: number, qmax: number): void {
  let p = 0;
  for (let o = 0; o < L.outer; o++) {
    for (let b = 0; b < L.blocks; b++) {
      const gi = o * L.blocks + b;
      const s = scales[gi], z = zps[gi];
      const end = p + Math.min(L.block, L.channels - b * L.block);
      for (; p < end; p++) {
        const x = data[p];
        const v = Math.fround(x / s);
        let r = Math.round(v);
        if (r - v === 0.5 && r % 2 !== 0) r -= 1;
        r += z;
        out[p] = r < qmin ? qmin : r > qmax ? qmax : x !== x ? z : r;
      }
    }
  }
}

/**
 * Blocks along a non-last axis (MatMul weights blocked along K): ranges and codes one block of rows at a
 * time, so the second read of those rows comes from cache instead of memory.
 */
function quantizeBlocksFused(data: Float32Array, out: Uint8Array, L: Layout, scales: Float32Array, zps: Int32Array, qmin: number, qmax: number, symmetric: boolean, mid: number): void {
  const inner = L.inner;
  const lo = new Float64Array(inner);
  const hi = new Float64Array(inner);
  for (let o = 0; o < L.outer; o++) {
    for (let b = 0; b < L.blocks; b++) {
      const c0 = b * L.block;
      const c1 = Math.min(L.channels, c0 + L.block);
      const start = (o * L.channels + c0) * inner;
      const end = (o * L.channels + c1) * inner;
      lo.fill(Infinity);
      hi.fill(-Infinity);
      for (let row = start; row < end; row += inner) {
        for (let i = 0; i < inner; i++) {
          const x = data[row + i];
          if (x < lo[i]) lo[i] = x;
          if (x > hi[i]) hi[i] = x;
        }
      }
      const base = (o * L.blocks + b) * inner;
      for (let i = 0; i < inner; i++) {
        if (!Number.isFinite(lo[i]) || !Number.isFinite(hi[i])) {
          // Rare: a column of this block holds Inf/NaN only, or some Inf: range of its finite values.
          let l = Infinity, h = -Infinity;
          for (let row = start; row < end; row += inner) {
            const x = data[row + i];
            if (!Number.isFinite(x)) continue;
            if (x < l) l = x;
            if (x > h) h = x;
          }
          lo[i] = l <= h ? l : 0;
          hi[i] = l <= h ? h : 0;
        }
        const scale = scaleFor(lo[i], hi[i], qmin, qmax, symmetric);
        scales[base + i] = scale;
        zps[base + i] = zeroPointFor(lo[i], scale, qmin, qmax, symmetric, mid);
      }
      for (let row = start; row < end; row += inner) {
        for (let i = 0; i < inner; i++) {
          const s = scales[base + i], z = zps[base + i];
          const x = data[row + i];
          const v = Math.fround(x / s);
          let r = Math.round(v);
          if (r - v === 0.5 && r % 2 !== 0) r -= 1;
          r += z;
          out[row + i] = r < qmin ? qmin : r > qmax ? qmax : x !== x ? z : r;
        }
      }
    }
  }
}

/** Block-wise groups: each inner position has its own group, shared by `block` consecutive channels. */
function quantizeBlocks(data: Float32Array, out: Uint8Array, L: Layout, scales: Float32Array, zps: Int32Array, qmin: number, qmax: number): void {
  let p = 0;
  const inner = L.inner;
  for (let o = 0; o < L.outer; o++) {
    for (let c = 0; c < L.channels; c++) {
      const base = (o * L.blocks + ((c / L.block) | 0)) * inner;
      for (let i = 0; i < inner; i++, p++) {
        const s = scales[base + i], z = zps[base + i];
        const x = data[p];
        const v = Math.fround(x / s);
        let r = Math.round(v);
        if (r - v === 0.5 && r % 2 !== 0) r -= 1;
        r += z;
        out[p] = r < qmin ? qmin : r > qmax ? qmax : x !== x ? z : r;
      }
    }
  }
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
