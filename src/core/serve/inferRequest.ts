// An infer request of the Open Inference Protocol (KServe v2), JSON or with the binary tensor data
// extension, checked against the model's signature and turned into feeds.
import { floatToHalf } from '../model/floatFormats.js';
import { elementCount, type ElementArray, type TensorArray } from '../model/tensorValues.js';
import { elementBytes, onnxElementType } from './datatypes.js';
import { badRequest } from './protocolError.js';
import type { ModelSignature, TensorSignature } from './signature.js';

export interface RequestedOutput {
  name: string;
  binary: boolean;
}

export interface InferRequest {
  id?: string;
  feeds: Record<string, TensorArray>;
  /** The outputs to send back, in the order asked (all of them, in the model's order, when none were named). */
  outputs: RequestedOutput[];
}

interface WireInput {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  parameters?: { binary_data_size?: unknown };
  data?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `body` is the whole request; `headerLength` the Inference-Header-Content-Length, when the request has binary data. */
export function parseInferRequest(body: Buffer, headerLength: number | undefined, signature: ModelSignature): InferRequest {
  if (headerLength !== undefined && (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > body.length)) {
    throw badRequest(`Inference-Header-Content-Length ${headerLength} does not fit a body of ${body.length} bytes.`);
  }
  const jsonEnd = headerLength ?? body.length;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.subarray(0, jsonEnd).toString('utf8'));
  } catch (error) {
    throw badRequest(`The request is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw badRequest('The request must be a JSON object with "inputs".');
  if (!Array.isArray(parsed.inputs)) throw badRequest('The request has no "inputs" list.');
  const binary = { bytes: body.subarray(jsonEnd), offset: 0 };
  const feeds: Record<string, TensorArray> = {};
  const known = new Map(signature.inputs.map((s) => [s.name, s]));
  for (const raw of parsed.inputs as unknown[]) {
    if (!isRecord(raw)) throw badRequest('Each input must be an object with name, shape, datatype and data.');
    const input = raw as WireInput;
    if (typeof input.name !== 'string') throw badRequest('An input has no "name".');
    const spec = known.get(input.name);
    if (!spec) throw badRequest(`Unknown input '${input.name}': the model takes ${[...known.keys()].map((n) => `'${n}'`).join(', ') || 'no inputs'}.`);
    if (feeds[input.name]) throw badRequest(`Input '${input.name}' is given twice.`);
    feeds[input.name] = inputTensor(input, spec, binary);
  }
  for (const name of known.keys()) if (!feeds[name]) throw badRequest(`Input '${name}' is missing.`);
  if (binary.offset !== binary.bytes.length) {
    throw badRequest(`${binary.bytes.length - binary.offset} bytes of binary data follow the inputs that no input claims.`);
  }
  const binaryDefault = isRecord(parsed.parameters) && parsed.parameters.binary_data_output === true;
  const outputs = requestedOutputs(parsed.outputs, signature, binaryDefault);
  const id = typeof parsed.id === 'string' ? parsed.id : undefined;
  return { ...(id !== undefined ? { id } : {}), feeds, outputs };
}

function requestedOutputs(raw: unknown, signature: ModelSignature, binaryDefault: boolean): RequestedOutput[] {
  if (raw === undefined) return signature.outputs.map((o) => ({ name: o.name, binary: binaryDefault }));
  if (!Array.isArray(raw)) throw badRequest('"outputs" must be a list.');
  const known = new Set(signature.outputs.map((o) => o.name));
  return raw.map((o: unknown) => {
    if (!isRecord(o) || typeof o.name !== 'string') throw badRequest('Each requested output must be an object with a "name".');
    if (!known.has(o.name)) throw badRequest(`Unknown output '${o.name}': the model gives ${[...known].map((n) => `'${n}'`).join(', ')}.`);
    const parameters = isRecord(o.parameters) ? o.parameters : {};
    return { name: o.name, binary: typeof parameters.binary_data === 'boolean' ? parameters.binary_data : binaryDefault };
  });
}

function inputTensor(input: WireInput, spec: TensorSignature, binary: { bytes: Buffer; offset: number }): TensorArray {
  const name = spec.name;
  if (input.datatype !== spec.datatype) {
    throw badRequest(`Input '${name}' must be ${spec.datatype}, not ${typeof input.datatype === 'string' ? input.datatype : 'missing'}.`);
  }
  if (!Array.isArray(input.shape) || !input.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw badRequest(`Input '${name}' needs a "shape" of whole numbers >= 0.`);
  }
  const shape = input.shape as number[];
  if (shape.length !== spec.shape.length) {
    throw badRequest(`Input '${name}' has rank ${spec.shape.length} ([${spec.shape.join(',')}]), not ${shape.length}.`);
  }
  shape.forEach((d, axis) => {
    if (spec.shape[axis] >= 0 && spec.shape[axis] !== d) throw badRequest(`Input '${name}' axis ${axis} must be ${spec.shape[axis]}, not ${d}.`);
  });
  const count = elementCount(shape);
  const dtype = onnxElementType(spec.datatype)!;
  const size = input.parameters?.binary_data_size;
  if (size !== undefined) {
    if (!Number.isInteger(size) || (size as number) < 0) throw badRequest(`Input '${name}': binary_data_size must be a whole number.`);
    if (input.data !== undefined) throw badRequest(`Input '${name}' has both "data" and binary_data_size.`);
    const bytes = binary.bytes.subarray(binary.offset, binary.offset + (size as number));
    if (bytes.length !== size) throw badRequest(`Input '${name}' claims ${size} bytes of binary data; ${bytes.length} are left.`);
    binary.offset += size as number;
    return { dtype, dims: shape, data: fromBinary(name, spec.datatype, bytes, count) };
  }
  if (input.data === undefined) throw badRequest(`Input '${name}' has no "data".`);
  const flat = !Array.isArray(input.data) ? [input.data] : (input.data as unknown[]).some(Array.isArray) ? (input.data as unknown[]).flat(Infinity) : input.data as unknown[];
  if (flat.length !== count) throw badRequest(`Input '${name}' has ${flat.length} values; shape [${shape.join(',')}] needs ${count}.`);
  return { dtype, dims: shape, data: fromJson(name, spec.datatype, flat) };
}

function fromJson(name: string, datatype: string, values: unknown[]): ElementArray {
  const wrong = (i: number, what: string) => badRequest(`Input '${name}' value ${i} (${JSON.stringify(values[i])}) is not ${what}.`);
  // One pass straight into the typed array: requests carry up to millions of values.
  const floats = (out: Float32Array | Float64Array | Uint16Array, convert?: (v: number) => number) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') throw wrong(i, 'a number');
      out[i] = convert ? convert(v) : v;
    }
    return out;
  };
  switch (datatype) {
    case 'FP32': return floats(new Float32Array(values.length));
    case 'FP64': return floats(new Float64Array(values.length));
    case 'FP16': return floats(new Uint16Array(values.length), floatToHalf);
    case 'BOOL': return Uint8Array.from(values, (v, i) => {
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v === 0 || v === 1) return v;
      throw wrong(i, 'a boolean');
    });
    case 'BYTES': return values.map((v, i) => {
      if (typeof v !== 'string') throw wrong(i, 'a string');
      return v;
    });
    case 'INT64': case 'UINT64': {
      const unsigned = datatype === 'UINT64';
      const out = unsigned ? new BigUint64Array(values.length) : new BigInt64Array(values.length);
      const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        // Strings carry 64-bit values JSON numbers cannot hold exactly.
        if (!(typeof v === 'number' && Number.isInteger(v)) && !(typeof v === 'string' && /^-?\d+$/.test(v))) throw wrong(i, 'an integer');
        const b = BigInt(v);
        if (b < min || b > max) throw wrong(i, `in the ${datatype} range`);
        out[i] = b;
      }
      return out;
    }
    default: {
      const [Ctor, min, max] = integerArrays[datatype];
      const out = new Ctor(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw wrong(i, `an integer in the ${datatype} range`);
        out[i] = v;
      }
      return out;
    }
  }
}

type IntegerCtor = typeof Int8Array | typeof Uint8Array | typeof Int16Array | typeof Uint16Array | typeof Int32Array | typeof Uint32Array;
const integerArrays: Record<string, [IntegerCtor, number, number]> = {
  INT8: [Int8Array, -128, 127], UINT8: [Uint8Array, 0, 255], INT16: [Int16Array, -32768, 32767], UINT16: [Uint16Array, 0, 65535],
  INT32: [Int32Array, -(2 ** 31), 2 ** 31 - 1], UINT32: [Uint32Array, 0, 2 ** 32 - 1],
};

const typedArrays: Record<string, new (buffer: ArrayBuffer, byteOffset?: number, length?: number) => Exclude<ElementArray, string[]>> = {
  FP32: Float32Array, FP64: Float64Array, FP16: Uint16Array, BOOL: Uint8Array, INT8: Int8Array, UINT8: Uint8Array,
  INT16: Int16Array, UINT16: Uint16Array, INT32: Int32Array, UINT32: Uint32Array, INT64: BigInt64Array, UINT64: BigUint64Array,
};

/** Little-endian raw elements (BYTES: each a 4-byte length and its bytes), as the extension defines them. */
export function fromBinary(name: string, datatype: string, bytes: Buffer, count: number): ElementArray {
  if (datatype === 'BYTES') {
    const out: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 4 > bytes.length) throw badRequest(`Input '${name}': a BYTES element's length is cut off.`);
      const length = bytes.readUInt32LE(at);
      if (at + 4 + length > bytes.length) throw badRequest(`Input '${name}': a BYTES element runs past its binary data.`);
      out.push(bytes.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    if (out.length !== count) throw badRequest(`Input '${name}' has ${out.length} values; its shape needs ${count}.`);
    return out;
  }
  const expected = count * elementBytes(datatype);
  if (bytes.length !== expected) throw badRequest(`Input '${name}' has ${bytes.length} bytes of binary data; ${count} ${datatype} values take ${expected}.`);
  const Ctor = typedArrays[datatype];
  const size = elementBytes(datatype);
  // A view of the body where its alignment allows one; copied out where it does not.
  const array = bytes.byteOffset % size === 0
    ? new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, count) as Exclude<ElementArray, string[]>
    : new Ctor(new Uint8Array(bytes).buffer);
  if (datatype === 'BOOL') for (let i = 0; i < array.length; i++) (array as Uint8Array)[i] = array[i] ? 1 : 0;
  return array;
}

