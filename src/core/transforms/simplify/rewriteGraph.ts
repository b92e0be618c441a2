// What every rewrite sees of one graph: who produces and who reads each value, which values are constants
// (initializers and Constant nodes, of this graph or an enclosing one), their inferred types and known
// elements; and the edits a rewrite may make. Edits are collected and applied by commit(): a rewrite
// claims the nodes it matches, so that two matches of one pass never touch the same node.
import type { DimAlgebra } from '../../ops/dimAlgebra.js';
import type { ExternalDataReader } from '../../model/externalData.js';
import { isExternal } from '../../model/externalData.js';
import { isDefaultDomain, nodeReads } from '../../model/graphQueries.js';
import { AttributeType, int64ToNumber, onnx, toLong, type GraphProto, type NodeProto, type TensorProto } from '../../model/proto.js';
import { arrayToTensor, constantNodeTensor, tensorToArray, type TensorArray } from '../../model/tensorValues.js';
import type { Dim } from '../../model/types.js';
import type { InferredType } from '../../ops/shapeInference.js';
import { replaceUses, sortGraph, type NameAllocator } from '../graphEdit.js';

/** The constants and types of one graph, linked to the enclosing graph's (subgraphs read outer values). */
export interface GraphScope {
  graph: GraphProto;
  parent?: GraphScope;
  /** Initializers that are not overridable inputs, and Constant node outputs. */
  constants: Map<string, TensorProto>;
  /** Names this graph defines (they shadow the enclosing graph's). */
  defined: Set<string>;
  types: Map<string, InferredType>;
  values: Map<string, Dim[]>;
}

/** What a rewrite needs from the whole model. */
export interface ModelFacts {
  opset: number;
  /** Names the user asked to keep: never removed, renamed or merged away. */
  keep: ReadonlySet<string>;
  names: NameAllocator;
  external?: ExternalDataReader;
  /** Dim arithmetic shared by every shape inference of the run (it caches symbolic results). */
  dims?: DimAlgebra;
}

/** Sets (or adds) an INT/INTS/FLOAT attribute. */
export function setAttr(node: NodeProto, name: string, value: number | number[], kind: 'int' | 'float' = 'int'): void {
  const rest = (node.attribute ?? []).filter((a) => a.name !== name);
  const attr = Array.isArray(value)
    ? onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: value.map((v) => toLong(v)) })
    : kind === 'float'
      ? onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value })
      : onnx.AttributeProto.create({ name, type: AttributeType.INT, i: toLong(value) });
  node.attribute = [...rest, attr];
}

export function removeAttr(node: NodeProto, name: string): void {
  node.attribute = (node.attribute ?? []).filter((a) => a.name !== name);
}

export class RewriteGraph {
  readonly graph: GraphProto;
  private readonly producers = new Map<string, NodeProto>();
  private readonly readerMap = new Map<string, NodeProto[]>();
  private readonly outputs: Set<string>;
  private readonly claimed = new Set<NodeProto>();
  private readonly removed = new Set<NodeProto>();
  private readonly renames = new Map<string, string>();
  private readonly added: TensorProto[] = [];
  private readonly inserted: Array<{ node: NodeProto; after: NodeProto }> = [];

  constructor(readonly scope: GraphScope, readonly facts: ModelFacts) {
    this.graph = scope.graph;
    this.outputs = new Set((this.graph.output ?? []).map((o) => o.name ?? ''));
    for (const node of this.graph.node ?? []) {
      for (const o of node.output ?? []) if (o) this.producers.set(o, node);
      for (const r of new Set(nodeReads(node))) {
        const list = this.readerMap.get(r);
        if (list) list.push(node);
        else this.readerMap.set(r, [node]);
      }
    }
  }

  get opset(): number {
    return this.facts.opset;
  }

  /** Nodes of the graph as it was when the pass began. */
  nodes(): readonly NodeProto[] {
    return this.graph.node ?? [];
  }

  producer(name: string | null | undefined): NodeProto | undefined {
    return name ? this.producers.get(name) : undefined;
  }

  /** Distinct nodes reading a value (inputs or subgraph captures). */
  readers(name: string): readonly NodeProto[] {
    return this.readerMap.get(name) ?? [];
  }

  isGraphOutput(name: string): boolean {
    return this.outputs.has(name);
  }

  /** A value that must keep existing under its name: a graph output or a kept name. */
  isProtected(name: string): boolean {
    return this.outputs.has(name) || this.facts.keep.has(name);
  }

  /**
   * A value computed only for `reader` (read by nothing else, not protected): the node producing it may be
   * fused into the reader.
   */
  onlyFor(name: string, reader: NodeProto): boolean {
    const readers = this.readers(name);
    return readers.length === 1 && readers[0] === reader && !this.isProtected(name);
  }

  /** The producer of a value, if it is an unclaimed default-domain node of the given op types. */
  producerOf(name: string | null | undefined, ...ops: string[]): NodeProto | undefined {
    const node = this.producer(name);
    if (!node || !isDefaultDomain(node) || !ops.includes(node.opType ?? '') || !this.free(node)) return undefined;
    return node;
  }

