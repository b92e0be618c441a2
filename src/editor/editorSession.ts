// One open model editor: wires a webview panel to its document through the typed message channel,
// answers the webview's requests (graphs, node details, tensor pages, saving exports), and tells the
// editor registry when its webview is ready and which node the user selected.
import * as vscode from 'vscode';
import { oneLine, UserError } from '../core/errors.js';
import { nodeDetail } from '../core/graph/nodeDetail.js';
import { encodeModelView } from '../core/graph/viewBytes.js';
import { buildGraphView, buildModelView, listGraphs, MAIN_GRAPH, resolveGraph } from '../core/graph/viewModel.js';
import type { GraphView } from '../core/graph/viewModelTypes.js';
import type { ModelProto } from '../core/model/proto.js';
import { MessageHandler, type EditAction, type EditorSettings, type EditTarget, type HostEvent, type HostRequests, type RevealLocation, type ToHost, type ToWebview, type WebviewEvent, type WebviewRequests } from '../protocol.js';
import type { ModelDocument } from './modelDocument.js';

/** Where the layout direction chosen for a model is kept (workspace state, per file). */
function directionKey(uri: vscode.Uri): string {
  return `onnxLens.graph.direction:${uri.toString()}`;
}

/** The editor's settings; `chosen`: the direction the user picked for this model, over the setting. */
export function editorSettings(chosen?: string): EditorSettings {
  const config = vscode.workspace.getConfiguration('onnxLens.graph');
  const direction = (chosen ?? config.get<string>('direction')) === 'LR' ? 'LR' : 'TB';
  const collapseAbove = Math.max(0, Number(config.get<number>('collapseAbove') ?? 1500) || 0);
  return { direction, collapseAbove, fullDimNames: config.get<boolean>('fullDimNames') === true };
}

/** The command behind a webview edit action. */
export function editCommandId(action: EditAction): string {
  return `onnxLens.edit.${action}`;
}

export class EditorSession implements vscode.Disposable {
  private readonly channel: MessageHandler<HostEvent, WebviewEvent, HostRequests, WebviewRequests>;
  private readonly becameReady = new vscode.EventEmitter<void>();
  private readonly nodeSelected = new vscode.EventEmitter<string>();
  private readonly diffEvent = new vscode.EventEmitter<Extract<WebviewEvent, { type: 'diffSync' | 'diffToggleLayout' }>>();
  private readonly disposables: vscode.Disposable[] = [this.becameReady, this.nodeSelected, this.diffEvent];
  private readyResolve?: () => void;
  private pendingReveal?: HostEvent;
  private live = false;
  private disposed = false;
  /** The webview (re)loaded and was sent the model; its first paint since fires onDidBecomeReady. */
  private awaitingPaint = false;
  /** The node or value selected in the graph now, for the edit commands run from the palette. */
  selection?: EditTarget;
  /** Resolves once the webview has asked for the model (it is listening) and been sent it. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  /**
   * Fires each time the webview has (re)loaded, been sent the model and drawn it (or shown its error): it
   * shows what is posted now. After the first paint, so that work on the model waits until the graph is up.
   */
  readonly onDidBecomeReady = this.becameReady.event;
  /** Fires with the name of a node the user selected in the graph. */
  readonly onDidSelectNode = this.nodeSelected.event;
  /** Side-by-side diff: the webview's camera or selection moved, or the user toggled the layout (the diff commands listen). */
  readonly onDidDiffEvent = this.diffEvent.event;

