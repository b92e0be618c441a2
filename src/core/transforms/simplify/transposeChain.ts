// Transpose of a Transpose: one Transpose with the composed permutation, or none when they cancel.
import type { NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { intsAttr, isDefaultDomain, setAttr, type RewriteGraph } from './rewriteGraph.js';

/** The permutation a Transpose applies (no perm: the axes reversed, which needs the rank). */
export function permutation(g: RewriteGraph, transpose: NodeProto): number[] | undefined {
  const perm = intsAttr(transpose, 'perm');
  if (perm) return perm;
  const rank = g.rank(transpose.input?.[0]);
  return rank === undefined ? undefined : Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

export const isIdentityPermutation = (perm: number[]) => perm.every((p, i) => p === i);

function fuse(g: RewriteGraph, outer: NodeProto): boolean {
  const mid = outer.input?.[0];
  const out = outer.output?.[0];
  const inner = g.producerOf(mid, 'Transpose');
  if (!inner || !mid || !out) return false;
  const p1 = permutation(g, inner);
  const p2 = permutation(g, outer);
  const source = inner.input?.[0];
  if (!p1 || !p2 || p1.length !== p2.length || !source) return false;
  const composed = p2.map((i) => p1[i]);
  const single = g.onlyFor(mid, outer);
  if (isIdentityPermutation(composed) && !g.isProtected(out)) {
    // Readers of the result read the source; the inner Transpose goes when nothing else reads it. It is
    // claimed all the same: no other match of this pass may move the source it reads.
    if (!g.claim(outer, inner)) return false;
    g.reroute(out, source);
    g.remove(outer);
    return true;
  }
  if (!single || !g.claim(outer, inner)) return false;
  if (isIdentityPermutation(composed)) {
    outer.opType = 'Identity';
    outer.attribute = [];
  } else {
    setAttr(outer, 'perm', composed);
  }
  outer.input = [source];
  g.remove(inner);
  return true;
}

export const transposeChain: Rewrite = {
  id: 'transpose-chain',
  title: 'Transpose pairs composed or cancelled',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'Transpose' && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    return count;
  },
};
