// Where edge labels go: each label tries spots along its edge (the middle first, then towards the ends;
// right of the line, left, above, below) and takes the first that covers no box, no frame title and no label
// placed before it; a label with no such spot is dropped (its shape stays in the hover). Pure.
import { GROUP_HEADER } from './layoutJob.js';

/** What placing needs of a scene's boxes and edges (scene.ts's SceneItem and SceneEdge). */
interface Box {
  kind: string;
  expanded: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Labelled {
  label: string;
  points: Array<{ x: number; y: number }>;
  labelAt?: { x: number; y: number; width: number };
}

/** Height of a label's background; the text is centred in it. */
export const LABEL_HEIGHT = 14;
/** Gap between the line and the label. */
const GAP = 3;
/** Extra width of the background on each side of the text. */
const PAD = 2;
const FRACTIONS = [0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85];
const CELL = 96;

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Rectangles hashed into square cells, for overlap tests. */
class RectGrid {
  private readonly cells = new Map<number, Rect[]>();

  private *keys(r: Rect): Generator<number> {
    const cx0 = Math.floor(r.x0 / CELL);
    const cx1 = Math.floor(r.x1 / CELL);
    const cy0 = Math.floor(r.y0 / CELL);
    const cy1 = Math.floor(r.y1 / CELL);
    for (let cx = cx0; cx <= cx1; cx++) for (let cy = cy0; cy <= cy1; cy++) yield (cx + 0x8000) * 0x10000 + (cy + 0x8000);
  }

  add(r: Rect): void {
    for (const key of this.keys(r)) {
      let list = this.cells.get(key);
      if (!list) this.cells.set(key, (list = []));
      list.push(r);
    }
  }

  hits(r: Rect): boolean {
    for (const key of this.keys(r)) {
      for (const o of this.cells.get(key) ?? []) if (r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1) return true;
    }
    return false;
  }
}

/** The point `fraction` of the way along a polyline. */
function along(points: Array<{ x: number; y: number }>, fraction: number): { x: number; y: number } {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  let left = total * fraction;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (left <= length && length > 0) return { x: a.x + ((b.x - a.x) * left) / length, y: a.y + ((b.y - a.y) * left) / length };
    left -= length;
  }
  return points[points.length - 1];
}

/** Sets `labelAt` on every edge whose label (of width `widths[i]`) finds a free spot; clears it on the others. */
export function placeLabels(items: readonly Box[], edges: Labelled[], widths: readonly number[]): void {
  const grid = new RectGrid();
  for (const item of items) {
    if (item.kind === 'group' && item.expanded) grid.add({ x0: item.x, y0: item.y, x1: item.x + item.width, y1: item.y + GROUP_HEADER });
    else grid.add({ x0: item.x, y0: item.y, x1: item.x + item.width, y1: item.y + item.height });
  }
  edges.forEach((edge, i) => {
    edge.labelAt = undefined;
    const width = widths[i] ?? 0;
    if (!edge.label || edge.points.length < 2 || width <= 0) return;
    for (const fraction of FRACTIONS) {
      const p = along(edge.points, fraction);
      // Beside the line (right, left), or centred over it and under it (a horizontal line's places).
      const w = width + 2 * PAD;
      for (const [x0, cy] of [[p.x + GAP, p.y], [p.x - GAP - w, p.y], [p.x - w / 2, p.y - GAP - LABEL_HEIGHT / 2], [p.x - w / 2, p.y + GAP + LABEL_HEIGHT / 2]]) {
        const rect = { x0, y0: cy - LABEL_HEIGHT / 2, x1: x0 + w, y1: cy + LABEL_HEIGHT / 2 };
        if (grid.hits(rect)) continue;
        grid.add(rect);
        edge.labelAt = { x: x0 + PAD, y: cy, width };
        return;
      }
    }
  });
}
