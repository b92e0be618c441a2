// Layered (Sugiyama-style) graph layout. Pure and synchronous: runs in Node and in a Web Worker.
import { layoutComponent, type ComponentLayout, type Point, type Spacing } from './component.js';
import { PIN_FIRST, PIN_LAST } from './rank.js';

export type { Point } from './component.js';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** 'first': stays in the first rank; 'last': goes to the last rank (when nothing leaves it). */
  pin?: 'first' | 'last';
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface LayoutOptions {
  /** 'TB' draws edges downwards (default), 'LR' to the right. */
  direction?: 'TB' | 'LR';
  /** Gap between neighbouring nodes of one rank (default 20). */
  nodeSep?: number;
  /** Gap between ranks (default 30). */
  rankSep?: number;
  /** Gap between parallel long edges (default 10). */
  edgeSep?: number;
}

export interface LayoutResult {
  /** x, y: top-left corner. */
  nodes: Record<string, { x: number; y: number; width: number; height: number }>;
  /**
   * One entry per input edge, same order: a polyline from the source's border to the target's,
   * bending through the slots of long edges. Empty when an endpoint is not among the nodes.
   */
  edges: Array<{ from: string; to: string; points: Point[] }>;
  width: number;
  height: number;
}

export const defaultLayoutOptions: Required<LayoutOptions> = { direction: 'TB', nodeSep: 20, rankSep: 30, edgeSep: 10 };

/**
 * Lays out a directed graph in ranks. Tolerates cycles, self-loops, duplicate edges and unknown
 * endpoints; a repeated node id keeps its first occurrence. Same input gives the same output.
 */
export function layoutGraph(nodes: LayoutNode[], edges: LayoutEdge[], options: LayoutOptions = {}): LayoutResult {
  const spacing: Spacing = {
    nodeSep: gap(options.nodeSep, defaultLayoutOptions.nodeSep),
    rankSep: gap(options.rankSep, defaultLayoutOptions.rankSep),
    edgeSep: gap(options.edgeSep, defaultLayoutOptions.edgeSep),
  };
  const transpose = options.direction === 'LR';
  const index = new Map<string, number>();
  const ids: string[] = [];
  const sizes: number[] = [];
  let pins: Uint8Array | undefined;
  for (const node of nodes) {
    if (index.has(node.id)) continue;
    if (node.pin) (pins ??= new Uint8Array(nodes.length))[ids.length] = node.pin === 'first' ? PIN_FIRST : PIN_LAST;
    index.set(node.id, ids.length);
    ids.push(node.id);
    const w = size(node.width);
    const h = size(node.height);
    // Laid out top to bottom; left to right is the transpose.
    sizes.push(transpose ? h : w, transpose ? w : h);
  }
  const n = ids.length;
  const width = new Float64Array(n);
  const height = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    width[v] = sizes[2 * v];
    height[v] = sizes[2 * v + 1];
  }

  // Per input edge: its distinct edge, or SELF / UNKNOWN.
  const SELF = -1;
  const UNKNOWN = -2;
  const edgeRef = new Int32Array(edges.length);
  const distinct = new Map<number, number>();
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < edges.length; i++) {
    const a = index.get(edges[i].from);
    const b = index.get(edges[i].to);
    if (a === undefined || b === undefined) edgeRef[i] = UNKNOWN;
    else if (a === b) edgeRef[i] = SELF;
    else {
      const key = a * n + b;
      let k = distinct.get(key);
      if (k === undefined) {
        k = from.length;
        distinct.set(key, k);
        from.push(a);
        to.push(b);
      }
      edgeRef[i] = k;
    }
  }

  const components = connectedComponents(n, from, to);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  // Where each distinct edge's route lives: its component's layout and offset, and its index there.
  const edgeLayout: ComponentLayout[] = new Array(from.length);
  const edgeLocal = new Int32Array(from.length);
  const edgeDx = new Float64Array(from.length);
  const edgeDy = new Float64Array(from.length);
  const placed = packComponents(components, n, from, to, width, height, spacing, pins, (c, layout, dx, dy) => {
    for (let i = 0; i < c.nodes.length; i++) {
      x[c.nodes[i]] = layout.x[i] + dx;
      y[c.nodes[i]] = layout.y[i] + dy;
    }
    for (let i = 0; i < c.edges.length; i++) {
      const e = c.edges[i];
      edgeLayout[e] = layout;
      edgeLocal[e] = i;
      edgeDx[e] = dx;
      edgeDy[e] = dy;
    }
  });
  // Points are made once, here, already transposed for left to right.
  const point = transpose ? (px: number, py: number): Point => ({ x: py, y: px }) : (px: number, py: number): Point => ({ x: px, y: py });

  // Self-loops: a small loop off the right side of the node.
  let right = placed.width;
  const selfRoute = (v: number): Point[] => {
    const reach = Math.max(4, spacing.nodeSep / 2);
    const side = x[v] + width[v] / 2;
    const dy = Math.max(2, height[v] / 4);
    right = Math.max(right, side + reach);
    return [point(side, y[v] - dy), point(side + reach, y[v] - dy), point(side + reach, y[v] + dy), point(side, y[v] + dy)];
  };

  const resultNodes: LayoutResult['nodes'] = Object.create(null);
  for (let v = 0; v < n; v++) {
    const left = x[v] - width[v] / 2;
    const top = y[v] - height[v] / 2;
    resultNodes[ids[v]] = transpose
      ? { x: top, y: left, width: height[v], height: width[v] }
      : { x: left, y: top, width: width[v], height: height[v] };
  }
  const resultEdges: LayoutResult['edges'] = new Array(edges.length);
  for (let i = 0; i < edges.length; i++) {
    const ref = edgeRef[i];
    let points: Point[];
    if (ref === UNKNOWN) points = [];
    else if (ref === SELF) points = selfRoute(index.get(edges[i].from) as number);
    else {
      const layout = edgeLayout[ref];
      const local = edgeLocal[ref];
      const r = layout.edgeRoute[local];
      const first = layout.routeStart[r];
      const count = layout.routeStart[r + 1] - first;
      const dx = edgeDx[ref];
      const dy = edgeDy[ref];
      const backwards = layout.reversed[local] === 1;
      points = new Array(count);
      for (let k = 0; k < count; k++) {
        const j = 2 * (first + (backwards ? count - 1 - k : k));
        points[k] = point(layout.route[j] + dx, layout.route[j + 1] + dy);
      }
    }
    resultEdges[i] = { from: edges[i].from, to: edges[i].to, points };
  }
  return transpose
    ? { nodes: resultNodes, edges: resultEdges, width: placed.height, height: right }
    : { nodes: resultNodes, edges: resultEdges, width: right, height: placed.height };
}

