import { findBackEdges } from './acyclic.js';
import { buildLayered } from './layered.js';
import { orderLayers } from './order.js';
import { positionX } from './position.js';
import { rankNodes, type Pins } from './rank.js';

export interface Point {
  x: number;
  y: number;
}

export interface Spacing {
  nodeSep: number;
  rankSep: number;
  edgeSep: number;
}

/** One connected component laid out top to bottom, with its bounding box starting at (0, 0). */
export interface ComponentLayout {
  /** Centres of the real nodes. */
  x: Float64Array;
  y: Float64Array;
  width: number;
  height: number;
  /**
   * Polylines, flat x, y pairs: route r has points routeStart[r] .. routeStart[r + 1]) and runs
   * downwards. Input edge e follows route edgeRoute[e], backwards when reversed[e] (a back edge).
   */
  route: Float64Array;
  routeStart: Int32Array;
  edgeRoute: Int32Array;
  reversed: Uint8Array;
}

/**
 * Lays out a connected graph without self-loops or duplicate edges: cycles broken by reversing
 * back edges, longest-path ranks, dummy nodes on long edges, crossing reduction, Brandes-Köpf
 * coordinates, and polylines through the dummies.
 */
export function layoutComponent(
  n: number,
  width: Float64Array,
  height: Float64Array,
  m: number,
  from: Int32Array,
  to: Int32Array,
  spacing: Spacing,
  pins?: Pins,
): ComponentLayout {
  if (m === 0) {
    // Lone nodes in a row.
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let left = 0;
    let tallest = 0;
    for (let v = 0; v < n; v++) {
      x[v] = left + width[v] / 2;
      y[v] = height[v] / 2;
      left += width[v] + spacing.nodeSep;
      tallest = Math.max(tallest, height[v]);
    }
    const none = new Int32Array(0);
    return { x, y, width: Math.max(0, left - spacing.nodeSep), height: tallest, route: new Float64Array(0), routeStart: new Int32Array(1), edgeRoute: none, reversed: new Uint8Array(0) };
  }
  const reversed = findBackEdges(n, from, to, m);
  // Reversing can turn a 2-cycle into a duplicate; both edges then share one route.
  let uf = from;
  let ut = to;
  let unique = new Int32Array(m);
  let mu = m;
  if (reversed.includes(1)) {
    uf = new Int32Array(m);
    ut = new Int32Array(m);
    const seen = new Map<number, number>();
    mu = 0;
    for (let e = 0; e < m; e++) {
      const a = reversed[e] ? to[e] : from[e];
      const b = reversed[e] ? from[e] : to[e];
      const key = a * n + b;
      const known = seen.get(key);
      if (known !== undefined) {
        unique[e] = known;
        continue;
      }
      seen.set(key, mu);
      uf[mu] = a;
      ut[mu] = b;
      unique[e] = mu++;
    }
  } else {
    unique = unique.map((_, e) => e);
  }
  const rank = rankNodes(n, uf, ut, mu, pins);
  const g = buildLayered(n, rank, uf, ut, mu);
  const order = orderLayers(g);
  const w = new Float64Array(g.size);
  const half = new Float64Array(g.size);
  for (let v = 0; v < g.size; v++) {
    const real = v < n;
    w[v] = real ? width[v] : 0;
    half[v] = (w[v] + (real ? spacing.nodeSep : spacing.edgeSep)) / 2;
  }
  const x = positionX(g, order, w, half);
  let left = Infinity;
  let right = -Infinity;
  for (let v = 0; v < g.size; v++) {
    left = Math.min(left, x[v] - w[v] / 2);
    right = Math.max(right, x[v] + w[v] / 2);
  }
  for (let v = 0; v < g.size; v++) x[v] -= left;
  // Each rank is a band as tall as its tallest node; nodes are centred in their band.
  const bandHeight = new Float64Array(g.rankCount);
  for (let v = 0; v < n; v++) bandHeight[rank[v]] = Math.max(bandHeight[rank[v]], height[v]);
  const bandTop = new Float64Array(g.rankCount);
  for (let r = 1; r < g.rankCount; r++) bandTop[r] = bandTop[r - 1] + bandHeight[r - 1] + spacing.rankSep;
  const y = new Float64Array(n);
  for (let v = 0; v < n; v++) y[v] = bandTop[rank[v]] + bandHeight[rank[v]] / 2;

  // A long edge runs straight down through each band it crosses, so it never cuts a node of that
  // rank, and bends only between bands. Points in line with their neighbours are dropped: a
  // straight trunk shared by many edges then costs two points per edge, not two per rank.
  const routes = new RouteBuilder(mu);
  const end = { x: 0, y: 0 };
  for (let e = 0; e < mu; e++) {
    const a = uf[e];
    const b = ut[e];
    const first = g.chainStart[e];
    const last = g.chainEnd[e];
    if (g.detached[e]) {
      // Straight from border to border.
      end.x = x[b];
      end.y = y[b];
      border(x[a], y[a], width[a], height[a], end);
      routes.add(end.x, end.y);
      end.x = x[a];
      end.y = y[a];
      border(x[b], y[b], width[b], height[b], end);
      routes.add(end.x, end.y);
      routes.finish();
      continue;
    }
    if (first < last) {
      end.x = x[g.chain[first]];
      end.y = bandTop[g.rank[g.chain[first]]];
    } else {
      end.x = x[b];
      end.y = y[b];
    }
    border(x[a], y[a], width[a], height[a], end);
    routes.add(end.x, end.y);
    for (let i = first; i < last; i++) {
      const d = g.chain[i];
      const r = g.rank[d];
      routes.add(x[d], bandTop[r]);
      if (bandHeight[r] > 0) routes.add(x[d], bandTop[r] + bandHeight[r]);
    }
    if (first < last) {
      const d = g.chain[last - 1];
      end.x = x[d];
      end.y = bandTop[g.rank[d]] + bandHeight[g.rank[d]];
    } else {
      end.x = x[a];
      end.y = y[a];
    }
    border(x[b], y[b], width[b], height[b], end);
    routes.add(end.x, end.y);
    routes.finish();
  }
  const { route, routeStart } = routes;
  const lastRank = g.rankCount - 1;
  return {
    x: x.slice(0, n),
    y,
    width: right - left,
    height: bandTop[lastRank] + bandHeight[lastRank],
    route,
    routeStart,
    edgeRoute: unique,
    reversed,
  };
}

