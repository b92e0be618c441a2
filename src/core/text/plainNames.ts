// Identifiers for the names onnx 1.12's parser cannot read (it has no quoted names): each such name gets
// one made from its own characters (`onnx::Flatten_0` -> `onnx__Flatten_0`), unique among every name
// and word of the model, the same wherever the name occurs. Walk order makes the choice deterministic.
import type { FunctionProto, GraphProto, ModelProto, NodeProto, TypeProto, ValueInfoProto } from '../model/proto.js';
import { walkModel } from '../model/walk.js';
import { isFloatWord, isPlainIdentifier, isTypeWord } from './syntax.js';

/** A name that can stand as it is in every position of both parsers (a type word or `nan` cannot). */
export function isPlainName(name: string): boolean {
  return isPlainIdentifier(name) && !isTypeWord(name) && !isFloatWord(name);
}

/** Names that are written in the text and may be renamed, in text order. */
function* renamable(model: ModelProto): Generator<string> {
  function* type(t: TypeProto | null | undefined): Generator<string> {
    if (!t) return;
    for (const d of t.tensorType?.shape?.dim ?? t.sparseTensorType?.shape?.dim ?? []) if (d.dimParam) yield d.dimParam;
    yield* type(t.sequenceType?.elemType);
    yield* type(t.optionalType?.elemType);
    yield* type(t.mapType?.valueType);
  }
  function* valueInfo(v: ValueInfoProto): Generator<string> {
    yield* type(v.type);
    yield v.name ?? '';
  }
  function* nodes(list: NodeProto[] | null | undefined): Generator<string> {
    for (const node of list ?? []) {
      yield* node.output ?? [];
      for (const a of node.attribute ?? []) {
        if (a.t) yield a.t.name ?? '';
        for (const t of a.tensors ?? []) yield t.name ?? '';
        if (a.tp) yield* type(a.tp);
        for (const t of a.typeProtos ?? []) yield* type(t);
        if (a.g) yield* graph(a.g);
        for (const g of a.graphs ?? []) yield* graph(g);
      }
      yield* node.input ?? [];
    }
  }
  function* graph(g: GraphProto): Generator<string> {
    yield g.name ?? '';
    for (const v of g.input ?? []) yield* valueInfo(v);
    for (const v of g.output ?? []) yield* valueInfo(v);
    for (const t of g.initializer ?? []) yield t.name ?? '';
    for (const v of g.valueInfo ?? []) yield* valueInfo(v);
    yield* nodes(g.node);
  }
  function* fn(f: FunctionProto): Generator<string> {
    yield* f.input ?? [];
    yield* f.output ?? [];
    for (const v of f.valueInfo ?? []) yield* valueInfo(v);
    yield* nodes(f.node);
  }
  if (model.graph) yield* graph(model.graph);
  for (const f of model.functions ?? []) yield* fn(f);
}

/** Words a new identifier must not take: names that stay as they are, and words of other kinds. */
function takenWords(model: ModelProto, names: Iterable<string>): Set<string> {
  const taken = new Set<string>();
  for (const n of names) if (isPlainName(n)) taken.add(n);
  for (const visit of walkModel(model)) {
    for (const node of visit.nodes) {
      for (const w of [node.name, node.opType, node.domain, node.overload]) if (w) taken.add(w);
      for (const a of node.attribute ?? []) if (a.name) taken.add(a.name);
    }
  }
  for (const f of model.functions ?? []) for (const w of [f.name, f.domain, ...(f.attribute ?? [])]) if (w) taken.add(w);
  return taken;
}

function base(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (s === '') s = 'unnamed';
  if (/^[0-9]/.test(s)) s = `_${s}`;
  if (isTypeWord(s) || isFloatWord(s)) s = `${s}_`;
  return s;
}

/**
 * Original name -> identifier, for every name in the model that is not a plain identifier (the empty
 * name only where it names a graph: elsewhere it means "no value" and stays empty).
 */
export function plainNameMap(model: ModelProto): Map<string, string> {
  const names = [...renamable(model)];
  const taken = takenWords(model, names);
  const emptyGraphNames = [...walkModel(model)].some((v) => v.graph && !v.graph.name);
  const map = new Map<string, string>();
  const assign = (name: string) => {
    if (map.has(name)) return;
    const stem = base(name);
    let candidate = stem;
    for (let k = 1; taken.has(candidate); k++) candidate = `${stem}_${k}`;
    taken.add(candidate);
    map.set(name, candidate);
  };
  for (const name of names) if (name !== '' && !isPlainName(name)) assign(name);
  if (emptyGraphNames) assign('');
  return map;
}
