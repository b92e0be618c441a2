// The open model editors, so that other features can reach them: the test run lays its results over
// the graph (postToEditors), the text view reveals a node in the graph (revealNodeInGraph), and the
// export commands find the active editor.
import * as vscode from 'vscode';
import type { HostEvent, RuntimeOverlay } from '../protocol.js';
import type { EditorSession } from './editorSession.js';

const sessions = new Set<EditorSession>();
const overlays = new Map<string, RuntimeOverlay>();

/** The last runtime overlay posted for `uri`, if any. */
export function overlayFor(uri: vscode.Uri): RuntimeOverlay | undefined {
  return overlays.get(uri.toString());
}
const added = new vscode.EventEmitter<EditorSession>();
const nodeSelected = new vscode.EventEmitter<{ uri: vscode.Uri; nodeName: string }>();

/** Fires when the user selects a named node in a graph, so the text view can follow. */
export const onDidSelectNode = nodeSelected.event;

export function fireNodeSelected(uri: vscode.Uri, nodeName: string): void {
  nodeSelected.fire({ uri, nodeName });
}

export const MODEL_EDITOR_VIEW_TYPE = 'onnxLens.modelEditor';

export function addSession(session: EditorSession): vscode.Disposable {
  sessions.add(session);
  added.fire(session);
  return new vscode.Disposable(() => sessions.delete(session));
}

export function sessionsFor(uri: vscode.Uri): EditorSession[] {
  const key = uri.toString();
  return [...sessions].filter((s) => s.uri.toString() === key);
}

/** The model editor that has focus or was last visible in the active group. */
export function activeSession(): EditorSession | undefined {
  const all = [...sessions];
  return all.find((s) => s.panel.active) ?? all.find((s) => s.panel.visible);
}

/**
 * Posts an event to every open editor of `uri`, e.g. `{type: 'runtimeOverlay', overlay}` after a test
 * run. Returns how many editors received it.
 */
export function postToEditors(uri: vscode.Uri, event: HostEvent): number {
  // The overlay is kept, so that an editor opened (or a tab shown) later shows it too.
  if (event.type === 'runtimeOverlay') {
    if (event.overlay) overlays.set(uri.toString(), event.overlay);
    else overlays.delete(uri.toString());
  }
  const targets = sessionsFor(uri);
  for (const session of targets) session.post(event);
  return targets.length;
}

/** Opens `uri` in the model editor if needed, then selects and centres the node named `nodeName`. */
export async function revealNodeInGraph(uri: vscode.Uri, nodeName: string): Promise<boolean> {
  let session = sessionsFor(uri)[0];
  if (!session) {
    const opened = new Promise<EditorSession>((resolve) => {
      const listener = added.event((s) => {
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
  return session.revealNode(nodeName);
}
