import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { layoutGraph } from '../../../src/core/layout/index.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { testCases } from '../../helpers/testdata.js';
import { assertFlowsForward, assertNoOverlap, onBorder } from './check.js';
import { chain, cyclic, fan, forest, modelGraph, randomDag, transformer, type TestGraph } from './graphs.js';

const dags: TestGraph[] = [
  chain(50),
  fan(300),
  randomDag(40, 1.5, 1),
  randomDag(600, 1.3, 2),
  randomDag(2000, 1.6, 3),
  transformer(2),
  transformer(40),
];

test('DAGs of several shapes: no overlapping boxes, every edge points downward', () => {
  for (const graph of dags) {
    const result = layoutGraph(graph.nodes, graph.edges);
    assertNoOverlap(graph, result);
    assertFlowsForward(graph, result);
  }
});

test('the transformer-like graph has thousands of nodes and keeps weights beside their consumers', () => {
  const graph = transformer(40);
  assert.ok(graph.nodes.length > 3000, `${graph.nodes.length} nodes`);
  const result = layoutGraph(graph.nodes, graph.edges);
  // Pulled down to just above the node that consumes it, not left at the top of the drawing.
  let far = 0;
  const bottom = (id: string): number => result.nodes[id].y + result.nodes[id].height;
  const weights = new Set(graph.nodes.filter((n) => n.id.startsWith('/Initializer')).map((n) => n.id));
  for (const edge of graph.edges) {
    if (weights.has(edge.from) && result.nodes[edge.to].y - bottom(edge.from) > 100) far++;
  }
  assert.equal(far, 0, 'weights more than a rank gap above their consumer');
});

test('left-to-right layout is the transpose: no overlaps, edges point right', () => {
  for (const graph of [randomDag(300, 1.5, 7), transformer(3), fan(50)]) {
    const result = layoutGraph(graph.nodes, graph.edges, { direction: 'LR' });
    assertNoOverlap(graph, result);
    assertFlowsForward(graph, result, 'LR');
    // Same as top to bottom with each box turned on its side, then mirrored along the diagonal.
    const turned = graph.nodes.map((n) => ({ id: n.id, width: n.height, height: n.width }));
    const tb = layoutGraph(turned, graph.edges);
    assert.equal(result.width, tb.height);
    assert.equal(result.height, tb.width);
    for (const n of graph.nodes) {
      assert.deepEqual([result.nodes[n.id].x, result.nodes[n.id].y], [tb.nodes[n.id].y, tb.nodes[n.id].x], n.id);
    }
    graph.edges.forEach((_, i) => assert.deepEqual(result.edges[i].points, tb.edges[i].points.map((p) => ({ x: p.y, y: p.x }))));
  }
});

test('spacing options are honoured between neighbours of one rank and between ranks', () => {
  const graph = fan(20);
  const result = layoutGraph(graph.nodes, graph.edges, { nodeSep: 37, rankSep: 61 });
  const leaves = graph.nodes.filter((n) => n.id.startsWith('leaf')).map((n) => result.nodes[n.id]).sort((a, b) => a.x - b.x);
  for (let i = 1; i < leaves.length; i++) {
    assert.equal(leaves[i].y + leaves[i].height / 2, leaves[0].y + leaves[0].height / 2, 'one rank shares a centre line');
    assert.ok(leaves[i].x - (leaves[i - 1].x + leaves[i - 1].width) >= 37 - 1e-6, 'nodeSep between neighbours');
  }
  const source = result.nodes.source;
  const tallest = Math.max(...leaves.map((b) => b.height));
  assert.ok(leaves[0].y + leaves[0].height / 2 - tallest / 2 - (source.y + source.height) >= 61 - 1e-6, 'rankSep between ranks');
});

test('libonnx-testdata models: no overlaps, edges point downward, determinism', () => {
  const cases = testCases();
  let laidOut = 0;
  for (const c of cases) {
    const graph = modelGraph(c.name, decodeModel(readFileSync(c.model)));
    const result = layoutGraph(graph.nodes, graph.edges);
    assertNoOverlap(graph, result);
    assertFlowsForward(graph, result);
    if (graph.nodes.length > 20) {
      assert.deepEqual(layoutGraph(graph.nodes, graph.edges), result, `${c.name}: same output twice`);
    }
    laidOut++;
  }
  assert.equal(laidOut, cases.length);
});

test('same input gives the same output', () => {
  for (const graph of [randomDag(1500, 1.5, 11), cyclic(400, 12), forest(500, 13), transformer(6)]) {
    const copy = structuredClone({ nodes: graph.nodes, edges: graph.edges });
    const first = layoutGraph(graph.nodes, graph.edges);
    assert.deepEqual(layoutGraph(copy.nodes, copy.edges), first, graph.name);
    assert.deepEqual(layoutGraph(graph.nodes, graph.edges, { direction: 'LR' }), layoutGraph(copy.nodes, copy.edges, { direction: 'LR' }), graph.name);
  }
});

test('cycles, self-loops, duplicate edges and unknown endpoints do not throw', () => {
  const graph = cyclic(300, 5);
  const result = layoutGraph(graph.nodes, graph.edges);
  assertNoOverlap(graph, result);
  assert.equal(result.edges.length, graph.edges.length);
  graph.edges.forEach((edge, i) => {
    const points = result.edges[i].points;
    if (edge.to === 'missing') assert.deepEqual(points, [], 'no route to an unknown node');
    else assert.ok(points.length >= 2, `${edge.from} -> ${edge.to} routed`);
    for (const p of points) assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y));
  });
  // A back edge's route still runs from its source to its target.
  const loop = layoutGraph(
    ['a', 'b', 'c'].map((id) => ({ id, width: 50, height: 20 })),
    [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }],
  );
  const back = loop.edges[2].points;
  assert.ok(loop.nodes.c.y > loop.nodes.a.y, 'the back edge is the one drawn upwards');
  assert.ok(onBorder(back[0], loop.nodes.c), 'starts at c');
  assert.ok(onBorder(back[back.length - 1], loop.nodes.a), 'ends at a');
});

