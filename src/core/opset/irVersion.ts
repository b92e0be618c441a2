// IR versions: which one an opset needs (onnx's release table), what each one added to the format, and
// how a model is written at an older one where its content allows it.
import { AttributeType, DataType, int64ToNumber, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type TypeProto } from '../model/proto.js';
import { dataTypeName } from '../model/dataTypes.js';

/** The newest IR version onnxruntime-node reads. */
export const newestIrVersion = 13;

/** [newest default-domain opset, IR version of the onnx release that introduced it]. */
const releases: ReadonlyArray<readonly [number, number]> = [
  [8, 3], [9, 4], [10, 5], [11, 6], [14, 7], [18, 8], [20, 9], [22, 10], [23, 11], [24, 12], [26, 13],
];

/** The lowest IR version that may declare a default-domain opset. */
export function minIrVersion(opset: number): number {
  return (releases.find(([max]) => opset <= max) ?? releases[releases.length - 1])[1];
}

/** The newest default-domain opset an IR version may declare. */
export function maxOpsetFor(ir: number): number {
  let max = 0;
  for (const [opset, version] of releases) if (version <= ir) max = opset;
  return max;
}

/** The IR version that added each element type. */
const typeSince: Record<number, number> = {
  [DataType.BFLOAT16]: 4,
  [DataType.FLOAT8E4M3FN]: 9, [DataType.FLOAT8E4M3FNUZ]: 9, [DataType.FLOAT8E5M2]: 9, [DataType.FLOAT8E5M2FNUZ]: 9,
  [DataType.UINT4]: 10, [DataType.INT4]: 10,
  [DataType.FLOAT4E2M1]: 11,
  [DataType.FLOAT8E8M0]: 12,
  [DataType.UINT2]: 13, [DataType.INT2]: 13,
};

interface Found {
  types: Set<number>;
  sparse: boolean;
  optionalOrSparseTypes: boolean;
  metadata: boolean;
  overload: boolean;
  deviceConfigurations: boolean;
}

function scanType(type: TypeProto | null | undefined, found: Found): void {
  if (!type) return;
  if (type.tensorType?.elemType) found.types.add(type.tensorType.elemType);
  if (type.sparseTensorType || type.optionalType) found.optionalOrSparseTypes = true;
  scanType(type.sequenceType?.elemType, found);
  scanType(type.optionalType?.elemType, found);
  scanType(type.mapType?.valueType, found);
}

const typeAttributes = new Set(['to', 'dtype', 'output_dtype']);

function scanNodes(nodes: NodeProto[] | null | undefined, found: Found): void {
  for (const node of nodes ?? []) {
    if (node.metadataProps?.length) found.metadata = true;
    if (node.overload) found.overload = true;
    if (node.deviceConfigurations?.length) found.deviceConfigurations = true;
    for (const a of node.attribute ?? []) {
      if (a.t?.dataType) found.types.add(a.t.dataType);
      for (const t of a.tensors ?? []) if (t.dataType) found.types.add(t.dataType);
      if (a.sparseTensor || a.sparseTensors?.length) found.sparse = true;
      if (a.type === AttributeType.INT && typeAttributes.has(a.name ?? '') && a.i != null) found.types.add(int64ToNumber(a.i));
      for (const tp of a.tp ? [a.tp] : []) scanType(tp, found);
      if (a.g) scanGraph(a.g, found);
      for (const g of a.graphs ?? []) scanGraph(g, found);
    }
  }
}

function scanGraph(graph: GraphProto, found: Found): void {
  if (graph.metadataProps?.length) found.metadata = true;
  for (const t of graph.initializer ?? []) {
    if (t.dataType) found.types.add(t.dataType);
    if (t.metadataProps?.length) found.metadata = true;
  }
  if (graph.sparseInitializer?.length) found.sparse = true;
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    scanType(v.type, found);
    if (v.metadataProps?.length) found.metadata = true;
  }
  scanNodes(graph.node, found);
}

