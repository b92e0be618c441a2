// The facts `onnx-lens info` prints and the editor shows first.
import { byteLength } from './dataTypes.js';
import { int64ToNumber, type GraphProto, type ModelProto, type TensorProto, type ValueInfoProto } from './proto.js';
import { valueType, type Dim } from './types.js';
import { walkModel } from './walk.js';

export interface SignatureEntry {
  name: string;
  type: string;
  shape: Dim[] | null;
}

export interface ModelSummary {
  irVersion: number;
  producer: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graphName: string;
  /** {domain: version}; the default domain is named 'ai.onnx'. */
  opsets: Record<string, number>;
  metadata: Record<string, string>;
  inputs: SignatureEntry[];
  outputs: SignatureEntry[];
  nodes: { top: number; total: number };
  initializers: InitializerTotals;
  subgraphs: number;
  functions: number;
  ops: Record<string, number>;
}

/** Bytes of a tensor's values wherever they are stored. */
export function tensorByteSize(tensor: TensorProto): number {
  if (tensor.rawData && tensor.rawData.length) return tensor.rawData.length;
  const external = tensor.externalData?.find((e) => e.key === 'length');
  if (external?.value) return Number(external.value);
  const count = (tensor.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
  if (tensor.stringData?.length) return tensor.stringData.reduce((n, s) => n + s.length, 0);
  return byteLength(tensor.dataType ?? 0, count);
}

function signature(entries: ValueInfoProto[] | null | undefined): SignatureEntry[] {
  return (entries ?? []).map((v) => {
    const t = valueType(v.type);
    return { name: v.name ?? '', type: t.elemType, shape: t.shape ?? null };
  });
}

export interface InitializerTotals {
  count: number;
  bytes: number;
}

function addInitializers(into: InitializerTotals, graph: GraphProto | undefined): void {
  for (const t of graph?.initializer ?? []) {
    into.count++;
    into.bytes += tensorByteSize(t);
  }
  for (const s of graph?.sparseInitializer ?? []) {
    into.count++;
    if (s.values) into.bytes += tensorByteSize(s.values);
    if (s.indices) into.bytes += tensorByteSize(s.indices);
  }
}

/** Initializers (dense and sparse) of every graph. */
export function initializerTotals(model: ModelProto): InitializerTotals {
  const totals = { count: 0, bytes: 0 };
  for (const visit of walkModel(model)) addInitializers(totals, visit.graph);
  return totals;
}

export function summarize(model: ModelProto): ModelSummary {
  const graph = model.graph!;
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const ops: Record<string, number> = {};
  let total = 0;
  let subgraphs = 0;
  const initializers = { count: 0, bytes: 0 };
  for (const visit of walkModel(model)) {
    addInitializers(initializers, visit.graph);
    if (visit.path.length > 0 && !visit.functionName) subgraphs++;
    if (visit.functionName && visit.path.length > 1) subgraphs++;
    for (const node of visit.nodes) {
      total++;
      const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType ?? '';
      ops[op] = (ops[op] ?? 0) + 1;
    }
  }
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[o.domain || 'ai.onnx'] = int64ToNumber(o.version);
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? '';
  return {
    irVersion: int64ToNumber(model.irVersion),
    producer: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    domain: model.domain ?? '',
    modelVersion: int64ToNumber(model.modelVersion),
    docString: model.docString ?? '',
    graphName: graph.name ?? '',
    opsets,
    metadata,
    inputs: signature((graph.input ?? []).filter((v) => !initializerNames.has(v.name))),
    outputs: signature(graph.output),
    nodes: { top: graph.node?.length ?? 0, total },
    initializers,
    subgraphs,
    functions: model.functions?.length ?? 0,
    ops,
  };
}
