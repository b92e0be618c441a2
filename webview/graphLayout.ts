// What of a graph is laid out: the graph, which of its groups are open, the direction, and the scene the
// last layout made of them. Layouts run in the worker (LayoutClient); one that finishes after a newer
// one started is dropped.
import { formatCount } from '../src/core/format.js';
import { DimAliases } from '../src/core/graph/dimAliases.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
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

export class GraphLayout {
  graph?: GraphView;
  /** The last layout's result; undefined until the first one of the current graph is done. */
  scene?: Scene;
  expanded = new Set<string>();
  /** How symbolic dimensions are labelled: the model's aliases, or full names. */
  dims = new DimAliases({}, true);
  private generation = 0;
  private readonly client: LayoutClient;
  private readonly measureCtx: CanvasRenderingContext2D;
  private readonly measureCache = new Map<string, number>();

  /** `workerUrl`: dist/layout-worker.js; without it, layout runs on the main thread. */
  constructor(workerUrl: string | undefined, public direction: 'TB' | 'LR') {
    this.client = new LayoutClient(workerUrl);
    this.measureCtx = document.createElement('canvas').getContext('2d')!;
  }

  /** Takes a graph with these groups open; its scene comes with the next run. */
  show(graph: GraphView, expanded: Iterable<string>): void {
    this.graph = graph;
    this.expanded = new Set(expanded);
    this.scene = undefined;
  }

  /**
   * Lays the graph out as it is now. Resolves to the time each step took, or to undefined when there is
   * no graph or a newer run superseded this one; rejects when the layout failed.
   */
  async run(fonts: Fonts): Promise<LayoutTimes | undefined> {
    const graph = this.graph;
    if (!graph) return undefined;
    const generation = ++this.generation;
    const started = performance.now();
    const plan = planScene(graph, this.expanded, this.direction, this.measure, fonts, { dims: this.dims });
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

  /** Opens, closes (with the groups inside) or toggles group `index`; true when that changed anything. */
  setOpen(index: number, open?: boolean): boolean {
    const graph = this.graph;
    if (!graph) return false;
    const path = graph.groups[index].path;
    const next = open ?? !this.expanded.has(path);
    if (next === this.expanded.has(path)) return false;
    if (next) this.expanded.add(path);
    else {
      this.expanded.delete(path);
      for (const g of graph.groups) if (g.path.startsWith(path + '/')) this.expanded.delete(g.path);
    }
    return true;
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

  /** `1,234 nodes · 56 shown, 7 collapsed groups`. */
  statusText(): string {
    const graph = this.graph;
    if (!graph || !this.scene) return '';
    const drawn = graph.nodes.filter((n) => !n.hidden).length;
    const shown = this.scene.items.filter((i) => i.kind === 'node').length;
    const groups = this.scene.items.filter((i) => i.kind === 'group' && !i.expanded).length;
    return `${formatCount(drawn)} ${drawn === 1 ? 'node' : 'nodes'}` + (shown < drawn ? ` · ${formatCount(shown)} shown, ${formatCount(groups)} collapsed groups` : '');
  }

  dispose(): void {
    this.client.dispose();
  }
}
