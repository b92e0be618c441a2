// Which parts of a model's text need syntax that onnx.parser 1.12 predates. Used to explain every text
// the 1.12 oracle rejects; anything it rejects without one of these reasons is a failure of ours.
import { walkModel } from '../../../src/core/model/walk.js';
import { AttributeType, type ModelProto, type TypeProto, type ValueInfoProto } from '../../../src/core/model/proto.js';
import { isPlainIdentifier, isTypeWord } from '../../../src/core/text/syntax.js';

/** Element types whose values onnx.parser 1.12 reads (its TensorProto value switch). */
const valueTypes112 = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13]);
const primTypes112 = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);

function typeNeeds(t: TypeProto | null | undefined, out: Set<string>): void {
  if (!t) return;
  if (t.tensorType) {
    if (!primTypes112.has(t.tensorType.elemType ?? 0)) out.add('element types newer than 1.12');
    for (const d of t.tensorType.shape?.dim ?? []) if (d.dimParam && !isPlainIdentifier(d.dimParam)) out.add('quoted names');
  } else out.add('sequence, optional, map or sparse types in signatures (1.12 reads only tensor types there)');
}

export function newerSyntaxIn(model: ModelProto): Set<string> {
  const out = new Set<string>();
  const name = (n: string | null | undefined) => {
    if (!isPlainIdentifier(n ?? '') || isTypeWord(n ?? '')) out.add('quoted names');
  };
  const vi = (v: ValueInfoProto) => {
    name(v.name);
    typeNeeds(v.type, out);
  };
  if (model.functions?.length) out.add('model-local functions with typed inputs or attribute defaults');
  for (const visit of walkModel(model)) {
    if (visit.graph) {
      name(visit.graph.name);
      [...(visit.graph.input ?? []), ...(visit.graph.output ?? []), ...(visit.graph.valueInfo ?? [])].forEach(vi);
      for (const t of visit.graph.initializer ?? []) {
        name(t.name);
        if (!valueTypes112.has(t.dataType ?? 0)) out.add('values of float16, bfloat16, complex or newer element types');
      }
    }
    for (const node of visit.nodes) {
      for (const list of [node.input ?? [], node.output ?? []]) {
        list.forEach((n, i) => {
          if (n === '' && (i === 0 || i === list.length - 1)) out.add('quoted names');
          else if (n !== '') name(n);
        });
      }
      for (const a of node.attribute ?? []) {
        if (a.type === AttributeType.TYPE_PROTO || a.type === AttributeType.TYPE_PROTOS) out.add('type attributes');
        if ([AttributeType.FLOATS, AttributeType.INTS, AttributeType.STRINGS].includes(a.type ?? 0)
          && !(a.floats?.length || a.ints?.length || a.strings?.length)) out.add('typed empty lists');
        if (a.type === AttributeType.FLOAT && !Number.isFinite(a.f ?? 0)) out.add('nan and inf literals');
        if (a.floats?.some((f) => !Number.isFinite(f))) out.add('nan and inf literals');
        if (a.t && !valueTypes112.has(a.t.dataType ?? 0)) out.add('values of float16, bfloat16, complex or newer element types');
        if (a.t?.name) name(a.t.name);
        if ((a.strings ?? []).concat(a.s ? [a.s] : []).some((s) => s.includes(0x22) || s.includes(0x5c))) out.add('escapes in strings');
      }
    }
  }
  return out;
}
