// One opened .onnx file: its bytes read through vscode.workspace.fs (so remote and virtual files work),
// the decoded model (or the one-line reason it could not be decoded), and the edits made to it. An edit
// replaces the model object (edits never mutate a model), so undo and redo restore an earlier object.
import * as vscode from 'vscode';
import { applyEdit, type EditResult, type ModelEdit } from '../core/edit/index.js';
import type { Problem } from '../core/check/problem.js';
import { oneLine } from '../core/errors.js';
import { decodeModel } from '../core/model/decode.js';
import type { ModelProto } from '../core/model/proto.js';
import { EditHistory, type HistoryStep } from './editHistory.js';
import { ModelFacts } from './modelFacts.js';
import { writeModelFile } from './modelSaving.js';

/** Why the model changed: 'edit' covers an edit, its undo and its redo; 'reload' a new read of a file. */
export type ModelChangeReason = 'edit' | 'reload';

/** An edit as VS Code's undo stack holds it. */
export interface DocumentEdit {
  label: string;
  undo(): void;
  redo(): void;
}

export class ModelDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<ModelChangeReason>();
  private readonly edited = new vscode.EventEmitter<DocumentEdit>();
  private cachedFacts?: ModelFacts;
  private history?: EditHistory<ModelProto>;
  /** The checker's problems on the current model, from the last edit: the next edit checks only what changed. */
  private problems?: { model: ModelProto; problems: Problem[] };
  /** The file's modification time when it was last read or written here, to tell our own writes from others'. */
  private knownMtime?: number;
  private readonly owned: vscode.Disposable[] = [];
  /** A save in progress: the file watcher's event for our own write waits for it, so it is not taken for someone else's. */
  private saving?: Promise<void>;
  /** Fires after the model changed: an edit, undo, redo, revert or a new read of the file. */
  readonly onDidChangeModel = this.changed.event;
  /** Fires once per edit, for the provider's onDidChangeCustomDocument. */
  readonly onDidEdit = this.edited.event;
  error?: string;

  private constructor(readonly uri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  /** Opens `uri`, or the unsaved state kept in `backup` (hot exit). */
  static async open(uri: vscode.Uri, log: vscode.LogOutputChannel, backup?: vscode.Uri): Promise<ModelDocument> {
    const document = new ModelDocument(uri, log);
    await document.load(backup);
    return document;
  }

  get model(): ModelProto | undefined {
    return this.history?.model;
  }

  /** The model differs from the file (edited, or restored from a backup). */
  get isDirty(): boolean {
    return this.history?.dirty ?? false;
  }

  get fileName(): string {
    return this.uri.path.split('/').pop() ?? this.uri.path;
  }

  /** The folder of a local file: its external data is looked up there. */
  get folder(): string | undefined {
    return this.uri.scheme === 'file' ? vscode.Uri.joinPath(this.uri, '..').fsPath : undefined;
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

  /**
   * Applies an edit: validated by the core, which throws a UserError (one line) when it refuses; then the
   * model is nothing but changed. Returns the core's result (label, warnings, follow-up offer).
   */
  edit(edit: ModelEdit): EditResult {
    const model = this.model;
    if (!model || !this.history) throw new Error(this.error ?? 'The model could not be read.');
    const baseline = this.problems?.model === model ? this.problems.problems : undefined;
    const result = applyEdit(model, edit, { modelDir: this.folder, baseline });
    this.problems = { model: result.model, problems: result.problems };
    const { before, after } = this.history.push(result.model, result.label);
    this.log.info(`Edit of ${this.fileName}: ${result.label}${result.warnings.length ? ` (${result.warnings.length} warnings)` : ''}`);
    this.show(after);
    this.edited.fire({ label: result.label, undo: () => this.show(before), redo: () => this.show(after) });
    return result;
  }

  private show(step: HistoryStep<ModelProto>): void {
    if (!this.history) return;
    this.history.moveTo(step);
    this.dropFacts();
    this.changed.fire('edit');
  }

  /** Writes the current model to `target` (this file by default): atomically, external data untouched. */
  async save(target: vscode.Uri = this.uri, cancellation?: vscode.CancellationToken): Promise<void> {
    const model = this.model;
    if (!model) throw new Error(this.error ?? 'The model could not be read.');
    if (cancellation?.isCancellationRequested) return;
    const step = this.history?.step;
    const saving = (async () => {
      await writeModelFile(target, model, this.uri);
      this.log.info(`Saved ${this.fileName} to ${target.toString(true)}`);
      if (target.toString() === this.uri.toString()) {
        if (step) this.history?.markSaved(step);
        this.knownMtime = await this.mtime();
      }
    })();
    this.saving = saving.catch(() => undefined);
    await saving;
  }

  /** Keeps the unsaved state for hot exit: the model as it is now, its external data referenced, not copied. */
  async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    const model = this.model;
    if (model) await writeModelFile(destination, model, this.uri, { backup: true });
    this.log.debug(`Backed up the unsaved state of ${this.fileName} for hot exit`);
    return {
      id: destination.toString(),
      delete: () => void Promise.resolve(vscode.workspace.fs.delete(destination)).catch(() => undefined),
    };
  }

  /** Reads the file again, dropping the edits (VS Code keeps its undo stack; undoing brings them back). */
  async revert(): Promise<void> {
    await this.load();
    this.changed.fire('reload');
  }

  /** The file changed on disk since we read or wrote it (our own saves do not count). */
  async changedOnDisk(): Promise<boolean> {
    await this.saving;
    const now = await this.mtime();
    return now !== undefined && now !== this.knownMtime;
  }

  private async mtime(): Promise<number | undefined> {
    try {
      return (await vscode.workspace.fs.stat(this.uri)).mtime;
    } catch {
      return undefined;
    }
  }

  private async load(backup?: vscode.Uri): Promise<void> {
    const started = Date.now();
    const source = backup ?? this.uri;
    try {
      this.knownMtime = await this.mtime();
      const bytes = await vscode.workspace.fs.readFile(source);
      const model = decodeModel(bytes);
      if (this.history && !backup) this.history.reset(model);
      else this.history = new EditHistory(model, { fromBackup: backup !== undefined });
      this.error = undefined;
      this.log.info(`Opened ${this.uri.toString(true)}${backup ? ' from its hot-exit backup' : ''} (${bytes.length} bytes) in ${Date.now() - started} ms`);
    } catch (error) {
      this.history = undefined;
      this.error = oneLine(error);
      this.log.warn(`Cannot open ${source.toString(true)}: ${this.error}`);
    }
    this.problems = undefined;
    this.dropFacts();
  }

  /** The facts of a replaced model are dropped, and its external-data files closed. */
  private dropFacts(): void {
    if (this.cachedFacts && this.cachedFacts.model !== this.model) {
      this.cachedFacts.closeFiles();
      this.cachedFacts = undefined;
    }
  }

  /** Reads the file again after it changed on disk (the caller made sure no edits are lost). */
  async reload(): Promise<void> {
    await this.load();
    this.changed.fire('reload');
  }

  /** Disposes `items` with the document (VS Code disposes it when its last editor closes). */
  own(...items: vscode.Disposable[]): void {
    this.owned.push(...items);
  }

  dispose(): void {
    this.owned.forEach((d) => d.dispose());
    this.closeFiles();
    this.changed.dispose();
    this.edited.dispose();
  }
}
