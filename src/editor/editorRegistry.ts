// The open model editors, so that other features can reach them: the test run lays its results over
// the graph, the text view reveals a node in the graph and follows the graph's selection, the export
// commands find the active editor. One instance, created in activate() and handed to those features.
import * as vscode from 'vscode';
import type { HostEvent, RevealLocation } from '../protocol.js';
import type { EditorSession } from './editorSession.js';
import type { ModelDocument } from './modelDocument.js';

export const MODEL_EDITOR_VIEW_TYPE = 'onnxLens.modelEditor';

export interface NodeSelection {
  uri: vscode.Uri;
  nodeName: string;
}

export class EditorRegistry implements vscode.Disposable {
  private readonly sessions = new Set<EditorSession>();
  private readonly added = new vscode.EventEmitter<EditorSession>();
  private readonly removed = new vscode.EventEmitter<EditorSession>();
  private readonly becameReady = new vscode.EventEmitter<EditorSession>();
  private readonly nodeSelected = new vscode.EventEmitter<NodeSelection>();
  private readonly modelChanged = new vscode.EventEmitter<vscode.Uri>();
  /** Each open document's subscription to its model changes, with the number of its editors. */
  private readonly documents = new Map<ModelDocument, { editors: number; listener: vscode.Disposable }>();
  /** Fires each time an editor's webview has (re)loaded its model and listens: what it should show goes now. */
  readonly onDidBecomeReady = this.becameReady.event;
  /** Fires when the user selects a named node in a graph, so the text view can follow. */
  readonly onDidSelectNode = this.nodeSelected.event;
  /** Fires once per change of an open document's model (edit, undo, redo, revert, reload), with its uri. */
  readonly onDidChangeModel = this.modelChanged.event;
  /** Fires when an editor opens, before its webview is ready. */
  readonly onDidAdd = this.added.event;
  /** Fires when an editor closed (it is no longer listed). */
  readonly onDidRemove = this.removed.event;

  /** Adds an editor until the returned disposable is disposed. */
  add(session: EditorSession): vscode.Disposable {
    this.sessions.add(session);
    const forwarding = vscode.Disposable.from(
      session.onDidBecomeReady(() => this.becameReady.fire(session)),
      session.onDidSelectNode((nodeName) => this.nodeSelected.fire({ uri: session.uri, nodeName })),
    );
    const document = session.document;
    const watched = this.documents.get(document) ?? { editors: 0, listener: document.onDidChangeModel(() => this.modelChanged.fire(document.uri)) };
    watched.editors++;
    this.documents.set(document, watched);
    this.added.fire(session);
    return new vscode.Disposable(() => {
      forwarding.dispose();
      if (--watched.editors === 0) {
        watched.listener.dispose();
        this.documents.delete(document);
      }
      if (this.sessions.delete(session)) this.removed.fire(session);
    });
  }

  /** Every open model editor. */
  all(): EditorSession[] {
    return [...this.sessions];
  }

  sessionsFor(uri: vscode.Uri): EditorSession[] {
    const key = uri.toString();
    return [...this.sessions].filter((s) => s.uri.toString() === key);
  }

  /** The model editor that has focus or was last visible in the active group. */
  active(): EditorSession | undefined {
    const all = [...this.sessions];
    return all.find((s) => s.panel.active) ?? all.find((s) => s.panel.visible);
  }

  /** Posts an event to every open editor of `uri`. Returns how many editors received it. */
  post(uri: vscode.Uri, event: HostEvent): number {
    const targets = this.sessionsFor(uri);
    for (const session of targets) session.post(event);
    return targets.length;
  }

  /** Opens `uri` in the model editor if needed, then selects and centres the node named `nodeName`. */
  async revealNode(uri: vscode.Uri, nodeName: string): Promise<boolean> {
    const session = await this.editorOf(uri);
    return session.revealNode(nodeName);
  }

  /** Opens `uri` in the model editor if needed, then marks and frames a set of main-graph nodes. */
  async revealNodes(uri: vscode.Uri, nodeNames: string[], label: string): Promise<void> {
    const session = await this.editorOf(uri);
    session.revealNodes(nodeNames, label);
  }

  /** Opens `uri` in the model editor if needed, then shows a place in it (a problem's node, value or graph). */
  async revealLocation(uri: vscode.Uri, location: RevealLocation): Promise<void> {
    const session = await this.editorOf(uri);
    session.revealLocation(location);
  }

  /** An editor of `uri` whose webview listens, opened beside the active one when there is none. */
  private async editorOf(uri: vscode.Uri): Promise<EditorSession> {
    let session = this.sessionsFor(uri)[0];
    if (!session) {
      const opened = new Promise<EditorSession>((resolve) => {
        const listener = this.added.event((s) => {
          if (s.uri.toString() === uri.toString()) {
            listener.dispose();
            resolve(s);
          }
        });
      });
      await vscode.commands.executeCommand('vscode.openWith', uri, MODEL_EDITOR_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
      session = await opened;
    }
    await session.ready;
    return session;
  }

  dispose(): void {
    this.sessions.clear();
    this.added.dispose();
    this.removed.dispose();
    this.becameReady.dispose();
    this.nodeSelected.dispose();
    this.modelChanged.dispose();
    this.documents.forEach((d) => d.listener.dispose());
    this.documents.clear();
  }
}
