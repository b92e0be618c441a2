// Bit-level conversions for the narrow float formats ONNX stores: float16, bfloat16, the float8 family,
// float8e8m0 and float4e2m1. Decoding is exact; encoding rounds to nearest, ties to even, and saturates
// to the largest finite value (the ONNX default for Cast with saturate=1).
import { DataType } from './proto.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let result = mant >>> shift;
    if (rest > half || (rest === half && result & 1)) result++;
    return sign | result;
  }
  const rest = mant & 0x1fff;
  let result = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && result & 1)) result++;
  e = result >>> 10;
  return sign | (e >= 31 ? 0x7c00 : result);
}

export function bfloat16ToFloat(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}

export function floatToBfloat16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

interface MiniFloat {
  expBits: number;
  mantBits: number;
  bias: number;
  /** 'ieee': all-ones exponent is inf/NaN; 'fn': only all-ones is NaN; 'fnuz': 0x80 is NaN, no -0. */
  kind: 'ieee' | 'fn' | 'fnuz' | 'none';
}

const formats: Record<number, MiniFloat> = {
  [DataType.FLOAT8E4M3FN]: { expBits: 4, mantBits: 3, bias: 7, kind: 'fn' },
  [DataType.FLOAT8E4M3FNUZ]: { expBits: 4, mantBits: 3, bias: 8, kind: 'fnuz' },
  [DataType.FLOAT8E5M2]: { expBits: 5, mantBits: 2, bias: 15, kind: 'ieee' },
  [DataType.FLOAT8E5M2FNUZ]: { expBits: 5, mantBits: 2, bias: 16, kind: 'fnuz' },
  [DataType.FLOAT4E2M1]: { expBits: 2, mantBits: 1, bias: 1, kind: 'none' },
};

function decodeMini(bits: number, f: MiniFloat): number {
  const width = 1 + f.expBits + f.mantBits;
  const signBit = 1 << (width - 1);
  const expMask = (1 << f.expBits) - 1;
  const mantMask = (1 << f.mantBits) - 1;
  if (f.kind === 'fnuz' && bits === signBit) return NaN;
  const sign = bits & signBit ? -1 : 1;
  const exp = (bits >> f.mantBits) & expMask;
  const mant = bits & mantMask;
  if (f.kind === 'ieee' && exp === expMask) return mant ? NaN : sign * Infinity;
  if (f.kind === 'fn' && exp === expMask && mant === mantMask) return NaN;
  if (exp === 0) return sign * mant * 2 ** (1 - f.bias - f.mantBits);
  return sign * (1 + mant / (1 << f.mantBits)) * 2 ** (exp - f.bias);
}

/** Finite non-negative codes of a format, sorted by value, for nearest-value encoding. */
const positiveTables = new Map<number, Array<{ value: number; code: number }>>();

function positiveTable(dtype: number): Array<{ value: number; code: number }> {
  let table = positiveTables.get(dtype);
  if (!table) {
    const f = formats[dtype];
    const width = 1 + f.expBits + f.mantBits;
    table = [];
    for (let code = 0; code < 1 << (width - 1); code++) {
      const value = decodeMini(code, f);
      if (Number.isFinite(value)) table.push({ value, code });
    }
    table.sort((a, b) => a.value - b.value);
    positiveTables.set(dtype, table);
  }
  return table;
}

export function isMiniFloat(dtype: number): boolean {
  return dtype in formats;
}

export function miniFloatToFloat(dtype: number, bits: number): number {
  return decodeMini(bits, formats[dtype]);
}

export function floatToMiniFloat(dtype: number, value: number): number {
  const f = formats[dtype];
  const width = 1 + f.expBits + f.mantBits;
  const signBit = 1 << (width - 1);
  if (Number.isNaN(value)) {
    if (f.kind === 'fnuz') return signBit;
    if (f.kind === 'fn') return (1 << (width - 1)) - 1;
    if (f.kind === 'ieee') return ((1 << f.expBits) - 1) << f.mantBits | 1;
    return 0;
  }
  const table = positiveTable(dtype);
  const magnitude = Math.abs(value);
  let lo = 0;
  let hi = table.length - 1;
  if (magnitude >= table[hi].value) {
    const code = table[hi].code;
    return value < 0 ? code | signBit : code;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid].value <= magnitude) lo = mid;
    else hi = mid;
  }
  const dLo = magnitude - table[lo].value;
  const dHi = table[hi].value - magnitude;
  const code = dLo < dHi || (dLo === dHi && (table[lo].code & 1) === 0) ? table[lo].code : table[hi].code;
  if (value < 0 && !(f.kind === 'fnuz' && code === 0)) return code | signBit;
  return code;
}

export function e8m0ToFloat(bits: number): number {
  return bits === 0xff ? NaN : 2 ** (bits - 127);
}

/** Rounds the exponent to nearest (ties up, as the OCP MX spec's round-to-nearest for scales). */
export function floatToE8m0(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return Number.isNaN(value) ? 0xff : value > 0 ? 0xfe : 0;
  const e = Math.round(Math.log2(value));
  return Math.min(0xfe, Math.max(0, e + 127));
}
