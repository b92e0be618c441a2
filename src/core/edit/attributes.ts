// Setting and removing a node's attribute: int, float, string and lists of them, typed as the node's
// existing attribute or, for a new one, as the op schema says.
import { canonicalDomain, opSchema, type OpSchema } from '../ops/opSchemas.js';
import { AttributeType, int64ToNumber, onnx, toLong, type AttributeProto, type ModelProto } from '../model/proto.js';
import { copyWith, graphAt, updateGraph } from './cow.js';
import { EditRefused } from './errors.js';
import { nodeText, resolveNode } from './nodeRef.js';
import type { RawEdit } from './rawEdit.js';
import type { AttributeValue, EditableAttributeType, ModelEdit } from './types.js';

type Edit<K extends ModelEdit['kind']> = Extract<ModelEdit, { kind: K }>;

const protoTypes: Record<EditableAttributeType, number> = {
  int: AttributeType.INT, float: AttributeType.FLOAT, string: AttributeType.STRING,
  ints: AttributeType.INTS, floats: AttributeType.FLOATS, strings: AttributeType.STRINGS,
};
const byProto = new Map(Object.entries(protoTypes).map(([k, v]) => [v, k as EditableAttributeType]));

/** The schema of a node's op at the model's opset for its domain. */
export function nodeSchema(model: ModelProto, domain: string | null | undefined, op: string): OpSchema | undefined {
  const wanted = canonicalDomain(domain);
  const entry = (model.opsetImport ?? []).find((o) => canonicalDomain(o.domain) === wanted);
  return entry ? opSchema(wanted, op, int64ToNumber(entry.version)) : undefined;
}

function checkValue(value: AttributeValue, type: EditableAttributeType, name: string): void {
  const fail = (what: string) => new EditRefused(`Attribute '${name}' is ${type === 'int' || type === 'ints' ? 'an ' : 'a '}${type}: ${what}.`);
  const isInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
  const isFloat = (v: unknown) => typeof v === 'number' && !Number.isNaN(v);
  switch (type) {
    case 'int': if (!isInt(value)) throw fail('give a whole number'); return;
    case 'float': if (!isFloat(value)) throw fail('give a number'); return;
    case 'string': if (typeof value !== 'string') throw fail('give text'); return;
    case 'ints': if (!Array.isArray(value) || !value.every(isInt)) throw fail('give whole numbers'); return;
    case 'floats': if (!Array.isArray(value) || !value.every(isFloat)) throw fail('give numbers'); return;
    case 'strings': if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw fail('give texts'); return;
  }
}

function buildAttribute(name: string, type: EditableAttributeType, value: AttributeValue, old?: AttributeProto): AttributeProto {
  const fields: onnx.IAttributeProto = { name, type: protoTypes[type] };
  if (old?.docString) fields.docString = old.docString;
  const encode = (s: string) => new TextEncoder().encode(s);
  switch (type) {
    case 'int': fields.i = toLong(value as number); break;
    case 'float': fields.f = value as number; break;
    case 'string': fields.s = encode(value as string); break;
    case 'ints': fields.ints = (value as number[]).map((v) => toLong(v)); break;
    case 'floats': fields.floats = value as number[]; break;
    case 'strings': fields.strings = (value as string[]).map(encode); break;
  }
  return onnx.AttributeProto.create(fields);
}

