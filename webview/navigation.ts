// Moving through the graph from the keyboard and by opening things: the box the selection steps to along
// the edges, and the graph a node opens (its first subgraph, or the function it calls).
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { Scene, SceneItem } from './scene.js';

/**
 * Alt+Down / Alt+Up: from the selected box to the leftmost box it feeds (`down`) or that feeds it. With
 * nothing selected, the first box; undefined when there is nowhere to go.
 */
export function stepTarget(scene: Scene, selected: string | undefined, down: boolean): SceneItem | undefined {
  if (!selected) return scene.items.find((i) => !(i.kind === 'group' && i.expanded));
  const next = scene.edges.filter((e) => (down ? e.from === selected : e.to === selected)).map((e) => scene.byId.get(down ? e.to : e.from)!);
  next.sort((a, b) => a.x - b.x);
  return next[0];
}

/** The graph id node `index` opens: its first subgraph, or the model-local function it calls. */
export function openTarget(graph: GraphView | undefined, index: number): string | undefined {
  const node = graph?.nodes[index];
  return node ? node.subgraphs?.[0]?.graph ?? node.calls : undefined;
}