  constructor(readonly document: ModelDocument, readonly panel: vscode.WebviewPanel, private readonly log: vscode.LogOutputChannel, private readonly state?: vscode.Memento) {
    const webview = panel.webview;
    this.channel = new MessageHandler<HostEvent, WebviewEvent, HostRequests, WebviewRequests>(
      (message) => void webview.postMessage(message satisfies ToWebview),
      {
        graph: ({ graph }) => this.graph(graph),
        node: ({ graph, node }) => {
          const model = this.model();
          const source = resolveGraph(model, graph);
          if (!source) throw new UserError('That graph is no longer in the model.');
          return nodeDetail(model, source, node, this.graph(graph));
        },
        tensor: ({ ref, offset, count }) => this.document.facts(this.model()).inspector.detail(ref, offset, count),
        save: (params) => this.save(params.format, params.data, params.suggestedName),
        openSource: ({ file, line }) => Promise.resolve(vscode.commands.executeCommand<{ opened: boolean; message?: string }>('onnxLens.openSourceFrame', file, line)),
      },
      (event) => this.onEvent(event),
    );
    this.disposables.push(
      webview.onDidReceiveMessage((message: ToHost) => void this.channel.receive(message)),
      document.onDidChangeModel((reason) => (reason === 'edit' ? this.sendUpdate() : this.sendModel())),
      // A hidden webview is discarded (retainContextWhenHidden is off) and loads again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.live = false;
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('onnxLens.graph')) this.post({ type: 'settings', settings: this.settings() });
      }),
    );
  }

  get uri(): vscode.Uri {
    return this.document.uri;
  }

  /** True while the webview is loaded and listening; a message posted otherwise would be lost. */
  get isLive(): boolean {
    return this.live;
  }

  post(event: HostEvent): void {
    this.channel.event(event);
  }

  private model(): ModelProto {
    if (!this.document.model) throw new UserError(this.document.error ?? 'The model could not be read.');
    return this.document.model;
  }

  private graph(id: string): GraphView {
    const model = this.model();
    const facts = this.document.facts(model);
    let view = facts.graph(id);
    if (!view) {
      const source = resolveGraph(model, id);
      if (!source) throw new UserError('That graph is no longer in the model.');
      view = buildGraphView(model, source, facts.shapes);
      facts.setGraph(id, view);
    }
    return view;
  }

  private onEvent(event: WebviewEvent): void {
    if (event.type === 'ready') void this.onReady();
    else if (event.type === 'painted') {
      // Nothing on the host waited for the model so far: its own decode, and the others' work on it, go now.
      this.document.settle();
      if (this.awaitingPaint) this.becameReady.fire();
      this.awaitingPaint = false;
    } else if (event.type === 'showLog') this.log.show();
    else if (event.type === 'nodeSelected') this.nodeSelected.fire(event.nodeName);
    else if (event.type === 'selection') this.selection = event.target ?? undefined;
    else if (event.type === 'edit') void vscode.commands.executeCommand(editCommandId(event.action), { uri: this.uri, target: event.target });
    // The model panel's problem count and its fix button.
    else if (event.type === 'showProblems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    else if (event.type === 'fixProblems') void vscode.commands.executeCommand('onnxLens.fixProblems', this.uri);
    else if (event.type === 'direction') void this.state?.update(directionKey(this.document.uri), event.direction);
    // The diff legend's Compare Numbers button.
    else if (event.type === 'diffNumbers') void vscode.commands.executeCommand('onnxLens.diffNumbers', this.uri);
    else if (event.type === 'diffSync' || event.type === 'diffToggleLayout') this.diffEvent.fire(event);
  }

  /** The webview (re)loaded and listens: it gets the model once the document has read it. */
  private async onReady(): Promise<void> {
    await this.document.whenLoaded();
    if (this.disposed) return;
    this.sendModel();
    this.live = true;
    this.awaitingPaint = true;
    if (this.pendingReveal) this.post(this.pendingReveal);
    this.pendingReveal = undefined;
    this.readyResolve?.();
  }

  /** The settings with the direction chosen for this model, when there is one. */
  private settings(): EditorSettings {
    return editorSettings(this.state?.get<string>(directionKey(this.document.uri)));
  }

  /** The model was edited: the webview keeps its view of it (camera, groups, selection). */
  private sendUpdate(): void {
    const document = this.document;
    if (!document.model || !this.live) return this.sendModel();
    try {
      const facts = document.facts(document.model);
      const view = buildModelView(document.model, document.fileName, facts.shapes);
      facts.setGraph(MAIN_GRAPH, view.main);
      this.post({ type: 'modelUpdate', view: encodeModelView(view) });
    } catch (error) {
      this.log.error(`Graph view of ${document.fileName} failed: ${error instanceof Error ? error.stack : String(error)}`);
      this.post({ type: 'error', fileName: document.fileName, message: oneLine(error) });
    }
  }

  private sendModel(): void {
    const document = this.document;
    // The model as opened: the view worker's bytes go as they are, and the host decodes nothing yet.
    const opened = document.openedView;
    if (opened) {
      this.post({ type: 'model', view: opened, settings: this.settings() });
      this.log.debug(`Graph view of ${document.fileName} posted (${opened.byteLength} bytes)`);
      return;
    }
    if (!document.model) {
      this.post({ type: 'error', fileName: document.fileName, message: document.error ?? 'The model could not be read.' });
      return;
    }
    const started = Date.now();
    try {
      const facts = document.facts(document.model);
      const view = buildModelView(document.model, document.fileName, facts.shapes);
      facts.setGraph(MAIN_GRAPH, view.main);
      this.post({ type: 'model', view: encodeModelView(view), settings: this.settings() });
      this.log.info(`Graph view of ${document.fileName}: ${view.main.nodes.length} nodes, ${view.main.groups.length} groups, built in ${Date.now() - started} ms`);
      // The graph shows the declared shapes only.
      if (facts.shapes.error) this.log.warn(`Shape inference on ${document.fileName} failed, edges show declared shapes only: ${facts.shapes.error}`);
    } catch (error) {
      this.log.error(`Graph view of ${document.fileName} failed: ${error instanceof Error ? error.stack : String(error)}`);
      this.post({ type: 'error', fileName: document.fileName, message: oneLine(error) });
    }
  }

  /** Finds a node by name in any graph of the model and asks the webview to show it. */
  revealNode(nodeName: string): boolean {
    const model = this.document.model;
    if (!model) return false;
    for (const entry of listGraphs(model)) {
      const source = resolveGraph(model, entry.id);
      if (source?.nodes.some((n) => n.name === nodeName)) {
        this.deliverReveal({ type: 'revealNode', nodeName, graph: entry.id });
        return true;
      }
    }
    return false;
  }

  /** Marks and frames a set of main-graph nodes (a module's nodes). */
  revealNodes(nodeNames: string[], label: string): void {
    this.deliverReveal({ type: 'revealNodes', nodeNames, label });
  }

  /** Shows a problem's place: selects its node or value, opens its graph, or shows the model's properties. */
  revealLocation(location: RevealLocation): void {
    this.deliverReveal({ type: 'revealProblem', location });
  }

  private deliverReveal(event: HostEvent): void {
    // A hidden webview is discarded and loads again when shown: deliver once it says it is ready.
    if (this.panel.visible) this.post(event);
    else this.pendingReveal = event;
    // Its own column: with none, VS Code would move the editor into the active group.
    this.panel.reveal(this.panel.viewColumn, false);
  }

  /** Asks the webview for the drawn graph and saves it where the user chooses. */
  async export(format: 'svg' | 'png'): Promise<void> {
    const { data, suggestedName } = await this.channel.request('export', { format });
    await this.save(format, data, suggestedName);
  }

  private async save(format: 'svg' | 'png', data: string | Uint8Array, suggestedName: string): Promise<{ saved: boolean; path?: string }> {
    const base = this.document.fileName.replace(/\.onnx$/i, '');
    const name = (suggestedName || base).replace(/[\\/:*?"<>|]/g, '_');
    const defaultUri = vscode.Uri.joinPath(this.document.uri, '..', `${name}.${format}`);
    const target = await vscode.window.showSaveDialog({
      defaultUri,
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Export Graph as ${format.toUpperCase()}`,
    });
    if (!target) return { saved: false };
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log.info(`Exported ${format.toUpperCase()} of ${this.document.fileName} to ${target.toString(true)} (${bytes.length} bytes)`);
    vscode.window.setStatusBarMessage(`Graph exported to ${target.path.split('/').pop()}`, 4000);
    return { saved: true, path: target.toString(true) };
  }

  dispose(): void {
    this.disposed = true;
    this.channel.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