function scan(model: ModelProto): Found {
  const found: Found = { types: new Set(), sparse: false, optionalOrSparseTypes: false, metadata: false, overload: false, deviceConfigurations: false };
  if (model.graph) scanGraph(model.graph, found);
  for (const fn of model.functions ?? []) {
    if (fn.metadataProps?.length) found.metadata = true;
    if (fn.overload) found.overload = true;
    for (const v of fn.valueInfo ?? []) scanType(v.type, found);
    scanNodes(fn.node, found);
  }
  return found;
}

/** Why the model cannot be written at IR version `ir`, or undefined. `opset` is its default-domain opset. */
export function irBlocker(model: ModelProto, ir: number, opset: number): string | undefined {
  if (!Number.isInteger(ir) || ir < 3) return 'IR versions below 3 have no opset imports';
  if (ir > newestIrVersion) return `IR version ${ir} is newer than onnxruntime-node reads (${newestIrVersion})`;
  if (opset > maxOpsetFor(ir)) return `opset ${opset} needs IR version ${minIrVersion(opset)} or later`;
  const found = scan(model);
  for (const type of found.types) {
    const since = typeSince[type];
    if (since !== undefined && ir < since) return `element type ${dataTypeName(type)} needs IR version ${since} or later`;
  }
  if (ir < 6 && found.sparse) return 'sparse tensors need IR version 6 or later';
  if (ir < 7 && (model.trainingInfo?.length ?? 0) > 0) return 'training information needs IR version 7 or later';
  if (ir < 8 && (model.functions?.length ?? 0) > 0) return 'model-local functions need IR version 8 or later';
  if (ir < 8 && found.optionalOrSparseTypes) return 'optional and sparse tensor types need IR version 8 or later';
  if (ir < 9 && (model.functions ?? []).some((f) => (f.attributeProto?.length ?? 0) > 0)) return 'function attributes with default values need IR version 9 or later';
  if (ir < 10 && found.overload) return 'function overloads need IR version 10 or later';
  if (ir < 11 && ((model.configuration?.length ?? 0) > 0 || found.deviceConfigurations)) return 'multi-device configurations need IR version 11 or later';
  return undefined;
}

function typeOfTensor(t: TensorProto): TypeProto {
  return { tensorType: { elemType: t.dataType ?? 0, shape: { dim: (t.dims ?? []).map((d) => ({ dimValue: d })) } } };
}

/** Drops metadata_props from a graph (tensors are copied first: they may be shared with the source model). */
function dropMetadata(graph: GraphProto): void {
  graph.metadataProps = [];
  graph.initializer = (graph.initializer ?? []).map((t) => (t.metadataProps?.length ? { ...t, metadataProps: [] } : t));
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) if (v.metadataProps?.length) v.metadataProps = [];
  for (const node of graph.node ?? []) {
    if (node.metadataProps?.length) node.metadataProps = [];
    for (const a of node.attribute ?? []) for (const g of [a.g, ...(a.graphs ?? [])]) if (g) dropMetadata(g);
  }
}

/**
 * Writes the model at IR version `ir` (after irBlocker said it can): before IR 4 every initializer is also
 * a graph input; before IR 10 nodes, graphs, functions and tensors carry no metadata_props. Returns notes.
 */
export function setIrVersion(model: ModelProto, ir: number): string[] {
  const notes: string[] = [];
  const graph = model.graph;
  if (graph && ir < 4) {
    const inputs = new Set((graph.input ?? []).map((v) => v.name));
    const added = (graph.initializer ?? []).filter((t) => t.name && !inputs.has(t.name));
    if (added.length > 0) {
      graph.input = [...(graph.input ?? []), ...added.map((t) => ({ name: t.name, type: typeOfTensor(t) }))];
      notes.push(`${added.length} initializers listed as graph inputs (IR version ${ir} requires it)`);
    }
  }
  if (ir < 10 && scan(model).metadata) {
    if (graph) dropMetadata(graph);
    for (const fn of model.functions ?? []) {
      fn.metadataProps = [];
      for (const node of fn.node ?? []) if (node.metadataProps?.length) node.metadataProps = [];
    }
    notes.push(`metadata_props of nodes, graphs and tensors dropped (IR version ${ir} has none)`);
  }
  model.irVersion = ir;
  return notes;
}
