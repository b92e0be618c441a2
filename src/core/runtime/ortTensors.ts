// TensorArray <-> onnxruntime tensors. Only the child process imports onnxruntime itself; the type
// import here is erased at build time.
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { UserError } from '../errors.js';
import { dataTypeByName, dataTypeInfo, dataTypeName } from '../model/dataTypes.js';
import { DataType } from '../model/proto.js';
import type { ElementArray, TensorArray } from '../model/tensorValues.js';

/** The Tensor constructor of the loaded onnxruntime module. */
export type OrtTensorCtor = new (type: OrtTensor.Type, data: OrtTensor.DataType, dims?: readonly number[]) => OrtTensor;

/** onnxruntime wants 4-bit integers packed two to a byte, low nibble first. */
function pack4(values: Int8Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] |= (values[i] & 0x0f) << ((i & 1) * 4);
  return out;
}

function unpack4(bytes: Uint8Array, count: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let v = (bytes[i >> 1] >> ((i & 1) * 4)) & 0x0f;
    if (signed && v & 8) v -= 16;
    out[i] = v;
  }
  return out;
}

/**
 * onnxruntime-node 1.30 names int4/uint4 but rejects them as inputs ("Tensor.type is not supported") and
 * dies of an out-of-memory abort when it returns one; both are refused before they reach it.
 */
const nodeLacks = new Set<string>(['int4', 'uint4']);

/** Whether onnxruntime-node can carry this element type in and out. */
export function ortSupports(dtype: number): boolean {
  const ort = dataTypeInfo(dtype).ort;
  return ort !== undefined && !nodeLacks.has(ort);
}

/** Whether an output of this onnxruntime type can be returned (see nodeLacks). */
export function ortCanReturn(type: string | undefined): boolean {
  return type === undefined || !nodeLacks.has(type);
}

export function toOrtTensor(Tensor: OrtTensorCtor, name: string, array: TensorArray): OrtTensor {
  const type = dataTypeInfo(array.dtype).ort as OrtTensor.Type | undefined;
  if (!type || !ortSupports(array.dtype)) throw new UserError(`Input '${name}' has element type ${dataTypeName(array.dtype)}, which onnxruntime's JavaScript API cannot pass in.`);
  let data: OrtTensor.DataType = array.data as OrtTensor.DataType;
  // Packed as onnxruntime's Tensor expects, for versions of onnxruntime-node that accept them.
  if (array.dtype === DataType.INT4 || array.dtype === DataType.UINT4) data = pack4(array.data as Int8Array | Uint8Array);
  return new Tensor(type, data, array.dims);
}

/** An array that owns exactly its bytes, so that a kept result never holds a larger buffer alive. */
export function compactData(data: ElementArray): ElementArray {
  if (Array.isArray(data)) return data;
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data;
  // Node's Buffer.slice makes a view, not a copy.
  if (data instanceof Uint8Array) return new Uint8Array(data);
  return data.slice();
}

export function fromOrtTensor(name: string, tensor: OrtTensor): TensorArray {
  const info = dataTypeByName(ortTypeToOnnxName(tensor.type));
  if (!info) throw new UserError(`Output '${name}' has onnxruntime type ${tensor.type}, which ONNX Lens cannot read.`);
  const dims = tensor.dims.map(Number);
  const count = dims.reduce((n, d) => n * d, 1);
  let data = tensor.data as ElementArray;
  if (info.id === DataType.INT4 || info.id === DataType.UINT4) data = unpack4(data as Uint8Array, count, info.id === DataType.INT4);
  else if (info.id === DataType.BOOL && !(data instanceof Uint8Array)) data = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  else if (info.id === DataType.FLOAT16 && !(data instanceof Uint16Array)) {
    // Node builds with a global Float16Array hand those out; keep bit patterns as the rest of the code does.
    const view = data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number };
    data = new Uint16Array(view.buffer, view.byteOffset, view.length).slice();
  }
  return { dtype: info.id, dims, data: compactData(data) };
}

function ortTypeToOnnxName(type: string): string {
  switch (type) {
    case 'float32': return 'float';
    case 'float64': return 'double';
    default: return type;
  }
}
