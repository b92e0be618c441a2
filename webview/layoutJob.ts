// Compound layout: each expanded group is laid out on its own and then sits in its parent as one box
// of that size (Model Explorer's approach), so only what is visible is laid out, and expanding one
// group re-lays out that group and its ancestors while siblings come from the cache.
import { layoutGraph, type LayoutEdge, type LayoutResult } from '../src/core/layout/index.js';
import { wrapCount, wrapLayout, type WrapOptions } from '../src/core/layout/wrap.js';

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
  /** Deep, narrow containers wrap into pieces side by side to suit a viewport of this shape. */
  wrap?: WrapOptions;
  /** Children before parents. */
  containers: JobContainer[];
}

export type LayoutJobResult = Record<number, LayoutResult>;

export function expandedSize(result: LayoutResult): { width: number; height: number } {
  return { width: Math.max(result.width, 40) + 2 * GROUP_PAD, height: Math.max(result.height, 20) + GROUP_HEADER + GROUP_PAD };
}

/**
 * Runs a job; `cache` keeps results by container key between jobs. With `job.wrap`, the one container
 * that makes the drawing long (see wrapTarget) wraps into pieces, and the containers around it are laid
 * out again at its new size: one level of wrapping, so that the reading order stays easy to follow.
 */
export function runLayoutJob(job: LayoutJob, cache: Map<string, LayoutResult>): LayoutJobResult {
  const results: LayoutJobResult = {};
  const keep = new Set<string>();
  const pass = (only?: Set<number>, wrapped?: number) => {
    const tag = job.wrap && wrapped !== undefined ? `${job.wrap.aspect.toFixed(2)}/${Math.round(job.wrap.minLength)}@${wrapped}` : '';
    for (const container of job.containers) {
      if (only && !only.has(container.id)) continue;
      const key = `${job.direction}|${tag}|${container.key}`;
      keep.add(key);
      let result = cache.get(key);
      if (!result) {
        const nodes = container.nodes.map((n) => {
          if (n.container === undefined) return n.pin ? { id: n.id, width: n.width, height: n.height, pin: n.pin } : { id: n.id, width: n.width, height: n.height };
          const inner = results[n.container];
          return { id: n.id, ...(inner ? expandedSize(inner) : { width: n.width, height: n.height }) };
        });
        result = normalize(layoutGraph(nodes, container.edges, { direction: job.direction }));
        if (container.id === wrapped && job.wrap) result = wrapLayout(result, job.direction, job.wrap);
        cache.set(key, result);
      }
      results[container.id] = result;
    }
  };
  pass();
  const target = job.wrap ? wrapTarget(job, results) : undefined;
  if (target !== undefined) {
    // The target and every container around it, children first as in the job.
    const parent = new Map<number, number>();
    for (const c of job.containers) for (const n of c.nodes) if (n.container !== undefined) parent.set(n.container, c.id);
    const chain = new Set<number>();
    for (let c: number | undefined = target; c !== undefined; c = parent.get(c)) chain.add(c);
    pass(chain, target);
  }
  // Forget layouts of what is no longer shown, beyond a small reserve for collapse/expand round trips.
  if (cache.size > 4 * keep.size + 64) for (const key of [...cache.keys()]) if (!keep.has(key)) cache.delete(key);
  return results;
}

/**
 * The container to wrap: from the top, down into the open group that makes most (60% or more) of the
 * length, to the first container whose length is shared among several things; undefined when that one
 * is not long and narrow enough to wrap (wrapCount).
 */
function wrapTarget(job: LayoutJob, results: LayoutJobResult): number | undefined {
  const tb = job.direction === 'TB';
  const length = (r: { width: number; height: number }) => (tb ? r.height : r.width);
  const byId = new Map(job.containers.map((c) => [c.id, c]));
  let current = -1;
  for (let depth = 0; depth < 64; depth++) {
    const result = results[current];
    const container = byId.get(current);
    if (!result || !container) return undefined;
    const dominant = container.nodes.find((n) => n.container !== undefined && result.nodes[n.id] && length(result.nodes[n.id]) >= 0.6 * length(result));
    if (dominant?.container === undefined) break;
    current = dominant.container;
  }
  const result = results[current];
  if (!result || !job.wrap) return undefined;
  return wrapCount(length(result), tb ? result.width : result.height, job.direction, job.wrap) >= 2 ? current : undefined;
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
