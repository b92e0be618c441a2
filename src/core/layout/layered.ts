import { buildCsr, type Csr } from './csr.js';

/** A proper layered graph: every edge joins adjacent ranks; long edges run through dummy nodes. */
export interface Layered {
  /** Real nodes are 0 .. real - 1, dummies real .. size - 1. */
  real: number;
  size: number;
  rank: Int32Array;
  rankCount: number;
  /** Dummies of edge e, top to bottom: chain[chainStart[e] .. chainEnd[e]). */
  chainStart: Int32Array;
  chainEnd: Int32Array;
  chain: Int32Array;
  /** Edges left out of the layered graph (see DUMMY_LIMIT): drawn straight, they do not shape the layout. */
  detached: Uint8Array;
  /** Successors (next rank) and predecessors (previous rank). */
  down: Csr;
  up: Csr;
}

/**
 * Most dummies a graph of n nodes gets. Real models need about one per node; random graphs with
 * many long edges can need millions. Beyond the limit the longest edges are detached.
 */
export function dummyLimit(n: number): number {
  return 200_000 + 10 * n;
}

/**
 * Splits every edge spanning several ranks into dummy nodes, one per crossed rank. The long edges
 * leaving one node share one trunk of dummies and branch off at their targets' ranks: a model input
 * read by every layer of a deep network costs one chain, not one per reader, and is drawn as a bus.
 */
export function buildLayered(n: number, nodeRank: Int32Array, from: Int32Array, to: Int32Array, m: number): Layered {
  let rankCount = 0;
  for (let v = 0; v < n; v++) if (nodeRank[v] + 1 > rankCount) rankCount = nodeRank[v] + 1;
  let longest = 0;
  for (let e = 0; e < m; e++) {
    const span = nodeRank[to[e]] - nodeRank[from[e]];
    if (span < 1) throw new Error('buildLayered needs edges pointing to a lower rank');
    longest = Math.max(longest, span);
  }
  // Longest span kept: the largest whose trunks fit in the dummy limit (binary search, trunks grow with it).
  const reach = new Int32Array(n);
  const trunks = (maxSpan: number): number => {
    reach.fill(0);
    for (let e = 0; e < m; e++) {
      const span = nodeRank[to[e]] - nodeRank[from[e]];
      if (span > 1 && span <= maxSpan && nodeRank[to[e]] > reach[from[e]]) reach[from[e]] = nodeRank[to[e]];
    }
    let total = 0;
    for (let v = 0; v < n; v++) if (reach[v] > 0) total += reach[v] - nodeRank[v] - 1;
    return total;
  };
  let maxSpan = longest;
  if (trunks(maxSpan) > dummyLimit(n)) {
    let lo = 1;
    let hi = longest;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (trunks(mid) <= dummyLimit(n)) lo = mid;
      else hi = mid - 1;
    }
    maxSpan = lo;
    trunks(maxSpan);
  }
  const detached = new Uint8Array(m);
  const trunkStart = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) trunkStart[v + 1] = trunkStart[v] + (reach[v] > 0 ? reach[v] - nodeRank[v] - 1 : 0);
  const dummies = trunkStart[n];
  const size = n + dummies;
  const rank = new Int32Array(size);
  rank.set(nodeRank.subarray(0, n));
  const chain = new Int32Array(dummies);
  for (let v = 0; v < n; v++) {
    for (let i = trunkStart[v]; i < trunkStart[v + 1]; i++) {
      chain[i] = n + i;
      rank[n + i] = nodeRank[v] + 1 + i - trunkStart[v];
    }
  }
  let count = dummies;
  for (let e = 0; e < m; e++) if (nodeRank[to[e]] - nodeRank[from[e]] <= maxSpan) count++;
  const lf = new Int32Array(count);
  const lt = new Int32Array(count);
  const chainStart = new Int32Array(m);
  const chainEnd = new Int32Array(m);
  const trunkLaid = new Uint8Array(n);
  let k = 0;
  for (let e = 0; e < m; e++) {
    const a = from[e];
    const span = nodeRank[to[e]] - nodeRank[a];
    chainStart[e] = chainEnd[e] = trunkStart[a];
    if (span > maxSpan) {
      detached[e] = 1;
      continue;
    }
    if (span === 1) {
      lf[k] = a;
      lt[k++] = to[e];
      continue;
    }
    // The trunk goes in with the node's first long edge, keeping edge order for the initial ordering.
    if (!trunkLaid[a]) {
      trunkLaid[a] = 1;
      let prev = a;
      for (let i = trunkStart[a]; i < trunkStart[a + 1]; i++) {
        lf[k] = prev;
        lt[k++] = chain[i];
        prev = chain[i];
      }
    }
    chainEnd[e] = trunkStart[a] + span - 1;
    lf[k] = chain[chainEnd[e] - 1];
    lt[k++] = to[e];
  }
  return {
    real: n,
    size,
    rank,
    rankCount,
    chainStart,
    chainEnd,
    chain,
    detached,
    down: buildCsr(size, lf, lt, count),
    up: buildCsr(size, lt, lf, count),
  };
}
