// Puts frames of the view on the canvas, at the device's pixel ratio. A view with thousands of boxes on
// screen is copied from a bitmap while it moves (webview/frameCache.ts) and drawn crisply once it rests.
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { Camera } from './camera.js';
import { FrameCache, identity } from './frameCache.js';
import { boxesInView, drawScene, type Marks } from './renderer.js';
import type { Scene } from './scene.js';
import type { Theme } from './theme.js';

/** From this many boxes on screen, a frame takes longer to draw than to copy from a bitmap. */
const crowdedBoxes = 4000;
/** The camera rests when it has not moved for this long. */
const restMs = 200;

export interface Frame {
  scene?: Scene;
  graph?: GraphView;
  theme: Theme;
  marks: Marks;
  /** In CSS pixels per world unit. */
  camera: Camera;
}

export class Painter {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cache = new FrameCache();
  /** The last frame had so many boxes on screen that moving draws from the frame cache. */
  private crowded = false;
  private crispTimer = 0;
  /** The content key of the last frame drawn. */
  private drawnKey = '';

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d', { alpha: false })!;
  }

  /** Sizes the canvas's pixels to `width` x `height` CSS pixels. */
  resize(width: number, height: number): void {
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
  }

  /**
   * Draws a frame and returns how many boxes were on screen. `redraw` is called when a crowded view
   * comes to rest, to draw it crisply (with `crisp` set).
   */
  paint(frame: Frame, crisp: boolean, redraw: () => void): number {
    const dpr = window.devicePixelRatio || 1;
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const { scene, graph, theme, marks } = frame;
    if (!scene || !graph) {
      ctx.fillStyle = theme.background;
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      return 0;
    }
    const camera = { x: frame.camera.x, y: frame.camera.y, scale: frame.camera.scale * dpr };
    const [width, height] = [this.canvas.width, this.canvas.height];
    // Only camera moves use the bitmap: a hover or a selection is drawn directly, as redrawing the
    // bitmap, twice the view each way, would cost more than the frame itself.
    const key = contentKey(frame);
    const sameContent = key === this.drawnKey;
    this.drawnKey = key;
    let boxes: number;
    if (this.crowded && sameContent && !crisp) {
      this.cache.draw(ctx, key, camera, width, height, theme.background, (c, at, w, h) => drawScene(c, scene, graph, at, w, h, theme, marks));
      boxes = boxesInView(scene, camera, width, height);
      window.clearTimeout(this.crispTimer);
      this.crispTimer = window.setTimeout(redraw, restMs);
    } else {
      boxes = drawScene(ctx, scene, graph, camera, width, height, theme, marks);
    }
    this.crowded = boxes >= crowdedBoxes;
    if (!this.crowded) this.cache.clear();
    return boxes;
  }

  dispose(): void {
    window.clearTimeout(this.crispTimer);
    this.cache.clear();
  }
}

/** Everything but the camera that changes what is drawn: the frame cache is redrawn when it changes. */
function contentKey(frame: Frame): string {
  const m = frame.marks;
  return [identity(frame.scene), identity(frame.theme), m.selected, m.hovered, identity(m.hoveredEdge), m.current, identity(m.matches), identity(m.heat), identity(m.diff), identity(m.divergence)].join('|');
}
