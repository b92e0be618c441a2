// Kahn's algorithm with a min-heap on the original index: a graph that is already sorted keeps its
// order, and one that is not is sorted with as little movement as possible. O(E + V log V), which
// matters for graphs with thousands of ready nodes at once (every weight and Constant is a source).

/**
 * Item indices so that each item comes after the items `dependencies(i)` names: returned as an iterable,
 * or passed one by one to `add` (no list made per item, which counts for large graphs). Items on a cycle
 * (invalid, but seen in real files) follow at the end in index order.
 */
export function topologicalSort(count: number, dependencies: (i: number, add: (d: number) => void) => Iterable<number> | void): number[] {
  const pending = new Uint32Array(count);
  // Edges as flat (dependency, dependent) pairs, then grouped by dependency: no list per item.
  const edges: number[] = [];
  // lastDependent[d] === i + 1: d is already a dependency of i (a node reading one value twice).
  const lastDependent = new Int32Array(count);
  let current = 0;
  const add = (d: number) => {
    if (d === current || d < 0 || d >= count || lastDependent[d] === current + 1) return;
    lastDependent[d] = current + 1;
    edges.push(d, current);
    pending[current]++;
  };
  for (let i = 0; i < count; i++) {
    current = i;
    const listed = dependencies(i, add);
    if (listed) for (const d of listed) add(d);
  }
  const start = new Uint32Array(count + 1);
  for (let e = 0; e < edges.length; e += 2) start[edges[e] + 1]++;
  for (let i = 0; i < count; i++) start[i + 1] += start[i];
  const fill = start.slice(0, count);
  const dependents = new Uint32Array(edges.length / 2);
  for (let e = 0; e < edges.length; e += 2) dependents[fill[edges[e]]++] = edges[e + 1];
  const heap: number[] = [];
  const push = (v: number) => {
    let i = heap.push(v) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= v) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = v;
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const c = l + 1 < heap.length && heap[l + 1] < heap[l] ? l + 1 : l;
        if (heap[c] >= last) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  for (let i = 0; i < count; i++) if (pending[i] === 0) push(i);
  const order: number[] = [];
  const placed = new Uint8Array(count);
  while (heap.length) {
    const i = pop();
    order.push(i);
    placed[i] = 1;
    for (let k = start[i]; k < start[i + 1]; k++) if (--pending[dependents[k]] === 0) push(dependents[k]);
  }
  for (let i = 0; i < count; i++) if (!placed[i]) order.push(i);
  return order;
}
