// The analysed form of every onnx-text document: the printed text of a model (virtual documents of the
// `onnx-text` scheme, read-only) or a parsed .onnxtxt file. Both carry a source map and a model, so
// hover and navigation work the same on either.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import { decodeModel } from '../core/model/decode.js';
import { ExternalDataReader } from '../core/model/externalData.js';
import { ModelShapes, type GraphTypes } from '../core/graph/shapeSources.js';
import { GraphIndex } from '../core/model/graphIndex.js';
import type { ModelProto } from '../core/model/proto.js';
import { parseModelText, type TextDiagnostic } from '../core/text/parser.js';
import { printModel } from '../core/text/printer.js';
import type { TextSourceMap } from '../core/text/sourceMap.js';
import type { EditorRegistry } from '../editor/editorRegistry.js';

export const TEXT_SCHEME = 'onnx-text';
export const LANGUAGE_ID = 'onnx-text';

export interface TextView {
  text: string;
  map: TextSourceMap;
  model?: ModelProto;
  /** The .onnx a virtual document shows. */
  modelUri?: vscode.Uri;
  external?: ExternalDataReader;
  diagnostics: TextDiagnostic[];
  elided: ReadonlySet<string>;
  indexFor(scope: number): GraphIndex | undefined;
  /** Shape inference's types of a graph scope, inferred over the whole model on first use. */
  inferredFor(scope: number): GraphTypes | undefined;
}

function makeView(fields: Omit<TextView, 'indexFor' | 'inferredFor'>): TextView {
  const indexes = new Map<number, GraphIndex | undefined>();
  const shapes = fields.model ? new ModelShapes(fields.model) : undefined;
  const view: TextView = {
    ...fields,
    inferredFor(scope) {
      const graph = view.map.scopes[scope]?.graph;
      return graph && shapes?.of(graph);
    },
    indexFor(scope) {
      if (indexes.has(scope)) return indexes.get(scope);
      const entry = view.map.scopes[scope];
      const parent = entry?.parent !== undefined ? view.indexFor(entry.parent) : undefined;
      const index = entry?.graph ? GraphIndex.build(entry.graph, parent) : undefined;
      indexes.set(scope, index);
      return index;
    },
  };
  return view;
}

/** `onnx-text:/dir/model.onnxtxt?<model uri>`: the label reads like a text file, the query finds the model. */
export function textUriFor(modelUri: vscode.Uri): vscode.Uri {
  const path = /\.onnx$/i.test(modelUri.path) ? modelUri.path.replace(/\.onnx$/i, '.onnxtxt') : `${modelUri.path}.onnxtxt`;
  return vscode.Uri.from({ scheme: TEXT_SCHEME, path, query: modelUri.toString() });
}

export function modelUriOf(textUri: vscode.Uri): vscode.Uri | undefined {
  if (textUri.scheme !== TEXT_SCHEME || !textUri.query) return undefined;
  try {
    return vscode.Uri.parse(textUri.query, true);
  } catch {
    return undefined;
  }
}

function elideAbove(): number {
  const value = vscode.workspace.getConfiguration('onnxLens.text').get<number>('elideAbove', 32);
  return Number.isFinite(value) && value >= 0 ? value : 32;
}

function strict(): boolean {
  return vscode.workspace.getConfiguration('onnxLens.text').get<boolean>('strict', false) === true;
}