/** Polylines appended point by point into one growing array, dropping points in line with their neighbours. */
class RouteBuilder {
  route = new Float64Array(1024);
  readonly routeStart: Int32Array;
  private points = 0;
  private routes = 0;
  /** Points in the route being built. */
  private current = 0;

  constructor(count: number) {
    this.routeStart = new Int32Array(count + 1);
  }

  add(px: number, py: number): void {
    const k = 2 * this.points;
    if (this.current >= 2) {
      const ax = this.route[k - 4];
      const ay = this.route[k - 3];
      const bx = this.route[k - 2];
      const by = this.route[k - 1];
      const cross = (bx - ax) * (py - by) - (by - ay) * (px - bx);
      const onward = (bx - ax) * (px - bx) + (by - ay) * (py - by) >= 0;
      if (onward && Math.abs(cross) <= 1e-9 * (Math.abs(bx - ax) + Math.abs(by - ay)) * (Math.abs(px - bx) + Math.abs(py - by))) {
        // In line, going on: the new point replaces the middle one.
        this.route[k - 2] = px;
        this.route[k - 1] = py;
        return;
      }
    } else if (this.current === 1 && this.route[k - 2] === px && this.route[k - 1] === py) {
      return;
    }
    this.push(px, py);
  }

  finish(): void {
    // A route keeps two points even when both ends coincide (boxes of size zero).
    if (this.current === 1) this.push(this.route[2 * this.points - 2], this.route[2 * this.points - 1]);
    this.routeStart[++this.routes] = this.points;
    this.current = 0;
  }

  private push(px: number, py: number): void {
    const k = 2 * this.points;
    if (k + 2 > this.route.length) {
      const grown = new Float64Array(this.route.length * 2);
      grown.set(this.route);
      this.route = grown;
    }
    this.route[k] = px;
    this.route[k + 1] = py;
    this.points++;
    this.current++;
  }
}

/** Moves `toward` to where the segment from a box's centre toward it leaves the box. */
export function border(cx: number, cy: number, w: number, h: number, toward: Point): void {
  const dx = toward.x - cx;
  const dy = toward.y - cy;
  if ((dx === 0 && dy === 0) || (w === 0 && h === 0)) {
    toward.x = cx;
    toward.y = cy;
    return;
  }
  const hw = w / 2;
  const hh = h / 2;
  if (Math.abs(dy) * hw > Math.abs(dx) * hh) {
    const sy = dy < 0 ? -hh : hh;
    toward.x = cx + (sy * dx) / dy;
    toward.y = cy + sy;
  } else {
    const sx = dx < 0 ? -hw : hw;
    toward.x = cx + sx;
    toward.y = cy + (sx * dy) / dx;
  }
}
