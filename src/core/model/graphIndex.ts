// Lookups over one graph: who produces and who consumes each value, a topological order (real files are
// not always sorted), each value's type, constants, and what a subgraph captures from enclosing scopes.
import { constantNodeTensor, constantNodeValue, tensorDims } from './tensorValues.js';
import { dataTypeName } from './dataTypes.js';
import type { GraphProto, NodeProto, TensorProto } from './proto.js';
import { valueType, type ValueType } from './types.js';
import { topologicalSort } from './topologicalSort.js';
import { subgraphsOf } from './walk.js';
import { decodedNameIds, nodeHasSubgraphs } from './lazyDecode.js';

export interface Producer {
  node: NodeProto;
  index: number;
  outputIndex: number;
}

export interface Consumer {
  node: NodeProto;
  index: number;
  /** -1 when the node uses the value only inside one of its subgraphs. */
  inputIndex: number;
}

export interface Subgraph {
  attribute: string;
  graph: GraphProto;
  index: GraphIndex;
}

/** Values a graph uses (including in nested subgraphs) that it does not define itself. */
function freeValues(graph: GraphProto): Set<string> {
  const defined = new Set<string>();
  for (const v of graph.input ?? []) defined.add(v.name ?? '');
  for (const t of graph.initializer ?? []) defined.add(t.name ?? '');
  for (const s of graph.sparseInitializer ?? []) defined.add(s.values?.name ?? '');
  for (const node of graph.node ?? []) for (const o of node.output ?? []) defined.add(o);
  const used = new Set<string>();
  for (const node of graph.node ?? []) {
    for (const i of node.input ?? []) if (i) used.add(i);
    for (const sub of subgraphsOf(node)) for (const name of freeValues(sub.graph)) used.add(name);
  }
  for (const o of graph.output ?? []) used.add(o.name ?? '');
  for (const name of defined) used.delete(name);
  used.delete('');
  return used;
}

export class GraphIndex {
  /** The nodes as indexed (the graph's list may change later); producers and consumers point into it. */
  private indexed: NodeProto[] = [];
  /**
   * Value names (node inputs and outputs) to ids, which key typed arrays: a large graph has tens of
   * thousands of values, and an object or list per value is what made indexing slow.
   */
  private readonly ids: Map<string, number>;
  /** Ids at or above this count were given after this index was built (the map can be the decoder's, shared). */
  private count = 0;
  /** Per value id: the producing node's index, or -1. */
  private producerOf = new Int32Array(0);
  /** The consumers of value v are the (node index, input index) pairs k of consumerPairs for k in consumerStart[v] .. consumerStart[v + 1]. */
  private consumerStart = new Uint32Array(1);
  private consumerPairs = new Int32Array(0);
  /**
   * Per node, the ids of its input names: inputIds[inputStart[n] + slot], -1 for an empty slot (the same
   * layout for outputs). A view numbers the values of 100,000s of slots without a name lookup per slot.
   */
  private inputStart = new Uint32Array(1);
  private inputIds = new Int32Array(0);
  private outputStart = new Uint32Array(1);
  private outputIds = new Int32Array(0);
  private readonly scratch: number[] = [];
  private readonly initializers = new Map<string, TensorProto>();
  private readonly inputs = new Set<string>();
  private readonly outputs = new Set<string>();
  /** Declared types (value_info, inputs, outputs, sparse initializers); those of initializers and Constant outputs are derived when asked. */
  private readonly types = new Map<string, ValueType>();
  /** By value id where the name has one (a map of 10,000s of names costs more to build than to ask). */
  private derivedTypes: Array<ValueType | null | undefined> = [];
  private readonly derivedTypesByName = new Map<string, ValueType | null>();
  /** Constant nodes by their output's value id (every node output has one): an array, as a map of 10,000s costs more to fill. */
  private constantNodes: Array<NodeProto | undefined> = [];
  /** Free values of each node's subgraphs, computed once. */
  private readonly captures = new Map<number, Set<string>>();
  private readonly subgraphCache = new Map<number, Subgraph[]>();
  private order?: number[];
  private outer?: string[];

  private constructor(readonly graph: GraphProto, readonly parent?: GraphIndex) {
    // A decoded graph comes with its names numbered: adopting them saves a second map of 100,000s of names.
    this.ids = decodedNameIds(graph) ?? new Map();
  }

  static build(graph: GraphProto, parent?: GraphIndex): GraphIndex {
    const index = new GraphIndex(graph, parent);
    index.fill();
    return index;
  }

