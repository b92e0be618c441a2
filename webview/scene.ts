// What is drawn for one graph in one expansion state: boxes for visible nodes, collapsed groups, graph
// inputs and outputs; frames for expanded groups; edges between what is visible. Pure (no DOM), so the
// unit tests and the benchmark page build the same scene as the editor.
import { isControl } from '../src/core/graph/controlFlow.js';
import { DimAliases } from '../src/core/graph/dimAliases.js';
import type { GraphView, ValueView } from '../src/core/graph/viewModelTypes.js';
import { inputName } from '../src/core/ops/opSchema.js';
import { formatCount } from '../src/core/format.js';
import type { WrapOptions } from '../src/core/layout/wrap.js';
import { placeLabels } from './edgeLabels.js';
import { GROUP_HEADER, GROUP_PAD, type JobContainer, type JobNode, type LayoutJob, type LayoutJobResult } from './layoutJob.js';

export type ItemKind = 'node' | 'group' | 'input' | 'output';

export interface SceneItem {
  id: string;
  kind: ItemKind;
  /** Node index, group index, or value index for inputs and outputs. */
  index: number;
  /** Enclosing expanded group, -1 at the top. */
  container: number;
  expanded: boolean;
  /** Box text: title (op type, group or value name), subtitle (node name, group size), body lines (folded constants). */
  title: string;
  /** The title shortened to fit the box, when it differs. */
  titleFit?: string;
  subtitle: string;
  lines: string[];
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
  /** If, Loop and Scan nodes: whether the bodies are shown in place (the box's ⊟) or not (⊞). */
  inline?: boolean;
  /** A body's inputs and ports at its top ('first'), its outputs at its bottom ('last'). */
  pin?: 'first' | 'last';
  /** A pill whose type (subtitle) comes from shape inference, not from the file. */
  inferred?: true;
}

/** 'capture': a subgraph reads the value by name; 'select': a control node and one of its bodies shown in place. */
export type EdgeKind = 'capture' | 'select';

