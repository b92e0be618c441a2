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

/** Whether onnxruntime's JavaScript API can carry this element type. */
export function ortSupports(dtype: number): boolean {
  return dataTypeInfo(dtype).ort !== undefined;
}

export function toOrtTensor(Tensor: OrtTensorCtor, name: string, array: TensorArray): OrtTensor {
  const type = dataTypeInfo(array.dtype).ort as OrtTensor.Type | undefined;
  if (!type) throw new UserError(`Input '${name}' has element type ${dataTypeName(array.dtype)}, which onnxruntime's JavaScript API cannot pass.`);
  let data: OrtTensor.DataType = array.data as OrtTensor.DataType;
  if (array.dtype === DataType.INT4 || array.dtype === DataType.UINT4) data = pack4(array.data as Int8Array | Uint8Array);
  return new Tensor(type, data, array.dims);
}

/** A fresh array that owns exactly its bytes, so that sending it does not clone a larger buffer. */
export function compactData(data: ElementArray): ElementArray {
  if (Array.isArray(data)) return data;
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data;
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
