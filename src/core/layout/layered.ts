import { buildCsr, type Csr } from './csr.js';

/** A proper layered graph: every edge joins adjacent ranks; long edges run through dummy nodes. */
export interface Layered {
  /** Real nodes are 0 .. real - 1, dummies real .. size - 1. */
  real: number;
  size: number;
  rank: Int32Array;
  rankCount: number;
  /** Dummies of edge e, top to bottom: chain[chainStart[e] .. chainStart[e + 1]). */
  chainStart: Int32Array;
  chain: Int32Array;
  /** Successors (next rank) and predecessors (previous rank). */
  down: Csr;
  up: Csr;
}

/** Splits every edge spanning several ranks into a chain of dummy nodes, one per crossed rank. */
export function buildLayered(n: number, nodeRank: Int32Array, from: Int32Array, to: Int32Array, m: number): Layered {
  let dummies = 0;
  let rankCount = 0;
  for (let v = 0; v < n; v++) if (nodeRank[v] + 1 > rankCount) rankCount = nodeRank[v] + 1;
  const chainStart = new Int32Array(m + 1);
  for (let e = 0; e < m; e++) {
    const span = nodeRank[to[e]] - nodeRank[from[e]];
    if (span < 1) throw new Error('buildLayered needs edges pointing to a lower rank');
    dummies += span - 1;
    chainStart[e + 1] = dummies;
  }
  const size = n + dummies;
  const rank = new Int32Array(size);
  rank.set(nodeRank.subarray(0, n));
  const chain = new Int32Array(dummies);
  const count = m + dummies;
  const lf = new Int32Array(count);
  const lt = new Int32Array(count);
  let k = 0;
  let next = n;
  for (let e = 0; e < m; e++) {
    let prev = from[e];
    for (let i = chainStart[e]; i < chainStart[e + 1]; i++) {
      const d = next++;
      chain[i] = d;
      rank[d] = rank[prev] + 1;
      lf[k] = prev;
      lt[k++] = d;
      prev = d;
    }
    lf[k] = prev;
    lt[k++] = to[e];
  }
  return {
    real: n,
    size,
    rank,
    rankCount,
    chainStart,
    chain,
    down: buildCsr(size, lf, lt, count),
    up: buildCsr(size, lt, lf, count),
  };
}
