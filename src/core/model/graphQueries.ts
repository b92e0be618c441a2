// Read-only questions about a graph, respecting subgraph scoping (a nested graph that defines a name
// shadows it): what it defines, reads and captures, in which order its nodes can run.
import { int64ToNumber, onnx, type GraphProto, type ModelProto, type NodeProto } from './proto.js';
import { subgraphsOf } from './walk.js';
import { topologicalSort } from './topologicalSort.js';

/** A node's attribute by name. */
export function attribute(node: NodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

/** Whether a node is in the default (ai.onnx) domain. */
export function isDefaultDomain(node: NodeProto): boolean {
  return !node.domain || node.domain === 'ai.onnx';
}

/** An INT attribute's value, or `fallback` when the node has none. */
export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a?.i != null ? int64ToNumber(a.i) : fallback;
}

/** An INTS attribute's values, or undefined when the node has none. */
export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a?.ints ? a.ints.map((v) => int64ToNumber(v)) : undefined;
}

export function floatAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a?.f != null ? a.f : fallback;
}

export function stringAttr(node: NodeProto, name: string, fallback: string): string {
  const a = attribute(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

export function hasSubgraphs(node: NodeProto): boolean {
  return (node.attribute ?? []).some((a) => a.g != null || (a.graphs?.length ?? 0) > 0);
}

/** Names a graph defines itself: inputs, initializers (dense and sparse) and node outputs. */
export function definedNames(graph: GraphProto): Set<string> {
  const names = new Set<string>();
  for (const v of graph.input ?? []) if (v.name) names.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) names.add(t.name);
  for (const s of graph.sparseInitializer ?? []) if (s.values?.name) names.add(s.values.name);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) names.add(o);
  return names;
}

/** Names a graph (with its nested subgraphs) reads from enclosing scopes. */
export function capturedNames(graph: GraphProto): Set<string> {
  const defined = definedNames(graph);
  const captured = new Set<string>();
  const use = (name: string | null | undefined) => {
    if (name && !defined.has(name)) captured.add(name);
  };
  for (const node of graph.node ?? []) {
    for (const i of node.input ?? []) use(i);
    for (const sub of subgraphsOf(node)) for (const c of capturedNames(sub.graph)) use(c);
  }
  for (const o of graph.output ?? []) use(o.name);
  return captured;
}

/** Every name a node reads: its inputs plus what its subgraphs capture. */
export function nodeReads(node: NodeProto): string[] {
  const reads = (node.input ?? []).filter((i) => i);
  for (const sub of subgraphsOf(node)) reads.push(...capturedNames(sub.graph));
  return reads;
}

/** How many times each name is read inside a graph (node inputs, subgraph captures, graph outputs). */
export function useCounts(graph: GraphProto): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const node of graph.node ?? []) for (const r of nodeReads(node)) add(r);
  for (const o of graph.output ?? []) if (o.name) add(o.name);
  return counts;
}

/**
 * Every value and node name in the model, at every depth: the set fresh names must avoid. With `skip`,
 * names only inside that node's subgraphs are left out (they move when the node is inlined).
 */
export function allNames(model: ModelProto, skip?: NodeProto): Set<string> {
  const names = new Set<string>();
  const visit = (graph: GraphProto) => {
    // Plain loops, no spread copies: folding and simplifying ask for every name once per round.
    for (const list of [graph.input, graph.output, graph.valueInfo]) for (const v of list ?? []) if (v.name) names.add(v.name);
    for (const t of graph.initializer ?? []) if (t.name) names.add(t.name);
    for (const s of graph.sparseInitializer ?? []) if (s.values?.name) names.add(s.values.name);
    for (const node of graph.node ?? []) {
      if (node.name) names.add(node.name);
      for (const n of node.input ?? []) if (n) names.add(n);
      for (const n of node.output ?? []) if (n) names.add(n);
      if (node !== skip && node.attribute?.length) for (const sub of subgraphsOf(node)) visit(sub.graph);
    }
  };
  if (model.graph) visit(model.graph);
  return names;
}

/**
 * Node indices in an order where every producer comes before its consumers. Tolerates unsorted graphs
 * (real exporters write them) and keeps the original order where it is already valid; nodes in a cycle
 * or reading undefined names keep their relative order at the end.
 */
export function topologicalOrder(graph: GraphProto): number[] {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  return topologicalSort(nodes.length, function* (i) {
    for (const r of nodeReads(nodes[i])) {
      const p = producer.get(r);
      if (p !== undefined) yield p;
    }
  });
}

/** Default-domain opset version of a model (1 when undeclared). */
export function defaultOpset(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry?.version != null ? int64ToNumber(entry.version) : 1;
}

/** Whether initializers listed as graph inputs are overridable defaults (IR >= 4) or plain constants. */
export function initializersOverridable(model: ModelProto): boolean {
  return int64ToNumber(model.irVersion) >= 4;
}
