// Quantization arithmetic against values computed by hand (the working is in the comments).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dequantizeTensor, groupRanges, packNibbles, quantizeTensor, quantizeValue, quantRange, roundHalfEven,
  scaleZeroPoint, typeRange, unpackNibbles,
} from '../../../src/core/transforms/quantize/arithmetic.js';
import { UserError } from '../../../src/core/errors.js';
import { percentileRange } from '../../../src/core/transforms/quantize/calibrate.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { arrayToTensor, tensorToArray } from '../../../src/core/model/tensorValues.js';

test('round half to even', () => {
  const cases: Array<[number, number]> = [
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, -0], [-1.5, -2], [-2.5, -2], [-3.5, -4],
    [2.4999, 2], [2.5001, 3], [-2.5001, -3], [7, 7], [-7, -7], [1e9 + 0.5, 1e9],
  ];
  for (const [x, want] of cases) assert.equal(roundHalfEven(x), want, `round(${x})`);
});

test('type ranges and the symmetric ranges', () => {
  assert.deepEqual(typeRange('uint8'), { qmin: 0, qmax: 255 });
  assert.deepEqual(typeRange('int8'), { qmin: -128, qmax: 127 });
  assert.deepEqual(typeRange('uint4'), { qmin: 0, qmax: 15 });
  assert.deepEqual(typeRange('int4'), { qmin: -8, qmax: 7 });
  assert.deepEqual(quantRange('int8', true), { qmin: -127, qmax: 127 });
  assert.deepEqual(quantRange('int4', true), { qmin: -7, qmax: 7 });
  assert.deepEqual(quantRange('uint8', true), { qmin: 0, qmax: 255 });
  assert.deepEqual(quantRange('uint4', true), { qmin: 0, qmax: 15 });
});

test('scale and zero point by hand', () => {
  // uint8 asymmetric [-1, 3]: scale = 4/255, zp = round(0 - (-1)/(4/255)) = round(63.75) = 64.
  let sz = scaleZeroPoint(-1, 3, 'uint8', false);
  assert.equal(sz.scale, Math.fround(4 / 255));
  assert.equal(sz.zeroPoint, 64);
  // int8 asymmetric [-1, 3]: zp = round(-128 + 63.75) = round(-64.25) = -64.
  sz = scaleZeroPoint(-1, 3, 'int8', false);
  assert.equal(sz.zeroPoint, -64);
  // Range widened to include 0: [2, 6] behaves as [0, 6]; uint8 scale 6/255, zp 0.
  sz = scaleZeroPoint(2, 6, 'uint8', false);
  assert.equal(sz.scale, Math.fround(6 / 255));
  assert.equal(sz.zeroPoint, 0);
  // All negative [-6, -2] -> [-6, 0]: uint8 zp = round(6/(6/255)) = 255; int8 zp = 127.
  assert.equal(scaleZeroPoint(-6, -2, 'uint8', false).zeroPoint, 255);
  assert.equal(scaleZeroPoint(-6, -2, 'int8', false).zeroPoint, 127);
  // int8 symmetric [-1, 3]: absmax 3, scale = 6/254 = 3/127, zp 0.
  sz = scaleZeroPoint(-1, 3, 'int8', true);
  assert.equal(sz.scale, Math.fround(3 / 127));
  assert.equal(sz.zeroPoint, 0);
  // uint8 symmetric: scale = 2*3/255, zp is the middle code 128.
  sz = scaleZeroPoint(-1, 3, 'uint8', true);
  assert.equal(sz.scale, Math.fround(6 / 255));
  assert.equal(sz.zeroPoint, 128);
  // int4 symmetric absmax 7: scale 1, zp 0; uint4 asymmetric [-1, 14]: scale 1, zp 1.
  assert.deepEqual(scaleZeroPoint(-7, 2, 'int4', true), { scale: 1, zeroPoint: 0 });
  assert.deepEqual(scaleZeroPoint(-1, 14, 'uint4', false), { scale: 1, zeroPoint: 1 });
  // int4 asymmetric [-1, 14]: zp = round(-8 + 1) = -7.
  assert.deepEqual(scaleZeroPoint(-1, 14, 'int4', false), { scale: 1, zeroPoint: -7 });
  // uint4 symmetric: middle code 8.
  assert.equal(scaleZeroPoint(-3, 3, 'uint4', true).zeroPoint, 8);
  // A constant zero tensor: scale 1 and a zero point that represents 0 exactly.
  assert.deepEqual(scaleZeroPoint(0, 0, 'uint8', false), { scale: 1, zeroPoint: 0 });
  assert.deepEqual(scaleZeroPoint(0, 0, 'int8', false), { scale: 1, zeroPoint: -128 });
  assert.deepEqual(scaleZeroPoint(0, 0, 'int8', true), { scale: 1, zeroPoint: 0 });
  // Zero points stay inside the type's range for any range.
  for (const type of ['uint8', 'int8', 'uint4', 'int4'] as const) {
    const { qmin, qmax } = typeRange(type);
    for (const [lo, hi] of [[-1e-30, 1e30], [-1e30, 1e-30], [-5, 5], [0, 1e-40], [-3e38, 3e38]]) {
      for (const symmetric of [false, true]) {
        const z = scaleZeroPoint(lo, hi, type, symmetric);
        assert.ok(z.zeroPoint >= qmin && z.zeroPoint <= qmax, `${type} ${lo}..${hi}: zp ${z.zeroPoint}`);
        assert.ok(z.scale > 0 && Number.isFinite(z.scale), `${type} ${lo}..${hi}: scale ${z.scale}`);
      }
    }
  }
});

