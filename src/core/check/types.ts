// Types against the op schemas: each input's type must be one its schema allows, inputs that share a
// type parameter must agree, and what an op produces must match what the graph declares. Types flow
// from graph inputs, initializers and Constants through ops whose output type follows from their
// inputs; where it does not (If, Loop, custom ops), the declared type is taken and nothing is claimed.
import { allDataTypes, dataTypeInfo } from '../model/dataTypes.js';
import { int64ToNumber, type NodeProto, type TensorProto, type TypeProto } from '../model/proto.js';
import { opSchemaVersions, type FormalParameter, type OpSchema } from '../ops/opSchemas.js';
import { opSchemaTable } from '../ops/opSchemaTable.js';
import { has, type CheckContext, type Scope, typeOf } from './context.js';
import type { ProblemLocation } from './problem.js';

const knownTypes = new Set(allDataTypes.filter((t) => t.id !== 0).map((t) => t.id));

/** Whether an element type id is one ONNX defines (UNDEFINED is not). */
export function isKnownDataType(id: number): boolean {
  return knownTypes.has(id);
}

function elemName(id: number | null | undefined): string | undefined {
  return id && knownTypes.has(id) ? dataTypeInfo(id).name : undefined;
}

/** ONNX's type string for a complete type ('tensor(float)', 'seq(tensor(int64))'), undefined when partial. */
export function typeString(type: TypeProto | null | undefined): string | undefined {
  if (!type) return undefined;
  if (type.tensorType) {
    const e = elemName(type.tensorType.elemType);
    return e && `tensor(${e})`;
  }
  if (type.sequenceType) {
    const inner = typeString(type.sequenceType.elemType);
    return inner && `seq(${inner})`;
  }
  if (type.optionalType) {
    const inner = typeString(type.optionalType.elemType);
    return inner && `optional(${inner})`;
  }
  if (type.mapType) {
    const key = elemName(type.mapType.keyType);
    const value = typeString(type.mapType.valueType);
    return key && value && `map(${key},${value})`;
  }
  if (type.sparseTensorType) {
    const e = elemName(type.sparseTensorType.elemType);
    return e && `sparse_tensor(${e})`;
  }
  return undefined;
}

export function tensorTypeString(tensor: TensorProto): string | undefined {
  const e = elemName(tensor.dataType);
  return e && `tensor(${e})`;
}

/** Schema type strings in the form typeString writes: no spaces, map values as tensors ('map(int64, float)'). */
function normalize(schemaType: string): string {
  return schemaType.replace(/\s+/g, '').replace(/map\((\w+),(\w+)\)/g, 'map($1,tensor($2))');
}

function allowedTypes(ctx: CheckContext, schema: OpSchema, param: FormalParameter): ReadonlySet<string> | undefined {
  return ctx.memo(schema, param.typeStr, () => {
    if (param.typeStr.includes('(')) return new Set([normalize(param.typeStr)]);
    const allowed = schema.typeConstraints.get(param.typeStr);
    return allowed ? new Set(allowed.map(normalize)) : undefined;
  });
}

function short(type: string): string {
  return type.startsWith('tensor(') ? type.slice(7, -1) : type;
}

function list(types: ReadonlySet<string>): string {
  const all = [...types].map(short);
  return all.length > 8 ? `${all.slice(0, 8).join(', ')} ... (${all.length} types)` : all.join(', ');
}

/** The first later opset version of the op whose same parameter takes `type`, if any. */
function laterVersionTaking(schema: OpSchema, slot: number, output: boolean, type: string): number | undefined {
  for (const e of opSchemaVersions(schema.domain, schema.name)) {
    if (e.v <= schema.sinceVersion) continue;
    const formal = (output ? e.o : e.i)[slot];
    const typeStr = formal?.slice(formal.indexOf(':') + 1).replace(/[?*+]$/, '');
    if (!typeStr) continue;
    const allowed = typeStr.includes('(') ? [typeStr] : e.t?.[typeStr] !== undefined ? opSchemaTable.typeSets[e.t[typeStr]] : [];
    if (allowed.some((t) => normalize(t) === type)) return e.v;
  }
  return undefined;
}

function reportNotAllowed(ctx: CheckContext, where: ProblemLocation, message: string, later: number | undefined): void {
  if (later === undefined) ctx.report('error', 'type-constraint', where, message);
  else ctx.report('error', 'type-constraint', where, `${message}; opset ${later} allows it`, 'convert-opset');
}

