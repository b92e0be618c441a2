// The graph canvas: takes one graph's view model and shows it with pan, zoom, fit, minimap, hover
// tooltips, selection, collapsible groups and find marks. Independent of VS Code, so a plain page can
// mount it (the benchmark does: see mountGraphView).
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { RuntimeOverlay } from '../src/protocol.js';
import { LayoutClient } from './layoutClient.js';
import { FrameCache, identity } from './frameCache.js';
import { boxesInView, drawScene, labelPoint, type Camera, type Marks } from './renderer.js';
import { composeScene, LINE, planScene, shapeText, TITLE, type Scene, type SceneEdge, type SceneItem } from './scene.js';
import { sceneToSvg } from './svgExport.js';
import { readTheme, type Theme } from './theme.js';
import { GROUP_HEADER } from './layoutJob.js';

/** `slot`: the folded constant input the user clicked inside a node's box. */
export type Selection = { kind: 'node' | 'group' | 'value'; index: number; slot?: number } | null;

export interface ViewState {
  expanded: string[];
  camera?: Camera;
  selected?: string;
}

export interface GraphViewOptions {
  /** URL of dist/layout-worker.js; without it, layout runs on the main thread. */
  workerUrl?: string;
  direction?: 'TB' | 'LR';
  onSelect?: (selection: Selection) => void;
  onOpenGraph?: (graphId: string) => void;
  onStateChange?: (state: ViewState) => void;
  onStatus?: (text: string) => void;
  /** Called after each layout with the time it took, for the status line and the benchmark. */
  onLayout?: (info: { items: number; edges: number; ms: number; planMs: number; layoutMs: number; composeMs: number }) => void;
}

const MIN_SCALE = 0.005;
const MAX_SCALE = 4;
/** From this many boxes on screen, a frame takes longer to draw than to copy from a bitmap. */
const crowdedBoxes = 4000;

export class GraphCanvas {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly minimap: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly layout: LayoutClient;
  private theme: Theme;
  private graph?: GraphView;
  private scene?: Scene;
  private expanded = new Set<string>();
  private camera: Camera = { x: 0, y: 0, scale: 1 };
  private marks: Marks = {};
  private direction: 'TB' | 'LR';
  private frame = 0;
  private generation = 0;
  private minimapCache?: HTMLCanvasElement;
  private overlay: RuntimeOverlay | null = null;
  private readonly measureCtx: CanvasRenderingContext2D;
  private readonly measureCache = new Map<string, number>();
  private readonly resizeObserver: ResizeObserver;
  private readonly themeObserver: MutationObserver;
  private width = 0;
  private height = 0;
  private readonly frameCache = new FrameCache();
  /** The last frame had so many boxes on screen that moving draws from the frame cache. */
  private crowded = false;
  private crispTimer = 0;
  /** The content key of the last frame drawn. */
  private drawnKey = '';

