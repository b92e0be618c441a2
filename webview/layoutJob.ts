// Compound layout: each expanded group is laid out on its own and then sits in its parent as one box
// of that size (Model Explorer's approach), so only what is visible is laid out, and expanding one
// group re-lays out that group and its ancestors while siblings come from the cache.
import { layoutGraph, type LayoutEdge, type LayoutResult } from '../src/core/layout/index.js';

/** Space inside an expanded group's frame around its content, and the title band above it. */
export const GROUP_PAD = 14;
export const GROUP_HEADER = 26;

export interface JobNode {
  id: string;
  width: number;
  height: number;
  /** Kept in the first or the last rank (a body's ports). */
  pin?: 'first' | 'last';
  /** An expanded group: its size comes from the layout of container `container`. */
  container?: number;
}

export interface JobContainer {
  /** Group index, -1 for the top level. */
  id: number;
  /** Identifies the content, including nested containers' keys; equal keys give equal layouts. */
  key: string;
  nodes: JobNode[];
  edges: LayoutEdge[];
}

export interface LayoutJob {
  direction: 'TB' | 'LR';
  /** Children before parents. */
  containers: JobContainer[];
}

export type LayoutJobResult = Record<number, LayoutResult>;

export function expandedSize(result: LayoutResult): { width: number; height: number } {
  return { width: Math.max(result.width, 40) + 2 * GROUP_PAD, height: Math.max(result.height, 20) + GROUP_HEADER + GROUP_PAD };
}

/** Runs a job; `cache` keeps results by container key between jobs. */
export function runLayoutJob(job: LayoutJob, cache: Map<string, LayoutResult>): LayoutJobResult {
  const results: LayoutJobResult = {};
  const keep = new Set<string>();
  for (const container of job.containers) {
    const key = `${job.direction}|${container.key}`;
    keep.add(key);
    let result = cache.get(key);
    if (!result) {
      const nodes = container.nodes.map((n) => {
        if (n.container === undefined) return n.pin ? { id: n.id, width: n.width, height: n.height, pin: n.pin } : { id: n.id, width: n.width, height: n.height };
        const inner = results[n.container];
        return { id: n.id, ...(inner ? expandedSize(inner) : { width: n.width, height: n.height }) };
      });
      result = normalize(layoutGraph(nodes, container.edges, { direction: job.direction }));
      cache.set(key, result);
    }
    results[container.id] = result;
  }
  // Forget layouts of what is no longer shown, beyond a small reserve for collapse/expand round trips.
  if (cache.size > 4 * keep.size + 64) for (const key of [...cache.keys()]) if (!keep.has(key)) cache.delete(key);
  return results;
}

/** The content moved to start at (0, 0); node x, y are top-left corners. */
function normalize(result: LayoutResult): LayoutResult {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of Object.values(result.nodes)) {
    minX = Math.min(minX, n.x);
    minY = Math.min(minY, n.y);
    maxX = Math.max(maxX, n.x + n.width);
    maxY = Math.max(maxY, n.y + n.height);
  }
  if (!Number.isFinite(minX)) return { nodes: {}, edges: [], width: 0, height: 0 };
  if (minX === 0 && minY === 0) return { ...result, width: Math.max(result.width, maxX), height: Math.max(result.height, maxY) };
  const nodes: LayoutResult['nodes'] = {};
  for (const [id, n] of Object.entries(result.nodes)) nodes[id] = { ...n, x: n.x - minX, y: n.y - minY };
  const edges = result.edges.map((e) => ({ ...e, points: e.points.map((p) => ({ x: p.x - minX, y: p.y - minY })) }));
  return { nodes, edges, width: maxX - minX, height: maxY - minY };
}
