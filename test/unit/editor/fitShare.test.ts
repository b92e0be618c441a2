// How much of the canvas the whole graph uses when fitted, over the corpus (libonnx-testdata, the sample,
// the real-exporter fixtures): deep, narrow graphs wrap into pieces side by side instead of fitting as a
// stripe. The share is the fitted drawing's area over the viewport's, for graphs too large to show whole
// at 100% (smaller ones are shown at their size). Goal: 25% or more.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { buildModelView } from '../../../src/core/graph/viewModel.js';
import type { GraphView } from '../../../src/core/graph/viewModelTypes.js';
import { wrapLayout } from '../../../src/core/layout/wrap.js';
import { layoutGraph } from '../../../src/core/layout/index.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { ViewCamera, wrapFor } from '../../../webview/camera.js';
import { runLayoutJob } from '../../../webview/layoutJob.js';
import { composeScene, planScene, type Scene } from '../../../webview/scene.js';
import { defaultViewState } from '../../../webview/viewState.js';
import { testCases } from '../../helpers/testdata.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };
const exported = ['cnn_dynamo', 'cnn_torchscript', 'cond_dynamo', 'detector_opset11_constants', 'lstm_torchscript', 'silero_like_dynamo', 'silero_like_torchscript', 'transformer_dynamo', 'transformer_torchscript'];

function corpus(): Array<{ name: string; graph: GraphView }> {
  const files = [...testCases().map((c) => ({ name: c.name, path: c.model })), { name: 'sample', path: join(fixtures, 'sample.onnx') }, ...exported.map((f) => ({ name: f, path: join(fixtures, 'exported', f, 'model.onnx') }))];
  return files.map(({ name, path }) => ({ name, graph: buildModelView(decodeModel(readFileSync(path)), 'model.onnx').main }));
}

function scene(graph: GraphView, direction: 'TB' | 'LR', viewport?: { width: number; height: number }): Scene {
  const wrap = viewport ? wrapFor(viewport.width, viewport.height, direction) : undefined;
  const plan = planScene(graph, new Set(defaultViewState(graph, 1500).expanded), direction, measure, fonts, { wrap });
  return composeScene(plan, runLayoutJob(plan.job, new Map()));
}

/** The fitted view's scale (the editor's own Fit), and the share of the viewport the drawing covers there. */
function fitted(s: Scene, width: number, height: number): { scale: number; whole: number; share: number } {
  const view = new ViewCamera();
  view.width = width;
  view.height = height;
  view.fit(s);
  const scale = view.camera.scale;
  return { scale, whole: view.wholeScale(s), share: Math.min(1, (s.width * scale * s.height * scale) / (width * height)) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

test('wrapping keeps every node and its size, overlaps none, and keeps edges attached to their ends', () => {
  // A chain of 60 boxes with a skip edge every 3: the shape of a residual CNN.
  const nodes = Array.from({ length: 60 }, (_, i) => ({ id: `n${i}`, width: 90 + (i % 3) * 20, height: 30 }));
  const edges = nodes.slice(1).map((n, i) => ({ from: `n${i}`, to: n.id }));
  for (let i = 0; i + 3 < nodes.length; i += 3) edges.push({ from: `n${i}`, to: `n${i + 3}` });
  for (const direction of ['TB', 'LR'] as const) {
    const plain = layoutGraph(nodes, edges, { direction });
    const wrapped = wrapLayout(plain, direction, { aspect: 1.5, minLength: 700 });
    const tb = direction === 'TB';
    assert.ok(tb ? wrapped.height < plain.height / 2 : wrapped.width < plain.width / 2, `${direction}: shorter along its direction`);
    const boxes = Object.entries(wrapped.nodes);
    assert.equal(boxes.length, nodes.length);
    for (const [id, n] of boxes) {
      assert.deepEqual([n.width, n.height], [plain.nodes[id].width, plain.nodes[id].height]);
      assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.width <= wrapped.width + 0.5 && n.y + n.height <= wrapped.height + 0.5, `${direction}: ${id} inside`);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i][1], boxes[j][1]];
        assert.ok(!(a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height), `${direction}: ${boxes[i][0]} and ${boxes[j][0]} overlap`);
      }
    }
    for (const e of wrapped.edges) {
      const [first, last] = [e.points[0], e.points[e.points.length - 1]];
      const near = (p: { x: number; y: number }, n: { x: number; y: number; width: number; height: number }) => p.x >= n.x - 1 && p.x <= n.x + n.width + 1 && p.y >= n.y - 1 && p.y <= n.y + n.height + 1;
      assert.ok(near(first, wrapped.nodes[e.from]) && near(last, wrapped.nodes[e.to]), `${direction}: ${e.from} -> ${e.to} attached`);
    }
  }
});

test('the 301-node detector (deep and narrow) wraps: fitted, it uses the canvas', () => {
  const graph = buildModelView(decodeModel(readFileSync(join(fixtures, 'exported/detector_opset11_constants/model.onnx'))), 'd.onnx').main;
  for (const [width, height] of [[1200, 800], [720, 720]]) {
    const before = fitted(scene(graph, 'TB'), width, height);
    const after = fitted(scene(graph, 'TB', { width, height }), width, height);
    assert.ok(before.share < 0.05, `unwrapped it is a stripe: ${pct(before.share)}`);
    assert.ok(after.share >= 0.25, `${width}x${height}: ${pct(after.share)} of the canvas`);
    assert.ok(after.scale > 4 * before.scale, `boxes drawn ${(after.scale / before.scale).toFixed(1)}x larger`);
  }
});

test('the share of the canvas used at fit over the corpus is 25% or more', (t: TestContext) => {
  const graphs = corpus();
  for (const [width, height] of [[1200, 800], [720, 720]]) {
    for (const direction of ['TB', 'LR'] as const) {
      const shares: number[] = [];
      const before: number[] = [];
      const wide: string[] = [];
      for (const { name, graph } of graphs) {
        const plain = fitted(scene(graph, direction), width, height);
        if (plain.whole >= 1) continue; // shown whole at 100%: nothing to fit
        const s = scene(graph, direction, { width, height });
        const fit = fitted(s, width, height);
        shares.push(fit.share);
        before.push(plain.share);
        // Longer than the viewport's proportions along the layout's direction: wrapping is what helps.
        const long = direction === 'TB' ? s.height / s.width >= height / width : s.width / s.height >= width / height;
        if (long) assert.ok(fit.share >= 0.25, `${name} ${direction} ${width}x${height}: ${pct(fit.share)}`);
        else if (fit.share < 0.25) wide.push(`${name} ${pct(fit.share)}`);
      }
      t.diagnostic(`${width}x${height} ${direction}: ${shares.length} graphs need fitting; share at fit min ${pct(Math.min(...shares))}, median ${pct(median(shares))} (without wrapping: min ${pct(Math.min(...before))}, median ${pct(median(before))}); wider than the view under 25%: ${wide.join(', ') || 'none'}`);
      assert.ok(median(shares) >= 0.25, `${width}x${height} ${direction}: median ${pct(median(shares))}`);
    }
  }
});
