// Visits every graph of a model: the main graph, subgraphs in node attributes (If/Loop/Scan bodies),
// and the bodies of model-local functions.
import { nodeHasSubgraphs } from './lazyDecode.js';
import type { GraphProto, ModelProto, NodeProto } from './proto.js';

export interface GraphVisit {
  /** Graph's path from the top: [] for the main graph, ['node_name', 'then_branch'] below it. */
  path: string[];
  nodes: NodeProto[];
  graph?: GraphProto;
  /** Set for function bodies. */
  functionName?: string;
}

export function subgraphsOf(node: NodeProto): Array<{ attribute: string; graph: GraphProto }> {
  const result: Array<{ attribute: string; graph: GraphProto }> = [];
  // Asking a decoded node leaves its attributes undecoded when none holds a graph.
  if (!nodeHasSubgraphs(node)) return result;
  for (const attribute of node.attribute ?? []) {
    if (attribute.g) result.push({ attribute: attribute.name ?? '', graph: attribute.g });
    for (const graph of attribute.graphs ?? []) result.push({ attribute: attribute.name ?? '', graph });
  }
  return result;
}

export function* walkGraph(graph: GraphProto, path: string[] = []): Generator<GraphVisit> {
  const nodes = graph.node ?? [];
  yield { path, nodes, graph };
  // Index loops that skip nodes without subgraphs: large graphs have tens of thousands of nodes.
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index];
    if (!nodeHasSubgraphs(node)) continue;
    for (const sub of subgraphsOf(node)) {
      yield* walkGraph(sub.graph, [...path, node.name || `${node.opType}_${index}`, sub.attribute]);
    }
  }
}

export function* walkModel(model: ModelProto): Generator<GraphVisit> {
  if (model.graph) yield* walkGraph(model.graph);
  for (const fn of model.functions ?? []) {
    const name = `${fn.domain ? fn.domain + '.' : ''}${fn.name}`;
    yield { path: [name], nodes: fn.node ?? [], functionName: name };
    const nodes = fn.node ?? [];
    for (let index = 0; index < nodes.length; index++) {
      const node = nodes[index];
      if (!nodeHasSubgraphs(node)) continue;
      for (const sub of subgraphsOf(node)) {
        for (const visit of walkGraph(sub.graph, [name, node.name || `${node.opType}_${index}`, sub.attribute])) {
          yield { ...visit, functionName: name };
        }
      }
    }
  }
}
