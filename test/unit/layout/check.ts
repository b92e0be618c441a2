// Geometric checks on a layout result, shared by the layout tests.
import assert from 'node:assert/strict';
import type { LayoutResult, Point } from '../../../src/core/layout/index.js';
import type { TestGraph } from './graphs.js';

type Box = LayoutResult['nodes'][string];
const EPS = 1e-6;

/** Every node is placed with its size, inside the drawing, and no two boxes overlap (spatial hash, so large graphs stay cheap). */
export function assertNoOverlap(graph: TestGraph, result: LayoutResult): void {
  const boxes: Array<[string, Box]> = [];
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    const box = result.nodes[node.id];
    assert.ok(box, `${graph.name}: ${node.id} has no position`);
    assert.equal(box.width, node.width, `${graph.name}: ${node.id} width`);
    assert.equal(box.height, node.height, `${graph.name}: ${node.id} height`);
    for (const v of [box.x, box.y]) assert.ok(Number.isFinite(v), `${graph.name}: ${node.id} at a finite position`);
    assert.ok(box.x >= -EPS && box.y >= -EPS && box.x + box.width <= result.width + EPS && box.y + box.height <= result.height + EPS,
      `${graph.name}: ${node.id} inside the ${result.width} x ${result.height} drawing`);
    boxes.push([node.id, box]);
  }
  assert.equal(Object.keys(result.nodes).length, seen.size, `${graph.name}: one position per distinct node`);
  let cell = 1;
  for (const [, b] of boxes) cell = Math.max(cell, b.width, b.height);
  const grid = new Map<string, number[]>();
  boxes.forEach(([, b], i) => {
    for (let gx = Math.floor(b.x / cell); gx <= Math.floor((b.x + b.width) / cell); gx++) {
      for (let gy = Math.floor(b.y / cell); gy <= Math.floor((b.y + b.height) / cell); gy++) {
        const key = `${gx},${gy}`;
        const list = grid.get(key);
        if (list) list.push(i);
        else grid.set(key, [i]);
      }
    }
  });
  for (const list of grid.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [ida, a] = boxes[list[i]];
        const [idb, b] = boxes[list[j]];
        const overlap = a.x < b.x + b.width - EPS && b.x < a.x + a.width - EPS && a.y < b.y + b.height - EPS && b.y < a.y + a.height - EPS;
        assert.ok(!overlap, `${graph.name}: ${ida} ${JSON.stringify(a)} overlaps ${idb} ${JSON.stringify(b)}`);
      }
    }
  }
}

/** The point lies on the box's outline. */
export function onBorder(p: Point, b: Box): boolean {
  const inside = p.x >= b.x - EPS && p.x <= b.x + b.width + EPS && p.y >= b.y - EPS && p.y <= b.y + b.height + EPS;
  const edge = Math.abs(p.x - b.x) < EPS || Math.abs(p.x - b.x - b.width) < EPS || Math.abs(p.y - b.y) < EPS || Math.abs(p.y - b.y - b.height) < EPS;
  return inside && edge;
}

/**
 * For a DAG: each target lies wholly below (TB) or right of (LR) its source, and each polyline runs
 * from the source's border to the target's border, never turning back.
 */
export function assertFlowsForward(graph: TestGraph, result: LayoutResult, direction: 'TB' | 'LR' = 'TB'): void {
  assert.equal(result.edges.length, graph.edges.length, `${graph.name}: one route per edge`);
  const along = (p: Point): number => (direction === 'TB' ? p.y : p.x);
  graph.edges.forEach((edge, i) => {
    const route = result.edges[i];
    assert.equal(route.from, edge.from);
    assert.equal(route.to, edge.to);
    const a = result.nodes[edge.from];
    const b = result.nodes[edge.to];
    const what = `${graph.name}: edge ${edge.from} -> ${edge.to}`;
    if (direction === 'TB') assert.ok(b.y >= a.y + a.height - EPS, `${what} points down`);
    else assert.ok(b.x >= a.x + a.width - EPS, `${what} points right`);
    assert.ok(route.points.length >= 2, `${what} has a polyline`);
    assert.ok(onBorder(route.points[0], a), `${what} starts on the source's border`);
    assert.ok(onBorder(route.points[route.points.length - 1], b), `${what} ends on the target's border`);
    for (let k = 1; k < route.points.length; k++) {
      assert.ok(along(route.points[k]) >= along(route.points[k - 1]) - EPS, `${what} never turns back`);
    }
  });
}
