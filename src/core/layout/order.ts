import type { Layered } from './layered.js';

/** Left-to-right order of every layer: nodes[layerStart[r] .. layerStart[r + 1]) is rank r. */
export interface Ordering {
  layerStart: Int32Array;
  nodes: Int32Array;
  /** Index of each node within its layer. */
  pos: Int32Array;
}

/**
 * Sweeps stop after visiting about this many adjacency entries in all (but do at least MIN_SWEEPS):
 * a bound on time for huge graphs that, unlike a clock, keeps the output deterministic.
 */
const SWEEP_WORK = 3e7;
const MAX_SWEEPS = 24;
const MIN_SWEEPS = 4;
/** Upper bound on neighbour pairs compared by the adjacent-swap passes, over all sweeps. */
const TRANSPOSE_WORK = 4e6;
/** Pairs of nodes with more neighbour pairs than this are not considered for a swap. */
const TRANSPOSE_PAIR_LIMIT = 400;
/** Sweeps without a better crossing count before giving up. */
const PATIENCE = 4;

/**
 * Orders each layer to reduce edge crossings: a depth-first initial order, then alternating
 * downward and upward median sweeps with adjacent swaps, keeping the order with the fewest crossings.
 */
export function orderLayers(g: Layered): Ordering {
  const ordering = initialOrder(g);
  const { layerStart, nodes } = ordering;
  let widest = 0;
  for (let r = 0; r < g.rankCount; r++) widest = Math.max(widest, layerStart[r + 1] - layerStart[r]);
  const scratch = new Scratch(widest);
  let best = countCrossings(g, ordering, scratch);
  if (best === 0 || g.rankCount < 2) return ordering;
  const bestNodes = nodes.slice();
  const work = g.size + g.down.adj.length;
  const maxSweeps = Math.max(MIN_SWEEPS, Math.min(MAX_SWEEPS, Math.floor(SWEEP_WORK / Math.max(1, work))));
  let stale = 0;
  let transposeBudget = TRANSPOSE_WORK;
  for (let i = 0; i < maxSweeps && stale < PATIENCE; i++) {
    const downward = i % 2 === 0;
    sweep(g, ordering, downward, i % 4 >= 2, scratch);
    if (transposeBudget > 0) transposeBudget -= transpose(g, ordering, downward);
    const crossings = countCrossings(g, ordering, scratch);
    if (crossings < best) {
      best = crossings;
      bestNodes.set(nodes);
      stale = 0;
      if (best === 0) break;
    } else {
      stale++;
    }
  }
  nodes.set(bestNodes);
  for (let r = 0; r < g.rankCount; r++) {
    for (let i = layerStart[r]; i < layerStart[r + 1]; i++) ordering.pos[nodes[i]] = i - layerStart[r];
  }
  return ordering;
}

class Scratch {
  readonly median: Float64Array;
  readonly keys: Int32Array;
  readonly layer: Int32Array;
  tree = new Int32Array(0);
  positions = new Int32Array(16);
  constructor(widest: number) {
    this.median = new Float64Array(widest);
    this.keys = new Int32Array(widest);
    this.layer = new Int32Array(widest);
  }
}

/** Depth-first from the real nodes taken by rank: connected nodes start out next to each other. */
function initialOrder(g: Layered): Ordering {
  const layerStart = new Int32Array(g.rankCount + 1);
  for (let v = 0; v < g.size; v++) layerStart[g.rank[v] + 1]++;
  for (let r = 0; r < g.rankCount; r++) layerStart[r + 1] += layerStart[r];
  const fill = layerStart.slice(0, g.rankCount);
  const nodes = new Int32Array(g.size);
  const pos = new Int32Array(g.size);
  // Real nodes by rank, then index (counting sort).
  const byRank = new Int32Array(g.real);
  const rankFill = new Int32Array(g.rankCount + 1);
  for (let v = 0; v < g.real; v++) rankFill[g.rank[v] + 1]++;
  for (let r = 0; r < g.rankCount; r++) rankFill[r + 1] += rankFill[r];
  for (let v = 0; v < g.real; v++) byRank[rankFill[g.rank[v]]++] = v;
  const visited = new Uint8Array(g.size);
  const stack = new Int32Array(g.down.adj.length + 1);
  const { start, adj } = g.down;
  for (const root of byRank) {
    if (visited[root]) continue;
    let top = 0;
    stack[top++] = root;
    while (top > 0) {
      const v = stack[--top];
      if (visited[v]) continue;
      visited[v] = 1;
      const r = g.rank[v];
      pos[v] = fill[r] - layerStart[r];
      nodes[fill[r]++] = v;
      // Pushed in reverse so the first successor is visited first.
      for (let i = start[v + 1] - 1; i >= start[v]; i--) if (!visited[adj[i]]) stack[top++] = adj[i];
    }
  }
  return { layerStart, nodes, pos };
}

function sweep(g: Layered, o: Ordering, downward: boolean, biasRight: boolean, s: Scratch): void {
  const first = downward ? 1 : g.rankCount - 2;
  const step = downward ? 1 : -1;
  for (let r = first; r >= 0 && r < g.rankCount; r += step) reorderLayer(g, o, r, downward, biasRight, s);
}

/**
 * Sorts one layer by the median relative position of each node's neighbours in the layer just fixed.
 * A node with no neighbour there (a weight pulled down beside its consumer) goes by its neighbours
 * on the other side instead, and a node with none at all keeps its relative place.
 */
