// The overview in the corner: every box of the graph as a dot, the view as a rectangle over them, shown
// only while the graph is larger than the view. Clicking or dragging in it moves the view there.
import type { ViewCamera } from './camera.js';
import type { Scene } from './scene.js';
import type { Theme } from './theme.js';

/** Size in CSS pixels. */
const WIDTH = 180;
const HEIGHT = 120;

export class Minimap {
  readonly element: HTMLCanvasElement;
  /** The boxes, drawn once per scene and theme; each frame copies it and adds the view's rectangle. */
  private boxes?: HTMLCanvasElement;
  /** CSS pixels of the minimap per world unit, and where the world's origin is in it. */
  private transform = { scale: 1, ox: 0, oy: 0 };

  /** `lookAt` receives the world point the user clicked or dragged to. */
  constructor(lookAt: (x: number, y: number) => void) {
    this.element = document.createElement('canvas');
    this.element.className = 'graph-minimap';
    this.element.setAttribute('aria-hidden', 'true');
    let dragging = false;
    const jump = (event: PointerEvent) => {
      const rect = this.element.getBoundingClientRect();
      const t = this.transform;
      lookAt((event.clientX - rect.left - t.ox) / t.scale, (event.clientY - rect.top - t.oy) / t.scale);
    };
    this.element.addEventListener('pointerdown', (event) => {
      dragging = true;
      this.element.setPointerCapture(event.pointerId);
      jump(event);
    });
    this.element.addEventListener('pointermove', (event) => dragging && jump(event));
    this.element.addEventListener('pointerup', () => (dragging = false));
  }

  /** The scene or the theme changed: the boxes are drawn anew. */
  invalidate(): void {
    this.boxes = undefined;
  }

  draw(scene: Scene, view: ViewCamera, theme: Theme): void {
    const { camera, width, height } = view;
    const dpr = window.devicePixelRatio || 1;
    const big = scene.width * camera.scale > width * 1.05 || scene.height * camera.scale > height * 1.05;
    const map = this.element;
    map.hidden = !big;
    if (!big) return;
    if (map.width !== WIDTH * dpr) {
      map.width = WIDTH * dpr;
      map.height = HEIGHT * dpr;
      map.style.width = `${WIDTH}px`;
      map.style.height = `${HEIGHT}px`;
      this.boxes = undefined;
    }
    const scale = Math.min((WIDTH * dpr) / Math.max(scene.width, 1), (HEIGHT * dpr) / Math.max(scene.height, 1));
    const ox = (WIDTH * dpr - scene.width * scale) / 2;
    const oy = (HEIGHT * dpr - scene.height * scale) / 2;
    if (!this.boxes) {
      const boxes = document.createElement('canvas');
      boxes.width = map.width;
      boxes.height = map.height;
      const c = boxes.getContext('2d')!;
      c.fillStyle = theme.nodeFill;
      c.fillRect(0, 0, boxes.width, boxes.height);
      c.fillStyle = theme.edge;
      for (const item of scene.items) {
        if (item.kind === 'group' && item.expanded) continue;
        c.fillRect(ox + item.x * scale, oy + item.y * scale, Math.max(1, item.width * scale), Math.max(1, item.height * scale));
      }
      this.boxes = boxes;
    }
    const m = map.getContext('2d')!;
    m.drawImage(this.boxes, 0, 0);
    m.strokeStyle = theme.focus;
    m.lineWidth = 1.5 * dpr;
    m.strokeRect(ox + camera.x * scale, oy + camera.y * scale, (width / camera.scale) * scale, (height / camera.scale) * scale);
    this.transform = { scale: scale / dpr, ox: ox / dpr, oy: oy / dpr };
  }
}
