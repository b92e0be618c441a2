// The default-domain operator schemas of every opset the converter handles (operatorSchemas.json, written
// by generateSchemas.py from the onnx package): which version of an op an opset means, its attributes
// with their defaults, its inputs and outputs and the element types they allow.
import table from './operatorSchemas.json';
import { dataTypeByName, dataTypeName } from '../model/dataTypes.js';

/** The newest opset the converter targets: the newest onnxruntime-node runs. */
export const newestOpset: number = table.maxOpset;
/** The oldest default-domain opset onnxruntime has kernels for (older models fail on missing kernels). */
export const oldestRuntimeOpset = 7;

export interface AttributeSchema {
  /** AttributeProto type name: INT, FLOAT, STRING, INTS, TENSOR, GRAPH... */
  type: string;
  required: boolean;
  /** The value an absent attribute means, when the schema gives one. */
  default?: number | string | number[] | string[];
}

export interface FormalSchema {
  name: string;
  option: 'single' | 'optional' | 'variadic';
  /** A type parameter (T, T1...) or a concrete type (int64, seq(tensor(float))...). */
  type: string;
}

export interface OpSchema {
  op: string;
  since: number;
  deprecated: boolean;
  attributes: ReadonlyMap<string, AttributeSchema>;
  inputs: readonly FormalSchema[];
  outputs: readonly FormalSchema[];
  /** Minimum and maximum counts (-1: unbounded). */
  inputCount: readonly [number, number];
  outputCount: readonly [number, number];
  /** Allowed types of each type parameter. */
  typeParameters: ReadonlyMap<string, ReadonlySet<string>>;
}

interface RawVersion {
  since: number;
  deprecated?: boolean;
  attrs: Record<string, Array<string | number | number[] | string[]>>;
  inputs: string[];
  outputs: string[];
  inputCount: number[];
  outputCount: number[];
  types: Record<string, number>;
}

const rawOps = table.ops as unknown as Record<string, RawVersion[]>;
const typeSets: ReadonlyArray<ReadonlySet<string>> = table.typeSets.map((s) => new Set(s));

function formal(text: string): FormalSchema {
  const colon = text.indexOf(':');
  const head = text.slice(0, colon);
  const mark = head.at(-1);
  const option = mark === '?' ? 'optional' : mark === '*' ? 'variadic' : 'single';
  return { name: option === 'single' ? head : head.slice(0, -1), option, type: text.slice(colon + 1) };
}

function parse(op: string, raw: RawVersion): OpSchema {
  const attributes = new Map<string, AttributeSchema>();
  for (const [name, [type, value]] of Object.entries(raw.attrs)) {
    const required = value === 'required';
    attributes.set(name, { type: type as string, required, default: required ? undefined : (value as AttributeSchema['default']) });
  }
  return {
    op,
    since: raw.since,
    deprecated: raw.deprecated === true,
    attributes,
    inputs: raw.inputs.map(formal),
    outputs: raw.outputs.map(formal),
    inputCount: [raw.inputCount[0], raw.inputCount[1]],
    outputCount: [raw.outputCount[0], raw.outputCount[1]],
    typeParameters: new Map(Object.entries(raw.types).map(([param, index]) => [param, typeSets[index]])),
  };
}

// Parsed once, when the module loads (about 650 versions): read-only from then on.
const schemas: ReadonlyMap<string, readonly OpSchema[]> = new Map(Object.entries(rawOps).map(([op, raw]) => [op, raw.map((r) => parse(op, r))]));

/** Every version of an op, oldest first; undefined for ops outside the default domain's schemas. */
export function opVersions(op: string): readonly OpSchema[] | undefined {
  return schemas.get(op);
}

/** The schema an opset means for an op (the newest version at or below it), or undefined when the op does not exist there. */
export function schemaAt(op: string, opset: number): OpSchema | undefined {
  const versions = opVersions(op);
  if (!versions) return undefined;
  let found: OpSchema | undefined;
  for (const v of versions) if (v.since <= opset) found = v;
  return found;
}

/** The opset an op first appeared in. */
export function firstVersion(op: string): number | undefined {
  return opVersions(op)?.[0].since;
}

/** Whether a tensor of element type `elemType` may appear in a formal whose type is `type` (true when that cannot be told). */
export function allowsType(schema: OpSchema, type: string, elemType: number): boolean {
  const name = dataTypeName(elemType);
  const allowed = schema.typeParameters.get(type);
  if (allowed) return allowed.has(name);
  return dataTypeByName(type) ? type === name : true;
}

/** The formal parameter input `index` binds to (the last one repeats when variadic). */
export function formalOf(formals: readonly FormalSchema[], index: number): FormalSchema | undefined {
  if (index < formals.length) return formals[index];
  const last = formals.at(-1);
  return last?.option === 'variadic' ? last : undefined;
}

/** Every op name the schemas know. */
export function knownOps(): string[] {
  return [...schemas.keys()];
}
