// TensorProto <-> typed arrays for every ONNX element type.
// Arrays are storage-natural: narrow floats stay as bit patterns (Uint16Array/Uint8Array), sub-byte
// integers are unpacked one element per entry; toFloat64 gives the numeric view for statistics.
import { UserError } from '../errors.js';
import { dataTypeName } from './dataTypes.js';
import type { ExternalDataReader } from './externalData.js';
import { isExternal } from './externalData.js';
import {
  bfloat16ToFloat, e8m0ToFloat, floatToBfloat16, floatToE8m0, floatToHalf, floatToMiniFloat, halfToFloat, isMiniFloat, miniFloatToFloat,
} from './floatFormats.js';
import { DataType, int64ToBigInt, int64ToNumber, onnx, toLong, type NodeProto, type TensorProto } from './proto.js';

export type ElementArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | string[];

export interface TensorArray {
  dtype: number;
  dims: number[];
  data: ElementArray;
}

type NumericArrayCtor = { new (n: number): Exclude<ElementArray, string[]>; BYTES_PER_ELEMENT: number };

/** The array type each element type uses, and how many array entries one element takes. */
function storage(dtype: number): { ctor: NumericArrayCtor; perElement: number } | undefined {
  switch (dtype) {
    case DataType.FLOAT: return { ctor: Float32Array, perElement: 1 };
    case DataType.DOUBLE: return { ctor: Float64Array, perElement: 1 };
    case DataType.COMPLEX64: return { ctor: Float32Array, perElement: 2 };
    case DataType.COMPLEX128: return { ctor: Float64Array, perElement: 2 };
    case DataType.INT8: case DataType.INT4: case DataType.INT2: return { ctor: Int8Array, perElement: 1 };
    case DataType.UINT8: case DataType.BOOL: case DataType.UINT4: case DataType.UINT2: case DataType.FLOAT4E2M1:
    case DataType.FLOAT8E4M3FN: case DataType.FLOAT8E4M3FNUZ: case DataType.FLOAT8E5M2: case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0:
      return { ctor: Uint8Array, perElement: 1 };
    case DataType.INT16: return { ctor: Int16Array, perElement: 1 };
    case DataType.UINT16: case DataType.FLOAT16: case DataType.BFLOAT16: return { ctor: Uint16Array, perElement: 1 };
    case DataType.INT32: return { ctor: Int32Array, perElement: 1 };
    case DataType.UINT32: return { ctor: Uint32Array, perElement: 1 };
    case DataType.INT64: return { ctor: BigInt64Array, perElement: 1 };
    case DataType.UINT64: return { ctor: BigUint64Array, perElement: 1 };
    default: return undefined;
  }
}

/** Bits per element in a packed raw buffer for the sub-byte types, else 0. */
function packedBits(dtype: number): number {
  if (dtype === DataType.INT4 || dtype === DataType.UINT4 || dtype === DataType.FLOAT4E2M1) return 4;
  if (dtype === DataType.INT2 || dtype === DataType.UINT2) return 2;
  return 0;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

function unpack(bytes: Uint8Array, dtype: number, count: number): Int8Array | Uint8Array {
  const bits = packedBits(dtype);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const signed = dtype === DataType.INT4 || dtype === DataType.INT2;
  if (bytes.length < Math.ceil(count / perByte)) throw new UserError(`Packed ${dataTypeName(dtype)} data is too short for ${count} elements.`);
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let v = (bytes[(i / perByte) | 0] >> ((i % perByte) * bits)) & mask;
    if (signed && v & (1 << (bits - 1))) v -= 1 << bits;
    out[i] = v;
  }
  return out;
}

function pack(values: Int8Array | Uint8Array, dtype: number): Uint8Array {
  const bits = packedBits(dtype);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) out[(i / perByte) | 0] |= (values[i] & mask) << ((i % perByte) * bits);
  return out;
}

