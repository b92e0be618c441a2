// Marks, in Python editors, the lines that made nodes of the open models (their stack-trace frames), with
// a hover listing those nodes as links into the graph. Off with `onnxLens.source.markLines`.
import * as vscode from 'vscode';
import type { ModelProto } from '../core/model/proto.js';
import type { NodeSource } from '../core/source/nodeSources.js';
import { escapeMarkdown } from '../core/text/describe.js';
import type { HostServices } from '../services/hostServices.js';
import { mapFrameFile } from './sourceLinks.js';

const REVEAL_NODE_COMMAND = 'onnxLens.revealNodeInModel';
/** Node links listed in one hover; the count says how many more. */
const HOVER_NODES = 8;

interface LineNodes {
  uri: vscode.Uri;
  fileName: string;
  nodes: NodeSource[];
}

function enabled(): boolean {
  return vscode.workspace.getConfiguration('onnxLens.source').get<boolean>('markLines') !== false;
}

function hover(line: number, entries: LineNodes[]): vscode.MarkdownString {
  const text = new vscode.MarkdownString(undefined, true);
  text.isTrusted = { enabledCommands: [REVEAL_NODE_COMMAND] };
  for (const { uri, fileName, nodes } of entries) {
    text.appendMarkdown(`**ONNX** · line ${line} made ${nodes.length} node${nodes.length === 1 ? '' : 's'} of `);
    text.appendText(fileName);
    text.appendMarkdown(':\n\n');
    for (const node of nodes.slice(0, HOVER_NODES)) {
      const args = encodeURIComponent(JSON.stringify([uri.toString(), node.nodeName]));
      text.appendMarkdown(`- [${escapeMarkdown(node.nodeName || node.op)}](command:${REVEAL_NODE_COMMAND}?${args}) `);
      text.appendText(`${node.op}${node.module?.path ? ` in ${node.module.path}` : ''}\n`);
    }
    if (nodes.length > HOVER_NODES) text.appendText(`and ${nodes.length - HOVER_NODES} more\n`);
  }
  return text;
}

export function registerSourceGutter(services: HostServices, sourcesOf: (model: ModelProto) => NodeSource[], extensionUri: vscode.Uri): vscode.Disposable {
  const decoration = vscode.window.createTextEditorDecorationType({
    gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'source-line.svg'),
    gutterIconSize: '70%',
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.infoForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  // Exporter path -> local file path (or null), mapped once per frame file until the models change.
  let mapped = new Map<string, Promise<string | null>>();
  const localPath = (file: string) => {
    let path = mapped.get(file);
    if (!path) mapped.set(file, (path = mapFrameFile(file).then((m) => (m.found ? vscode.Uri.file(m.path).fsPath : null), () => null)));
    return path;
  };

  const decorate = async (editor: vscode.TextEditor) => {
    if (editor.document.languageId !== 'python' || editor.document.uri.scheme !== 'file') return;
    if (!enabled()) {
      editor.setDecorations(decoration, []);
      return;
    }
    const here = editor.document.uri.fsPath;
    const byLine = new Map<number, LineNodes[]>();
    const seen = new Set<string>();
    for (const session of services.editors.all()) {
      const model = session.document.model;
      const key = session.uri.toString();
      if (!model || seen.has(key)) continue;
      seen.add(key);
      const sources = sourcesOf(model);
      const files = new Set(sources.flatMap((s) => s.frames.filter((f) => !f.generated).map((f) => f.file)));
      const local = new Set<string>();
      for (const file of files) if ((await localPath(file)) === here) local.add(file);
      if (!local.size) continue;
      const perLine = new Map<number, NodeSource[]>();
      for (const source of sources) {
        const lines = new Set(source.frames.filter((f) => !f.generated && local.has(f.file)).map((f) => f.line));
        for (const line of lines) perLine.set(line, [...(perLine.get(line) ?? []), source]);
      }
      for (const [line, nodes] of perLine) byLine.set(line, [...(byLine.get(line) ?? []), { uri: session.uri, fileName: session.document.fileName, nodes }]);
    }
    const options = [...byLine].filter(([line]) => line >= 1 && line <= editor.document.lineCount).map(([line, entries]) => ({ range: editor.document.lineAt(line - 1).range, hoverMessage: hover(line, entries) }));
    editor.setDecorations(decoration, options);
  };
  const decorateAll = () => {
    for (const editor of vscode.window.visibleTextEditors) void decorate(editor);
  };
  const remap = () => {
    mapped = new Map();
    decorateAll();
  };

  return vscode.Disposable.from(
    decoration,
    vscode.window.onDidChangeVisibleTextEditors(decorateAll),
    services.editors.onDidBecomeReady(decorateAll),
    services.editors.onDidRemove(decorateAll),
    services.editors.onDidChangeModel(decorateAll),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('onnxLens.sourcePathMap')) remap();
      else if (event.affectsConfiguration('onnxLens.source')) decorateAll();
    }),
    vscode.workspace.onDidCreateFiles(remap),
    vscode.workspace.onDidRenameFiles(remap),
    vscode.commands.registerCommand(REVEAL_NODE_COMMAND, async (uri: unknown, nodeName: unknown) => {
      if (typeof uri !== 'string' || typeof nodeName !== 'string') return;
      if (!(await services.editors.revealNode(vscode.Uri.parse(uri), nodeName))) void vscode.window.showInformationMessage(`Node ${nodeName} is no longer in the model.`);
    }),
  );
}
