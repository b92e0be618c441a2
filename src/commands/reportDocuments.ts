// Transform reports as read-only Markdown documents (an untitled document would be "dirty" and ask to
// be saved when closed). One instance, created with the transform commands.
import * as vscode from 'vscode';

export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'onnx-lens-report';
  private readonly texts = new Map<string, string>();
  private count = 0;
  private readonly registration: vscode.Disposable;

  /** `scheme`: a second instance needs its own (VS Code asks every provider of a scheme, first answer wins). */
  constructor(private readonly scheme = ReportDocuments.scheme) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This report is no longer available; run the command again.';
  }

  /** Opens `text` beside the editor under `title`; the ending picks the language (.md: Markdown and its preview). */
  async open(title: string, text: string, ending = 'md'): Promise<void> {
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${title.replace(/[\\/]/g, '_')}.${ending}`, query: String(++this.count) });
    this.texts.set(uri.toString(), text);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.texts.clear();
  }
}
