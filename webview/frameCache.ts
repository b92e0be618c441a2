// A bitmap of the scene for crowded views (thousands of boxes on screen, zoomed far out): drawn once at
// one scale over twice the view in each direction, then copied, moved and scaled for each frame while the
// user pans and zooms, as map viewers do. Drawing tens of thousands of boxes takes longer than a frame;
// copying a bitmap does not. The owner redraws crisply once the camera rests.
import type { Camera } from './camera.js';

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A number that stands for an object while it lives: content keys compare objects by identity. */
export function identity(value: object | undefined): number {
  if (!value) return 0;
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = nextId++));
  return id;
}

/** Zooming this far from the bitmap's scale, either way, draws it anew: beyond, it looks blurred or coarse. */
const maxDrift = 1.25;

export type Render = (ctx: CanvasRenderingContext2D, camera: Camera, width: number, height: number) => void;

export class FrameCache {
  private bitmap?: HTMLCanvasElement;
  private key = '';
  /** The camera the bitmap was drawn with: its top-left corner in world units, and its scale. */
  private at: Camera = { x: 0, y: 0, scale: 1 };

  /**
   * Draws the view of `camera` (device pixels) into `ctx` from the bitmap, first drawing the bitmap with
   * `render` when the content (`key`) changed, the zoom drifted too far, or the view left the bitmap.
   */
  draw(ctx: CanvasRenderingContext2D, key: string, camera: Camera, width: number, height: number, background: string, render: Render): void {
    const bw = width * 2;
    const bh = height * 2;
    const drift = camera.scale / this.at.scale;
    const viewW = width / camera.scale;
    const viewH = height / camera.scale;
    const inside = camera.x >= this.at.x && camera.y >= this.at.y
      && camera.x + viewW <= this.at.x + bw / this.at.scale && camera.y + viewH <= this.at.y + bh / this.at.scale;
    if (!this.bitmap || key !== this.key || drift > maxDrift || drift < 1 / maxDrift || !inside || this.bitmap.width !== bw || this.bitmap.height !== bh) {
      this.bitmap ??= document.createElement('canvas');
      this.bitmap.width = bw;
      this.bitmap.height = bh;
      // The view sits in the middle of the bitmap, with half a view of margin on every side.
      this.at = { x: camera.x - viewW / 2, y: camera.y - viewH / 2, scale: camera.scale };
      this.key = key;
      render(this.bitmap.getContext('2d', { alpha: false })!, this.at, bw, bh);
    }
    const k = this.at.scale;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.bitmap, (camera.x - this.at.x) * k, (camera.y - this.at.y) * k, viewW * k, viewH * k, 0, 0, width, height);
  }

  /** Frees the bitmap (a crisp frame was drawn, or the view is no longer crowded). */
  clear(): void {
    this.bitmap = undefined;
    this.key = '';
  }
}
