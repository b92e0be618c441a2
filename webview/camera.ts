// Where the graph is seen from: the camera (a world point at the viewport's top-left corner and a scale)
// and the moves made with it: pan, zoom about a point, fit, the first view of a graph, centring an item.
// Arithmetic only; the canvas redraws after a move, and input and drawing live elsewhere.
import type { WrapOptions } from '../src/core/layout/wrap.js';
import type { Scene, SceneItem } from './scene.js';

export interface Camera {
  /** World coordinates of the viewport's top-left corner, and pixels per world unit. */
  x: number;
  y: number;
  scale: number;
}

const MIN_SCALE = 0.005;
const MAX_SCALE = 4;
/** Room around the graph when it is fitted, in CSS pixels. */
const MARGIN = 24;
/** Below this scale labels are hard to read: the first view of a large graph stays at it. */
const READABLE = 0.6;

/** Deep, narrow graphs that do not fit a viewport of this size at 100% wrap to suit its shape. */
export function wrapFor(width: number, height: number, direction: 'TB' | 'LR'): WrapOptions {
  return { aspect: width / height, minLength: (direction === 'TB' ? height : width) - 2 * MARGIN };
}

export class ViewCamera {
  camera: Camera = { x: 0, y: 0, scale: 1 };
  /** The viewport in CSS pixels; 0 before the first resize. */
  width = 0;
  height = 0;

  /** The world point under a screen point (CSS pixels from the viewport's top-left corner). */
  toWorld(screenX: number, screenY: number): { x: number; y: number } {
    return { x: this.camera.x + screenX / this.camera.scale, y: this.camera.y + screenY / this.camera.scale };
  }

  /** The screen point of a world point. */
  toScreen(x: number, y: number): { x: number; y: number } {
    return { x: (x - this.camera.x) * this.camera.scale, y: (y - this.camera.y) * this.camera.scale };
  }

  private get sized(): boolean {
    return this.width > 0 && this.height > 0;
  }

  /** The scale at which the whole graph fits the view. */
  wholeScale(scene: Scene | undefined): number {
    if (!scene || !this.sized) return 1;
    return Math.max(1e-5, Math.min((this.width - 2 * MARGIN) / Math.max(scene.width, 1), (this.height - 2 * MARGIN) / Math.max(scene.height, 1)));
  }

  /**
   * The first view of a graph: all of it when that is readable, else its top (the inputs) at a readable
   * scale across its width, as Netron opens models. False when there is nothing to look at yet.
   */
  home(scene: Scene | undefined, direction: 'TB' | 'LR'): boolean {
    if (!scene || !this.sized) return false;
    const fitScale = Math.min((this.width - 2 * MARGIN) / Math.max(scene.width, 1), (this.height - 2 * MARGIN) / Math.max(scene.height, 1));
    if (fitScale >= READABLE) return this.fit(scene);
    if (direction === 'LR') {
      const heightScale = (this.height - 2 * MARGIN) / Math.max(scene.height, 1);
      const scale = Math.min(1, Math.max(fitScale, heightScale, READABLE));
      this.camera = { scale, x: -MARGIN / scale, y: scene.height / 2 - this.height / 2 / scale };
    } else {
      const widthScale = (this.width - 2 * MARGIN) / Math.max(scene.width, 1);
      const scale = Math.min(1, Math.max(fitScale, widthScale, READABLE));
      this.camera = { scale, x: scene.width / 2 - this.width / 2 / scale, y: -MARGIN / scale };
    }
    return true;
  }

  /** Fits the whole graph in the view, magnifying a small one a little at most. */
  fit(scene: Scene | undefined): boolean {
    if (!scene || !this.sized) return false;
    const scale = Math.min(1.25, this.wholeScale(scene));
    this.lookAt(scene.width / 2, scene.height / 2, scale);
    return true;
  }

  /** Zooms about a screen point, which stays where it is. */
  zoomBy(factor: number, screenX: number, screenY: number, scene: Scene | undefined): void {
    // Zooming out stops at MIN_SCALE, or where the whole graph is in view when that takes more.
    const scale = Math.min(MAX_SCALE, Math.max(Math.min(MIN_SCALE, this.wholeScale(scene)), this.camera.scale * factor));
    const world = this.toWorld(screenX, screenY);
    this.camera = { scale, x: world.x - screenX / scale, y: world.y - screenY / scale };
  }

  /** Moves the view by screen pixels. */
  panBy(dx: number, dy: number): void {
    this.camera.x += dx / this.camera.scale;
    this.camera.y += dy / this.camera.scale;
  }

  /** Puts a world point in the middle of the view, at `scale` (the current one by default). */
  lookAt(x: number, y: number, scale = this.camera.scale): void {
    this.camera = { scale, x: x - this.width / 2 / scale, y: y - this.height / 2 / scale };
  }

  /** Centres an item, zooming in to a readable scale if `zoom`. */
  center(item: SceneItem, zoom: boolean): void {
    this.lookAt(item.x + item.width / 2, item.y + item.height / 2, zoom ? Math.max(this.camera.scale, 1) : this.camera.scale);
  }

  /** Fits a set of items in the view, not magnifying past 1 (a lone small module stays readable, not huge). */
  frame(items: readonly SceneItem[]): void {
    if (!items.length || !this.sized) return;
    const left = Math.min(...items.map((i) => i.x));
    const top = Math.min(...items.map((i) => i.y));
    const right = Math.max(...items.map((i) => i.x + i.width));
    const bottom = Math.max(...items.map((i) => i.y + i.height));
    const scale = Math.max(1e-5, Math.min(1, (this.width - 2 * MARGIN) / Math.max(right - left, 1), (this.height - 2 * MARGIN) / Math.max(bottom - top, 1)));
    this.lookAt((left + right) / 2, (top + bottom) / 2, scale);
  }

  /** Moves the view so that an item's corner is at a screen point again (after a layout moved it). */
  pin(item: SceneItem, screenX: number, screenY: number): void {
    this.camera.x = item.x - screenX / this.camera.scale;
    this.camera.y = item.y - screenY / this.camera.scale;
  }
}
