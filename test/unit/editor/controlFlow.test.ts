// If, Loop and Scan shown in place, on the committed real-exporter fixtures, libonnx-testdata and a model
// shaped like silero VAD v5 (nested Ifs with inliner-mangled names): dispatcher models open with the
// bodies in place, the values the bodies read from outside connect to their uses inside, outputs come out
// of the bodies, loop-carried values are marked, names read short, and the counts say the same thing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { adoptFrames, composeInline, controlPath, dispatcherNode, nodesInside } from '../../../src/core/graph/controlFlow.js';
import { buildGraphView, buildModelView, resolveGraph } from '../../../src/core/graph/viewModel.js';
import type { GraphView, ModelView } from '../../../src/core/graph/viewModelTypes.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from '../../../src/core/model/proto.js';
import { statusText } from '../../../webview/counts.js';
import { clickAction } from '../../../webview/hitTest.js';
import { ViewCamera } from '../../../webview/camera.js';
import { runLayoutJob } from '../../../webview/layoutJob.js';
import { composeScene, planScene, TITLE, type Scene, type SceneItem } from '../../../webview/scene.js';
import { defaultViewState } from '../../../webview/viewState.js';
import { testCases } from '../../helpers/testdata.js';

const fixtures = join(import.meta.dirname, '../../fixtures/exported');
const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };

interface Opened {
  model: ModelProto;
  view: ModelView;
  graph: GraphView;
  open: Set<string>;
  scene: Scene;
}

/** What the editor does on opening: the default view, bodies loaded and composed until nothing more opens. */
function openModel(model: ModelProto, open?: Iterable<string>): Opened {
  const view = buildModelView(model, 'model.onnx');
  const inside = nodesInside(view.graphs);
  const size = (id: string) => inside.get(id) ?? 0;
  const expanded = new Set(open ?? defaultViewState(view.main, 1500, size).expanded);
  const bodies = new Map<string, GraphView>();
  let graph = view.main;
  for (let round = 0; round < 16; round++) {
    const composed = composeInline(view.main, expanded, bodies);
    if (composed.missing.length) {
      for (const id of composed.missing) bodies.set(id, buildGraphView(model, resolveGraph(model, id)!));
      continue;
    }
    graph = composed.graph;
    if (!adoptFrames(graph, expanded, bodies, size, 1500)) break;
  }
  const plan = planScene(graph, expanded, 'TB', measure, fonts);
  return { model, view, graph, open: expanded, scene: composeScene(plan, runLayoutJob(plan.job, new Map())) };
}

function fixture(name: string): ModelProto {
  return decodeModel(readFileSync(join(fixtures, name, 'model.onnx')));
}

const inside = (outer: SceneItem, inner: SceneItem) =>
  inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;

/** The edges leaving item `from`, as `to` ids. */
const targets = (scene: Scene, from: string) => scene.edges.filter((e) => e.from === from).map((e) => e.to);

/** A body's ports: the pills where edges enter and leave it. */
const isPort = (id: string) => id.startsWith('p');

/** What item `from` feeds, through the ports of bodies: the boxes at the far ends. */
function reach(scene: Scene, from: string): SceneItem[] {
  const result: SceneItem[] = [];
  const seen = new Set<string>();
  const walk = (id: string) => {
    for (const to of targets(scene, id)) {
      if (seen.has(to)) continue;
      seen.add(to);
      if (isPort(to)) walk(to);
      else result.push(scene.byId.get(to)!);
    }
  };
  walk(from);
  return result;
}

/** What feeds item `to`, through ports. */
function feeders(scene: Scene, to: string): SceneItem[] {
  const result: SceneItem[] = [];
  for (const e of scene.edges) {
    if (e.to !== to) continue;
    if (isPort(e.from)) result.push(...feeders(scene, e.from));
    else result.push(scene.byId.get(e.from)!);
  }
  return result;
}