/** Serves and caches the text of models, and the parse of .onnxtxt files per document version. */
export class TextViews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly virtual = new Map<string, TextView>();
  private readonly parsed = new Map<string, { version: number; view: TextView }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly edits: vscode.Disposable;
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel, private readonly editors: EditorRegistry) {
    // An edit in the model editor (or its undo) shows in the text at once, saved or not.
    this.edits = editors.onDidChangeModel((uri) => this.openTextUris(uri).forEach((text) => this.changed.fire(text)));
  }

  /** The model as an open editor holds it, else read from its file. */
  private async loadModel(uri: vscode.Uri): Promise<ModelProto> {
    const open = this.editors.sessionsFor(uri).find((s) => s.document.model)?.document.model;
    if (open) return open;
    return decodeModel(await vscode.workspace.fs.readFile(uri));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const modelUri = modelUriOf(uri);
    if (!modelUri) return '# Not a model text: this address does not name an ONNX model.\n';
    const started = Date.now();
    try {
      const model = await this.loadModel(modelUri);
      const printed = printModel(model, { elideAbove: elideAbove(), strict: strict() });
      const external = modelUri.scheme === 'file' ? ExternalDataReader.forModel(modelUri.fsPath) : undefined;
      this.virtual.get(uri.toString())?.external?.close();
      this.virtual.set(uri.toString(), makeView({
        text: printed.text, map: printed.map, model, modelUri, external, diagnostics: [], elided: new Set(),
      }));
      this.watch(uri, modelUri);
      this.log.info(`Text of ${modelUri.toString(true)}: ${printed.text.length} characters, ${printed.map.nodes.length} nodes, ${printed.elided} tensors elided, in ${Date.now() - started} ms`);
      return printed.text;
    } catch (error) {
      this.log.warn(`Cannot show ${modelUri.toString(true)} as text: ${oneLine(error)}`);
      this.virtual.delete(uri.toString());
      return `# Cannot show ${modelUri.path.split('/').pop()} as text: ${oneLine(error)}\n`;
    }
  }

  /** Refreshes the text when the model file changes on disk. */
  private watch(textUri: vscode.Uri, modelUri: vscode.Uri): void {
    const key = textUri.toString();
    if (this.watchers.has(key) || modelUri.scheme !== 'file') return;
    const folder = vscode.Uri.joinPath(modelUri, '..');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, modelUri.path.split('/').pop() ?? ''));
    const fire = () => this.changed.fire(textUri);
    this.watchers.set(key, vscode.Disposable.from(watcher, watcher.onDidChange(fire), watcher.onDidCreate(fire)));
  }

  /** Text views of a model that are open in editors. */
  openTextUris(modelUri: vscode.Uri): vscode.Uri[] {
    const wanted = textUriFor(modelUri).toString();
    return vscode.workspace.textDocuments.filter((d) => d.uri.toString() === wanted).map((d) => d.uri);
  }

  refreshAll(): void {
    for (const key of this.virtual.keys()) this.changed.fire(vscode.Uri.parse(key, true));
  }

  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.virtual.get(key)?.external?.close();
    this.virtual.delete(key);
    this.parsed.delete(key);
    this.watchers.get(key)?.dispose();
    this.watchers.delete(key);
  }

  /** The analysed view of an onnx-text document, matching its current text. */
  viewOf(document: vscode.TextDocument): TextView | undefined {
    const key = document.uri.toString();
    if (document.uri.scheme === TEXT_SCHEME) {
      const view = this.virtual.get(key);
      // A stale cache (the text was requested again) must not map offsets into the wrong text.
      // (Length through offsetAt: getText would copy megabytes on every hover.)
      const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
      if (view && view.text.length === length) return view;
      // Otherwise (dropped on close, or stale) the text itself is parsed below: values of elided tensors are then unknown.
    }
    const cached = this.parsed.get(key);
    if (cached && cached.version === document.version) return cached.view;
    const text = document.getText();
    const result = parseModelText(text);
    const folder = document.uri.scheme === 'file' ? vscode.Uri.joinPath(document.uri, '..') : undefined;
    const view = makeView({
      text, map: result.map, model: result.model, diagnostics: result.diagnostics,
      elided: new Set(result.elided.map((e) => e.name)),
      external: folder ? new ExternalDataReader(folder.fsPath) : undefined,
      modelUri: modelUriOf(document.uri),
    });
    cached?.view.external?.close();
    this.parsed.set(key, { version: document.version, view });
    return view;
  }

  dispose(): void {
    for (const view of this.virtual.values()) view.external?.close();
    for (const { view } of this.parsed.values()) view.external?.close();
    for (const w of this.watchers.values()) w.dispose();
    this.edits.dispose();
    this.changed.dispose();
  }
}
