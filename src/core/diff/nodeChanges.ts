// What differs between two paired nodes: name, attributes (by value, tensors by bytes), inputs and outputs
// that are not paired with each other, and the declared types of the outputs. Subgraph attributes are
// left to the subgraph diff.
import { attributeView } from '../graph/nodeDetail.js';
import type { GraphIndex } from '../model/graphIndex.js';
import { int64ToBigInt, onnx, type AttributeProto, type NodeProto } from '../model/proto.js';
import { formatDims } from '../format.js';
import type { ValueType } from '../model/types.js';
import type { GraphMatch } from './match.js';
import type { AttributeChange, NodeChanges, SlotChange, TypeChange } from './types.js';

const isGraphAttribute = (a: AttributeProto) => a.g != null || (a.graphs?.length ?? 0) > 0;

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

const longEqual = (x: AttributeProto['i'], y: AttributeProto['i']) => int64ToBigInt(x) === int64ToBigInt(y);

function listEqual<T>(x: T[] | null | undefined, y: T[] | null | undefined, same: (p: T, q: T) => boolean): boolean {
  const [u, v] = [x ?? [], y ?? []];
  return u.length === v.length && u.every((p, k) => same(p, v[k]));
}

/** A tensor attribute holding raw bytes and nothing else. */
function simpleTensor(a: AttributeProto): boolean {
  const t = a.t!;
  return !t.externalData?.length && !t.segment && !a.sparseTensor && !a.tensors?.length;
}

/** The scalar and list kinds field by field (most attributes); tensors and the rest in encoded form. */
export function attributesEqual(x: AttributeProto, y: AttributeProto): boolean {
  if ((x.type ?? 0) !== (y.type ?? 0) || (x.refAttrName ?? '') !== (y.refAttrName ?? '')) return false;
  if (x.t && y.t && x.t.rawData?.length && y.t.rawData?.length && simpleTensor(x) && simpleTensor(y)) {
    // A Constant's value: type, dims and bytes (the tensor's name and doc string do not count).
    return x.t.dataType === y.t.dataType && listEqual(x.t.dims, y.t.dims, longEqual) && bytesEqual(x.t.rawData, y.t.rawData);
  }
  const simple = (a: AttributeProto) => !a.t && !a.sparseTensor && !a.tp && !a.tensors?.length && !a.sparseTensors?.length && !a.typeProtos?.length;
  if (simple(x) && simple(y)) {
    const same = (p: number, q: number) => p === q || (Number.isNaN(p) && Number.isNaN(q));
    return same(x.f ?? 0, y.f ?? 0) && longEqual(x.i, y.i) && bytesEqual(x.s ?? new Uint8Array(), y.s ?? new Uint8Array())
      && listEqual(x.floats, y.floats, same) && listEqual(x.ints, y.ints, longEqual)
      && listEqual(x.strings, y.strings, bytesEqual);
  }
  const strip = (a: AttributeProto) => ({ ...a, docString: '' });
  return bytesEqual(onnx.AttributeProto.encode(strip(x)).finish(), onnx.AttributeProto.encode(strip(y)).finish());
}

const attributeText = (a: AttributeProto) => attributeView(a, [], undefined).value;

export function attributeChanges(x: NodeProto, y: NodeProto): AttributeChange[] {
  const [u, v] = [x.attribute ?? [], y.attribute ?? []];
  // Most pairs: the same attributes in the same order, equal.
  if (u.length === v.length && u.every((a, k) => a.name === v[k].name && (isGraphAttribute(a) || attributesEqual(a, v[k])))) return [];
  const before = new Map((x.attribute ?? []).filter((a) => !isGraphAttribute(a)).map((a) => [a.name ?? '', a]));
  const after = new Map((y.attribute ?? []).filter((a) => !isGraphAttribute(a)).map((a) => [a.name ?? '', a]));
  const changes: AttributeChange[] = [];
  for (const [name, a] of before) {
    const b = after.get(name);
    if (!b) changes.push({ name, before: attributeText(a) });
    else if (!attributesEqual(a, b)) {
      let [t1, t2] = [attributeText(a), attributeText(b)];
      if (t1 === t2) [t1, t2] = [`${t1} (values differ)`, t2];
      changes.push({ name, before: t1, after: t2 });
    }
  }
  for (const [name, b] of after) if (!before.has(name)) changes.push({ name, after: attributeText(b) });
  return changes;
}

function slotChanges(x: string[], y: string[], pairOf: (name: string) => string | undefined): SlotChange[] | undefined {
  let changes: SlotChange[] | undefined;
  for (let k = 0; k < Math.max(x.length, y.length); k++) {
    const before = x[k] ?? '';
    const after = y[k] ?? '';
    if (before === '' && after === '') continue;
    if (before && after && pairOf(before) === after) continue;
    // The same unpaired name: a value captured from the enclosing graph.
    if (before === after && pairOf(before) === undefined) continue;
    (changes ??= []).push({ slot: k, before, after });
  }
  return changes;
}

export function typeText(t: ValueType | undefined): string {
  if (!t) return '?';
  return t.kind === 'tensor' ? `${t.elemType}${t.shape ? formatDims(t.shape) : ''}` : t.elemType;
}

function sameType(x: ValueType, y: ValueType): boolean {
  if (x.kind !== y.kind || x.elemType !== y.elemType) return false;
  if (!x.shape || !y.shape) return x.shape === y.shape;
  return x.shape.length === y.shape.length && x.shape.every((d, k) => d === y.shape![k]);
}

function typeChanges(a: GraphIndex, b: GraphIndex, x: NodeProto, y: NodeProto): TypeChange[] {
  const changes: TypeChange[] = [];
  (x.output ?? []).forEach((o, k) => {
    const p = y.output?.[k];
    if (!o || !p) return;
    const [t1, t2] = [a.valueType(o), b.valueType(p)];
    // A type declared on one side only is not a change of the value.
    if (!t1 || !t2) return;
    if (sameType(t1, t2)) return;
    const [s1, s2] = [typeText(t1), typeText(t2)];
    if (s1 !== s2) changes.push({ value: p, before: s1, after: s2 });
  });
  return changes;
}

/** Everything but subgraphs (the caller adds those). */
export function nodeChanges(a: GraphIndex, b: GraphIndex, m: GraphMatch, i: number, j: number): NodeChanges {
  const [x, y] = [a.nodes[i], b.nodes[j]];
  const changes: NodeChanges = {};
  if ((x.name ?? '') !== (y.name ?? '')) changes.renamed = { before: x.name ?? '', after: y.name ?? '' };
  const attributes = attributeChanges(x, y);
  if (attributes.length) changes.attributes = attributes;
  const inputs = slotChanges(x.input ?? [], y.input ?? [], (n) => m.valueAB.get(n));
  if (inputs) changes.inputs = inputs;
  // An output written under another name is a change of the node (its readers then follow the name).
  const outputs = slotChanges(x.output ?? [], y.output ?? [], (n) => n);
  if (outputs) changes.outputs = outputs;
  const types = typeChanges(a, b, x, y);
  if (types.length) changes.types = types;
  return changes;
}
