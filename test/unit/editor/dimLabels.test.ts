// Labels on the graph: long exporter dimension names get short per-model aliases (explained in a legend
// and in hovers; full names on request), and edge labels never overlap one another or a box.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DimAliases, needsAlias } from '../../../src/core/graph/dimAliases.js';
import { buildModelView } from '../../../src/core/graph/viewModel.js';
import type { ModelView } from '../../../src/core/graph/viewModelTypes.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { LABEL_HEIGHT } from '../../../webview/edgeLabels.js';
import { GROUP_HEADER, runLayoutJob } from '../../../webview/layoutJob.js';
import { edgeRows, itemRows } from '../../../webview/overlays.js';
import { composeScene, planScene, type Scene } from '../../../webview/scene.js';
import { defaultViewState } from '../../../webview/viewState.js';

const fixtures = join(import.meta.dirname, '../../fixtures/exported');
const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };

function load(path: string): ModelView {
  return buildModelView(decodeModel(readFileSync(path)), 'model.onnx');
}

function scene(view: ModelView, dims?: DimAliases, direction: 'TB' | 'LR' = 'TB'): Scene {
  const graph = view.main;
  const plan = planScene(graph, new Set(defaultViewState(graph, 1500).expanded), direction, measure, fonts, { dims });
  return composeScene(plan, runLayoutJob(plan.job, new Map()));
}

test('the alias rule: long or dotted names get an alias, short readable names stay', () => {
  for (const name of ['p2o.DynamicDimension.0', 'total_sequence_length', 'ReduceMean/ReduceMean_output_0_dim_0']) assert.ok(needsAlias(name), name);
  for (const name of ['batch', 'sequence_length', 's0', 'unk__314', 'height']) assert.ok(!needsAlias(name), name);
  const dims = new DimAliases({ 'p2o.DynamicDimension.0': 'd0' }, false, ['d1']);
  assert.equal(dims.label('p2o.DynamicDimension.0'), 'd0');
  assert.equal(dims.label('batch'), 'batch');
  assert.equal(dims.label(null), '?');
  assert.equal(dims.label(3), '3');
  assert.equal(dims.label('a.name.nobody.listed'), 'd2', 'an unknown long name gets the next free alias (d1 is a real name here)');
  assert.equal(dims.label('a.name.nobody.listed'), 'd2', 'and keeps it');
  assert.equal(new DimAliases({ 'p2o.DynamicDimension.0': 'd0' }, true).label('p2o.DynamicDimension.0'), 'p2o.DynamicDimension.0', 'full names on request');
});

test("a paddle2onnx-style model's labels use aliases, listed once for the legend and explained on hover", () => {
  const view = load(join(fixtures, 'detector_opset11_constants/model.onnx'));
  assert.deepEqual(Object.entries(view.dims).slice(0, 3), [['p2o.DynamicDimension.0', 'd0'], ['p2o.DynamicDimension.1', 'd1'], ['p2o.DynamicDimension.2', 'd2']], 'numbered in the order the model names them: the input first');
  const dims = new DimAliases(view.dims);
  const s = scene(view, dims);
  const labels = s.edges.map((e) => e.label);
  assert.ok(labels.includes('d0×3×d1×d2'), `the input's edge: ${labels.slice(0, 3).join(' | ')}`);
  assert.ok(labels.every((l) => !l.includes('p2o.')), 'no label carries the long name');
  const input = s.items.find((i) => i.kind === 'input')!;
  assert.equal(input.subtitle, 'float[d0,3,d1,d2]', 'the input pill is not cut off');
  assert.deepEqual(s.aliases.slice(0, 3), [['d0', 'p2o.DynamicDimension.0'], ['d1', 'p2o.DynamicDimension.1'], ['d2', 'p2o.DynamicDimension.2']], 'the legend');
  const hover = edgeRows(view.main, null, s.edges.find((e) => e.label === 'd0×3×d1×d2')!, dims).map(([k, v]) => `${k} ${v}`.trim());
  assert.ok(hover.includes('dims d0 = p2o.DynamicDimension.0') && hover.includes('d2 = p2o.DynamicDimension.2'), hover.join(' | '));
  assert.ok(hover.some((r) => r.includes('float[p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2]')), 'the full type too');
  const inputHover = itemRows(view.main, null, input, dims).map(([k, v]) => `${k} ${v}`.trim());
  assert.ok(inputHover.includes('dims d0 = p2o.DynamicDimension.0'), inputHover.join(' | '));

  const full = scene(view, new DimAliases(view.dims, true));
  assert.ok(full.edges.some((e) => e.label === 'p2o.DynamicDimension.0×3×p2o.DynamicDimension.1×p2o.DynamicDimension.2'), 'onnxLens.graph.fullDimNames');
  assert.deepEqual(full.aliases, [], 'no legend with full names');
});

test('dynamo exports name their dims shortly: no aliases, no legend', () => {
  const view = load(join(fixtures, 'transformer_dynamo/model.onnx'));
  const s = scene(view, new DimAliases(view.dims));
  assert.deepEqual(s.aliases, []);
  assert.ok(s.edges.some((e) => /batch|sequence/.test(e.label)), s.edges.map((e) => e.label).join(' | '));
});

function overlaps(a: { x0: number; y0: number; x1: number; y1: number }, b: typeof a): boolean {
  return a.x0 < b.x1 - 0.01 && b.x0 < a.x1 - 0.01 && a.y0 < b.y1 - 0.01 && b.y0 < a.y1 - 0.01;
}

test('edge labels never overlap one another, a box or a frame title; most find a place', () => {
  const models = [join(fixtures, '../sample.onnx'), ...['detector_opset11_constants', 'transformer_torchscript', 'transformer_dynamo', 'silero_like_torchscript', 'lstm_torchscript'].map((f) => join(fixtures, f, 'model.onnx'))];
  let placedLeftToRight = 0;
  for (const path of models) {
    const view = load(path);
    for (const direction of ['TB', 'LR'] as const) {
      const s = scene(view, new DimAliases(view.dims), direction);
      const labelled = s.edges.filter((e) => e.label);
      const placed = labelled.filter((e) => e.labelAt);
      const rects = placed.map((e) => ({ x0: e.labelAt!.x - 2, y0: e.labelAt!.y - LABEL_HEIGHT / 2, x1: e.labelAt!.x + e.labelAt!.width + 2, y1: e.labelAt!.y + LABEL_HEIGHT / 2 }));
      const boxes = s.items.map((i) => ({ id: i.id, x0: i.x, y0: i.y, x1: i.x + i.width, y1: i.y + (i.kind === 'group' && i.expanded ? GROUP_HEADER : i.height) }));
      for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length; j++) assert.ok(!overlaps(rects[i], rects[j]), `${path} ${direction}: labels '${placed[i].label}' and '${placed[j].label}' overlap`);
        for (const box of boxes) assert.ok(!overlaps(rects[i], box), `${path} ${direction}: label '${placed[i].label}' covers ${box.id}`);
      }
      // Top to bottom, labels sit beside vertical edges; left to right, the gaps between ranks are narrower
      // than most shapes, and those labels are left to the hover.
      // A deep CNN's long inferred shapes may leave no gap wide enough in one model; across them all some fit.
      if (direction === 'TB') assert.ok(placed.length >= 0.6 * labelled.length, `${path} ${direction}: ${placed.length} of ${labelled.length} labels placed`);
      else placedLeftToRight += placed.length;
    }
  }
  assert.ok(placedLeftToRight > 0, 'left to right, no label was placed in any model');
});
