// The custom editor for *.onnx: owns documents and wires each webview to its document.
import * as vscode from 'vscode';
import { summarize } from '../core/model/summary.js';
import type { HostMessage, WebviewMessage } from '../protocol.js';
import { ModelDocument } from './modelDocument.js';
import { webviewHtml } from './webviewHtml.js';

export class ModelEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  static readonly viewType = 'onnxLens.modelEditor';

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {}

  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(ModelEditorProvider.viewType, new ModelEditorProvider(context, log), {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    });
  }

  async openCustomDocument(uri: vscode.Uri): Promise<ModelDocument> {
    return ModelDocument.open(uri, this.log);
  }

  async resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')] };
    webview.html = webviewHtml(webview, this.context.extensionUri, document.fileName);

    const post = (message: HostMessage) => webview.postMessage(message);
    const sendModel = () => {
      if (document.model) post({ type: 'model', fileName: document.fileName, summary: summarize(document.model) });
      else post({ type: 'error', fileName: document.fileName, message: document.error ?? 'Unknown error.' });
    };

    const disposables: vscode.Disposable[] = [
      webview.onDidReceiveMessage((message: WebviewMessage) => {
        if (message.type === 'ready') sendModel();
      }),
      document.onDidReload(sendModel),
    ];
    if (document.uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), document.fileName));
      watcher.onDidChange(() => document.reload(), undefined, disposables);
      disposables.push(watcher);
    }
    panel.onDidDispose(() => disposables.forEach((d) => d.dispose()));
  }
}