export interface SceneEdge {
  from: string;
  to: string;
  /** Value indices carried (several when collapsed groups merge edges). */
  values: number[];
  /** The shape (`d0×16×?×?`) or `3 tensors`; drawn at `labelAt` when it found room there. */
  label: string;
  /** The label's shape comes from shape inference, not from the file: drawn in italics. */
  inferred?: true;
  kind?: EdgeKind;
  /** Left end of the label's baseline middle, and its width; undefined when it would cover a box or a label. */
  labelAt?: { x: number; y: number; width: number };
  points: Array<{ x: number; y: number }>;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface Scene {
  items: SceneItem[];
  byId: Map<string, SceneItem>;
  edges: SceneEdge[];
  width: number;
  height: number;
  /** Dimension aliases the scene's labels use: `[alias, full name]`, for the legend. */
  aliases: Array<[string, string]>;
  /** Some label or pill shows an inferred shape: the legend explains the italics. */
  inferred: boolean;
}

export interface SceneOptions {
  /** How symbolic dimensions are written; without it, as the model names them. */
  dims?: DimAliases;
  /** Deep, narrow graphs wrap into pieces side by side to suit this viewport (src/core/layout/wrap.ts). */
  wrap?: WrapOptions;
}

export interface Fonts {
  title: string;
  text: string;
  mono: string;
}

export type Measure = (text: string, font: string) => number;

export const LINE = 14;
export const TITLE = 20;
const MAX_LINES = 6;
const MIN_WIDTH = 56;
const MAX_WIDTH = 260;
/** Room at the right of a control node's title band for its ⊞/⊟ toggle. */
export const TOGGLE = 18;

const plainDims = new DimAliases({}, true);

/** An edge's shape label: `d0×3×224×224`, `?` for an unknown rank. */
export function shapeText(value: ValueView | undefined, dims: DimAliases = plainDims): string {
  if (!value) return '';
  if (!value.shape) return value.type ? '?' : '';
  return value.shape.map((d) => dims.label(d)).join('×');
}

/** A type with its shape as a pill shows it: `float[d0,3,d1,d2]`. */
export function typeText(value: ValueView, dims: DimAliases = plainDims): string {
  if (!value.type) return '';
  return value.shape ? `${value.type}[${value.shape.map((d) => dims.label(d)).join(',')}]` : value.type;
}

/** A folded constant's line in a box: its values when few (`axes = [1, 2]`), else its shape (`W ⟨64×3×3×3⟩`). */
export function constantLine(slot: string, value: ValueView, dims?: DimAliases): string {
  return value.data !== undefined ? `${slot} = ${value.data}` : `${slot} ⟨${shapeText(value, dims)}⟩`;
}

/** The short name shown in a box: the last segment of a scoped name (the scope is the group). */
export function shortName(name: string): string {
  const slash = name.lastIndexOf('/');
  const tail = slash >= 0 && slash < name.length - 1 ? name.slice(slash + 1) : name;
  return tail.length > 40 ? `${tail.slice(0, 39)}…` : tail;
}

export interface ScenePlan {
  graph: GraphView;
  items: SceneItem[];
  byId: Map<string, SceneItem>;
  /** Visible edges between items, before routing, with their labels measured. */
  edges: Array<{ from: string; to: string; values: number[]; label: string; labelWidth: number; inferred?: true; kind?: EdgeKind }>;
  job: LayoutJob;
  aliases: Array<[string, string]>;
  inferred: boolean;
}

/** Decides what is visible and sizes the boxes; the returned job goes to the layout worker. */
export function planScene(graph: GraphView, expanded: ReadonlySet<string>, direction: 'TB' | 'LR', measure: Measure, fonts: Fonts, options: SceneOptions = {}): ScenePlan {
  const dims = options.dims ?? plainDims;
  const aliases = new Map<string, string>();
  const noteAliases = (value: ValueView | undefined) => {
    for (const [alias, name] of dims.aliased(value?.shape)) aliases.set(alias, name);
  };
  const groups = graph.groups;
  // A group is shown when all its ancestors are expanded; a node is represented by its outermost collapsed ancestor.
  const groupRep = new Int32Array(groups.length); // -1: shown as itself (ancestors expanded), else the collapsed ancestor
  const groupDepth = new Int32Array(groups.length);
  for (let g = 0; g < groups.length; g++) {
    const p = groups[g].parent; // parents come before children
    groupDepth[g] = p < 0 ? 1 : groupDepth[p] + 1;
    if (p < 0) groupRep[g] = -1;
    else groupRep[g] = groupRep[p] >= 0 ? groupRep[p] : expanded.has(groups[p].path) ? -1 : p;
  }
  const open = new Uint8Array(groups.length);
  for (let g = 0; g < groups.length; g++) open[g] = expanded.has(groups[g].path) ? 1 : 0;
  const isOpen = (g: number) => groupRep[g] < 0 && open[g] === 1;
  // Items as numbers while planning (strings only for what is shown): node n, then groups, input pills, output pills.
  const N = graph.nodes.length;
  const G = groups.length;
  const V = graph.values.length;
  const nodeRep = (n: number): number => {
    const g = graph.nodes[n].group;
    if (g < 0) return n;
    if (groupRep[g] >= 0) return N + groupRep[g];
    return open[g] ? n : N + g;
  };
  const K = N + G + 2 * V;
  /** Ports: pills on a body's border where an edge enters or leaves it (codes from K on). */
  const portIds: string[] = [];
  const idOf = (code: number): string => (code < N ? `n${code}` : code < N + G ? `g${code - N}` : code < N + G + V ? `i${code - N - G}` : code < K ? `o${code - N - G - V}` : portIds[code - K]);

  const items: SceneItem[] = [];
  const byId = new Map<string, SceneItem>();
  const add = (item: SceneItem) => {
    items.push(item);
    byId.set(item.id, item);
  };
  const blank = { x: 0, y: 0, width: 0, height: 0, lines: [] as string[], expanded: false };

  for (let g = 0; g < groups.length; g++) {
    if (groupRep[g] >= 0) continue;
    const group = groups[g];
    const item: SceneItem = { ...blank, id: `g${g}`, kind: 'group', index: g, container: group.parent, expanded: open[g] === 1, title: fit(group.name, fonts.title, MAX_WIDTH - 36, measure), subtitle: `${formatCount(group.size)} nodes`, lines: [], depth: groupDepth[g] };
    if (!item.expanded) {
      item.width = clamp(Math.max(measure(group.name, fonts.title), measure(item.subtitle, fonts.text)) + 36);
      item.height = TITLE + LINE + 10;
    }
    add(item);
  }
  for (let n = 0; n < graph.nodes.length; n++) {
    const node = graph.nodes[n];
    if (node.hidden || nodeRep(n) !== n) continue;
    const inner = MAX_WIDTH - 16;
    const title = fit(node.op, fonts.title, inner, measure);
    // The name is shown unless it only repeats the operator (`/layers.0/attn/MatMul_1` under its group).
    const short = shortName(node.name);
    const redundant = short === node.op || (short.startsWith(node.op + '_') && /^\d+$/.test(short.slice(node.op.length + 1)));
    const subtitle = node.name && !redundant ? fit(short, fonts.text, inner, measure) : '';
    const lines: string[] = [];
    for (const slot of node.folded) {
      if (lines.length === MAX_LINES - 1 && node.folded.length > MAX_LINES) {
        lines.push(`+${node.folded.length - lines.length} more`);
        break;
      }
      const value = graph.values[node.inputs[slot]];
      if (value.data === undefined) noteAliases(value);
      lines.push(fit(constantLine(inputName(node.op, slot), value, dims), fonts.mono, inner, measure));
    }
    // A Constant drawn as a box (it feeds a graph output, or nothing) shows what it holds.
    if (node.op === 'Constant' && !node.domain && node.outputs[0] >= 0) lines.push(fit(constantLine('value', graph.values[node.outputs[0]], dims), fonts.mono, inner, measure));
    const control = isControl(node);
    let width = measure(title, fonts.title) + (control ? TOGGLE : 0);
    if (subtitle) width = Math.max(width, measure(subtitle, fonts.text));
    for (const line of lines) width = Math.max(width, measure(line, fonts.mono));
    const item: SceneItem = { ...blank, id: `n${n}`, kind: 'node', index: n, container: node.group, title, subtitle, lines, width: clamp(width + 16), height: TITLE + (subtitle ? LINE : 0) + lines.length * LINE + 6, depth: node.group < 0 ? 0 : groupDepth[node.group] };
    if (control) item.inline = node.group >= 0 && groups[node.group].kind === 'control' && groups[node.group].node === n;
    add(item);
  }

  // Edges, one per pair of visible ends, carrying every value between them.
  const pill = (id: string, kind: ItemKind, v: number, inBody?: number) => {
    if (byId.has(id)) return;
    const value = graph.values[v];
    const title = value.carried ? `↻ ${value.name}` : value.name;
    const subtitle = typeText(value, dims);
    noteAliases(value);
    const titleFit = fit(value.carried ? `↻ ${shortName(value.name)}` : shortName(title), fonts.title, MAX_WIDTH - 20, measure);
    const subtitleFit = fit(subtitle, fonts.mono, MAX_WIDTH - 20, measure);
    const width = clamp(Math.max(measure(titleFit, fonts.title), measure(subtitleFit, fonts.mono)) + 20);
    const container = inBody ?? value.group ?? -1;
    const item: SceneItem = { ...blank, id, kind, index: v, container, title, titleFit, subtitle: subtitleFit, lines: [], width, height: TITLE + (subtitle ? LINE : 0) + 4, depth: container < 0 ? 0 : groupDepth[container] };
    if (container >= 0) item.pin = kind === 'input' ? 'first' : 'last';
    if (value.inferred && subtitle) item.inferred = true;
    add(item);
  };
  // A pill inside a body stands for itself while the body is open, else the body's (or an ancestor's) box does.
  const pillRep = (code: number, v: number): number => {
    const g = graph.values[v].group ?? -1;
    if (g < 0) return code;
    if (groupRep[g] >= 0) return N + groupRep[g];
    return open[g] ? code : N + g;
  };
  const wires = wiring(graph);
  for (const v of wires.inputPills) if (pillRep(N + G + v, v) === N + G + v) pill(`i${v}`, 'input', v);
  for (const v of wires.outputPills) if (pillRep(N + G + V + v, v) === N + G + V + v) pill(`o${v}`, 'output', v);
  const edgeMap = new Map<number, { from: number; to: number; values: number[]; kind?: EdgeKind }>();
  const link = (from: number, to: number, v: number, kind?: EdgeKind) => {
    if (from === to) return;
    // Codes stay below 2^26 (67 million items), so the pair fits a double exactly.
    const key = from * 0x4000000 + to;
    const edge = edgeMap.get(key);
    if (!edge) edgeMap.set(key, { from, to, values: v >= 0 ? [v] : [], kind });
    else {
      if (v >= 0 && edge.values.length < 64 && !edge.values.includes(v)) edge.values.push(v);
      // Data wins over a capture between the same boxes.
      if (edge.kind !== kind) edge.kind = undefined;
    }
  };
  // Bodies shown in place are drawn like graphs of their own: an edge from outside enters through a pill
  // at the body's top, one to outside leaves through a pill at its bottom, instead of crossing the frame.
  const hasBodies = groups.some((g) => g.kind === 'body');
  const chains = new Map<number, number[]>();
  /** Body groups around group g, innermost first. */
  const bodyChain = (g: number): number[] => {
    if (g < 0) return [];
    let chain = chains.get(g);
    if (!chain) {
      chain = groups[g].kind === 'body' ? [g, ...bodyChain(groups[g].parent)] : bodyChain(groups[g].parent);
      chains.set(g, chain);
    }
    return chain;
  };
  /** Where a port sits for routing: outside the body on whose border it is. */
  const portOutside = new Map<number, number[]>();
  const where = (code: number): number[] => {
    const outside = portOutside.get(code);
    if (outside) return outside;
    if (code < N) return bodyChain(graph.nodes[code].group);
    if (code < N + G) return bodyChain(groups[code - N].parent);
    if (code < K) return bodyChain(graph.values[(code - N - G) % V].group ?? -1);
    return [];
  };
  const ports = new Map<string, number>();
  const port = (body: number, v: number, into: boolean): number => {
    const value = graph.values[v];
    let code: number | undefined;
    // A body's own input or carried output is its port already.
    if (value.group === body && into && value.producer < 0 && value.kind === 'input' && byId.has(`i${v}`)) code = N + G + v;
    else if (value.group === body && !into && value.output && byId.has(`o${v}`)) code = N + G + V + v;
    else {
      const key = `${into ? 'i' : 'o'}${v}:${body}`;
      code = ports.get(key);
      if (code === undefined) {
        code = K + portIds.length;
        const id = `p${key}`;
        portIds.push(id);
        ports.set(key, code);
        pill(id, into ? 'input' : 'output', v, body);
      }
    }
    portOutside.set(code, bodyChain(groups[body].parent));
    return code;
  };
  const route = (from: number, to: number, v: number, kind: EdgeKind | undefined, depth = 0): void => {
    if (!hasBodies || depth > 32 || v < 0) return link(from, to, v, kind);
    const a = where(from);
    const b = where(to);
    const leaving = a.find((x) => !b.includes(x));
    if (leaving !== undefined) {
      const p = port(leaving, v, false);
      link(from, p, v, kind);
      return route(p, to, v, kind, depth + 1);
    }
    let entering: number | undefined;
    for (const x of b) if (!a.includes(x)) entering = x; // the outermost
    if (entering !== undefined) {
      const p = port(entering, v, true);
      route(from, p, v, kind, depth + 1);
      return link(p, to, v, kind);
    }
    link(from, to, v, kind);
  };
  for (let i = 0; i < wires.count; i++) {
    const src = wires.src[i];
    const dst = wires.dst[i];
    const from = src >= 0 ? nodeRep(src) : pillRep(N + G + (-src - 1), -src - 1);
    const to = dst >= 0 ? nodeRep(dst) : pillRep(N + G + V + (-dst - 1), -dst - 1);
    route(from, to, wires.value[i], wires.capture[i] ? 'capture' : undefined);
  }
  // A control node shown in place points at each of its bodies.
  for (let g = 0; g < G; g++) {
    if (groups[g].kind !== 'body' || groupRep[g] >= 0) continue;
    const control = groups[g].node ?? -1;
    if (control >= 0 && !graph.nodes[control].hidden) link(nodeRep(control), N + g, -1, 'select');
  }
  const edges = [...edgeMap.values()].map((e) => {
    const single = e.values.length === 1 ? graph.values[e.values[0]] : undefined;
    const label = single ? shapeText(single, dims) : e.values.length > 1 ? `${e.values.length} tensors` : '';
    if (single) noteAliases(single);
    // Italic text is about as wide as upright text of the same font: one measure serves both.
    const edge: ScenePlan['edges'][number] = { from: idOf(e.from), to: idOf(e.to), values: e.values, label, labelWidth: label ? measure(label, fonts.mono) : 0, kind: e.kind };
    if (single?.inferred && label) edge.inferred = true;
    return edge;
  });

  const job = buildJob(graph, items, byId, edges, isOpen, direction);
  if (options.wrap) job.wrap = options.wrap;
  const used = [...aliases].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }));
  const inferred = edges.some((e) => e.inferred) || items.some((i) => i.inferred);
  return { graph, items, byId, edges, job, aliases: used, inferred };
}

