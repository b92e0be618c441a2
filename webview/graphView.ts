// The graph canvas: takes one graph's view model and shows it with pan, zoom, fit, minimap, hover
// tooltips, selection, collapsible groups and find marks. This class composes the parts (camera, hit
// testing, overlays, minimap, painter, input) and keeps the state they share. Independent of VS Code,
// so a plain page can mount it: this file is also the standalone bundle's entry (mountGraphView).
import { formatCount } from '../src/core/format.js';
import type { DimAliases } from '../src/core/graph/dimAliases.js';
import type { DiffOverlay } from '../src/core/diff/diffOverlay.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { RuntimeOverlay } from '../src/protocol.js';
import { ViewCamera, type Camera } from './camera.js';
import { bindCanvasInput } from './canvasInput.js';
import { pointedAt } from './hitTest.js';
import { DimLegend } from './dimLegend.js';
import { GraphLayout, type BodySource, type LayoutTimes } from './graphLayout.js';
import { Minimap } from './minimap.js';
import { Announcer, diffMarks, divergenceMarks, itemRows, runtimeHeat, Tooltip } from './overlays.js';
import { Painter } from './painter.js';
import { sceneToPng } from './pngExport.js';
import type { Marks } from './renderer.js';
import type { Scene } from './scene.js';
import { sceneToSvg } from './svgExport.js';
import { readTheme, type Theme } from './theme.js';
import { defaultViewState, type Selection, type ViewState } from './viewState.js';

export interface GraphViewOptions {
  /** URL of dist/layout-worker.js; without it, layout runs on the main thread. */
  workerUrl?: string;
  direction?: 'TB' | 'LR';
  onSelect?: (selection: Selection) => void;
  onOpenGraph?: (graphId: string) => void;
  onStateChange?: (state: ViewState) => void;
  onStatus?: (text: string) => void;
  /** Called after each layout with the time it took, for the status line and the benchmark. */
  onLayout?: (info: LayoutTimes) => void;
  /** Where the bodies of If/Loop/Scan nodes shown in place come from; without it they open only on their own. */
  bodies?: BodySource;
  /** Drawn nodes in all graphs of the model, said in the status line when the model has subgraphs. */
  totalNodes?: () => number | undefined;
}

export class GraphCanvas {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly painter: Painter;
  private readonly minimap: Minimap;
  private readonly tooltip = new Tooltip();
  private readonly announcer = new Announcer();
  private readonly legend = new DimLegend();
  private readonly layout: GraphLayout;
  private readonly view = new ViewCamera();
  private theme: Theme;
  private marks: Marks = {};
  private frame = 0;
  private overlay: RuntimeOverlay | null = null;
  private diff: DiffOverlay | null = null;
  private readonly resizeObserver: ResizeObserver;
  private readonly themeObserver: MutationObserver;

