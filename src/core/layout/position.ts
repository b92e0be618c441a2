import type { Csr } from './csr.js';
import type { Layered } from './layered.js';
import type { Ordering } from './order.js';

/** Alignments wider than this times the narrowest are left out of the balance. */
const DRIFT_LIMIT = 1.25;
/** Passes of centring real nodes on their neighbours after balancing. */
const STRAIGHTEN_SWEEPS = 4;

/**
 * Horizontal centres by Brandes and Köpf: four vertical alignments (up/down x left/right), each
 * compacted, then balanced. Linear in the size of the layered graph, no recursion. Long edges stay
 * straight because segments between two dummies win over others when they would cross.
 * half[v] is half the room node v needs beside its neighbours (half its width plus half its spacing).
 */
export function positionX(g: Layered, o: Ordering, width: Float64Array, half: Float64Array): Float64Array {
  const n = g.size;
  const x = new Float64Array(n);
  if (n === 0) return x;
  const up = sortedByPosition(g.up, o, g.rank, n);
  const down = sortedByPosition(g.down, o, g.rank, n);
  const conflicts = findType1Conflicts(g, o, up);
  const layouts: Float64Array[] = [];
  const rightwards: boolean[] = [];
  for (const fromTop of [true, false]) {
    for (const leftFirst of [true, false]) {
      const { root } = verticalAlignment(g, o, fromTop ? up : down, fromTop, leftFirst, conflicts);
      const xs = horizontalCompaction(g, o, root, leftFirst, half);
      if (!leftFirst) for (let v = 0; v < n; v++) xs[v] = -xs[v];
      layouts.push(xs);
      rightwards.push(!leftFirst);
    }
  }
  // Align the four to the narrowest one. An extreme alignment can drift sideways over a long graph
  // (each layer a little further out); those are left out of the balance, so the result stays compact.
  let narrowest = 0;
  const widths: number[] = [];
  const mins: number[] = [];
  const maxs: number[] = [];
  for (let k = 0; k < 4; k++) {
    const xs = layouts[k];
    let lo = Infinity;
    let hi = -Infinity;
    let left = Infinity;
    let right = -Infinity;
    for (let v = 0; v < n; v++) {
      lo = Math.min(lo, xs[v]);
      hi = Math.max(hi, xs[v]);
      left = Math.min(left, xs[v] - width[v] / 2);
      right = Math.max(right, xs[v] + width[v] / 2);
    }
    mins.push(lo);
    maxs.push(hi);
    widths.push(right - left);
    if (right - left < widths[narrowest]) narrowest = k;
  }
  for (let k = 0; k < 4; k++) {
    const delta = rightwards[k] ? maxs[narrowest] - maxs[k] : mins[narrowest] - mins[k];
    if (delta !== 0) for (let v = 0; v < n; v++) layouts[k][v] += delta;
  }
  const chosen = layouts.filter((_, k) => widths[k] <= widths[narrowest] * DRIFT_LIMIT);
  balance(chosen, x);
  // Balancing mixes layouts per node, which can squeeze neighbours; push apart what got too close.
  for (let r = 0; r < g.rankCount; r++) {
    for (let i = o.layerStart[r] + 1; i < o.layerStart[r + 1]; i++) {
      const u = o.nodes[i - 1];
      const v = o.nodes[i];
      const min = x[u] + half[u] + half[v];
      if (x[v] < min) x[v] = min;
    }
  }
  centreOnNeighbours(g, o, x, half, up, down, STRAIGHTEN_SWEEPS);
  return x;
}

/**
 * Moves each real node, within the room its layer neighbours leave, to the median of its neighbours'
 * positions: evens out what the extreme alignments leave lopsided (a weight pushed to the far end of
 * its layer, a zig-zag along a chain). Dummies stay, so long edges stay straight. Near-linear per sweep.
 */