test('empty graph, single node, repeated ids and hostile ids', () => {
  const empty = layoutGraph([], []);
  assert.deepEqual([Object.keys(empty.nodes), empty.edges, empty.width, empty.height], [[], [], 0, 0]);
  const one = layoutGraph([{ id: 'x', width: 30, height: 10 }], []);
  assert.deepEqual({ ...one.nodes }, { x: { x: 0, y: 0, width: 30, height: 10 } });
  assert.equal(one.width, 30);
  assert.equal(one.height, 10);
  const odd = layoutGraph(
    [{ id: '__proto__', width: 10, height: 10 }, { id: 'constructor', width: 10, height: 10 }, { id: '__proto__', width: 99, height: 99 }],
    [{ from: '__proto__', to: 'constructor' }],
  );
  assert.deepEqual(Object.keys(odd.nodes).sort(), ['__proto__', 'constructor']);
  assert.equal(odd.nodes['__proto__'].width, 10, 'the first of two nodes with one id wins');
  const byId = new Map(Object.entries(odd.nodes));
  assert.ok((byId.get('constructor')?.y ?? 0) > (byId.get('__proto__')?.y ?? 0), 'laid out as a graph of two nodes');
});

test('disconnected components sit side by side', () => {
  const graph = forest(200, 3);
  const result = layoutGraph(graph.nodes, graph.edges);
  assertNoOverlap(graph, result);
  assertFlowsForward(graph, result);
  const two = layoutGraph(
    [...chain(5).nodes, ...chain(5).nodes.map((n) => ({ ...n, id: `m${n.id}` }))],
    [...chain(5).edges, ...chain(5).edges.map((e) => ({ from: `m${e.from}`, to: `m${e.to}` }))],
  );
  assert.equal(two.nodes.mn0.y, two.nodes.n0.y, 'both start at the top');
  assert.ok(two.nodes.mn0.x >= two.nodes.n0.x + two.nodes.n0.width, 'second component to the right');
});

test('long chains stay straight', () => {
  const graph = chain(100);
  const result = layoutGraph(graph.nodes, graph.edges);
  for (const node of graph.nodes) assert.equal(result.nodes[node.id].x, 0);
  // A long edge beside a chain runs as one vertical line through its dummies.
  const skip = layoutGraph(graph.nodes, [...graph.edges, { from: 'n10', to: 'n40' }]);
  const points = skip.edges[skip.edges.length - 1].points;
  assert.equal(points.length, 4, 'one straight run between the two end segments');
  assert.equal(points[1].x, points[2].x, 'vertical');
  assert.ok(points[2].y - points[1].y > 28 * 24, 'beside the ranks it skips');
});

test('an input read all along a 20,000-node chain is routed as one shared trunk', () => {
  const graph = chain(20000);
  graph.nodes.push({ id: 'mask', width: 60, height: 24 });
  for (let i = 10; i < 20000; i += 10) graph.edges.push({ from: 'mask', to: `n${i}` });
  const result = layoutGraph(graph.nodes, graph.edges);
  assertNoOverlap(graph, result);
  assertFlowsForward(graph, result);
  const routes = result.edges.filter((e) => e.from === 'mask' && e.points.length > 2);
  assert.ok(routes.length > 1900, 'long edges from the input');
  const trunk = routes[0].points[1].x;
  for (const route of routes) {
    // Down the one straight trunk, then off to the target: a handful of points, not two per rank.
    assert.ok(route.points.length <= 5, `mask -> ${route.to}: ${route.points.length} points`);
    assert.equal(route.points[1].x, trunk, `mask -> ${route.to} runs along the trunk`);
  }
});

test('a graph that would need hundreds of thousands of dummy nodes draws its longest edges straight', () => {
  // 150 sources, each read at the top and at the bottom of a 2,000-node chain: 300,000 dummies.
  const graph = chain(2000);
  for (let s = 0; s < 150; s++) {
    graph.nodes.push({ id: `s${s}`, width: 50, height: 20 });
    graph.edges.push({ from: `s${s}`, to: `n${1 + s}` }, { from: `s${s}`, to: `n${1990 - s}` });
  }
  const result = layoutGraph(graph.nodes, graph.edges);
  assertNoOverlap(graph, result);
  assertFlowsForward(graph, result);
  const straight = result.edges.filter((e) => e.from.startsWith('s') && e.points.length === 2 && e.points[1].y - e.points[0].y > 1000);
  assert.ok(straight.length > 0, 'some long edges detached');
  assert.ok(straight.length < 150, 'only as many as needed');
  assert.deepEqual(layoutGraph(graph.nodes, graph.edges), result, 'deterministic');
});

test('20,000-node chain and 20,000-node fan-out do not overflow the stack', () => {
  for (const graph of [chain(20000), fan(20000)]) {
    const result = layoutGraph(graph.nodes, graph.edges);
    assert.equal(Object.keys(result.nodes).length, graph.nodes.length);
    assertNoOverlap(graph, result);
    assertFlowsForward(graph, result);
  }
});