  constructor(parent: HTMLElement, private readonly options: GraphViewOptions = {}) {
    this.element = document.createElement('div');
    this.element.className = 'graph';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'graph-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Model graph. Drag or use the arrow keys to pan, the wheel or + and - to zoom, 0 to fit. Alt+Down and Alt+Up move the selection along the edges, Enter opens a group or subgraph, Escape clears the selection.');
    this.minimap = new Minimap((x, y) => {
      this.view.lookAt(x, y);
      this.changed();
    });
    this.element.append(this.canvas, this.legend.element, this.minimap.element, this.tooltip.element, this.announcer.element);
    parent.append(this.element);
    this.painter = new Painter(this.canvas);
    this.theme = readTheme();
    this.layout = new GraphLayout(options.workerUrl, options.direction ?? 'TB');
    this.layout.bodySource = options.bodies;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.element);
    this.themeObserver = new MutationObserver(() => {
      this.theme = readTheme();
      this.layout.forgetMeasures();
      this.minimap.invalidate();
      this.invalidate();
    });
    this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.bindInput();
    this.resize();
  }

  /** Shows a graph. Without a saved camera the view fits the graph. */
  async setGraph(graph: GraphView, state: ViewState): Promise<void> {
    this.layout.show(graph, state.expanded);
    this.marks = { selected: state.selected };
    await this.relayout(state.camera ?? 'fit');
  }

  /**
   * The same graph after an edit: the open groups, camera and selection stay. Containers whose boxes
   * kept their sizes come from the layout cache (keyed by content), so a rename, a metadata or attribute
   * edit moves nothing; the old drawing stays until the new one is ready.
   */
  async updateGraph(graph: GraphView): Promise<void> {
    this.layout.replace(graph);
    await this.relayout('keep');
    this.marks.heat = runtimeHeat(this.graph, this.overlay);
    this.announcer.say(undefined);
  }

  /** What is under a point of the page (client coordinates): a box, else an edge. */
  pointAt(clientX: number, clientY: number): ReturnType<typeof pointedAt> {
    const scene = this.scene;
    if (!scene) return {};
    const rect = this.canvas.getBoundingClientRect();
    return pointedAt(scene, this.view, clientX - rect.left, clientY - rect.top);
  }

  /** The canvas element, for page-level handlers (the context menu's data). */
  get surface(): HTMLCanvasElement {
    return this.canvas;
  }

  /** The graph drawn: the one given to setGraph, with the bodies shown in place composed in. */
  get graph(): GraphView | undefined {
    return this.layout.graph;
  }

  private get scene(): Scene | undefined {
    return this.layout.scene;
  }

  get state(): ViewState {
    return { expanded: [...this.layout.expanded], camera: { ...this.view.camera }, selected: this.marks.selected };
  }

  setDirection(direction: 'TB' | 'LR'): void {
    if (direction === this.layout.direction) return;
    this.layout.direction = direction;
    void this.relayout('fit');
  }

  /** How dimensions are labelled (the model's aliases, or full names); `relayout` redraws the graph shown now with it. */
  setDims(dims: DimAliases, relayout = false): void {
    this.layout.dims = dims;
    if (relayout && this.scene) void this.relayout('keep');
  }

  setOverlay(overlay: RuntimeOverlay | null): void {
    this.overlay = overlay;
    this.marks.heat = runtimeHeat(this.graph, overlay);
    this.invalidate();
  }

  /** A model diff over the main graph (nodes coloured by status, hovers say what changed); null removes it. */
  setDiff(diff: DiffOverlay | null): void {
    this.diff = diff;
    this.marks.diff = diffMarks(this.graph, diff);
    this.marks.divergence = divergenceMarks(this.graph, diff);
    this.invalidate();
  }

  private async relayout(camera: Camera | 'fit' | 'keep', anchor?: { id: string; screenX: number; screenY: number }): Promise<void> {
    if (!this.graph) return;
    this.options.onStatus?.('Laying out…');
    let times: LayoutTimes | undefined;
    try {
      times = await this.layout.run(this.theme.fonts);
    } catch (error) {
      this.options.onStatus?.(`Layout failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const scene = this.scene;
    if (!times || !scene) return;
    this.minimap.invalidate();
    this.legend.show(scene.aliases, scene.inferred);
    this.options.onLayout?.(times);
    if (camera === 'fit') this.home();
    else if (camera !== 'keep') this.view.camera = { ...camera };
    const pinned = anchor && scene.byId.get(anchor.id);
    if (pinned) this.view.pin(pinned, anchor.screenX, anchor.screenY);
    if (this.marks.selected && !scene.byId.has(this.marks.selected)) this.marks.selected = undefined;
    // Bodies shown in place renumber the nodes drawn.
    if (this.diff) {
      this.marks.diff = diffMarks(this.graph, this.diff);
      this.marks.divergence = divergenceMarks(this.graph, this.diff);
    }
    const total = this.options.totalNodes?.();
    this.options.onStatus?.(this.layout.statusText() + (total !== undefined ? ` · ${formatCount(total)} in all graphs` : ''));
    this.changed();
  }

  /** The first view of a graph: all of it when readable, else its inputs at a readable scale. */
  home(): void {
    if (this.view.home(this.scene, this.layout.direction)) this.changed();
  }

  /** Fits the whole graph in the view. */
  fit(): void {
    if (this.view.fit(this.scene)) this.changed();
  }

  zoomBy(factor: number, screenX = this.view.width / 2, screenY = this.view.height / 2): void {
    this.view.zoomBy(factor, screenX, screenY, this.scene);
    this.changed();
  }

  panBy(dx: number, dy: number): void {
    this.view.panBy(dx, dy);
    this.changed();
  }

  /** Centres an item, zooming in to a readable scale if needed. */
  center(id: string, zoom = true): void {
    const item = this.scene?.byId.get(id);
    if (!item) return;
    this.view.center(item, zoom);
    this.changed();
  }

  /** Selects and centres node `index`, expanding the groups around it. */
  async revealNode(index: number): Promise<void> {
    const graph = this.graph;
    if (!graph || !graph.nodes[index]) return;
    if (this.layout.openAround(index)) await this.relayout('keep');
    const id = graph.nodes[index].hidden ? undefined : `n${index}`;
    if (!id) return;
    this.select(id);
    this.center(id);
  }

  /** Moves the camera to where another view says (a side-by-side diff's other side). */
  setCamera(camera: Camera): void {
    this.view.camera = { ...camera };
    this.changed();
  }

  /**
   * The node box nearest the middle of the view that `accept`s, with the screen point of its centre, for
   * a side-by-side diff's other side to line up with. Undefined when none is on screen.
   */
  nodeNearMiddle(accept: (index: number) => boolean): { index: number; screenX: number; screenY: number } | undefined {
    const scene = this.scene;
    if (!scene || !this.view.width) return undefined;
    const middle = this.view.toWorld(this.view.width / 2, this.view.height / 2);
    let best: { index: number; distance: number } | undefined;
    for (const item of scene.items) {
      if (item.kind !== 'node' || !accept(item.index)) continue;
      const distance = Math.hypot(item.x + item.width / 2 - middle.x, item.y + item.height / 2 - middle.y);
      if (!best || distance < best.distance) best = { index: item.index, distance };
    }
    if (!best) return undefined;
    const item = scene.byId.get(`n${best.index}`)!;
    const at = this.view.toScreen(item.x + item.width / 2, item.y + item.height / 2);
    if (at.x < 0 || at.y < 0 || at.x > this.view.width || at.y > this.view.height) return undefined;
    return { index: best.index, screenX: at.x, screenY: at.y };
  }

  /** Puts node `index`'s centre at a screen point at `scale`; false when the node has no box of its own. */
  pinNode(index: number, screenX: number, screenY: number, scale: number): boolean {
    const item = this.scene?.byId.get(`n${index}`);
    if (!item) return false;
    this.view.camera = { scale, x: item.x + item.width / 2 - screenX / scale, y: item.y + item.height / 2 - screenY / scale };
    this.changed();
    return true;
  }

  /** Marks find results (item ids) and the current one. */
  setMatches(matches: ReadonlySet<string>, current?: string): void {
    this.marks.matches = matches;
    this.marks.current = current;
    this.invalidate();
  }

  /** Marks the items nodes are drawn in (a module's nodes) and frames them all. Returns how many items. */
  markNodes(indices: readonly number[]): number {
    const ids = new Set(indices.map((i) => this.layout.itemOfNode(i)).filter((id): id is string => id !== undefined));
    const items = [...ids].map((id) => this.scene?.byId.get(id)).filter((item): item is NonNullable<typeof item> => item !== undefined);
    this.setMatches(ids, items[0]?.id);
    this.view.frame(items);
    this.changed();
    return items.length;
  }

  /** The item a node is drawn in: itself, or its outermost collapsed group. */
  itemOfNode(index: number): string | undefined {
    return this.layout.itemOfNode(index);
  }

  /** Opens, closes or toggles group `index`. */
  toggleGroup(index: number, open?: boolean): void {
    // A body opens and closes with its frame: the frame's corner is the one that stays.
    const group = this.graph?.groups[index];
    const anchor = group?.kind === 'body' && group.parent >= 0 ? group.parent : index;
    const item = this.scene?.byId.get(`g${anchor}`);
    const node = this.graph?.groups[anchor]?.kind === 'control' ? this.graph.groups[anchor].node : undefined;
    if (!this.layout.setOpen(index, open)) return;
    // The group's corner stays where it is on screen while the layout around it changes (a closed frame's node takes its place).
    const corner = item && this.view.toScreen(item.x, item.y);
    const id = node !== undefined ? `n${node}` : item?.id;
    void this.relayout('keep', id && corner ? { id, screenX: corner.x, screenY: corner.y } : undefined);
  }

  /** Shows node `index`'s bodies in place (If, Loop, Scan), or closes them; its box stays where it is on screen. */
  toggleInline(index: number, open?: boolean): void {
    const item = this.scene?.byId.get(`n${index}`);
    if (!this.layout.setInline(index, open)) return;
    const corner = item && this.view.toScreen(item.x, item.y);
    void this.relayout('keep', item && corner ? { id: item.id, screenX: corner.x, screenY: corner.y } : undefined);
  }

  /** The model changed: subgraph views loaded for it are dropped. */
  forgetBodies(): void {
    this.layout.forgetBodies();
  }

  setAllGroups(open: boolean): void {
    const graph = this.graph;
    if (!graph) return;
    // Collapsing keeps a lone outer scope open, as a large model first opens.
    this.layout.expanded = new Set(open ? graph.groups.map((g) => g.path) : defaultViewState(graph, 0).expanded);
    void this.relayout('fit');
  }

  select(id: string | undefined, slot?: number): void {
    this.marks.selected = id;
    this.changed();
    const item = id ? this.scene?.byId.get(id) : undefined;
    this.announcer.say(item && this.graph ? itemRows(this.graph, this.overlay, item, this.layout.dims, this.diff) : undefined);
    if (!item) this.options.onSelect?.(null);
    else if (item.kind === 'node') this.options.onSelect?.({ kind: 'node', index: item.index, slot });
    else if (item.kind === 'group') this.options.onSelect?.({ kind: 'group', index: item.index });
    else this.options.onSelect?.({ kind: 'value', index: item.index });
  }

  focus(): void {
    this.canvas.focus();
  }

  /** The whole graph as it is drawn now, as SVG text. */
  exportSvg(): string {
    if (!this.scene || !this.graph) throw new Error('Nothing to export yet.');
    return sceneToSvg(this.scene, this.graph, this.theme);
  }

  /** The whole graph as a PNG. */
  exportPng(): Promise<Uint8Array> {
    if (!this.scene || !this.graph) return Promise.reject(new Error('Nothing to export yet.'));
    return sceneToPng(this.scene, this.graph, this.theme, this.marks.heat);
  }

  dispose(): void {
    this.layout.dispose();
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    cancelAnimationFrame(this.frame);
    this.painter.dispose();
    this.element.remove();
  }

  private changed(): void {
    this.invalidate();
    this.options.onStateChange?.(this.state);
  }

  invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /**
   * Draws now and returns how many boxes were on screen; the benchmark calls it to time frames. A view
   * that had thousands of boxes on screen is drawn from a bitmap while it moves, then crisply at rest.
   */
  draw(crisp = false): number {
    const { scene, graph, theme, marks } = this;
    const boxes = this.painter.paint({ scene, graph, theme, marks, camera: this.view.camera }, crisp, () => this.draw(true));
    if (scene && graph) this.minimap.draw(scene, this.view, theme);
    return boxes;
  }

  private resize(): void {
    const rect = this.element.getBoundingClientRect();
    this.view.width = rect.width;
    this.view.height = rect.height;
    this.layout.viewport = { width: rect.width, height: rect.height };
    this.painter.resize(rect.width, rect.height);
    this.invalidate();
  }

  private bindInput(): void {
    bindCanvasInput(this.canvas, {
      now: () => ({ scene: this.scene, graph: this.graph, marks: this.marks, overlay: this.overlay, dims: this.layout.dims, diff: this.diff }),
      view: this.view,
      tooltip: this.tooltip,
      panBy: (dx, dy) => this.panBy(dx, dy),
      zoomBy: (factor, x, y) => this.zoomBy(factor, x, y),
      fit: () => this.fit(),
      center: (id, zoom) => this.center(id, zoom),
      select: (id, slot) => this.select(id, slot),
      selectTensor: (value) => {
        this.marks.selected = undefined;
        this.changed();
        this.options.onSelect?.({ kind: 'value', index: value });
      },
      toggleGroup: (index, open) => this.toggleGroup(index, open),
      toggleInline: (index) => this.toggleInline(index),
      openGraph: (id) => this.options.onOpenGraph?.(id),
      invalidate: () => this.invalidate(),
    });
  }
}

/** Reads the view bytes the host posts (`new TextDecoder()` for `decodeText`): a page that has them mounts their `main`. */
export { readModelView } from '../src/core/graph/viewWire.js';

/**
 * Mounts a graph view in any page (the benchmark's standalone page uses this): `graph` is a GraphView
 * as built by src/core/graph/viewModel.ts (ModelView.main). Resolves after the first layout is drawn
 * into the canvas's next frame.
 */
export async function mountGraphView(parent: HTMLElement, graph: GraphView | Promise<GraphView>, options: GraphViewOptions & { collapseAbove?: number } = {}): Promise<GraphCanvas> {
  // The canvas first, as in the editor: its layout worker starts while the graph is still on its way.
  const view = new GraphCanvas(parent, options);
  const shown = await graph;
  await view.setGraph(shown, defaultViewState(shown, options.collapseAbove ?? 1500, options.bodies?.inside));
  view.draw();
  return view;
}
