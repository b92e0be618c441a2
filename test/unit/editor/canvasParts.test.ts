// The graph canvas's DOM-free parts on real scenes (a generated transformer laid out in Node): the
// camera's moves, what a point hits and what a click there does, and stepping along the edges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateTransformer } from '../../../bench/generate/index.js';
import { buildModelView } from '../../../src/core/graph/viewModel.js';
import type { GraphView } from '../../../src/core/graph/viewModelTypes.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { ViewCamera } from '../../../webview/camera.js';
import { clickAction, hitItem, pointedAt } from '../../../webview/hitTest.js';
import { GROUP_HEADER, runLayoutJob } from '../../../webview/layoutJob.js';
import { openTarget, stepTarget } from '../../../webview/navigation.js';
import { composeScene, LINE, planScene, TITLE, type Scene, type SceneItem } from '../../../webview/scene.js';

const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };

function transformer(layers: number): GraphView {
  const m = decodeModel(encodeModel(generateTransformer({ layers, hidden: 16, heads: 2, vocab: 20, nodeMetadata: true })));
  return buildModelView(m, 't.onnx').main;
}

function scene(graph: GraphView, expanded: string[]): Scene {
  const plan = planScene(graph, new Set(expanded), 'TB', measure, fonts);
  return composeScene(plan, runLayoutJob(plan.job, new Map()));
}

function camera(width: number, height: number): ViewCamera {
  const view = new ViewCamera();
  view.width = width;
  view.height = height;
  return view;
}

/** The screen point of a world point under the camera. */
const screenOf = (view: ViewCamera, x: number, y: number) => view.toScreen(x, y);
const centreOf = (item: SceneItem) => ({ x: item.x + item.width / 2, y: item.y + item.height / 2 });
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

test('camera: zooming keeps the point under the pointer, fit shows everything, home opens a tall graph at its top, readable', () => {
  const graph = transformer(2);
  const s = scene(graph, graph.groups.map((g) => g.path));
  const view = camera(800, 600);
  assert.ok(view.fit(s));
  const tl = view.toScreen(0, 0);
  const br = view.toScreen(s.width, s.height);
  assert.ok(tl.x >= 0 && tl.y >= 0 && br.x <= 800 && br.y <= 600, 'the whole scene is in view after fit');
  assert.ok(close((tl.x + br.x) / 2, 400) && close((tl.y + br.y) / 2, 300), 'and centred');

  const before = view.toWorld(123, 456);
  view.zoomBy(1.7, 123, 456, s);
  const after = view.toWorld(123, 456);
  assert.ok(close(before.x, after.x) && close(before.y, after.y), 'the world point under the pointer stays there');
  for (let i = 0; i < 100; i++) view.zoomBy(0.5, 400, 300, s);
  assert.ok(close(view.camera.scale, Math.min(0.005, view.wholeScale(s))), 'zooming out stops at the smallest scale');
  for (let i = 0; i < 100; i++) view.zoomBy(2, 400, 300, s);
  assert.equal(view.camera.scale, 4, 'and zooming in at the largest');

  // The graph is far taller than the view: home shows its top at a readable scale, not a speck.
  assert.ok(s.height * view.wholeScale(s) < 600 && view.wholeScale(s) < 0.6, 'a tall graph');
  assert.ok(view.home(s, 'TB'));
  assert.ok(view.camera.scale >= 0.6, `readable scale, got ${view.camera.scale}`);
  assert.ok(close(view.toScreen(0, 0).y, 24), 'the top of the graph is just below the view\'s top edge');

  const item = s.items.find((i) => i.kind === 'node')!;
  view.center(item, true);
  const c = screenOf(view, centreOf(item).x, centreOf(item).y);
  assert.ok(close(c.x, 400) && close(c.y, 300), 'center puts the item in the middle');
  assert.ok(view.camera.scale >= 1, 'zoomed in to at least 1');

  view.pin(item, 50, 70);
  const corner = view.toScreen(item.x, item.y);
  assert.ok(close(corner.x, 50) && close(corner.y, 70), 'pin puts the item\'s corner at the screen point');
  assert.equal(camera(0, 0).fit(s), false, 'no fit before the view has a size');
});

