// The converter's view of the operator schema table in src/core/ops (every opset the converter handles,
// default domain): which version of an op an opset means, its attributes with their defaults, its inputs
// and outputs and the element types they allow, with element types by their short names ('float').
import { dataTypeByName, dataTypeName } from '../model/dataTypes.js';
import { opSchemaTable } from '../ops/opSchemaTable.js';
import { toSchema, type AttributeSchema, type FormalParameter, type OpSchema as TableSchema } from '../ops/opSchemas.js';

export type { AttributeSchema } from '../ops/opSchemas.js';

/** The newest opset the converter targets: the newest onnxruntime-node runs. */
export const newestOpset = 26;
/** The oldest default-domain opset onnxruntime has kernels for (older models fail on missing kernels). */
export const oldestRuntimeOpset = 7;

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

/** 'float' for 'tensor(float)'; other type strings (seq(tensor(float)), T...) as they are. */
function shortType(type: string): string {
  return type.startsWith('tensor(') && type.indexOf('(', 7) < 0 ? type.slice(7, -1) : type;
}

/** ONNX writes an unbounded count as 2^31-1; the converter as -1. */
function count(n: number): number {
  return n >= 2147483647 ? -1 : n;
}

function formal(p: FormalParameter): FormalSchema {
  return { name: p.name, option: p.option, type: shortType(p.typeStr) };
}

function adapt(s: TableSchema): OpSchema {
  return {
    op: s.name,
    since: s.sinceVersion,
    deprecated: s.deprecated,
    attributes: s.attributes,
    inputs: s.inputs.map(formal),
    outputs: s.outputs.map(formal),
    inputCount: [s.minInput, count(s.maxInput)],
    outputCount: [s.minOutput, count(s.maxOutput)],
    typeParameters: new Map([...s.typeConstraints].map(([param, types]) => [param, new Set(types.map(shortType))])),
  };
}

// Parsed once, when the module loads (the default domain's versions up to newestOpset): read-only from then on.
const schemas: ReadonlyMap<string, readonly OpSchema[]> = new Map(
  Object.entries(opSchemaTable.domains[''])
    .map(([op, entries]) => [op, entries.filter((e) => e.v <= newestOpset).map((e) => adapt(toSchema('', op, e)))] as const)
    .filter(([, versions]) => versions.length > 0),
);

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
