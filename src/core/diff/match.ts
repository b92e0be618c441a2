// Pairs the nodes and values of two graphs. First by name (nodes of the same name and op; values of the
// same name), then by propagation to a fixed point: paired nodes pair their outputs by index and their
// unpaired inputs by slot; a value pair pairs its producers when they run the same op; unpaired nodes
// whose inputs are all paired (or constants) pair when their op and paired inputs agree. That last rule
// finds renamed and re-exported graphs from the graph inputs onwards.
import type { GraphIndex } from '../model/graphIndex.js';
import type { NodeProto } from '../model/proto.js';
import { tensorDims } from '../model/tensorValues.js';
import type { NodeMatchKind, ValueMatchKind } from './types.js';

export interface GraphMatch {
  /** Side b's node index per side a node, or -1. */
  nodeAB: Int32Array;
  nodeBA: Int32Array;
  nodeHow: Map<number, NodeMatchKind>;
  valueAB: Map<string, string>;
  valueBA: Map<string, string>;
  valueHow: Map<string, ValueMatchKind>;
}

/** Every name a graph defines, in a stable order: inputs, initializers, node outputs (a repeat is harmless to the caller). */
function* definedValues(index: GraphIndex): Generator<string> {
  const g = index.graph;
  for (const v of g.input ?? []) if (v.name) yield v.name;
  for (const t of g.initializer ?? []) if (t.name) yield t.name;
  for (const node of g.node ?? []) for (const o of node.output ?? []) if (o) yield o;
}

const opKey = (n: NodeProto) => `${n.domain || ''}:${n.opType ?? ''}/${(n.output ?? []).length}`;

/** Names used once on their side; a name used twice (invalid, but seen) pairs nothing. */
function uniqueNames(nodes: NodeProto[], name: (n: NodeProto) => string | null | undefined): Map<string, number> {
  const map = new Map<string, number>();
  const dup = new Set<string>();
  nodes.forEach((n, i) => {
    const k = name(n);
    if (!k) return;
    if (map.has(k)) dup.add(k);
    else map.set(k, i);
  });
  for (const k of dup) map.delete(k);
  return map;
}

/** A node without inputs (Constant, RandomNormal...) is known by its attributes. */
function attributeKey(node: NodeProto): string {
  return (node.attribute ?? []).map((a) => {
    const t = a.t;
    const tensor = t ? `${t.dataType}[${tensorDims(t).join(',')}]${t.rawData?.length ?? 0}` : '';
    return `${a.name}=${a.i ?? ''}${a.f ?? ''}${a.ints?.join(',') ?? ''}${a.floats?.join(',') ?? ''}${tensor}`;
  }).join(';');
}

class Matcher {
  readonly nodeAB: Int32Array;
  readonly nodeBA: Int32Array;
  readonly nodeHow = new Map<number, NodeMatchKind>();
  readonly valueAB = new Map<string, string>();
  readonly valueBA = new Map<string, string>();
  readonly valueHow = new Map<string, ValueMatchKind>();
  private readonly nodeQueue: number[] = [];
  private readonly valueQueue: string[] = [];
  /** Unpaired nodes whose structural key may have changed, per side. */
  private readonly dirty: [Set<number>, Set<number>] = [new Set(), new Set()];
  private readonly keyOf: [Map<number, string>, Map<number, string>] = [new Map(), new Map()];
  private readonly buckets: [Map<string, Set<number>>, Map<string, Set<number>>] = [new Map(), new Map()];
  private readonly position: [Int32Array, Int32Array];

  constructor(private readonly a: GraphIndex, private readonly b: GraphIndex) {
    this.nodeAB = new Int32Array(a.nodes.length).fill(-1);
    this.nodeBA = new Int32Array(b.nodes.length).fill(-1);
    this.position = [a, b].map((index) => {
      const pos = new Int32Array(index.nodes.length);
      index.topologicalOrder().forEach((n, i) => (pos[n] = i));
      return pos;
    }) as [Int32Array, Int32Array];
  }

