// Child process: lays out one graph (JSON {nodes, edges} from the runner) with our layout or with dagre,
// and prints {ms, rssKB} or {error}. Both get the same nodes, sizes, edges and spacing.
import dagre from '@dagrejs/dagre';
import { readFileSync } from 'node:fs';
import { layoutGraph, type LayoutEdge, type LayoutNode } from '../../src/core/layout/index.js';

const [engine, path] = process.argv.slice(2);
const { nodes, edges } = JSON.parse(readFileSync(path, 'utf8')) as { nodes: LayoutNode[]; edges: LayoutEdge[] };
const spacing = { nodeSep: 20, rankSep: 30, edgeSep: 10 };

function runDagre(): number {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: spacing.nodeSep, ranksep: spacing.rankSep, edgesep: spacing.edgeSep });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  return g.nodeCount();
}

function runOurs(): number {
  return Object.keys(layoutGraph(nodes, edges, { direction: 'TB', ...spacing }).nodes).length;
}

const start = performance.now();
try {
  const placed = engine === 'dagre' ? runDagre() : runOurs();
  const ms = performance.now() - start;
  console.log(JSON.stringify({ ms, rssKB: process.resourceUsage().maxRSS, placed }));
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.log(JSON.stringify({ error: message.split('\n')[0], ms: performance.now() - start }));
}