/** How an attribute value reads in a label: 3, 0.5, 'NOTSET', [2,2]. */
export function attributeText(value: AttributeValue): string {
  if (Array.isArray(value)) return `[${(value as Array<number | string>).map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(',')}]`;
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** The attribute type of an existing attribute, or of a new one from the schema. */
function attributeType(model: ModelProto, edit: Edit<'setAttribute'>, old: AttributeProto | undefined, op: string, domain: string | null | undefined): EditableAttributeType {
  if (old) {
    const type = byProto.get(old.type ?? 0);
    if (!type) throw new EditRefused(`Attribute '${edit.attribute}' holds a tensor or graph; only int, float, string and lists of them can be edited.`);
    return type;
  }
  const schema = nodeSchema(model, domain, op);
  if (schema) {
    const entry = schema.attributes.get(edit.attribute);
    if (!entry) throw new EditRefused(`${op} (opset ${schema.sinceVersion}+) has no attribute '${edit.attribute}'.`);
    const type = byProto.get(AttributeType[entry.type as keyof typeof AttributeType]);
    if (!type) throw new EditRefused(`Attribute '${edit.attribute}' of ${op} is a ${entry.type.toLowerCase()}; only int, float, string and lists of them can be edited.`);
    return type;
  }
  if (edit.type) return edit.type;
  throw new EditRefused(`The schema of ${op} is unknown, so the type of the new attribute '${edit.attribute}' must be given.`);
}

export function setAttribute(model: ModelProto, edit: Edit<'setAttribute'>): RawEdit {
  if (!edit.attribute) throw new EditRefused('An attribute needs a name.');
  const graph = graphAt(model, edit.node.graph);
  const target = resolveNode(graph, edit.node);
  const { node } = target;
  const attributes = node.attribute ?? [];
  const old = attributes.find((a) => a.name === edit.attribute);
  const type = attributeType(model, edit, old, node.opType ?? '', node.domain);
  if (edit.type && edit.type !== type) throw new EditRefused(`Attribute '${edit.attribute}' is ${type === 'int' || type === 'ints' ? 'an' : 'a'} ${type}, not ${edit.type}.`);
  // A whole number given for a float attribute is a float.
  checkValue(value(edit.value, type), type, edit.attribute);
  const attribute = buildAttribute(edit.attribute, type, value(edit.value, type), old);
  const next = old ? attributes.map((a) => (a === old ? attribute : a)) : [...attributes, attribute];
  const result = updateGraph(model, edit.node.graph, (g) => copyWith(g, { node: g.node!.map((n, i) => (i === target.index ? copyWith(n, { attribute: next }) : n)) }));
  return { model: result, label: `Set ${edit.attribute} of ${nodeText(target)} to ${attributeText(edit.value)}`, shapes: true };
}

function value(v: AttributeValue, type: EditableAttributeType): AttributeValue {
  if (type === 'string' && typeof v === 'number') return String(v);
  if (type === 'strings' && Array.isArray(v)) return (v as Array<number | string>).map(String);
  if ((type === 'ints' || type === 'floats') && typeof v === 'number') return [v];
  if (type === 'strings' && typeof v === 'string') return [v];
  return v;
}

export function removeAttribute(model: ModelProto, edit: Edit<'removeAttribute'>): RawEdit {
  const graph = graphAt(model, edit.node.graph);
  const target = resolveNode(graph, edit.node);
  const attributes = target.node.attribute ?? [];
  if (!attributes.some((a) => a.name === edit.attribute)) throw new EditRefused(`${nodeText(target)} has no attribute '${edit.attribute}'.`);
  const next = attributes.filter((a) => a.name !== edit.attribute);
  const result = updateGraph(model, edit.node.graph, (g) => copyWith(g, { node: g.node!.map((n, i) => (i === target.index ? copyWith(n, { attribute: next.length ? next : undefined }) : n)) }));
  return { model: result, label: `Remove ${edit.attribute} from ${nodeText(target)}`, shapes: true };
}

/**
 * Reads an attribute value typed by the user ('2', '0.5', 'NOTSET', '2,2', '[2, 2]'): numbers stay
 * numbers, a comma list is a list; the schema's type decides in setAttribute.
 */
export function parseAttributeValue(text: string): AttributeValue {
  const trimmed = text.trim();
  const bracketed = /^\[.*\]$/s.test(trimmed);
  const body = bracketed ? trimmed.slice(1, -1) : trimmed;
  const number = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined);
  if (bracketed || body.includes(',')) {
    const parts = body.split(',').map((s) => s.trim()).filter((s, i, all) => s !== '' || all.length > 1);
    if (parts.length === 0) return [];
    const numbers = parts.map(number);
    return numbers.every((n) => n !== undefined) ? (numbers as number[]) : parts.map((p) => p.replace(/^['"](.*)['"]$/, '$1'));
  }
  return number(body) ?? body.replace(/^['"](.*)['"]$/s, '$1');
}