test('a dispatcher model (silero-like, both exporters) opens with its If in place; its inputs connect to their uses in both branches', () => {
  for (const name of ['silero_like_dynamo', 'silero_like_torchscript', 'cond_dynamo']) {
    const { graph, scene, open } = openModel(fixture(name));
    const ifNode = graph.nodes.findIndex((n) => n.op === 'If');
    assert.ok(open.has(controlPath('', ifNode)), `${name}: the If opens in place`);
    const frame = scene.items.find((i) => i.kind === 'group' && graph.groups[i.index].kind === 'control')!;
    const bodies = scene.items.filter((i) => i.kind === 'group' && graph.groups[i.index].kind === 'body');
    assert.deepEqual(bodies.map((b) => b.title), ['then', 'else'], name);
    for (const body of bodies) assert.ok(inside(frame, body), `${name}: ${body.title} lies in the If's frame`);
    const [a, b] = bodies;
    assert.ok(a.y < b.y + b.height && b.y < a.y + a.height && (a.x + a.width <= b.x || b.x + b.width <= a.x), `${name}: then and else side by side`);
    assert.ok(inside(frame, scene.byId.get(`n${ifNode}`)!), `${name}: the If node sits in its frame`);
    assert.deepEqual(targets(scene, `n${ifNode}`).sort(), bodies.map((b) => b.id).sort(), `${name}: the If points at its two bodies`);

    // Every graph input reaches a node; the ones only the branches read reach nodes inside both branches.
    for (const pill of scene.items.filter((i) => i.kind === 'input')) {
      const to = targets(scene, pill.id);
      assert.ok(to.length > 0, `${name}: input ${pill.title} is connected`);
    }
    const x = scene.items.find((i) => i.kind === 'input' && (i.title === 'input' || i.title === 'x'))!;
    const reached = reach(scene, x.id);
    for (const body of bodies) {
      assert.ok(reached.some((item) => item.kind === 'node' && inside(body, item)), `${name}: ${x.title} reaches a node in ${body.title}`);
      // It enters through a port at the body's top: no edge crosses the body's border.
      const port = scene.items.find((i) => isPort(i.id) && i.container === body.index && i.title === x.title);
      assert.ok(port && port.kind === 'input', `${name}: ${x.title} enters ${body.title} through a port`);
    }
    // The If's outputs come out of each branch, through a port at the bottom.
    const out = graph.nodes[ifNode].outputs[0];
    const leaving = scene.edges.filter((e) => e.values.some((v) => graph.sources?.[out]?.includes(v)) && isPort(e.from) && !isPort(e.to));
    const from = leaving.flatMap((e) => feeders(scene, e.from));
    for (const body of bodies) assert.ok(from.some((item) => item.kind === 'node' && inside(body, item)), `${name}: the If's output leaves ${body.title}`);
    for (const body of bodies) {
      const ports = scene.items.filter((i) => isPort(i.id) && i.container === body.index);
      const inner = scene.items.filter((i) => i.kind === 'node' && i.container === body.index);
      for (const p of ports) {
        // In the first (last) rank: no box's middle is above (below) the port's.
        const mid = (i: SceneItem) => i.y + i.height / 2;
        if (p.kind === 'input') assert.ok(inner.every((n) => mid(p) <= mid(n) + 0.5), `${name}: port ${p.title} is at the top of ${body.title}`);
        else assert.ok(inner.every((n) => mid(p) >= mid(n) - 0.5), `${name}: port ${p.title} is at the bottom of ${body.title}`);
      }
    }
  }
});

test('closed, a control node still shows what its bodies read: dashed capture edges into it', () => {
  const { graph, scene } = openModel(fixture('silero_like_dynamo'), []);
  const ifNode = graph.nodes.findIndex((n) => n.op === 'If');
  const input = scene.items.find((i) => i.kind === 'input' && i.title === 'input')!;
  const edge = scene.edges.find((e) => e.from === input.id && e.to === `n${ifNode}`);
  assert.ok(edge, 'input -> If');
  assert.equal(edge.kind, 'capture');
  assert.equal(scene.byId.get(`n${ifNode}`)!.inline, false, 'the box offers ⊞');
  // A click on the ⊞ shows the bodies in place; elsewhere on the box it selects.
  const box = scene.byId.get(`n${ifNode}`)!;
  const view = new ViewCamera();
  view.width = 800;
  view.height = 600;
  view.camera = { x: box.x - 10, y: box.y - 10, scale: 1 };
  const at = view.toScreen(box.x + box.width - 8, box.y + TITLE / 2);
  assert.equal(clickAction(scene, graph, view, at.x, at.y).kind, 'inline');
  const middle = view.toScreen(box.x + 10, box.y + box.height - 3);
  assert.equal(clickAction(scene, graph, view, middle.x, middle.y).kind, 'select');
});

