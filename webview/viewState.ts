// What the canvas remembers per graph (open groups, camera, selected box) and how a graph first opens.
import { controlPath, dispatcherNode } from '../src/core/graph/controlFlow.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { Camera } from './camera.js';

/** `slot`: the folded constant input the user clicked inside a node's box. */
export type Selection = { kind: 'node' | 'group' | 'value'; index: number; slot?: number } | null;

export interface ViewState {
  expanded: string[];
  camera?: Camera;
  selected?: string;
}

/**
 * How a graph opens: every group expanded when it has at most `collapseAbove` drawn nodes; else all
 * collapsed, except a lone outer scope (`/model/...`) that would leave a single box to click. A graph that
 * is only a dispatcher around one If/Loop/Scan (`inside` says how many nodes a subgraph holds) opens with
 * that node's bodies shown in place.
 */
export function defaultViewState(graph: GraphView, collapseAbove: number, inside?: (id: string) => number): ViewState {
  const drawn = graph.nodes.reduce((n, node) => n + (node.hidden ? 0 : 1), 0);
  const dispatcher = inside ? dispatcherNode(graph, inside, collapseAbove) : undefined;
  if (dispatcher !== undefined) {
    const expanded = graph.groups.map((g) => g.path);
    expanded.push(controlPath(graph.id, dispatcher));
    return { expanded };
  }
  if (drawn <= collapseAbove) return { expanded: graph.groups.map((g) => g.path) };
  const expanded: string[] = [];
  let parent = -1;
  for (;;) {
    const children: number[] = [];
    graph.groups.forEach((g, i) => g.parent === parent && children.push(i));
    if (children.length !== 1) break;
    // Expand it when it holds nearly everything at this level (a few direct nodes, like an lm_head, aside).
    const atLevel = parent < 0 ? drawn : graph.groups[parent].size;
    if (graph.groups[children[0]].size < 0.8 * atLevel) break;
    expanded.push(graph.groups[children[0]].path);
    parent = children[0];
  }
  return { expanded };
}
