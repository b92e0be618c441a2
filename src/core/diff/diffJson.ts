// The diff as JSON for `onnx-lens diff --json`: nodes by name (an unnamed node as `Op#index`), every list
// in a fixed order. The shape is documented in the README; fields are only ever added.
import type { GraphProto, NodeProto } from '../model/proto.js';
import { subgraphsOf } from '../model/walk.js';
import type { ChangeGroup, GraphCounts, GraphDiff, InitializerChange, ModelDiff, ModelLevelDiff, NodeChanges } from './types.js';

export const diffJsonVersion = 1;

export interface NodeRef {
  name: string;
  op: string;
}

export interface JsonSubgraph {
  attribute: string;
  nodes: { a: number; b: number };
  /** Absent when the attribute holds a subgraph on one side only. */
  diff?: JsonGraph;
}

export interface JsonPair {
  a: NodeRef;
  b: NodeRef;
  how: string;
  changes: Omit<NodeChanges, 'subgraphs'> & { subgraphs?: JsonSubgraph[] };
}

export interface JsonGroup {
  kind: ChangeGroup['kind'];
  a: NodeRef[];
  b: NodeRef[];
  /** For 'gained': the paired node the nodes feed. */
  pair?: { a: NodeRef; b: NodeRef };
  initializers?: string[];
}

export interface JsonGraph {
  counts: GraphCounts;
  changed: JsonPair[];
  groups: JsonGroup[];
  initializers: { changed: InitializerChange[]; removed: string[]; added: string[] };
}

export interface JsonDiff {
  version: number;
  a: string;
  b: string;
  identical: boolean;
  model: ModelLevelDiff;
  graph: JsonGraph;
}

export function nodeRef(graph: GraphProto, index: number): NodeRef {
  const node = graph.node?.[index];
  const op = node ? `${node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.` : ''}${node.opType ?? ''}` : '?';
  return { name: node?.name || `${node?.opType ?? 'node'}#${index}`, op };
}

function subgraphOf(node: NodeProto, attribute: string): GraphProto | undefined {
  return subgraphsOf(node).find((s) => s.attribute === attribute)?.graph;
}

export function graphJson(diff: GraphDiff, a: GraphProto, b: GraphProto): JsonGraph {
  const changed: JsonPair[] = diff.nodes.filter((p) => p.changed).map((p) => {
    const { subgraphs, ...rest } = p.changes;
    const changes: JsonPair['changes'] = { ...rest };
    if (subgraphs) {
      const [na, nb] = [a.node![p.a], b.node![p.b]];
      changes.subgraphs = subgraphs.map((s) => {
        const [ga, gb] = [subgraphOf(na, s.attribute), subgraphOf(nb, s.attribute)];
        return { attribute: s.attribute, nodes: s.nodes, ...(s.diff && ga && gb ? { diff: graphJson(s.diff, ga, gb) } : {}) };
      });
    }
    return { a: nodeRef(a, p.a), b: nodeRef(b, p.b), how: p.how, changes };
  });
  const groups: JsonGroup[] = diff.groups.map((g) => ({
    kind: g.kind,
    a: g.a.map((i) => nodeRef(a, i)),
    b: g.b.map((j) => nodeRef(b, j)),
    ...(g.pair !== undefined ? { pair: { a: nodeRef(a, diff.nodes[g.pair].a), b: nodeRef(b, diff.nodes[g.pair].b) } } : {}),
    ...(g.initializers ? { initializers: g.initializers } : {}),
  }));
  return { counts: diff.counts, changed, groups, initializers: diff.initializers };
}

export function diffJson(diff: ModelDiff, a: { path: string; graph: GraphProto }, b: { path: string; graph: GraphProto }): JsonDiff {
  return { version: diffJsonVersion, a: a.path, b: b.path, identical: diff.identical, model: diff.model, graph: graphJson(diff.graph, a.graph, b.graph) };
}
