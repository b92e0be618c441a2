// The elements shape inference reads from small constants: raw_data read in place must give what the
// typed fields holding the same values give, and anything it cannot read stays unknown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataType, toLong, type TensorProto } from '../../../src/core/model/proto.js';
import { constantElements } from '../../../src/core/ops/shapeValues.js';

const raw = (dataType: number, dims: number[], bytes: ArrayBufferView): TensorProto => ({
  dataType, dims, rawData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
});

test('int64, int32 and float constants in raw_data read as the same elements as in typed fields', () => {
  const cases: Array<[TensorProto, TensorProto, number[]]> = [
    [raw(DataType.INT64, [], BigInt64Array.of(-3n)), { dataType: DataType.INT64, dims: [], int64Data: [toLong(-3)] }, [-3]],
    [raw(DataType.INT64, [4], BigInt64Array.of(1n, -1n, 9007199254740993n, 0n)), { dataType: DataType.INT64, dims: [4], int64Data: [toLong(1), toLong(-1), toLong(9007199254740993n), toLong(0)] }, [1, -1, 9007199254740992, 0]],
    [raw(DataType.INT32, [2], Int32Array.of(-2147483648, 7)), { dataType: DataType.INT32, dims: [2], int32Data: [-2147483648, 7] }, [-2147483648, 7]],
    [raw(DataType.FLOAT, [3], Float32Array.of(0.1, -0, Infinity)), { dataType: DataType.FLOAT, dims: [3], floatData: [0.1, -0, Infinity] }, [Math.fround(0.1), -0, Infinity]],
  ];
  for (const [fromRaw, fromFields, elements] of cases) {
    assert.deepEqual(constantElements(fromRaw), constantElements(fromFields));
    assert.deepEqual(constantElements(fromRaw), elements);
  }
  // A misaligned view of the file's bytes reads the same.
  const bytes = new Uint8Array(17);
  new DataView(bytes.buffer).setBigInt64(1, 42n, true);
  new DataView(bytes.buffer).setBigInt64(9, -42n, true);
  assert.deepEqual(constantElements({ dataType: DataType.INT64, dims: [2], rawData: bytes.subarray(1) }), [42, -42]);
});

test('raw_data that does not fit its shape, external data and segments give no elements', () => {
  assert.equal(constantElements({ dataType: DataType.INT64, dims: [2], rawData: new Uint8Array(12) }), undefined);
  assert.equal(constantElements({ dataType: DataType.INT64, dims: [1], rawData: new Uint8Array(8), dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }), undefined);
  assert.equal(constantElements({ dataType: DataType.INT64, dims: [1], rawData: new Uint8Array(8), segment: { begin: toLong(0), end: toLong(1) } }), undefined);
  assert.equal(constantElements({ dataType: DataType.INT64, dims: [2, 1], rawData: new Uint8Array(16) }), undefined, 'rank above 1');
});
