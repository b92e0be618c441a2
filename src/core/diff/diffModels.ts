// The model diff: pair the graphs (match.ts), take unpaired nodes as units (groups.ts), then say per pair
// what changed (nodeChanges.ts, initializers.ts) and at model level (modelLevel.ts). Subgraphs of paired
// nodes are diffed the same way, recursively.
import { UserError } from '../errors.js';
import { GraphIndex } from '../model/graphIndex.js';
import { hasSubgraphs } from '../model/graphQueries.js';
import type { ModelProto } from '../model/proto.js';
import { findGroups } from './groups.js';
import { compareInitializers, type InitializerReaders } from './initializers.js';
import { matchGraphs } from './match.js';
import { modelLevelChanged, modelLevelDiff } from './modelLevel.js';
import { nodeChanges } from './nodeChanges.js';
import type { GraphDiff, InitializerChange, ModelDiff, NodePair, SubgraphDiff, ValuePair } from './types.js';

export interface DiffOptions {
  /** Readers of external data, for initializer values kept outside the model files. */
  readers?: InitializerReaders;
  /** File sizes, reported at model level. */
  fileBytes?: { a: number; b: number };
}

function subgraphDiffs(a: GraphIndex, b: GraphIndex, i: number, j: number, options: DiffOptions): SubgraphDiff[] {
  if (!hasSubgraphs(a.nodes[i]) && !hasSubgraphs(b.nodes[j])) return [];
  const subsA = a.subgraphs(i);
  const subsB = b.subgraphs(j);
  if (!subsA.length && !subsB.length) return [];
  const diffs: SubgraphDiff[] = [];
  const byAttribute = new Map(subsB.map((s) => [s.attribute, s]));
  for (const s of subsA) {
    const other = byAttribute.get(s.attribute);
    if (!other) {
      diffs.push({ attribute: s.attribute, nodes: { a: s.index.nodes.length, b: 0 } });
      continue;
    }
    const diff = diffGraphs(s.index, other.index, options);
    if (graphChanged(diff)) diffs.push({ attribute: s.attribute, diff, nodes: { a: s.index.nodes.length, b: other.index.nodes.length } });
  }
  const names = new Set(subsA.map((s) => s.attribute));
  for (const s of subsB) if (!names.has(s.attribute)) diffs.push({ attribute: s.attribute, nodes: { a: 0, b: s.index.nodes.length } });
  return diffs;
}

export function graphChanged(d: GraphDiff): boolean {
  const c = d.counts;
  return c.changed > 0 || c.removed > 0 || c.added > 0 || c.initializers.changed > 0 || c.initializers.removed > 0 || c.initializers.added > 0;
}

/** Diffs two graphs (indexed); subgraphs of paired nodes recursively. */
export function diffGraphs(a: GraphIndex, b: GraphIndex, options: DiffOptions = {}): GraphDiff {
  const m = matchGraphs(a, b);
  const nodes: NodePair[] = [];
  const pairIndex = new Map<number, number>();
  // In b's topological order: the order the view steps through changes.
  for (const j of b.topologicalOrder()) {
    const i = m.nodeBA[j];
    if (i < 0) continue;
    const changes = nodeChanges(a, b, m, i, j);
    const subgraphs = subgraphDiffs(a, b, i, j, options);
    if (subgraphs.length) changes.subgraphs = subgraphs;
    pairIndex.set(i, nodes.length);
    nodes.push({ a: i, b: j, how: m.nodeHow.get(i)!, changes, changed: Object.keys(changes).length > 0 });
  }
  const { groups, dequantized } = findGroups(a, b, m, pairIndex);
  const values: ValuePair[] = [...m.valueAB].map(([va, vb]) => ({ a: va, b: vb, how: m.valueHow.get(va)! }));
  values.push(...dequantized);

  const changed: InitializerChange[] = [];
  const pairedB = new Set<string>();
  const removed: string[] = [];
  for (const t of a.graph.initializer ?? []) {
    const name = t.name ?? '';
    const other = m.valueAB.get(name);
    const u = other !== undefined ? b.initializer(other) : undefined;
    if (!u) {
      // Paired with a computed value (now computed) or with nothing: either way no longer an initializer here.
      removed.push(name);
      continue;
    }
    pairedB.add(other!);
    const change = compareInitializers(t, u, options.readers);
    if (change) changed.push(change);
  }
  const added = (b.graph.initializer ?? []).map((t) => t.name ?? '').filter((n) => !pairedB.has(n));
  const pairedCount = nodes.length;
  const changedCount = nodes.filter((n) => n.changed).length;
  return {
    nodes,
    groups,
    values,
    initializers: { changed, removed, added },
    counts: {
      nodes: { a: a.nodes.length, b: b.nodes.length },
      paired: pairedCount,
      unchanged: pairedCount - changedCount,
      changed: changedCount,
      removed: a.nodes.length - pairedCount,
      added: b.nodes.length - pairedCount,
      initializers: { a: a.graph.initializer?.length ?? 0, b: b.graph.initializer?.length ?? 0, changed: changed.length, removed: removed.length, added: added.length },
    },
  };
}

export function diffModels(a: ModelProto, b: ModelProto, options: DiffOptions = {}): ModelDiff {
  if (!a.graph || !b.graph) throw new UserError(`The ${a.graph ? 'second' : 'first'} model has no graph.`);
  const graph = diffGraphs(GraphIndex.build(a.graph), GraphIndex.build(b.graph), options);
  const model = modelLevelDiff(a, b, options.fileBytes);
  return { model, graph, identical: !modelLevelChanged(model) && !graphChanged(graph) };
}