function gap(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function size(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

interface Component {
  nodes: Int32Array;
  edges: Int32Array;
}

/** Components in order of their first node; node and edge lists keep input order. Union-find, no recursion. */
function connectedComponents(n: number, from: number[], to: number[]): Component[] {
  const parent = new Int32Array(n);
  for (let v = 0; v < n; v++) parent[v] = v;
  const find = (v: number): number => {
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  };
  for (let e = 0; e < from.length; e++) {
    const a = find(from[e]);
    const b = find(to[e]);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const id = new Int32Array(n).fill(-1);
  const nodeCounts: number[] = [];
  const componentOf = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const r = find(v);
    if (id[r] < 0) {
      id[r] = nodeCounts.length;
      nodeCounts.push(0);
    }
    componentOf[v] = id[r];
    nodeCounts[id[r]]++;
  }
  const edgeCounts = new Array<number>(nodeCounts.length).fill(0);
  for (let e = 0; e < from.length; e++) edgeCounts[componentOf[from[e]]]++;
  const components = nodeCounts.map((count, c) => ({ nodes: new Int32Array(count), edges: new Int32Array(edgeCounts[c]), nn: 0, ne: 0 }));
  for (let v = 0; v < n; v++) {
    const c = components[componentOf[v]];
    c.nodes[c.nn++] = v;
  }
  for (let e = 0; e < from.length; e++) {
    const c = components[componentOf[from[e]]];
    c.edges[c.ne++] = e;
  }
  return components.map(({ nodes, edges }) => ({ nodes, edges }));
}

/**
 * Lays out each component and places them side by side, top-aligned, wrapping to a new row when a
 * row grows much wider than the drawing is tall (many small components).
 */
function packComponents(
  components: Component[],
  n: number,
  from: number[],
  to: number[],
  width: Float64Array,
  height: Float64Array,
  spacing: Spacing,
  pins: Uint8Array | undefined,
  place: (c: Component, layout: ComponentLayout, dx: number, dy: number) => void,
): { width: number; height: number } {
  const local = new Int32Array(n);
  const layouts: ComponentLayout[] = [];
  let area = 0;
  let widest = 0;
  for (const c of components) {
    const k = c.nodes.length;
    const w = new Float64Array(k);
    const h = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      local[c.nodes[i]] = i;
      w[i] = width[c.nodes[i]];
      h[i] = height[c.nodes[i]];
    }
    const m = c.edges.length;
    const lf = new Int32Array(m);
    const lt = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      lf[i] = local[from[c.edges[i]]];
      lt[i] = local[to[c.edges[i]]];
    }
    let localPins: Uint8Array | undefined;
    if (pins) {
      localPins = new Uint8Array(k);
      for (let i = 0; i < k; i++) localPins[i] = pins[c.nodes[i]];
    }
    const layout = layoutComponent(k, w, h, m, lf, lt, spacing, localPins);
    layouts.push(layout);
    area += (layout.width + spacing.nodeSep) * (layout.height + spacing.rankSep);
    widest = Math.max(widest, layout.width);
  }
  const rowLimit = Math.max(widest, 2 * Math.sqrt(area));
  let left = 0;
  let top = 0;
  let rowHeight = 0;
  let totalWidth = 0;
  for (let i = 0; i < components.length; i++) {
    const layout = layouts[i];
    if (left > 0 && left + layout.width > rowLimit) {
      top += rowHeight + spacing.rankSep;
      left = 0;
      rowHeight = 0;
    }
    place(components[i], layout, left, top);
    totalWidth = Math.max(totalWidth, left + layout.width);
    rowHeight = Math.max(rowHeight, layout.height);
    left += layout.width + spacing.nodeSep;
  }
  return { width: totalWidth, height: top + rowHeight };
}
