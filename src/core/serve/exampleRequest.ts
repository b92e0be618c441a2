// The example request of a served model: the inputs the input specification resolves to (inputResolve.ts),
// so that a free dim takes the size the model implies (a reflect Pad's minimum, a MatMul's inner size)
// and an integer scalar the value it is compared with, instead of 1s and zeros. The test request, the Try
// panel's generated inputs and the snippets' sizes and values all come from here.
import type { ModelProto } from '../model/proto.js';
import { elementCount, fromFloat64, toFloat64, type TensorArray } from '../model/tensorValues.js';
import type { Assumption, FedInput } from '../runtime/inputReport.js';
import { resolveInputs } from '../runtime/inputResolve.js';
import type { InputSpec } from '../runtime/inputSpec.js';
import { jsonValues } from './inferResponse.js';
import type { ModelSignature } from './signature.js';

export interface RequestTensor {
  name: string;
  datatype: string;
  array: TensorArray;
}

export interface ExampleRequest {
  /** One tensor per input of the signature, in its order. */
  tensors: RequestTensor[];
  /** Sizes of the free dims, by the model's name for each (a symbol, or `input[axis]` for an unnamed one). */
  dims: Record<string, number>;
  /** What each input was fed (file, inline value, generated) and which sizes or values were assumed. */
  fed: FedInput[];
  assumptions: Assumption[];
  /** `generated (normal, seed 0)`, `test_data_set_0 from DIR`. */
  summary: string;
}

/** Significant digits of generated floats: short JSON, and the same values whether sent as JSON or binary. */
const digits = 6;

const floats = new Set(['FP16', 'FP32', 'FP64']);

function rounded(array: TensorArray): TensorArray {
  const values = toFloat64(array);
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) values[i] = Number(values[i].toPrecision(digits));
  return { ...array, data: fromFloat64(array.dtype, values) };
}

/**
 * The request for `signature` (served from `model`) that `spec` resolves to: given files and values, then
 * sizes and values the model implies. Throws the resolver's one-line error for a spec that does not fit.
 */
export function exampleRequest(signature: ModelSignature, model: ModelProto, spec: InputSpec = {}): ExampleRequest {
  const resolved = resolveInputs(model, spec);
  const set = resolved.dataSets[0];
  const dims: Record<string, number> = {};
  const tensors = signature.inputs.map((input) => {
    const given = set.inputs[input.name];
    input.dims.forEach((dim, axis) => {
      if (typeof dim !== 'number') dims[dim ?? `${input.name}[${axis}]`] ??= given.dims[axis];
    });
    const generated = set.fed?.find((f) => f.name === input.name)?.source === 'generated';
    return { name: input.name, datatype: input.datatype, array: generated && floats.has(input.datatype) ? rounded(given) : given };
  });
  const names = new Set(signature.inputs.map((i) => i.name));
  return { tensors, dims, fed: (set.fed ?? []).filter((f) => names.has(f.name)), assumptions: resolved.assumptions, summary: resolved.summary };
}

/** The shortest decimal that reads back as the same float32 (0.123457, not 0.12345699965953827). */
function shortFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 1; p < 9; p++) {
    const short = Number(v.toPrecision(p));
    if (Math.fround(short) === v) return short;
  }
  return v;
}

/** The JSON body of an infer request carrying `tensors` as JSON data. */
export function jsonRequestBody(tensors: readonly RequestTensor[]): { inputs: Array<{ name: string; shape: number[]; datatype: string; data: unknown[] }> } {
  return {
    inputs: tensors.map((t) => {
      const data = jsonValues(t.array);
      return { name: t.name, shape: t.array.dims, datatype: t.datatype, data: t.datatype === 'FP32' ? data.map((v) => (typeof v === 'number' ? shortFloat32(v) : v)) : data };
    }),
  };
}

/** The values an input's example carries when they were chosen rather than drawn: given inline, or an assumed scalar. */
export function chosenValues(example: ExampleRequest, name: string, limit = 64): unknown[] | undefined {
  const fed = example.fed.find((f) => f.name === name);
  const tensor = example.tensors.find((t) => t.name === name);
  if (!fed || !tensor || elementCount(tensor.array.dims) > limit) return undefined;
  return fed.source === 'value' || fed.assumedValue ? jsonValues(tensor.array) : undefined;
}
