// What the mouse and keyboard do on the graph canvas: a drag pans (a press without movement is a click),
// the wheel zooms about the pointer (Shift or a horizontal swipe pans), hovering shows a tooltip, a
// click selects or opens and closes groups (and a control node's ⊞ shows its bodies in place), Enter
// opens a group or shows bodies in place, a double-click opens a subgraph on its own, keys pan, zoom,
// fit and step the selection along the edges.
import type { DiffOverlay } from '../src/core/diff/diffOverlay.js';
import type { DimAliases } from '../src/core/graph/dimAliases.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { RuntimeOverlay } from '../src/protocol.js';
import type { ViewCamera } from './camera.js';
import { clickAction, hitItem, pointedAt } from './hitTest.js';
import { openTarget, stepTarget } from './navigation.js';
import { edgeRows, itemRows, type Tooltip } from './overlays.js';
import type { Marks } from './renderer.js';
import type { Scene } from './scene.js';

/** What input reads from the canvas and what it asks the canvas to do. */
export interface InputHost {
  /** The canvas's state now: it changes with every graph and layout. */
  now(): { scene?: Scene; graph?: GraphView; marks: Marks; overlay: RuntimeOverlay | null; dims?: DimAliases; diff?: DiffOverlay | null };
  readonly view: ViewCamera;
  readonly tooltip: Tooltip;
  panBy(dx: number, dy: number): void;
  zoomBy(factor: number, screenX?: number, screenY?: number): void;
  fit(): void;
  center(id: string, zoom: boolean): void;
  select(id: string | undefined, slot?: number): void;
  /** An edge was clicked: its (first) tensor is shown, no box is selected. */
  selectTensor(value: number): void;
  toggleGroup(index: number, open?: boolean): void;
  /** Shows an If/Loop/Scan node's bodies in place, or closes them. */
  toggleInline(index: number): void;
  openGraph(id: string): void;
  invalidate(): void;
}

/** Pixels a press may move and still count as a click. */
const CLICK_SLOP = 3;

export function bindCanvasInput(canvas: HTMLCanvasElement, host: InputHost): void {
  const local = (event: MouseEvent) => {
    const rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };
  let drag: { x: number; y: number; moved: boolean; id: number } | undefined;
  canvas.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    canvas.focus();
    canvas.setPointerCapture(event.pointerId);
    drag = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
    host.tooltip.hide();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (drag && drag.id === event.pointerId) {
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (drag.moved || Math.abs(dx) + Math.abs(dy) > CLICK_SLOP) {
        drag.moved = true;
        canvas.classList.add('panning');
        host.panBy(-dx, -dy);
        drag.x = event.clientX;
        drag.y = event.clientY;
      }
      return;
    }
    const at = local(event);
    hover(canvas, host, at.x, at.y);
  });
  canvas.addEventListener('pointerleave', () => {
    const { marks } = host.now();
    marks.hovered = undefined;
    marks.hoveredEdge = undefined;
    host.tooltip.hide();
    host.invalidate();
  });
  canvas.addEventListener('pointerup', (event) => {
    if (!drag || drag.id !== event.pointerId) return;
    const clicked = !drag.moved;
    drag = undefined;
    canvas.classList.remove('panning');
    if (!clicked) return;
    const at = local(event);
    click(host, at.x, at.y);
  });
  canvas.addEventListener('pointercancel', () => {
    drag = undefined;
    canvas.classList.remove('panning');
  });
  canvas.addEventListener('dblclick', (event) => {
    const at = local(event);
    const { scene } = host.now();
    const item = scene && hitItem(scene, host.view, at.x, at.y);
    if (item?.kind === 'node') open(host, item.index);
  });
  canvas.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      if (event.shiftKey) host.panBy(event.deltaY, event.deltaX);
      else if (Math.abs(event.deltaX) > Math.abs(event.deltaY) && !event.ctrlKey) host.panBy(event.deltaX, 0);
      else {
        // Lines to pixels; a pinch (ctrlKey) zooms faster than a wheel.
        const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
        const at = local(event);
        host.zoomBy(Math.exp(-delta * (event.ctrlKey ? 0.01 : 0.0015)), at.x, at.y);
      }
    },
    { passive: false },
  );
  canvas.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 200 : 50;
    let handled = true;
    switch (event.key) {
      case 'ArrowLeft': host.panBy(-step, 0); break;
      case 'ArrowRight': host.panBy(step, 0); break;
      case 'ArrowUp': if (event.altKey) stepSelection(host, false); else host.panBy(0, -step); break;
      case 'ArrowDown': if (event.altKey) stepSelection(host, true); else host.panBy(0, step); break;
      case '+': case '=': host.zoomBy(1.25); break;
      case '-': case '_': host.zoomBy(0.8); break;
      case '0': host.fit(); break;
      case 'Escape': host.select(undefined); break;
      case 'Enter': activateSelection(host); break;
      default: handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  });
}

function hover(canvas: HTMLCanvasElement, host: InputHost, x: number, y: number): void {
  const { scene, graph, marks, overlay, dims, diff } = host.now();
  const { item, edge } = scene ? pointedAt(scene, host.view, x, y) : {};
  if (item?.id !== marks.hovered || edge !== marks.hoveredEdge) {
    marks.hovered = item?.id;
    marks.hoveredEdge = edge;
    host.invalidate();
  }
  canvas.classList.toggle('pointing', Boolean(item || edge));
  const rows = graph && (item ? itemRows(graph, overlay, item, dims, diff) : edge && edgeRows(graph, overlay, edge, dims, diff));
  if (rows) host.tooltip.show(rows, x, y, host.view.width, host.view.height);
  else host.tooltip.hide();
}

function click(host: InputHost, x: number, y: number): void {
  const { scene, graph } = host.now();
  const action = scene && graph ? clickAction(scene, graph, host.view, x, y) : { kind: 'nothing' as const };
  switch (action.kind) {
    case 'toggle':
      host.select(action.item.id);
      host.toggleGroup(action.item.index, action.open);
      break;
    case 'select':
      host.select(action.item.id, action.slot);
      break;
    case 'inline':
      host.select(action.item.id);
      host.toggleInline(action.item.index);
      break;
    case 'edge':
      host.selectTensor(action.edge.values[0]);
      break;
    case 'nothing':
      host.select(undefined);
  }
}

/** Opens node `index`'s subgraph or function, if it has one. */
function open(host: InputHost, index: number): void {
  const target = openTarget(host.now().graph, index);
  if (target !== undefined) host.openGraph(target);
}

/** Enter: open a collapsed group, show an If/Loop/Scan node's bodies in place, step into a function. */
function activateSelection(host: InputHost): void {
  const { scene, marks } = host.now();
  const item = marks.selected ? scene?.byId.get(marks.selected) : undefined;
  if (item?.kind === 'group') host.toggleGroup(item.index);
  else if (item?.kind === 'node' && item.inline !== undefined) host.toggleInline(item.index);
  else if (item?.kind === 'node') open(host, item.index);
}

/** Alt+Down / Alt+Up: from the selection to what it feeds / what feeds it. */
function stepSelection(host: InputHost, down: boolean): void {
  const { scene, marks } = host.now();
  const next = scene && stepTarget(scene, marks.selected, down);
  if (!next) return;
  host.select(next.id);
  host.center(next.id, false);
}
