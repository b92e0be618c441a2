// A rewrite: one pattern, matched on one graph at a time; it claims the nodes of each match, edits them
// through RewriteGraph and returns how many matches it rewrote.
import type { RewriteGraph } from './rewriteGraph.js';

export interface Rewrite {
  /** Short id (options, tests): 'conv-bn'. */
  readonly id: string;
  /** What the report calls it: 'Conv + BatchNormalization fused'. */
  readonly title: string;
  apply(g: RewriteGraph): number;
}
