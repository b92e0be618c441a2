// Kahn's algorithm with a min-heap on the original index: a graph that is already sorted keeps its
// order, and one that is not is sorted with as little movement as possible. O(E + V log V), which
// matters for graphs with thousands of ready nodes at once (every weight and Constant is a source).

/**
 * Item indices so that each item comes after the items `dependencies(i)` names. Items on a cycle
 * (invalid, but seen in real files) follow at the end in index order.
 */
export function topologicalSort(count: number, dependencies: (i: number) => Iterable<number>): number[] {
  const pending = new Uint32Array(count);
  const dependents: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < count; i++) {
    const seen = new Set<number>();
    for (const d of dependencies(i)) {
      if (d === i || d < 0 || d >= count || seen.has(d)) continue;
      seen.add(d);
      dependents[d].push(i);
    }
    pending[i] = seen.size;
  }
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
    for (const d of dependents[i]) if (--pending[d] === 0) push(d);
  }
  for (let i = 0; i < count; i++) if (!placed[i]) order.push(i);
  return order;
}
