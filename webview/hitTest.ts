// What is under the pointer: the box or edge at a screen point, and what a click there means (select a
// node, one of its folded constants, a group to open or close, or the tensor of an edge).
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { ViewCamera } from './camera.js';
import { GROUP_HEADER } from './layoutJob.js';
import { LINE, TITLE, TOGGLE, type Scene, type SceneEdge, type SceneItem } from './scene.js';

/** How far from an edge, in screen pixels, still points at it. */
const EDGE_TOLERANCE = 5;

/** The topmost item under a screen point: boxes before the frames they sit in. */
export function hitItem(scene: Scene, view: ViewCamera, screenX: number, screenY: number): SceneItem | undefined {
  const { x, y } = view.toWorld(screenX, screenY);
  for (let i = scene.items.length - 1; i >= 0; i--) {
    const item = scene.items[i];
    if (x >= item.x && x <= item.x + item.width && y >= item.y && y <= item.y + item.height) return item;
  }
  return undefined;
}

/** The edge nearest to a screen point within a few pixels. */
function hitEdge(scene: Scene, view: ViewCamera, screenX: number, screenY: number): SceneEdge | undefined {
  const { x, y } = view.toWorld(screenX, screenY);
  const tolerance = EDGE_TOLERANCE / view.camera.scale;
  let best: SceneEdge | undefined;
  let bestDistance = tolerance;
  for (const e of scene.edges) {
    if (x < e.minX - tolerance || x > e.maxX + tolerance || y < e.minY - tolerance || y > e.maxY + tolerance) continue;
    for (let i = 1; i < e.points.length; i++) {
      const d = segmentDistance(x, y, e.points[i - 1], e.points[i]);
      if (d < bestDistance) {
        bestDistance = d;
        best = e;
      }
    }
  }
  return best;
}

function segmentDistance(x: number, y: number, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / length2));
  return Math.hypot(x - (a.x + t * dx), y - (a.y + t * dy));
}

/** An open group is pointed at by its header only; its body shows what it holds. */
function inHeader(item: SceneItem, worldY: number): boolean {
  return worldY <= item.y + GROUP_HEADER;
}

/** What the pointer is over: a box (an open group only by its header), else an edge, else nothing. */
export function pointedAt(scene: Scene, view: ViewCamera, screenX: number, screenY: number): { item?: SceneItem; edge?: SceneEdge } {
  let item = hitItem(scene, view, screenX, screenY);
  if (item?.kind === 'group' && item.expanded && !inHeader(item, view.toWorld(screenX, screenY).y)) item = undefined;
  return item ? { item } : { edge: hitEdge(scene, view, screenX, screenY) };
}

/** The folded input slot whose line is at world height y inside a node's box. */
function foldedSlotAt(graph: GraphView, item: SceneItem, y: number): number | undefined {
  const node = graph.nodes[item.index];
  if (!node || !node.folded.length) return undefined;
  const top = item.y + TITLE + (item.subtitle ? LINE : 0);
  const line = Math.floor((y - top) / LINE);
  if (line < 0 || line >= item.lines.length || item.lines[line].startsWith('+')) return undefined;
  return node.folded[line];
}

/** The ⊞/⊟ at the right of a control node's title band. */
export function onToggle(item: SceneItem, x: number, y: number): boolean {
  return item.kind === 'node' && item.inline !== undefined && x >= item.x + item.width - TOGGLE - 2 && y <= item.y + TITLE;
}

export type ClickAction =
  | { kind: 'toggle'; item: SceneItem; open: boolean }
  | { kind: 'inline'; item: SceneItem }
  | { kind: 'select'; item: SceneItem; slot?: number }
  | { kind: 'edge'; edge: SceneEdge }
  | { kind: 'nothing' };

/**
 * What a click at a screen point does: a collapsed group opens, an open group's header closes it, a
 * control node's ⊞/⊟ shows or closes its bodies in place, a box is selected (a node with the folded
 * constant clicked), an edge shows its tensor.
 */
export function clickAction(scene: Scene, graph: GraphView, view: ViewCamera, screenX: number, screenY: number): ClickAction {
  const item = hitItem(scene, view, screenX, screenY);
  const { x, y } = view.toWorld(screenX, screenY);
  if (item && onToggle(item, x, y)) return { kind: 'inline', item };
  if (item?.kind === 'group') {
    if (!item.expanded) return { kind: 'toggle', item, open: true };
    if (inHeader(item, y)) return { kind: 'toggle', item, open: false };
  }
  if (item && !(item.kind === 'group' && item.expanded)) return { kind: 'select', item, slot: item.kind === 'node' ? foldedSlotAt(graph, item, y) : undefined };
  const edge = hitEdge(scene, view, screenX, screenY);
  return edge ? { kind: 'edge', edge } : { kind: 'nothing' };
}
