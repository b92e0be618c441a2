// What the canvas shows over the drawing: the hover tooltip (a node's op and tensors, a tensor's declared
// and inferred type, producer and consumers, and what the last test run measured), the line a screen reader says when the
// selection moves, and the runtime overlay's heat (each node's share of the slowest node's time).
import type { DiffOverlay, DiffPaint } from '../src/core/diff/diffOverlay.js';
import { heatLines } from '../src/core/diff/divergenceHeat.js';
import { formatCount, formatDims, formatNumber } from '../src/core/format.js';
import { nodeOrigin } from '../src/core/graph/controlFlow.js';
import type { DimAliases } from '../src/core/graph/dimAliases.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { RuntimeOverlay } from '../src/protocol.js';
import type { SceneEdge, SceneItem } from './scene.js';
import { shapeRows, type Rows } from './shapeRows.js';

/** Tooltip lines: a key (may be '') and its text. */
export type { Rows };

/** Node index -> 0..1 share of the slowest node's time, from a test run's per-node times. */
export function runtimeHeat(graph: GraphView | undefined, overlay: RuntimeOverlay | null): Map<number, number> {
  const heat = new Map<number, number>();
  if (!overlay?.nodeTimesUs || !graph) return heat;
  const times = overlay.nodeTimesUs;
  const max = Math.max(0, ...Object.values(times));
  if (max > 0) graph.nodes.forEach((node, i) => {
    const t = times[node.name];
    if (t) heat.set(i, t / max);
  });
  return heat;
}

/**
 * Node index of the graph drawn -> its status in a model diff. The diff is of the main graph: only nodes
 * from it are marked (bodies shown in place are not), and unchanged ones are left out.
 */
export function diffMarks(graph: GraphView | undefined, diff: DiffOverlay | null): Map<number, DiffPaint> {
  const marks = new Map<number, DiffPaint>();
  if (!graph || !diff) return marks;
  graph.nodes.forEach((_, i) => {
    const origin = nodeOrigin(graph, i);
    const paint = origin.graph === '' ? diff.paint[origin.index] : undefined;
    if (paint && paint !== 'unchanged') marks.set(i, paint);
  });
  return marks;
}

/** Divergence heat of a diff after both models ran: 0..1 per node drawn and per value carried by an edge. */
export interface DivergenceMarks {
  nodes: Map<number, number>;
  values: Map<number, number>;
}

/** The heat levels (0..4) of a diff's divergence as 0..1, on the nodes and values drawn from the main graph. */
export function divergenceMarks(graph: GraphView | undefined, diff: DiffOverlay | null): DivergenceMarks {
  const marks: DivergenceMarks = { nodes: new Map(), values: new Map() };
  const heat = diff?.divergence;
  if (!graph || !heat) return marks;
  graph.nodes.forEach((node, i) => {
    const origin = nodeOrigin(graph, i);
    if (origin.graph !== '') return;
    const level = heat.nodes[origin.index]?.level;
    if (level) marks.nodes.set(i, level / 4);
    // The values it produces: the edges leaving it.
    for (const v of node.outputs) {
      const value = v >= 0 ? heat.values[graph.values[v].name]?.level : undefined;
      if (value) marks.values.set(v, value / 4);
    }
  });
  return marks;
}

const paintTitle: Record<DiffPaint, string> = { unchanged: 'unchanged', changed: 'changed', inserted: 'inserted', replaced: 'replaced group', removed: 'removed' };

/** What a model diff says about node `index` of the graph drawn: its status, then what changed. */
function diffRows(graph: GraphView, diff: DiffOverlay | null | undefined, index: number): Rows {
  const origin = nodeOrigin(graph, index);
  const paint = diff && origin.graph === '' ? diff.paint[origin.index] : undefined;
  if (!diff || !paint) return [];
  const rows: Rows = [['diff', `${paintTitle[paint]} (against ${diff.otherName})`]];
  for (const line of diff.notes[origin.index] ?? []) rows.push(['', line]);
  const heat = diff.divergence;
  const at = heat?.nodes[origin.index];
  const value = at && heat.values[at.value];
  if (value) heatLines(value, heat.tolerance).forEach((line, k) => rows.push([k ? '' : 'numbers', k ? line : `${at.value} ${line}`]));
  else if (heat) rows.push(['numbers', 'not compared (no paired value)']);
  return rows;
}

/** A value's divergence, for the hover of the edge carrying it. */
function valueDivergenceRows(graph: GraphView, diff: DiffOverlay | null | undefined, v: number): Rows {
  const heat = diff?.divergence;
  const value = graph.values[v];
  // Only values a main-graph node produces: the heat is of the main graph.
  if (!heat || !value || value.producer < 0 || nodeOrigin(graph, value.producer).graph !== '') return [];
  const h = heat.values[value.name];
  return h ? heatLines(h, heat.tolerance).map((line, k) => [k ? '' : 'numbers', line]) : [];
}