test('a Loop body shows its carried values marked, inside its frame; the Loop outputs leave the body', () => {
  const root = testCases().find((c) => c.name === 'node/test_loop11')!;
  const { graph, scene } = openModel(decodeModel(readFileSync(root.model)), [controlPath('', 0)]);
  const body = scene.items.find((i) => i.kind === 'group' && graph.groups[i.index].kind === 'body')!;
  assert.equal(body.title, 'body');
  const pills = scene.items.filter((i) => (i.kind === 'input' || i.kind === 'output') && i.container === body.index);
  // The body's inputs, its carried output, and the scan output's port.
  assert.deepEqual(pills.map((p) => p.title).sort(), ['cond_in', 'iter_count', 'scan_out', '↻ y_in', '↻ y_out'].sort());
  for (const pill of pills) assert.ok(inside(body, pill), `${pill.title} in the body`);
  // res_y and res_scan (the Loop's outputs) are fed from inside the body: the carried y_out leaves through its own pill.
  for (const name of ['res_y', 'res_scan']) {
    const out = scene.items.find((i) => i.kind === 'output' && i.title === name)!;
    const from = scene.edges.filter((e) => e.to === out.id).map((e) => scene.byId.get(e.from)!);
    assert.ok(from.length > 0 && from.every((f) => inside(body, f)), `${name} comes out of the body`);
  }
  const scan = testCases().find((c) => c.name === 'node/test_scan9_sum')!;
  const s = openModel(decodeModel(readFileSync(scan.model)), [controlPath('', 0)]);
  const carried = s.scene.items.filter((i) => i.title.startsWith('↻ '));
  assert.deepEqual(carried.map((i) => i.kind).sort(), ['input', 'output'], `Scan's state: ${carried.map((i) => i.title).join(', ')}`);
});

function info(name: string, elemType: number, dims: Array<number | string>): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** Shaped like silero VAD v5: a dispatcher If whose else branch is itself a dispatcher around an If, names mangled by an inliner. */
function sileroV5Like(): ModelProto {
  const p = (branch: string) => `If_0_${branch}_branch__Inline_0__`;
  const branch = (name: string, nodes: NodeProto[], outputs: string[]): GraphProto => ({ name, node: nodes, output: outputs.map((o) => info(o, DataType.FLOAT, ['batch', 'time'])) });
  const cond = (name: string, out: string): NodeProto => ({ opType: 'Constant', name, output: [out], attribute: [{ name: 'value', type: 4, t: { dataType: DataType.BOOL, dims: [], int32Data: [1] } }] });
  const inner = (tag: string, op: string) => branch(`inner_${tag}`, [{ opType: op, name: `${p('else')}/decoder/${op}`, input: ['input'], output: [`inner_${tag}_y`] }], [`inner_${tag}_y`]);
  return decodeModel(encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'main_graph',
      input: [info('input', DataType.FLOAT, ['batch', 'time']), info('sr', DataType.INT64, [])],
      output: [info('output', DataType.FLOAT, ['batch', 'time'])],
      initializer: [{ name: 'rate', dataType: DataType.INT64, dims: [], int64Data: [16000] }],
      node: [
        { opType: 'Equal', name: 'Equal_0', input: ['sr', 'rate'], output: ['is16k'] },
        {
          opType: 'If', name: 'If_0', input: ['is16k'], output: ['y'], attribute: [
            { name: 'then_branch', type: 5, g: branch('then', [{ opType: 'Relu', name: `${p('then')}/encoder/Relu`, input: ['input'], output: ['then_a'] }, { opType: 'Neg', name: `${p('then')}/encoder/Neg`, input: ['then_a'], output: ['then_y'] }], ['then_y']) },
            {
              name: 'else_branch', type: 5, g: branch('else', [
                cond(`${p('else')}/decoder/Constant`, 'inner_cond'),
                { opType: 'If', name: `${p('else')}/decoder/If_1`, input: ['inner_cond'], output: ['else_y'], attribute: [{ name: 'then_branch', type: 5, g: inner('t', 'Abs') }, { name: 'else_branch', type: 5, g: inner('e', 'Sigmoid') }] },
              ], ['else_y']),
            },
          ],
        },
        { opType: 'Identity', name: 'Identity_0', input: ['y'], output: ['output'] },
      ],
    },
  }));
}

