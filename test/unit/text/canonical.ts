// A model's structure as plain data, for comparing a model with what its text parses back to:
// graphs, nodes, op types, attributes, inputs/outputs with types, initializer values, functions, and
// the doc strings and metadata_props of nodes, graphs, values, tensors and functions (the text keeps
// them in #@ lines). Dimension denotations and attribute doc strings have no text form and are left out.
import { dataTypeName } from '../../../src/core/model/dataTypes.js';
import { int64ToBigInt, type AttributeProto, type FunctionProto, type GraphProto, type ModelProto, type TensorProto, type TypeProto, type ValueInfoProto } from '../../../src/core/model/proto.js';
import { tensorDims, tensorToArray } from '../../../src/core/model/tensorValues.js';

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

export interface CanonicalOptions {
  /** Names of tensors compared by type and shape only. */
  elided?: ReadonlySet<string>;
  /** Leave out node names (for parsers without node labels). */
  withoutNodeNames?: boolean;
  /** Leave out what the text keeps in #@ lines (for onnx's parser, which skips comments). */
  withoutAnnotations?: boolean;
  /** Drop empty names at the end of node inputs and outputs (ONNX reads them as absent either way). */
  trimTrailingEmpty?: boolean;
}

const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
const num = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

function type(t: TypeProto | null | undefined): Plain {
  if (!t) return null;
  const shape = (s: TypeProto['tensorType']) => (s?.shape ? (s.shape.dim ?? []).map((d) => (d.dimValue != null ? String(int64ToBigInt(d.dimValue)) : d.dimParam ? `$${d.dimParam}` : '?')) : null);
  if (t.tensorType) return { tensor: dataTypeName(t.tensorType.elemType ?? 0), shape: shape(t.tensorType) };
  if (t.sparseTensorType) return { sparse: dataTypeName(t.sparseTensorType.elemType ?? 0), shape: shape(t.sparseTensorType) };
  if (t.sequenceType) return { seq: type(t.sequenceType.elemType) };
  if (t.optionalType) return { optional: type(t.optionalType.elemType) };
  if (t.mapType) return { map: dataTypeName(t.mapType.keyType ?? 0), value: type(t.mapType.valueType) };
  if (t.opaqueType) return { opaque: `${t.opaqueType.domain ?? ''}/${t.opaqueType.name ?? ''}` };
  return null;
}

type Annotated = { docString?: string | null; metadataProps?: Array<{ key?: string | null; value?: string | null }> | null };

/** Doc string and metadata, when there are any and they are compared. */
function notes(x: Annotated, options: CanonicalOptions): { [key: string]: Plain } {
  if (options.withoutAnnotations) return {};
  const out: { [key: string]: Plain } = {};
  if (x.docString) out.doc = x.docString;
  if (x.metadataProps?.length) out.metadata = x.metadataProps.map((p) => [p.key ?? '', p.value ?? '']);
  return out;
}

const valueInfo = (v: ValueInfoProto, options: CanonicalOptions): Plain => ({ name: v.name ?? '', type: type(v.type), ...notes(v, options) });

function trimmed(names: string[] | null | undefined, options: CanonicalOptions): string[] {
  const list = [...(names ?? [])];
  if (options.trimTrailingEmpty) while (list.length && list[list.length - 1] === '') list.pop();
  return list;
}

function tensor(t: TensorProto, options: CanonicalOptions): Plain {
  const head = { name: t.name ?? '', dtype: dataTypeName(t.dataType ?? 0), dims: tensorDims(t), ...notes(t, options) };
  if (t.dataLocation === 1) return { ...head, external: (t.externalData ?? []).map((e) => `${e.key}=${e.value}`) };
  if (options.elided?.has(t.name ?? '')) return head;
  const data = tensorToArray(t).data;
  return { ...head, values: Array.isArray(data) ? data : Array.from(data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? String(v) : num(v))) };
}

function attribute(a: AttributeProto, options: CanonicalOptions): Plain {
  const out: { [key: string]: Plain } = { name: a.name ?? '', type: a.type ?? 0 };
  if (a.refAttrName) return { ...out, ref: a.refAttrName };
  if (a.f != null && a.type === 1) out.f = num(a.f);
  if (a.type === 2) out.i = String(int64ToBigInt(a.i));
  if (a.type === 3) out.s = text(a.s);
  if (a.t) out.t = tensor(a.t, options);
  if (a.g) out.g = graph(a.g, options);
  if (a.tp) out.tp = type(a.tp);
  if (a.floats?.length) out.floats = a.floats.map(num);
  if (a.ints?.length) out.ints = a.ints.map((v) => String(int64ToBigInt(v)));
  if (a.strings?.length) out.strings = a.strings.map(text);
  if (a.tensors?.length) out.tensors = a.tensors.map((t) => tensor(t, options));
  if (a.graphs?.length) out.graphs = a.graphs.map((g) => graph(g, options));
  if (a.typeProtos?.length) out.typeProtos = a.typeProtos.map(type);
  return out;
}

function nodes(list: GraphProto['node'], options: CanonicalOptions): Plain {
  return (list ?? []).map((n) => ({
    name: options.withoutNodeNames ? '' : n.name ?? '',
    op: n.opType ?? '',
    domain: n.domain ?? '',
    overload: n.overload ?? '',
    inputs: trimmed(n.input, options),
    outputs: trimmed(n.output, options),
    attributes: (n.attribute ?? []).map((a) => attribute(a, options)),
    ...notes(n, options),
  }));
}

export function graph(g: GraphProto, options: CanonicalOptions = {}): Plain {
  const byName = (a: Plain, b: Plain) => JSON.stringify(a).localeCompare(JSON.stringify(b));
  return {
    name: g.name ?? '',
    ...notes(g, options),
    inputs: (g.input ?? []).map((v) => valueInfo(v, options)),
    outputs: (g.output ?? []).map((v) => valueInfo(v, options)),
    // The text lists initializers apart from inputs; their order is not part of the graph's meaning.
    initializers: (g.initializer ?? []).map((t) => tensor(t, options)).sort(byName),
    valueInfo: (g.valueInfo ?? []).map((v) => valueInfo(v, options)),
    nodes: nodes(g.node, options),
  };
}

function fn(f: FunctionProto, options: CanonicalOptions): Plain {
  return {
    name: f.name ?? '', domain: f.domain ?? '', overload: f.overload ?? '',
    inputs: f.input ?? [], outputs: f.output ?? [], attributes: f.attribute ?? [],
    attributeProtos: (f.attributeProto ?? []).map((a) => attribute(a, options)),
    opsets: (f.opsetImport ?? []).map((o) => `${o.domain ?? ''}:${int64ToBigInt(o.version)}`),
    valueInfo: (f.valueInfo ?? []).map((v) => valueInfo(v, options)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    nodes: nodes(f.node, options),
    ...notes(f, options),
  };
}

export function canonicalModel(m: ModelProto, options: CanonicalOptions = {}): Plain {
  return {
    irVersion: m.irVersion != null ? String(int64ToBigInt(m.irVersion)) : null,
    opsets: (m.opsetImport ?? []).map((o) => `${o.domain ?? ''}:${int64ToBigInt(o.version)}`),
    producer: `${m.producerName ?? ''}/${m.producerVersion ?? ''}`,
    domain: m.domain ?? '',
    modelVersion: String(int64ToBigInt(m.modelVersion)),
    metadata: (m.metadataProps ?? []).map((p) => `${p.key}=${p.value}`),
    graph: m.graph ? graph(m.graph, options) : null,
    functions: (m.functions ?? []).map((f) => fn(f, options)),
  };
}
