// What differs between two paired nodes: name, attributes (by value, tensors by bytes), inputs and outputs
// that are not paired with each other, and the declared types of the outputs. Subgraph attributes are
// left to the subgraph diff.
import { attributeView } from '../graph/nodeDetail.js';
import type { GraphIndex } from '../model/graphIndex.js';
import { onnx, type AttributeProto, type NodeProto } from '../model/proto.js';
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

/** Same value: compared in encoded form, which covers every attribute type (tensors included). */
export function attributesEqual(x: AttributeProto, y: AttributeProto): boolean {
  const strip = (a: AttributeProto) => ({ ...a, docString: '' });
  return bytesEqual(onnx.AttributeProto.encode(strip(x)).finish(), onnx.AttributeProto.encode(strip(y)).finish());
}

const attributeText = (a: AttributeProto) => attributeView(a, [], undefined).value;

export function attributeChanges(x: NodeProto, y: NodeProto): AttributeChange[] {
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

function slotChanges(x: string[], y: string[], pairOf: (name: string) => string | undefined): SlotChange[] {
  const changes: SlotChange[] = [];
  for (let k = 0; k < Math.max(x.length, y.length); k++) {
    const before = x[k] ?? '';
    const after = y[k] ?? '';
    if (before === '' && after === '') continue;
    if (before && after && pairOf(before) === after) continue;
    // The same unpaired name: a value captured from the enclosing graph.
    if (before === after && pairOf(before) === undefined) continue;
    changes.push({ slot: k, before, after });
  }
  return changes;
}

export function typeText(t: ValueType | undefined): string {
  if (!t) return '?';
  return t.kind === 'tensor' ? `${t.elemType}${t.shape ? formatDims(t.shape) : ''}` : t.elemType;
}

function typeChanges(a: GraphIndex, b: GraphIndex, x: NodeProto, y: NodeProto): TypeChange[] {
  const changes: TypeChange[] = [];
  (x.output ?? []).forEach((o, k) => {
    const p = y.output?.[k];
    if (!o || !p) return;
    const [t1, t2] = [a.valueType(o), b.valueType(p)];
    // A type declared on one side only is not a change of the value.
    if (!t1 || !t2) return;
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
  if (inputs.length) changes.inputs = inputs;
  const outputs = slotChanges(x.output ?? [], y.output ?? [], (n) => m.valueAB.get(n));
  if (outputs.length) changes.outputs = outputs;
  const types = typeChanges(a, b, x, y);
  if (types.length) changes.types = types;
  return changes;
}
