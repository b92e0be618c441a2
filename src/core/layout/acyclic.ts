import { buildCsr } from './csr.js';

/**
 * Finds edges whose reversal makes the graph acyclic: the back edges of a depth-first search that
 * starts from the sources in index order, then from any node not reached yet. Iterative, so deep
 * chains cannot overflow the stack. Self-loops must be removed beforehand.
 */
export function findBackEdges(n: number, from: Int32Array, to: Int32Array, m: number): Uint8Array {
  const reversed = new Uint8Array(m);
  const out = buildCsr(n, from, to, m);
  const indegree = new Int32Array(n);
  for (let e = 0; e < m; e++) indegree[to[e]]++;
  // 0 unvisited, 1 on the DFS stack, 2 finished.
  const state = new Uint8Array(n);
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  const visit = (root: number): void => {
    let top = 0;
    stack[0] = root;
    cursor[root] = out.start[root];
    state[root] = 1;
    while (top >= 0) {
      const v = stack[top];
      const i = cursor[v];
      if (i === out.start[v + 1]) {
        state[v] = 2;
        top--;
        continue;
      }
      cursor[v] = i + 1;
      const w = out.adj[i];
      if (state[w] === 0) {
        state[w] = 1;
        cursor[w] = out.start[w];
        stack[++top] = w;
      } else if (state[w] === 1) {
        reversed[out.edge[i]] = 1;
      }
    }
  };
  for (let v = 0; v < n; v++) if (indegree[v] === 0 && state[v] === 0) visit(v);
  for (let v = 0; v < n; v++) if (state[v] === 0) visit(v);
  return reversed;
}
