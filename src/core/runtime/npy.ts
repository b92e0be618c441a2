// NumPy .npy files (format versions 1, 2 and 3): little-endian numeric, bool and unicode arrays in C order.
import { UserError } from '../errors.js';
import { dataTypeName } from '../model/dataTypes.js';
import { DataType } from '../model/proto.js';
import { elementCount, type ElementArray, type TensorArray } from '../model/tensorValues.js';

const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy type code (kind + size) -> ONNX element type. */
const byCode: Record<string, number> = {
  f2: DataType.FLOAT16, f4: DataType.FLOAT, f8: DataType.DOUBLE,
  i1: DataType.INT8, i2: DataType.INT16, i4: DataType.INT32, i8: DataType.INT64,
  u1: DataType.UINT8, u2: DataType.UINT16, u4: DataType.UINT32, u8: DataType.UINT64,
  b1: DataType.BOOL, c8: DataType.COMPLEX64, c16: DataType.COMPLEX128,
};
const byType = new Map(Object.entries(byCode).map(([code, id]) => [id, code]));

type NumericCtor = { new (buffer: ArrayBuffer): Exclude<ElementArray, string[]> };

function ctorFor(dtype: number): NumericCtor {
  switch (dtype) {
    case DataType.FLOAT: case DataType.COMPLEX64: return Float32Array;
    case DataType.DOUBLE: case DataType.COMPLEX128: return Float64Array;
    case DataType.FLOAT16: case DataType.UINT16: return Uint16Array;
    case DataType.INT8: return Int8Array;
    case DataType.INT16: return Int16Array;
    case DataType.INT32: return Int32Array;
    case DataType.INT64: return BigInt64Array;
    case DataType.UINT32: return Uint32Array;
    case DataType.UINT64: return BigUint64Array;
    default: return Uint8Array;
  }
}

interface Header {
  descr: string;
  fortran: boolean;
  shape: number[];
}

function parseHeader(text: string, source: string): Header {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new UserError(`${source} has a .npy header without descr, fortran_order and shape (a structured array?).`);
  }
  const dims = shape.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s.length > 0).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new UserError(`${source} has an invalid shape (${shape}).`);
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** Decodes a .npy file; `source` names it in errors. */
export function parseNpy(bytes: Uint8Array, source = 'The .npy file'): TensorArray {
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw new UserError(`${source} is not a NumPy .npy file.`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new UserError(`${source} is truncated.`);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new UserError(`${source} uses .npy format version ${major}, which ONNX Lens does not read (1, 2 and 3 are supported).`);
  }
  if (headerStart + headerLength > bytes.length) throw new UserError(`${source} is truncated.`);
  const decoder = new TextDecoder(major === 3 ? 'utf-8' : 'latin1');
  const header = parseHeader(decoder.decode(bytes.subarray(headerStart, headerStart + headerLength)), source);
  if (header.fortran) throw new UserError(`${source} stores its array in Fortran order; save it in C order (numpy.ascontiguousarray) and try again.`);
  const body = bytes.subarray(headerStart + headerLength);
  const count = elementCount(header.shape);
  const order = header.descr[0];
  const code = header.descr.slice(1);
  if (order === '>' && !/^[iub]1$/.test(code)) throw new UserError(`${source} is big-endian (${header.descr}); save it little-endian (array.astype('<${code}')).`);
  if (code.startsWith('U')) return { dtype: DataType.STRING, dims: header.shape, data: unicodeStrings(body, count, Number(code.slice(1)), source) };
  if (code.startsWith('S')) return { dtype: DataType.STRING, dims: header.shape, data: byteStrings(body, count, Number(code.slice(1)), source) };
  const dtype = byCode[code];
  if (dtype === undefined) throw new UserError(`${source} has element type ${header.descr}, which has no ONNX equivalent.`);
  const itemSize = Number(code.slice(1));
  const need = count * itemSize;
  if (body.length < need) throw new UserError(`${source} holds ${body.length} bytes of data, but shape (${header.shape.join(', ')}) of ${header.descr} needs ${need}.`);
  // A copy that owns its buffer (Buffer.slice would be a view of a pooled buffer).
  const copy = new Uint8Array(need);
  copy.set(body.subarray(0, need));
  const data = new (ctorFor(dtype))(copy.buffer);
  if (dtype === DataType.BOOL) for (let i = 0; i < data.length; i++) (data as Uint8Array)[i] = data[i] ? 1 : 0;
  return { dtype, dims: header.shape, data };
}

function unicodeStrings(body: Uint8Array, count: number, width: number, source: string): string[] {
  if (body.length < count * width * 4) throw new UserError(`${source} is truncated.`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return Array.from({ length: count }, (_, i) => {
    const points: number[] = [];
    for (let k = 0; k < width; k++) {
      const cp = view.getUint32((i * width + k) * 4, true);
      if (cp === 0) break;
      points.push(cp);
    }
    return String.fromCodePoint(...points);
  });
}

function byteStrings(body: Uint8Array, count: number, width: number, source: string): string[] {
  if (body.length < count * width) throw new UserError(`${source} is truncated.`);
  const decoder = new TextDecoder();
  return Array.from({ length: count }, (_, i) => {
    const raw = body.subarray(i * width, (i + 1) * width);
    const end = raw.indexOf(0);
    return decoder.decode(end < 0 ? raw : raw.subarray(0, end));
  });
}

/** Encodes a numeric or bool tensor as a version 1 .npy file (for saving outputs). */
export function encodeNpy(array: TensorArray): Uint8Array {
  const code = byType.get(array.dtype);
  if (!code || Array.isArray(array.data)) throw new UserError(`Tensors of type ${dataTypeName(array.dtype)} cannot be saved as .npy.`);
  const descr = `${code === 'b1' || code.endsWith('1') ? '|' : '<'}${code}`;
  const shape = array.dims.length === 1 ? `(${array.dims[0]},)` : `(${array.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The header (with magic, version and length) is padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const data = array.data;
  const out = new Uint8Array(total + data.byteLength);
  out.set(magic, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
