// The graph both layout engines get: the operator nodes (Constant nodes folded away, as the graph view
// does), graph inputs and outputs, one edge per produced value and consumer, boxes sized by their label.
import type { LayoutEdge, LayoutNode } from '../../src/core/layout/index.js';
import type { ModelProto } from '../../src/core/model/proto.js';

export function layoutInput(model: ModelProto): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const graph = model.graph ?? {};
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  const producer = new Map<string, string>();
  const box = (label: string): Pick<LayoutNode, 'width' | 'height'> => ({ width: Math.max(48, 7 * label.length + 24), height: 28 });
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  for (const input of graph.input ?? []) {
    if (initializers.has(input.name)) continue;
    nodes.push({ id: `input:${input.name}`, ...box(input.name ?? '') });
    producer.set(input.name ?? '', `input:${input.name}`);
  }
  (graph.node ?? []).forEach((node, i) => {
    if (node.opType === 'Constant') return;
    const id = `node:${i}`;
    nodes.push({ id, ...box(node.opType ?? '') });
    for (const input of node.input ?? []) {
      const from = producer.get(input);
      if (from) edges.push({ from, to: id });
    }
    for (const output of node.output ?? []) producer.set(output, id);
  });
  for (const output of graph.output ?? []) {
    const id = `output:${output.name}`;
    nodes.push({ id, ...box(output.name ?? '') });
    const from = producer.get(output.name ?? '');
    if (from) edges.push({ from, to: id });
  }
  return { nodes, edges };
}
