// Finding the node an edit names, and saying it back in labels.
import type { GraphProto, NodeProto } from '../model/proto.js';
import { EditRefused } from './errors.js';
import type { NodeRef } from './types.js';

export interface ResolvedNode {
  index: number;
  node: NodeProto;
}

/** The node `ref` names in `graph`; a name must be unique there. */
export function resolveNode(graph: GraphProto, ref: NodeRef): ResolvedNode {
  const nodes = graph.node ?? [];
  if ('index' in ref) {
    if (!Number.isInteger(ref.index) || ref.index < 0 || ref.index >= nodes.length) throw new EditRefused(`No node ${ref.index} in this graph: it has ${nodes.length} nodes.`);
    return { index: ref.index, node: nodes[ref.index] };
  }
  const matches = nodes.flatMap((node, index) => (node.name === ref.name ? [{ index, node }] : []));
  if (matches.length === 0) throw new EditRefused(`No node named '${ref.name}' in this graph.`);
  if (matches.length > 1) throw new EditRefused(`${matches.length} nodes are named '${ref.name}'; choose one by its index.`);
  return matches[0];
}

/** 'Conv "conv1"' or 'Conv node 3' for labels and messages. */
export function nodeText(resolved: ResolvedNode): string {
  const op = resolved.node.opType || 'node';
  return resolved.node.name ? `${op} '${resolved.node.name}'` : `${op} node ${resolved.index}`;
}