test('quantize one value: ties to even and saturation', () => {
  // scale 0.5, zp 0: 0.25 / 0.5 = 0.5 -> 0; 0.75 -> 1.5 -> 2; 1.25 -> 2.5 -> 2; -0.75 -> -1.5 -> -2.
  assert.equal(quantizeValue(0.25, 0.5, 0, -128, 127), 0);
  assert.equal(quantizeValue(0.75, 0.5, 0, -128, 127), 2);
  assert.equal(quantizeValue(1.25, 0.5, 0, -128, 127), 2);
  assert.equal(quantizeValue(-0.75, 0.5, 0, -128, 127), -2);
  // Zero point added after rounding: 1.25/0.5 = 2.5 -> 2, + 3 = 5 (not round(5.5) = 6).
  assert.equal(quantizeValue(1.25, 0.5, 3, 0, 255), 5);
  // Saturation at both ends.
  assert.equal(quantizeValue(1000, 1, 0, -128, 127), 127);
  assert.equal(quantizeValue(-1000, 1, 0, -128, 127), -128);
  assert.equal(quantizeValue(-1000, 1, 10, 0, 255), 0);
  assert.equal(quantizeValue(Infinity, 1, 0, -8, 7), 7);
  assert.equal(quantizeValue(-Infinity, 1, 0, -8, 7), -8);
  assert.equal(quantizeValue(NaN, 1, 5, 0, 255), 5);
});

test('per-tensor int8 symmetric by hand', () => {
  // absmax 31.75 -> scale = 31.75/127 = 0.25; x/scale = [127, -63.5, 0.5, 1.5, -127] -> [127, -64, 0, 2, -127].
  const data = Float32Array.from([31.75, -15.875, 0.125, 0.375, -31.75]);
  const q = quantizeTensor(data, [5], { type: 'int8', symmetric: true, granularity: { kind: 'tensor' } });
  assert.deepEqual(q.scaleDims, []);
  assert.equal(q.scales[0], 0.25);
  assert.equal(q.zeroPoints[0], 0);
  assert.ok(q.values instanceof Int8Array);
  assert.deepEqual(Array.from(q.values), [127, -64, 0, 2, -127]);
});

test('per-tensor uint8 asymmetric with exact values', () => {
  // [0, 255] in steps of 1: scale 1, zp 0, codes are the values; -0.5 widens nothing since min is 0.
  const data = Float32Array.from([0, 1, 2.5, 3.5, 254.5, 255]);
  const q = quantizeTensor(data, [2, 3], { type: 'uint8', symmetric: false, granularity: { kind: 'tensor' } });
  assert.equal(q.scales[0], 1);
  assert.equal(q.zeroPoints[0], 0);
  assert.deepEqual(Array.from(q.values), [0, 1, 2, 4, 254, 255]);
});