test('hit testing: every box is hit at its centre; a click selects it, opens a collapsed group, or closes an open one by its header', () => {
  const graph = transformer(2);
  // The outer scope open, the layers inside it collapsed.
  const outer = graph.groups.find((g) => g.parent === -1)!;
  const s = scene(graph, [outer.path]);
  const view = camera(1000, 800);
  view.camera = { x: -10, y: -10, scale: 0.8 };
  let boxes = 0;
  for (const item of s.items) {
    const c = screenOf(view, centreOf(item).x, centreOf(item).y);
    if (item.kind === 'group' && item.expanded) {
      const header = screenOf(view, item.x + 4, item.y + GROUP_HEADER / 2);
      assert.deepEqual(clickAction(s, graph, view, header.x, header.y), { kind: 'toggle', item, open: false }, `the header of open ${item.id} closes it`);
      continue;
    }
    boxes++;
    assert.equal(hitItem(s, view, c.x, c.y), item, `${item.id} is hit at its centre`);
    assert.equal(pointedAt(s, view, c.x, c.y).item, item);
    const action = clickAction(s, graph, view, c.x, c.y);
    if (item.kind === 'group') assert.deepEqual(action, { kind: 'toggle', item, open: true }, `a click opens collapsed ${item.id}`);
    else assert.ok(action.kind === 'select' && action.item === item, `a click selects ${item.id}`);
  }
  assert.ok(boxes > 5 && s.items.some((i) => i.kind === 'group' && !i.expanded), 'collapsed groups and boxes were tried');
  assert.deepEqual(clickAction(s, graph, view, -5000, -5000), { kind: 'nothing' }, 'nothing far away');
  assert.deepEqual(pointedAt(s, view, -5000, -5000), { edge: undefined });
});

test('hit testing: an edge is hit within a few pixels of its line, and a click on a folded constant names its slot', () => {
  const graph = transformer(1);
  const s = scene(graph, graph.groups.map((g) => g.path));
  const view = camera(1000, 800);
  view.camera = { x: 0, y: 0, scale: 1 };
  // The camera is the identity here: screen points are world points.
  let tried = 0;
  for (const edge of s.edges) {
    const [a, b] = edge.points;
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    if (pointedAt(s, view, mid.x, mid.y).item) continue;
    const hit = pointedAt(s, view, mid.x, mid.y).edge;
    assert.ok(hit, `edge ${edge.from} -> ${edge.to} is hit at the middle of its first segment`);
    assert.deepEqual(clickAction(s, graph, view, mid.x + 3, mid.y), { kind: 'edge', edge: pointedAt(s, view, mid.x + 3, mid.y).edge }, '3 px off still hits an edge');
    if (++tried >= 20) break;
  }
  assert.ok(tried > 5, `${tried} edges tried`);

  const folded = s.items.find((i) => i.kind === 'node' && graph.nodes[i.index].folded.length > 0 && i.lines.length > 0 && !i.lines[0].startsWith('+'))!;
  assert.ok(folded, 'a node with a folded constant');
  const top = folded.y + TITLE + (folded.subtitle ? LINE : 0);
  const p = screenOf(view, folded.x + folded.width / 2, top + LINE / 2);
  const action = clickAction(s, graph, view, p.x, p.y);
  assert.deepEqual(action, { kind: 'select', item: folded, slot: graph.nodes[folded.index].folded[0] });
  const title = screenOf(view, folded.x + folded.width / 2, folded.y + 4);
  assert.deepEqual(clickAction(s, graph, view, title.x, title.y), { kind: 'select', item: folded, slot: undefined }, 'the title is no slot');
});

test('navigation: steps follow the edges to the leftmost neighbour; nothing selected starts at the first box; nodes open their subgraph or function', () => {
  const graph = transformer(1);
  const s = scene(graph, graph.groups.map((g) => g.path));
  assert.equal(stepTarget(s, undefined, true), s.items.find((i) => !(i.kind === 'group' && i.expanded)), 'the first box');
  // Down from the graph's input, through the model.
  const input = s.items.find((i) => i.kind === 'input')!;
  let steps = 0;
  for (let at: SceneItem | undefined = input; at && steps < 50; steps++) {
    const next = stepTarget(s, at.id, true);
    if (!next) {
      assert.ok(!s.edges.some((e) => e.from === at!.id), `${at.id} feeds nothing`);
      break;
    }
    const fed = s.edges.filter((e) => e.from === at!.id).map((e) => s.byId.get(e.to)!);
    assert.ok(fed.includes(next), `${next.id} is fed by ${at.id}`);
    assert.equal(next.x, Math.min(...fed.map((i) => i.x)), 'the leftmost one');
    const back = stepTarget(s, next.id, false)!;
    assert.ok(s.edges.some((e) => e.from === back.id && e.to === next.id), 'a step up goes to what feeds it');
    at = next;
  }
  assert.ok(steps > 5, `${steps} steps down`);
  assert.equal(openTarget(graph, 0), undefined, 'a plain node opens nothing');
  const withBody: GraphView = { ...graph, nodes: graph.nodes.map((n, i) => (i === 0 ? { ...n, subgraphs: [{ attribute: 'body', graph: '/0.body' }] } : n)) };
  assert.equal(openTarget(withBody, 0), '/0.body', 'a node with a subgraph opens it');
  assert.equal(openTarget({ ...graph, nodes: [{ ...graph.nodes[0], calls: 'fn:custom:Swish' }] }, 0), 'fn:custom:Swish', 'a function call opens the function');
});
