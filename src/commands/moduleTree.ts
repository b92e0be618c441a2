// The "ONNX Modules" view in the explorer: the nn.Module hierarchy of the active model editor's model,
// node counts, and after a test run the kernel time per module and the slowest source lines. Selecting a
// module marks and frames its nodes in the graph; a line opens the Python source there.
import * as vscode from 'vscode';
import type { ModelProto } from '../core/model/proto.js';
import { moduleTime, moduleTree, nodesUnder, slowestLines, type ModuleNode, type ModuleTree, type SourceLineTime } from '../core/source/moduleTree.js';
import { fileNameOf } from '../core/source/pathMap.js';
import type { EditorSession } from '../editor/editorSession.js';
import type { HostServices } from '../services/hostServices.js';
import { OPEN_SOURCE_FRAME_COMMAND } from './sourceLinks.js';

const VIEW_ID = 'onnxLens.modules';
const OPEN_KEY = 'onnxLens.modelEditorOpen';
const REVEAL_MODULE_COMMAND = 'onnxLens.revealModule';
/** Lines listed under "Slowest lines"; the rest add little. */
const SLOWEST_LINES = 20;

type Item =
  | { kind: 'module'; uri: vscode.Uri; module: ModuleNode; times?: ReadonlyMap<string, number>; rootLabel?: string }
  | { kind: 'lines'; uri: vscode.Uri; lines: SourceLineTime[] }
  | { kind: 'line'; uri: vscode.Uri; line: SourceLineTime };

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const nodes = (count: number) => `${count} node${count === 1 ? '' : 's'}`;

function shortClass(className: string): string {
  return className.split('.').pop() ?? className;
}

