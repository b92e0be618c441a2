// One request of the Try panel: each input from the example (the input specification's values), from
// inline JSON, or from a .npy file; sent over real HTTP and summarized (status, timing, outputs' shapes,
// types, first values and statistics). The request carries what the user gave as it is: the server, not
// this side, says when a shape or type is wrong, as it would to their app.
import { readFileSync } from 'node:fs';
import { UserError, oneLine } from '../errors.js';
import { dataTypeName } from '../model/dataTypes.js';
import type { TensorArray } from '../model/tensorValues.js';
import { inlineTensor } from '../runtime/inputResolve.js';
import { parseNpy } from '../runtime/npy.js';
import { describeOutput, type OutputReport } from '../runtime/testRun.js';
import { protocolDatatype } from './datatypes.js';
import { jsonRequestBody, type RequestTensor } from './exampleRequest.js';
import { sendInferRequest } from './inferClient.js';
import type { ModelSignature } from './signature.js';

export type InputChoice =
  | { kind: 'example' }
  /** A JSON value: a scalar or nested lists, shaped by its nesting. */
  | { kind: 'json'; text: string }
  | { kind: 'file'; path: string };

export interface TryAnswer {
  status: number;
  statusText: string;
  ms: number;
  requestBytes: number;
  responseBytes: number;
  binary: boolean;
  /** What was sent, per input: `input FP32[1,512] (example)`. */
  sent: string[];
  error?: string;
  outputs?: Array<OutputReport & { datatype: string }>;
}

function fromJson(input: ModelSignature['inputs'][number], text: string): TensorArray {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`Input '${input.name}': the values are not JSON (${oneLine(error)}).`);
  }
  const leafOk = (v: unknown): boolean => (Array.isArray(v) ? v.every(leafOk) : ['number', 'string', 'boolean'].includes(typeof v));
  if (!leafOk(value)) throw new UserError(`Input '${input.name}': the values are a number, a string, a boolean or nested lists of them.`);
  try {
    return inlineTensor({ name: input.name, dtype: input.elemType, declared: input.dims }, value as Parameters<typeof inlineTensor>[1]);
  } catch (error) {
    // The resolver names the CLI option; here the values come from the panel's field.
    throw new UserError(oneLine(error).replace(`--value ${input.name}`, `Input '${input.name}'`));
  }
}

function fromFile(name: string, path: string): TensorArray {
  if (!/\.npy$/i.test(path)) throw new UserError(`Input '${name}': ${path} is not a .npy file.`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`Input '${name}': cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? oneLine(error)}).`);
  }
  return parseNpy(bytes, path);
}

/** The tensors to send; one-line errors for values that cannot be read at all (JSON syntax, a missing file). */
export function requestTensors(signature: ModelSignature, example: readonly RequestTensor[], choices: Record<string, InputChoice>): RequestTensor[] {
  return signature.inputs.map((input) => {
    const choice = choices[input.name] ?? { kind: 'example' };
    if (choice.kind === 'example') {
      const tensor = example.find((t) => t.name === input.name);
      if (!tensor) throw new UserError(`Input '${input.name}' has no example values: give them as JSON or a .npy file.`);
      return tensor;
    }
    const array = choice.kind === 'json' ? fromJson(input, choice.text) : fromFile(input.name, choice.path);
    const datatype = protocolDatatype(array.dtype);
    if (!datatype) throw new UserError(`Input '${input.name}': ${dataTypeName(array.dtype)} has no datatype in the inference protocol.`);
    return { name: input.name, datatype, array };
  });
}

/** The example's values as nested JSON lists, for the panel to start editing from; undefined when too large to edit. */
export function nestedJson(tensor: RequestTensor, limit = 4096): string | undefined {
  const { dims } = tensor.array;
  const flat = jsonRequestBody([tensor]).inputs[0].data;
  if (flat.length > limit) return undefined;
  let at = 0;
  const build = (axis: number): unknown => (axis === dims.length ? flat[at++] : Array.from({ length: dims[axis] }, () => build(axis + 1)));
  return JSON.stringify(build(0));
}

/** Sends the request and summarizes the answer for the panel. */
export async function tryRequest(inferUrl: string, tensors: readonly RequestTensor[], choices: Record<string, InputChoice>, binary: boolean): Promise<TryAnswer> {
  const answer = await sendInferRequest(inferUrl, tensors, { binary });
  const sent = tensors.map((t) => `${t.name} ${t.datatype}[${t.array.dims.join(',')}] (${choices[t.name]?.kind === 'json' ? 'JSON' : choices[t.name]?.kind === 'file' ? '.npy file' : 'example'})`);
  return {
    status: answer.status, statusText: answer.statusText, ms: answer.ms, requestBytes: answer.requestBytes, responseBytes: answer.responseBytes,
    binary, sent, ...(answer.error !== undefined ? { error: answer.error } : {}),
    ...(answer.outputs ? { outputs: answer.outputs.map((o) => ({ ...describeOutput(o.name, o.array), datatype: o.datatype })) } : {}),
  };
}
