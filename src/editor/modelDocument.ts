// One opened .onnx file: its bytes read through vscode.workspace.fs (so remote and virtual files work)
// and the decoded model, or the one-line reason it could not be decoded.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import { decodeModel } from '../core/model/decode.js';
import type { ModelProto } from '../core/model/proto.js';
import { ModelFacts } from './modelFacts.js';

export class ModelDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<void>();
  private cachedFacts?: ModelFacts;
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

  /** The facts of `model`, which must be this document's current model. */
  facts(model: ModelProto): ModelFacts {
    if (this.cachedFacts?.model !== model) {
      this.cachedFacts?.closeFiles();
      this.cachedFacts = new ModelFacts(model, this.uri);
    }
    return this.cachedFacts;
  }

  /** Closes the external-data files the editors opened; they reopen on demand. */
  closeFiles(): void {
    this.cachedFacts?.closeFiles();
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
    // The facts of the replaced model are dropped, and its external-data files closed.
    if (this.cachedFacts && this.cachedFacts.model !== this.model) {
      this.cachedFacts.closeFiles();
      this.cachedFacts = undefined;
    }
  }

  async reload(): Promise<void> {
    await this.load();
    this.changed.fire();
  }

  dispose(): void {
    this.closeFiles();
    this.changed.dispose();
  }
}
