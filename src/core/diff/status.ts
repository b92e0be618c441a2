// What the diff view paints and steps through: a status per node on each side, and the changes in the order
// of the second model's graph (F7 / Shift+F7).
import type { ChangeGroup, GraphDiff, NodePair, NodeStatus } from './types.js';

export interface NodeStatuses {
  a: NodeStatus[];
  b: NodeStatus[];
  /** Paired node on the other side (-1: none), for synchronized selection. */
  aToB: Int32Array;
  bToA: Int32Array;
}

export function nodeStatuses(diff: GraphDiff): NodeStatuses {
  const { a: na, b: nb } = diff.counts.nodes;
  const a: NodeStatus[] = new Array<NodeStatus>(na).fill('removed');
  const b: NodeStatus[] = new Array<NodeStatus>(nb).fill('inserted');
  const aToB = new Int32Array(na).fill(-1);
  const bToA = new Int32Array(nb).fill(-1);
  for (const p of diff.nodes) {
    a[p.a] = b[p.b] = p.changed ? 'changed' : 'unchanged';
    aToB[p.a] = p.b;
    bToA[p.b] = p.a;
  }
  for (const g of diff.groups) {
    for (const i of g.a) a[i] = g.kind;
    for (const j of g.b) b[j] = g.kind;
  }
  return { a, b, aToB, bToA };
}

/** One stop of change navigation: a changed pair or a group. */
export type DiffStop = { kind: 'pair'; pair: NodePair } | { kind: 'group'; group: ChangeGroup };

/**
 * Changed pairs and groups in the second model's topological order; groups with nodes only in the first
 * model (removed, folded) come last.
 */
export function changeStops(diff: GraphDiff, topologicalB: readonly number[]): DiffStop[] {
  const rank = new Int32Array(diff.counts.nodes.b);
  topologicalB.forEach((n, r) => (rank[n] = r));
  const stops: Array<{ at: number; stop: DiffStop }> = [];
  for (const pair of diff.nodes) if (pair.changed) stops.push({ at: rank[pair.b], stop: { kind: 'pair', pair } });
  for (const group of diff.groups) {
    const at = group.b.length ? Math.min(...group.b.map((j) => rank[j])) : group.pair !== undefined ? rank[diff.nodes[group.pair].b] : Number.MAX_SAFE_INTEGER;
    stops.push({ at, stop: { kind: 'group', group } });
  }
  return stops.sort((x, y) => x.at - y.at).map((s) => s.stop);
}
