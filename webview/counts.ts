// The counts the editor says in words, the same way in the panel and the status bar: nodes drawn (the
// Constant nodes folded into their consumers counted apart), weights wherever they are kept, and which
// numbering a node's index uses. DOM-free.
import { formatBytes, formatCount } from '../src/core/format.js';
import type { GraphView, ModelView } from '../src/core/graph/viewModelTypes.js';
import type { Scene } from './scene.js';

/**
 * The status line: `1,234 nodes · 56 shown, 7 collapsed groups`, and with bodies shown in place
 * `· 685 in place from 3 subgraphs`. Nodes are drawn nodes, as in the panel: the Constant nodes folded
 * into their consumers are not counted.
 */
export function statusText(graph: GraphView, scene: Scene): string {
  let drawn = 0;
  let inline = 0;
  for (const n of graph.nodes) {
    if (n.hidden) continue;
    if (n.origin) inline++;
    else drawn++;
  }
  const shown = scene.items.filter((i) => i.kind === 'node').length;
  const groups = scene.items.filter((i) => i.kind === 'group' && !i.expanded).length;
  const bodies = graph.groups.filter((g) => g.kind === 'body').length;
  return (
    `${formatCount(drawn)} ${drawn === 1 ? 'node' : 'nodes'}` +
    (shown < drawn + inline ? ` · ${formatCount(shown)} shown, ${formatCount(groups)} collapsed groups` : '') +
    (bodies ? ` · ${formatCount(inline)} in place from ${formatCount(bodies)} ${bodies === 1 ? 'subgraph' : 'subgraphs'}` : '')
  );
}

/**
 * Which numbering an index uses: `#12 of 40` when every node is drawn; else the file's order with the
 * folded Constant nodes counted, and the place among drawn nodes (`#234 in the file · #120 of 166 drawn`).
 */
export function indexText(graph: GraphView, index: number): string {
  const origin = graph.nodes[index]?.origin;
  if (origin) {
    // A node of a body shown in place: numbered in its own subgraph.
    const body = graph.groups.find((g) => g.kind === 'body' && g.graph === origin.graph);
    return `#${origin.index} in ${body ? `${graph.groups[body.parent]?.name ?? ''} ▸ ${body.name}`.trim() : 'its subgraph'}`;
  }
  let drawn = 0;
  let before = 0;
  graph.nodes.forEach((n, i) => {
    if (n.hidden || n.origin) return;
    drawn++;
    if (i < index) before++;
  });
  const total = graph.nodes.filter((n) => !n.origin).length;
  if (drawn === total) return `#${index} of ${formatCount(total)}`;
  const place = graph.nodes[index]?.hidden ? 'folded into its consumers' : `#${before} of ${formatCount(drawn)} drawn`;
  return `#${index} in the file (Constant nodes counted) · ${place}`;
}

export function nodeCountText(model: ModelView): string {
  const { nodes, folded } = model.stats;
  const graphs = model.graphs.length > 1 ? `, ${formatCount(nodes.all)} in all graphs` : '';
  const constants = folded.all ? ` (${formatCount(folded.all)} Constant ${folded.all === 1 ? 'node' : 'nodes'} folded into ${folded.all === 1 ? 'its consumers' : 'their consumers'} not counted)` : '';
  return `${formatCount(nodes.main)} in the main graph${graphs}${constants}`;
}

/** `0 initializers, 0 B · 342 constants, 4.6 MiB`: weights wherever the model keeps them. */
export function weightsText(model: ModelView): string {
  const init = model.summary.initializers;
  const text = `${formatCount(init.count)} ${init.count === 1 ? 'initializer' : 'initializers'}, ${formatBytes(init.bytes)}`;
  const c = model.stats.constants;
  return c.count ? `${text} · ${formatCount(c.count)} ${c.count === 1 ? 'constant' : 'constants'}, ${formatBytes(c.bytes)} (in Constant nodes)` : text;
}
