// The bench's layout-quality count (bench/lib/layoutQuality.ts), which judges our drawing and dagre's
// alike: crossings between adjacent layers, total edge length and the drawing's area.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawingQuality, type Drawing, type DrawnNode } from '../../../bench/lib/layoutQuality.js';

const node = (cx: number, cy: number): DrawnNode => ({ cx, cy, width: 20, height: 10 });
/** A straight edge between the two nodes' borders. */
const straight = (nodes: Map<string, DrawnNode>, from: string, to: string) => {
  const a = nodes.get(from)!;
  const b = nodes.get(to)!;
  return { from, to, points: [{ x: a.cx, y: a.cy + 5 }, { x: b.cx, y: b.cy - 5 }] };
};

test('two edges that swap sides between two layers cross once; parallel ones do not', () => {
  const nodes = new Map([['a', node(0, 0)], ['b', node(100, 0)], ['c', node(0, 50)], ['d', node(100, 50)]]);
  const crossed: Drawing = { nodes, edges: [straight(nodes, 'a', 'd'), straight(nodes, 'b', 'c')] };
  const parallel: Drawing = { nodes, edges: [straight(nodes, 'a', 'c'), straight(nodes, 'b', 'd')] };
  assert.equal(drawingQuality(crossed).crossings, 1);
  assert.equal(drawingQuality(parallel).crossings, 0);
  // Two edges leaving one node never cross each other.
  const fan: Drawing = { nodes, edges: [straight(nodes, 'a', 'c'), straight(nodes, 'a', 'd')] };
  assert.equal(drawingQuality(fan).crossings, 0);
});

test('a long edge is followed through the layers it passes, where its polyline bends', () => {
  // Layers at y = 0, 50, 100. The long edge a -> e bends out to x = 200 on the middle layer, over b -> c.
  const nodes = new Map([['a', node(0, 0)], ['b', node(100, 0)], ['c', node(100, 50)], ['e', node(0, 100)], ['f', node(300, 100)]]);
  const around: Drawing = {
    nodes,
    edges: [
      { from: 'a', to: 'e', points: [{ x: 0, y: 5 }, { x: 200, y: 50 }, { x: 0, y: 95 }] },
      straight(nodes, 'b', 'c'),
      straight(nodes, 'c', 'f'),
    ],
  };
  const q = drawingQuality(around);
  assert.equal(q.layers, 3);
  // Crosses b -> c between layers 0 and 1 (0 < 100 above, 200 > 100 below), and c -> f between 1 and 2.
  assert.equal(q.crossings, 2);
  // The same edge kept at x = 0 crosses nothing.
  const inside: Drawing = { ...around, edges: [straight(nodes, 'a', 'e'), ...around.edges.slice(1)] };
  assert.equal(drawingQuality(inside).crossings, 0);
});

test('edges drawn on top of each other count as one line', () => {
  // Two edges from a share a route through the middle layer (a bus); one edge from b crosses it once.
  const nodes = new Map([['a', node(0, 0)], ['b', node(100, 0)], ['m', node(100, 50)], ['x', node(200, 100)], ['y', node(250, 100)]]);
  const bus = [{ x: 0, y: 5 }, { x: 150, y: 50 }];
  const drawing: Drawing = {
    nodes,
    edges: [
      { from: 'a', to: 'x', points: [...bus, { x: 200, y: 95 }] },
      { from: 'a', to: 'y', points: [...bus, { x: 250, y: 95 }] },
      straight(nodes, 'b', 'm'),
    ],
  };
  assert.equal(drawingQuality(drawing).crossings, 1);
});

test('edge length is the polylines\' length; the area is the bounding box of nodes and edges', () => {
  const nodes = new Map([['a', node(0, 0)], ['b', node(30, 50)]]);
  const drawing: Drawing = { nodes, edges: [{ from: 'a', to: 'b', points: [{ x: 0, y: 5 }, { x: 0, y: 25 }, { x: 30, y: 25 }, { x: 30, y: 45 }] }] };
  const q = drawingQuality(drawing);
  assert.equal(q.edgeLength, 70);
  assert.equal(q.width, 50);
  assert.equal(q.height, 60);
  // An edge pointing upwards is not counted among the crossings, but said.
  assert.equal(drawingQuality({ nodes, edges: [straight(nodes, 'b', 'a')] }).notDownward, 1);
});
