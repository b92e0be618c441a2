// Unpaired nodes as units. Unpaired nodes that feed one another form a component on their side; an a-side
// and a b-side component that write paired values stand for one another (replaced). What is left is
// classified by what it touches: results b holds as initializers (folded), values a held as initializers
// (unfolded), quantize/dequantize/cast nodes in front of one paired node (gained), else removed or inserted.
import type { GraphIndex } from '../model/graphIndex.js';
import type { GraphMatch } from './match.js';
import type { ChangeGroup, GroupKind, ValuePair } from './types.js';

/** Ops a transform puts in front of a node it keeps (quantization, precision casts). */
const wrapperOps = new Set(['QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'Cast']);

class UnionFind {
  private readonly parent: Int32Array;
  constructor(size: number) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }
  union(x: number, y: number): void {
    const [rx, ry] = [this.find(x), this.find(y)];
    if (rx !== ry) this.parent[Math.max(rx, ry)] = Math.min(rx, ry);
  }
}

export interface Groups {
  groups: ChangeGroup[];
  /** Extra value pairs: a dequantized input of b against the float value a read in that slot. */
  dequantized: ValuePair[];
}

/**
 * @param pairIndex position of each paired node in the diff's node list, by side a's index.
 */
export function findGroups(a: GraphIndex, b: GraphIndex, m: GraphMatch, pairIndex: Map<number, number>): Groups {
  const na = a.nodes.length;
  // One union-find over both sides: a's node i is i, b's node j is na + j.
  const uf = new UnionFind(na + b.nodes.length);
  const unpairedA = (i: number) => m.nodeAB[i] < 0;
  const unpairedB = (j: number) => m.nodeBA[j] < 0;
  a.nodes.forEach((node, i) => {
    if (!unpairedA(i)) return;
    for (const input of node.input ?? []) {
      const p = input ? a.producer(input) : undefined;
      if (p && unpairedA(p.index)) uf.union(i, p.index);
    }
  });
  b.nodes.forEach((node, j) => {
    if (!unpairedB(j)) return;
    for (const input of node.input ?? []) {
      const p = input ? b.producer(input) : undefined;
      if (p && unpairedB(p.index)) uf.union(na + j, na + p.index);
    }
    // A paired value written by unpaired nodes on both sides joins them.
    for (const output of node.output ?? []) {
      const va = output ? m.valueBA.get(output) : undefined;
      const p = va ? a.producer(va) : undefined;
      if (p && unpairedA(p.index)) uf.union(p.index, na + j);
    }
  });
  const members = new Map<number, { a: number[]; b: number[] }>();
  const member = (root: number) => {
    let g = members.get(root);
    if (!g) members.set(root, (g = { a: [], b: [] }));
    return g;
  };
  const order = (index: GraphIndex) => index.topologicalOrder();
  for (const i of order(a)) if (unpairedA(i)) member(uf.find(i)).a.push(i);
  for (const j of order(b)) if (unpairedB(j)) member(uf.find(na + j)).b.push(j);

  const groups: ChangeGroup[] = [];
  const dequantized: ValuePair[] = [];
  for (const g of members.values()) {
    if (g.a.length && g.b.length) {
      groups.push({ kind: 'replaced', a: g.a, b: g.b });
      continue;
    }
    if (g.a.length) {
      // Results b now holds as initializers.
      const initializers = outputsPairedWith(a, g.a, (name) => m.valueAB.get(name), (name) => b.initializer(name) !== undefined);
      groups.push(initializers.length ? { kind: 'folded', a: g.a, b: [], initializers } : { kind: 'removed', a: g.a, b: [] });
      continue;
    }
    const unfolded = outputsPairedWith(b, g.b, (name) => m.valueBA.get(name), (name) => a.initializer(name) !== undefined);
    const fed = fedPairedNodes(b, g.b, unpairedB);
    const wrapper = g.b.every((j) => wrapperOps.has(b.nodes[j].opType ?? ''));
    if (wrapper && fed.size === 1 && !g.b.some((j) => (b.nodes[j].output ?? []).some((o) => b.isGraphOutput(o)))) {
      const target = [...fed][0];
      const pair = pairIndex.get(m.nodeBA[target])!;
      groups.push({ kind: 'gained', a: [], b: g.b, pair, ...(unfolded.length ? { initializers: unfolded } : {}) });
      dequantized.push(...dequantizedInputs(a, b, m, g.b, target));
      continue;
    }
    const kind: GroupKind = unfolded.length ? 'unfolded' : 'inserted';
    groups.push({ kind, a: [], b: g.b, ...(unfolded.length ? { initializers: unfolded } : {}) });
  }
  return { groups: mergeGained(groups, b), dequantized };
}

/** Every node gained in front of one pair is one unit ("gained 3 nodes"). */
function mergeGained(groups: ChangeGroup[], b: GraphIndex): ChangeGroup[] {
  const byPair = new Map<number, ChangeGroup>();
  const out: ChangeGroup[] = [];
  for (const g of groups) {
    if (g.kind !== 'gained' || g.pair === undefined) {
      out.push(g);
      continue;
    }
    const first = byPair.get(g.pair);
    if (!first) {
      byPair.set(g.pair, g);
      out.push(g);
      continue;
    }
    first.b.push(...g.b);
    if (g.initializers) first.initializers = [...(first.initializers ?? []), ...g.initializers];
  }
  const rank = new Int32Array(b.nodes.length);
  b.topologicalOrder().forEach((n, r) => (rank[n] = r));
  for (const g of byPair.values()) g.b.sort((x, y) => rank[x] - rank[y]);
  return out;
}

/** Names (on the other side) of the group's outputs that pair with values `isWanted` accepts. */
function outputsPairedWith(index: GraphIndex, nodes: number[], pairOf: (name: string) => string | undefined, isWanted: (other: string) => boolean): string[] {
  const names: string[] = [];
  for (const i of nodes) {
    for (const o of index.nodes[i].output ?? []) {
      const other = o ? pairOf(o) : undefined;
      if (other !== undefined && isWanted(other)) names.push(other);
    }
  }
  return names;
}

/** Paired nodes reading the group's outputs. */
function fedPairedNodes(index: GraphIndex, nodes: number[], unpaired: (i: number) => boolean): Set<number> {
  const fed = new Set<number>();
  for (const i of nodes) {
    for (const o of index.nodes[i].output ?? []) {
      for (const c of o ? index.consumers(o) : []) if (!unpaired(c.index)) fed.add(c.index);
    }
  }
  return fed;
}

/** b's DequantizeLinear outputs that the paired node reads where a read another (float) value. */
function dequantizedInputs(a: GraphIndex, b: GraphIndex, m: GraphMatch, group: number[], target: number): ValuePair[] {
  const inGroup = new Set(group);
  const nodeA = a.nodes[m.nodeBA[target]];
  const pairs: ValuePair[] = [];
  (b.nodes[target].input ?? []).forEach((input, slot) => {
    const p = input ? b.producer(input) : undefined;
    const before = nodeA.input?.[slot];
    if (!p || !inGroup.has(p.index) || p.node.opType !== 'DequantizeLinear' || !before) return;
    if (m.valueAB.get(before) === input || a.initializer(before)) return;
    pairs.push({ a: before, b: input, how: 'dequantized' });
  });
  return pairs;
}
