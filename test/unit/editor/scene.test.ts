import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateTransformer } from '../../../bench/generate/index.js';
import { buildModelView } from '../../../src/core/graph/viewModel.js';
import type { GraphView } from '../../../src/core/graph/viewModelTypes.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import type { LayoutResult } from '../../../src/core/layout/index.js';
import { findInGraph } from '../../../webview/find.js';
import { runLayoutJob } from '../../../webview/layoutJob.js';
import { composeScene, planScene, type Scene } from '../../../webview/scene.js';
import { sceneToSvg } from '../../../webview/svgExport.js';
import type { Theme } from '../../../webview/theme.js';

// Text widths in Node: 7 px per character, as a monospace 12 px font would measure.
const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };

function transformer(layers: number): GraphView {
  const m = decodeModel(encodeModel(generateTransformer({ layers, hidden: 16, heads: 2, vocab: 20, nodeMetadata: true })));
  return buildModelView(m, 't.onnx').main;
}

function scene(graph: GraphView, expanded: string[], direction: 'TB' | 'LR' = 'TB', cache = new Map<string, LayoutResult>()): Scene {
  const plan = planScene(graph, new Set(expanded), direction, measure, fonts);
  return composeScene(plan, runLayoutJob(plan.job, cache));
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
}

test('fully expanded: every drawn node has a box, boxes of one container do not overlap, frames hold their members', () => {
  const graph = transformer(2);
  const s = scene(graph, graph.groups.map((g) => g.path));
  const nodes = s.items.filter((i) => i.kind === 'node');
  assert.equal(nodes.length, graph.nodes.filter((n) => !n.hidden).length);
  const byContainer = new Map<number, typeof s.items>();
  for (const item of s.items) byContainer.set(item.container, [...(byContainer.get(item.container) ?? []), item]);
  for (const [container, items] of byContainer) {
    for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) assert.ok(!overlaps(items[i], items[j]), `${items[i].id} and ${items[j].id} overlap in container ${container}`);
    if (container < 0) continue;
    const frame = s.byId.get(`g${container}`)!;
    for (const item of items) {
      assert.ok(item.x >= frame.x && item.y >= frame.y && item.x + item.width <= frame.x + frame.width + 0.5 && item.y + item.height <= frame.y + frame.height + 0.5, `${item.id} lies inside its group's frame`);
    }
  }
  for (const e of s.edges) assert.ok(e.points.length >= 2 && e.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
});

test('collapsed: groups stand for their nodes and edges connect what is visible', () => {
  const graph = transformer(3);
  const s = scene(graph, []);
  const top = graph.groups.filter((g) => g.parent === -1).length + graph.nodes.filter((n) => !n.hidden && n.group === -1).length;
  assert.equal(s.items.filter((i) => i.kind === 'node' || i.kind === 'group').length, top);
  for (const e of s.edges) assert.ok(s.byId.has(e.from) && s.byId.has(e.to), 'edges join visible items');
  assert.ok(s.edges.length > 0);
  // Expanding the top group shows the layers as boxes.
  const model = graph.groups.findIndex((g) => g.parent === -1);
  const s2 = scene(graph, [graph.groups[model].path]);
  assert.ok(s2.items.filter((i) => i.kind === 'group' && /layers\.\d$/.test(i.title)).length === 3);
});

test('the same input gives the same scene; cached layouts are reused', () => {
  const graph = transformer(2);
  const expanded = graph.groups.slice(0, 4).map((g) => g.path);
  const cache = new Map<string, LayoutResult>();
  const a = scene(graph, expanded, 'TB', cache);
  const size = cache.size;
  const b = scene(graph, expanded, 'TB', cache);
  assert.equal(cache.size, size, 'no new layouts for an unchanged view');
  const c = scene(graph, expanded, 'TB', new Map());
  const pick = (s: Scene) => s.items.map((i) => [i.id, i.x, i.y, i.width, i.height]);
  assert.deepEqual(pick(a), pick(b));
  assert.deepEqual(pick(a), pick(c));
});

test('edges of a DAG point downwards (TB) and rightwards (LR) at the top level', () => {
  const graph = transformer(1);
  for (const direction of ['TB', 'LR'] as const) {
    const s = scene(graph, graph.groups.map((g) => g.path), direction);
    for (const e of s.edges) {
      const a = s.byId.get(e.from)!;
      const b = s.byId.get(e.to)!;
      if (a.container !== b.container) continue;
      if (direction === 'TB') assert.ok(b.y >= a.y + a.height - 0.5, `${e.from} -> ${e.to} points down`);
      else assert.ok(b.x >= a.x + a.width - 0.5, `${e.from} -> ${e.to} points right`);
    }
  }
});

test('find matches node names, operator types and tensor names', () => {
  const graph = transformer(1);
  const softmax = findInGraph(graph, 'softmax');
  assert.ok(softmax.results.some((r) => r.kind === 'node' && graph.nodes[r.index].op === 'Softmax'));
  const anyValue = graph.values.find((v) => v.kind === 'value')!;
  const byTensor = findInGraph(graph, anyValue.name);
  assert.ok(byTensor.results.some((r) => r.kind === 'tensor' && r.index === graph.values.indexOf(anyValue)));
  assert.equal(findInGraph(graph, 'no-such-thing-here').total, 0);
  assert.equal(findInGraph(graph, '  ').total, 0);
});

test('SVG export escapes model strings', () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const graph: GraphView = {
    id: '', title: 'g', kind: 'main', groups: [], inputs: [0], outputs: [1],
    nodes: [{ name: hostile, op: 'Relu<b>', domain: '', inputs: [0], outputs: [1], folded: [], group: -1 }],
    values: [
      { name: hostile, type: 'float', shape: [1], kind: 'input', producer: -1, consumers: [0] },
      { name: '</svg><script>x</script>', type: 'float', shape: [1], kind: 'value', producer: 0, consumers: [], output: true },
    ],
  };
  const s = scene(graph, []);
  const colours = new Proxy({}, { get: () => '#123456' }) as Theme['categories'];
  const theme = { background: '#fff', nodeFill: '#eee', nodeBorder: '#ccc', text: '#000', subtext: '#555', edge: '#888', edgeLabel: '#555', edgeLabelInferred: '#777', focus: '#00f', match: '#f80', groupFill: '#eee', groupBorder: '#ccc', pillFill: '#ddd', pillText: '#000', heat: '#f00', highContrast: false, categories: colours, fonts: { title: 't', text: 'x', mono: 'm', family: '"Segoe UI", sans', monoFamily: 'monospace' } } satisfies Theme;
  const svg = sceneToSvg(s, graph, theme);
  assert.ok(!svg.includes('<img') && !svg.includes('<script') && !svg.includes('<b>'), 'no markup from the model');
  assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(svg.includes('Relu&lt;b&gt;'));
  assert.ok(svg.includes('font-family="&quot;Segoe UI&quot;, sans"'));
});