test('per-channel along each axis', () => {
  // dims [2, 3]: rows [1, -2, 4] and [0.5, 0.25, -0.5].
  const data = Float32Array.from([1, -2, 4, 0.5, 0.25, -0.5]);
  // Axis 0: row absmax 4 and 0.5 -> scales 4/127 and 0.5/127.
  let q = quantizeTensor(data, [2, 3], { type: 'int8', symmetric: true, granularity: { kind: 'channel', axis: 0 } });
  assert.deepEqual(q.scaleDims, [2]);
  assert.deepEqual(Array.from(q.scales), [Math.fround(4 / 127), Math.fround(0.5 / 127)]);
  assert.equal(q.values[2], 127);
  assert.equal(q.values[5], -127);
  assert.equal(q.values[3], 127);
  // 0.25 / (0.5/127) = 63.5 -> 64 (even).
  assert.equal(q.values[4], 64);
  // Axis 1 (and -1): column absmax [1, 2, 4].
  for (const axis of [1, -1]) {
    q = quantizeTensor(data, [2, 3], { type: 'int8', symmetric: true, granularity: { kind: 'channel', axis } });
    assert.deepEqual(q.scaleDims, [3]);
    assert.deepEqual(Array.from(q.scales), [1, 2, 4].map((m) => Math.fround(m / 127)));
    assert.deepEqual([q.values[0], q.values[1], q.values[2]], [127, -127, 127]);
    // 0.5 / (1/127) = 63.5 -> 64; 0.25 / (2/127) = 15.875 -> 16; -0.5 / (4/127) = -15.875 -> -16.
    assert.deepEqual([q.values[3], q.values[4], q.values[5]], [64, 16, -16]);
  }
  // Rank 4, axis 0 of [2, 1, 2, 1] (a Conv weight with 2 output channels).
  q = quantizeTensor(Float32Array.from([-64, 191, 510, 0]), [2, 1, 2, 1], { type: 'uint8', symmetric: false, granularity: { kind: 'channel', axis: 0 } });
  // Channel 0 [-64, 191]: scale 255/255 = 1, zp 64; channel 1 [0, 510]: scale 2, zp 0.
  assert.deepEqual(Array.from(q.scales), [1, 2]);
  assert.deepEqual(Array.from(q.zeroPoints), [64, 0]);
  assert.deepEqual(Array.from(q.values), [0, 255, 255, 0]);
  // Scales are float32: 2/255 rounds up, so 1/scale = 127.49999 and the zero point is 127, not 128.
  q = quantizeTensor(Float32Array.from([-1, 1]), [1, 2], { type: 'uint8', symmetric: false, granularity: { kind: 'channel', axis: 0 } });
  assert.equal(q.zeroPoints[0], 127);
  // A middle axis: [2, 2, 2] axis 1 groups elements 0,1,4,5 and 2,3,6,7.
  const r = groupRanges(Float32Array.from([1, 2, 30, 40, 5, 6, 70, 80]), [2, 2, 2], { kind: 'channel', axis: 1 });
  assert.deepEqual(Array.from(r.mins), [1, 30]);
  assert.deepEqual(Array.from(r.maxs), [6, 80]);
  assert.throws(() => quantizeTensor(data, [2, 3], { type: 'int8', symmetric: true, granularity: { kind: 'channel', axis: 2 } }), UserError);
});

test('block-wise along K with a last partial block', () => {
  // dims [K=5, N=2], block 2 along axis 0: blocks rows {0,1}, {2,3}, {4} per column -> scale dims [3, 2].
  const data = Float32Array.from([
    2.5, -14,
    -7, 7,
    7, 0.875,
    -7, 1.75,
    3.5, -0.4375,
  ]);
  const q = quantizeTensor(data, [5, 2], { type: 'int4', symmetric: true, granularity: { kind: 'block', axis: 0, blockSize: 2 } });
  assert.deepEqual(q.scaleDims, [3, 2]);
  // absmax per (block, column): [7, 14], [7, 1.75], [3.5, 0.4375] -> scale absmax/7, all exact in float32.
  assert.deepEqual(Array.from(q.scales), [1, 2, 1, 0.25, 0.5, 0.0625]);
  // Codes: block 0: [2.5, -7] -> [2 (tie to even), -7], [-7, 3.5] -> [-7, 4 (tie to even)];
  // block 1: [7, -7], [3.5, 7] -> [4, 7]; the partial last block: 3.5/0.5 = 7, -0.4375/0.0625 = -7.
  assert.deepEqual(Array.from(q.values), [2, -7, -7, 4, 7, 4, -7, 7, 7, -7]);
  // Dequantized values are within half a step of the input.
  const back = dequantizeTensor(q);
  for (let i = 0; i < data.length; i++) {
    const block = Math.floor(Math.floor(i / 2) / 2) * 2 + (i % 2);
    assert.ok(Math.abs(back[i] - data[i]) <= q.scales[block] / 2 + 1e-7, `element ${i}`);
  }
  // Asymmetric uint4 blocks of 4 along the last axis of [1, 6]: blocks [0..3], [4..5].
  const a = quantizeTensor(Float32Array.from([0, 1, 2, 15, -3, 0]), [1, 6], { type: 'uint4', symmetric: false, granularity: { kind: 'block', axis: 1, blockSize: 4 } });
  assert.deepEqual(a.scaleDims, [1, 2]);
  // Block 0 [0, 15]: scale 1, zp 0. Block 1 [-3, 0]: scale 3/15 = 0.2, zp round(3/0.2) = 15.
  assert.deepEqual(Array.from(a.scales), [1, Math.fround(0.2)]);
  assert.deepEqual(Array.from(a.zeroPoints), [0, 15]);
  assert.deepEqual(Array.from(a.values), [0, 1, 2, 15, 0, 15]);
  assert.throws(() => quantizeTensor(data, [5, 2], { type: 'int4', symmetric: true, granularity: { kind: 'block', axis: 0, blockSize: 0 } }), UserError);
});