  private fill(): void {
    const g = this.graph;
    // Index loops over whole lists: a for-of step allocates while the code is still cold.
    const initializers = g.initializer ?? [];
    for (let k = 0; k < initializers.length; k++) this.initializers.set(initializers[k].name ?? '', initializers[k]);
    for (const s of g.sparseInitializer ?? []) {
      const name = s.values?.name ?? '';
      this.types.set(name, { kind: 'sparse_tensor', elemType: dataTypeName(s.values?.dataType ?? 0), shape: (s.dims ?? []).map(Number) });
    }
    for (const v of g.valueInfo ?? []) this.types.set(v.name ?? '', valueType(v.type));
    for (const v of g.input ?? []) {
      this.inputs.add(v.name ?? '');
      if (v.type) this.types.set(v.name ?? '', valueType(v.type));
    }
    for (const v of g.output ?? []) {
      this.outputs.add(v.name ?? '');
      if (v.type) this.types.set(v.name ?? '', valueType(v.type));
    }
    const nodes = (this.indexed = (g.node ?? []).slice());
    const ids = this.ids;
    const idOf = (name: string): number => {
      let id = ids.get(name);
      if (id === undefined) ids.set(name, (id = ids.size));
      return id;
    };
    // Flat (value id, node index) and (value id, node index, input index) records, grouped by id below;
    // typed and sized from a first count, as growing plain lists of 100,000s of numbers copies them again and again.
    let inputCount = 0;
    let outputCount = 0;
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k];
      inputCount += node.input?.length ?? 0;
      outputCount += node.output?.length ?? 0;
    }
    const inputStart = (this.inputStart = new Uint32Array(nodes.length + 1));
    const inputIds = (this.inputIds = new Int32Array(inputCount));
    const outputStart = (this.outputStart = new Uint32Array(nodes.length + 1));
    const outputIds = (this.outputIds = new Int32Array(outputCount));
    let inputAt = 0;
    let outputAt = 0;
    // (value id, node index) of each Constant node's output.
    const constantAt: number[] = [];
    const produced = new Int32Array(2 * outputCount);
    let producedLength = 0;
    let consumed = new Int32Array(3 * inputCount);
    let consumedLength = 0;
    const consume = (id: number, index: number, input: number): void => {
      if (consumedLength + 3 > consumed.length) {
        const larger = new Int32Array(2 * consumed.length + 48);
        larger.set(consumed);
        consumed = larger;
      }
      consumed[consumedLength++] = id;
      consumed[consumedLength++] = index;
      consumed[consumedLength++] = input;
    };
    for (let index = 0; index < nodes.length; index++) {
      const node = nodes[index];
      const outputs = node.output ?? [];
      for (let o = 0; o < outputs.length; o++) {
        if (!outputs[o]) {
          outputIds[outputAt++] = -1;
          continue;
        }
        const id = (outputIds[outputAt++] = idOf(outputs[o]));
        produced[producedLength++] = id;
        produced[producedLength++] = index;
      }
      outputStart[index + 1] = outputAt;
      const inputs = node.input ?? [];
      for (let i = 0; i < inputs.length; i++) {
        if (!inputs[i]) {
          inputIds[inputAt++] = -1;
          continue;
        }
        const id = (inputIds[inputAt++] = idOf(inputs[i]));
        consume(id, index, i);
      }
      inputStart[index + 1] = inputAt;
      const subs = nodeHasSubgraphs(node) ? subgraphsOf(node) : undefined;
      if (subs?.length) {
        const captured = new Set<string>();
        for (const sub of subs) for (const name of freeValues(sub.graph)) captured.add(name);
        this.captures.set(index, captured);
        for (const name of captured) if (!inputs.includes(name)) consume(idOf(name), index, -1);
      }
      if (node.opType === 'Constant' && (!node.domain || node.domain === 'ai.onnx') && outputs[0]) constantAt.push(outputIds[outputStart[index]], index);
    }
    const count = (this.count = ids.size);
    // The last Constant with an output of that name wins, as a later definition shadows an earlier one.
    this.constantNodes = new Array<NodeProto | undefined>(count);
    for (let k = 0; k < constantAt.length; k += 2) this.constantNodes[constantAt[k]] = nodes[constantAt[k + 1]];
    // The last producer of a name wins, as a later definition shadows an earlier one.
    this.producerOf = new Int32Array(count).fill(-1);
    for (let k = 0; k < producedLength; k += 2) this.producerOf[produced[k]] = produced[k + 1];
    // A stable counting sort by value id keeps each value's consumers in node order.
    const start = new Uint32Array(count + 1);
    for (let k = 0; k < consumedLength; k += 3) start[consumed[k] + 1]++;
    for (let v = 0; v < count; v++) start[v + 1] += start[v];
    const next = start.slice(0, count);
    const pairs = new Int32Array((consumedLength / 3) * 2);
    for (let k = 0; k < consumedLength; k += 3) {
      const at = 2 * next[consumed[k]]++;
      pairs[at] = consumed[k + 1];
      pairs[at + 1] = consumed[k + 2];
    }
    this.consumerStart = start;
    this.consumerPairs = pairs;
  }

  /** The Constant node whose (first) output the name is, if any. */
  private constantNode(name: string): NodeProto | undefined {
    const id = this.idOf(name);
    return id < 0 ? undefined : this.constantNodes[id];
  }

  /** The name's id in this index, or -1. */
  private idOf(name: string): number {
    const id = this.ids.get(name);
    return id !== undefined && id < this.count ? id : -1;
  }

  /** The producing node's index, or -1. */
  private producerIndex(name: string): number {
    const id = this.idOf(name);
    return id < 0 ? -1 : this.producerOf[id];
  }

  /**
   * A value's number in this index (every node input and output has one), or -1: the key of the *OfId
   * lookups below, which a caller visiting every value uses instead of a name lookup per question.
   */
  valueId(name: string): number {
    return this.idOf(name);
  }

  /** Value ids run from 0 below this count. */
  get valueCount(): number {
    return this.count;
  }

  /**
   * Whether `nodes` holds the nodes this index was built from, in that order: only then do node numbers
   * (inputId, outputId, hasSubgraphs) answer for them. A graph edited since answers false.
   */
  indexes(nodes: readonly NodeProto[]): boolean {
    const indexed = this.indexed;
    if (nodes.length !== indexed.length) return false;
    for (let n = 0; n < nodes.length; n++) if (nodes[n] !== indexed[n]) return false;
    return true;
  }

  /** Node `node` as indexed (the producer and consumer indices point here). */
  indexedNode(node: number): NodeProto {
    return this.indexed[node];
  }

  /** The id of the name in input slot `slot` of node `node` (as indexed), -1 for an empty slot. */
  inputId(node: number, slot: number): number {
    return this.inputIds[this.inputStart[node] + slot];
  }

  /** The id of the name in output slot `slot` of node `node` (as indexed), -1 for an empty slot. */
  outputId(node: number, slot: number): number {
    return this.outputIds[this.outputStart[node] + slot];
  }

  /** The producing node's index of a value id, or -1. */
  producerOfId(id: number): number {
    return this.producerOf[id];
  }

  /** consumerIndices by value id. */
  consumerIndicesOfId(id: number): number[] {
    // Gathered in a scratch list and copied at their exact size: a view keeps one such list per value,
    // and a list grown by push keeps room for 17.
    const found = this.scratch;
    found.length = 0;
    const pairs = this.consumerPairs;
    for (let k = this.consumerStart[id]; k < this.consumerStart[id + 1]; k++) if (pairs[2 * k + 1] >= 0) found.push(pairs[2 * k]);
    return found.length ? found.slice() : [];
  }

  /** consumerCount by value id. */
  consumerCountOfId(id: number): number {
    return this.consumerStart[id + 1] - this.consumerStart[id];
  }

  get nodes(): NodeProto[] {
    return this.graph.node ?? [];
  }

  producer(name: string): Producer | undefined {
    const index = this.producerIndex(name);
    if (index < 0) return undefined;
    const node = this.indexed[index];
    // The last slot of that name, as the index keeps the last of duplicates.
    return { node, index, outputIndex: (node.output ?? []).lastIndexOf(name) };
  }

  consumers(name: string): Consumer[] {
    const id = this.idOf(name);
    if (id < 0) return [];
    const pairs = this.consumerPairs;
    const result: Consumer[] = [];
    for (let k = this.consumerStart[id]; k < this.consumerStart[id + 1]; k++) {
      result.push({ node: this.indexed[pairs[2 * k]], index: pairs[2 * k], inputIndex: pairs[2 * k + 1] });
    }
    return result;
  }

  /** The nodes that read a value through an input slot (not only inside a subgraph), as indices; one per slot. */
  consumerIndices(name: string): number[] {
    const id = this.idOf(name);
    const result: number[] = [];
    if (id < 0) return result;
    const pairs = this.consumerPairs;
    for (let k = this.consumerStart[id]; k < this.consumerStart[id + 1]; k++) if (pairs[2 * k + 1] >= 0) result.push(pairs[2 * k]);
    return result;
  }

  /** How many consumers a value has, without listing them. */
  consumerCount(name: string): number {
    const id = this.idOf(name);
    return id < 0 ? 0 : this.consumerStart[id + 1] - this.consumerStart[id];
  }

  initializer(name: string): TensorProto | undefined {
    return this.initializers.get(name);
  }

  isGraphInput(name: string): boolean {
    return this.inputs.has(name);
  }

  isGraphOutput(name: string): boolean {
    return this.outputs.has(name);
  }

  /** Defined in this graph (input, initializer or node output). */
  defines(name: string): boolean {
    return this.inputs.has(name) || this.initializers.has(name) || this.producerIndex(name) >= 0 || this.types.get(name)?.kind === 'sparse_tensor';
  }

  /** Type from this graph's declarations, else from enclosing graphs. */
  valueType(name: string): ValueType | undefined {
    return this.types.get(name) ?? this.derivedType(name, this.idOf(name)) ?? this.parent?.valueType(name);
  }

  /** valueType for a caller that has the name's id here (valueId): no second lookup of the name. */
  valueTypeOfId(name: string, id: number): ValueType | undefined {
    return this.types.get(name) ?? this.derivedType(name, id) ?? this.parent?.valueType(name);
  }

  /**
   * The type an initializer or a Constant node's tensor gives a value (a declaration wins over both, an
   * initializer over a Constant), worked out on first use: a large model has tens of thousands of them,
   * and opening it reads few.
   */
  private derivedType(name: string, id: number): ValueType | undefined {
    const init = this.initializers.get(name);
    const node = init || id < 0 ? undefined : this.constantNodes[id];
    // Most values are neither: asked for each of them, a miss is not worth remembering.
    if (!init && !node) return undefined;
    let type = id >= 0 ? this.derivedTypes[id] : this.derivedTypesByName.get(name);
    if (type === undefined) {
      // A Constant's tensor as far as its type goes: no copy made.
      const tensor = init ?? (node && constantNodeValue(node));
      type = tensor ? { kind: 'tensor', elemType: dataTypeName(tensor.dataType ?? 0), shape: tensorDims(tensor) } : null;
      if (id < 0) this.derivedTypesByName.set(name, type);
      else {
        if (this.derivedTypes.length === 0) this.derivedTypes = new Array<ValueType | null | undefined>(this.count);
        this.derivedTypes[id] = type;
      }
    }
    return type ?? undefined;
  }

  /** An initializer or Constant node output visible here (this graph or an enclosing one). */
  constantTensor(name: string): TensorProto | undefined {
    return this.findConstant(name, constantNodeTensor);
  }

  /**
   * constantTensor for reading dims and elements only: a Constant node's tensor is not copied (its name
   * may be the attribute's, not the value's).
   */
  constantValue(name: string): TensorProto | undefined {
    return this.findConstant(name, constantNodeValue);
  }

  private findConstant(name: string, read: (node: NodeProto) => TensorProto | undefined): TensorProto | undefined {
    const init = this.initializers.get(name);
    if (init && !this.inputs.has(name)) return init;
    const node = this.constantNode(name);
    if (node) return read(node);
    if (this.defines(name)) return undefined;
    return this.parent?.findConstant(name, read);
  }

  /** Whether node `node` (as indexed) holds subgraphs: nodeHasSubgraphs without reading the node again. */
  hasSubgraphs(node: number): boolean {
    return this.captures.has(node);
  }

  /** Names this graph (or its nested subgraphs) captures from enclosing scopes. */
  outerValues(): string[] {
    return (this.outer ??= [...freeValues(this.graph)].sort());
  }

  subgraphs(nodeIndex: number): Subgraph[] {
    let list = this.subgraphCache.get(nodeIndex);
    if (!list) {
      list = subgraphsOf(this.nodes[nodeIndex]).map((s) => ({ ...s, index: GraphIndex.build(s.graph, this) }));
      this.subgraphCache.set(nodeIndex, list);
    }
    return list;
  }

  /**
   * Node indices so that every node comes after the producers of its inputs and of the values its
   * subgraphs capture. Kahn's algorithm, stable: ready nodes keep file order. Nodes on a cycle (invalid,
   * but seen) follow in file order.
   */
  topologicalOrder(): number[] {
    if (this.order) return this.order;
    const nodes = this.nodes;
    const captures = this.captures;
    return (this.order = topologicalSort(nodes.length, (index, add) => {
      const inputs = nodes[index].input ?? [];
      for (let i = 0; i < inputs.length; i++) {
        const p = inputs[i] ? this.producerIndex(inputs[i]) : -1;
        if (p >= 0) add(p);
      }
      const captured = captures.get(index);
      if (captured) {
        for (const name of captured) {
          const p = this.producerIndex(name);
          if (p >= 0) add(p);
        }
      }
    }));
  }
}
