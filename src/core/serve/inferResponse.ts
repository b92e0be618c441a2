// The infer response: outputs as JSON values, or as binary data after the JSON header.
import { halfToFloat } from '../model/floatFormats.js';
import { DataType } from '../model/proto.js';
import type { TensorArray } from '../model/tensorValues.js';
import { protocolDatatype } from './datatypes.js';
import { float32ArrayJson } from './float32Text.js';
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
  // The JSON is written as text around each output's values: float32 values go straight into bytes
  // (float32Text.ts), the rest through JSON.stringify.
  const pieces: Buffer[] = [];
  const chunks: Buffer[] = [];
  let text = `{"model_name":${JSON.stringify(model.name)},"model_version":${JSON.stringify(model.version)}${id !== undefined ? `,"id":${JSON.stringify(id)}` : ''},"outputs":[`;
  requested.forEach(({ name, binary }, i) => {
    const array = outputs[name];
    text += `${i > 0 ? ',' : ''}{"name":${JSON.stringify(name)},"datatype":${JSON.stringify(protocolDatatype(array.dtype) ?? 'BYTES')},"shape":${JSON.stringify(array.dims)},`;
    if (binary) {
      const bytes = binaryBytes(array);
      chunks.push(bytes);
      text += `"parameters":{"binary_data_size":${bytes.length}}}`;
    } else if (array.data instanceof Float32Array) {
      pieces.push(Buffer.from(`${text}"data":`), float32ArrayJson(array.data));
      text = '}';
    } else {
      text += `"data":${JSON.stringify(jsonValues(array))}}`;
    }
  });
  pieces.push(Buffer.from(`${text}]}`));
  const json = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  if (chunks.length === 0) return { body: json };
  return { body: Buffer.concat([json, ...chunks]), headerLength: json.length };
}