test('non-finite values do not spoil a group', () => {
  const q = quantizeTensor(Float32Array.from([1, Infinity, -2, NaN]), [4], { type: 'int8', symmetric: true, granularity: { kind: 'tensor' } });
  assert.equal(q.scales[0], Math.fround(2 / 127));
  assert.deepEqual(Array.from(q.values), [64, 127, -127, 0]);
});

test('nibble packing: low nibble first, two\'s complement for signed', () => {
  const packed = packNibbles(Int8Array.from([1, -1, -8, 7, 3]));
  // [1, -1] -> 0xF1; [-8, 7] -> 0x78; [3] -> 0x03.
  assert.deepEqual(Array.from(packed), [0xf1, 0x78, 0x03]);
  assert.deepEqual(Array.from(unpackNibbles(packed, 5, true)), [1, -1, -8, 7, 3]);
  assert.deepEqual(Array.from(unpackNibbles(Uint8Array.from([0xf1]), 2, false)), [1, 15]);
});

test('wrong value count is a UserError', () => {
  assert.throws(() => quantizeTensor(new Float32Array(3), [2, 2], { type: 'int8', symmetric: true, granularity: { kind: 'tensor' } }), UserError);
});

test('4-bit codes packed here read back identically through tensorToArray', () => {
  const codes = Int8Array.from({ length: 37 }, (_, i) => ((i * 5) % 16) - 8);
  for (const [dtype, values] of [[DataType.INT4, codes], [DataType.UINT4, Uint8Array.from(codes, (v) => v + 8)]] as const) {
    const tensor = onnx.TensorProto.create({ name: 'w', dataType: dtype, dims: [37].map((d) => toLong(d)), rawData: packNibbles(values) });
    assert.deepEqual(Array.from(tensorToArray(tensor).data as Int8Array), Array.from(values));
    assert.deepEqual(Array.from(packNibbles(values)), Array.from(arrayToTensor('w', { dtype, dims: [37], data: values }).rawData!));
  }
});

test('percentile calibration clips the stated share from each tail of the histogram', () => {
  // 10 bins over [0, 10): 1000 values, 5 in the lowest bin and 5 in the highest, 990 in between.
  const h = Float64Array.from([5, 124, 124, 124, 124, 124, 124, 124, 122, 5]);
  // 99%: 0.5% = 5 values per tail may go, so both outer bins are dropped.
  assert.deepEqual(percentileRange(h, 0, 10, 99), { min: 1, max: 9 });
  // 99.9%: 0.5 values per tail: nothing is clipped.
  assert.deepEqual(percentileRange(h, 0, 10, 99.9), { min: 0, max: 10 });
  // An empty histogram keeps the observed range.
  assert.deepEqual(percentileRange(new Float64Array(10), -1, 1, 99), { min: -1, max: 1 });
});

test('block-wise quantization one block of rows at a time equals the two-pass form, non-finite values included', () => {
  const dims = [70, 9]; // 70 rows in blocks of 32: 32, 32 and a partial 6
  const data = Float32Array.from({ length: 630 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 13)));
  data[5] = Infinity;
  data[100] = NaN;
  for (let r = 64; r < 70; r++) data[r * 9 + 3] = -Infinity; // a whole column of the last block
  for (const type of ['int4', 'uint4', 'int8', 'uint8'] as const) {
    for (const symmetric of [true, false]) {
      const granularity = { kind: 'block', axis: 0, blockSize: 32 } as const;
      const fused = quantizeTensor(data, dims, { type, symmetric, granularity });
      const twoPass = quantizeTensor(data, dims, { type, symmetric, granularity, ranges: groupRanges(data, dims, granularity) });
      assert.deepEqual(Array.from(fused.scales), Array.from(twoPass.scales), `${type} ${symmetric}: scales`);
      assert.deepEqual(Array.from(fused.zeroPoints), Array.from(twoPass.zeroPoints), `${type} ${symmetric}: zero points`);
      assert.deepEqual(Array.from(fused.values), Array.from(twoPass.values), `${type} ${symmetric}: codes`);
    }
  }
});