/** Text shortened with an ellipsis to `max` pixels. */
export function fit(text: string, font: string, max: number, measure: Measure): string {
  if (measure(text, font) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(text.slice(0, mid) + '…', font) <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

interface Wiring {
  /** Producer node, or -(v + 1) for the input pill of value v. */
  src: Int32Array;
  /** Consumer node, or -(v + 1) for the output pill of value v. */
  dst: Int32Array;
  value: Int32Array;
  /** 1 where a subgraph reads the value by name (a capture), not through an input. */
  capture: Uint8Array;
  count: number;
  /** Values drawn as input pills: graph inputs, body inputs, and values from outside the graph that something uses. */
  inputPills: number[];
  /** Values drawn as output pills: graph outputs, and the carried outputs of loop bodies shown in place. */
  outputPills: number[];
}

const wirings = new WeakMap<GraphView, Wiring>();

/** Links as they are found: four columns that grow, so a 50,000-node graph makes no object per link. */
class Links {
  src = new Int32Array(1024);
  dst = new Int32Array(1024);
  value = new Int32Array(1024);
  capture = new Uint8Array(1024);
  count = 0;
  push(from: number, to: number, v: number, byName: boolean): void {
    if (this.count === this.src.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.src = grow(this.src);
      this.dst = grow(this.dst);
      this.value = grow(this.value);
      this.capture = grow(this.capture);
    }
    const i = this.count++;
    this.src[i] = from;
    this.dst[i] = to;
    this.value[i] = v;
    this.capture[i] = byName ? 1 : 0;
  }
}

/** Every producer -> consumer link of a graph that is drawn as an edge (not folded constants), computed once per graph. */
function wiring(graph: GraphView): Wiring {
  const cached = wirings.get(graph);
  if (cached) return cached;
  const links = new Links();
  const inputPills = [...graph.inputs];
  const pills = new Set(inputPills);
  const outputPills: number[] = [];
  const { nodes, values } = graph;
  /** A value without a producer drawn as an input pill: the pill is where its edges start. */
  const pillOf = (v: number): number => {
    if (!pills.has(v)) {
      pills.add(v);
      inputPills.push(v);
    }
    return -(v + 1);
  };
  /**
   * Where edges carrying value v start, with the value each one shows: its producer, or its pill; none
   * for a folded constant; for an output of a control node shown in place, its bodies' outputs.
   */
  const sourcesOf = (v: number, depth = 0): Array<[number, number]> => {
    const redirect = graph.sources?.[v];
    if (redirect && depth < 16) return redirect.flatMap((r) => sourcesOf(r, depth + 1));
    const val = values[v];
    if (val.kind === 'initializer' || val.kind === 'constant') {
      // Folded into consumers; drawn only when a visible Constant node produces it.
      if (val.producer < 0 || nodes[val.producer].hidden) return [];
    }
    if (val.producer >= 0) return [[val.producer, v]];
    return [[pillOf(v), v]];
  };
  const consumers: number[] = [];
  for (let v = 0; v < values.length; v++) {
    const val = values[v];
    if (val.output) outputPills.push(v);
    // Consumers that read v through a slot that is not folded into them.
    consumers.length = 0;
    for (const c of val.consumers) {
      const node = nodes[c];
      let drawn = !node.folded.length;
      for (let slot = 0; slot < node.inputs.length && !drawn; slot++) drawn = node.inputs[slot] === v && !node.folded.includes(slot);
      if (drawn) consumers.push(c);
    }
    if (!consumers.length && !val.output && !(val.kind === 'input' && val.producer < 0)) continue;
    const link = (source: number, shown: number) => {
      for (const c of consumers) links.push(source, c, shown, false);
      if (val.output) links.push(source, -(v + 1), shown, false);
    };
    // Nearly every value has one source, its producer: no list is made for it.
    if (graph.sources?.[v] === undefined) {
      const folded = (val.kind === 'initializer' || val.kind === 'constant') && (val.producer < 0 || nodes[val.producer].hidden);
      if (!folded) link(val.producer >= 0 ? val.producer : pillOf(v), v);
    } else for (const [source, shown] of sourcesOf(v)) link(source, shown);
  }
  nodes.forEach((node, n) => {
    if (node.hidden || !node.captures) return;
    for (const v of node.captures) for (const [source, shown] of sourcesOf(v)) if (source !== n) links.push(source, n, shown, true);
  });
  const count = links.count;
  const result = { src: links.src.subarray(0, count), dst: links.dst.subarray(0, count), value: links.value.subarray(0, count), capture: links.capture.subarray(0, count), count, inputPills, outputPills };
  wirings.set(graph, result);
  return result;
}

function clamp(width: number): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil(width)));
}

