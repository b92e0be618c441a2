// quantizeTensor's fast paths (raw little-endian bytes read chunk by chunk, never decoded whole; per-channel
// MatMul weights through the chunked column kernel) give the same codes, scales and zero points as the
// general path (reached by handing it the ranges it would find itself), for every granularity and type,
// with NaN, infinities, negative zero, constant channels and subnormals among the values, at odd offsets too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupRanges, quantizeTensor, type Granularity, type QuantType } from '../../../src/core/transforms/quantize/arithmetic.js';

function values(count: number, seed: number, special: boolean): Float32Array {
  const out = new Float32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = ((s / 2 ** 32) - 0.5) * 4;
  }
  if (special) {
    out[3] = NaN;
    out[Math.floor(count / 2)] = Infinity;
    out[count - 5] = -Infinity;
    out[7] = -0;
    out[11] = 1e-42;
  }
  return out;
}

/** The floats' bytes at an odd offset of a larger buffer, as a tensor's raw_data inside a model file is. */
function rawBytes(data: Float32Array): Uint8Array {
  const buffer = new Uint8Array(data.byteLength + 3);
  buffer.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 3);
  return buffer.subarray(3);
}

const shapes: Array<{ dims: number[]; granularities: Granularity[] }> = [
  { dims: [300, 70], granularities: [{ kind: 'tensor' }, { kind: 'channel', axis: 1 }, { kind: 'channel', axis: 0 }] },
  { dims: [64, 33, 3, 3], granularities: [{ kind: 'tensor' }, { kind: 'channel', axis: 0 }, { kind: 'channel', axis: 1 }] },
  { dims: [2, 512, 41], granularities: [{ kind: 'channel', axis: 1 }, { kind: 'channel', axis: 2 }] },
  { dims: [40000], granularities: [{ kind: 'tensor' }, { kind: 'channel', axis: 0 }] },
];
const types: Array<{ type: QuantType; symmetric: boolean }> = [
  { type: 'int8', symmetric: true }, { type: 'int8', symmetric: false }, { type: 'uint8', symmetric: false }, { type: 'uint8', symmetric: true }, { type: 'int4', symmetric: true },
];

for (const { dims, granularities } of shapes) {
  for (const granularity of granularities) {
    test(`raw bytes and floats quantize alike: [${dims.join(', ')}], ${JSON.stringify(granularity)}`, () => {
      const count = dims.reduce((a, d) => a * d, 1);
      for (const special of [false, true]) {
        const data = values(count, count + dims.length, special);
        if (!special && granularity.kind === 'channel') {
          // A constant channel (scale from a zero-width range) beside the others.
          for (let i = 0; i < count; i++) if (Math.floor(i / dims.slice(granularity.axis + 1).reduce((a, d) => a * d, 1)) % dims[granularity.axis] === 1) data[i] = 0.5;
        }
        for (const t of types) {
          const options = { ...t, granularity };
          const reference = quantizeTensor(data, dims, { ...options, ranges: groupRanges(data, dims, granularity) });
          const fromFloats = quantizeTensor(data, dims, options);
          assert.deepEqual(fromFloats, reference, `floats: ${t.type} ${t.symmetric ? 'symmetric' : 'asymmetric'}${special ? ', with NaN and infinities' : ''}`);
          const fromBytes = quantizeTensor(rawBytes(data), dims, options);
          assert.deepEqual(fromBytes, fromFloats, `${t.type} ${t.symmetric ? 'symmetric' : 'asymmetric'}${special ? ', with NaN and infinities' : ''}`);
        }
      }
    });
  }
}
