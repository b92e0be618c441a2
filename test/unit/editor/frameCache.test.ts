// The frame cache in Chromium: a crowded view that moves is copied from one bitmap, which must show
// exactly what drawing anew would, and is drawn anew only when the content, the zoom or the view says so.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../../bench/figures/webview.js';

let browser: Browser;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 400, height: 300 } });
  const bundle = buildSync({ entryPoints: ['webview/frameCache.ts'], bundle: true, format: 'iife', globalName: 'FC', platform: 'browser', write: false });
  await page.setContent('<!doctype html><canvas id="c" width="400" height="300"></canvas><canvas id="d" width="400" height="300"></canvas>');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  // A checkerboard of 10-unit cells in world coordinates, each cell's colour from its position, so that
  // any offset or scale error in the copy shows up in the pixels.
  await page.addScriptTag({
    content: `
      window.renders = 0;
      window.render = (ctx, camera, w, h) => {
        window.renders++;
        ctx.setTransform(camera.scale, 0, 0, camera.scale, -camera.x * camera.scale, -camera.y * camera.scale);
        ctx.fillStyle = '#fff';
        ctx.fillRect(camera.x, camera.y, w / camera.scale, h / camera.scale);
        const x0 = Math.floor(camera.x / 10), y0 = Math.floor(camera.y / 10);
        for (let i = x0; i <= x0 + w / camera.scale / 10 + 1; i++) for (let j = y0; j <= y0 + h / camera.scale / 10 + 1; j++) {
          ctx.fillStyle = 'rgb(' + ((i * 37) & 255) + ',' + ((j * 53) & 255) + ',' + (((i + j) * 17) & 255) + ')';
          ctx.fillRect(i * 10, j * 10, 10, 10);
        }
      };
      window.cache = new FC.FrameCache();
      window.show = (key, camera) => window.cache.draw(document.getElementById('c').getContext('2d'), key, camera, 400, 300, '#fff', window.render);
      // The share of pixels where the cached frame and a fresh drawing of the same camera differ.
      window.differs = (camera) => {
        const direct = document.getElementById('d').getContext('2d');
        window.render(direct, camera, 400, 300);
        window.renders--;
        const a = document.getElementById('c').getContext('2d').getImageData(0, 0, 400, 300).data;
        const b = direct.getImageData(0, 0, 400, 300).data;
        let n = 0;
        for (let i = 0; i < a.length; i += 4) if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 24) n++;
        return n / (a.length / 4);
      };`,
  });
});

after(async () => {
  await browser?.close();
});

const show = (key: string, camera: { x: number; y: number; scale: number }) => page.evaluate(([k, c]) => (window as unknown as { show(k: string, c: object): void }).show(k, c), [key, camera] as const);
const renders = () => page.evaluate(() => (window as unknown as { renders: number }).renders);
const differs = (camera: { x: number; y: number; scale: number }) => page.evaluate((c) => (window as unknown as { differs(c: object): number }).differs(c), camera);

test('panning copies the bitmap: the picture equals a fresh drawing, pixel for pixel', async () => {
  await show('a', { x: 0, y: 0, scale: 1 });
  assert.equal(await renders(), 1);
  assert.equal(await differs({ x: 0, y: 0, scale: 1 }), 0);
  for (const camera of [{ x: 37, y: -23, scale: 1 }, { x: -150, y: 120, scale: 1 }, { x: 199, y: 149, scale: 1 }]) {
    await show('a', camera);
    assert.equal(await differs(camera), 0, `camera ${JSON.stringify(camera)}`);
  }
  assert.equal(await renders(), 1, 'every pan within half a view was copied from the first bitmap');
});

test('the bitmap is drawn anew when the view leaves it, the zoom drifts past 1.25x, or the content changes', async () => {
  await show('b', { x: 0, y: 0, scale: 1 });
  const start = await renders();
  await show('b', { x: 0, y: 0, scale: 1.2 });
  assert.equal(await renders(), start, 'a zoom of 1.2x is scaled from the bitmap');
  assert.ok(await differs({ x: 0, y: 0, scale: 1.2 }) < 0.35, 'scaled, the cells stay in place (only their edges are resampled)');
  await show('b', { x: 0, y: 0, scale: 1.3 });
  assert.equal(await renders(), start + 1, 'past 1.25x the bitmap is drawn at the new scale');
  assert.equal(await differs({ x: 0, y: 0, scale: 1.3 }), 0);
  await show('b', { x: 400, y: 0, scale: 1.3 });
  assert.equal(await renders(), start + 2, 'a view outside the bitmap draws it anew');
  await show('c', { x: 400, y: 0, scale: 1.3 });
  assert.equal(await renders(), start + 3, 'new content (a selection, a theme) draws it anew');
  assert.equal(await differs({ x: 400, y: 0, scale: 1.3 }), 0);
});
