// What the model editor lays over a model's graph after a diff: a paint per node of its main graph, the
// hover lines of each coloured node, the legend's counts, the nodes of the other model that this one does
// not have (they are not in its graph, so the legend lists them), the change stops for F7 / Shift+F7, and
// each node's partner on the other side (side by side, selection and camera follow it). The second
// (newer) model gets one (`diffOverlay`), and the first too when both are shown side by side
// (`firstSideOverlay`). Pure: the host computes them, the webview only draws them.
import type { GraphProto, NodeProto } from '../model/proto.js';
import type { DivergenceHeat } from './divergenceHeat.js';
import { nodePartners } from './partners.js';
import { changeStops, nodeStatuses } from './status.js';
import type { ChangeGroup, GraphDiff, GroupKind, NodeChanges, NodePair, NodeStatus } from './types.js';

/**
 * How a node is painted: the statuses the legend names. Nodes of a group (replaced, gained in front of a
 * paired node, unfolded from initializers) are one 'replaced' unit. 'removed' is painted on the first
 * model only (side by side); 'inserted' on the second only.
 */
export type DiffPaint = 'unchanged' | 'changed' | 'inserted' | 'replaced' | 'removed';

export interface DiffOverlay {
  /** Which model of the diff this overlay is laid over; absent: the second. */
  side?: 'first' | 'second';
  /** The other model's file name, for the legend. */
  otherName: string;
  /** Per node of this model's main graph, by index. */
  paint: DiffPaint[];
  /** Hover lines of each coloured node, by index. */
  notes: Record<number, string[]>;
  /**
   * Painted nodes per status, except the status of the other model's nodes this one lacks (`removed` on
   * the second side, `inserted` on the first): that one counts them.
   */
  counts: Record<DiffPaint, number>;
  /** Nodes of the other model not in this one (the first `removedLimit`), and why. */
  removed: Array<{ op: string; name: string; why: GroupKind }>;
  /** Node of this model each change stop selects, in its topological order. */
  stops: number[];
  /** Stops that have no node in this model (only in the other): listed, not stepped to. */
  stopsOnlyInFirst: number;
  /** Per node of this model's main graph: its partner in the other model's (-1: none), for side by side. */
  partners: number[];
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

/** How a node of the first model is painted, side by side. */
export function firstPaintOf(status: NodeStatus): DiffPaint {
  return status === 'unchanged' || status === 'changed' ? status : status === 'replaced' ? 'replaced' : 'removed';
}

const nodeLabel = (node: NodeProto | undefined, index: number) => `${node?.opType ?? '?'} ${node?.name || `#${index}`}`;
const shown = (text: string | undefined) => (text === undefined || text === '' ? '—' : text);

/** `other`: the other model's graph, `otherIndex`: the partner's index there; `first`: notes for the first model's node. */
function pairNotes(pair: NodePair, other: GraphProto, otherIndex: number, first = false): string[] {
  const c: NodeChanges = pair.changes;
  const lines: string[] = [];
  if (c.renamed) lines.push(first ? `renamed to ${shown(c.renamed.after)}` : `renamed from ${shown(c.renamed.before)}`);
  for (const x of c.attributes ?? []) lines.push(`attribute ${x.name}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.inputs ?? []) lines.push(`input ${x.slot}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.outputs ?? []) lines.push(`output ${x.slot}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.types ?? []) lines.push(`type of ${x.value}: ${shown(x.before)} → ${shown(x.after)}`);
  for (const x of c.subgraphs ?? []) lines.push(`body ${x.attribute} differs (${x.nodes.a} → ${x.nodes.b} nodes)`);
  if (!lines.length) lines.push(`paired with ${nodeLabel(other.node?.[otherIndex], otherIndex)}`);
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
  const counts: Record<DiffPaint, number> = { unchanged: 0, changed: 0, inserted: 0, replaced: 0, removed: 0 };
  for (const p of paint) counts[p]++;
  const notes: Record<number, string[]> = {};
  for (const pair of diff.nodes) if (pair.changed) notes[pair.b] = pairNotes(pair, a, pair.a).slice(0, noteLimit);
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
  return { otherName, paint, notes, counts, removed, stops, stopsOnlyInFirst, partners: nodePartners(diff).bToA };
}

function firstGroupNotes(group: ChangeGroup, b: GraphProto): string[] {
  const names = group.b.slice(0, 4).map((j) => nodeLabel(b.node?.[j], j)).join(', ') + (group.b.length > 4 ? `, … ${group.b.length - 4} more` : '');
  switch (group.kind) {
    case 'replaced':
      return [`replaced by ${group.b.length} node${group.b.length === 1 ? '' : 's'} of the second model: ${names}`, `one of ${group.a.length} replaced nodes`];
    case 'folded':
      return [`folded into initializer${(group.initializers?.length ?? 0) === 1 ? '' : 's'} ${(group.initializers ?? []).join(', ')}`];
    case 'removed':
      return ['not in the second model'];
    default:
      return [];
  }
}

/**
 * The overlay of `diff` on the first model's graph `a`, for the side-by-side view: removed and folded
 * nodes painted 'removed', replaced groups 'replaced', pairs as on the second side; the second model's
 * nodes this one lacks are listed (counted as 'inserted'). `topologicalA`: a's node order for stepping.
 */
export function firstSideOverlay(diff: GraphDiff, a: GraphProto, b: GraphProto, topologicalA: readonly number[], otherName: string): DiffOverlay {
  const statuses = nodeStatuses(diff);
  const paint = statuses.a.map(firstPaintOf);
  const counts: Record<DiffPaint, number> = { unchanged: 0, changed: 0, inserted: 0, replaced: 0, removed: 0 };
  for (const p of paint) counts[p]++;
  const notes: Record<number, string[]> = {};
  for (const pair of diff.nodes) if (pair.changed) notes[pair.a] = pairNotes(pair, b, pair.b, true).slice(0, noteLimit);
  for (const group of diff.groups) {
    const lines = firstGroupNotes(group, b).slice(0, noteLimit);
    for (const i of group.a) notes[i] = lines;
  }
  const removed: DiffOverlay['removed'] = [];
  statuses.b.forEach((s, j) => {
    if (s === 'unchanged' || s === 'changed') return;
    counts.inserted++;
    if (removed.length < removedLimit) removed.push({ op: b.node?.[j]?.opType ?? '?', name: b.node?.[j]?.name ?? '', why: s });
  });
  const rank = new Int32Array(diff.counts.nodes.a);
  topologicalA.forEach((n, r) => (rank[n] = r));
  const at: number[] = [];
  let stopsOnlyInFirst = 0;
  for (const pair of diff.nodes) if (pair.changed) at.push(pair.a);
  for (const group of diff.groups) {
    const first = group.a.length ? group.a.reduce((x, y) => (rank[y] < rank[x] ? y : x)) : group.pair !== undefined ? diff.nodes[group.pair].a : -1;
    if (first >= 0) at.push(first);
    else stopsOnlyInFirst++;
  }
  const stops = [...new Set(at)].sort((x, y) => rank[x] - rank[y]);
  return { side: 'first', otherName, paint, notes, counts, removed, stops, stopsOnlyInFirst, partners: nodePartners(diff).aToB };
}