test('every kernel rounds like QuantizeLinear, on ties and on values one float32 step either side of them', () => {
  // Scales that are not powers of two make x * (1 / scale) and x / scale differ in their last bits.
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const step = (x: number, by: number): number => {
    f32[0] = x;
    u32[0] += x >= 0 ? by : -by;
    return f32[0];
  };
  let ties = 0;
  for (const scale of [Math.fround(0.1), Math.fround(1 / 3), Math.fround(0.0173), Math.fround(2.7)]) {
    const values: number[] = [];
    for (let n = -127; n < 127; n++) {
      const tie = Math.fround((n + 0.5) * scale);
      values.push(tie, step(tie, 1), step(tie, -1), step(tie, 2), step(tie, -2));
    }
    // Groups of 32: 30 values and the two ends +-127 * scale, so symmetric int8 gives every group this scale.
    const groups = Math.ceil(values.length / 30);
    const chunks = Array.from({ length: groups }, (_, g) => [...values.slice(g * 30, g * 30 + 30), 127 * scale, -127 * scale]);
    for (const chunk of chunks) while (chunk.length < 32) chunk.push(0);
    const rowMajor = Float32Array.from(chunks.flat()); // [groups, 32]
    const colMajor = Float32Array.from({ length: groups * 32 }, (_, i) => chunks[i % groups][Math.floor(i / groups)]); // [32, groups]
    const cases = [
      { data: rowMajor, dims: [groups * 32], granularity: { kind: 'tensor' }, group: () => 0 },
      { data: rowMajor, dims: [groups, 32], granularity: { kind: 'channel', axis: 0 }, group: (i: number) => Math.floor(i / 32) },
      { data: colMajor, dims: [32, groups], granularity: { kind: 'channel', axis: 1 }, group: (i: number) => i % groups },
      { data: rowMajor, dims: [groups, 32], granularity: { kind: 'block', axis: 1, blockSize: 32 }, group: (i: number) => Math.floor(i / 32) },
      { data: colMajor, dims: [32, groups], granularity: { kind: 'block', axis: 0, blockSize: 32 }, group: (i: number) => i % groups },
    ] as const;
    for (const { data, dims, granularity, group } of cases) {
      const q = quantizeTensor(data, dims as unknown as number[], { type: 'int8', symmetric: true, granularity });
      for (let i = 0; i < data.length; i++) {
        const s = q.scales[group(i)];
        assert.equal(s, scale, `${granularity.kind}: group ${group(i)} has the pinned scale`);
        const want = quantizeValue(data[i], s, 0, -127, 127);
        if (Math.fround(data[i] / s) % 1 === 0.5 || Math.fround(data[i] / s) % 1 === -0.5) ties++;
        assert.equal(q.values[i], want, `${granularity.kind} ${i}: ${data[i]} / ${s}`);
      }
    }
  }
  assert.ok(ties > 1000, `the inputs hold exact ties (${ties})`);
});

test('raw little-endian bytes at any alignment quantize exactly like the decoded floats, in every granularity', () => {
  const values = Float32Array.from({ length: 70 * 40 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
  const withInf = values.slice();
  withInf[123] = Infinity;
  withInf[2000] = NaN;
  for (const data of [values, withInf]) {
    // One byte in, so the floats are not 4-byte aligned, as raw_data inside a model file often is not.
    const buffer = new Uint8Array(data.byteLength + 1);
    buffer.set(new Uint8Array(data.buffer), 1);
    const bytes = buffer.subarray(1);
    for (const granularity of [{ kind: 'tensor' }, { kind: 'channel', axis: 1 }, { kind: 'block', axis: 0, blockSize: 32 }, { kind: 'block', axis: 1, blockSize: 16 }] as const) {
      for (const [type, symmetric] of [['int8', true], ['uint8', false], ['int4', true]] as const) {
        const want = quantizeTensor(data, [70, 40], { type, symmetric, granularity });
        const got = quantizeTensor(bytes, [70, 40], { type, symmetric, granularity });
        const label = `${granularity.kind} ${type}${data === withInf ? ' with Inf and NaN' : ''}`;
        assert.deepEqual(Array.from(got.scales), Array.from(want.scales), `${label}: scales`);
        assert.deepEqual(Array.from(got.zeroPoints), Array.from(want.zeroPoints), `${label}: zero points`);
        assert.deepEqual(Array.from(got.values), Array.from(want.values), `${label}: codes`);
      }
    }
  }
  assert.throws(() => quantizeTensor(new Uint8Array(10), [3], { type: 'int8', symmetric: true, granularity: { kind: 'tensor' } }), UserError);
});