function centreOnNeighbours(g: Layered, o: Ordering, x: Float64Array, half: Float64Array, up: Int32Array, down: Int32Array, sweeps: number): void {
  let buffer = new Float64Array(64);
  for (let s = 0; s < sweeps; s++) {
    const downward = s % 2 === 0;
    for (let step = 0; step < g.rankCount; step++) {
      const r = downward ? step : g.rankCount - 1 - step;
      const base = o.layerStart[r];
      const end = o.layerStart[r + 1];
      for (let t = base; t < end; t++) {
        // Alternate the scan direction too, so neither side is favoured.
        const i = downward ? t : end - 1 - (t - base);
        const v = o.nodes[i];
        if (v >= g.real) continue;
        const d = g.up.start[v + 1] - g.up.start[v] + g.down.start[v + 1] - g.down.start[v];
        if (d === 0) continue;
        if (buffer.length < d) buffer = new Float64Array(2 * d);
        let k = 0;
        for (let j = g.up.start[v]; j < g.up.start[v + 1]; j++) buffer[k++] = x[up[j]];
        for (let j = g.down.start[v]; j < g.down.start[v + 1]; j++) buffer[k++] = x[down[j]];
        const values = buffer.subarray(0, d);
        values.sort();
        let target = d % 2 === 1 ? values[(d - 1) >> 1] : (values[d / 2 - 1] + values[d / 2]) / 2;
        // On a chain (one edge in, one out) any place between the two is a median; following the
        // side the sweep comes from turns a staircase into a straight run with one bend.
        if (d === 2 && g.up.start[v + 1] - g.up.start[v] === 1) target = downward ? x[up[g.up.start[v]]] : x[down[g.down.start[v]]];
        // Only into free room: never closer to a layer neighbour than the spacing allows.
        const lo = i > base ? x[o.nodes[i - 1]] + half[o.nodes[i - 1]] + half[v] : -Infinity;
        const hi = i + 1 < end ? x[o.nodes[i + 1]] - half[o.nodes[i + 1]] - half[v] : Infinity;
        if (lo <= hi) x[v] = Math.min(hi, Math.max(lo, target));
      }
    }
  }
}

/** Per node, the median of the candidate positions (the mean of the middle two for an even count). */
function balance(layouts: Float64Array[], x: Float64Array): void {
  const n = x.length;
  if (layouts.length === 1) x.set(layouts[0]);
  else if (layouts.length === 2) for (let v = 0; v < n; v++) x[v] = (layouts[0][v] + layouts[1][v]) / 2;
  else if (layouts.length === 3) {
    const [a, b, c] = layouts;
    for (let v = 0; v < n; v++) x[v] = Math.max(Math.min(a[v], b[v]), Math.min(Math.max(a[v], b[v]), c[v]));
  } else {
    const [a, b, c, d] = layouts;
    for (let v = 0; v < n; v++) {
      // Middle two of four: the larger of the two minima and the smaller of the two maxima.
      x[v] = (Math.max(Math.min(a[v], b[v]), Math.min(c[v], d[v])) + Math.min(Math.max(a[v], b[v]), Math.max(c[v], d[v]))) / 2;
    }
  }
}

/** A copy of the adjacency with each node's neighbours sorted left to right. */
function sortedByPosition(csr: Csr, o: Ordering, rank: Int32Array, n: number): Int32Array {
  const adj = csr.adj.slice();
  const { pos } = o;
  let tmp = new Int32Array(16);
  for (let v = 0; v < n; v++) {
    const s = csr.start[v];
    const d = csr.start[v + 1] - s;
    if (d < 2) continue;
    if (d <= 16) {
      for (let i = s + 1; i < s + d; i++) {
        const w = adj[i];
        let j = i - 1;
        while (j >= s && pos[adj[j]] > pos[w]) {
          adj[j + 1] = adj[j];
          j--;
        }
        adj[j + 1] = w;
      }
    } else {
      if (tmp.length < d) tmp = new Int32Array(d);
      const seg = tmp.subarray(0, d);
      for (let i = 0; i < d; i++) seg[i] = pos[adj[s + i]];
      seg.sort();
      // Neighbours share one layer, so positions are distinct and map back to nodes.
      const base = o.layerStart[rank[adj[s]]];
      for (let i = 0; i < d; i++) adj[s + i] = o.nodes[base + seg[i]];
    }
  }
  return adj;
}

/**
 * Marks segments that cross an inner segment (one joining two dummies), so that alignment prefers
 * keeping long edges straight. Keys are min * size + max.
 */
function findType1Conflicts(g: Layered, o: Ordering, up: Int32Array): Set<number> {
  const conflicts = new Set<number>();
  const { real, size } = g;
  const start = g.up.start;
  for (let r = 1; r < g.rankCount; r++) {
    const base = o.layerStart[r];
    const k = o.layerStart[r + 1] - base;
    const previousLength = o.layerStart[r] - o.layerStart[r - 1];
    let k0 = 0;
    let scan = 0;
    for (let i = 0; i < k; i++) {
      const v = o.nodes[base + i];
      // A dummy has exactly one predecessor; the segment is inner when that one is a dummy too.
      const inner = v >= real && start[v + 1] > start[v] && up[start[v]] >= real;
      if (!inner && i !== k - 1) continue;
      const k1 = inner ? o.pos[up[start[v]]] : previousLength;
      for (; scan <= i; scan++) {
        const w = o.nodes[base + scan];
        for (let j = start[w]; j < start[w + 1]; j++) {
          const u = up[j];
          const p = o.pos[u];
          if ((p < k0 || k1 < p) && !(u >= real && w >= real)) conflicts.add(Math.min(u, w) * size + Math.max(u, w));
        }
      }
      k0 = k1;
    }
  }
  return conflicts;
}

