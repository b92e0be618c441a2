// A copy of a model whose names are all plain identifiers, for the onnx.parser 1.12 oracle, which
// predates quoted names: each non-identifier name gets a fresh identifier, consistently everywhere.
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import type { GraphProto, ModelProto, TypeProto } from '../../../src/core/model/proto.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { isPlainIdentifier, isTypeWord } from '../../../src/core/text/syntax.js';

export function withPlainNames(model: ModelProto): ModelProto {
  const copy = decodeModel(encodeModel(model));
  const renamed = new Map<string, string>();
  const plain = (name: string | null | undefined): string => {
    const n = name ?? '';
    if (n === '' || (isPlainIdentifier(n) && !isTypeWord(n))) return n;
    let r = renamed.get(n);
    if (!r) renamed.set(n, (r = `renamed_${renamed.size}`));
    return r;
  };
  const type = (t: TypeProto | null | undefined) => {
    for (const d of t?.tensorType?.shape?.dim ?? []) if (d.dimParam) d.dimParam = plain(d.dimParam);
  };
  const graph = (g: GraphProto) => {
    g.name = plain(g.name);
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
      v.name = plain(v.name);
      type(v.type);
    }
    for (const t of g.initializer ?? []) t.name = plain(t.name);
  };
  for (const visit of walkModel(copy)) {
    if (visit.graph) graph(visit.graph);
    for (const node of visit.nodes) {
      node.input = (node.input ?? []).map(plain);
      node.output = (node.output ?? []).map(plain);
      for (const a of node.attribute ?? []) if (a.t?.name) a.t.name = plain(a.t.name);
    }
  }
  return copy;
}