/** Copies raw little-endian bytes into a fresh aligned array (raw_data views are often misaligned). */
function fromRaw(bytes: Uint8Array, dtype: number, count: number, name: string): ElementArray {
  if (packedBits(dtype)) return unpack(bytes, dtype, count);
  const kind = storage(dtype);
  if (!kind) throw new UserError(`Tensor '${name}' has element type ${dataTypeName(dtype)}, which cannot be read.`);
  const n = count * kind.perElement;
  const need = n * kind.ctor.BYTES_PER_ELEMENT;
  if (bytes.length !== need) {
    throw new UserError(`Tensor '${name}' holds ${bytes.length} bytes of data, but its shape needs ${need}.`);
  }
  const out = new kind.ctor(n);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function fromTyped(tensor: TensorProto, dtype: number, count: number, name: string): ElementArray {
  const take = <T extends { length: number }>(field: T | null | undefined, expected: number, what: string): T => {
    const length = field?.length ?? 0;
    if (length !== expected) throw new UserError(`Tensor '${name}' has ${length} values in ${what}, but its shape needs ${expected}.`);
    return field as T;
  };
  switch (dtype) {
    case DataType.FLOAT: return Float32Array.from(take(tensor.floatData, count, 'float_data'));
    case DataType.COMPLEX64: return Float32Array.from(take(tensor.floatData, 2 * count, 'float_data'));
    case DataType.DOUBLE: return Float64Array.from(take(tensor.doubleData, count, 'double_data'));
    case DataType.COMPLEX128: return Float64Array.from(take(tensor.doubleData, 2 * count, 'double_data'));
    case DataType.INT64: return BigInt64Array.from(take(tensor.int64Data, count, 'int64_data'), (v) => int64ToBigInt(v));
    case DataType.UINT32: return Uint32Array.from(take(tensor.uint64Data, count, 'uint64_data'), (v) => int64ToNumber(v));
    case DataType.UINT64: return BigUint64Array.from(take(tensor.uint64Data, count, 'uint64_data'), (v) => BigInt.asUintN(64, int64ToBigInt(v)));
    case DataType.STRING: return take(tensor.stringData, count, 'string_data').map((s) => new TextDecoder().decode(s));
    default: {
      const bits = packedBits(dtype);
      if (bits) {
        const bytes = Uint8Array.from(take(tensor.int32Data, Math.ceil((count * bits) / 8), 'int32_data'));
        return unpack(bytes, dtype, count);
      }
      const kind = storage(dtype);
      if (!kind) throw new UserError(`Tensor '${name}' has element type ${dataTypeName(dtype)}, which cannot be read.`);
      const out = new kind.ctor(count) as Exclude<ElementArray, string[] | BigInt64Array | BigUint64Array>;
      const values = take(tensor.int32Data, count, 'int32_data');
      for (let i = 0; i < count; i++) out[i] = values[i];
      return out;
    }
  }
}

export function tensorDims(tensor: TensorProto): number[] {
  return (tensor.dims ?? []).map((d) => int64ToNumber(d));
}

/** Reads a tensor's values from raw_data, the typed fields or external data. */
export function tensorToArray(tensor: TensorProto, external?: ExternalDataReader): TensorArray {
  const dtype = tensor.dataType ?? 0;
  const dims = tensorDims(tensor);
  const count = elementCount(dims);
  const name = tensor.name ?? '';
  if (dims.some((d) => d < 0)) throw new UserError(`Tensor '${name}' has a negative dimension.`);
  if (tensor.segment) throw new UserError(`Tensor '${name}' is stored in segments, which ONNX Lens does not read.`);
  let data: ElementArray;
  if (isExternal(tensor)) {
    if (!external) throw new UserError(`Tensor '${name}' keeps its values in an external file, which is not available here.`);
    data = fromRaw(external.read(tensor), dtype, count, name);
  } else if (tensor.rawData && tensor.rawData.length > 0) {
    data = fromRaw(tensor.rawData, dtype, count, name);
  } else {
    data = fromTyped(tensor, dtype, count, name);
  }
  return { dtype, dims, data };
}

/** Encodes values as a TensorProto with raw_data (strings use string_data, as ONNX requires). */
export function arrayToTensor(name: string, array: TensorArray): TensorProto {
  const tensor = new onnx.TensorProto({ name, dataType: array.dtype, dims: array.dims.map((d) => toLong(d)) });
  if (array.dtype === DataType.STRING) {
    tensor.stringData = (array.data as string[]).map((s) => new TextEncoder().encode(s));
    return tensor;
  }
  const data = array.data as Exclude<ElementArray, string[]>;
  if (packedBits(array.dtype)) {
    tensor.rawData = pack(data as Int8Array | Uint8Array, array.dtype);
  } else {
    tensor.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  }
  return tensor;
}

/** The numeric value of every element (real part only for complex types; strings are NaN). */
export function toFloat64(array: TensorArray): Float64Array {
  const { dtype, data } = array;
  if (Array.isArray(data)) return new Float64Array(data.length).fill(NaN);
  if (dtype === DataType.COMPLEX64 || dtype === DataType.COMPLEX128) {
    const out = new Float64Array(data.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = Number(data[2 * i]);
    return out;
  }
  const out = new Float64Array(data.length);
  if (dtype === DataType.FLOAT16) for (let i = 0; i < out.length; i++) out[i] = halfToFloat(data[i] as number);
  else if (dtype === DataType.BFLOAT16) for (let i = 0; i < out.length; i++) out[i] = bfloat16ToFloat(data[i] as number);
  else if (dtype === DataType.FLOAT8E8M0) for (let i = 0; i < out.length; i++) out[i] = e8m0ToFloat(data[i] as number);
  else if (isMiniFloat(dtype)) for (let i = 0; i < out.length; i++) out[i] = miniFloatToFloat(dtype, data[i] as number);
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array) for (let i = 0; i < out.length; i++) out[i] = Number(data[i]);
  else out.set(data);
  return out;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const intRanges: Record<number, [number, number]> = {
  [DataType.INT8]: [-128, 127], [DataType.UINT8]: [0, 255], [DataType.INT16]: [-32768, 32767], [DataType.UINT16]: [0, 65535],
  [DataType.INT32]: [-2147483648, 2147483647], [DataType.UINT32]: [0, 4294967295], [DataType.INT4]: [-8, 7], [DataType.UINT4]: [0, 15],
  [DataType.INT2]: [-2, 1], [DataType.UINT2]: [0, 3], [DataType.BOOL]: [0, 1],
};

/** Converts numbers into a dtype's storage: integers round half to even and saturate; floats round to nearest even. */
export function fromFloat64(dtype: number, values: ArrayLike<number>): ElementArray {
  const n = values.length;
  const range = intRanges[dtype];
  if (dtype === DataType.BOOL) return Uint8Array.from({ length: n }, (_, i) => (values[i] !== 0 ? 1 : 0));
  if (range) {
    const out = new (storage(dtype)!.ctor)(n) as Int8Array;
    for (let i = 0; i < n; i++) out[i] = Math.min(range[1], Math.max(range[0], roundHalfEven(values[i])));
    return out;
  }
  switch (dtype) {
    case DataType.FLOAT: return Float32Array.from(values);
    case DataType.DOUBLE: return Float64Array.from(values);
    case DataType.INT64: return BigInt64Array.from({ length: n }, (_, i) => BigInt(roundHalfEven(values[i])));
    case DataType.UINT64: return BigUint64Array.from({ length: n }, (_, i) => BigInt(Math.max(0, roundHalfEven(values[i]))));
    case DataType.FLOAT16: return Uint16Array.from({ length: n }, (_, i) => floatToHalf(values[i]));
    case DataType.BFLOAT16: return Uint16Array.from({ length: n }, (_, i) => floatToBfloat16(values[i]));
    case DataType.FLOAT8E8M0: return Uint8Array.from({ length: n }, (_, i) => floatToE8m0(values[i]));
    default:
      if (isMiniFloat(dtype)) return Uint8Array.from({ length: n }, (_, i) => floatToMiniFloat(dtype, values[i]));
      throw new UserError(`Cannot write numbers as ${dataTypeName(dtype)}.`);
  }
}

/** The value of a Constant node as a tensor, for every attribute form it may use. */
export function constantNodeTensor(node: NodeProto): TensorProto | undefined {
  if (node.opType !== 'Constant' || (node.domain && node.domain !== 'ai.onnx')) return undefined;
  const attribute = node.attribute?.[0];
  const name = node.output?.[0] ?? '';
  if (!attribute) return undefined;
  const named = (t: TensorProto): TensorProto => new onnx.TensorProto({ ...t, name });
  switch (attribute.name) {
    case 'value': return attribute.t ? named(attribute.t) : undefined;
    case 'sparse_value': return attribute.sparseTensor ? sparseToDense(attribute.sparseTensor, name) : undefined;
    case 'value_float': return arrayToTensor(name, { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(attribute.f ?? 0) });
    case 'value_floats': return arrayToTensor(name, { dtype: DataType.FLOAT, dims: [attribute.floats?.length ?? 0], data: Float32Array.from(attribute.floats ?? []) });
    case 'value_int': return arrayToTensor(name, { dtype: DataType.INT64, dims: [], data: BigInt64Array.of(int64ToBigInt(attribute.i)) });
    case 'value_ints': return arrayToTensor(name, { dtype: DataType.INT64, dims: [attribute.ints?.length ?? 0], data: BigInt64Array.from(attribute.ints ?? [], (v) => int64ToBigInt(v)) });
    case 'value_string': return arrayToTensor(name, { dtype: DataType.STRING, dims: [], data: [new TextDecoder().decode(attribute.s ?? new Uint8Array())] });
    case 'value_strings': return arrayToTensor(name, { dtype: DataType.STRING, dims: [attribute.strings?.length ?? 0], data: (attribute.strings ?? []).map((s) => new TextDecoder().decode(s)) });
    default: return undefined;
  }
}

/**
 * A Constant node's value for reading its type, dims or elements: the attribute's own tensor where it holds
 * one (no copy made, so its name is the attribute's, not the output's), else what constantNodeTensor makes.
 * Shape inference and the graph view read every Constant of a model, and a copy each was most of their garbage.
 */
export function constantNodeValue(node: NodeProto): TensorProto | undefined {
  if (node.opType !== 'Constant' || (node.domain && node.domain !== 'ai.onnx')) return undefined;
  const attribute = node.attribute?.[0];
  if (attribute?.name === 'value') return attribute.t ?? undefined;
  return constantNodeTensor(node);
}

/**
 * The elements of a small int64, int32 or float tensor held in raw_data, read in place, each through
 * `int64` or `number`: what tensorToArray gives, without a typed array made for each of a model's
 * 10,000s of small constants (shape inference and the graph view read every one). Undefined for anything
 * else (other types, typed fields, external data, a length that does not fit): the general way then.
 */
export function rawSmallElements<T>(t: TensorProto, count: number, int64: (v: bigint) => T, number: (v: number) => T): T[] | undefined {
  const raw = t.rawData;
  const dtype = t.dataType ?? 0;
  const size = dtype === DataType.INT64 ? 8 : dtype === DataType.INT32 || dtype === DataType.FLOAT ? 4 : 0;
  if (!raw || size === 0 || count < 0 || raw.length === 0 || raw.length !== count * size || t.segment || isExternal(t)) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    out.push(dtype === DataType.INT64 ? int64(view.getBigInt64(8 * i, true)) : number(dtype === DataType.FLOAT ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true)));
  }
  return out;
}

