// The infer response: outputs as JSON values, or as binary data after the JSON header.
import { halfToFloat } from '../model/floatFormats.js';
import { DataType } from '../model/proto.js';
import type { TensorArray } from '../model/tensorValues.js';
import { protocolDatatype } from './datatypes.js';
import type { RequestedOutput } from './inferRequest.js';

export interface EncodedResponse {
  body: Buffer;
  /** Set when binary data follows the JSON: the JSON's length, for Inference-Header-Content-Length. */
  headerLength?: number;
}

/** A tensor's elements as JSON values (requests are written the same way). */
export function jsonValues(array: TensorArray): unknown[] {
  const data = array.data;
  if (Array.isArray(data)) return data;
  if (array.dtype === DataType.FLOAT16) return Array.from(data as Uint16Array, halfToFloat);
  if (array.dtype === DataType.BOOL) return Array.from(data as Uint8Array, (v) => v !== 0);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    // Exact where a JSON number can be; a string beyond 2^53, as the request side accepts.
    return Array.from(data, (v: bigint) => (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()));
  }
  // NaN and infinities have no JSON form: they travel as null (use the binary extension for them).
  return Array.from(data as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
}

/** A tensor's elements in the binary tensor data extension's layout. */
export function binaryBytes(array: TensorArray): Buffer {
  const data = array.data;
  if (Array.isArray(data)) {
    return Buffer.concat(data.map((s) => {
      const text = Buffer.from(s, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(text.length);
      return Buffer.concat([length, text]);
    }));
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function encodeInferResponse(
  model: { name: string; version: string }, id: string | undefined, outputs: Record<string, TensorArray>, requested: RequestedOutput[],
): EncodedResponse {
  const chunks: Buffer[] = [];
  const entries = requested.map(({ name, binary }) => {
    const array = outputs[name];
    const base = { name, datatype: protocolDatatype(array.dtype) ?? 'BYTES', shape: array.dims };
    if (!binary) return { ...base, data: jsonValues(array) };
    const bytes = binaryBytes(array);
    chunks.push(bytes);
    return { ...base, parameters: { binary_data_size: bytes.length } };
  });
  const json = Buffer.from(JSON.stringify({ model_name: model.name, model_version: model.version, ...(id !== undefined ? { id } : {}), outputs: entries }));
  if (chunks.length === 0) return { body: json };
  return { body: Buffer.concat([json, ...chunks]), headerLength: json.length };
}
