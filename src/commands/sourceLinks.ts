// From a node to the PyTorch line that made it and back: opens a stack frame of the side panel in an
// editor beside the graph, and `ONNX: Reveal Nodes from This Line` finds the nodes a Python line made in
// the open models. Paths go through src/core/source/pathMap.ts (prefix maps, then longest path suffix).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { EditorSession } from '../editor/editorSession.js';
import type { ModelProto } from '../core/model/proto.js';
import { nodeSources, nodesAtLine, type NodeSource } from '../core/source/nodeSources.js';
import { fileNameOf, mapSourcePath, type MappedPath, type PrefixMap } from '../core/source/pathMap.js';
import type { HostServices } from '../services/hostServices.js';

/** Internal: the side panel's frame links call it through the editor session. */
export const OPEN_SOURCE_FRAME_COMMAND = 'onnxLens.openSourceFrame';

/** Files searched per frame file name; a workspace with more of the same name is matched among these. */
const CANDIDATE_LIMIT = 500;

function prefixMaps(): PrefixMap[] {
  const raw = vscode.workspace.getConfiguration('onnxLens').get<unknown>('sourcePathMap');
  if (!Array.isArray(raw)) return [];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return raw
    .filter((m): m is PrefixMap => !!m && typeof (m as PrefixMap).from === 'string' && typeof (m as PrefixMap).to === 'string')
    .map((m) => ({ from: m.from, to: m.to.replace('${workspaceFolder}', folder) }));
}

/** Maps one exporter path to a file here; the workspace is asked for files of the same name. */
export async function mapFrameFile(file: string): Promise<MappedPath> {
  const name = fileNameOf(file);
  // Glob characters in a file name would widen the search; such names are matched by prefix map or not at all.
  const found = name && !/[*?[\]{}]/.test(name) ? await vscode.workspace.findFiles(`**/${name}`, undefined, CANDIDATE_LIMIT) : [];
  return mapSourcePath(file, { candidates: found.map((u) => u.fsPath), prefixMaps: prefixMaps(), exists: existsSync });
}

export interface OpenSourceResult {
  opened: boolean;
  message?: string;
}

async function openFrame(file: unknown, line: unknown, log: vscode.LogOutputChannel): Promise<OpenSourceResult> {
  if (typeof file !== 'string' || typeof line !== 'number' || !Number.isFinite(line)) return { opened: false, message: 'Not a stack frame.' };
  const mapped = await mapFrameFile(file);
  if (!mapped.found) {
    const message = `${mapped.reason}.${mapped.sitePackages ? '' : ' Set onnxLens.sourcePathMap to say where it is.'}`;
    void vscode.window.showInformationMessage(message);
    return { opened: false, message };
  }
  log.info(`Source frame ${file}:${line} → ${mapped.path} (${mapped.via})`);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(mapped.path));
  const at = new vscode.Position(Math.max(0, Math.min(line - 1, document.lineCount - 1)), 0);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(at, at), preview: true });
  return { opened: true };
}

interface LineMatch {
  session: EditorSession;
  source: NodeSource;
}

/** The nodes of the open models one of whose frames maps to `file` at `line` (1-based). */
async function nodesFromLine(sessions: readonly EditorSession[], sourcesOf: (model: ModelProto) => NodeSource[], file: string, line: number): Promise<LineMatch[]> {
  const verdicts = new Map<string, Promise<boolean>>();
  const isFile = (frameFile: string) => {
    let verdict = verdicts.get(frameFile);
    if (!verdict) {
      verdict = mapFrameFile(frameFile).then((m) => m.found && vscode.Uri.file(m.path).fsPath === file);
      verdicts.set(frameFile, verdict);
    }
    return verdict;
  };
  const matches: LineMatch[] = [];
  const seen = new Set<string>();
  for (const session of sessions) {
    const model = session.document.model;
    const key = session.uri.toString();
    if (!model || seen.has(key)) continue;
    seen.add(key);
    const sources = sourcesOf(model);
    // Map only the files of frames at this line, once each; then match synchronously.
    const files = new Set(sources.flatMap((s) => s.frames.filter((f) => f.line === line && !f.generated).map((f) => f.file)));
    const here = new Set<string>();
    for (const f of files) if (await isFile(f)) here.add(f);
    for (const source of nodesAtLine(sources, line, (f) => here.has(f))) matches.push({ session, source });
  }
  return matches;
}

async function revealFromLine(services: HostServices, sourcesOf: (model: ModelProto) => NodeSource[]): Promise<void> {
  const sessions = services.editors.all();
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('Open a Python file of the workspace first.');
    return;
  }
  if (!sessions.length) {
    void vscode.window.showInformationMessage('No model is open: open the exported .onnx file first.');
    return;
  }
  const line = editor.selection.active.line + 1;
  const matches = await nodesFromLine(sessions, sourcesOf, editor.document.uri.fsPath, line);
  const withSources = [...sessions].some((s) => s.document.model && sourcesOf(s.document.model).length);
  if (!matches.length) {
    void vscode.window.showInformationMessage(withSources
      ? `No node of the open models comes from line ${line} of this file.`
      : 'The open models carry no stack traces (export with torch.onnx.export(..., dynamo=True) to get them).');
    return;
  }
  const named = matches.filter((m) => m.source.nodeName);
  let chosen: LineMatch | undefined = named.length === 1 ? named[0] : undefined;
  if (!chosen) {
    const picked = await vscode.window.showQuickPick(named.map((m) => ({
      label: m.source.nodeName,
      description: [m.source.op, m.source.module?.path ? `in ${m.source.module.path}` : ''].filter(Boolean).join(' '),
      detail: m.session.document.fileName,
      match: m,
    })), { title: `Nodes from line ${line}`, placeHolder: 'Reveal a node in the graph', matchOnDescription: true });
    chosen = picked?.match;
  }
  if (!chosen) return;
  if (!(await services.editors.revealNode(chosen.session.uri, chosen.source.nodeName))) {
    void vscode.window.showInformationMessage(`Node ${chosen.source.nodeName} is no longer in the model.`);
  }
}

/** Node sources parsed once per model object (an edit or a reload brings a new one). */
export function sourcesCache(): (model: ModelProto) => NodeSource[] {
  const cache = new WeakMap<ModelProto, NodeSource[]>();
  return (model) => {
    let sources = cache.get(model);
    if (!sources) cache.set(model, (sources = nodeSources(model)));
    return sources;
  };
}

export function registerSourceLinks(services: HostServices, sourcesOf: (model: ModelProto) => NodeSource[]): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(OPEN_SOURCE_FRAME_COMMAND, (file: unknown, line: unknown) => openFrame(file, line, services.log)),
    vscode.commands.registerCommand('onnxLens.revealNodesFromLine', () => revealFromLine(services, sourcesOf)),
  );
}
