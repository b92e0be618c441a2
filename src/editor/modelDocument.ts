// One opened .onnx file: its bytes read through vscode.workspace.fs (so remote and virtual files work),
// the decoded model (or the one-line reason it could not be decoded), and the edits made to it. An edit
// replaces the model object (edits never mutate a model), so undo and redo restore an earlier object.
// Opening runs in the view worker (src/core/graph/viewInWorker.ts), which sends back the view for the
// webview and the file's bytes; this decodes its own model from those bytes only when something needs
// it, or once the webview has painted, so the extension host's thread is free while the model opens.
import * as vscode from 'vscode';
import { applyEdit, type EditResult, type ModelEdit } from '../core/edit/index.js';
import type { Problem } from '../core/check/problem.js';
import { oneLine } from '../core/errors.js';
import { viewInWorker } from '../core/graph/viewInWorker.js';
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

/** The file as the view worker gave it back. */
interface Opened {
  /** The model view the worker built (view bytes), what the webview is sent while the model is as opened. */
  view: Uint8Array;
  /** The file's bytes, until the host decodes its model from them. */
  bytes?: Uint8Array;
  fromBackup: boolean;
  /** The model decoded from `bytes`, once it is. */
  model?: ModelProto;
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
  private opened?: Opened;
  /** The read in progress (opening, revert, reload); they run one after another. */
  private loading: Promise<void> = Promise.resolve();
  /** Opened from a hot-exit backup and not read yet: dirty already. */
  private restoring = false;
  /** A save in progress: the file watcher's event for our own write waits for it, so it is not taken for someone else's. */
  private saving?: Promise<void>;
  /** Fires after the model changed: an edit, undo, redo, revert or a new read of the file. */
  readonly onDidChangeModel = this.changed.event;
  /** Fires once per edit, for the provider's onDidChangeCustomDocument. */
  readonly onDidEdit = this.edited.event;
  error?: string;

  private constructor(readonly uri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  /**
   * Opens `uri`, or the unsaved state kept in `backup` (hot exit). Returns at once: the file is read and
   * its view built while the webview loads its page; `whenLoaded` says when the model (or its error) is there.
   */
  static open(uri: vscode.Uri, log: vscode.LogOutputChannel, backup?: vscode.Uri): ModelDocument {
    const document = new ModelDocument(uri, log);
    document.restoring = backup !== undefined;
    document.loading = document.load(backup);
    return document;
  }

  /** Resolves when the read in progress is done (never rejects: a bad file leaves `error`). */
  whenLoaded(): Promise<void> {
    return this.loading;
  }

  /** The current model; decoded on the host at this first use when it still waits as bytes. Undefined while opening or when the file is not a model. */
  get model(): ModelProto | undefined {
    this.decodeOpened();
    return this.history?.model;
  }

  /** The view bytes for the webview while the model is the one opened (not edited): built by the view worker, no need to build them again. */
  get openedView(): Uint8Array | undefined {
    const opened = this.opened;
    if (!opened) return undefined;
    return opened.bytes || (opened.model && this.history?.model === opened.model) ? opened.view : undefined;
  }

  /** The model differs from the file (edited, or restored from a backup). */
  get isDirty(): boolean {
    if (this.opened?.bytes) return this.opened.fromBackup;
    return this.history?.dirty ?? this.restoring;
  }

  /** The webview has painted: the host decodes its own model now, before anything asks for it. */
  settle(): void {
    this.decodeOpened();
  }

  /** Decodes the model from the bytes the view worker gave back, once; the edit history starts (or restarts) with it. */
  private decodeOpened(): void {
    const opened = this.opened;
    const bytes = opened?.bytes;
    if (!opened || !bytes) return;
    opened.bytes = undefined;
    const started = performance.now();
    try {
      const model = decodeModel(bytes);
      opened.model = model;
      if (this.history && !opened.fromBackup) this.history.reset(model);
      else this.history = new EditHistory(model, { fromBackup: opened.fromBackup });
      this.log.debug(`Decoded ${this.fileName} on the extension host in ${(performance.now() - started).toFixed(0)} ms`);
    } catch (error) {
      // The worker decoded the same bytes: this is not expected, but the editor must say why all the same.
      this.opened = undefined;
      this.history = undefined;
      this.error = oneLine(error);
      this.log.warn(`Cannot decode ${this.uri.toString(true)}: ${this.error}`);
    }
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
      this.cachedFacts = new ModelFacts(model, this.uri, model === this.opened?.model ? this.opened.view : undefined);
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
    // A read that finished since: its reset of the history comes first, as it did when it was read.
    this.decodeOpened();
    if (!this.history) return;
    this.history.moveTo(step);
    this.dropFacts();
    this.changed.fire('edit');
  }

  /** Writes the current model to `target` (this file by default): atomically, external data untouched. */
  async save(target: vscode.Uri = this.uri, cancellation?: vscode.CancellationToken): Promise<void> {
    await this.loading;
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
    await this.loading;
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
    await this.reread();
    this.changed.fire('reload');
  }

  /** The file changed on disk since we read or wrote it (our own saves do not count). */
  async changedOnDisk(): Promise<boolean> {
    await this.loading;
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

  /** Reads the file again, after the read in progress. */
  private reread(): Promise<void> {
    return (this.loading = this.loading.then(() => this.load()));
  }

  /** Reads the file (or `backup`) and has the view worker decode it and build its view; the host decodes its model later (decodeOpened). */
  private async load(backup?: vscode.Uri): Promise<void> {
    const started = Date.now();
    const source = backup ?? this.uri;
    try {
      this.knownMtime = await this.mtime();
      const bytes = await vscode.workspace.fs.readFile(source);
      const size = bytes.length;
      const read = Date.now();
      const opened = await viewInWorker(bytes, this.fileName);
      this.opened = { view: opened.view, bytes: opened.bytes, fromBackup: backup !== undefined };
      this.error = undefined;
      this.log.info(`Opened ${this.uri.toString(true)}${backup ? ' from its hot-exit backup' : ''} (${size} bytes) in ${Date.now() - started} ms: read in ${read - started} ms, decoded and its view built (${opened.nodes} nodes, ${opened.groups} groups) in a worker in ${Date.now() - read} ms`);
      // The graph shows the declared shapes only.
      if (opened.shapesError) this.log.warn(`Shape inference on ${this.fileName} failed, edges show declared shapes only: ${opened.shapesError}`);
    } catch (error) {
      this.opened = undefined;
      this.history = undefined;
      this.error = oneLine(error);
      this.log.warn(`Cannot open ${source.toString(true)}: ${this.error}`);
    }
    this.restoring = false;
    this.problems = undefined;
    // Whatever was worked out from the model before no longer describes it.
    this.cachedFacts?.closeFiles();
    this.cachedFacts = undefined;
  }

  /** The facts of a replaced model are dropped, and its external-data files closed. */
  private dropFacts(): void {
    if (this.cachedFacts && this.cachedFacts.model !== this.history?.model) {
      this.cachedFacts.closeFiles();
      this.cachedFacts = undefined;
    }
  }

  /** Reads the file again after it changed on disk (the caller made sure no edits are lost). */
  async reload(): Promise<void> {
    await this.reread();
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