function parentOf(graph: GraphView, container: number): number {
  return container < 0 ? -2 : graph.groups[container].parent;
}

function depthOf(graph: GraphView, container: number): number {
  let d = 0;
  for (let c = container; c >= 0; c = graph.groups[c].parent) d++;
  return d;
}

/** The container both ends share, and each end lifted to the item directly inside it. */
export function liftEdge(graph: GraphView, byId: Map<string, SceneItem>, from: string, to: string): { container: number; from: string; to: string } {
  const a = byId.get(from)!;
  const b = byId.get(to)!;
  let ca = a.container;
  let cb = b.container;
  let liftedA = from;
  let liftedB = to;
  let da = depthOf(graph, ca);
  let db = depthOf(graph, cb);
  while (da > db) {
    liftedA = `g${ca}`;
    ca = parentOf(graph, ca);
    da--;
  }
  while (db > da) {
    liftedB = `g${cb}`;
    cb = parentOf(graph, cb);
    db--;
  }
  while (ca !== cb) {
    liftedA = `g${ca}`;
    liftedB = `g${cb}`;
    ca = parentOf(graph, ca);
    cb = parentOf(graph, cb);
  }
  return { container: ca, from: liftedA, to: liftedB };
}

function buildJob(graph: GraphView, items: SceneItem[], byId: Map<string, SceneItem>, edges: Array<{ from: string; to: string }>, isOpen: (g: number) => boolean, direction: 'TB' | 'LR'): LayoutJob {
  const members = new Map<number, JobNode[]>();
  const containerEdges = new Map<number, Map<string, { from: string; to: string }>>();
  members.set(-1, []);
  for (const item of items) {
    if (item.kind === 'group' && item.expanded) members.set(item.index, members.get(item.index) ?? []);
  }
  for (const item of items) {
    const list = members.get(item.container) ?? [];
    members.set(item.container, list);
    list.push(item.kind === 'group' && item.expanded ? { id: item.id, width: 0, height: 0, container: item.index } : item.pin ? { id: item.id, width: item.width, height: item.height, pin: item.pin } : { id: item.id, width: item.width, height: item.height });
  }
  for (const edge of edges) {
    const lifted = liftEdge(graph, byId, edge.from, edge.to);
    if (lifted.from === lifted.to) continue;
    let map = containerEdges.get(lifted.container);
    if (!map) containerEdges.set(lifted.container, (map = new Map()));
    map.set(`${lifted.from}>${lifted.to}`, { from: lifted.from, to: lifted.to });
  }
  // Post-order: deeper containers first.
  const ids = [...members.keys()].filter((c) => c < 0 || isOpen(c)).sort((x, y) => depthOf(graph, y) - depthOf(graph, x));
  const keys = new Map<number, string>();
  const containers: JobContainer[] = [];
  for (const id of ids) {
    const nodes = members.get(id)!;
    const jobEdges = [...(containerEdges.get(id)?.values() ?? [])];
    const key = hash(
      `${id};` +
        nodes.map((n) => (n.container !== undefined ? `${n.id}[${keys.get(n.container)}]` : `${n.id}:${n.width}x${n.height}${n.pin ? `:${n.pin}` : ''}`)).join(',') +
        ';' +
        jobEdges.map((e) => `${e.from}>${e.to}`).join(','),
    );
    keys.set(id, key);
    containers.push({ id, key, nodes, edges: jobEdges });
  }
  return { direction, containers };
}

