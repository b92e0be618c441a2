// Hover, Go to Definition, Find All References and Document Symbols for onnx-text documents.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import { describeOp, describeValue, escapeMarkdown } from '../core/text/describe.js';
import { definitionsOf, nameAt, occurrencesOf, opAt, usesOf, type NameOccurrence, type NodeEntry, type Span } from '../core/text/sourceMap.js';
import { quoteName } from '../core/text/syntax.js';
import { fileNameOf } from '../core/source/pathMap.js';
import { nodeFrames } from '../core/source/stackTrace.js';
import type { NodeProto } from '../core/model/proto.js';
import { OPEN_SOURCE_FRAME_COMMAND } from '../commands/sourceLinks.js';
import type { RuntimeRecords } from '../services/runtimeRecords.js';
import type { TextView, TextViews } from './textViews.js';

/** The node's stack frames as links that open the Python source, outermost first (as the side panel lists them). */
function sourceLinks(node: NodeProto): string {
  const frames = nodeFrames(node.metadataProps).filter((f) => !f.generated);
  if (!frames.length) return '';
  const items = frames.map((f) => {
    const args = encodeURIComponent(JSON.stringify([f.file, f.line]));
    return `- [${escapeMarkdown(`${fileNameOf(f.file)}:${f.line}`)}](command:${OPEN_SOURCE_FRAME_COMMAND}?${args})${f.code ? ` ${escapeMarkdown(f.code)}` : ''}`;
  });
  return `\n\n**Source**\n\n${items.join('\n')}`;
}

function range(document: vscode.TextDocument, span: Span): vscode.Range {
  return new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
}

export class TextLanguageProviders implements vscode.HoverProvider, vscode.DefinitionProvider, vscode.ReferenceProvider, vscode.DocumentSymbolProvider,
  vscode.DocumentHighlightProvider, vscode.RenameProvider {
  constructor(private readonly views: TextViews, private readonly log: vscode.LogOutputChannel, private readonly runtimeRecords: RuntimeRecords) {}

  private at(document: vscode.TextDocument, position: vscode.Position): { view: TextView; offset: number } | undefined {
    const view = this.views.viewOf(document);
    return view ? { view, offset: document.offsetAt(position) } : undefined;
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const found = this.at(document, position);
    if (!found) return undefined;
    const { view, offset } = found;
    const context = {
      map: view.map, model: view.model, external: view.external, elided: view.elided,
      indexFor: (scope: number) => view.indexFor(scope),
      inferred: (scope: number) => view.inferredFor(scope),
      lineOf: (o: number) => document.positionAt(o).line + 1,
      // What the last test run of the model saw.
      runtime: view.modelUri ? this.runtimeRecords.get(view.modelUri) : undefined,
    };
    try {
      const name = nameAt(view.map, offset);
      if (name) return new vscode.Hover(new vscode.MarkdownString(describeValue(name, context)), range(document, name.span));
      const op = opAt(view.map, offset);
      if (op) {
        const text = new vscode.MarkdownString(describeOp(op, context) + sourceLinks(op.node));
        text.isTrusted = { enabledCommands: [OPEN_SOURCE_FRAME_COMMAND] };
        return new vscode.Hover(text, range(document, op.opSpan));
      }
    } catch (error) {
      this.log.warn(`Hover in ${document.uri.toString(true)} failed: ${oneLine(error)}`);
    }
    return undefined;
  }

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.Location[] | undefined {
    const found = this.at(document, position);
    if (!found) return undefined;
    const name = nameAt(found.view.map, found.offset);
    if (!name) {
      // An op that a model-local function implements: its definition is the function.
      const op = opAt(found.view.map, found.offset);
      const fn = op && found.view.map.scopes.find((s) => s.fn && s.fn.name === op.node.opType && (s.fn.domain ?? '') === (op.node.domain ?? ''));
      return fn ? [new vscode.Location(document.uri, range(document, fn.nameSpan))] : undefined;
    }
    const definitions = definitionsOf(found.view.map, name.name, name.scope);
    return definitions.map((d) => new vscode.Location(document.uri, range(document, d.span)));
  }

  provideReferences(document: vscode.TextDocument, position: vscode.Position, context: vscode.ReferenceContext): vscode.Location[] | undefined {
    const found = this.at(document, position);
    const name = found && nameAt(found.view.map, found.offset);
    if (!found || !name) return undefined;
    const map = found.view.map;
    const list: NameOccurrence[] = [
      ...(context.includeDeclaration ? definitionsOf(map, name.name, name.scope) : []),
      ...usesOf(map, name.name, name.scope),
    ];
    return list.map((o) => new vscode.Location(document.uri, range(document, o.span)));
  }

  /** Every occurrence of the value under the cursor: definitions as writes, uses as reads. */
  provideDocumentHighlights(document: vscode.TextDocument, position: vscode.Position): vscode.DocumentHighlight[] | undefined {
    const found = this.at(document, position);
    const name = found && nameAt(found.view.map, found.offset);
    if (!found || !name) return undefined;
    return occurrencesOf(found.view.map, name.name, name.scope).map((o) => new vscode.DocumentHighlight(range(document, o.span),
      o.role === 'node_output' || o.role === 'initializer' || o.role === 'input' ? vscode.DocumentHighlightKind.Write : vscode.DocumentHighlightKind.Read));
  }

  prepareRename(document: vscode.TextDocument, position: vscode.Position): { range: vscode.Range; placeholder: string } {
    if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') throw new Error('The text view of a model is read-only: rename in an .onnxtxt file.');
    const found = this.at(document, position);
    const name = found && nameAt(found.view.map, found.offset);
    if (!name) throw new Error('Place the cursor on a value name to rename it.');
    return { range: range(document, name.span), placeholder: name.name };
  }

  /** Renames a value in its scope and in the subgraphs that see it, quoting the new name where needed. */
  provideRenameEdits(document: vscode.TextDocument, position: vscode.Position, newName: string): vscode.WorkspaceEdit | undefined {
    const found = this.at(document, position);
    const name = found && nameAt(found.view.map, found.offset);
    if (!found || !name) return undefined;
    const edit = new vscode.WorkspaceEdit();
    const seen = new Set<number>();
    for (const o of occurrencesOf(found.view.map, name.name, name.scope)) {
      // An input with an initializer is one token recorded twice.
      if (seen.has(o.span.start)) continue;
      seen.add(o.span.start);
      edit.replace(document.uri, range(document, o.span), quoteName(newName));
    }
    return edit;
  }

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    const view = this.views.viewOf(document);
    if (!view) return [];
    return documentSymbols(document, view);
  }
}

