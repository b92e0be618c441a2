// What a transform refuses to start on: models that break ONNX's own structural rules, where a rewrite
// would write something that only looks like a result. A value defined twice, a cycle, raw_data whose
// length contradicts the tensor's type and shape. One sentence each; the CLI exits 2 and writes nothing.
// (Models that are valid ONNX but that onnxruntime will not load, such as an unknown op, are transformed
// and reported as not verified.)
import { formatDims } from '../format.js';
import { UserError } from '../errors.js';
import { byteLength, dataTypeInfo, dataTypeName } from '../model/dataTypes.js';
import { isExternal } from '../model/externalData.js';
import { int64ToNumber, type GraphProto, type ModelProto, type TensorProto } from '../model/proto.js';
import { walkModel } from '../model/walk.js';

function where(path: string[]): string {
  return path.length ? ` in ${path.join('/')}` : '';
}

function checkDefinitions(graph: GraphProto, path: string[]): void {
  const outer = new Set<string>([...(graph.input ?? []).map((v) => v.name ?? ''), ...(graph.initializer ?? []).map((t) => t.name ?? '')]);
  const producers = new Map<string, string>();
  for (const [index, node] of (graph.node ?? []).entries()) {
    const label = node.name || `${node.opType} #${index}`;
    for (const output of node.output ?? []) {
      if (!output) continue;
      const first = producers.get(output);
      if (first !== undefined) throw new UserError(`The model is invalid: value '${output}' is produced twice${where(path)}, by ${first} and by ${label}.`);
      if (outer.has(output)) throw new UserError(`The model is invalid: value '${output}'${where(path)} is both a graph input or initializer and the output of ${label}.`);
      producers.set(output, label);
    }
  }
}

/** Kahn's algorithm over the explicit inputs of one graph's nodes; what cannot be placed is on a cycle. */
function checkAcyclic(graph: GraphProto, path: string[]): void {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const pending = nodes.map((n) => new Set((n.input ?? []).map((i) => producer.get(i)).filter((p): p is number => p !== undefined)).size);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => new Set((n.input ?? []).map((x) => producer.get(x)).filter((p): p is number => p !== undefined)).forEach((p) => consumers[p].push(i)));
  const ready = pending.flatMap((p, i) => (p === 0 ? [i] : []));
  let placed = 0;
  while (ready.length) {
    const i = ready.pop()!;
    placed++;
    for (const c of consumers[i]) if (--pending[c] === 0) ready.push(c);
  }
  if (placed === nodes.length) return;
  const stuck = nodes.flatMap((n, i) => (pending[i] > 0 ? [n.name || `${n.opType} #${i}`] : []));
  throw new UserError(`The model is invalid: its graph${where(path)} has a cycle (nodes that wait on each other: ${stuck.slice(0, 4).join(', ')}${stuck.length > 4 ? ` and ${stuck.length - 4} more` : ''}).`);
}

function checkRawData(tensor: TensorProto, path: string[]): void {
  if (!tensor.rawData?.length || isExternal(tensor) || tensor.segment) return;
  const dtype = tensor.dataType ?? 0;
  if (!dataTypeInfo(dtype).bits) return;
  const count = (tensor.dims ?? []).reduce((n: number, d) => n * int64ToNumber(d), 1);
  const need = byteLength(dtype, count);
  if (tensor.rawData.length !== need) {
    throw new UserError(`The model is invalid: tensor '${tensor.name ?? ''}'${where(path)} (${dataTypeName(dtype)}${formatDims((tensor.dims ?? []).map(int64ToNumber))}) has ${tensor.rawData.length} bytes of raw_data where its type and shape need ${need}.`);
  }
}

/** Throws a one-line UserError for the first structural rule the model breaks. */
export function checkSourceModel(model: ModelProto): void {
  for (const visit of walkModel(model)) {
    if (!visit.graph) continue;
    checkDefinitions(visit.graph, visit.path);
    checkAcyclic(visit.graph, visit.path);
    for (const t of visit.graph.initializer ?? []) checkRawData(t, visit.path);
    for (const s of visit.graph.sparseInitializer ?? []) if (s.values) checkRawData(s.values, visit.path);
    for (const node of visit.nodes) for (const a of node.attribute ?? []) if (a.t) checkRawData(a.t, visit.path);
  }
}
