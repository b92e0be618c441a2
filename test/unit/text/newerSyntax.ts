// What onnx's parsers cannot read however the text is written, found from the model alone (not from
// the printer): every text an oracle rejects must be explained here, and the printer must say so at the
// top of exactly those texts.
import { walkModel } from '../../../src/core/model/walk.js';
import { AttributeType, type ModelProto, type TensorProto, type TypeProto, type ValueInfoProto } from '../../../src/core/model/proto.js';
import { tensorToArray } from '../../../src/core/model/tensorValues.js';
import { isFloatWord, isPlainIdentifier, isTypeWord } from '../../../src/core/text/syntax.js';

/** Element types whose values onnx.parser 1.12 reads (its TensorProto value switch). */
const valueTypes112 = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13]);
const primTypes112 = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
const listTypes = [AttributeType.TENSORS, AttributeType.GRAPHS, AttributeType.TYPE_PROTOS, AttributeType.SPARSE_TENSORS];
const hasEscape = (s: Uint8Array | string) => (typeof s === 'string' ? /["\\]/.test(s) : s.includes(0x22) || s.includes(0x5c));

/** What no onnx parser reads: names of ops and attributes are identifiers there, and some values have no form. */
function unreadableEverywhere(model: ModelProto, out: Set<string>): void {
  for (const visit of walkModel(model)) {
    if (visit.graph?.sparseInitializer?.length) out.add('sparse tensors');
    for (const node of visit.nodes) {
      if (![...(node.domain ? node.domain.split('.') : []), node.opType ?? ''].every(isPlainIdentifier)) out.add('op names that are not identifiers');
      if (node.overload && !isPlainIdentifier(node.overload)) out.add('overloads that are not identifiers');
      for (const a of node.attribute ?? []) {
        if (!isPlainIdentifier(a.name ?? '')) out.add('attribute names that are not identifiers');
        if (listTypes.includes(a.type ?? 0)) out.add('lists of tensors, graphs or types');
        if (a.type === AttributeType.SPARSE_TENSOR) out.add('sparse tensors');
      }
    }
  }
}

const plain = (n: string | null | undefined) => isPlainIdentifier(n ?? '') && !isTypeWord(n ?? '') && !isFloatWord(n ?? '');

/** What the newest onnx.parser cannot read in our text; strict text renames names, which removes two reasons. */
export function unreadableByNewest(model: ModelProto, options: { strict: boolean }): Set<string> {
  const out = new Set<string>();
  unreadableEverywhere(model, out);
  if (options.strict) return out;
  for (const visit of walkModel(model)) {
    for (const node of visit.nodes) {
      for (const a of node.attribute ?? []) {
        if (a.t?.name && !plain(a.t.name)) out.add('quoted tensor names in attributes');
        if (a.g && !plain(a.g.name)) out.add('quoted subgraph names');
      }
    }
  }
  return out;
}

function typeNeeds(t: TypeProto | null | undefined, out: Set<string>): void {
  if (!t) return;
  if (t.tensorType) {
    if (!primTypes112.has(t.tensorType.elemType ?? 0)) out.add('element types newer than 1.12');
  } else out.add('sequence, optional, map or sparse types in signatures (1.12 reads only tensor types there)');
}

/** Values 1.12 reads wrongly or not at all: nan and inf, strings with escapes. */
function valueNeeds(t: TensorProto, out: Set<string>): void {
  if (!valueTypes112.has(t.dataType ?? 0)) {
    out.add('values of float16, bfloat16, complex or newer element types');
    return;
  }
  if (t.dataLocation === 1) {
    out.add('external data');
    return;
  }
  const { data } = tensorToArray(t);
  if (Array.isArray(data)) {
    if (data.some(hasEscape)) out.add('escapes in strings');
  } else if (data instanceof Float32Array || data instanceof Float64Array) {
    if (data.some((v) => !Number.isFinite(v))) out.add('nan and inf literals');
  }
}

/** What onnx.parser 1.12 cannot read in --strict text (names are renamed there, so names are no reason). */
export function unreadableBy112(model: ModelProto): Set<string> {
  const out = new Set<string>();
  unreadableEverywhere(model, out);
  const header = [model.producerName, model.producerVersion, model.domain, model.docString, ...(model.metadataProps ?? []).flatMap((p) => [p.key, p.value])];
  if (header.some((s) => s && hasEscape(s))) out.add('escapes in strings');
  if (model.functions?.some((f) => f.valueInfo?.length || f.attributeProto?.length || f.overload)) out.add('functions with typed inputs or attribute defaults');
  if (model.functions?.some((f) => !plain(f.name))) out.add('function names that are not identifiers');
  const vi = (v: ValueInfoProto) => typeNeeds(v.type, out);
  for (const visit of walkModel(model)) {
    if (visit.graph) {
      [...(visit.graph.input ?? []), ...(visit.graph.output ?? []), ...(visit.graph.valueInfo ?? [])].forEach(vi);
      for (const t of visit.graph.initializer ?? []) valueNeeds(t, out);
    }
    for (const node of visit.nodes) {
      const inputs = [...(node.input ?? [])];
      const outputs = [...(node.output ?? [])];
      for (const list of [inputs, outputs]) {
        while (list.length && list[list.length - 1] === '') list.pop();
        if (list[0] === '') out.add('an empty first input or output');
      }
      if (node.overload) out.add('overloads');
      for (const a of node.attribute ?? []) {
        if (a.type === AttributeType.TYPE_PROTO) out.add('type attributes');
        if ([AttributeType.FLOATS, AttributeType.INTS, AttributeType.STRINGS].includes(a.type ?? 0)
          && !(a.floats?.length || a.ints?.length || a.strings?.length)) out.add('typed empty lists');
        if (a.type === AttributeType.FLOAT && !Number.isFinite(a.f ?? 0)) out.add('nan and inf literals');
        if (a.floats?.some((f) => !Number.isFinite(f))) out.add('nan and inf literals');
        if (a.t) valueNeeds(a.t, out);
        if ((a.strings ?? []).concat(a.s ? [a.s] : []).some(hasEscape)) out.add('escapes in strings');
      }
    }
  }
  return out;
}
