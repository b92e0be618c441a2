// The onnx-text language: the read-only text view of models (scheme onnx-text), .onnxtxt files with
// diagnostics as the user types, hover, navigation, outline, and the commands between text and graph.
import * as vscode from 'vscode';
import type { HostServices } from '../services/hostServices.js';
import { TextLanguageProviders } from './providers.js';
import { registerTextCommands, revealNodeInText } from './textCommands.js';
import { LANGUAGE_ID, TEXT_SCHEME, TextViews } from './textViews.js';

export function registerTextLanguage({ log, editors, runtimeRecords }: HostServices): vscode.Disposable {
  const textViews = new TextViews(log, editors);
  const providers = new TextLanguageProviders(textViews, log, runtimeRecords);
  const selector: vscode.DocumentSelector = [{ language: LANGUAGE_ID }];
  const diagnostics = vscode.languages.createDiagnosticCollection(LANGUAGE_ID);
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const check = (document: vscode.TextDocument) => {
    if (document.languageId !== LANGUAGE_ID || document.uri.scheme === TEXT_SCHEME) return;
    const view = textViews.viewOf(document);
    if (!view) return;
    diagnostics.set(document.uri, view.diagnostics.map((d) => {
      const range = new vscode.Range(document.positionAt(d.span.start), document.positionAt(Math.max(d.span.end, d.span.start + 1)));
      const diagnostic = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'onnx-text';
      return diagnostic;
    }));
  };
  const checkSoon = (document: vscode.TextDocument) => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      check(document);
    }, 250));
  };
  vscode.workspace.textDocuments.forEach(check);

  return vscode.Disposable.from(
    textViews,
    diagnostics,
    vscode.workspace.registerTextDocumentContentProvider(TEXT_SCHEME, textViews),
    vscode.languages.registerHoverProvider(selector, providers),
    vscode.languages.registerDefinitionProvider(selector, providers),
    vscode.languages.registerReferenceProvider(selector, providers),
    vscode.languages.registerDocumentSymbolProvider(selector, providers, { label: 'ONNX' }),
    vscode.languages.registerDocumentHighlightProvider(selector, providers),
    vscode.languages.registerRenameProvider(selector, providers),
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => checkSoon(e.document)),
    vscode.workspace.onDidCloseTextDocument((document) => {
      diagnostics.delete(document.uri);
      textViews.forget(document);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('onnxLens.text.elideAbove') || e.affectsConfiguration('onnxLens.text.strict')) textViews.refreshAll();
    }),
    registerTextCommands(textViews, log, editors),
    // Selecting a node in the graph moves a visible text view of the same model to it.
    editors.onDidSelectNode(({ uri, nodeName }) => void revealNodeInText(textViews, uri, nodeName)),
    new vscode.Disposable(() => {
      for (const t of timers.values()) clearTimeout(t);
    }),
  );
}
