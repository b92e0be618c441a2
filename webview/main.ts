// The model editor's page: toolbar (breadcrumbs, find, view and export buttons), graph canvas, side
// panel; talks to the host through the typed channel in src/protocol.ts. Model strings reach the DOM
// only through textContent and the canvas only through fillText.
import '@vscode/codicons/dist/codicon.css';
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider, vsCodeDropdown, vsCodeLink, vsCodeOption, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import type { GraphView, ModelView } from '../src/core/graph/viewModelTypes.js';
import { MessageHandler, type EditAction, type EditorSettings, type EditTarget, type HostEvent, type HostRequests, type RevealLocation, type RuntimeOverlay, type ToHost, type ToWebview, type WebviewEvent, type WebviewRequests } from '../src/protocol.js';
import { formatCount } from '../src/core/format.js';
import { drawnIndex, nodeOrigin, nodesInside } from '../src/core/graph/controlFlow.js';
import { DimAliases } from '../src/core/graph/dimAliases.js';
import { readModelView } from '../src/core/graph/viewWire.js';
import type { DiffOverlay } from '../src/core/diff/diffOverlay.js';
import { DiffFollower } from './diffFollow.js';
import { DiffLegend } from './diffLegend.js';
import { menuContext } from './editMenu.js';
import { codicon, custom, el, iconButton } from './dom.js';
import { FindWidget } from './findWidget.js';
import { GraphCanvas } from './graphView.js';
import { SidePanel } from './panel.js';
import { defaultViewState, type Selection, type ViewState } from './viewState.js';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextField(), vsCodeDropdown(), vsCodeOption(), vsCodeLink(), vsCodeDivider());

