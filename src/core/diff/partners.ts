// Which node of the other model each node stands against, for the side-by-side diff: selecting a node on
// one side selects this one on the other, and the cameras follow each other through it. Paired nodes
// map to each other; a group (a Gemm replaced by quantized nodes, dequantize nodes gained in front of a
// paired node) maps each of its nodes to the first node of the other side's part of it.
import type { GraphDiff } from './types.js';

export interface NodePartners {
  /** Per node of the first model: its partner in the second (-1: none, e.g. removed or folded). */
  aToB: number[];
  /** Per node of the second model: its partner in the first (-1: none, e.g. inserted or unfolded). */
  bToA: number[];
}

export function nodePartners(diff: GraphDiff): NodePartners {
  const aToB = new Array<number>(diff.counts.nodes.a).fill(-1);
  const bToA = new Array<number>(diff.counts.nodes.b).fill(-1);
  for (const p of diff.nodes) {
    aToB[p.a] = p.b;
    bToA[p.b] = p.a;
  }
  for (const g of diff.groups) {
    // Gained nodes sit in front of a paired node: their partner is that node's partner.
    const pair = g.pair !== undefined ? diff.nodes[g.pair] : undefined;
    const toB = g.b.length ? g.b[0] : pair ? pair.b : -1;
    const toA = g.a.length ? g.a[0] : pair ? pair.a : -1;
    for (const i of g.a) aToB[i] = toB;
    for (const j of g.b) bToA[j] = toA;
  }
  return { aToB, bToA };
}