  run(): void {
    const [na, nb] = [this.a.nodes, this.b.nodes];
    // Same name and op.
    const byName = uniqueNames(nb, (n) => n.name);
    uniqueNames(na, (n) => n.name).forEach((i, name) => {
      const j = byName.get(name);
      if (j !== undefined && opKey(na[i]) === opKey(nb[j])) this.pairNodes(i, j, 'name');
    });
    // Unnamed (or renamed) nodes that still write the same first output.
    const byOutput = uniqueNames(nb, (n) => n.output?.[0]);
    uniqueNames(na, (n) => n.output?.[0]).forEach((i, name) => {
      const j = byOutput.get(name);
      if (j !== undefined && this.nodeAB[i] < 0 && this.nodeBA[j] < 0 && opKey(na[i]) === opKey(nb[j])) this.pairNodes(i, j, 'output');
    });
    for (const name of definedValues(this.a)) if (this.b.defines(name)) this.pairValues(name, name, 'name');
    for (const o of this.b.graph.output ?? []) if (o.name && this.a.isGraphOutput(o.name)) this.pairValues(o.name, o.name, 'name');
    this.pairByPosition();
    this.propagate();
    for (let i = 0; i < na.length; i++) if (this.nodeAB[i] < 0) this.dirty[0].add(i);
    for (let j = 0; j < nb.length; j++) if (this.nodeBA[j] < 0) this.dirty[1].add(j);
    for (;;) {
      const touched = this.rekey();
      let paired = false;
      for (const key of touched) paired = this.pairBucket(key) || paired;
      if (!paired) break;
      this.propagate();
    }
  }

  /** Graph inputs and outputs left unpaired at the same position. */
  private pairByPosition(): void {
    const sides = [this.a.graph, this.b.graph];
    const initA = new Set((sides[0].initializer ?? []).map((t) => t.name));
    const initB = new Set((sides[1].initializer ?? []).map((t) => t.name));
    const inputsA = (sides[0].input ?? []).filter((v) => !initA.has(v.name));
    const inputsB = (sides[1].input ?? []).filter((v) => !initB.has(v.name));
    inputsA.forEach((v, i) => {
      const w = inputsB[i];
      if (v.name && w?.name && inputsA.length === inputsB.length) this.pairValues(v.name, w.name, 'position');
    });
    const outA = sides[0].output ?? [];
    const outB = sides[1].output ?? [];
    outA.forEach((v, i) => {
      const w = outB[i];
      if (v.name && w?.name && outA.length === outB.length) this.pairValues(v.name, w.name, 'position');
    });
  }

  private pairNodes(i: number, j: number, how: NodeMatchKind): void {
    if (this.nodeAB[i] >= 0 || this.nodeBA[j] >= 0) return;
    this.nodeAB[i] = j;
    this.nodeBA[j] = i;
    this.nodeHow.set(i, how);
    this.unbucket(0, i);
    this.unbucket(1, j);
    this.nodeQueue.push(i);
  }

  private pairValues(va: string, vb: string, how: ValueMatchKind): void {
    if (this.valueAB.has(va) || this.valueBA.has(vb)) return;
    this.valueAB.set(va, vb);
    this.valueBA.set(vb, va);
    this.valueHow.set(va, how);
    this.valueQueue.push(va);
  }

  private propagate(): void {
    const [na, nb] = [this.a.nodes, this.b.nodes];
    while (this.nodeQueue.length || this.valueQueue.length) {
      for (let i = this.nodeQueue.pop(); i !== undefined; i = this.nodeQueue.pop()) {
        const j = this.nodeAB[i];
        const [x, y] = [na[i], nb[j]];
        (x.output ?? []).forEach((o, k) => {
          const p = y.output?.[k];
          if (o && p) this.pairValues(o, p, 'output');
        });
        (x.input ?? []).forEach((input, k) => {
          const other = y.input?.[k];
          if (input && other && !this.valueAB.has(input) && !this.valueBA.has(other) && this.isDefined(0, input) && this.isDefined(1, other)) this.pairValues(input, other, 'slot');
        });
      }
      for (let va = this.valueQueue.pop(); va !== undefined; va = this.valueQueue.pop()) {
        const vb = this.valueAB.get(va)!;
        const pa = this.a.producer(va);
        const pb = this.b.producer(vb);
        if (pa && pb && pa.outputIndex === pb.outputIndex && this.nodeAB[pa.index] < 0 && this.nodeBA[pb.index] < 0 && opKey(pa.node) === opKey(pb.node)) {
          this.pairNodes(pa.index, pb.index, 'structure');
        }
        for (const c of this.a.consumers(va)) if (this.nodeAB[c.index] < 0) this.dirty[0].add(c.index);
        for (const c of this.b.consumers(vb)) if (this.nodeBA[c.index] < 0) this.dirty[1].add(c.index);
      }
    }
  }

