// The drawn graph as a PNG: the whole scene drawn once into an offscreen canvas, as the view draws it.
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import { drawScene, type Marks } from './renderer.js';
import type { Scene } from './scene.js';
import type { Theme } from './theme.js';

/** Up to 2 pixels per unit, within the canvas size browsers allow. Keeps the runtime heat, not the selection. */
export async function sceneToPng(scene: Scene, graph: GraphView, theme: Theme, heat: Marks['heat']): Promise<Uint8Array> {
  const margin = 20;
  const w = scene.width + 2 * margin;
  const h = scene.height + 2 * margin;
  const scale = Math.min(2, 16000 / w, 16000 / h, Math.sqrt(120e6 / (w * h)));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.ceil(w * scale));
  canvas.height = Math.max(1, Math.ceil(h * scale));
  const ctx = canvas.getContext('2d')!;
  drawScene(ctx, scene, graph, { x: -margin, y: -margin, scale }, canvas.width, canvas.height, theme, { heat });
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The graph is too large to export as PNG; export SVG instead.');
  return new Uint8Array(await blob.arrayBuffer());
}
