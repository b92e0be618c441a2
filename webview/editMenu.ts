// What VS Code's context menu on the graph knows about the place right-clicked: the webview puts it in
// `data-vscode-context` on the canvas just before the menu opens (the canvas is one element, so the
// place is found by hit testing). The keys become context keys for package.json's `webview/context`
// when-clauses and arrive as the command's argument (src/commands/editCommands.ts reads them).
import { nodeOrigin } from '../src/core/graph/controlFlow.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { SceneEdge, SceneItem } from './scene.js';

export interface MenuContext {
  webviewSection: 'node' | 'value' | 'model';
  /** Keeps Cut/Copy/Paste out of a menu about graph items. */
  preventDefaultContextMenuItems: true;
  graph?: string;
  node?: number;
  value?: string;
  /** A value's part in the main graph: which edits apply to it. */
  'onnxLens.valueRole'?: 'input' | 'output' | 'initializer' | 'value';
  /** A main-graph node with a result that is not a graph output yet. */
  'onnxLens.canExpose'?: boolean;
}

function valueContext(graph: GraphView, index: number): MenuContext {
  const value = graph.values[index];
  const own = value.graph ?? graph.id;
  const role = value.output ? 'output' : value.kind === 'input' ? 'input' : value.kind === 'initializer' ? 'initializer' : value.kind === 'value' ? 'value' : undefined;
  const context: MenuContext = { webviewSection: 'value', preventDefaultContextMenuItems: true, graph: own, value: value.name };
  // Signature and output edits are about the main graph only.
  if (role && own === '') context['onnxLens.valueRole'] = role;
  return context;
}

export function menuContext(graph: GraphView, item?: SceneItem, edge?: SceneEdge): MenuContext {
  if (item?.kind === 'node' && graph.nodes[item.index]) {
    const origin = nodeOrigin(graph, item.index);
    const context: MenuContext = { webviewSection: 'node', preventDefaultContextMenuItems: true, graph: origin.graph, node: origin.index };
    const node = graph.nodes[item.index];
    if (origin.graph === '' && node.outputs.some((v) => v >= 0 && !graph.values[v]?.output)) context['onnxLens.canExpose'] = true;
    return context;
  }
  if ((item?.kind === 'input' || item?.kind === 'output') && graph.values[item.index]) return valueContext(graph, item.index);
  // An edge carries one value; a bundle between collapsed groups carries several, and is not one thing to edit.
  if (edge && edge.values.length === 1 && graph.values[edge.values[0]]) return valueContext(graph, edge.values[0]);
  return { webviewSection: 'model', preventDefaultContextMenuItems: true };
}