function reorderLayer(g: Layered, o: Ordering, r: number, downward: boolean, biasRight: boolean, s: Scratch): void {
  const base = o.layerStart[r];
  const k = o.layerStart[r + 1] - base;
  if (k < 2) return;
  const primary = downward ? g.up : g.down;
  const secondary = downward ? g.down : g.up;
  const pr = downward ? r - 1 : r + 1;
  const sr = downward ? r + 1 : r - 1;
  const primarySize = o.layerStart[pr + 1] - o.layerStart[pr];
  const secondarySize = sr >= 0 && sr < g.rankCount ? o.layerStart[sr + 1] - o.layerStart[sr] : 1;
  const { median, keys, layer } = s;
  for (let i = 0; i < k; i++) {
    const v = o.nodes[base + i];
    layer[i] = v;
    keys[i] = i;
    let nb = primary;
    let size = primarySize;
    if (nb.start[v] === nb.start[v + 1]) {
      nb = secondary;
      size = secondarySize;
    }
    const from = nb.start[v];
    const to = nb.start[v + 1];
    if (from === to) {
      median[i] = (i + 0.5) / k;
      continue;
    }
    const d = to - from;
    if (s.positions.length < d) s.positions = new Int32Array(2 * d);
    const p = s.positions.subarray(0, d);
    for (let j = 0; j < d; j++) p[j] = o.pos[nb.adj[from + j]];
    if (d > 2) sortSmall(p);
    const middle = d % 2 === 1 ? p[(d - 1) >> 1] : (p[d / 2 - 1] + p[d / 2]) / 2;
    median[i] = (middle + 0.5) / size;
  }
  const sorted = keys.subarray(0, k);
  sorted.sort(biasRight ? (a, b) => median[a] - median[b] || b - a : (a, b) => median[a] - median[b] || a - b);
  for (let i = 0; i < k; i++) {
    const v = layer[sorted[i]];
    o.nodes[base + i] = v;
    o.pos[v] = i;
  }
}

/**
 * Swaps neighbours in a layer while that removes crossings with both adjacent layers (Gansner et
 * al.'s transpose step), a few passes at most. Returns the work done (neighbour pairs compared).
 */
function transpose(g: Layered, o: Ordering, downward: boolean): number {
  let work = 0;
  for (let pass = 0; pass < 4; pass++) {
    let improved = false;
    for (let step = 0; step < g.rankCount; step++) {
      const r = downward ? step : g.rankCount - 1 - step;
      const base = o.layerStart[r];
      const end = o.layerStart[r + 1];
      for (let i = base; i + 1 < end; i++) {
        const u = o.nodes[i];
        const v = o.nodes[i + 1];
        const costUp = pairCrossings(g.up.start, g.up.adj, o.pos, u, v);
        const costDown = pairCrossings(g.down.start, g.down.adj, o.pos, u, v);
        if (costUp < 0 || costDown < 0) continue;
        work += 2 * ((g.up.start[u + 1] - g.up.start[u]) * (g.up.start[v + 1] - g.up.start[v]) + (g.down.start[u + 1] - g.down.start[u]) * (g.down.start[v + 1] - g.down.start[v])) + 1;
        const swappedUp = pairCrossings(g.up.start, g.up.adj, o.pos, v, u);
        const swappedDown = pairCrossings(g.down.start, g.down.adj, o.pos, v, u);
        if (swappedUp + swappedDown < costUp + costDown) {
          o.nodes[i] = v;
          o.nodes[i + 1] = u;
          o.pos[v] = i - base;
          o.pos[u] = i + 1 - base;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return work;
}

/** Crossings among the edges of u (left) and v (right) to one adjacent layer; -1 when too many pairs to compare. */
function pairCrossings(start: Int32Array, adj: Int32Array, pos: Int32Array, u: number, v: number): number {
  const us = start[u];
  const ue = start[u + 1];
  const vs = start[v];
  const ve = start[v + 1];
  if ((ue - us) * (ve - vs) > TRANSPOSE_PAIR_LIMIT) return -1;
  let count = 0;
  for (let i = us; i < ue; i++) {
    const p = pos[adj[i]];
    for (let j = vs; j < ve; j++) if (pos[adj[j]] < p) count++;
  }
  return count;
}

/** Total crossings between all adjacent layers (Barth, Jünger and Mutzel's accumulator tree). */
function countCrossings(g: Layered, o: Ordering, s: Scratch): number {
  let total = 0;
  const { start, adj } = g.down;
  for (let r = 0; r + 1 < g.rankCount; r++) {
    const south = o.layerStart[r + 2] - o.layerStart[r + 1];
    let firstIndex = 1;
    while (firstIndex < south) firstIndex <<= 1;
    const treeSize = 2 * firstIndex - 1;
    firstIndex -= 1;
    if (s.tree.length < treeSize) s.tree = new Int32Array(treeSize);
    const tree = s.tree;
    tree.fill(0, 0, treeSize);
    for (let i = o.layerStart[r]; i < o.layerStart[r + 1]; i++) {
      const v = o.nodes[i];
      const degree = start[v + 1] - start[v];
      if (degree === 0) continue;
      if (s.positions.length < degree) s.positions = new Int32Array(degree * 2);
      const p = s.positions.subarray(0, degree);
      for (let j = 0; j < degree; j++) p[j] = o.pos[adj[start[v] + j]];
      if (degree > 1) sortSmall(p);
      for (let j = 0; j < degree; j++) {
        let index = p[j] + firstIndex;
        tree[index]++;
        while (index > 0) {
          if (index % 2) total += tree[index + 1];
          index = (index - 1) >> 1;
          tree[index]++;
        }
      }
    }
  }
  return total;
}

function sortSmall(a: Int32Array): void {
  if (a.length > 16) {
    a.sort();
    return;
  }
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}
