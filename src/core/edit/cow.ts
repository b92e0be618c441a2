// Copy-on-write over decoded protobuf messages: an edit copies only the objects on the path to what it
// changes, so the result shares every untouched part (initializer bytes, other nodes, other graphs) with
// the input, the input stays as it was, and undo is holding on to the previous model object.
import type { AttributeProto, GraphProto, ModelProto, NodeProto } from '../model/proto.js';
import { EditRefused } from './errors.js';
import type { GraphId } from './types.js';

/**
 * A shallow copy of a message with `patch` applied; the prototype is kept so that field presence (own
 * properties) and defaults behave as in the original. A patch value of undefined removes the field.
 */
export function copyWith<T extends object>(message: T, patch: { [K in keyof T]?: T[K] } = {}): T {
  const copy = Object.create(Object.getPrototypeOf(message) as object) as T;
  Object.assign(copy, message);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete (copy as Record<string, unknown>)[key];
    else (copy as Record<string, unknown>)[key] = value;
  }
  return copy;
}

interface GraphStep {
  node: number;
  attribute: string;
  /** Index into a GRAPHS attribute's list. */
  k?: number;
}

/** The steps of a graph id below the main graph ('' -> []); functions are not editable graphs. */
export function graphSteps(id: GraphId | undefined): GraphStep[] {
  if (!id) return [];
  if (id.startsWith('fn:')) throw new EditRefused('Edits inside model-local functions are not supported; edit the graphs that call them.');
  const steps = id.split('/');
  if (steps[0] !== '') throw new EditRefused(`No graph with the id '${id}' in this model.`);
  return steps.slice(1).map((step) => {
    const match = /^(\d+)\.(.+?)(?:\.(\d+))?$/.exec(step);
    if (!match) throw new EditRefused(`No graph with the id '${id}' in this model.`);
    return { node: Number(match[1]), attribute: match[2], k: match[3] === undefined ? undefined : Number(match[3]) };
  });
}

/** The graphs from the main graph down to the one an id names. */
export function graphPath(model: ModelProto, id: GraphId | undefined): GraphProto[] {
  let graph = model.graph;
  if (!graph) throw new EditRefused('The model has no graph.');
  const path = [graph];
  for (const step of graphSteps(id)) {
    const attribute = stepAttribute(graph, step, id);
    graph = step.k === undefined ? attribute.g! : attribute.graphs![step.k];
    path.push(graph);
  }
  return path;
}

/** The graph an id names (the main graph for '' or undefined). */
export function graphAt(model: ModelProto, id: GraphId | undefined): GraphProto {
  return graphPath(model, id).at(-1)!;
}

function stepAttribute(graph: GraphProto, step: GraphStep, id: GraphId | undefined): AttributeProto {
  const node = graph.node?.[step.node];
  const attribute = node?.attribute?.find((a) => a.name === step.attribute);
  const ok = attribute && (step.k === undefined ? attribute.g != null : (attribute.graphs?.length ?? 0) > step.k);
  if (!ok) throw new EditRefused(`No graph with the id '${id ?? ''}' in this model.`);
  return attribute;
}

/** A copy of the model in which the graph `id` is replaced by `update(graph)`; everything else is shared. */
export function updateGraph(model: ModelProto, id: GraphId | undefined, update: (graph: GraphProto) => GraphProto): ModelProto {
  if (!model.graph) throw new EditRefused('The model has no graph.');
  const steps = graphSteps(id);
  const descend = (graph: GraphProto, depth: number): GraphProto => {
    if (depth === steps.length) return update(graph);
    const step = steps[depth];
    const attribute = stepAttribute(graph, step, id);
    const node = graph.node![step.node];
    const inner = step.k === undefined
      ? copyWith(attribute, { g: descend(attribute.g!, depth + 1) })
      : copyWith(attribute, { graphs: attribute.graphs!.map((g, j) => (j === step.k ? descend(g, depth + 1) : g)) });
    const newNode = copyWith(node, { attribute: node.attribute!.map((a) => (a === attribute ? inner : a)) });
    return copyWith(graph, { node: graph.node!.map((n, i) => (i === step.node ? newNode : n)) });
  };
  return copyWith(model, { graph: descend(model.graph, 0) });
}

/** A copy of the graph with node `index` replaced. */
export function replaceNode(graph: GraphProto, index: number, node: NodeProto): GraphProto {
  return copyWith(graph, { node: (graph.node ?? []).map((n, i) => (i === index ? node : n)) });
}
