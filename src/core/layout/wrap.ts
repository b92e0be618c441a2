// Wrapping a deep, narrow layout into columns (rows, left to right), so that the whole graph fits a
// viewport at a readable scale instead of as a one-pixel stripe: the ranks are cut where the fewest edges
// cross, the pieces stand side by side, and an edge from one piece to a later one runs down past its
// piece, up the gutter and along the top into the next. Pure; works on a layout result.
import type { LayoutResult, Point } from './index.js';

export interface WrapOptions {
  /** Width over height of the viewport the graph is shown in. */
  aspect: number;
  /** Only a layout longer than this (along its direction) wraps: shorter ones are readable as they are. */
  minLength: number;
}

/** Space between pieces; the edges between pieces run in it. */
const GUTTER = 60;
/** Room above and below the pieces for the edges that run from one piece to another. */
const MARGIN = 28;
/** Parallel edges in a gutter or margin keep this far apart. */
const LANE = 5;
const MAX_PIECES = 64;

/** How many pieces a layout of this length and breadth wraps into for a viewport of `aspect` (1: no wrap). */
export function wrapCount(length: number, breadth: number, direction: 'TB' | 'LR', options: WrapOptions): number {
  if (!(length > options.minLength) || !(breadth > 0) || !(options.aspect > 0)) return 1;
  // How much longer than the viewport's proportions the drawing is; k pieces divide that by k².
  const ratio = direction === 'TB' ? (length * options.aspect) / breadth : length / (breadth * options.aspect);
  if (ratio < 3) return 1;
  return Math.max(1, Math.min(MAX_PIECES, Math.round(Math.sqrt(ratio))));
}

interface Axis {
  /** Position along the layout's direction (y top to bottom, x left to right) and across it. */
  main(p: Point): number;
  cross(p: Point): number;
  point(main: number, cross: number): Point;
}

const axes: Record<'TB' | 'LR', Axis> = {
  TB: { main: (p) => p.y, cross: (p) => p.x, point: (main, cross) => ({ x: cross, y: main }) },
  LR: { main: (p) => p.x, cross: (p) => p.y, point: (main, cross) => ({ x: main, y: cross }) },
};

/** The layout wrapped into pieces when it is much longer than the viewport is (see wrapCount); the result itself otherwise. */
export function wrapLayout(result: LayoutResult, direction: 'TB' | 'LR', options: WrapOptions): LayoutResult {
  const ax = axes[direction];
  const length = direction === 'TB' ? result.height : result.width;
  const breadth = direction === 'TB' ? result.width : result.height;
  let pieces = wrapCount(length, breadth, direction, options);
  const ids = Object.keys(result.nodes);
  if (pieces < 2 || ids.length < 2) return result;

  // Node extents along the direction, and the gaps between bands of overlapping ones: where cuts may go.
  const span = (id: string) => {
    const n = result.nodes[id];
    return direction === 'TB' ? [n.y, n.y + n.height] : [n.x, n.x + n.width];
  };
  const spans = ids.map(span).sort((a, b) => a[0] - b[0]);
  const gaps: number[] = [];
  let end = spans[0][1];
  for (const [s, e] of spans.slice(1)) {
    if (s > end) gaps.push((s + end) / 2);
    end = Math.max(end, e);
  }
  // No more pieces than there are places to cut.
  pieces = Math.min(pieces, gaps.length + 1);
  if (pieces < 2) return result;
  // How many edges cross each gap: each edge covers the gaps strictly inside its extent.
  const crossing = new Int32Array(gaps.length + 1);
  const firstAbove = (v: number) => {
    let lo = 0;
    let hi = gaps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (gaps[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const e of result.edges) {
    if (e.points.length < 2) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of e.points) {
      lo = Math.min(lo, ax.main(p));
      hi = Math.max(hi, ax.main(p));
    }
    crossing[firstAbove(lo)]++;
    crossing[firstAbove(hi)]--;
  }
  for (let i = 1; i < crossing.length; i++) crossing[i] += crossing[i - 1];

  // Cuts near each piece's share of the length, at the gap the fewest edges cross.
  const cuts: number[] = [];
  let start = 0;
  let g = 0;
  for (let k = 1; k < pieces; k++) {
    const target = start + (length - start) / (pieces - k + 1);
    const window = (length / pieces) * 0.3;
    let best = -1;
    for (let i = g; i < gaps.length; i++) {
      if (gaps[i] < target - window) continue;
      if (gaps[i] > target + window) break;
      if (best < 0 || crossing[i] < crossing[best] || (crossing[i] === crossing[best] && Math.abs(gaps[i] - target) < Math.abs(gaps[best] - target))) best = i;
    }
    if (best < 0) {
      // No gap near the target (one tall node): the nearest one after it.
      for (let i = g; i < gaps.length && best < 0; i++) if (gaps[i] >= target) best = i;
    }
    if (best < 0) break;
    cuts.push(gaps[best]);
    start = gaps[best];
    g = best + 1;
  }
  if (!cuts.length) return result;
  const pieceOf = (main: number) => {
    let k = 0;
    while (k < cuts.length && main > cuts[k]) k++;
    return k;
  };
  const starts = [0, ...cuts];
  const offsetCross = (k: number) => k * (breadth + GUTTER);

  const nodes: LayoutResult['nodes'] = {};
  const pieceOfNode = new Map<string, number>();
  const extent = new Float64Array(cuts.length + 1);
  for (const id of ids) {
    const n = result.nodes[id];
    const [s, e] = span(id);
    const k = pieceOf((s + e) / 2);
    pieceOfNode.set(id, k);
    const moved = ax.point(ax.main({ x: n.x, y: n.y }) - starts[k] + MARGIN, ax.cross({ x: n.x, y: n.y }) + offsetCross(k));
    nodes[id] = { ...n, x: moved.x, y: moved.y };
    extent[k] = Math.max(extent[k], e - starts[k]);
  }
  const inPiece = (p: Point, k: number) => ax.point(ax.main(p) - starts[k] + MARGIN, ax.cross(p) + offsetCross(k));
  const longest = Math.max(...extent);
  let lanes = 0;
  const edges = result.edges.map((e) => {
    const a = pieceOfNode.get(e.from);
    const b = pieceOfNode.get(e.to);
    if (a === undefined || b === undefined || e.points.length < 2) return e;
    if (a === b) return { ...e, points: e.points.map((p) => inPiece(p, a)) };
    // Down past the source's piece, along the gutter beside it, over (or under) the pieces to the target.
    const lane = (lanes++ % Math.max(1, Math.floor(GUTTER / (2 * LANE)))) * LANE;
    const first = inPiece(e.points[0], a);
    const last = inPiece(e.points[e.points.length - 1], b);
    const bottom = MARGIN + extent[a] + MARGIN / 2 + lane / 2;
    const top = MARGIN / 2 - lane / 2;
    const gutter = b > a ? offsetCross(a) + breadth + GUTTER / 2 + lane - GUTTER / 4 : offsetCross(a) - GUTTER / 2 - lane + GUTTER / 4;
    const points = [first, ax.point(bottom, ax.cross(first)), ax.point(bottom, gutter), ax.point(top, gutter), ax.point(top, ax.cross(last)), last];
    return { ...e, points };
  });
  const newLength = MARGIN + longest + MARGIN + LANE * 2;
  const newBreadth = (cuts.length + 1) * breadth + cuts.length * GUTTER;
  return direction === 'TB' ? { nodes, edges, width: newBreadth, height: newLength } : { nodes, edges, width: newLength, height: newBreadth };
}