  /** A node's protection: a kept node name protects the node and its outputs. */
  free(node: NodeProto): boolean {
    if (this.claimed.has(node) || this.removed.has(node)) return false;
    if (node.name && this.facts.keep.has(node.name)) return false;
    return true;
  }

  /** Claims nodes for one match; false (and nothing claimed) when any is taken. */
  claim(...nodes: NodeProto[]): boolean {
    if (!nodes.every((n) => this.free(n))) return false;
    for (const n of nodes) this.claimed.add(n);
    return true;
  }

  /** The constant tensor a name refers to here (shadowing respected), if any. */
  constant(name: string | null | undefined): TensorProto | undefined {
    if (!name) return undefined;
    for (let s: GraphScope | undefined = this.scope; s; s = s.parent) {
      const t = s.constants.get(name);
      if (t) return t;
      if (s.defined.has(name)) return undefined;
    }
    return undefined;
  }

  /** A constant's values (external data read); undefined when it is not a readable constant. */
  constantArray(name: string | null | undefined): TensorArray | undefined {
    const t = this.constant(name);
    if (!t || (isExternal(t) && !this.facts.external)) return undefined;
    try {
      return tensorToArray(t, this.facts.external);
    } catch {
      return undefined;
    }
  }

  /** A small constant's values as numbers (int64 beyond 2^53 lose precision: for axes, perms, pads). */
  constantNumbers(name: string | null | undefined, maxElements = 4096): number[] | undefined {
    const t = this.constant(name);
    if (!t || (t.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1) > maxElements) return undefined;
    const a = this.constantArray(name);
    if (!a || Array.isArray(a.data)) return undefined;
    return Array.from(a.data as ArrayLike<number | bigint>, (v) => Number(v));
  }

  type(name: string | null | undefined): InferredType | undefined {
    return name ? this.scope.types.get(name) : undefined;
  }

  shape(name: string | null | undefined): Dim[] | undefined {
    return this.type(name)?.shape;
  }

  rank(name: string | null | undefined): number | undefined {
    return this.shape(name)?.length;
  }

  elemType(name: string | null | undefined): number {
    const t = this.constant(name);
    if (t) return t.dataType ?? 0;
    return this.type(name)?.elemType ?? 0;
  }

  /** Known elements of a small int vector (Shape -> Gather -> Concat chains), possibly symbolic. */
  values(name: string | null | undefined): Dim[] | undefined {
    return name ? this.scope.values.get(name) : undefined;
  }

  /** A new initializer in this graph, under a fresh name derived from `base`; returns the name. */
  addConstant(base: string, array: TensorArray): string {
    const name = this.facts.names.fresh(base);
    const tensor = arrayToTensor(name, array);
    this.added.push(tensor);
    this.scope.constants.set(name, tensor);
    this.scope.defined.add(name);
    return name;
  }

  remove(node: NodeProto): void {
    this.removed.add(node);
  }

  /** Adds a node right after `after` in the graph's order. */
  insertAfter(after: NodeProto, node: NodeProto): void {
    this.inserted.push({ node, after });
  }

  /**
   * Readers of `from` read `to` instead (the producer of `from` is then dead or removed). `from` must not
   * be protected: graph outputs keep their names. The match must have claimed a node that reads `to` (or
   * `to` is a constant, which no match removes), so that no other match of the pass takes `to` for a value
   * with one reader.
   */
  reroute(from: string, to: string): void {
    if (this.isProtected(from)) throw new Error(`internal: ${from} is protected and cannot be rerouted`);
    this.renames.set(from, to);
  }

  /** Applies the pass's edits: removals, new nodes and initializers, rerouted reads; sorts the graph. */
  commit(): void {
    const graph = this.graph;
    if (this.added.length) graph.initializer = [...(graph.initializer ?? []), ...this.added];
    if (this.removed.size || this.inserted.length) {
      const after = new Map<NodeProto, NodeProto[]>();
      for (const { node, after: anchor } of this.inserted) after.set(anchor, [...(after.get(anchor) ?? []), node]);
      const nodes: NodeProto[] = [];
      for (const node of graph.node ?? []) {
        if (!this.removed.has(node)) nodes.push(node);
        nodes.push(...(after.get(node) ?? []));
      }
      graph.node = nodes;
    }
    if (this.renames.size) {
      // Chains of reroutes (a -> b, b -> c) resolve to their end.
      const resolved = new Map<string, string>();
      for (const from of this.renames.keys()) {
        let to = this.renames.get(from)!;
        for (let guard = 0; this.renames.has(to) && guard < this.renames.size; guard++) to = this.renames.get(to)!;
        resolved.set(from, to);
      }
      replaceUses(graph, resolved, false);
    }
    sortGraph(graph);
  }
}

/**
 * The constants a graph defines: its initializers (except those a caller may override as inputs: from IR 4
 * on, and always in subgraphs) and its Constant nodes' values.
 */
export function scopeConstants(graph: GraphProto, inputsOverride: boolean): Map<string, TensorProto> {
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const constants = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name && !(inputs.has(t.name) && inputsOverride)) constants.set(t.name, t);
  for (const node of graph.node ?? []) {
    const t = node.opType === 'Constant' && isDefaultDomain(node) ? constantNodeTensor(node) : undefined;
    if (t && node.output?.[0]) constants.set(node.output[0], t);
  }
  return constants;
}
