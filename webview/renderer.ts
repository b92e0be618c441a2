// Draws a scene on a 2D canvas: only what intersects the viewport, text only when it is readable,
// shapes batched by colour so that 10,000 boxes on screen still draw within a frame.
import type { DiffPaint } from '../src/core/diff/diffOverlay.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { Camera } from './camera.js';
import { opCategory } from '../src/core/ops/opCategory.js';
import { LINE, TITLE, TOGGLE, type Scene, type SceneEdge, type SceneItem } from './scene.js';
import type { Theme } from './theme.js';
import { LABEL_HEIGHT } from './edgeLabels.js';
import { GROUP_HEADER } from './layoutJob.js';

export interface Marks {
  selected?: string;
  hovered?: string;
  hoveredEdge?: SceneEdge;
  /** Find results. */
  matches?: ReadonlySet<string>;
  current?: string;
  /** Node index -> 0..1 share of the slowest node's time (runtime overlay). */
  heat?: ReadonlyMap<number, number>;
  /** Node index -> its status in a model diff (unchanged nodes are left out). */
  diff?: ReadonlyMap<number, DiffPaint>;
  /** After both models of a diff ran: 0..1 divergence heat per node index and per value index (edges). */
  divergence?: { nodes: ReadonlyMap<number, number>; values: ReadonlyMap<number, number> };
}

const TEXT_MIN_SCALE = 0.4;
const LABEL_MIN_SCALE = 0.75;
const ARROW_MIN_SCALE = 0.3;

interface ViewRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function viewRect(camera: Camera, width: number, height: number): ViewRect {
  return { x0: camera.x, y0: camera.y, x1: camera.x + width / camera.scale, y1: camera.y + height / camera.scale };
}

function inView(item: SceneItem, view: ViewRect): boolean {
  return item.x < view.x1 && item.x + item.width > view.x0 && item.y < view.y1 && item.y + item.height > view.y0;
}

/** How many boxes (everything but expanded group frames) a camera has on screen: what drawScene returns. */
export function boxesInView(scene: Scene, camera: Camera, width: number, height: number): number {
  const view = viewRect(camera, width, height);
  let n = 0;
  for (const item of scene.items) if (!(item.kind === 'group' && item.expanded) && inView(item, view)) n++;
  return n;
}

