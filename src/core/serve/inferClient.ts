// The client side of the Open Inference Protocol: an infer request sent over real HTTP (JSON, or the
// binary tensor data extension) and its answer read back into tensors, with the status and the time.
import { performance } from 'node:perf_hooks';
import { oneLine } from '../errors.js';
import { elementCount, fromFloat64, type TensorArray } from '../model/tensorValues.js';
import { onnxElementType } from './datatypes.js';
import { jsonRequestBody, type RequestTensor } from './exampleRequest.js';
import { fromBinary } from './inferRequest.js';
import { binaryBytes } from './inferResponse.js';

export interface EncodedRequest {
  body: Buffer;
  headers: Record<string, string>;
}

/** JSON data, or every tensor (and output) as binary data after the JSON header. */
export function encodeInferRequest(tensors: readonly RequestTensor[], binary: boolean): EncodedRequest {
  if (!binary) return { body: Buffer.from(JSON.stringify(jsonRequestBody(tensors))), headers: { 'Content-Type': 'application/json' } };
  const chunks = tensors.map((t) => binaryBytes(t.array));
  const inputs = tensors.map((t, i) => ({ name: t.name, shape: t.array.dims, datatype: t.datatype, parameters: { binary_data_size: chunks[i].length } }));
  const header = Buffer.from(JSON.stringify({ inputs, parameters: { binary_data_output: true } }));
  return {
    body: Buffer.concat([header, ...chunks]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  };
}

export interface InferAnswer {
  status: number;
  statusText: string;
  /** From sending the request to the last byte of the answer. */
  ms: number;
  requestBytes: number;
  responseBytes: number;
  /** The outputs, for a 200. */
  outputs?: Array<{ name: string; datatype: string; array: TensorArray }>;
  /** The protocol's error text, or why the answer could not be read. */
  error?: string;
}

interface WireOutput {
  name?: unknown;
  datatype?: unknown;
  shape?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: unknown };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fromJsonData(datatype: string, dtype: number, values: unknown[]): TensorArray['data'] {
  switch (datatype) {
    case 'BYTES': return values.map(String);
    case 'INT64': return BigInt64Array.from(values, (v) => BigInt(v as number | string));
    case 'UINT64': return BigUint64Array.from(values, (v) => BigInt(v as number | string));
    // NaN and infinities travel as null.
    default: return fromFloat64(dtype, values.map((v) => (typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : NaN)));
  }
}

/** The outputs of an infer response; throws with one line when the answer is not one. */
export function decodeInferResponse(body: Buffer, headerLength: number | undefined): Array<{ name: string; datatype: string; array: TensorArray }> {
  const json = JSON.parse(body.subarray(0, headerLength ?? body.length).toString('utf8')) as unknown;
  if (!isRecord(json) || !Array.isArray(json.outputs)) throw new Error('The answer has no "outputs" list.');
  let offset = headerLength ?? body.length;
  return (json.outputs as WireOutput[]).map((o) => {
    const name = String(o.name);
    const datatype = String(o.datatype);
    const dtype = onnxElementType(datatype);
    if (dtype === undefined) throw new Error(`Output '${name}' has the unknown datatype ${datatype}.`);
    if (!Array.isArray(o.shape)) throw new Error(`Output '${name}' has no shape.`);
    const dims = o.shape as number[];
    const size = o.parameters?.binary_data_size;
    if (typeof size === 'number') {
      const bytes = body.subarray(offset, offset + size);
      offset += size;
      return { name, datatype, array: { dtype, dims, data: fromBinary(name, datatype, bytes, elementCount(dims)) } };
    }
    if (!Array.isArray(o.data)) throw new Error(`Output '${name}' has no data.`);
    const flat = (o.data as unknown[]).flat(Infinity);
    return { name, datatype, array: { dtype, dims, data: fromJsonData(datatype, dtype, flat) } };
  });
}

/** Sends one infer request and reads the answer; network failures are answers too (status 0). */
export async function sendInferRequest(inferUrl: string, tensors: readonly RequestTensor[], options: { binary?: boolean; signal?: AbortSignal } = {}): Promise<InferAnswer> {
  const request = encodeInferRequest(tensors, options.binary === true);
  const started = performance.now();
  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(inferUrl, { method: 'POST', headers: request.headers, body: new Uint8Array(request.body), signal: options.signal });
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return { status: 0, statusText: 'no answer', ms: performance.now() - started, requestBytes: request.body.length, responseBytes: 0, error: oneLine(cause ?? error) };
  }
  const ms = performance.now() - started;
  const base = { status: response.status, statusText: response.statusText, ms, requestBytes: request.body.length, responseBytes: body.length };
  const header = response.headers.get('inference-header-content-length');
  try {
    if (response.status !== 200) {
      const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
      return { ...base, error: typeof parsed.error === 'string' ? parsed.error : body.toString('utf8').slice(0, 500) };
    }
    return { ...base, outputs: decodeInferResponse(body, header === null ? undefined : Number(header)) };
  } catch (error) {
    return { ...base, error: `The answer cannot be read: ${oneLine(error)}` };
  }
}
