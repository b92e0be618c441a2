// The custom editor for *.onnx: owns documents (open, edit events for VS Code's undo stack, save, save
// as, revert, hot-exit backup) and gives each webview panel an EditorSession, which it adds to the
// editor registry.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import type { HostServices } from '../services/hostServices.js';
import { registerEditorCommands } from './editorCommands.js';
import { MODEL_EDITOR_VIEW_TYPE, type EditorRegistry } from './editorRegistry.js';
import { EditorSession } from './editorSession.js';
import { ModelDocument } from './modelDocument.js';
import { webviewHtml } from './webviewHtml.js';

export class ModelEditorProvider implements vscode.CustomEditorProvider<ModelDocument> {
  private readonly edited = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<ModelDocument>>();
  readonly onDidChangeCustomDocument = this.edited.event;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel, private readonly editors: EditorRegistry) {}

  /** Registers the editor and its commands (export SVG/PNG, show log). */
  static register({ context, log, editors }: HostServices): vscode.Disposable {
    const provider = new ModelEditorProvider(context, log, editors);
    return vscode.Disposable.from(
      provider.edited,
      vscode.window.registerCustomEditorProvider(MODEL_EDITOR_VIEW_TYPE, provider, {
        webviewOptions: { retainContextWhenHidden: false },
        supportsMultipleEditorsPerDocument: true,
      }),
      registerEditorCommands(log, editors),
    );
  }

  async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): Promise<ModelDocument> {
    const backup = openContext.backupId ? vscode.Uri.parse(openContext.backupId, true) : undefined;
    // Returns while the file is read and its view built in a worker: the webview loads its page meanwhile.
    const document = ModelDocument.open(uri, this.log, backup);
    const watching: vscode.Disposable[] = [document.onDidEdit((edit) => this.edited.fire({ document, ...edit }))];
    if (uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), document.fileName));
      const changed = () => void this.changedOnDisk(document);
      watching.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed));
    }
    document.own(...watching);
    return document;
  }

  /** The file changed on disk: a clean document reads it again; a dirty one asks which to keep. */
  private async changedOnDisk(document: ModelDocument): Promise<void> {
    if (!(await document.changedOnDisk())) return;
    if (!document.isDirty) {
      await document.reload();
      return;
    }
    const reload = 'Reload from Disk';
    const answer = await vscode.window.showWarningMessage(`${document.fileName} changed on disk. Reload it and lose your unsaved edits, or keep your edits (saving will overwrite the file)?`, reload, 'Keep My Edits');
    if (answer !== reload) return;
    // Through VS Code's revert, so that it clears the dirty marker too; it calls revertCustomDocument.
    const session = this.editors.sessionsFor(document.uri)[0];
    session?.panel.reveal(session.panel.viewColumn, false);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }

  async resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')] };
    webview.html = webviewHtml(webview, this.context.extensionUri, document.fileName);

    const session = new EditorSession(document, panel, this.log, this.context.workspaceState);
    const disposables: vscode.Disposable[] = [session, this.editors.add(session)];
    panel.onDidDispose(() => {
      disposables.forEach((d) => d.dispose());
      if (this.editors.sessionsFor(document.uri).length === 0) document.closeFiles();
    });
  }

  async saveCustomDocument(document: ModelDocument, cancellation: vscode.CancellationToken): Promise<void> {
    if (await document.changedOnDisk()) {
      const overwrite = 'Overwrite';
      const answer = await vscode.window.showWarningMessage(`${document.fileName} changed on disk since it was opened. Overwrite it with your edits?`, { modal: true }, overwrite);
      if (answer !== overwrite) throw new vscode.CancellationError();
    }
    await this.write(document, document.uri, cancellation);
  }

  async saveCustomDocumentAs(document: ModelDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Promise<void> {
    await this.write(document, destination, cancellation);
  }

  private async write(document: ModelDocument, target: vscode.Uri, cancellation: vscode.CancellationToken): Promise<void> {
    try {
      await document.save(target, cancellation);
    } catch (error) {
      this.log.error(`Saving ${document.fileName} to ${target.toString(true)} failed: ${oneLine(error)}`);
      // VS Code shows the message of the error it is given: keep it to one line.
      throw new Error(oneLine(error));
    }
  }

  async revertCustomDocument(document: ModelDocument): Promise<void> {
    await document.revert();
  }

  backupCustomDocument(document: ModelDocument, context: vscode.CustomDocumentBackupContext): Thenable<vscode.CustomDocumentBackup> {
    return document.backup(context.destination);
  }
}
