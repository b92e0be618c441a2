// How good a layered drawing is, measured on the drawing alone so that the same code judges our layout
// and dagre's: edge crossings between adjacent layers, total edge length and the drawing's area.
// A layer is a distinct node-centre y (both engines centre the nodes of a rank on one line, top to bottom).

export interface Point {
  x: number;
  y: number;
}

/** A node by its centre and size. */
export interface DrawnNode {
  cx: number;
  cy: number;
  width: number;
  height: number;
}

export interface Drawing {
  nodes: Map<string, DrawnNode>;
  /** Each edge as drawn: a polyline from the source's border to the target's. */
  edges: Array<{ from: string; to: string; points: Point[] }>;
}

export interface DrawingQuality {
  /** Pairs of edge segments that cross between two adjacent layers. */
  crossings: number;
  /** Sum of the drawn polylines' lengths. */
  edgeLength: number;
  /** Bounding box of every node and edge point. */
  width: number;
  height: number;
  layers: number;
  /** Edges not pointing to a lower layer (none in a DAG drawn top to bottom): left out of the crossing count. */
  notDownward: number;
}

/** Coordinates closer than this are the same line (both engines place on fractional pixels). */
const EPSILON = 0.01;
const key = (v: number) => Math.round(v / EPSILON);

/**
 * Crossings: every edge becomes one segment per pair of adjacent layers it spans, from its x on the upper
 * layer to its x on the lower (the node centre at its ends, where its polyline crosses the layer's line in
 * between). Two segments cross when their order flips strictly between the two lines; segments drawn on
 * top of each other (edges sharing a route) are one line and count once.
 */
export function drawingQuality(drawing: Drawing): DrawingQuality {
  const levels = [...new Set([...drawing.nodes.values()].map((n) => key(n.cy)))].sort((a, b) => a - b);
  const layerOf = new Map(levels.map((level, i) => [level, i]));
  const layerY = levels.map((level) => level * EPSILON);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of drawing.nodes.values()) {
    minX = Math.min(minX, n.cx - n.width / 2);
    maxX = Math.max(maxX, n.cx + n.width / 2);
    minY = Math.min(minY, n.cy - n.height / 2);
    maxY = Math.max(maxY, n.cy + n.height / 2);
  }
  // Segments as (layer, top x, bottom x), packed for one sort.
  const segLayer: number[] = [];
  const segTop: number[] = [];
  const segBottom: number[] = [];
  let edgeLength = 0;
  let notDownward = 0;
  for (const edge of drawing.edges) {
    const points = edge.points;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
      if (i > 0) edgeLength += Math.hypot(p.x - points[i - 1].x, p.y - points[i - 1].y);
    }
    const a = drawing.nodes.get(edge.from);
    const b = drawing.nodes.get(edge.to);
    if (!a || !b) continue;
    const top = layerOf.get(key(a.cy))!;
    const bottom = layerOf.get(key(b.cy))!;
    if (bottom <= top) {
      notDownward++;
      continue;
    }
    let x = a.cx;
    let walk = 0;
    for (let layer = top + 1; layer <= bottom; layer++) {
      let next: number;
      if (layer === bottom) next = b.cx;
      else {
        const y = layerY[layer];
        while (walk + 1 < points.length - 1 && points[walk + 1].y < y) walk++;
        next = xAt(points, walk, y, x);
      }
      segLayer.push(layer - 1);
      segTop.push(key(x));
      segBottom.push(key(next));
      x = next;
    }
  }
  return {
    crossings: countCrossings(segLayer, segTop, segBottom),
    edgeLength,
    width: Number.isFinite(maxX) ? maxX - minX : 0,
    height: Number.isFinite(maxY) ? maxY - minY : 0,
    layers: levels.length,
    notDownward,
  };
}

/** x where the polyline, from point `i` on, meets the line at y; `fallback` when it never does. */
function xAt(points: Point[], i: number, y: number, fallback: number): number {
  for (let j = i; j + 1 < points.length; j++) {
    const p = points[j];
    const q = points[j + 1];
    if ((p.y - y) * (q.y - y) <= 0) return p.y === q.y ? p.x : p.x + ((y - p.y) / (q.y - p.y)) * (q.x - p.x);
  }
  return fallback;
}

/** Strict inversions of bottom x among segments sorted by layer, top x, bottom x, distinct ones only. */
function countCrossings(layer: number[], top: number[], bottom: number[]): number {
  const order = layer.map((_, i) => i);
  order.sort((i, j) => layer[i] - layer[j] || top[i] - top[j] || bottom[i] - bottom[j]);
  let total = 0;
  let start = 0;
  while (start < order.length) {
    let end = start;
    const values: number[] = [];
    while (end < order.length && layer[order[end]] === layer[order[start]]) {
      const s = order[end];
      const previous = end > start ? order[end - 1] : -1;
      if (previous < 0 || top[previous] !== top[s] || bottom[previous] !== bottom[s]) values.push(bottom[s]);
      end++;
    }
    total += inversions(values);
    start = end;
  }
  return total;
}

/** Pairs i < j with values[i] > values[j] (merge sort, so big layers stay n log n). */
function inversions(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  let a = Float64Array.from(values);
  let b = new Float64Array(n);
  let count = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (a[i] <= a[j]) b[k++] = a[i++];
        else {
          count += mid - i;
          b[k++] = a[j++];
        }
      }
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    [a, b] = [b, a];
  }
  return count;
}
