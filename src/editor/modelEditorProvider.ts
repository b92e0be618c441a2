// The custom editor for *.onnx: owns documents and gives each webview panel an EditorSession, which
// it adds to the editor registry.
import * as vscode from 'vscode';
import type { HostServices } from '../services/hostServices.js';
import { registerEditorCommands } from './editorCommands.js';
import { MODEL_EDITOR_VIEW_TYPE, type EditorRegistry } from './editorRegistry.js';
import { EditorSession } from './editorSession.js';
import { ModelDocument } from './modelDocument.js';
import { webviewHtml } from './webviewHtml.js';

export class ModelEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel, private readonly editors: EditorRegistry) {}

  /** Registers the editor and its commands (export SVG/PNG, show log). */
  static register({ context, log, editors }: HostServices): vscode.Disposable {
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(MODEL_EDITOR_VIEW_TYPE, new ModelEditorProvider(context, log, editors), {
        webviewOptions: { retainContextWhenHidden: false },
        supportsMultipleEditorsPerDocument: true,
      }),
      registerEditorCommands(log, editors),
    );
  }

  async openCustomDocument(uri: vscode.Uri): Promise<ModelDocument> {
    return ModelDocument.open(uri, this.log);
  }

  async resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')] };
    webview.html = webviewHtml(webview, this.context.extensionUri, document.fileName);

    const session = new EditorSession(document, panel, this.log, this.context.workspaceState);
    const disposables: vscode.Disposable[] = [session, this.editors.add(session)];
    if (document.uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), document.fileName));
      const reload = () => void document.reload();
      watcher.onDidChange(reload, undefined, disposables);
      watcher.onDidCreate(reload, undefined, disposables);
      disposables.push(watcher);
    }
    panel.onDidDispose(() => {
      disposables.forEach((d) => d.dispose());
      if (this.editors.sessionsFor(document.uri).length === 0) document.closeFiles();
    });
  }
}