  /** Defined in this graph itself (a captured outer name pairs by name only). */
  private isDefined(side: 0 | 1, name: string): boolean {
    return (side === 0 ? this.a : this.b).defines(name);
  }

  /**
   * The op and what feeds each input: a paired value (by side a's name), an unpaired constant (by type
   * and shape), or a captured outer name. Undefined while an input is still unknown.
   */
  private structuralKey(side: 0 | 1, index: number): string | undefined {
    const g = side === 0 ? this.a : this.b;
    const node = g.nodes[index];
    const inputs = node.input ?? [];
    const parts = [opKey(node)];
    let anchored = false;
    for (const name of inputs) {
      if (!name) {
        parts.push('-');
        continue;
      }
      const paired = side === 0 ? (this.valueAB.has(name) ? name : undefined) : this.valueBA.get(name);
      if (paired !== undefined) {
        parts.push(`p${paired}`);
        anchored = true;
        continue;
      }
      const constant = g.initializer(name);
      if (constant) {
        parts.push(`c${constant.dataType}[${tensorDims(constant).join(',')}]`);
        continue;
      }
      if (!g.defines(name)) {
        parts.push(`o${name}`);
        anchored = true;
        continue;
      }
      return undefined;
    }
    if (!inputs.length) parts.push(attributeKey(node));
    else if (!anchored) return undefined;
    return parts.join('\u0000');
  }

  private unbucket(side: 0 | 1, index: number): void {
    const old = this.keyOf[side].get(index);
    if (old === undefined) return;
    this.buckets[side].get(old)?.delete(index);
    this.keyOf[side].delete(index);
  }

  /** Recomputes the keys of dirty nodes; returns the keys that gained members. */
  private rekey(): string[] {
    const touched = new Set<string>();
    for (const side of [0, 1] as const) {
      const pairedMap = side === 0 ? this.nodeAB : this.nodeBA;
      for (const index of this.dirty[side]) {
        if (pairedMap[index] >= 0) continue;
        const key = this.structuralKey(side, index);
        if (key === this.keyOf[side].get(index)) continue;
        this.unbucket(side, index);
        if (key === undefined) continue;
        this.keyOf[side].set(index, key);
        let bucket = this.buckets[side].get(key);
        if (!bucket) this.buckets[side].set(key, (bucket = new Set()));
        bucket.add(index);
        touched.add(key);
      }
      this.dirty[side].clear();
    }
    return [...touched];
  }

  /** Pairs a key's nodes when both sides have as many, in topological order. */
  private pairBucket(key: string): boolean {
    const ba = this.buckets[0].get(key);
    const bb = this.buckets[1].get(key);
    if (!ba?.size || !bb?.size || ba.size !== bb.size) return false;
    const byPosition = (side: 0 | 1) => (x: number, y: number) => this.position[side][x] - this.position[side][y];
    const xs = [...ba].sort(byPosition(0));
    const ys = [...bb].sort(byPosition(1));
    xs.forEach((x, k) => this.pairNodes(x, ys[k], 'structure'));
    return true;
  }
}

export function matchGraphs(a: GraphIndex, b: GraphIndex): GraphMatch {
  const m = new Matcher(a, b);
  m.run();
  return { nodeAB: m.nodeAB, nodeBA: m.nodeBA, nodeHow: m.nodeHow, valueAB: m.valueAB, valueBA: m.valueBA, valueHow: m.valueHow };
}