/** Aligns each node with a median neighbour in the previous layer, forming blocks drawn at one x. */
function verticalAlignment(
  g: Layered,
  o: Ordering,
  neighbours: Int32Array,
  fromTop: boolean,
  leftFirst: boolean,
  conflicts: Set<number>,
): { root: Int32Array; align: Int32Array } {
  const n = g.size;
  const root = new Int32Array(n);
  const align = new Int32Array(n);
  for (let v = 0; v < n; v++) root[v] = align[v] = v;
  const start = (fromTop ? g.up : g.down).start;
  const checkConflicts = conflicts.size > 0;
  for (let step = 0; step < g.rankCount; step++) {
    const r = fromTop ? step : g.rankCount - 1 - step;
    const base = o.layerStart[r];
    const k = o.layerStart[r + 1] - base;
    // Layer widths of the neighbour layer, for mirrored positions.
    const nr = fromTop ? r - 1 : r + 1;
    const nk = nr >= 0 && nr < g.rankCount ? o.layerStart[nr + 1] - o.layerStart[nr] : 0;
    let previous = -1;
    for (let t = 0; t < k; t++) {
      const v = o.nodes[base + (leftFirst ? t : k - 1 - t)];
      const s = start[v];
      const d = start[v + 1] - s;
      if (d === 0) continue;
      const lowMedian = Math.floor((d - 1) / 2);
      const highMedian = Math.ceil((d - 1) / 2);
      for (let m = lowMedian; m <= highMedian; m++) {
        // Neighbours are sorted left to right; mirrored when aligning from the right.
        const w = neighbours[leftFirst ? s + m : s + d - 1 - m];
        const p = leftFirst ? o.pos[w] : nk - 1 - o.pos[w];
        if (align[v] !== v || previous >= p) continue;
        if (checkConflicts && conflicts.has(Math.min(v, w) * n + Math.max(v, w))) continue;
        align[w] = v;
        align[v] = root[v] = root[w];
        previous = p;
      }
    }
  }
  return { root, align };
}

/**
 * Places blocks as far left as their left neighbours allow (longest path over the block graph),
 * then lets blocks with slack move right towards their right neighbours.
 */
function horizontalCompaction(
  g: Layered,
  o: Ordering,
  root: Int32Array,
  leftFirst: boolean,
  half: Float64Array,
): Float64Array {
  const n = g.size;
  const edgeCount = Math.max(0, n - g.rankCount);
  const bf = new Int32Array(edgeCount);
  const bt = new Int32Array(edgeCount);
  const bw = new Float64Array(edgeCount);
  let m = 0;
  for (let r = 0; r < g.rankCount; r++) {
    const base = o.layerStart[r];
    const k = o.layerStart[r + 1] - base;
    for (let t = 1; t < k; t++) {
      const u = o.nodes[base + (leftFirst ? t - 1 : k - t)];
      const v = o.nodes[base + (leftFirst ? t : k - 1 - t)];
      bf[m] = root[u];
      bt[m] = root[v];
      bw[m++] = half[u] + half[v];
    }
  }
  const outStart = new Int32Array(n + 1);
  const inStart = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    outStart[bf[e] + 1]++;
    inStart[bt[e] + 1]++;
  }
  for (let v = 0; v < n; v++) {
    outStart[v + 1] += outStart[v];
    inStart[v + 1] += inStart[v];
  }
  const outEdge = new Int32Array(m);
  const inEdge = new Int32Array(m);
  const outFill = outStart.slice(0, n);
  const inFill = inStart.slice(0, n);
  for (let e = 0; e < m; e++) {
    outEdge[outFill[bf[e]]++] = e;
    inEdge[inFill[bt[e]]++] = e;
  }
  // Kahn's order over the blocks (their roots).
  const remaining = new Int32Array(n);
  for (let v = 0; v < n; v++) remaining[v] = inStart[v + 1] - inStart[v];
  const topo = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) if (root[v] === v && remaining[v] === 0) topo[tail++] = v;
  while (head < tail) {
    const v = topo[head++];
    for (let i = outStart[v]; i < outStart[v + 1]; i++) {
      const w = bt[outEdge[i]];
      if (--remaining[w] === 0) topo[tail++] = w;
    }
  }
  const xs = new Float64Array(n);
  for (let i = 0; i < tail; i++) {
    const v = topo[i];
    let x = 0;
    for (let j = inStart[v]; j < inStart[v + 1]; j++) {
      const e = inEdge[j];
      x = Math.max(x, xs[bf[e]] + bw[e]);
    }
    xs[v] = x;
  }
  for (let i = tail - 1; i >= 0; i--) {
    const v = topo[i];
    let min = Infinity;
    for (let j = outStart[v]; j < outStart[v + 1]; j++) {
      const e = outEdge[j];
      min = Math.min(min, xs[bt[e]] - bw[e]);
    }
    if (min !== Infinity && min > xs[v]) xs[v] = min;
  }
  for (let v = 0; v < n; v++) xs[v] = xs[root[v]];
  return xs;
}
