// A rewrite: one pattern, matched on one graph at a time; it claims the nodes of each match, edits them
// through RewriteGraph and returns how many matches it rewrote.
import type { NodeProto } from '../../model/proto.js';
import { type RewriteGraph } from './rewriteGraph.js';
import { isDefaultDomain } from '../../model/graphQueries.js';

export interface Rewrite {
  /** Short id (options, tests): 'conv-bn'. */
  readonly id: string;
  /** What the report calls it: 'Conv + BatchNormalization fused'. */
  readonly title: string;
  apply(g: RewriteGraph): number;
}

/** Runs `rewrite` on every free default-domain node of these op types; how many it rewrote. */
export function rewriteEach(g: RewriteGraph, opTypes: readonly string[], rewrite: (g: RewriteGraph, node: NodeProto) => boolean): number {
  let count = 0;
  for (const node of g.nodes()) if (opTypes.includes(node.opType ?? '') && isDefaultDomain(node) && g.free(node) && rewrite(g, node)) count++;
  return count;
}
