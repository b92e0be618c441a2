// Child process: lays out one graph (JSON {nodes, edges} from the runner) with our layout or with dagre,
// and prints {ms, rssKB} or {error}. Both get the same nodes, sizes, edges and spacing. With a third
// argument `quality`, also the drawing's crossings, edge length and area, counted after the clock stops
// by the same code for both engines.
import dagre from '@dagrejs/dagre';
import { readFileSync } from 'node:fs';
import { layoutGraph, type LayoutEdge, type LayoutNode } from '../../src/core/layout/index.js';
import { drawingQuality, type Drawing } from '../lib/layoutQuality.js';

const [engine, path, extra] = process.argv.slice(2);
const { nodes, edges } = JSON.parse(readFileSync(path, 'utf8')) as { nodes: LayoutNode[]; edges: LayoutEdge[] };
const spacing = { nodeSep: 20, rankSep: 30, edgeSep: 10 };

function runDagre(): () => Drawing {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: spacing.nodeSep, ranksep: spacing.rankSep, edgesep: spacing.edgeSep });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  return () => ({
    // dagre's x, y are the node's centre.
    nodes: new Map(g.nodes().map((id) => {
      const n = g.node(id);
      return [id, { cx: n.x, cy: n.y, width: n.width, height: n.height }];
    })),
    edges: g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] })),
  });
}

function runOurs(): () => Drawing {
  const result = layoutGraph(nodes, edges, { direction: 'TB', ...spacing });
  return () => ({
    // Ours gives the top-left corner.
    nodes: new Map(Object.entries(result.nodes).map(([id, n]) => [id, { cx: n.x + n.width / 2, cy: n.y + n.height / 2, width: n.width, height: n.height }])),
    // Duplicate input edges are one drawn edge, as dagre (no multigraph) keeps them.
    edges: [...new Map(result.edges.map((e) => [`${e.from}\n${e.to}`, e])).values()],
  });
}

const start = performance.now();
try {
  const drawing = engine === 'dagre' ? runDagre() : runOurs();
  const ms = performance.now() - start;
  const rssKB = process.resourceUsage().maxRSS;
  const quality = extra === 'quality' ? drawingQuality(drawing()) : undefined;
  console.log(JSON.stringify({ ms, rssKB, ...(quality ? { quality } : {}) }));
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.log(JSON.stringify({ error: message.split('\n')[0], ms: performance.now() - start }));
}