/** Draws the visible part of the scene; returns how many boxes (nodes and collapsed groups) were on screen. */
export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, graph: GraphView, camera: Camera, width: number, height: number, theme: Theme, marks: Marks): number {
  const s = camera.scale;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.setTransform(s, 0, 0, s, -camera.x * s, -camera.y * s);
  const view = viewRect(camera, width, height);
  const visible = (item: SceneItem) => inView(item, view);
  const text = s >= TEXT_MIN_SCALE;
  const round = s >= 0.5;
  const px = 1 / s;

  // Expanded group frames, batched per depth (outermost first) so that nesting still shades inwards.
  const boxes: SceneItem[] = [];
  const frames: SceneItem[][] = [];
  for (const item of scene.items) {
    if (!visible(item)) continue;
    if (item.kind === 'group' && item.expanded) (frames[item.depth] ??= []).push(item);
    else boxes.push(item);
  }
  drawFrames(ctx, frames, theme, px, text, round, marks);

  // Edges in one path; those touching the selection on top in the focus colour.
  const edges: SceneEdge[] = [];
  for (const e of scene.edges) if (e.minX < view.x1 && e.maxX > view.x0 && e.minY < view.y1 && e.maxY > view.y0) edges.push(e);
  // One device pixel or less lets Skia draw hairlines, several times faster than stroking a wider path.
  ctx.lineWidth = s < 0.8 ? px : 1.2;
  ctx.strokeStyle = theme.edge;
  ctx.fillStyle = theme.edge;
  ctx.beginPath();
  const focused: SceneEdge[] = [];
  const dashed: SceneEdge[] = [];
  // Zoomed out, curves are invisible: straight segments, skipping bends closer than a pixel.
  const coarse = s < 0.35;
  for (const e of edges) {
    if (marks.selected && (e.from === marks.selected || e.to === marks.selected)) focused.push(e);
    else if (e.kind) dashed.push(e);
    else if (e !== marks.hoveredEdge) {
      if (coarse) traceCoarse(ctx, e.points, 1.5 / s);
      else tracePath(ctx, e.points);
    }
  }
  ctx.stroke();
  if (dashed.length) {
    // A value a subgraph reads by name, and a control node's bodies: dashed, not data through an input.
    ctx.setLineDash([5 * Math.max(px, 0.5), 4 * Math.max(px, 0.5)]);
    ctx.beginPath();
    for (const e of dashed) if (e !== marks.hoveredEdge) tracePath(ctx, e.points);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (s >= ARROW_MIN_SCALE) {
    ctx.beginPath();
    for (const e of edges) traceArrow(ctx, e.points, 7);
    ctx.fill();
  }
  if (marks.divergence?.values.size) drawEdgeHeat(ctx, edges, marks.divergence.values, theme.heat, px);
  if (focused.length || marks.hoveredEdge) {
    ctx.strokeStyle = theme.focus;
    ctx.fillStyle = theme.focus;
    ctx.lineWidth = Math.max(2 * px, 2);
    ctx.beginPath();
    for (const e of focused) tracePath(ctx, e.points);
    if (marks.hoveredEdge) tracePath(ctx, marks.hoveredEdge.points);
    ctx.stroke();
    ctx.beginPath();
    for (const e of focused) traceArrow(ctx, e.points, 8);
    if (marks.hoveredEdge) traceArrow(ctx, marks.hoveredEdge.points, 8);
    ctx.fill();
  }

  // Box bodies, then coloured title bands per category, then borders. Far out, a box is one rectangle
  // in its category's colour: the structure stays readable and each box costs one rect.
  const tiny = s * TITLE < 4;
  const bands = new Map<string, SceneItem[]>();
  for (const item of boxes) {
    let colour: string;
    if (item.kind === 'node') colour = theme.categories[opCategory(graph.nodes[item.index].op)];
    else if (item.kind === 'group') colour = theme.focus;
    else continue;
    let list = bands.get(colour);
    if (!list) bands.set(colour, (list = []));
    list.push(item);
  }
  if (!tiny) {
    ctx.fillStyle = theme.nodeFill;
    ctx.beginPath();
    for (const item of boxes) if (item.kind === 'node' || item.kind === 'group') traceBox(ctx, item.x, item.y, item.width, item.height, round ? 4 : 0);
    ctx.fill();
  }
  ctx.globalAlpha = tiny ? 0.85 : theme.highContrast ? 0.55 : 0.32;
  for (const [colour, list] of bands) {
    ctx.fillStyle = colour;
    ctx.beginPath();
    if (tiny) for (const item of list) ctx.rect(item.x, item.y, item.width, item.height);
    else for (const item of list) traceBox(ctx, item.x, item.y, item.width, Math.min(TITLE, item.height), round ? 4 : 0, true);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  if (marks.heat?.size) {
    for (const item of boxes) {
      if (item.kind !== 'node') continue;
      const heat = marks.heat.get(item.index);
      if (!heat) continue;
      ctx.globalAlpha = 0.15 + 0.6 * heat;
      ctx.fillStyle = theme.heat;
      ctx.fillRect(item.x, item.y + item.height - 4, item.width * Math.max(0.05, heat), 4);
    }
    ctx.globalAlpha = 1;
  }
  if (marks.diff?.size && theme.diff) drawDiff(ctx, boxes, marks.diff, theme.diff, px);
  if (marks.divergence?.nodes.size) drawNodeHeat(ctx, boxes, marks.divergence.nodes, theme.heat, px);
  // Graph inputs and outputs: pills.
  ctx.fillStyle = theme.pillFill;
  ctx.beginPath();
  for (const item of boxes) if (item.kind === 'input' || item.kind === 'output') traceBox(ctx, item.x, item.y, item.width, item.height, round ? item.height / 2 : 0);
  ctx.fill();
  if (s > 0.15) {
    ctx.strokeStyle = theme.nodeBorder;
    ctx.lineWidth = px;
    ctx.beginPath();
    for (const item of boxes) if (item.kind === 'node' || item.kind === 'group') traceBox(ctx, item.x, item.y, item.width, item.height, round ? 4 : 0);
    // High contrast themes give pills the background's colour: outline them like boxes.
    if (theme.highContrast) for (const item of boxes) if (item.kind === 'input' || item.kind === 'output') traceBox(ctx, item.x, item.y, item.width, item.height, round ? item.height / 2 : 0);
    ctx.stroke();
    const dashed = boxes.filter((item) => item.kind === 'group');
    if (dashed.length) {
      // A collapsed group reads as a stack: a second outline just behind it.
      ctx.beginPath();
      for (const item of dashed) {
        ctx.moveTo(item.x + 4, item.y + item.height + 3);
        ctx.lineTo(item.x + item.width + 3, item.y + item.height + 3);
        ctx.lineTo(item.x + item.width + 3, item.y + 4);
      }
      ctx.stroke();
    }
  }

  if (text) {
    drawBoxText(ctx, boxes, theme);
    if (s >= LABEL_MIN_SCALE) drawEdgeLabels(ctx, edges, theme, view);
  }

  // Selection, hover and find marks on top.
  const ring = (id: string | undefined, colour: string, widthPx: number) => {
    if (!id) return;
    const item = scene.byId.get(id);
    if (!item) return;
    ctx.strokeStyle = colour;
    ctx.lineWidth = widthPx * px;
    ctx.beginPath();
    const pad = 2 * px;
    traceBox(ctx, item.x - pad, item.y - pad, item.width + 2 * pad, item.height + 2 * pad, 5);
    ctx.stroke();
  };
  if (marks.matches?.size) {
    ctx.strokeStyle = theme.match;
    ctx.lineWidth = 2 * px;
    ctx.beginPath();
    for (const id of marks.matches) {
      const item = scene.byId.get(id);
      if (item && visible(item)) traceBox(ctx, item.x - 3 * px, item.y - 3 * px, item.width + 6 * px, item.height + 6 * px, 5);
    }
    ctx.stroke();
  }
  if (marks.hovered !== marks.selected) ring(marks.hovered, theme.edge, 1.5);
  ring(marks.current, theme.match, 3);
  ring(marks.selected, theme.focus, 2.5);
  return boxes.length;
}

/** Divergence levels are 1..4 quarters: one batch per level, alpha rising with it. */
function byLevel<T>(list: T[], heatOf: (item: T) => number | undefined): Map<number, T[]> {
  const levels = new Map<number, T[]>();
  for (const item of list) {
    const heat = heatOf(item);
    if (!heat) continue;
    let at = levels.get(heat);
    if (!at) levels.set(heat, (at = []));
    at.push(item);
  }
  return levels;
}

/** Edges carrying a divergent value: stroked again in the heat colour, wider and more opaque the further apart. */
function drawEdgeHeat(ctx: CanvasRenderingContext2D, edges: SceneEdge[], heat: ReadonlyMap<number, number>, colour: string, px: number): void {
  ctx.strokeStyle = colour;
  for (const [level, list] of byLevel(edges, (e) => Math.max(0, ...e.values.map((v) => heat.get(v) ?? 0)))) {
    ctx.globalAlpha = 0.3 + 0.6 * level;
    ctx.lineWidth = Math.max((1 + 2 * level) * px, 1.5);
    ctx.beginPath();
    for (const e of list) tracePath(ctx, e.points);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

/** Nodes whose outputs diverge: a heat-coloured fill and frame, more opaque the further apart. */
function drawNodeHeat(ctx: CanvasRenderingContext2D, boxes: SceneItem[], heat: ReadonlyMap<number, number>, colour: string, px: number): void {
  ctx.fillStyle = colour;
  ctx.strokeStyle = colour;
  for (const [level, list] of byLevel(boxes, (item) => (item.kind === 'node' ? heat.get(item.index) : undefined))) {
    ctx.globalAlpha = 0.08 + 0.3 * level;
    ctx.beginPath();
    for (const item of list) ctx.rect(item.x, item.y, item.width, item.height);
    ctx.fill();
    ctx.globalAlpha = 0.4 + 0.6 * level;
    ctx.lineWidth = Math.max((1 + 2 * level) * px, 1.5);
    ctx.beginPath();
    const pad = 1.5 * px;
    for (const item of list) ctx.rect(item.x - pad, item.y - pad, item.width + 2 * pad, item.height + 2 * pad);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

/** A model diff's status per node: a translucent fill over the box and a solid stripe on its left edge. */
function drawDiff(ctx: CanvasRenderingContext2D, boxes: SceneItem[], diff: ReadonlyMap<number, DiffPaint>, colours: NonNullable<Theme['diff']>, px: number): void {
  const byPaint = new Map<Exclude<DiffPaint, 'unchanged'>, SceneItem[]>();
  for (const item of boxes) {
    if (item.kind !== 'node') continue;
    const paint = diff.get(item.index);
    if (!paint || paint === 'unchanged') continue;
    let list = byPaint.get(paint);
    if (!list) byPaint.set(paint, (list = []));
    list.push(item);
  }
  const stripe = Math.max(4, 3 * px);
  for (const [paint, list] of byPaint) {
    const colour = colours[paint];
    ctx.globalAlpha = colour.alpha;
    ctx.fillStyle = colour.fill;
    ctx.beginPath();
    for (const item of list) ctx.rect(item.x, item.y, item.width, item.height);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.fillStyle = colour.stripe;
    ctx.beginPath();
    for (const item of list) ctx.rect(item.x, item.y, stripe, item.height);
    ctx.fill();
  }
}

function drawFrames(ctx: CanvasRenderingContext2D, frames: SceneItem[][], theme: Theme, px: number, text: boolean, round: boolean, marks: Marks): void {
  ctx.lineWidth = px;
  for (const level of frames) {
    if (!level) continue;
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = theme.groupFill;
    ctx.beginPath();
    for (const item of level) traceBox(ctx, item.x, item.y, item.width, item.height, round ? 6 : 0);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = theme.groupBorder;
    ctx.stroke();
  }
  if (!text) return;
  ctx.fillStyle = theme.subtext;
  ctx.font = '600 12px ' + theme.fonts.family;
  ctx.textBaseline = 'middle';
  for (const level of frames) {
    for (const item of level ?? []) {
      ctx.fillText(`▾ ${item.title}`, item.x + 8, item.y + GROUP_HEADER / 2, Math.max(1, item.width - 16));
      if (marks.selected === item.id) {
        ctx.strokeStyle = theme.focus;
        ctx.beginPath();
        traceBox(ctx, item.x, item.y, item.width, item.height, 6);
        ctx.stroke();
      }
    }
  }
}

function drawBoxText(ctx: CanvasRenderingContext2D, boxes: SceneItem[], theme: Theme): void {
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.text;
  ctx.font = theme.fonts.title;
  for (const item of boxes) {
    if (item.kind === 'node') ctx.fillText(item.title, item.x + 8, item.y + TITLE / 2, item.width - 12 - (item.inline !== undefined ? TOGGLE : 0));
    else if (item.kind === 'group') ctx.fillText(`▸ ${item.title}`, item.x + 8, item.y + TITLE / 2 + 2, item.width - 12);
  }
  // If, Loop and Scan: ⊞ shows the bodies in place, ⊟ closes them.
  ctx.fillStyle = theme.focus;
  for (const item of boxes) if (item.inline !== undefined) ctx.fillText(item.inline ? '⊟' : '⊞', item.x + item.width - TOGGLE, item.y + TITLE / 2);
  ctx.fillStyle = theme.text;
  ctx.fillStyle = theme.pillText;
  for (const item of boxes) if (item.kind === 'input' || item.kind === 'output') ctx.fillText(item.titleFit ?? item.title, item.x + 10, item.y + TITLE / 2 + 1, item.width - 16);
  ctx.font = theme.fonts.text;
  ctx.fillStyle = theme.subtext;
  for (const item of boxes) {
    if (!item.subtitle || item.kind === 'input' || item.kind === 'output') continue;
    ctx.fillText(item.subtitle, item.x + 8, item.y + TITLE + LINE / 2 + (item.kind === 'group' ? 2 : 0), item.width - 12);
  }
  ctx.fillStyle = theme.pillText;
  for (const item of boxes) {
    if ((item.kind !== 'input' && item.kind !== 'output') || !item.subtitle) continue;
    // A type only inference knows is in italics, as on edge labels.
    ctx.font = item.inferred ? `italic ${theme.fonts.mono}` : theme.fonts.mono;
    ctx.fillText(item.subtitle, item.x + 10, item.y + TITLE + LINE / 2 - 1, item.width - 16);
  }
  ctx.font = theme.fonts.mono;
  ctx.fillStyle = theme.text;
  for (const item of boxes) {
    if (item.kind !== 'node' || item.lines.length === 0) continue;
    const top = item.y + TITLE + (item.subtitle ? LINE : 0);
    for (let i = 0; i < item.lines.length; i++) ctx.fillText(item.lines[i], item.x + 8, top + i * LINE + LINE / 2, item.width - 12);
  }
}

function drawEdgeLabels(ctx: CanvasRenderingContext2D, edges: SceneEdge[], theme: Theme, view: ViewRect): void {
  ctx.textBaseline = 'middle';
  // Places were chosen when the scene was made (edgeLabels.ts): no label covers a box or another label.
  const shown = edges.filter((e) => {
    const at = e.labelAt;
    return at && !(at.x > view.x1 || at.x + at.width < view.x0 || at.y < view.y0 - 8 || at.y > view.y1 + 8);
  });
  ctx.globalAlpha = 0.85;
  ctx.fillStyle = theme.background;
  for (const e of shown) ctx.fillRect(e.labelAt!.x - 2, e.labelAt!.y - LABEL_HEIGHT / 2, e.labelAt!.width + 4, LABEL_HEIGHT);
  ctx.globalAlpha = 1;
  // Declared shapes upright; shapes only inference knows in italics and the inlay-hint colour (not dashed:
  // a dashed line means a value read by name).
  ctx.font = theme.fonts.mono;
  ctx.fillStyle = theme.edgeLabel;
  for (const e of shown) if (!e.inferred) ctx.fillText(e.label, e.labelAt!.x, e.labelAt!.y);
  ctx.font = `italic ${theme.fonts.mono}`;
  ctx.fillStyle = theme.edgeLabelInferred;
  for (const e of shown) if (e.inferred) ctx.fillText(e.label, e.labelAt!.x, e.labelAt!.y);
}

export function traceBox(ctx: CanvasRenderingContext2D | Path2D, x: number, y: number, w: number, h: number, r: number, topOnly = false): void {
  if (r <= 0) {
    ctx.rect(x, y, w, h);
    return;
  }
  r = Math.min(r, w / 2, h / 2);
  ctx.moveTo(x + r, y);
  ctx.lineTo(x + w - r, y);
  ctx.arcTo(x + w, y, x + w, y + r, r);
  if (topOnly) {
    ctx.lineTo(x + w, y + h);
    ctx.lineTo(x, y + h);
  } else {
    ctx.lineTo(x + w, y + h - r);
    ctx.arcTo(x + w, y + h, x + w - r, y + h, r);
    ctx.lineTo(x + r, y + h);
    ctx.arcTo(x, y + h, x, y + h - r, r);
  }
  ctx.lineTo(x, y + r);
  ctx.arcTo(x, y, x + r, y, r);
  ctx.closePath();
}

function traceCoarse(ctx: CanvasRenderingContext2D, points: Array<{ x: number; y: number }>, minStep: number): void {
  if (points.length < 2) return;
  let last = points[0];
  ctx.moveTo(last.x, last.y);
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    if (Math.abs(p.x - last.x) + Math.abs(p.y - last.y) < minStep) continue;
    ctx.lineTo(p.x, p.y);
    last = p;
  }
  const end = points[points.length - 1];
  ctx.lineTo(end.x, end.y);
}

/** A smooth curve through the route's bends (quadratic pieces between midpoints). */
export function tracePath(ctx: CanvasRenderingContext2D | Path2D, points: Array<{ x: number; y: number }>): void {
  if (points.length < 2) return;
  ctx.moveTo(points[0].x, points[0].y);
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    ctx.quadraticCurveTo(p.x, p.y, (p.x + q.x) / 2, (p.y + q.y) / 2);
  }
  const last = points[points.length - 1];
  ctx.lineTo(last.x, last.y);
}

function traceArrow(ctx: CanvasRenderingContext2D, points: Array<{ x: number; y: number }>, size: number): void {
  if (points.length < 2) return;
  const tip = points[points.length - 1];
  const from = points[points.length - 2];
  const dx = tip.x - from.x;
  const dy = tip.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  const ux = dx / length;
  const uy = dy / length;
  ctx.moveTo(tip.x, tip.y);
  ctx.lineTo(tip.x - size * ux + (size / 2) * uy, tip.y - size * uy - (size / 2) * ux);
  ctx.lineTo(tip.x - size * ux - (size / 2) * uy, tip.y - size * uy + (size / 2) * ux);
  ctx.closePath();
}
