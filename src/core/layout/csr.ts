/** Compressed adjacency: the neighbours of v are adj[start[v] .. start[v + 1]). */
export interface Csr {
  start: Int32Array;
  adj: Int32Array;
  /** Index of the edge each adjacency entry came from. */
  edge: Int32Array;
}

/** Builds out-adjacency (from -> to) for m edges over n nodes; entries keep edge order, so results are deterministic. */
export function buildCsr(n: number, from: Int32Array, to: Int32Array, m: number): Csr {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[from[e] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const adj = new Int32Array(m);
  const edge = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    const i = fill[from[e]]++;
    adj[i] = to[e];
    edge[i] = e;
  }
  return { start, adj, edge };
}
