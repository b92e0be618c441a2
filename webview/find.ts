// Find in the current graph: node names, operator types and tensor names. Pure matching here; the
// widget in findWidget.ts shows the results and jumps to them.
import { formatDims } from '../src/core/format.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';

export interface FindResult {
  kind: 'node' | 'tensor';
  /** Node index, or value index for tensors. */
  index: number;
  /** The node to show: the node itself, or the tensor's producer (else its first consumer). */
  node: number;
  label: string;
  detail: string;
}

export const MAX_RESULTS = 1000;

export function findInGraph(graph: GraphView, query: string): { results: FindResult[]; total: number } {
  const q = query.trim().toLowerCase();
  const results: FindResult[] = [];
  let total = 0;
  if (!q) return { results, total };
  const push = (r: FindResult) => {
    total++;
    if (results.length < MAX_RESULTS) results.push(r);
  };
  graph.nodes.forEach((node, i) => {
    if (node.hidden) return;
    if (node.name.toLowerCase().includes(q) || node.op.toLowerCase().includes(q)) push({ kind: 'node', index: i, node: i, label: node.name || `${node.op} #${i}`, detail: node.domain ? `${node.domain}.${node.op}` : node.op });
  });
  graph.values.forEach((value, v) => {
    if (!value.name.toLowerCase().includes(q)) return;
    const visibleConsumer = value.consumers.find((c) => !graph.nodes[c].hidden);
    const node = value.producer >= 0 && !graph.nodes[value.producer].hidden ? value.producer : visibleConsumer ?? -1;
    push({ kind: 'tensor', index: v, node, label: value.name, detail: `${value.type || '?'}${value.shape ? formatDims(value.shape) : ''}` });
  });
  return { results, total };
}
