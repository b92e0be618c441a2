// Element types of TensorProto.DataType: names, sizes and how values are stored.
import { DataType } from './proto.js';

export interface DataTypeInfo {
  readonly id: number;
  /** ONNX text syntax name: float, int64, float16 ... */
  readonly name: string;
  /** Bits per element in raw_data (4 and 2 for packed types, 0 for strings). */
  readonly bits: number;
  /** onnxruntime-node tensor type, when the JS API has one. */
  readonly ort?: string;
}

const table: DataTypeInfo[] = [
  { id: DataType.UNDEFINED, name: 'undefined', bits: 0 },
  { id: DataType.FLOAT, name: 'float', bits: 32, ort: 'float32' },
  { id: DataType.UINT8, name: 'uint8', bits: 8, ort: 'uint8' },
  { id: DataType.INT8, name: 'int8', bits: 8, ort: 'int8' },
  { id: DataType.UINT16, name: 'uint16', bits: 16, ort: 'uint16' },
  { id: DataType.INT16, name: 'int16', bits: 16, ort: 'int16' },
  { id: DataType.INT32, name: 'int32', bits: 32, ort: 'int32' },
  { id: DataType.INT64, name: 'int64', bits: 64, ort: 'int64' },
  { id: DataType.STRING, name: 'string', bits: 0, ort: 'string' },
  { id: DataType.BOOL, name: 'bool', bits: 8, ort: 'bool' },
  { id: DataType.FLOAT16, name: 'float16', bits: 16, ort: 'float16' },
  { id: DataType.DOUBLE, name: 'double', bits: 64, ort: 'float64' },
  { id: DataType.UINT32, name: 'uint32', bits: 32, ort: 'uint32' },
  { id: DataType.UINT64, name: 'uint64', bits: 64, ort: 'uint64' },
  { id: DataType.COMPLEX64, name: 'complex64', bits: 64 },
  { id: DataType.COMPLEX128, name: 'complex128', bits: 128 },
  { id: DataType.BFLOAT16, name: 'bfloat16', bits: 16 },
  { id: DataType.FLOAT8E4M3FN, name: 'float8e4m3fn', bits: 8 },
  { id: DataType.FLOAT8E4M3FNUZ, name: 'float8e4m3fnuz', bits: 8 },
  { id: DataType.FLOAT8E5M2, name: 'float8e5m2', bits: 8 },
  { id: DataType.FLOAT8E5M2FNUZ, name: 'float8e5m2fnuz', bits: 8 },
  { id: DataType.UINT4, name: 'uint4', bits: 4, ort: 'uint4' },
  { id: DataType.INT4, name: 'int4', bits: 4, ort: 'int4' },
  { id: DataType.FLOAT4E2M1, name: 'float4e2m1', bits: 4 },
  { id: DataType.FLOAT8E8M0, name: 'float8e8m0', bits: 8 },
  { id: DataType.UINT2, name: 'uint2', bits: 2 },
  { id: DataType.INT2, name: 'int2', bits: 2 },
];

const byId = new Map(table.map((info) => [info.id, info]));
const byName = new Map(table.map((info) => [info.name, info]));

export function dataTypeInfo(id: number): DataTypeInfo {
  return byId.get(id) ?? { id, name: `unknown(${id})`, bits: 0 };
}

export function dataTypeByName(name: string): DataTypeInfo | undefined {
  return byName.get(name);
}

export function dataTypeName(id: number): string {
  return dataTypeInfo(id).name;
}

/** Bytes needed for `count` elements in raw_data (packed sub-byte types round up). */
export function byteLength(id: number, count: number): number {
  return Math.ceil((dataTypeInfo(id).bits * count) / 8);
}

export const allDataTypes: readonly DataTypeInfo[] = table;
