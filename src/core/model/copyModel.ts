// A deep copy of a model in memory that shares its byte buffers (tensor raw_data, string data, bytes
// attributes) with the source instead of copying them. Copying through the wire format (encode, then
// decode) copies every weight twice and costs more than folding a small model; the transforms that use
// this copy replace tensors and never write into a tensor's bytes in place (tensorToArray reads copy).
import { Long, type ModelProto } from './proto.js';

function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Bytes are shared; Longs are immutable.
  if (value instanceof Uint8Array || Long.isLong(value)) return value;
  if (Array.isArray(value)) {
    // Repeated scalars (float_data, dims as numbers, names) copy in one go.
    if (value.length === 0 || typeof value[0] !== 'object' || value[0] === null) return value.slice();
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i]);
    return out;
  }
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  // A message (or a plain object standing for one): same prototype, so defaults and oneof getters stay.
  const source = value as Record<string, unknown>;
  const out = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const key of Object.keys(source)) out[key] = copyValue(source[key]);
  return out;
}

/** Deep copy of every message and array of `model`; byte buffers are shared with it (see above). */
export function copyModel(model: ModelProto): ModelProto {
  return copyValue(model) as ModelProto;
}
