// One opened .onnx file: its bytes read through vscode.workspace.fs (so remote and virtual files work)
// and the decoded model, or the one-line reason it could not be decoded.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import { decodeModel } from '../core/model/decode.js';
import type { ModelProto } from '../core/model/proto.js';

export class ModelDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the file changed on disk and was read again. */
  readonly onDidReload = this.changed.event;
  model?: ModelProto;
  error?: string;

  private constructor(readonly uri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  static async open(uri: vscode.Uri, log: vscode.LogOutputChannel): Promise<ModelDocument> {
    const document = new ModelDocument(uri, log);
    await document.load();
    return document;
  }

  get fileName(): string {
    return this.uri.path.split('/').pop() ?? this.uri.path;
  }

  async load(): Promise<void> {
    const started = Date.now();
    try {
      const bytes = await vscode.workspace.fs.readFile(this.uri);
      this.model = decodeModel(bytes);
      this.error = undefined;
      this.log.info(`Opened ${this.uri.toString(true)} (${bytes.length} bytes) in ${Date.now() - started} ms`);
    } catch (error) {
      this.model = undefined;
      this.error = oneLine(error);
      this.log.warn(`Cannot open ${this.uri.toString(true)}: ${this.error}`);
    }
  }

  async reload(): Promise<void> {
    await this.load();
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