interface VsCodeApi {
  postMessage(message: ToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives hiding the tab (the webview is rebuilt) and reloads of the file. */
interface SavedState {
  fileName: string;
  stack: string[];
  views: Record<string, ViewState>;
  direction?: 'TB' | 'LR';
  panelHidden?: boolean;
}

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const workerUrl = app.dataset.worker;

let model: ModelView | undefined;
let settings: EditorSettings = { direction: 'TB', collapseAbove: 1500, fullDimNames: false };
let saved: SavedState | undefined = vscode.getState() as SavedState | undefined;
const graphs = new Map<string, GraphView>();
let stack: string[] = [''];
let views: Record<string, ViewState> = {};
let overlay: RuntimeOverlay | null = null;
/** A model diff laid over the main graph, and the change stop selected (-1: none yet). */
let diff: DiffOverlay | null = null;
let diffAt = -1;
/** Drawn nodes inside each subgraph, nested ones included. */
let inside = new Map<string, number>();
const insideOf = (id: string) => inside.get(id) ?? 0;
/** What the side panel shows, so that it shows it again after an edit. */
let panelShows: { kind: 'model' } | { kind: 'node'; index: number } | { kind: 'value'; index: number; name: string } = { kind: 'model' };

const channel = new MessageHandler<WebviewEvent, HostEvent, WebviewRequests, HostRequests>(
  (message) => vscode.postMessage(message),
  {
    export: async ({ format }) => ({ data: format === 'svg' ? canvas.exportSvg() : await canvas.exportPng(), suggestedName: exportName() }),
  },
  (event) => void onEvent(event),
);
window.addEventListener('message', (event: MessageEvent<ToWebview>) => void channel.receive(event.data));

// Layout of the page.
const toolbar = el('header', 'toolbar');
toolbar.setAttribute('role', 'toolbar');
toolbar.setAttribute('aria-label', 'Graph');
const crumbs = el('nav', 'crumbs');
crumbs.setAttribute('aria-label', 'Graph path');
const direction = custom('vscode-dropdown', 'direction') as HTMLElement & { value: string };
direction.setAttribute('aria-label', 'Layout direction');
direction.title = 'Layout direction';
for (const [value, label] of [['TB', 'Top to bottom'], ['LR', 'Left to right']]) {
  const option = custom('vscode-option', undefined, label);
  option.setAttribute('value', value);
  direction.append(option);
}
const spacer = el('span', 'spacer');
const buttons = el('span', 'buttons');
buttons.append(
  iconButton('screen-full', 'Fit to view (0)', () => canvas.fit()),
  iconButton('zoom-in', 'Zoom in (+)', () => canvas.zoomBy(1.25)),
  iconButton('zoom-out', 'Zoom out (-)', () => canvas.zoomBy(0.8)),
  iconButton('expand-all', 'Expand all groups', () => canvas.setAllGroups(true)),
  iconButton('collapse-all', 'Collapse all groups', () => canvas.setAllGroups(false)),
  iconButton('file-media', 'Export as SVG', () => void exportTo('svg')),
  iconButton('device-camera', 'Export as PNG', () => void exportTo('png')),
  iconButton('info', 'Model properties', () => {
    canvas.select(undefined);
    showModelPanel();
  }),
  iconButton('layout-sidebar-right', 'Toggle side panel', () => togglePanel()),
);
// The canvas is made below, inside the stage; the widget asks for it only when the user searches.
const finder = new FindWidget({ graph: () => shownGraph(), canvas: () => canvas, showTensor: (index) => onSelect({ kind: 'value', index }) });
toolbar.append(crumbs, spacer, finder.field, finder.count, direction, buttons);

const main = el('main', 'body');
const stage = el('div', 'stage');
const status = el('div', 'status');
status.setAttribute('role', 'status');
const panel = new SidePanel({
  requestNode: (graph, node) => channel.request('node', { graph, node }),
  requestTensor: (ref, offset, count) => channel.request('tensor', { ref, offset, count }),
  openGraph: (id) => void openGraph(id),
  revealNode: (index) => void canvas.revealNode(index),
  selectValue: (index) => onSelect({ kind: 'value', index }),
  showProblems: () => channel.event({ type: 'showProblems' }),
  fixProblems: () => channel.event({ type: 'fixProblems' }),
  toggleInline: (index) => canvas.toggleInline(index),
  openSource: (file, line) => channel.request('openSource', { file, line }),
  edit: (action, target) => edit(action, target),
});
main.append(stage, panel.element);
// Made before the canvas, which reports its camera to it from the start.
const follower = new DiffFollower({
  canvas: () => canvas,
  mainGraph: () => (current() === '' ? shownGraph() : undefined),
  diff: () => diff,
  post: (sync) => channel.event({ type: 'diffSync', sync }),
  reveal: (index) => revealMainNode(index, false),
});
const diffLegend = new DiffLegend((delta) => void stepDiff(delta), () => channel.event({ type: 'diffNumbers' }), (node) => void revealMainNode(node), () => channel.event({ type: 'diffToggleLayout' }));
stage.append(status, finder.list, diffLegend.element);
app.replaceChildren(toolbar, main);

const canvas = new GraphCanvas(stage, {
  workerUrl,
  direction: settings.direction,
  onSelect: (selection) => onSelect(selection),
  onOpenGraph: (id) => void openGraph(id),
  onStateChange: (state) => {
    views[current()] = state;
    persist();
    // Read by the end-to-end tests of the side-by-side diff.
    if (state.camera) canvas.element.dataset.camera = `${state.camera.x} ${state.camera.y} ${state.camera.scale}`;
    follower.cameraMoved();
  },
  onStatus: (text) => (status.textContent = text),
  totalNodes: () => (model && model.graphs.length > 1 ? model.stats.nodes.all : undefined),
  bodies: {
    load: (id) => loadGraph(id),
    inside: insideOf,
    get collapseAbove() {
      return settings.collapseAbove;
    },
  },
});
stage.insertBefore(canvas.element, status);

function current(): string {
  return stack[stack.length - 1];
}

/** The graph as the host sent it. */
function currentGraph(): GraphView | undefined {
  return graphs.get(current());
}

/** The graph drawn: the current one with any bodies shown in place. Node and value numbers refer to it. */
function shownGraph(): GraphView | undefined {
  const graph = canvas.graph;
  return graph && graph.id === current() ? graph : currentGraph();
}

function persist(): void {
  if (!model) return;
  saved = { fileName: model.fileName, stack, views, direction: direction.value === 'LR' ? 'LR' : 'TB', panelHidden: panel.element.hidden };
  vscode.setState(saved);
}

function exportName(): string {
  const base = (model?.fileName ?? 'graph').replace(/\.onnx$/i, '');
  const graph = currentGraph();
  return graph && graph.id !== '' ? `${base}-${graph.fullTitle ?? graph.title}` : base;
}

async function exportTo(format: 'svg' | 'png'): Promise<void> {
  try {
    const data = format === 'svg' ? canvas.exportSvg() : await canvas.exportPng();
    const result = await channel.request('save', { format, data, suggestedName: exportName() });
    if (result.saved) status.textContent = `Exported to ${result.path ?? format.toUpperCase()}`;
  } catch (error) {
    status.textContent = `Export failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function togglePanel(): void {
  panel.element.hidden = !panel.element.hidden;
  persist();
}

function showModelPanel(): void {
  const graph = currentGraph();
  panelShows = { kind: 'model' };
  if (model && graph) panel.showModel(model, graph);
}

function edit(action: EditAction, target: EditTarget): void {
  channel.event({ type: 'edit', action, target });
}

/** Tells the host what is selected, for the edit commands run from the palette. */
function postSelection(graph: GraphView, selection: Selection): void {
  let target: EditTarget | null = null;
  if (selection?.kind === 'node') {
    const origin = nodeOrigin(graph, selection.index);
    target = { graph: origin.graph, node: origin.index };
  } else if (selection?.kind === 'value' && graph.values[selection.index]) {
    const value = graph.values[selection.index];
    target = { graph: value.graph ?? graph.id, value: value.name };
  }
  channel.event({ type: 'selection', target });
}

/** The panel shows again what it showed, from the edited model: a value by its name (else its number), a node by its number. */
function refreshPanel(): void {
  const graph = shownGraph();
  const shows = panelShows;
  if (!graph) return;
  if (shows.kind === 'node' && graph.nodes[shows.index]) void panel.showNode(graph, shows.index);
  else if (shows.kind === 'value') {
    const byName = graph.values.findIndex((v) => v.name === shows.name);
    const index = byName >= 0 ? byName : shows.index < graph.values.length ? shows.index : -1;
    if (index >= 0) onSelect({ kind: 'value', index });
    else showModelPanel();
  } else showModelPanel();
}

// Right-click on the graph: VS Code's context menu (package.json, webview/context) gets what is under the pointer.
canvas.surface.addEventListener('contextmenu', (event) => {
  const graph = shownGraph();
  const { item, edge } = canvas.pointAt(event.clientX, event.clientY);
  canvas.surface.dataset.vscodeContext = JSON.stringify(graph ? menuContext(graph, item, edge) : { webviewSection: 'model', preventDefaultContextMenuItems: true });
  // The item right-clicked becomes the selection, as in a list.
  if (item && (item.kind === 'node' || item.kind === 'input' || item.kind === 'output') && graph) {
    if (item.kind === 'node') canvas.select(item.id);
    else onSelect({ kind: 'value', index: item.index });
  } else if (edge && graph && edge.values.length === 1) onSelect({ kind: 'value', index: edge.values[0] });
});

function onSelect(selection: Selection): void {
  const graph = shownGraph();
  if (!graph) return;
  postSelection(graph, selection);
  if (!selection) showModelPanel();
  else if (selection.kind === 'node') {
    panelShows = { kind: 'node', index: selection.index };
    void panel.showNode(graph, selection.index, selection.slot);
    const name = graph.nodes[selection.index]?.name;
    if (name) channel.event({ type: 'nodeSelected', nodeName: name });
    follower.selected(selection.index);
  }
  else if (selection.kind === 'value') {
    panelShows = { kind: 'value', index: selection.index, name: graph.values[selection.index]?.name ?? '' };
    void panel.showValue(graph, selection.index);
  }
  else {
    const group = graph.groups[selection.index];
    status.textContent = `${group.kind ? group.title ?? group.name : group.path} · ${formatCount(group.size)} nodes`;
  }
}

async function loadGraph(id: string): Promise<GraphView> {
  let graph = graphs.get(id);
  if (!graph) {
    graph = await channel.request('graph', { graph: id });
    graphs.set(id, graph);
  }
  return graph;
}

async function show(id: string): Promise<void> {
  const graph = await loadGraph(id);
  renderCrumbs();
  await canvas.setGraph(graph, views[id] ?? defaultViewState(graph, settings.collapseAbove, insideOf));
  canvas.setOverlay(overlay);
  canvas.setDiff(diff);
  finder.clear();
  const selected = views[id]?.selected;
  const item = selected ? canvas.state.selected : undefined;
  if (item?.startsWith('n')) {
    panelShows = { kind: 'node', index: Number(item.slice(1)) };
    void panel.showNode(shownGraph() ?? graph, Number(item.slice(1)));
  } else showModelPanel();
  persist();
}

async function openGraph(id: string): Promise<void> {
  if (!model || !model.graphs.some((g) => g.id === id)) return;
  // A subgraph opens below its parent; a function (or a graph elsewhere) starts a path of its own.
  const entry = model.graphs.find((g) => g.id === id)!;
  const path: string[] = [];
  for (let e: typeof entry | undefined = entry; e; e = e.parent !== undefined ? model.graphs.find((g) => g.id === e!.parent) : undefined) path.unshift(e.id);
  stack = entry.kind === 'function' || path[0] !== '' ? ['', ...path.filter((p) => p !== '')] : path;
  try {
    await show(id);
  } catch (error) {
    status.textContent = error instanceof Error ? error.message : String(error);
  }
}

function renderCrumbs(): void {
  crumbs.replaceChildren();
  stack.forEach((id, i) => {
    const entry = model?.graphs.find((g) => g.id === id);
    // A subgraph's crumb is its own step (`If_0 ▸ else`): the crumbs before it are the steps above.
    const title = id === '' ? model?.fileName ?? 'main graph' : entry?.node !== undefined ? `${entry.node} ▸ ${entry.attribute ?? ''}` : entry?.title ?? id;
    if (i > 0) crumbs.append(codicon('chevron-right'));
    let crumb: HTMLElement;
    if (i === stack.length - 1) {
      crumb = el('span', 'crumb current', title);
      crumb.setAttribute('aria-current', 'page');
    } else {
      const button = el('button', 'crumb', title);
      button.type = 'button';
      button.addEventListener('click', () => {
        stack = stack.slice(0, i + 1);
        void show(id);
      });
      crumb = button;
    }
    if (entry && entry.fullTitle !== title) crumb.title = entry.fullTitle;
    crumbs.append(crumb);
  });
}

document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
    event.preventDefault();
    finder.focus();
  }
});

/** Set while the page itself sets the dropdown: only the user's own choice is remembered. */
let settingDirection = false;
function showDirection(value: 'TB' | 'LR'): void {
  settingDirection = true;
  try {
    direction.value = value;
  } finally {
    settingDirection = false;
  }
}

direction.addEventListener('change', () => {
  if (settingDirection) return;
  const chosen = direction.value === 'LR' ? 'LR' : 'TB';
  canvas.setDirection(chosen);
  persist();
  // Remembered per model by the host: the model opens this way next time.
  if (model) channel.event({ type: 'direction', direction: chosen });
});

function showError(fileName: string, message: string): void {
  const box = el('div', 'error');
  box.setAttribute('role', 'alert');
  box.append(codicon('error'), el('strong', undefined, fileName), el('span', undefined, ` ${message}`));
  app.replaceChildren(box);
}

/**
 * A problem's place from the Problems panel: its node (in place when its body is shown inside this graph,
 * else in its own graph), else its value, else its graph or the model.
 */
async function revealProblem(location: RevealLocation): Promise<void> {
  const target = location.graph;
  const find = (g: GraphView | undefined) => (g && target !== undefined && location.node !== undefined ? drawnIndex(g, target, location.node) : -1);
  let index = target !== undefined ? find(shownGraph()) : -1;
  if (target !== undefined && index < 0 && target !== current()) {
    await openGraph(target);
    index = find(shownGraph());
  }
  const graph = shownGraph();
  if (!graph || (target !== undefined && index < 0 && graph.id !== target)) return;
  const value = location.value !== undefined ? graph.values.findIndex((v) => v.name === location.value) : -1;
  if (index >= 0 && !graph.nodes[index].hidden) {
    await canvas.revealNode(index);
    canvas.focus();
  } else if (index >= 0) void panel.showNode(graph, index);
  else if (value >= 0) onSelect({ kind: 'value', index: value });
  else {
    canvas.select(undefined);
    showModelPanel();
  }
}

/** Selects and frames the next (1) or previous (-1) change of the diff, in the main graph; wraps around. */
async function stepDiff(delta: 1 | -1): Promise<void> {
  const stops = diff?.stops ?? [];
  if (!stops.length) {
    status.textContent = 'No changes to step to in this graph.';
    return;
  }
  diffAt = diffAt < 0 ? (delta > 0 ? 0 : stops.length - 1) : (diffAt + delta + stops.length) % stops.length;
  diffLegend.show(diff, diffAt, follower.layout);
  status.textContent = `Change ${diffAt + 1} of ${stops.length}`;
  await revealMainNode(stops[diffAt]);
}

/**
 * Selects and frames node `target` of the main graph (the side panel shows it when it is hidden in a group);
 * `focus: false` when following the other side of a diff, whose editor keeps the keyboard.
 */
async function revealMainNode(target: number, focus = true): Promise<void> {
  if (current() !== '') await openGraph('');
  const graph = shownGraph();
  const index = graph ? drawnIndex(graph, '', target) : -1;
  if (!graph || index < 0) return;
  if (!graph.nodes[index].hidden) {
    await canvas.revealNode(index);
    if (focus) canvas.focus();
  } else void panel.showNode(graph, index);
}

/** Takes a model (new, or the same one edited): graph views loaded for the one before are dropped. */
function adopt(next: ModelView): void {
  model = next;
  canvas.setDims(new DimAliases(next.dims, settings.fullDimNames));
  canvas.forgetBodies();
  inside = nodesInside(next.graphs);
  graphs.clear();
  graphs.set('', next.main);
}

const utf8 = new TextDecoder();

/** The view from the bytes the host posts (columns and a string table, src/core/graph/viewWire.ts). */
function decodeModelView(bytes: Uint8Array): ModelView {
  return readModelView(bytes, (part) => utf8.decode(part));
}

/** Tells the host, after the next frame, that the model (or its error) is on screen: its own work on the model may start. */
function painted(): void {
  let sent = false;
  const send = () => {
    if (!sent) channel.event({ type: 'painted' });
    sent = true;
  };
  requestAnimationFrame(() => setTimeout(send, 0));
  // A page that draws no frames (throttled) must not hold the host's work back for long.
  setTimeout(send, 1000);
}

async function onEvent(event: HostEvent): Promise<void> {
  switch (event.type) {
    case 'model': {
      const reload = model !== undefined;
      if (!reload && app.firstChild !== toolbar) app.replaceChildren(toolbar, main);
      settings = event.settings;
      const next = decodeModelView(event.view);
      adopt(next);
      const restore = saved && saved.fileName === next.fileName ? saved : undefined;
      const ids = new Set(next.graphs.map((g) => g.id));
      stack = restore?.stack?.filter((id) => ids.has(id)) ?? [''];
      if (!stack.length || stack[0] !== '') stack = [''];
      views = restore?.views ?? {};
      showDirection(restore?.direction ?? settings.direction);
      canvas.setDirection(direction.value === 'LR' ? 'LR' : 'TB');
      panel.element.hidden = restore?.panelHidden ?? false;
      try {
        await show(current());
      } catch {
        stack = [''];
        await show('');
      } finally {
        painted();
      }
      break;
    }
    case 'modelUpdate': {
      if (!model) break;
      adopt(decodeModelView(event.view));
      const ids = new Set(model.graphs.map((g) => g.id));
      const kept = stack.filter((id) => ids.has(id));
      const moved = kept.length !== stack.length;
      stack = kept.length && kept[0] === '' ? kept : [''];
      try {
        const graph = await loadGraph(current());
        renderCrumbs();
        // A graph that is gone (its node deleted) opens its nearest parent as when first shown.
        if (moved) await show(current());
        else await canvas.updateGraph(graph);
      } catch {
        stack = [''];
        await show('');
      }
      canvas.setOverlay(overlay);
      canvas.setDiff(diff);
      refreshPanel();
      persist();
      break;
    }
    case 'error':
      model = undefined;
      showError(event.fileName, event.message);
      painted();
      break;
    case 'settings': {
      const changed = event.settings.direction !== settings.direction;
      const dims = event.settings.fullDimNames !== settings.fullDimNames;
      settings = event.settings;
      if (dims && model) canvas.setDims(new DimAliases(model.dims, settings.fullDimNames), true);
      if (changed) {
        showDirection(settings.direction);
        canvas.setDirection(settings.direction);
        persist();
      }
      break;
    }
    case 'revealNode': {
      // A node of a body shown in place here is revealed in place; else its graph opens.
      const shown = shownGraph();
      const inPlace = event.graph !== undefined && event.graph !== current() && shown?.nodes.some((n) => n.origin?.graph === event.graph && n.name === event.nodeName);
      if (event.graph !== undefined && event.graph !== current() && !inPlace) await openGraph(event.graph);
      const graph = shownGraph();
      const index = graph?.nodes.findIndex((n) => n.name === event.nodeName && (event.graph === undefined || (n.origin?.graph ?? graph.id) === event.graph)) ?? -1;
      if (index >= 0) {
        await canvas.revealNode(index);
        canvas.focus();
      } else status.textContent = `No node named ${event.nodeName} in this graph.`;
      break;
    }
    case 'revealNodes': {
      if (current() !== '') await openGraph('');
      const graph = shownGraph();
      const wanted = new Set(event.nodeNames);
      const indices: number[] = [];
      graph?.nodes.forEach((n, i) => {
        if (!n.origin && wanted.has(n.name)) indices.push(i);
      });
      const items = canvas.markNodes(indices);
      status.textContent = indices.length ? `${event.label}: ${formatCount(indices.length)} nodes in ${formatCount(items)} boxes` : `${event.label}: no node of it is drawn in this graph.`;
      canvas.focus();
      break;
    }
    case 'revealProblem':
      await revealProblem(event.location);
      break;
    case 'problems':
      panel.setProblems(event.summary);
      break;
    case 'runtimeOverlay':
      overlay = event.overlay;
      canvas.setOverlay(overlay);
      panel.setOverlay(overlay);
      break;
    case 'find':
      finder.focus();
      break;
    case 'diffOverlay':
      diff = event.overlay;
      diffAt = -1;
      canvas.setDiff(diff);
      panel.setDiff(diff);
      diffLegend.show(diff, -1, follower.layout);
      // A node shown in the panel gets its diff section (and numbers, after Compare numbers).
      if (panelShows.kind === 'node') refreshPanel();
      break;
    case 'diffLayout':
      follower.layout = event.layout;
      diffLegend.show(diff, diffAt, follower.layout);
      break;
    case 'diffSync':
      await follower.follow(event.sync);
      break;
    case 'diffStep':
      await stepDiff(event.delta);
      break;
  }
}

channel.event({ type: 'ready' });
