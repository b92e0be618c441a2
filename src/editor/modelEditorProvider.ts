// The custom editor for *.onnx: owns documents and gives each webview panel an EditorSession.
import * as vscode from 'vscode';
import { registerEditorCommands } from './editorCommands.js';
import { addSession, MODEL_EDITOR_VIEW_TYPE, postToEditors, revealNodeInGraph, sessionsFor } from './editorRegistry.js';
import { closeModelFiles, EditorSession } from './editorSession.js';
import { ModelDocument } from './modelDocument.js';
import { webviewHtml } from './webviewHtml.js';

export class ModelEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  static readonly viewType = MODEL_EDITOR_VIEW_TYPE;
  /** For other features: see editorRegistry.ts. */
  static readonly postToEditors = postToEditors;
  static readonly revealNodeInGraph = revealNodeInGraph;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {}

  /** Registers the editor and its commands (export SVG/PNG, show log). */
  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(ModelEditorProvider.viewType, new ModelEditorProvider(context, log), {
        webviewOptions: { retainContextWhenHidden: false },
        supportsMultipleEditorsPerDocument: true,
      }),
      registerEditorCommands(log),
    );
  }

  async openCustomDocument(uri: vscode.Uri): Promise<ModelDocument> {
    return ModelDocument.open(uri, this.log);
  }

  async resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')] };
    webview.html = webviewHtml(webview, this.context.extensionUri, document.fileName);

    const session = new EditorSession(document, panel, this.log);
    const disposables: vscode.Disposable[] = [session, addSession(session)];
    if (document.uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), document.fileName));
      const reload = () => void document.reload();
      watcher.onDidChange(reload, undefined, disposables);
      watcher.onDidCreate(reload, undefined, disposables);
      disposables.push(watcher);
    }
    panel.onDidDispose(() => {
      disposables.forEach((d) => d.dispose());
      if (sessionsFor(document.uri).length === 0) closeModelFiles(document.model);
    });
  }
}