export function itemRows(graph: GraphView, overlay: RuntimeOverlay | null, item: SceneItem, dims?: DimAliases, diff?: DiffOverlay | null): Rows {
  if (item.kind === 'node') {
    const node = graph.nodes[item.index];
    const rows: Rows = [['', node.domain ? `${node.domain}.${node.op}` : node.op]];
    if (node.name) rows.push(['name', node.name]);
    rows.push(...diffRows(graph, diff, item.index));
    node.inputs.forEach((v) => v >= 0 && rows.length < 14 && rows.push(['in', valueLine(graph, v)]));
    node.outputs.forEach((v) => v >= 0 && rows.length < 20 && rows.push(['out', valueLine(graph, v)]));
    aliasRows(rows, graph, [...node.inputs, ...node.outputs], dims);
    const time = overlay?.nodeTimesUs?.[node.name];
    if (time !== undefined) rows.push(['time', `${formatCount(time)} µs`]);
    if (item.inline !== undefined) rows.push(['', `${item.inline ? 'Click ⊟ or press Enter to close the bodies' : 'Click ⊞ or press Enter to show the bodies in place'}; double-click to open alone`]);
    else if (node.subgraphs?.length || node.calls) rows.push(['', 'Double-click or Enter to open']);
    return rows;
  }
  if (item.kind === 'group') {
    const group = graph.groups[item.index];
    if (group.kind === 'control') return [['', group.title ?? group.name], ['', `${formatCount(group.size)} nodes shown in place · click the title to close`]];
    if (group.kind === 'body') return [['', group.title ?? group.name], ['', `${formatCount(group.size)} nodes · click the title to close ${graph.groups[group.parent]?.name ?? 'the node'}`]];
    return [['', group.path], ['', `${formatCount(group.size)} nodes · click to ${item.expanded ? 'collapse' : 'expand'}`]];
  }
  const value = graph.values[item.index];
  const role = value.group !== undefined ? `${value.carried ? 'loop-carried ' : ''}${item.kind === 'input' ? 'input' : 'output'} of ${graph.groups[value.group]?.title ?? 'a body'}` : item.kind === 'input' ? 'graph input' : 'graph output';
  return aliasRows(valueRows(graph, overlay, item.index, role), graph, [item.index], dims);
}

export function edgeRows(graph: GraphView, overlay: RuntimeOverlay | null, edge: SceneEdge, dims?: DimAliases, diff?: DiffOverlay | null): Rows {
  const rows = valueRows(graph, overlay, edge.values[0]);
  rows.push(...valueDivergenceRows(graph, diff, edge.values[0]));
  if (edge.values.length > 1) rows.push(['', `and ${edge.values.length - 1} more tensors`]);
  return aliasRows(rows, graph, edge.values.slice(0, 1), dims);
}

/** `d0 = p2o.DynamicDimension.0` for each alias the labels of these values use: hovering explains them. */
function aliasRows(rows: Rows, graph: GraphView, values: number[], dims: DimAliases | undefined): Rows {
  if (!dims) return rows;
  const seen = new Set<string>();
  for (const v of values) {
    for (const [alias, name] of v >= 0 ? dims.aliased(graph.values[v]?.shape) : []) {
      if (seen.has(alias)) continue;
      seen.add(alias);
      rows.push([seen.size === 1 ? 'dims' : '', `${alias} = ${name}`]);
    }
  }
  return rows;
}

/** `name: float[1,3,224,224]`, for a node's inputs and outputs; `(inferred)` when the file does not say it. */
function valueLine(graph: GraphView, v: number): string {
  const value = graph.values[v];
  return `${value.name}: ${value.type || '?'}${value.shape ? formatDims(value.shape) : ''}${value.inferred ? ' (inferred)' : ''}`;
}

function valueRows(graph: GraphView, overlay: RuntimeOverlay | null, v: number, role?: string): Rows {
  const value = graph.values[v];
  const rows: Rows = [['', value.name]];
  if (role) rows.push(['', role]);
  rows.push(...shapeRows(value, graph.shapesInferred === true));
  const runtime = overlay?.values[value.name];
  if (runtime) {
    rows.push(['runtime', `${runtime.dtype}${formatDims(runtime.shape)}`]);
    const s = runtime.stats;
    if (s) rows.push(['stats', `min ${formatNumber(s.min)} · max ${formatNumber(s.max)} · mean ${formatNumber(s.mean)} · std ${formatNumber(s.std)}`]);
  }
  const nodeName = (n: number) => graph.nodes[n].name || `${graph.nodes[n].op} #${n}`;
  rows.push(['from', value.producer >= 0 ? nodeName(value.producer) : value.kind === 'input' ? 'graph input' : value.kind === 'initializer' ? 'initializer' : 'outer scope']);
  const consumers = value.consumers.slice(0, 6).map(nodeName);
  if (value.consumers.length > 6) consumers.push(`… ${value.consumers.length - 6} more`);
  if (consumers.length) rows.push(['to', consumers.join(', ')]);
  if (value.output) rows.push(['', 'graph output']);
  return rows;
}

/** What a screen reader says when the selection moves (the canvas itself is one image to it). */
export class Announcer {
  readonly element: HTMLElement;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'sr-only';
    this.element.setAttribute('aria-live', 'polite');
  }

  /** The first rows as one sentence; nothing when no rows. */
  say(rows: Rows | undefined): void {
    this.element.textContent = rows ? rows.map(([k, v]) => (k ? `${k} ${v}` : v)).slice(0, 6).join(', ') : '';
  }
}

/** The hover box, kept inside the viewport. */
export class Tooltip {
  readonly element: HTMLElement;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'graph-tooltip';
    this.element.setAttribute('role', 'tooltip');
    this.element.hidden = true;
  }

  /** Shows rows near a point of a viewport `width` x `height` (CSS pixels). */
  show(rows: Rows, x: number, y: number, width: number, height: number): void {
    const box = this.element;
    box.replaceChildren();
    for (const [key, value] of rows) {
      const line = document.createElement('div');
      if (key) {
        const k = document.createElement('span');
        k.className = 'key';
        k.textContent = key;
        line.append(k);
      }
      const v = document.createElement('span');
      v.textContent = value;
      line.append(v);
      box.append(line);
    }
    box.hidden = false;
    const w = box.offsetWidth;
    const h = box.offsetHeight;
    box.style.left = `${Math.min(x + 14, width - w - 4)}px`;
    box.style.top = `${y + 16 + h > height ? Math.max(0, y - h - 8) : y + 16}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
