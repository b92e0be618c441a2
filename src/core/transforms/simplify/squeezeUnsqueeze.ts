// Squeeze(Unsqueeze(x, a), a) and Unsqueeze(Squeeze(x, a), a) are x: the axes removed are the ones added
// (Squeeze only removes dims of size 1, so putting them back restores x).
import type { NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { intsAttr, isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';

/** A Squeeze/Unsqueeze's axes (attribute before opset 13, constant input after); undefined when not known. */
export function axesOf(g: RewriteGraph, node: NodeProto): number[] | undefined {
  return intsAttr(node, 'axes') ?? (node.input?.[1] ? g.constantNumbers(node.input[1]) : undefined);
}

/** Axes as a sorted list of non-negative positions in a tensor of `rank`. */
function normalized(axes: number[], rank: number | undefined): number[] | undefined {
  if (axes.some((a) => a < 0) && rank === undefined) return undefined;
  return axes.map((a) => (a < 0 ? a + rank! : a)).sort((a, b) => a - b);
}

function cancel(g: RewriteGraph, outer: NodeProto): boolean {
  const mid = outer.input?.[0];
  const out = outer.output?.[0];
  const inner = g.producerOf(mid, outer.opType === 'Squeeze' ? 'Unsqueeze' : 'Squeeze');
  const source = inner?.input?.[0];
  if (!inner || !mid || !out || !source || g.isProtected(out)) return false;
  const outerAxes = axesOf(g, outer);
  const innerAxes = axesOf(g, inner);
  if (!outerAxes?.length || !innerAxes?.length) return false;
  // Squeeze(Unsqueeze): both index the unsqueezed tensor. Unsqueeze(Squeeze): the squeezed axes index x
  // and the unsqueezed ones the result, both of x's rank.
  const rank = outer.opType === 'Squeeze' ? g.rank(mid) : g.rank(source);
  const a = normalized(outerAxes, rank);
  const b = normalized(innerAxes, rank);
  if (!a || !b || a.length !== b.length || a.some((v, i) => v !== b[i]) || !g.claim(outer, inner)) return false;
  g.reroute(out, source);
  g.remove(outer);
  return true;
}

export const squeezeUnsqueeze: Rewrite = {
  id: 'squeeze-unsqueeze',
  title: 'Squeeze/Unsqueeze pairs removed',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) {
      if ((node.opType === 'Squeeze' || node.opType === 'Unsqueeze') && isDefaultDomain(node) && g.free(node) && cancel(g, node)) count++;
    }
    return count;
  },
};