test('a silero-v5-shaped model: short subgraph names, nested dispatchers open too, one count everywhere', () => {
  const { view, graph, scene, open } = openModel(sileroV5Like());
  const titles = view.graphs.map((g) => g.title);
  assert.deepEqual(titles, ['main_graph', 'If_0 ▸ then', 'If_0 ▸ else', 'If_0 ▸ else ▸ /decoder/If_1 ▸ then', 'If_0 ▸ else ▸ /decoder/If_1 ▸ else']);
  const nested = view.graphs[3];
  assert.equal(nested.fullTitle, 'If_0.else_branch/If_0_else_branch__Inline_0__/decoder/If_1.then_branch', 'the full name for hovers');
  assert.deepEqual([nested.node, nested.attribute], ['/decoder/If_1', 'then'], 'a breadcrumb step');
  // No group is named after the inliner's prefix: the mangled part is no scope.
  assert.ok(graph.groups.every((g) => !g.name.includes('__Inline_')), graph.groups.map((g) => g.name).join(', '));

  // The main graph is a dispatcher (Equal, If, Identity around 5 nodes), and so is its else branch.
  assert.ok(open.has(controlPath('', 1)), 'If_0 in place');
  assert.ok(open.has(controlPath('/1.else_branch', 1)), '/decoder/If_1 in place');
  const bodies = graph.groups.filter((g) => g.kind === 'body').map((g) => g.name);
  assert.deepEqual(bodies, ['then', 'else', 'then', 'else']);
  // `input` is read by nodes three levels down, in both inner branches.
  const input = scene.items.find((i) => i.kind === 'input' && i.title === 'input' && i.container < 0)!;
  const reached = reach(scene, input.id).map((item) => graph.nodes[item.index]);
  assert.deepEqual(reached.map((n) => n.op).sort(), ['Abs', 'Relu', 'Sigmoid']);
  assert.ok(reached.every((n) => n.origin), 'the readers are nodes of the bodies');

  // Counts: the status bar says the main graph's drawn nodes, what is in place, and the panel's total.
  const drawnMain = graph.nodes.filter((n) => !n.hidden && !n.origin).length;
  assert.equal(drawnMain, view.stats.nodes.main);
  const inPlace = graph.nodes.filter((n) => !n.hidden && n.origin).length;
  assert.equal(drawnMain + inPlace, view.stats.nodes.all, 'everything is in place here');
  assert.equal(statusText(graph, scene), `${drawnMain} nodes · ${inPlace} in place from 4 subgraphs`);
});

test('the dispatcher rule: a graph with much around its If stays closed', () => {
  const view = buildModelView(fixture('transformer_dynamo'), 't.onnx');
  assert.equal(dispatcherNode(view.main, () => 0), undefined, 'no control node');
  const silero = buildModelView(fixture('silero_like_dynamo'), 's.onnx');
  const sizes = nodesInside(silero.graphs);
  assert.equal(sizes.get('/1.then_branch'), 7);
  assert.equal(dispatcherNode(silero.main, (id) => sizes.get(id) ?? 0), 1);
  assert.equal(dispatcherNode(silero.main, () => 1), undefined, 'tiny bodies beside 12 nodes: not a dispatcher');
  assert.equal(dispatcherNode(silero.main, (id) => sizes.get(id) ?? 0, 10), undefined, 'bodies over the limit stay closed');
});

test('every libonnx-testdata model with subgraphs composes with every control node in place', () => {
  let composed = 0;
  for (const c of testCases()) {
    const model = decodeModel(readFileSync(c.model));
    const view = buildModelView(model, 'model.onnx');
    if (view.graphs.length < 2) continue;
    // Open every control node at every depth: paths of all subgraphs' parents.
    const open = new Set<string>();
    for (const entry of view.graphs) {
      if (entry.kind !== 'subgraph' || entry.parent === undefined) continue;
      const step = entry.id.slice(entry.parent.length + 1);
      open.add(controlPath(entry.parent, Number(step.slice(0, step.indexOf('.')))));
    }
    const { graph, scene } = openModel(model, open);
    composed++;
    for (const e of scene.edges) assert.ok(scene.byId.has(e.from) && scene.byId.has(e.to), `${c.name}: edge ends exist`);
    graph.nodes.forEach((n, i) => {
      if (!n.origin) return;
      const source = resolveGraph(model, n.origin.graph)!;
      assert.equal(n.name, source.nodes[n.origin.index].name ?? '', `${c.name}: node ${i} knows where it is`);
    });
    graph.values.forEach((v, i) => {
      if (v.producer >= 0) assert.ok(graph.nodes[v.producer].outputs.includes(i), `${c.name}: producer of ${v.name}`);
      for (const consumer of v.consumers) assert.ok(graph.nodes[consumer].inputs.includes(i), `${c.name}: consumer of ${v.name}`);
    });
    for (const item of scene.items) {
      if (item.container < 0) continue;
      assert.ok(inside(scene.byId.get(`g${item.container}`)!, item), `${c.name}: ${item.id} inside its frame`);
    }
  }
  assert.ok(composed >= 5, `${composed} models with subgraphs`);
});
