// Attributes: well formed on their own (a name, a type that matches the one value field set), and,
// where the op has a schema, known to it, of the type it expects, holding a value, none missing.
import type { AttributeProto, NodeProto } from '../model/proto.js';
import type { OpSchema } from '../ops/opSchemas.js';
import { has, type CheckContext } from './context.js';
import type { ProblemLocation } from './problem.js';
import { checkSparseTensor, checkTensor } from './tensors.js';

interface ValueField {
  field: keyof AttributeProto & string;
  label: string;
  type: string;
  repeated: boolean;
}

const fields: ValueField[] = [
  { field: 'f', label: 'f', type: 'FLOAT', repeated: false },
  { field: 'i', label: 'i', type: 'INT', repeated: false },
  { field: 's', label: 's', type: 'STRING', repeated: false },
  { field: 't', label: 't', type: 'TENSOR', repeated: false },
  { field: 'g', label: 'g', type: 'GRAPH', repeated: false },
  { field: 'sparseTensor', label: 'sparse_tensor', type: 'SPARSE_TENSOR', repeated: false },
  { field: 'tp', label: 'tp', type: 'TYPE_PROTO', repeated: false },
  { field: 'floats', label: 'floats', type: 'FLOATS', repeated: true },
  { field: 'ints', label: 'ints', type: 'INTS', repeated: true },
  { field: 'strings', label: 'strings', type: 'STRINGS', repeated: true },
  { field: 'tensors', label: 'tensors', type: 'TENSORS', repeated: true },
  { field: 'graphs', label: 'graphs', type: 'GRAPHS', repeated: true },
  { field: 'sparseTensors', label: 'sparse_tensors', type: 'SPARSE_TENSORS', repeated: true },
  { field: 'typeProtos', label: 'type_protos', type: 'TYPE_PROTOS', repeated: true },
];

/** AttributeProto.AttributeType numbers to names. */
const typeNames: Record<number, string> = {
  1: 'FLOAT', 2: 'INT', 3: 'STRING', 4: 'TENSOR', 5: 'GRAPH', 6: 'FLOATS', 7: 'INTS', 8: 'STRINGS', 9: 'TENSORS',
  10: 'GRAPHS', 11: 'SPARSE_TENSOR', 12: 'SPARSE_TENSORS', 13: 'TYPE_PROTO', 14: 'TYPE_PROTOS',
};

export function attributeTypeName(type: number | null | undefined): string | undefined {
  return type ? typeNames[type] : undefined;
}

function present(attr: AttributeProto, f: ValueField): boolean {
  if (f.repeated) return ((attr[f.field] as unknown[] | null | undefined)?.length ?? 0) > 0;
  return has(attr, f.field);
}

/** Checks one attribute on its own, and the tensors it holds. Subgraphs are checked by the graph walk. */
export function checkAttribute(ctx: CheckContext, attr: AttributeProto, where: ProblemLocation, inFunction: boolean): void {
  const name = attr.name ?? '';
  const at: ProblemLocation = { ...where, attribute: name };
  if (!name) ctx.report('error', 'attribute', at, 'an attribute has no name');
  const type = attr.type ?? 0;
  const typeName = attributeTypeName(type);
  if (ctx.irVersion >= 2 && !type) ctx.report('error', 'attribute', at, `attribute ${name} has no type`);
  else if (type && !typeName) ctx.report('error', 'attribute', at, `attribute ${name} has unknown type ${type}`);
  const used = fields.filter((f) => present(attr, f));
  if (used.length > 1) {
    ctx.report('error', 'attribute', at, `attribute ${name} holds more than one value (${used.map((f) => f.label).join(', ')})`);
  } else if (used.length === 1 && typeName && used[0].type !== typeName) {
    ctx.report('error', 'attribute', at, `attribute ${name} is of type ${typeName} but its value is in field ${used[0].label}`);
  }
  if (attr.refAttrName) {
    if (!inFunction) ctx.report('warning', 'attribute', at, `attribute ${name} refers to a caller's attribute (${attr.refAttrName}) outside a function`);
    else if (used.length) ctx.report('error', 'attribute', at, `attribute ${name} refers to the caller's attribute ${attr.refAttrName} and also holds a value`);
  }
  if (typeName === 'SPARSE_TENSOR' || typeName === 'SPARSE_TENSORS') ctx.requireIr(6, 'sparse tensor attributes', at);
  if (attr.t) checkTensor(ctx, attr.t, at);
  for (const t of attr.tensors ?? []) checkTensor(ctx, t, at);
  if (attr.sparseTensor) checkSparseTensor(ctx, attr.sparseTensor, at);
  for (const s of attr.sparseTensors ?? []) checkSparseTensor(ctx, s, at);
}

/** Checks a node's attributes against its op's schema (onnx's OpSchema::Verify). */
export function checkAttributesAgainstSchema(ctx: CheckContext, node: NodeProto, where: ProblemLocation, schema: OpSchema): void {
  const seen = new Set<string>();
  const op = `${node.opType}-${schema.sinceVersion}`;
  for (const attr of node.attribute ?? []) {
    const name = attr.name ?? '';
    const at: ProblemLocation = { ...where, attribute: name };
    if (seen.has(name)) {
      ctx.report('error', 'attribute', at, `attribute ${name} appears more than once`);
      continue;
    }
    seen.add(name);
    const expected = schema.attributes.get(name);
    if (!expected) {
      // Names starting with two underscores are implementation details that schemas ignore.
      if (!name.startsWith('__')) ctx.report('error', 'attribute-unknown', at, `${op} has no attribute ${name}`);
      continue;
    }
    const actual = attributeTypeName(attr.type);
    if (actual !== expected.type) {
      ctx.report('error', 'attribute-type', at, `attribute ${name} is ${actual ?? 'untyped'}; ${op} expects ${expected.type}`);
      continue;
    }
    if (attr.refAttrName) continue;
    const field = fields.find((f) => f.type === expected.type);
    // Scalars may be left at their default value, which protobuf does not write.
    if (field && (field.repeated || !['FLOAT', 'INT', 'STRING'].includes(field.type)) && !present(attr, field)) {
      const what = field.repeated ? `an empty ${field.label} list` : `no ${field.label}`;
      ctx.report('error', 'attribute-missing', at, `${expected.type} attribute ${name} holds ${what}`);
    }
  }
  for (const [name, spec] of schema.attributes) {
    if (spec.required && !seen.has(name)) ctx.report('error', 'attribute-missing', where, `${op} requires attribute ${name}, which is missing`);
  }
}
