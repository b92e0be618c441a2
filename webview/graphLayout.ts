// What of a graph is laid out: the graph, which of its groups are open (and which If/Loop/Scan nodes show
// their bodies in place), the direction, and the scene the last layout made of them. Layouts run in the
// worker (LayoutClient); one that finishes after a newer one started is dropped.
import { adoptFrames, composeInline, controlPath, isControl, nodeOrigin } from '../src/core/graph/controlFlow.js';
import { DimAliases } from '../src/core/graph/dimAliases.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import { wrapFor } from './camera.js';
import { statusText } from './counts.js';
import { LayoutClient } from './layoutClient.js';
import { composeScene, planScene, type Fonts, type Scene } from './scene.js';

export interface LayoutTimes {
  items: number;
  edges: number;
  ms: number;
  planMs: number;
  layoutMs: number;
  composeMs: number;
}

/** Where the bodies of control nodes come from, and how large they are. */
export interface BodySource {
  /** The view of a subgraph by id (the host builds it). */
  load(id: string): Promise<GraphView>;
  /** Drawn nodes inside a subgraph, nested subgraphs included. */
  inside(id: string): number;
  /** Bodies shown in place by default hold at most this many nodes, and open their groups below it. */
  collapseAbove: number;
}

export class GraphLayout {
  /** The graph shown, with the bodies shown in place composed in. */
  graph?: GraphView;
  /** The graph as the host sent it. */
  base?: GraphView;
  /** The last layout's result; undefined until the first one of the current graph is done. */
  scene?: Scene;
  expanded = new Set<string>();
  /** Subgraph views loaded so far, by id. */
  private readonly bodies = new Map<string, GraphView>();
  bodySource?: BodySource;
  /** How symbolic dimensions are labelled: the model's aliases, or full names. */
  dims = new DimAliases({}, true);
  /** The viewport in CSS pixels: deep, narrow graphs wrap to suit its shape (none while it is unknown). */
  viewport = { width: 0, height: 0 };
  private generation = 0;
  private readonly client: LayoutClient;
  private readonly measureCtx: CanvasRenderingContext2D;
  private readonly measureCache = new Map<string, number>();

  /** `workerUrl`: dist/layout-worker.js; without it, layout runs on the main thread. */
  constructor(workerUrl: string | undefined, public direction: 'TB' | 'LR') {
    this.client = new LayoutClient(workerUrl);
    this.client.warm();
    this.measureCtx = document.createElement('canvas').getContext('2d')!;
  }

  /** Takes a graph with these groups open; its scene comes with the next run. */
  show(graph: GraphView, expanded: Iterable<string>): void {
    this.base = graph;
    this.graph = graph;
    this.expanded = new Set(expanded);
    this.scene = undefined;
  }

  /** The same graph, edited: the scene drawn now (and the graph it was made from) stays until the next run replaces both. */
  replace(graph: GraphView): void {
    this.base = graph;
    this.bodies.clear();
  }

  /**
   * Composes the graph with the bodies of the open control nodes, loading the views it lacks. A frame
   * opened since the last run also opens its bodies, their groups when small, and nested dispatchers.
   */
  private async compose(generation: number): Promise<GraphView | undefined> {
    const base = this.base!;
    let graph = base;
    for (let round = 0; round < 16; round++) {
      const composed = composeInline(base, this.expanded, this.bodies);
      const missing = composed.missing.filter((id) => !this.bodies.has(id));
      if (missing.length && this.bodySource) {
        const loaded = await Promise.all(missing.map((id) => this.bodySource!.load(id).then((view) => [id, view] as const, () => undefined)));
        if (generation !== this.generation) return undefined;
        for (const entry of loaded) if (entry) this.bodies.set(entry[0], entry[1]);
        // A body that cannot be loaded leaves its frame with the node alone.
        if (loaded.some((entry) => entry)) continue;
      }
      graph = composed.graph;
      const source = this.bodySource;
      if (!adoptFrames(graph, this.expanded, this.bodies, (id) => source?.inside(id) ?? 0, source?.collapseAbove ?? Infinity)) break;
    }
    return graph;
  }