function symbol(document: vscode.TextDocument, name: string, detail: string, kind: vscode.SymbolKind, span: Span, selection: Span = span): vscode.DocumentSymbol {
  const full = range(document, span);
  const selected = range(document, selection);
  return new vscode.DocumentSymbol(name || '(unnamed)', detail, kind, full, full.contains(selected) ? selected : full);
}

/** Outline: each graph with its inputs, outputs, initializers and nodes; subgraphs under their node; functions. */
function documentSymbols(document: vscode.TextDocument, view: TextView): vscode.DocumentSymbol[] {
  const { map } = view;
  const nodeSymbols = new Map<number, vscode.DocumentSymbol>();
  const scopeSymbols = map.scopes.map((scope) => symbol(document, scope.name, scope.kind === 'function' ? `function${scope.fn?.domain ? ` in ${scope.fn.domain}` : ''}` : scope.parent === undefined ? 'graph' : `subgraph ${scope.owner?.attribute ?? ''}`,
    scope.kind === 'function' ? vscode.SymbolKind.Function : vscode.SymbolKind.Namespace, scope.span, scope.nameSpan));

  // One pass over the names: declarations by scope and role.
  const declared = new Map<string, NameOccurrence[]>();
  for (const n of map.names) {
    if (n.role !== 'input' && n.role !== 'output' && n.role !== 'initializer') continue;
    const key = `${n.scope}:${n.role}`;
    let list = declared.get(key);
    if (!list) declared.set(key, (list = []));
    list.push(n);
  }
  const group = (scope: number, title: string, kind: vscode.SymbolKind, role: string) => {
    const items = declared.get(`${scope}:${role}`);
    if (!items?.length) return;
    const seen = new Set<string>();
    const children = items.filter((n) => !seen.has(n.name) && seen.add(n.name)).map((n) => symbol(document, n.name, role, kind, n.span));
    const span = { start: items[0].span.start, end: items[items.length - 1].span.end };
    const parent = symbol(document, title, `${children.length}`, vscode.SymbolKind.Package, span, items[0].span);
    parent.children = children;
    scopeSymbols[scope].children.push(parent);
  };
  map.scopes.forEach((_, scope) => {
    group(scope, 'inputs', vscode.SymbolKind.Variable, 'input');
    group(scope, 'outputs', vscode.SymbolKind.Variable, 'output');
    group(scope, 'initializers', vscode.SymbolKind.Constant, 'initializer');
  });
  map.nodes.forEach((entry: NodeEntry, key) => {
    const op = entry.node.domain ? `${entry.node.domain}.${entry.node.opType}` : entry.node.opType ?? '';
    const outputs = (entry.node.output ?? []).filter(Boolean).join(', ');
    const s = symbol(document, entry.node.name || outputs || op, entry.node.name ? `${op} → ${outputs}` : op, vscode.SymbolKind.Method, entry.span, entry.labelSpan ?? entry.opSpan);
    nodeSymbols.set(key, s);
    scopeSymbols[entry.scope]?.children.push(s);
  });
  const roots: vscode.DocumentSymbol[] = [];
  map.scopes.forEach((scope, i) => {
    const owner = scope.owner ? nodeSymbols.get(scope.owner.node) : undefined;
    if (owner) owner.children.push(scopeSymbols[i]);
    else if (scope.parent !== undefined) scopeSymbols[scope.parent].children.push(scopeSymbols[i]);
    else roots.push(scopeSymbols[i]);
  });
  return roots;
}