/** The type a Constant or Cast produces, read from its attributes. */
function attributeOutputType(node: NodeProto): string | undefined {
  const attrs = node.attribute ?? [];
  if (node.opType === 'Cast') {
    const to = attrs.find((a) => a.name === 'to');
    const e = to && has(to, 'i') ? elemName(int64ToNumber(to.i)) : undefined;
    return e && `tensor(${e})`;
  }
  if (node.opType !== 'Constant' || attrs.length !== 1) return undefined;
  const a = attrs[0];
  switch (a.name) {
    case 'value': return a.t ? tensorTypeString(a.t) : undefined;
    case 'sparse_value': return a.sparseTensor?.values ? tensorTypeString(a.sparseTensor.values) : undefined;
    case 'value_float': case 'value_floats': return 'tensor(float)';
    case 'value_int': case 'value_ints': return 'tensor(int64)';
    case 'value_string': case 'value_strings': return 'tensor(string)';
    default: return undefined;
  }
}

/**
 * Checks the node's known input types against its schema and records the types of its outputs in the
 * scope. `schema` undefined (custom op, local function): outputs take their declared types.
 */
export function checkNodeTypes(ctx: CheckContext, scope: Scope, node: NodeProto, where: ProblemLocation, schema: OpSchema | undefined): void {
  const outputs = node.output ?? [];
  if (!schema) {
    for (const name of outputs) {
      const declared = scope.declared.get(name);
      if (name && declared) scope.types.set(name, declared);
    }
    return;
  }
  const bound = new Map<string, { type: string; input: string }>();
  const inputs = node.input ?? [];
  for (let k = 0; k < inputs.length; k++) {
    const name = inputs[k];
    const param = schema.inputs[k] ?? (schema.inputs.at(-1)?.option === 'variadic' ? schema.inputs.at(-1) : undefined);
    if (!name || !param) continue;
    const type = typeOf(scope, name);
    if (!type) continue;
    const allowed = allowedTypes(ctx, schema, param);
    if (allowed && !allowed.has(type)) {
      reportNotAllowed(ctx, { ...where, value: name }, `input ${param.name} '${name}' is ${short(type)}, which ${node.opType}-${schema.sinceVersion} does not take (${param.typeStr}: ${list(allowed)})`,
        laterVersionTaking(schema, Math.min(k, schema.inputs.length - 1), false, type));
      continue;
    }
    if (!param.homogeneous || param.typeStr.includes('(')) continue;
    const other = bound.get(param.typeStr);
    if (other && other.type !== type) {
      ctx.report('error', 'type-constraint', { ...where, value: name },
        `input ${param.name} '${name}' is ${short(type)} but '${other.input}' is ${short(other.type)}; ${node.opType} needs one type for both (${param.typeStr})`);
    } else if (!other) bound.set(param.typeStr, { type, input: name });
  }
  const special = attributeOutputType(node);
  for (let k = 0; k < outputs.length; k++) {
    const name = outputs[k];
    const param = schema.outputs[k] ?? (schema.outputs.at(-1)?.option === 'variadic' ? schema.outputs.at(-1) : undefined);
    if (!name || !param) continue;
    let produced: string | undefined;
    if (k === 0 && special) {
      produced = special;
      const allowed = allowedTypes(ctx, schema, param);
      if (allowed && !allowed.has(produced)) {
        reportNotAllowed(ctx, { ...where, value: name }, `${node.opType}-${schema.sinceVersion} cannot produce ${short(produced)} (${param.typeStr}: ${list(allowed)})`,
          laterVersionTaking(schema, 0, true, produced));
      }
    } else if (param.typeStr.includes('(')) produced = normalize(param.typeStr);
    else if (param.homogeneous && bound.has(param.typeStr)) produced = bound.get(param.typeStr)!.type;
    else {
      const allowed = schema.typeConstraints.get(param.typeStr);
      if (allowed?.length === 1) produced = normalize(allowed[0]);
    }
    const declared = scope.declared.get(name);
    if (produced && declared && produced !== declared) {
      ctx.report('error', 'declared-type', { ...where, value: name }, `'${name}' is declared ${short(declared)}, but ${node.opType} produces ${short(produced)}`);
    }
    const type = produced ?? declared;
    if (type) scope.types.set(name, type);
  }
}