  /**
   * Lays the graph out as it is now. Resolves to the time each step took, or to undefined when there is
   * no graph or a newer run superseded this one; rejects when the layout failed.
   */
  async run(fonts: Fonts): Promise<LayoutTimes | undefined> {
    if (!this.base) return undefined;
    const generation = ++this.generation;
    const started = performance.now();
    const composed = await this.compose(generation);
    if (!composed || generation !== this.generation) return undefined;
    this.graph = composed;
    const { width, height } = this.viewport;
    const wrap = width > 0 && height > 0 ? wrapFor(width, height, this.direction) : undefined;
    const plan = planScene(composed, this.expanded, this.direction, this.measure, fonts, { dims: this.dims, wrap });
    const planned = performance.now();
    const results = await this.client.layout(plan.job);
    if (generation !== this.generation) return undefined;
    const laidOut = performance.now();
    const scene = (this.scene = composeScene(plan, results));
    const done = performance.now();
    return { items: scene.items.length, edges: scene.edges.length, ms: done - started, planMs: planned - started, layoutMs: laidOut - planned, composeMs: done - laidOut };
  }

  private measure = (text: string, font: string): number => {
    const key = `${font}\u0000${text}`;
    let width = this.measureCache.get(key);
    if (width === undefined) {
      this.measureCtx.font = font;
      width = this.measureCtx.measureText(text).width;
      if (this.measureCache.size > 200_000) this.measureCache.clear();
      this.measureCache.set(key, width);
    }
    return width;
  };

  /** The fonts changed (a theme change): text is measured anew. */
  forgetMeasures(): void {
    this.measureCache.clear();
  }

  /** Opens the groups around node `index`; true when one of them was closed. */
  openAround(index: number): boolean {
    const graph = this.graph;
    let added = false;
    for (let g = graph?.nodes[index]?.group ?? -1; graph && g >= 0; g = graph.groups[g].parent) {
      if (!this.expanded.has(graph.groups[g].path)) {
        this.expanded.add(graph.groups[g].path);
        added = true;
      }
    }
    return added;
  }

  /**
   * Opens, closes (with the groups inside) or toggles group `index`; true when that changed anything. A
   * body opens and closes with its frame; closing a frame shows its control node closed again.
   */
  setOpen(index: number, open?: boolean): boolean {
    const graph = this.graph;
    if (!graph) return false;
    let group = graph.groups[index];
    if (group.kind === 'body' && group.parent >= 0) group = graph.groups[group.parent];
    const path = group.path;
    const next = open ?? !this.expanded.has(path);
    if (next === this.expanded.has(path)) return false;
    if (next) this.expanded.add(path);
    else {
      this.expanded.delete(path);
      // A frame's bodies and what they hold have paths `@<frame's graph>/<node>.<attribute>...`.
      const inner = group.kind === 'control' ? `${path}.` : `${path}/`;
      for (const p of [...this.expanded]) if (p.startsWith(inner)) this.expanded.delete(p);
    }
    return true;
  }

  /** Shows node `index`'s bodies in place, or closes them; true when that changed anything. */
  setInline(index: number, open?: boolean): boolean {
    const graph = this.graph;
    const node = graph?.nodes[index];
    if (!graph || !node || !isControl(node)) return false;
    const origin = nodeOrigin(graph, index);
    const path = controlPath(origin.graph, origin.index);
    const next = open ?? !this.expanded.has(path);
    if (next === this.expanded.has(path)) return false;
    if (next) this.expanded.add(path);
    else {
      this.expanded.delete(path);
      for (const p of [...this.expanded]) if (p.startsWith(`${path}.`)) this.expanded.delete(p);
    }
    return true;
  }

  /** Forgets the loaded bodies (the model changed). */
  forgetBodies(): void {
    this.bodies.clear();
  }

  /** The item a node is drawn in: itself, or its outermost collapsed group. */
  itemOfNode(index: number): string | undefined {
    const graph = this.graph;
    const scene = this.scene;
    if (!graph || !scene) return undefined;
    if (scene.byId.has(`n${index}`)) return `n${index}`;
    let found: string | undefined;
    for (let g = graph.nodes[index]?.group ?? -1; g >= 0; g = graph.groups[g].parent) if (scene.byId.has(`g${g}`)) found = `g${g}`;
    return found;
  }

  /** The status line's words for what is shown (webview/counts.ts). */
  statusText(): string {
    return this.graph && this.scene ? statusText(this.graph, this.scene) : '';
  }

  dispose(): void {
    this.client.dispose();
  }
}
