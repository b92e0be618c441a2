// Everything the side panel shows about one node, computed in the host when the node is selected:
// every attribute with its typed value, inputs and outputs with type and shape (declared and inferred),
// doc string, metadata.
import { UserError } from '../errors.js';
import { formatDims } from '../format.js';
import { dataTypeName } from '../model/dataTypes.js';
import { AttributeType, int64ToBigInt, type AttributeProto, type ModelProto, type TensorProto } from '../model/proto.js';
import { typeText } from '../model/types.js';
import { inputName } from '../ops/opSchema.js';
import { buildGraphView, nodeSubgraphs, type GraphSource } from './viewModel.js';
import type { AttributeView, GraphView, NodeDetail, PortView } from './viewModelTypes.js';

const LIST_CAP = 64;
const TEXT_CAP = 2000;

function capList<T>(items: T[], show: (item: T) => string): string {
  const shown = items.slice(0, LIST_CAP).map(show).join(', ');
  return items.length > LIST_CAP ? `[${shown}, … ${items.length - LIST_CAP} more]` : `[${shown}]`;
}

function capText(text: string): string {
  return text.length > TEXT_CAP ? `${text.slice(0, TEXT_CAP)}… (${text.length} characters)` : text;
}

const decoder = new TextDecoder();

function bytesText(bytes: Uint8Array | null | undefined): string {
  return decoder.decode(bytes ?? new Uint8Array());
}

function tensorSummary(t: TensorProto | null | undefined): string {
  if (!t) return '?';
  return `${dataTypeName(t.dataType ?? 0)}${formatDims((t.dims ?? []).map(int64ToBigInt))}${t.name ? ` ${t.name}` : ''}`;
}

function floatText(f: number): string {
  return Number.isInteger(f) ? f.toFixed(1) : String(f);
}

/** The attribute's type: the declared one, or inferred from the field set (old files omit `type`). */
export function attributeType(a: AttributeProto): number {
  if (a.type) return a.type;
  if (a.g) return AttributeType.GRAPH;
  if (a.t) return AttributeType.TENSOR;
  if (a.sparseTensor) return AttributeType.SPARSE_TENSOR;
  if (a.tp) return AttributeType.TYPE_PROTO;
  if (a.graphs?.length) return AttributeType.GRAPHS;
  if (a.tensors?.length) return AttributeType.TENSORS;
  if (a.floats?.length) return AttributeType.FLOATS;
  if (a.ints?.length) return AttributeType.INTS;
  if (a.strings?.length) return AttributeType.STRINGS;
  if (a.s?.length) return AttributeType.STRING;
  if (a.f) return AttributeType.FLOAT;
  return AttributeType.INT;
}

export function attributeView(a: AttributeProto, graphIds: string[], tensorRef: AttributeView['tensor']): AttributeView {
  const type = attributeType(a);
  const typeName = AttributeType[type] ?? `type ${type}`;
  const view: AttributeView = { name: a.name ?? '', type: typeName, value: '' };
  if (a.refAttrName) view.value = `@${a.refAttrName}`;
  else {
    switch (type) {
      case AttributeType.FLOAT: view.value = floatText(a.f ?? 0); break;
      case AttributeType.INT: view.value = int64ToBigInt(a.i).toString(); break;
      case AttributeType.STRING: view.value = capText(JSON.stringify(bytesText(a.s))); break;
      case AttributeType.TENSOR: view.value = tensorSummary(a.t); view.tensor = tensorRef; break;
      case AttributeType.SPARSE_TENSOR: view.value = `sparse ${tensorSummary(a.sparseTensor?.values)} dims ${formatDims((a.sparseTensor?.dims ?? []).map(int64ToBigInt))}`; break;
      case AttributeType.GRAPH: view.value = `graph ${a.g?.name ?? ''} (${a.g?.node?.length ?? 0} nodes)`; view.graphs = graphIds; break;
      case AttributeType.TYPE_PROTO: view.value = typeText(a.tp); break;
      case AttributeType.FLOATS: view.value = capList(a.floats ?? [], floatText); break;
      case AttributeType.INTS: view.value = capList(a.ints ?? [], (i) => int64ToBigInt(i).toString()); break;
      case AttributeType.STRINGS: view.value = capText(capList(a.strings ?? [], (s) => JSON.stringify(bytesText(s)))); break;
      case AttributeType.TENSORS: view.value = capList(a.tensors ?? [], tensorSummary); break;
      case AttributeType.SPARSE_TENSORS: view.value = `${a.sparseTensors?.length ?? 0} sparse tensors`; break;
      case AttributeType.GRAPHS: view.value = `${a.graphs?.length ?? 0} graphs`; view.graphs = graphIds; break;
      case AttributeType.TYPE_PROTOS: view.value = capList(a.typeProtos ?? [], typeText); break;
      default: view.value = '?';
    }
  }
  if (a.docString) view.docString = a.docString;
  return view;
}

export function nodeDetail(model: ModelProto, source: GraphSource, index: number, view?: GraphView): NodeDetail {
  const node = source.nodes[index];
  if (!node) throw new UserError(`The graph has no node #${index}; the model may have changed.`);
  const graphView = view ?? buildGraphView(model, source);
  const subgraphs = nodeSubgraphs(source, index);
  const nodeView = graphView.nodes[index];
  const attributes = (node.attribute ?? []).map((a) => {
    const ids = subgraphs.filter((s) => s.attribute === a.name).map((s) => s.source.id);
    return attributeView(a, ids, a.t ? { graph: source.id, node: index, attribute: a.name ?? '' } : undefined);
  });
  const port = (v: number, slot: string): PortView => {
    if (v < 0) return { slot, name: '', type: '' };
    const value = graphView.values[v];
    const port: PortView = { slot, name: value.name, type: value.type, shape: value.shape, kind: value.kind };
    if (value.inferred) port.inferred = true;
    if (value.declared !== undefined) port.declared = value.declared;
    if (value.inference !== undefined) port.inference = value.inference;
    return port;
  };
  const metadata: Record<string, string> = {};
  for (const p of node.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? '';
  return {
    graph: source.id,
    index,
    name: node.name ?? '',
    op: node.opType ?? '',
    domain: node.domain ?? '',
    docString: node.docString ?? '',
    attributes,
    inputs: nodeView.inputs.map((v, slot) => port(v, inputName(node.opType ?? '', slot))),
    outputs: nodeView.outputs.map((v, slot) => port(v, String(slot))),
    metadata,
    calls: nodeView.calls,
  };
}
