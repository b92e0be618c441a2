// The generated static protobuf module, re-exported with short type names.
import Long from 'long';
import { onnx } from './onnx-pb.js';

export { onnx, Long };
export type ModelProto = onnx.IModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type TensorProto = onnx.ITensorProto;
export type SparseTensorProto = onnx.ISparseTensorProto;
export type ValueInfoProto = onnx.IValueInfoProto;
export type TypeProto = onnx.ITypeProto;
export type AttributeProto = onnx.IAttributeProto;
export type FunctionProto = onnx.IFunctionProto;
export type OperatorSetIdProto = onnx.IOperatorSetIdProto;
export type StringStringEntryProto = onnx.IStringStringEntryProto;

export const DataType = onnx.TensorProto.DataType;
export const AttributeType = onnx.AttributeProto.AttributeType;

/** int64 fields decode as Long (or number when built by hand). */
export type Int64 = Long | number;

/** Exact as bigint: no precision lost above 2^53. */
export function int64ToBigInt(value: Int64 | null | undefined): bigint {
  if (value == null) return 0n;
  if (typeof value === 'number') return BigInt(value);
  return BigInt(value.toString());
}

/** As a JS number; callers use it for dims and counts, which fit. */
export function int64ToNumber(value: Int64 | null | undefined): number {
  if (value == null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function toLong(value: number | bigint): Long {
  return typeof value === 'bigint' ? Long.fromString(value.toString()) : Long.fromNumber(value);
}