/** Expands a COO sparse tensor (indices [NNZ, rank] or linearized [NNZ]) into a dense one. */
export function sparseToDense(sparse: onnx.ISparseTensorProto, name = sparse.values?.name ?? '', external?: ExternalDataReader): TensorProto {
  if (!sparse.values) throw new UserError(`Sparse tensor '${name}' has no values.`);
  const values = tensorToArray(sparse.values, external);
  const dims = (sparse.dims ?? []).map((d) => int64ToNumber(d));
  const count = elementCount(dims);
  if (!(count <= 2 ** 30)) throw new UserError(`Sparse tensor '${name}' is too large to expand (${count} elements).`);
  const nnz = values.dims.length ? values.dims[0] : 0;
  const kind = storage(values.dtype);
  if (!kind || Array.isArray(values.data)) throw new UserError(`Sparse tensor '${name}' has element type ${dataTypeName(values.dtype)}, which cannot be expanded.`);
  const dense = new kind.ctor(count * kind.perElement);
  const indices = sparse.indices ? toFloat64(tensorToArray(sparse.indices, external)) : Float64Array.from({ length: nnz }, (_, i) => i);
  const linear = new Float64Array(nnz);
  if (indices.length === nnz) linear.set(indices);
  else if (indices.length === nnz * dims.length) {
    for (let k = 0; k < nnz; k++) {
      let offset = 0;
      for (let d = 0; d < dims.length; d++) offset = offset * dims[d] + indices[k * dims.length + d];
      linear[k] = offset;
    }
  } else throw new UserError(`Sparse tensor '${name}' has indices of the wrong size.`);
  const src = values.data as Float32Array;
  const dst = dense as Float32Array;
  for (let k = 0; k < nnz; k++) {
    const at = linear[k];
    if (!(at >= 0 && at < count)) throw new UserError(`Sparse tensor '${name}' has an index outside its shape.`);
    for (let j = 0; j < kind.perElement; j++) dst[at * kind.perElement + j] = src[k * kind.perElement + j];
  }
  return arrayToTensor(name, { dtype: values.dtype, dims, data: dense });
}