/** cyrb53: a fast 53-bit string hash; layouts are cached by it. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36) + text.length.toString(36);
}

/** Places every item and routes every edge from the per-container layouts. */
export function composeScene(plan: ScenePlan, results: LayoutJobResult): Scene {
  const { graph, items, byId } = plan;
  // Origins of containers: top-left of their content area.
  const origin = new Map<number, { x: number; y: number }>();
  origin.set(-1, { x: 0, y: 0 });
  const place = (container: number) => {
    const result = results[container];
    const base = origin.get(container)!;
    if (!result) return;
    for (const [id, n] of Object.entries(result.nodes)) {
      const item = byId.get(id);
      if (!item) continue;
      item.width = n.width;
      item.height = n.height;
      item.x = base.x + n.x;
      item.y = base.y + n.y;
      if (item.kind === 'group' && item.expanded) {
        origin.set(item.index, { x: item.x + GROUP_PAD, y: item.y + GROUP_HEADER });
        place(item.index);
      }
    }
  };
  place(-1);

  const routes = new Map<string, Array<{ x: number; y: number }>>();
  for (const [c, result] of Object.entries(results)) {
    const base = origin.get(Number(c));
    if (!base) continue;
    for (const e of result.edges) routes.set(`${c}:${e.from}>${e.to}`, e.points.map((p) => ({ x: base.x + p.x, y: base.y + p.y })));
  }
  const vertical = plan.job.direction === 'TB';
  const exitOf = (item: SceneItem) => (vertical ? { x: item.x + item.width / 2, y: item.y + item.height } : { x: item.x + item.width, y: item.y + item.height / 2 });
  const entryOf = (item: SceneItem) => (vertical ? { x: item.x + item.width / 2, y: item.y } : { x: item.x, y: item.y + item.height / 2 });

  const edges: SceneEdge[] = [];
  for (const e of plan.edges) {
    const lifted = liftEdge(graph, byId, e.from, e.to);
    const route = routes.get(`${lifted.container}:${lifted.from}>${lifted.to}`);
    const a = byId.get(e.from)!;
    const b = byId.get(e.to)!;
    let points: Array<{ x: number; y: number }>;
    if (route && route.length >= 2) {
      points = route.slice();
      if (lifted.from !== e.from) points.unshift(exitOf(a));
      if (lifted.to !== e.to) points.push(entryOf(b));
    } else {
      points = [exitOf(a), entryOf(b)];
    }
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const p of points) {
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    }
    const edge: SceneEdge = { from: e.from, to: e.to, values: e.values, label: e.label, points, minX, minY, maxX, maxY };
    if (e.inferred) edge.inferred = true;
    if (e.kind) edge.kind = e.kind;
    edges.push(edge);
  }
  placeLabels(items, edges, plan.edges.map((e) => e.labelWidth));
  const root = results[-1];
  // Draw order: outer frames first, then deeper frames, then boxes.
  const ordered = items.slice().sort((x, y) => rank(x) - rank(y));
  return { items: ordered, byId, edges, width: root?.width ?? 0, height: root?.height ?? 0, aliases: plan.aliases, inferred: plan.inferred };
}

function rank(item: SceneItem): number {
  return item.kind === 'group' && item.expanded ? item.depth : 1000 + item.depth;
}
