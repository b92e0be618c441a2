// Graph-edit helpers shared by the transforms (fold, prune, quantize). They work on the mutable
// protobuf objects in place and respect subgraph scoping: a nested graph that defines a name shadows it.
import { AttributeType, int64ToNumber, onnx, toLong, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type TypeProto } from '../model/proto.js';
import { subgraphsOf } from '../model/walk.js';
import { definedNames, topologicalOrder } from '../model/graphQueries.js';

/** Hands out names that collide with nothing already taken: `base`, `base__1`, `base__2`... */
export class NameAllocator {
  private readonly taken: Set<string>;
  constructor(taken: Iterable<string>) {
    this.taken = new Set(taken);
  }
  fresh(base: string): string {
    let name = base || 'value';
    for (let i = 1; this.taken.has(name); i++) name = `${base}__${i}`;
    this.taken.add(name);
    return name;
  }
  reserve(name: string): void {
    this.taken.add(name);
  }
  has(name: string): boolean {
    return this.taken.has(name);
  }
}

/**
 * Renames values where they are read (node inputs, graph outputs, subgraph captures), not where they are
 * defined. Stops inside nested graphs that define the same name themselves.
 */
export function replaceUses(graph: GraphProto, renames: Map<string, string>, includeOutputs = true): void {
  if (renames.size === 0) return;
  for (const node of graph.node ?? []) {
    if (node.input) node.input = node.input.map((i) => renames.get(i) ?? i);
    for (const sub of subgraphsOf(node)) {
      const shadowed = definedNames(sub.graph);
      const inner = new Map([...renames].filter(([from]) => !shadowed.has(from)));
      replaceUses(sub.graph, inner, true);
    }
  }
  if (includeOutputs) for (const o of graph.output ?? []) if (o.name && renames.has(o.name)) o.name = renames.get(o.name)!;
}

/** Renames values everywhere in a graph: definitions, value_info and every use (with subgraph captures). */
export function renameValues(graph: GraphProto, renames: Map<string, string>): void {
  if (renames.size === 0) return;
  const map = (n: string) => renames.get(n) ?? n;
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? [])]) if (v.name) v.name = map(v.name);
  for (const t of graph.initializer ?? []) if (t.name) t.name = map(t.name);
  for (const s of graph.sparseInitializer ?? []) {
    if (s.values?.name) s.values.name = map(s.values.name);
  }
  for (const node of graph.node ?? []) if (node.output) node.output = node.output.map((o) => (o ? map(o) : o));
  replaceUses(graph, renames, true);
}

/** Reorders a graph's nodes topologically (no-op when already sorted). */
export function sortGraph(graph: GraphProto): void {
  const order = topologicalOrder(graph);
  if (order.some((v, i) => v !== i)) graph.node = order.map((i) => graph.node![i]);
}

/** A Constant node holding `tensor` under the name `output`. */
export function constantNode(output: string, tensor: TensorProto, nodeName: string): NodeProto {
  return onnx.NodeProto.create({
    name: nodeName,
    opType: 'Constant',
    input: [],
    output: [output],
    attribute: [onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: { ...tensor, name: output } })],
  });
}

/** Tensor TypeProto for an element type and (optional) numeric/symbolic dims. */
export function tensorType(elemType: number, shape?: Array<number | string | null>): TypeProto {
  const tensorType: onnx.TypeProto.ITensor = { elemType };
  if (shape) {
    tensorType.shape = {
      dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
    };
  }
  return { tensorType };
}

/** TypeProto of an initializer. */
export function tensorProtoType(tensor: TensorProto): TypeProto {
  return tensorType(tensor.dataType ?? 0, (tensor.dims ?? []).map((d) => int64ToNumber(d)));
}

/** Deep copy through the wire format (tensor bytes are copied once, into one new buffer). */
export function cloneModel(model: ModelProto): ModelProto {
  return onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
}

export function intAttribute(name: string, value: number): onnx.IAttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: toLong(value) });
}

export function intsAttribute(name: string, values: number[]): onnx.IAttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: values.map((v) => toLong(v)) });
}

export function floatAttribute(name: string, value: number): onnx.IAttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value });
}

export function stringAttribute(name: string, value: string): onnx.IAttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) });
}