class ModuleTreeProvider implements vscode.TreeDataProvider<Item> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly trees = new WeakMap<ModelProto, ModuleTree>();
  private shown?: { session: EditorSession; tree: ModuleTree };

  constructor(private readonly services: HostServices) {}

  refresh(): void {
    this.changed.fire();
  }

  /** The tree of the active model editor's model (else the one shown last, while it is open), or undefined. */
  current(): { session: EditorSession; model: ModelProto; tree: ModuleTree } | undefined {
    const last = this.shown?.session;
    const session = this.services.editors.active() ?? (last && this.services.editors.all().includes(last) ? last : undefined);
    const model = session?.document.model;
    if (!session || !model) return undefined;
    let tree = this.trees.get(model);
    if (!tree) this.trees.set(model, (tree = moduleTree(model)));
    this.shown = { session, tree };
    return { session, model, tree };
  }

  /** Kernel milliseconds per node name from the model's last test run, when it timed nodes. */
  private times(uri: vscode.Uri): Map<string, number> | undefined {
    const record = this.services.runtimeRecords.get(uri);
    if (!record?.nodeTimes.size) return undefined;
    return new Map([...record.nodeTimes].map(([name, t]) => [name, t.msPerRun]));
  }

  getChildren(item?: Item): Item[] {
    if (!item) {
      const shown = this.current();
      if (!shown) return [];
      const uri = shown.session.uri;
      const times = this.times(uri);
      const items: Item[] = [{ kind: 'module', uri, module: shown.tree.root, times, rootLabel: shown.session.document.fileName }];
      const lines = times ? slowestLines(shown.model, times) : [];
      if (lines.length) items.push({ kind: 'lines', uri, lines: lines.slice(0, SLOWEST_LINES) });
      return items;
    }
    if (item.kind === 'module') return item.module.children.map((module) => ({ kind: 'module', uri: item.uri, module, times: item.times }));
    if (item.kind === 'lines') return item.lines.map((line) => ({ kind: 'line', uri: item.uri, line }));
    return [];
  }

  getTreeItem(item: Item): vscode.TreeItem {
    if (item.kind === 'lines') {
      const tree = new vscode.TreeItem('Slowest lines', vscode.TreeItemCollapsibleState.Collapsed);
      tree.iconPath = new vscode.ThemeIcon('flame');
      tree.tooltip = 'Kernel time of the last test run, summed by the Python line that made each node.';
      return tree;
    }
    if (item.kind === 'line') {
      const { line } = item;
      const tree = new vscode.TreeItem(`${fileNameOf(line.file)}:${line.line}`, vscode.TreeItemCollapsibleState.None);
      tree.description = `${ms(line.time)} · ${nodes(line.nodes.length)}`;
      tree.tooltip = new vscode.MarkdownString().appendCodeblock(line.code ?? '', 'python').appendText(`${line.file}:${line.line}\n${line.nodes.join(', ')}`);
      tree.iconPath = new vscode.ThemeIcon('symbol-event');
      tree.command = { command: OPEN_SOURCE_FRAME_COMMAND, title: 'Open Source Line', arguments: [line.file, line.line] };
      return tree;
    }
    const { module, times } = item;
    const label = item.rootLabel ?? module.name;
    const state = module.children.length ? (item.rootLabel ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None;
    const tree = new vscode.TreeItem(label, state);
    tree.id = `${item.uri.toString()}#${module.path}`;
    const time = times && moduleTime(module, times);
    tree.description = [module.className ? shortClass(module.className) : '', nodes(module.count), time !== undefined ? ms(time) : ''].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${module.path || 'root module'}**`);
    if (module.className) tooltip.appendText(`\n${module.className}`);
    tooltip.appendText(`\n${nodes(module.count)} (${module.own.length} directly)${time !== undefined ? `, ${ms(time)} per run` : ''}`);
    tree.tooltip = tooltip;
    tree.iconPath = new vscode.ThemeIcon(item.rootLabel ? 'file-binary' : 'symbol-module');
    tree.contextValue = 'onnxModule';
    tree.command = { command: REVEAL_MODULE_COMMAND, title: 'Show Module in Graph', arguments: [item.uri.toString(), module.path] };
    return tree;
  }

  /** The module at `path` in the tree last shown for `uri`. */
  moduleAt(uri: string, path: string): ModuleNode | undefined {
    if (this.shown?.session.uri.toString() !== uri) return undefined;
    const find = (m: ModuleNode): ModuleNode | undefined => (m.path === path ? m : m.children.map(find).find(Boolean));
    return find(this.shown.tree.root);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Why the tree is what it is, said once at the top of the view; undefined when there is nothing to say. */
function notice(tree: ModuleTree | undefined): string | undefined {
  if (!tree) return undefined;
  if (tree.from === 'none') return 'This model records no module hierarchy: its nodes carry neither torch name scopes nor scoped names. Export with torch.onnx.export(..., dynamo=True) to get them.';
  if (tree.from === 'scopes') return 'Modules from node names (no classes or stack traces recorded).';
  return undefined;
}

export function registerModuleTree(services: HostServices): vscode.Disposable {
  const provider = new ModuleTreeProvider(services);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const update = () => {
    void vscode.commands.executeCommand('setContext', OPEN_KEY, services.editors.all().length > 0);
    view.message = notice(provider.current()?.tree);
    provider.refresh();
  };
  return vscode.Disposable.from(
    provider,
    view,
    services.editors.onDidBecomeReady(update),
    services.editors.onDidRemove(update),
    services.editors.onDidChangeModel(update),
    services.runtimeRecords.onDidChange(update),
    vscode.window.tabGroups.onDidChangeTabs(update),
    vscode.commands.registerCommand(REVEAL_MODULE_COMMAND, async (uri: unknown, path: unknown) => {
      if (typeof uri !== 'string' || typeof path !== 'string') return;
      const module = provider.moduleAt(uri, path);
      if (!module) return;
      await services.editors.revealNodes(vscode.Uri.parse(uri), nodesUnder(module), module.path || 'Whole model');
    }),
  );
}
