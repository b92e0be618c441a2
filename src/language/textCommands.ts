// ONNX: Show as Text, ONNX: Convert Text to Model, ONNX: Reveal Node in Graph, and the graph view's
// way back into the text (revealNodeInText).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { oneLine, UserError } from '../core/errors.js';
import { freeOutputPath, writeModelAtomic } from '../core/model/modelFile.js';
import { parseModelText } from '../core/text/parser.js';
import { nodeAt } from '../core/text/sourceMap.js';
import { MODEL_EDITOR_VIEW_TYPE, type EditorRegistry } from '../editor/editorRegistry.js';
import { LANGUAGE_ID, modelUriOf, TEXT_SCHEME, textUriFor, type TextViews } from './textViews.js';

/** The .onnx the command is about: the explorer/title argument, else the active model editor or tab. */
function targetModel(arg: unknown, editors: EditorRegistry): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === TEXT_SCHEME ? modelUriOf(arg) : arg;
  const session = editors.active();
  if (session) return session.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && /\.onnx$/i.test(input.uri.path)) return input.uri;
  if (input instanceof vscode.TabInputText && /\.onnx$/i.test(input.uri.path)) return input.uri;
  return undefined;
}

export async function showModelText(modelUri: vscode.Uri, options: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean; selection?: vscode.Range } = {}): Promise<vscode.TextEditor | undefined> {
  const name = modelUri.path.split('/').pop() ?? '';
  // Printing a large model takes seconds; cancelling stops the text from opening.
  const opened = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Printing ${name} as ONNX text…`, cancellable: true },
    async (_, token) => {
      const document = await vscode.workspace.openTextDocument(textUriFor(modelUri));
      return token.isCancellationRequested ? undefined : document;
    },
  );
  if (!opened) return undefined;
  let document = opened;
  if (document.languageId !== LANGUAGE_ID) document = await vscode.languages.setTextDocumentLanguage(document, LANGUAGE_ID);
  return vscode.window.showTextDocument(document, { viewColumn: options.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus, preview: false, selection: options.selection });
}

/**
 * Shows the node named `nodeName` in the text view of `modelUri`: in a text view that is already
 * visible (without taking focus), or, with `open`, in a new one beside. Returns false when there is
 * no such node or no text view to show it in.
 */
export async function revealNodeInText(views: TextViews, modelUri: vscode.Uri, nodeName: string, open = false): Promise<boolean> {
  const wanted = textUriFor(modelUri).toString();
  let editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === wanted);
  if (!editor) {
    if (!open) return false;
    editor = await showModelText(modelUri, { preserveFocus: true });
    if (!editor) return false;
  }
  const view = views.viewOf(editor.document);
  const entry = view?.map.nodes.find((n) => n.node.name === nodeName);
  if (!entry) return false;
  const start = editor.document.positionAt(entry.labelSpan?.start ?? entry.span.start);
  const end = editor.document.positionAt(entry.span.end);
  editor.selection = new vscode.Selection(start, start);
  editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return true;
}

async function convertTextToModel(arg: unknown, log: vscode.LogOutputChannel): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('Open an .onnxtxt file to convert it to a model.');
    return;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const result = parseModelText(document.getText());
  const problem = result.diagnostics.find((d) => d.severity === 'error') ?? (result.elided.length ? result.diagnostics.find((d) => d.severity === 'warning') : undefined);
  const name = uri.path.split('/').pop() ?? '';
  if (problem || !result.model) {
    const at = problem ? `${problem.line}:${problem.column}: ${problem.message}` : 'the text holds no model.';
    void vscode.window.showErrorMessage(`Cannot convert ${name}: ${at}`);
    if (problem) {
      const editor = await vscode.window.showTextDocument(document);
      const position = document.positionAt(problem.span.start);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    return;
  }
  const base = uri.fsPath.replace(/\.onnxtxt$/i, '');
  let target = `${base}.onnx`;
  if (existsSync(target)) {
    const alternative = freeOutputPath(target);
    const overwrite = 'Overwrite';
    const keep = `Save as ${alternative.split(/[\\/]/).pop()}`;
    const choice = await vscode.window.showWarningMessage(`${target.split(/[\\/]/).pop()} already exists.`, { modal: true }, overwrite, keep);
    if (!choice) return;
    if (choice === keep) target = alternative;
  }
  const written = writeModelAtomic(target, result.model, { sourceDir: vscode.Uri.joinPath(uri, '..').fsPath });
  log.info(`Converted ${uri.fsPath} to ${written.path} (${written.bytes} bytes)`);
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(written.path), MODEL_EDITOR_VIEW_TYPE);
}

async function revealInGraph(views: TextViews, editors: EditorRegistry): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== LANGUAGE_ID) {
    void vscode.window.showInformationMessage('Place the cursor on a node in an ONNX text view to reveal it in the graph.');
    return;
  }
  const modelUri = modelUriOf(editor.document.uri);
  if (!modelUri) {
    void vscode.window.showInformationMessage('This text is not the text view of a model: convert it to a model (ONNX: Convert Text to Model) to see its graph.');
    return;
  }
  const view = views.viewOf(editor.document);
  const entry = view && nodeAt(view.map, editor.document.offsetAt(editor.selection.active));
  if (!entry) {
    void vscode.window.showInformationMessage('The cursor is not on a node.');
    return;
  }
  if (!entry.node.name) {
    void vscode.window.showInformationMessage(`This ${entry.node.opType} node has no name, so the graph view cannot find it.`);
    return;
  }
  if (!(await editors.revealNode(modelUri, entry.node.name))) {
    void vscode.window.showInformationMessage(`Node ${entry.node.name} is not in the graph view of this model.`);
  }
}

export function registerTextCommands(views: TextViews, log: vscode.LogOutputChannel, editors: EditorRegistry): vscode.Disposable {
  const guarded = (what: string, run: (...args: unknown[]) => Promise<void>) => async (...args: unknown[]) => {
    try {
      await run(...args);
    } catch (error) {
      log.error(`${what} failed: ${error instanceof UserError ? error.message : error instanceof Error ? error.stack : String(error)}`);
      void vscode.window.showErrorMessage(`${what} failed: ${oneLine(error)}`);
    }
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('onnxLens.showAsText', guarded('Show as Text', async (arg) => {
      const modelUri = targetModel(arg, editors);
      if (!modelUri) {
        void vscode.window.showInformationMessage('Open an ONNX model (or pick one in the explorer) to show it as text.');
        return;
      }
      await showModelText(modelUri);
    })),
    vscode.commands.registerCommand('onnxLens.convertTextToModel', guarded('Convert Text to Model', (arg) => convertTextToModel(arg, log))),
    vscode.commands.registerCommand('onnxLens.revealInGraph', guarded('Reveal Node in Graph', () => revealInGraph(views, editors))),
  );
}