  constructor(parent: HTMLElement, private readonly options: GraphViewOptions = {}) {
    this.direction = options.direction ?? 'TB';
    this.element = document.createElement('div');
    this.element.className = 'graph';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'graph-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Model graph. Drag or use the arrow keys to pan, the wheel or + and - to zoom, 0 to fit. Alt+Down and Alt+Up move the selection along the edges, Enter opens a group or subgraph, Escape clears the selection.');
    this.minimap = document.createElement('canvas');
    this.minimap.className = 'graph-minimap';
    this.minimap.setAttribute('aria-hidden', 'true');
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'graph-tooltip';
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    // What a screen reader says when the selection moves (the canvas itself is one image to it).
    this.announcer = document.createElement('div');
    this.announcer.className = 'sr-only';
    this.announcer.setAttribute('aria-live', 'polite');
    this.element.append(this.canvas, this.minimap, this.tooltip, this.announcer);
    parent.append(this.element);
    this.ctx = this.canvas.getContext('2d', { alpha: false })!;
    this.measureCtx = document.createElement('canvas').getContext('2d')!;
    this.theme = readTheme();
    this.layout = new LayoutClient(options.workerUrl);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.element);
    this.themeObserver = new MutationObserver(() => {
      this.theme = readTheme();
      this.measureCache.clear();
      this.minimapCache = undefined;
      this.invalidate();
    });
    this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.bindInput();
    this.resize();
  }

  /** Shows a graph. Without a saved camera the view fits the graph. */
  async setGraph(graph: GraphView, state: ViewState): Promise<void> {
    this.graph = graph;
    this.expanded = new Set(state.expanded);
    this.marks = { selected: state.selected };
    this.scene = undefined;
    await this.relayout(state.camera ?? 'fit');
  }

  get currentGraph(): GraphView | undefined {
    return this.graph;
  }

  get state(): ViewState {
    return { expanded: [...this.expanded], camera: { ...this.camera }, selected: this.marks.selected };
  }

  setDirection(direction: 'TB' | 'LR'): void {
    if (direction === this.direction) return;
    this.direction = direction;
    void this.relayout('fit');
  }

  setOverlay(overlay: RuntimeOverlay | null): void {
    this.overlay = overlay;
    const heat = new Map<number, number>();
    if (overlay?.nodeTimesUs && this.graph) {
      const times = overlay.nodeTimesUs;
      const max = Math.max(0, ...Object.values(times));
      if (max > 0) this.graph.nodes.forEach((node, i) => {
        const t = times[node.name];
        if (t) heat.set(i, t / max);
      });
    }
    this.marks.heat = heat;
    this.invalidate();
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

  private async relayout(camera: Camera | 'fit' | 'keep', anchor?: { id: string; screenX: number; screenY: number }): Promise<void> {
    const graph = this.graph;
    if (!graph) return;
    const generation = ++this.generation;
    const started = performance.now();
    this.options.onStatus?.('Laying out…');
    const plan = planScene(graph, this.expanded, this.direction, this.measure, this.theme.fonts);
    const planned = performance.now();
    let results;
    try {
      results = await this.layout.layout(plan.job);
    } catch (error) {
      this.options.onStatus?.(`Layout failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (generation !== this.generation) return;
    const laidOut = performance.now();
    this.scene = composeScene(plan, results);
    this.minimapCache = undefined;
    const done = performance.now();
    this.options.onLayout?.({ items: this.scene.items.length, edges: this.scene.edges.length, ms: done - started, planMs: planned - started, layoutMs: laidOut - planned, composeMs: done - laidOut });
    if (camera === 'fit') this.home();
    else if (camera !== 'keep') this.camera = { ...camera };
    if (anchor) {
      const item = this.scene.byId.get(anchor.id);
      if (item) {
        this.camera.x = item.x - anchor.screenX / this.camera.scale;
        this.camera.y = item.y - anchor.screenY / this.camera.scale;
      }
    }
    if (this.marks.selected && !this.scene.byId.has(this.marks.selected)) this.marks.selected = undefined;
    this.options.onStatus?.(this.statusText());
    this.changed();
  }

  private statusText(): string {
    const graph = this.graph;
    if (!graph || !this.scene) return '';
    const drawn = graph.nodes.filter((n) => !n.hidden).length;
    const shown = this.scene.items.filter((i) => i.kind === 'node').length;
    const groups = this.scene.items.filter((i) => i.kind === 'group' && !i.expanded).length;
    return `${drawn.toLocaleString("en-US")} ${drawn === 1 ? "node" : "nodes"}` + (shown < drawn ? ` · ${shown.toLocaleString('en-US')} shown, ${groups} collapsed groups` : '');
  }

  /**
   * The first view of a graph: all of it when that is readable, else its top (the inputs) at a
   * readable scale across its width, as Netron opens models.
   */
  home(): void {
    const scene = this.scene;
    if (!scene || !this.width || !this.height) return;
    const margin = 24;
    const fitScale = Math.min((this.width - 2 * margin) / Math.max(scene.width, 1), (this.height - 2 * margin) / Math.max(scene.height, 1));
    if (fitScale >= 0.6) {
      this.fit();
      return;
    }
    if (this.direction === 'LR') {
      const heightScale = (this.height - 2 * margin) / Math.max(scene.height, 1);
      const scale = Math.min(1, Math.max(fitScale, heightScale, 0.6));
      this.camera = { scale, x: -margin / scale, y: scene.height / 2 - this.height / 2 / scale };
    } else {
      const widthScale = (this.width - 2 * margin) / Math.max(scene.width, 1);
      const scale = Math.min(1, Math.max(fitScale, widthScale, 0.6));
      this.camera = { scale, x: scene.width / 2 - this.width / 2 / scale, y: -margin / scale };
    }
    this.changed();
  }

  /** Fits the whole graph in the view. */
  fit(): void {
    const scene = this.scene;
    if (!scene || !this.width || !this.height) return;
    const scale = Math.min(1.25, this.wholeScale());
    this.camera = { scale, x: scene.width / 2 - this.width / 2 / scale, y: scene.height / 2 - this.height / 2 / scale };
    this.changed();
  }

  /** The scale at which the whole graph fits the view. */
  private wholeScale(): number {
    const scene = this.scene;
    if (!scene || !this.width || !this.height) return 1;
    const margin = 24;
    return Math.max(1e-5, Math.min((this.width - 2 * margin) / Math.max(scene.width, 1), (this.height - 2 * margin) / Math.max(scene.height, 1)));
  }

  zoomBy(factor: number, screenX = this.width / 2, screenY = this.height / 2): void {
    // Zooming out stops at MIN_SCALE, or where the whole graph is in view when that takes more.
    const scale = Math.min(MAX_SCALE, Math.max(Math.min(MIN_SCALE, this.wholeScale()), this.camera.scale * factor));
    const wx = this.camera.x + screenX / this.camera.scale;
    const wy = this.camera.y + screenY / this.camera.scale;
    this.camera = { scale, x: wx - screenX / scale, y: wy - screenY / scale };
    this.changed();
  }

  panBy(dx: number, dy: number): void {
    this.camera.x += dx / this.camera.scale;
    this.camera.y += dy / this.camera.scale;
    this.changed();
  }

  /** Centres an item, zooming in to a readable scale if needed. */
  center(id: string, zoom = true): void {
    const item = this.scene?.byId.get(id);
    if (!item) return;
    const scale = zoom ? Math.max(this.camera.scale, 1) : this.camera.scale;
    this.camera = { scale, x: item.x + item.width / 2 - this.width / 2 / scale, y: item.y + item.height / 2 - this.height / 2 / scale };
    this.changed();
  }

  /** Selects and centres node `index`, expanding the groups around it. */
  async revealNode(index: number): Promise<void> {
    const graph = this.graph;
    if (!graph || !graph.nodes[index]) return;
    let added = false;
    for (let g = graph.nodes[index].group; g >= 0; g = graph.groups[g].parent) {
      if (!this.expanded.has(graph.groups[g].path)) {
        this.expanded.add(graph.groups[g].path);
        added = true;
      }
    }
    if (added) await this.relayout('keep');
    const id = graph.nodes[index].hidden ? undefined : `n${index}`;
    if (!id) return;
    this.select(id);
    this.center(id);
  }

  /** Marks find results (item ids) and the current one. */
  setMatches(matches: ReadonlySet<string>, current?: string): void {
    this.marks.matches = matches;
    this.marks.current = current;
    this.invalidate();
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

  toggleGroup(index: number, open?: boolean): void {
    const graph = this.graph;
    if (!graph) return;
    const path = graph.groups[index].path;
    const next = open ?? !this.expanded.has(path);
    if (next === this.expanded.has(path)) return;
    if (next) this.expanded.add(path);
    else {
      this.expanded.delete(path);
      for (const g of graph.groups) if (g.path.startsWith(path + '/')) this.expanded.delete(g.path);
    }
    const item = this.scene?.byId.get(`g${index}`);
    const anchor = item ? { id: item.id, screenX: (item.x - this.camera.x) * this.camera.scale, screenY: (item.y - this.camera.y) * this.camera.scale } : undefined;
    void this.relayout('keep', anchor);
  }

  setAllGroups(open: boolean): void {
    const graph = this.graph;
    if (!graph) return;
    // Collapsing keeps a lone outer scope open, as a large model first opens.
    this.expanded = new Set(open ? graph.groups.map((g) => g.path) : defaultViewState(graph, 0).expanded);
    void this.relayout('fit');
  }

  select(id: string | undefined, slot?: number): void {
    this.marks.selected = id;
    this.changed();
    const item = id ? this.scene?.byId.get(id) : undefined;
    this.announcer.textContent = item ? this.itemTooltip(item).map(([k, v]) => (k ? `${k} ${v}` : v)).slice(0, 6).join(', ') : '';
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

  /** The whole graph as a PNG, at up to 2 pixels per unit within the canvas size browsers allow. */
  async exportPng(): Promise<Uint8Array> {
    const scene = this.scene;
    const graph = this.graph;
    if (!scene || !graph) throw new Error('Nothing to export yet.');
    const margin = 20;
    const w = scene.width + 2 * margin;
    const h = scene.height + 2 * margin;
    const scale = Math.min(2, 16000 / w, 16000 / h, Math.sqrt(120e6 / (w * h)));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.ceil(w * scale));
    canvas.height = Math.max(1, Math.ceil(h * scale));
    const ctx = canvas.getContext('2d')!;
    drawScene(ctx, scene, graph, { x: -margin, y: -margin, scale }, canvas.width, canvas.height, this.theme, { heat: this.marks.heat });
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The graph is too large to export as PNG; export SVG instead.');
    return new Uint8Array(await blob.arrayBuffer());
  }

  dispose(): void {
    this.layout.dispose();
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    cancelAnimationFrame(this.frame);
    window.clearTimeout(this.crispTimer);
    this.frameCache.clear();
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
    const dpr = window.devicePixelRatio || 1;
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (!this.scene || !this.graph) {
      this.ctx.fillStyle = this.theme.background;
      this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      return 0;
    }
    const { scene, graph, theme, marks } = this;
    const camera = { x: this.camera.x, y: this.camera.y, scale: this.camera.scale * dpr };
    const [width, height] = [this.canvas.width, this.canvas.height];
    // Only camera moves use the bitmap: a hover or a selection is drawn directly, as redrawing the
    // bitmap, twice the view each way, would cost more than the frame itself.
    const key = this.contentKey();
    const sameContent = key === this.drawnKey;
    this.drawnKey = key;
    let boxes: number;
    if (this.crowded && sameContent && !crisp) {
      this.frameCache.draw(this.ctx, key, camera, width, height, theme.background, (ctx, at, w, h) => drawScene(ctx, scene, graph, at, w, h, theme, marks));
      boxes = boxesInView(scene, camera, width, height);
      window.clearTimeout(this.crispTimer);
      this.crispTimer = window.setTimeout(() => this.draw(true), 200);
    } else {
      boxes = drawScene(this.ctx, scene, graph, camera, width, height, theme, marks);
    }
    this.crowded = boxes >= crowdedBoxes;
    if (!this.crowded) this.frameCache.clear();
    this.drawMinimap();
    return boxes;
  }

  /** Everything but the camera that changes what is drawn: the frame cache is redrawn when it changes. */
  private contentKey(): string {
    const m = this.marks;
    return [identity(this.scene), identity(this.theme), m.selected, m.hovered, identity(m.hoveredEdge), m.current, identity(m.matches), identity(m.heat)].join('|');
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const rect = this.element.getBoundingClientRect();
    this.width = rect.width;
    this.height = rect.height;
    this.canvas.width = Math.max(1, Math.round(rect.width * dpr));
    this.canvas.height = Math.max(1, Math.round(rect.height * dpr));
    this.canvas.style.width = `${rect.width}px`;
    this.canvas.style.height = `${rect.height}px`;
    this.invalidate();
  }

  private drawMinimap(): void {
    const scene = this.scene!;
    const dpr = window.devicePixelRatio || 1;
    const cssW = 180;
    const cssH = 120;
    const big = scene.width * this.camera.scale > this.width * 1.05 || scene.height * this.camera.scale > this.height * 1.05;
    this.minimap.hidden = !big;
    if (!big) return;
    if (this.minimap.width !== cssW * dpr) {
      this.minimap.width = cssW * dpr;
      this.minimap.height = cssH * dpr;
      this.minimap.style.width = `${cssW}px`;
      this.minimap.style.height = `${cssH}px`;
      this.minimapCache = undefined;
    }
    const scale = Math.min((cssW * dpr) / Math.max(scene.width, 1), (cssH * dpr) / Math.max(scene.height, 1));
    const ox = (cssW * dpr - scene.width * scale) / 2;
    const oy = (cssH * dpr - scene.height * scale) / 2;
    if (!this.minimapCache) {
      const cache = document.createElement('canvas');
      cache.width = this.minimap.width;
      cache.height = this.minimap.height;
      const c = cache.getContext('2d')!;
      c.fillStyle = this.theme.nodeFill;
      c.fillRect(0, 0, cache.width, cache.height);
      c.fillStyle = this.theme.edge;
      for (const item of scene.items) {
        if (item.kind === 'group' && item.expanded) continue;
        c.fillRect(ox + item.x * scale, oy + item.y * scale, Math.max(1, item.width * scale), Math.max(1, item.height * scale));
      }
      this.minimapCache = cache;
    }
    const m = this.minimap.getContext('2d')!;
    m.drawImage(this.minimapCache, 0, 0);
    m.strokeStyle = this.theme.focus;
    m.lineWidth = 1.5 * dpr;
    m.strokeRect(ox + this.camera.x * scale, oy + this.camera.y * scale, (this.width / this.camera.scale) * scale, (this.height / this.camera.scale) * scale);
    this.minimapTransform = { scale: scale / dpr, ox: ox / dpr, oy: oy / dpr };
  }

  private minimapTransform = { scale: 1, ox: 0, oy: 0 };

  /** The topmost item under a screen point: boxes before the frames they sit in. */
  private hitItem(screenX: number, screenY: number): SceneItem | undefined {
    const scene = this.scene;
    if (!scene) return undefined;
    const x = this.camera.x + screenX / this.camera.scale;
    const y = this.camera.y + screenY / this.camera.scale;
    for (let i = scene.items.length - 1; i >= 0; i--) {
      const item = scene.items[i];
      if (x >= item.x && x <= item.x + item.width && y >= item.y && y <= item.y + item.height) return item;
    }
    return undefined;
  }

  private hitEdge(screenX: number, screenY: number): SceneEdge | undefined {
    const scene = this.scene;
    if (!scene) return undefined;
    const x = this.camera.x + screenX / this.camera.scale;
    const y = this.camera.y + screenY / this.camera.scale;
    const tolerance = 5 / this.camera.scale;
    let best: SceneEdge | undefined;
    let bestDistance = tolerance;
    for (const e of scene.edges) {
      if (x < e.minX - tolerance || x > e.maxX + tolerance || y < e.minY - tolerance || y > e.maxY + tolerance) continue;
      for (let i = 1; i < e.points.length; i++) {
        const d = segmentDistance(x, y, e.points[i - 1], e.points[i]);
        if (d < bestDistance) {
          bestDistance = d;
          best = e;
        }
      }
    }
    return best;
  }

  private bindInput(): void {
    const canvas = this.canvas;
    let drag: { x: number; y: number; moved: boolean; id: number } | undefined;
    canvas.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      canvas.focus();
      canvas.setPointerCapture(event.pointerId);
      drag = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
      this.hideTooltip();
    });
    canvas.addEventListener('pointermove', (event) => {
      const rect = canvas.getBoundingClientRect();
      if (drag && drag.id === event.pointerId) {
        const dx = event.clientX - drag.x;
        const dy = event.clientY - drag.y;
        if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
          drag.moved = true;
          canvas.classList.add('panning');
          this.panBy(-dx, -dy);
          drag.x = event.clientX;
          drag.y = event.clientY;
        }
        return;
      }
      this.hover(event.clientX - rect.left, event.clientY - rect.top);
    });
    canvas.addEventListener('pointerleave', () => {
      this.marks.hovered = undefined;
      this.marks.hoveredEdge = undefined;
      this.hideTooltip();
      this.invalidate();
    });
    const end = (event: PointerEvent) => {
      if (!drag || drag.id !== event.pointerId) return;
      const clicked = !drag.moved;
      drag = undefined;
      canvas.classList.remove('panning');
      if (!clicked) return;
      const rect = canvas.getBoundingClientRect();
      this.click(event.clientX - rect.left, event.clientY - rect.top);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', () => {
      drag = undefined;
      canvas.classList.remove('panning');
    });
    canvas.addEventListener('dblclick', (event) => {
      const rect = canvas.getBoundingClientRect();
      const item = this.hitItem(event.clientX - rect.left, event.clientY - rect.top);
      if (item?.kind === 'node') this.openNode(item.index);
    });
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const rect = canvas.getBoundingClientRect();
        if (event.shiftKey) this.panBy(event.deltaY, event.deltaX);
        else if (Math.abs(event.deltaX) > Math.abs(event.deltaY) && !event.ctrlKey) this.panBy(event.deltaX, 0);
        else {
          const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
          this.zoomBy(Math.exp(-delta * (event.ctrlKey ? 0.01 : 0.0015)), event.clientX - rect.left, event.clientY - rect.top);
        }
      },
      { passive: false },
    );
    canvas.addEventListener('keydown', (event) => {
      const step = event.shiftKey ? 200 : 50;
      let handled = true;
      switch (event.key) {
        case 'ArrowLeft': this.panBy(-step, 0); break;
        case 'ArrowRight': this.panBy(step, 0); break;
        case 'ArrowUp': if (event.altKey) this.step(false); else this.panBy(0, -step); break;
        case 'ArrowDown': if (event.altKey) this.step(true); else this.panBy(0, step); break;
        case '+': case '=': this.zoomBy(1.25); break;
        case '-': case '_': this.zoomBy(0.8); break;
        case '0': this.fit(); break;
        case 'Escape': this.select(undefined); break;
        case 'Enter': this.activateSelection(); break;
        default: handled = false;
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    let minimapDrag = false;
    const toMinimap = (event: PointerEvent) => {
      const rect = this.minimap.getBoundingClientRect();
      const t = this.minimapTransform;
      const wx = (event.clientX - rect.left - t.ox) / t.scale;
      const wy = (event.clientY - rect.top - t.oy) / t.scale;
      this.camera.x = wx - this.width / 2 / this.camera.scale;
      this.camera.y = wy - this.height / 2 / this.camera.scale;
      this.changed();
    };
    this.minimap.addEventListener('pointerdown', (event) => {
      minimapDrag = true;
      this.minimap.setPointerCapture(event.pointerId);
      toMinimap(event);
    });
    this.minimap.addEventListener('pointermove', (event) => minimapDrag && toMinimap(event));
    this.minimap.addEventListener('pointerup', () => (minimapDrag = false));
  }

  /** Enter: open a collapsed group, step into a node's subgraph or function. */
  private activateSelection(): void {
    const item = this.marks.selected ? this.scene?.byId.get(this.marks.selected) : undefined;
    if (!item) return;
    if (item.kind === 'group') this.toggleGroup(item.index);
    else if (item.kind === 'node') this.openNode(item.index);
  }

  private openNode(index: number): void {
    const node = this.graph?.nodes[index];
    if (!node) return;
    const target = node.subgraphs?.[0]?.graph ?? node.calls;
    if (target !== undefined) this.options.onOpenGraph?.(target);
  }

  /** The folded input slot whose line is at world height y inside a node's box. */
  private foldedSlotAt(item: SceneItem, y: number): number | undefined {
    const node = this.graph?.nodes[item.index];
    if (!node || !node.folded.length) return undefined;
    const top = item.y + TITLE + (item.subtitle ? LINE : 0);
    const line = Math.floor((y - top) / LINE);
    if (line < 0 || line >= item.lines.length || item.lines[line].startsWith('+')) return undefined;
    return node.folded[line];
  }

  /** Alt+Down / Alt+Up: from the selection to what it feeds / what feeds it. */
  private step(down: boolean): void {
    const scene = this.scene;
    const selected = this.marks.selected;
    if (!scene) return;
    if (!selected) {
      const first = scene.items.find((i) => !(i.kind === 'group' && i.expanded));
      if (first) {
        this.select(first.id);
        this.center(first.id, false);
      }
      return;
    }
    const next = scene.edges.filter((e) => (down ? e.from === selected : e.to === selected)).map((e) => scene.byId.get(down ? e.to : e.from)!);
    if (!next.length) return;
    next.sort((a, b) => a.x - b.x);
    this.select(next[0].id);
    this.center(next[0].id, false);
  }

  private click(screenX: number, screenY: number): void {
    const item = this.hitItem(screenX, screenY);
    if (item?.kind === 'group') {
      const y = this.camera.y + screenY / this.camera.scale;
      if (!item.expanded) {
        this.select(item.id);
        this.toggleGroup(item.index, true);
        return;
      }
      if (y <= item.y + GROUP_HEADER) {
        this.select(item.id);
        this.toggleGroup(item.index, false);
        return;
      }
    }
    if (item && !(item.kind === 'group' && item.expanded)) {
      this.select(item.id, item.kind === 'node' ? this.foldedSlotAt(item, this.camera.y + screenY / this.camera.scale) : undefined);
      return;
    }
    const edge = this.hitEdge(screenX, screenY);
    if (edge) {
      this.marks.selected = undefined;
      this.changed();
      this.options.onSelect?.({ kind: 'value', index: edge.values[0] });
      return;
    }
    this.select(undefined);
  }

  private hover(screenX: number, screenY: number): void {
    let item = this.hitItem(screenX, screenY);
    if (item?.kind === 'group' && item.expanded) {
      const y = this.camera.y + screenY / this.camera.scale;
      if (y > item.y + GROUP_HEADER) item = undefined;
    }
    const edge = item ? undefined : this.hitEdge(screenX, screenY);
    if (item?.id !== this.marks.hovered || edge !== this.marks.hoveredEdge) {
      this.marks.hovered = item?.id;
      this.marks.hoveredEdge = edge;
      this.invalidate();
    }
    this.canvas.classList.toggle('pointing', Boolean(item || edge));
    if (item) this.showTooltip(this.itemTooltip(item), screenX, screenY);
    else if (edge) this.showTooltip(this.edgeTooltip(edge), screenX, screenY);
    else this.hideTooltip();
  }

  private itemTooltip(item: SceneItem): Array<[string, string]> {
    const graph = this.graph!;
    if (item.kind === 'node') {
      const node = graph.nodes[item.index];
      const rows: Array<[string, string]> = [['', node.domain ? `${node.domain}.${node.op}` : node.op]];
      if (node.name) rows.push(['name', node.name]);
      node.inputs.forEach((v) => v >= 0 && rows.length < 14 && rows.push(['in', this.valueLine(v)]));
      node.outputs.forEach((v) => v >= 0 && rows.length < 20 && rows.push(['out', this.valueLine(v)]));
      const time = this.overlay?.nodeTimesUs?.[node.name];
      if (time !== undefined) rows.push(['time', `${time.toLocaleString('en-US')} µs`]);
      if (node.subgraphs?.length || node.calls) rows.push(['', 'Double-click or Enter to open']);
      return rows;
    }
    if (item.kind === 'group') {
      const group = graph.groups[item.index];
      return [['', group.path], ['', `${group.size} nodes · click to ${item.expanded ? 'collapse' : 'expand'}`]];
    }
    return this.valueRows(item.index, item.kind === 'input' ? 'graph input' : 'graph output');
  }

  private valueLine(v: number): string {
    const value = this.graph!.values[v];
    return `${value.name}: ${value.type || '?'}${value.shape ? `[${shapeText(value).replace(/×/g, ',')}]` : ''}`;
  }

  private valueRows(v: number, role?: string): Array<[string, string]> {
    const graph = this.graph!;
    const value = graph.values[v];
    const rows: Array<[string, string]> = [['', value.name]];
    if (role) rows.push(['', role]);
    rows.push(['type', `${value.type || '?'}${value.shape ? `[${shapeText(value).replace(/×/g, ',')}]` : ' (shape unknown)'}`]);
    const runtime = this.overlay?.values[value.name];
    if (runtime) {
      rows.push(['runtime', `${runtime.dtype}[${runtime.shape.join(',')}]`]);
      if (runtime.stats) rows.push(['stats', `min ${fmt(runtime.stats.min)} · max ${fmt(runtime.stats.max)} · mean ${fmt(runtime.stats.mean)} · std ${fmt(runtime.stats.std)}`]);
    }
    const nodeName = (n: number) => graph.nodes[n].name || `${graph.nodes[n].op} #${n}`;
    rows.push(['from', value.producer >= 0 ? nodeName(value.producer) : value.kind === 'input' ? 'graph input' : value.kind === 'initializer' ? 'initializer' : 'outer scope']);
    const consumers = value.consumers.slice(0, 6).map(nodeName);
    if (value.consumers.length > 6) consumers.push(`… ${value.consumers.length - 6} more`);
    if (consumers.length) rows.push(['to', consumers.join(', ')]);
    if (value.output) rows.push(['', 'graph output']);
    return rows;
  }

  private edgeTooltip(edge: SceneEdge): Array<[string, string]> {
    const rows = this.valueRows(edge.values[0]);
    if (edge.values.length > 1) rows.push(['', `and ${edge.values.length - 1} more tensors`]);
    return rows;
  }

  private showTooltip(rows: Array<[string, string]>, x: number, y: number): void {
    const box = this.tooltip;
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
    box.style.left = `${Math.min(x + 14, this.width - w - 4)}px`;
    box.style.top = `${y + 16 + h > this.height ? Math.max(0, y - h - 8) : y + 16}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  /** The label point of an edge, for tests. */
  static labelPoint = labelPoint;
}

function segmentDistance(x: number, y: number, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / length2));
  return Math.hypot(x - (a.x + t * dx), y - (a.y + t * dy));
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(3);
  return Number(value.toPrecision(5)).toString();
}

/**
 * How a graph opens: every group expanded when it has at most `collapseAbove` drawn nodes; else all
 * collapsed, except a lone outer scope (`/model/...`) that would leave a single box to click.
 */
export function defaultViewState(graph: GraphView, collapseAbove: number): ViewState {
  const drawn = graph.nodes.reduce((n, node) => n + (node.hidden ? 0 : 1), 0);
  if (drawn <= collapseAbove) return { expanded: graph.groups.map((g) => g.path) };
  const expanded: string[] = [];
  let parent = -1;
  for (;;) {
    const children: number[] = [];
    graph.groups.forEach((g, i) => g.parent === parent && children.push(i));
    if (children.length !== 1) break;
    // Expand it when it holds nearly everything at this level (a few direct nodes, like an lm_head, aside).
    const atLevel = parent < 0 ? drawn : graph.groups[parent].size;
    if (graph.groups[children[0]].size < 0.8 * atLevel) break;
    expanded.push(graph.groups[children[0]].path);
    parent = children[0];
  }
  return { expanded };
}

/**
 * Mounts a graph view in any page (the benchmark's standalone page uses this): `graph` is a GraphView
 * as built by src/core/graph/viewModel.ts (ModelView.main). Resolves after the first layout is drawn
 * into the canvas's next frame.
 */
export async function mountGraphView(parent: HTMLElement, graph: GraphView, options: GraphViewOptions & { collapseAbove?: number } = {}): Promise<GraphCanvas> {
  const view = new GraphCanvas(parent, options);
  await view.setGraph(graph, defaultViewState(graph, options.collapseAbove ?? 1500));
  view.draw();
  return view;
}
