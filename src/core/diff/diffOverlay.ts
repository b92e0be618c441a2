// What the model editor lays over the second model's graph after a diff: a paint per node of its main
// graph, the hover lines of each coloured node, the legend's counts, the nodes of the first model that
// the second no longer has (they are not in its graph, so the legend lists them), and the change stops
// for F7 / Shift+F7. Pure: the host computes it, the webview only draws it.
import type { GraphProto, NodeProto } from '../model/proto.js';
import type { DivergenceHeat } from './divergenceHeat.js';
import { changeStops, nodeStatuses } from './status.js';
import type { ChangeGroup, GraphDiff, GroupKind, NodeChanges, NodePair, NodeStatus } from './types.js';

/**
 * How a node of the second model is painted: the four the legend names. Nodes of a group (replaced,
 * gained in front of a paired node, unfolded from initializers) are one 'replaced' unit.
 */
export type DiffPaint = 'unchanged' | 'changed' | 'inserted' | 'replaced';

export interface DiffOverlay {
  /** The first model's file name, for the legend. */
  otherName: string;
  /** Per node of the second model's main graph, by index. */
  paint: DiffPaint[];
  /** Hover lines of each coloured node, by index. */
  notes: Record<number, string[]>;
  counts: Record<DiffPaint, number> & { removed: number };
  /** Nodes of the first model not in the second (the first `removedLimit`), and why they are gone. */
  removed: Array<{ op: string; name: string; why: GroupKind }>;
  /** Node of the second model each change stop selects, in its topological order. */
  stops: number[];
  /** Stops that have no node in the second model (removed or folded groups): listed, not stepped to. */
  stopsOnlyInFirst: number;
  /** After both models ran on the same inputs: where and how far their numbers part. */
  divergence?: DivergenceHeat;
}

/** At most this many removed nodes travel to the legend; the count says the rest. */
export const removedLimit = 200;
/** At most this many hover lines per node. */
const noteLimit = 12;

export function paintOf(status: NodeStatus): DiffPaint | undefined {
  switch (status) {
    case 'unchanged':
    case 'changed':
    case 'inserted':
      return status;
    case 'replaced':
    case 'gained':
    case 'unfolded':
      return 'replaced';
    default:
      // removed, folded: nodes of the first model only.
      return undefined;
  }
}

const nodeLabel = (node: NodeProto | undefined, index: number) => `${node?.opType ?? '?'} ${node?.name || `#${index}`}`;
const shown = (text: string | undefined) => (text === undefined || text === '' ? '—' : text);

function pairNotes(pair: NodePair, a: GraphProto): string[] {
  const c: NodeChanges = pair.changes;
  const lines: string[] = [];
  if (c.renamed) lines.push(`renamed from ${shown(c.renamed.before)}`);
  for (const x of c.attributes ?? []) lines.push(`attribute ${x.name}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.inputs ?? []) lines.push(`input ${x.slot}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.outputs ?? []) lines.push(`output ${x.slot}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.types ?? []) lines.push(`type of ${x.value}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.subgraphs ?? []) lines.push(`body ${x.attribute} differs (${x.nodes.a} → ${x.nodes.b} nodes)`);
  if (!lines.length) lines.push(`paired with ${nodeLabel(a.node?.[pair.a], pair.a)}`);
  return lines;
}

function groupNotes(group: ChangeGroup, diff: GraphDiff, a: GraphProto, b: GraphProto): string[] {
  const list = (graph: GraphProto, nodes: number[]) => {
    const names = nodes.slice(0, 4).map((i) => nodeLabel(graph.node?.[i], i));
    return nodes.length > 4 ? `${names.join(', ')}, … ${nodes.length - 4} more` : names.join(', ');
  };
  switch (group.kind) {
    case 'replaced':
      return [`replaces ${group.a.length} node${group.a.length === 1 ? '' : 's'} of the first model: ${list(a, group.a)}`, `one of ${group.b.length} replacing nodes`];
    case 'gained': {
      const pair = group.pair !== undefined ? diff.nodes[group.pair] : undefined;
      const reader = pair ? nodeLabel(b.node?.[pair.b], pair.b) : 'a paired node';
      return [`inserted in front of ${reader}`, ...(group.initializers?.length ? [`computing what was initializer ${group.initializers.join(', ')}`] : [])];
    }
    case 'unfolded':
      return [`computes what the first model held as initializer${(group.initializers?.length ?? 0) === 1 ? '' : 's'} ${(group.initializers ?? []).join(', ')}`];
    case 'inserted':
      return ['not in the first model'];
    default:
      return [];
  }
}

/** The overlay of `diff` (first model's graph `a`, second's `b`) on `b`; `topologicalB`: b's node order for stepping. */
export function diffOverlay(diff: GraphDiff, a: GraphProto, b: GraphProto, topologicalB: readonly number[], otherName: string): DiffOverlay {
  const statuses = nodeStatuses(diff);
  const paint: DiffPaint[] = statuses.b.map((s) => paintOf(s) ?? 'inserted');
  const counts = { unchanged: 0, changed: 0, inserted: 0, replaced: 0, removed: 0 };
  for (const p of paint) counts[p]++;
  const notes: Record<number, string[]> = {};
  for (const pair of diff.nodes) if (pair.changed) notes[pair.b] = pairNotes(pair, a).slice(0, noteLimit);
  for (const group of diff.groups) {
    const lines = groupNotes(group, diff, a, b).slice(0, noteLimit);
    for (const j of group.b) notes[j] = lines;
  }
  const removed: DiffOverlay['removed'] = [];
  statuses.a.forEach((s, i) => {
    // Unpaired nodes of the first model: removed, folded, or the first side of a replaced group.
    if (s === 'unchanged' || s === 'changed') return;
    counts.removed++;
    if (removed.length < removedLimit) removed.push({ op: a.node?.[i]?.opType ?? '?', name: a.node?.[i]?.name ?? '', why: s });
  });
  const stops: number[] = [];
  let stopsOnlyInFirst = 0;
  for (const stop of changeStops(diff, topologicalB)) {
    const at = stop.kind === 'pair' ? stop.pair.b : stop.group.b.length ? stop.group.b[0] : stop.group.pair !== undefined ? diff.nodes[stop.group.pair].b : -1;
    if (at >= 0) stops.push(at);
    else stopsOnlyInFirst++;
  }
  return { otherName, paint, notes, counts, removed, stops, stopsOnlyInFirst };
}
