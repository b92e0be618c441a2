import { buildCsr } from './csr.js';

/** Where a node must go whatever its edges say: 1 the first rank (it is not pulled down), 2 the last (a sink). */
export type Pins = Uint8Array;
export const PIN_FIRST = 1;
export const PIN_LAST = 2;

/**
 * Layers an acyclic graph (no duplicate edges): longest path from the sources, then, walking
 * upwards, each node whose move cannot lengthen the drawing's edges in total is pulled down to just
 * above its nearest consumer. Model inputs, weights and shape chains then sit beside the node that
 * uses them instead of all at the top. Pinned nodes stay in the first rank or go to the last one (the
 * ports of a body drawn in place). Ranks start at 0.
 */
export function rankNodes(n: number, from: Int32Array, to: Int32Array, m: number, pins?: Pins): Int32Array {
  const out = buildCsr(n, from, to, m);
  const indegree = new Int32Array(n);
  for (let e = 0; e < m; e++) indegree[to[e]]++;
  const remaining = indegree.slice();
  const rank = new Int32Array(n);
  const topo = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) if (remaining[v] === 0) topo[tail++] = v;
  while (head < tail) {
    const v = topo[head++];
    const r = rank[v] + 1;
    for (let i = out.start[v], end = out.start[v + 1]; i < end; i++) {
      const w = out.adj[i];
      if (rank[w] < r) rank[w] = r;
      if (--remaining[w] === 0) topo[tail++] = w;
    }
  }
  if (tail !== n) throw new Error('rankNodes needs an acyclic graph');
  for (let k = n - 1; k >= 0; k--) {
    const v = topo[k];
    const outdegree = out.start[v + 1] - out.start[v];
    if (outdegree === 0 || pins?.[v] === PIN_FIRST) continue;
    const inn = indegree[v];
    if (inn !== 0 && outdegree <= inn && !(inn === 1 && outdegree === 1)) continue;
    let lowest = 0x7fffffff;
    for (let i = out.start[v], end = out.start[v + 1]; i < end; i++) lowest = Math.min(lowest, rank[out.adj[i]]);
    if (lowest - 1 > rank[v]) rank[v] = lowest - 1;
  }
  let min = 0x7fffffff;
  let max = 0;
  for (let v = 0; v < n; v++) {
    if (rank[v] < min) min = rank[v];
    if (rank[v] > max) max = rank[v];
  }
  if (pins) for (let v = 0; v < n; v++) if (pins[v] === PIN_LAST && out.start[v + 1] === out.start[v]) rank[v] = max;
  if (min > 0) for (let v = 0; v < n; v++) rank[v] -= min;
  return rank;
}
