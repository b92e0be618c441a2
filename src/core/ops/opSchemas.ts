// Lookup in the ONNX operator schema table: which signature an op has at a given opset version of its
// domain, as onnx's schema registry resolves it (the newest version at or below the opset).
import { opSchemaTable } from './opSchemaTable.js';
import type { AttributeDefault, OpSchemaEntry } from './opSchemaTypes.js';

export type { AttributeDefault } from './opSchemaTypes.js';

export type ParameterOption = 'single' | 'optional' | 'variadic';

export interface FormalParameter {
  name: string;
  /** A type parameter ('T') or a literal type ('tensor(int64)'). */
  typeStr: string;
  option: ParameterOption;
  /** Variadic parameters: false when each element may have its own type (Loop's V). */
  homogeneous: boolean;
}

export interface AttributeSchema {
  /** ONNX attribute type name: INT, FLOAT, STRING, INTS, TENSOR, GRAPH... */
  type: string;
  required: boolean;
  /** The value an absent attribute means, when the schema gives one. */
  default?: AttributeDefault;
}

export interface OpSchema {
  domain: string;
  name: string;
  sinceVersion: number;
  deprecated: boolean;
  minInput: number;
  maxInput: number;
  minOutput: number;
  maxOutput: number;
  inputs: FormalParameter[];
  outputs: FormalParameter[];
  attributes: ReadonlyMap<string, AttributeSchema>;
  /** Type parameter to its allowed type strings. */
  typeConstraints: ReadonlyMap<string, readonly string[]>;
}

/** The ONNX domains the table covers, under the names a model may use for them. */
export function canonicalDomain(domain: string | null | undefined): string {
  return !domain || domain === 'ai.onnx' ? '' : domain;
}

export function isOnnxDomain(domain: string | null | undefined): boolean {
  return Object.prototype.hasOwnProperty.call(opSchemaTable.domains, canonicalDomain(domain));
}

/** Display name of a domain: ai.onnx for the default one. */
export function domainName(domain: string | null | undefined): string {
  return canonicalDomain(domain) || 'ai.onnx';
}

const lastRelease = opSchemaTable.releases[opSchemaTable.releases.length - 1];

/** The newest opset version of an ONNX domain the table knows, undefined for other domains. */
export function latestOpset(domain: string | null | undefined): number | undefined {
  const d = canonicalDomain(domain);
  if (d === '') return lastRelease.opset;
  if (d === 'ai.onnx.ml') return lastRelease.ml;
  if (d === 'ai.onnx.preview.training') return lastRelease.training;
  const ops = opSchemaTable.domains[d];
  if (!ops) return undefined;
  return Math.max(...Object.values(ops).flatMap((versions) => versions.map((e) => e.v)));
}

/** The newest IR version the table's onnx release knows. */
export const latestIrVersion = opSchemaTable.irVersion;

function parameter(text: string): FormalParameter {
  const colon = text.indexOf(':');
  const last = text[text.length - 1];
  const option: ParameterOption = last === '?' ? 'optional' : last === '*' || last === '+' ? 'variadic' : 'single';
  const typeStr = text.slice(colon + 1, option === 'single' ? undefined : -1);
  return { name: text.slice(0, colon), typeStr, option, homogeneous: last !== '+' };
}

function attribute(spec: string | [string, AttributeDefault]): AttributeSchema {
  if (typeof spec !== 'string') return { type: spec[0], required: false, default: spec[1] };
  const required = spec.endsWith('!');
  return { type: required ? spec.slice(0, -1) : spec, required };
}

/** One version of an op from the table, parsed. */
export function toSchema(domain: string, name: string, e: OpSchemaEntry): OpSchema {
  return {
    domain,
    name,
    sinceVersion: e.v,
    deprecated: e.deprecated === true,
    minInput: e.in[0],
    maxInput: e.in[1],
    minOutput: e.out[0],
    maxOutput: e.out[1],
    inputs: e.i.map(parameter),
    outputs: e.o.map(parameter),
    attributes: new Map(Object.entries(e.a ?? {}).map(([k, v]) => [k, attribute(v)])),
    typeConstraints: new Map(Object.entries(e.t ?? {}).map(([k, i]) => [k, opSchemaTable.typeSets[i]])),
  };
}

/** Every version of an op, oldest first; empty when the domain or op is unknown. */
export function opSchemaVersions(domain: string | null | undefined, op: string): OpSchemaEntry[] {
  const d = canonicalDomain(domain);
  const ops = opSchemaTable.domains[d];
  return ops && Object.prototype.hasOwnProperty.call(ops, op) ? ops[op] : [];
}

/** The op's signature at `opset` of its domain: the newest version not newer than the opset. */
export function opSchema(domain: string | null | undefined, op: string, opset: number): OpSchema | undefined {
  const versions = opSchemaVersions(domain, op);
  let found: OpSchemaEntry | undefined;
  for (const e of versions) if (e.v <= opset) found = e;
  return found ? toSchema(canonicalDomain(domain), op, found) : undefined;
}
