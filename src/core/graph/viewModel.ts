// Builds the editor's compact graph description from a decoded model: values with producers and
// consumers, constants folded into the nodes they feed, nodes grouped by name scope. One graph at a
// time, so a subgraph or function is only described when the user opens it. Producers, consumers and
// declared types come from the graph's GraphIndex; this module only numbers the values for the webview.
import { isExternal } from '../model/externalData.js';
import { GraphIndex } from '../model/graphIndex.js';
import { defaultOpset } from '../model/graphQueries.js';
import { nodeHasSubgraphs } from '../model/lazyDecode.js';
import type { FunctionProto, GraphProto, ModelProto, NodeProto, TensorProto } from '../model/proto.js';
import { summarize, tensorByteSize } from '../model/summary.js';
import { constantNodeValue } from '../model/tensorValues.js';
import { subgraphsOf } from '../model/walk.js';
import { inferShapes } from '../ops/shapeInference.js';
import { smallConstantText } from './constantText.js';
import { chooseShape, ModelShapes, type GraphTypes } from './shapeSources.js';
import { dimAliasTable } from './dimAliases.js';
import { attributeLabel, shortNodeName, STEP } from './graphNames.js';
import { NodeScopes } from './scopes.js';
import type { GraphEntry, GraphKind, GraphView, GroupView, ModelStats, ModelView, NodeView, ValueKind, ValueView } from './viewModelTypes.js';

/** A graph body wherever it lives: the main graph, an attribute's subgraph, or a function. */
export interface GraphSource {
  id: string;
  /** The full name: `<node>.<attribute>` for subgraphs. */
  title: string;
  /** Short readable path from the main graph or function (`If_0 ▸ else ▸ /decoder/If_1 ▸ then`). */
  path: string;
  /** Subgraphs: the short name of the node holding it, and the short attribute (`then`, `body`). */
  node?: string;
  attribute?: string;
  /** Subgraphs: the raw name of the node holding it and the attribute, as inliners prefix names with them. */
  nodeName?: string;
  attributeName?: string;
  kind: GraphKind;
  parent?: GraphSource;
  nodes: NodeProto[];
  initializers: TensorProto[];
  graph?: GraphProto;
  fn?: FunctionProto;
  /** Lookups over the body (a function's body in graph form), built on first use; a subgraph's sees its parent's. */
  readonly index: GraphIndex;
}

export const MAIN_GRAPH = '';

export function functionId(fn: FunctionProto): string {
  return `fn:${fn.domain ?? ''}:${fn.name ?? ''}`;
}

/** A source whose index is built only when something asks for it: resolving an id needs none. */
function graphSource(fields: Omit<GraphSource, 'index' | 'nodes' | 'initializers'>, body: GraphProto): GraphSource {
  let index: GraphIndex | undefined;
  return {
    ...fields,
    nodes: body.node ?? [],
    initializers: body.initializer ?? [],
    get index() {
      return (index ??= GraphIndex.build(body, fields.parent?.index));
    },
  };
}

function mainSource(graph: GraphProto): GraphSource {
  const title = graph.name || 'main graph';
  return graphSource({ id: MAIN_GRAPH, title, path: title, kind: 'main', graph }, graph);
}

function fromFunction(fn: FunctionProto): GraphSource {
  const name = fn.domain ? `${fn.domain}.${fn.name}` : fn.name ?? '';
  // A function's signature is names only; as a graph body its inputs and outputs carry no types.
  const body: GraphProto = {
    node: fn.node ?? [],
    input: (fn.input ?? []).map((n) => ({ name: n })),
    output: (fn.output ?? []).map((n) => ({ name: n })),
    valueInfo: fn.valueInfo ?? [],
  };
  return graphSource({ id: functionId(fn), title: name, path: name, kind: 'function', fn }, body);
}

function nodeLabel(node: NodeProto, index: number): string {
  return node.name || `${node.opType ?? 'node'}_${index}`;
}

/** The subgraphs of one node, with their ids. */
export function nodeSubgraphs(source: GraphSource, index: number): Array<{ attribute: string; source: GraphSource }> {
  const node = source.nodes[index];
  const result: Array<{ attribute: string; source: GraphSource }> = [];
  const counts = new Map<string, number>();
  for (const sub of subgraphsOf(node)) {
    const k = counts.get(sub.attribute) ?? 0;
    counts.set(sub.attribute, k + 1);
    const multiple = (node.attribute ?? []).some((a) => a.name === sub.attribute && (a.graphs?.length ?? 0) > 0);
    const suffix = multiple ? `.${k}` : '';
    const id = `${source.id}/${index}.${sub.attribute}${suffix}`;
    const short = shortNodeName(nodeLabel(node, index), source.kind === 'subgraph' ? { node: source.nodeName ?? '', attribute: source.attributeName ?? '' } : undefined);
    const attribute = attributeLabel(sub.attribute, multiple ? k : undefined);
    const path = source.kind === 'main' ? `${short}${STEP}${attribute}` : `${source.path}${STEP}${short}${STEP}${attribute}`;
    const fields = { id, title: `${nodeLabel(node, index)}.${sub.attribute}${suffix}`, path, node: short, attribute, nodeName: node.name ?? '', attributeName: sub.attribute, kind: 'subgraph' as const, parent: source, graph: sub.graph };
    result.push({ attribute: sub.attribute, source: graphSource(fields, sub.graph) });
  }
  return result;
}

/** Finds a graph by id; undefined when the model has none by that id (e.g. after a reload). */
export function resolveGraph(model: ModelProto, id: string): GraphSource | undefined {
  if (id.startsWith('fn:')) {
    const [head, ...rest] = id.split('/');
    const fn = (model.functions ?? []).find((f) => functionId(f) === head);
    if (!fn) return undefined;
    return descend(fromFunction(fn), rest);
  }
  if (!model.graph) return undefined;
  return descend(mainSource(model.graph), id === MAIN_GRAPH ? [] : id.split('/').slice(1));
}

function descend(source: GraphSource, steps: string[]): GraphSource | undefined {
  let current: GraphSource | undefined = source;
  for (const step of steps) {
    const dot = step.indexOf('.');
    const index = Number(step.slice(0, dot));
    if (!current || !Number.isInteger(index) || index < 0 || index >= current.nodes.length) return undefined;
    const wanted: string = `${current.id}/${step}`;
    current = nodeSubgraphs(current, index).find((s) => s.source.id === wanted)?.source;
  }
  return current;
}

/**
 * Every graph of the model, for navigation: main, subgraphs at any depth, functions and their subgraphs,
 * with their drawn node counts. `main`: the main graph's source when the caller has one (its index is reused).
 */
export function listGraphs(model: ModelProto, main?: GraphSource): GraphEntry[] {
  const result: GraphEntry[] = [];
  const visit = (source: GraphSource) => {
    const folded = foldedConstants(source.index).size;
    const fullTitle = source.kind === 'subgraph' ? fullPath(source) : source.title;
    result.push({ id: source.id, title: source.path, fullTitle, node: source.node, attribute: source.attribute, kind: source.kind, parent: source.parent?.id, nodes: source.nodes.length - folded, folded });
    const indexed = source.index.indexes(source.nodes);
    for (let i = 0; i < source.nodes.length; i++) {
      if (!(indexed ? source.index.hasSubgraphs(i) : nodeHasSubgraphs(source.nodes[i]))) continue;
      for (const sub of nodeSubgraphs(source, i)) visit(sub.source);
    }
  };
  if (model.graph) visit(main ?? mainSource(model.graph));
  for (const fn of model.functions ?? []) visit(fromFunction(fn));
  return result;
}

/** `If_0.else_branch/If_1.then_branch`: the full names of a subgraph's steps, for hovers. */
function fullPath(source: GraphSource): string {
  const steps: string[] = [];
  for (let s: GraphSource | undefined = source; s && s.kind === 'subgraph'; s = s.parent) steps.unshift(s.title);
  return steps.join('/');
}

export function isConstantNode(node: NodeProto): boolean {
  return node.opType === 'Constant' && (!node.domain || node.domain === 'ai.onnx');
}

/**
 * Constant nodes drawn inside the nodes they feed rather than as boxes: every output is read (through an
 * input, or by a subgraph by name) and none is a graph output. One rule for the view and every count.
 */
export function foldedConstants(index: GraphIndex): Set<number> {
  const result = new Set<number>();
  const nodes = index.nodes;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    if (!isConstantNode(node)) continue;
    const outs = node.output ?? [];
    let folded = outs.length > 0;
    for (let o = 0; o < outs.length && folded; o++) folded = !!outs[o] && !index.isGraphOutput(outs[o]) && index.consumerCount(outs[o]) > 0;
    if (folded) result.add(n);
  }
  return result;
}

/**
 * Inferred types of a graph: the model-wide result, or for a graph it does not reach (a function's
 * subgraph), this graph alone with what the enclosing graphs know. Undefined when inference failed.
 */
function graphTypes(source: GraphSource, shapes: ModelShapes, opset: number): GraphTypes | undefined {
  if (!source.graph) return undefined;
  const known = shapes.of(source.graph);
  if (known || shapes.error || source.kind === 'main') return known;
  const outer = source.parent ? graphTypes(source.parent, shapes, opset) : undefined;
  const index = source.index;
  // This graph's constants only, and no external data: inference must not read files.
  const constant = (name: string) => {
    const init = index.initializer(name);
    if (init) return isExternal(init) ? undefined : init;
    return index.defines(name) ? index.constantValue(name) : undefined;
  };
  try {
    return inferShapes(source.graph, { opset, constant, outer });
  } catch {
    return undefined;
  }
}

/** `id`: the name's id in the index, or -1. */
function valueKind(index: GraphIndex, name: string, id: number): ValueKind {
  if (index.initializer(name)) return 'initializer';
  if (index.isGraphInput(name)) return 'input';
  const producer = id < 0 ? -1 : index.producerOfId(id);
  if (producer >= 0) return isConstantNode(index.indexedNode(producer)) ? 'constant' : 'value';
  return 'outer';
}

/**
 * The view of one graph. `shapes`: the model's shape inference, shared by every graph of one open model
 * (made here when not given).
 */
export function buildGraphView(model: ModelProto, source: GraphSource, shapes = new ModelShapes(model)): GraphView {
  const graphIndex = source.index;
  const types = graphTypes(source, shapes, defaultOpset(model));
  const fileSymbols = types ? shapes.fileSymbols : new Set<string>();
  const values: ValueView[] = [];
  // The webview refers to values by number: numbered in the order inputs, initializers, node outputs,
  // values from outside, graph outputs. Kept by the index's value id (a typed array: a large graph has
  // 100,000s of values), by name for the few the index does not number (unused inputs, initializers).
  const numberOfId = new Int32Array(graphIndex.valueCount).fill(-1);
  const numberOfName = new Map<string, number>();
  const addValue = (name: string, id: number): number => {
    const i = values.length;
    // Declared here or in an enclosing graph (initializers, value infos, Constant outputs), or inferred.
    const t = chooseShape(graphIndex.valueTypeOfId(name, id), types, name, fileSymbols);
    const kind = valueKind(graphIndex, name, id);
    const producer = kind === 'constant' || kind === 'value' ? graphIndex.producerOfId(id) : -1;
    // Consumers through an input slot; a subgraph's capture is not an edge here.
    const consumers = id < 0 ? [] : graphIndex.consumerIndicesOfId(id);
    const value: ValueView = { name, type: t.type, shape: t.shape, kind, producer, consumers };
    if (t.inferred) value.inferred = true;
    if (t.declared !== undefined) value.declared = t.declared;
    if (t.inference !== undefined) value.inference = t.inference;
    values.push(value);
    if (id < 0) numberOfName.set(name, i);
    else numberOfId[id] = i;
    return i;
  };
  /** `id`: the name's id in the index (valueId), when the caller has it. */
  const valueOf = (name: string, id = graphIndex.valueId(name)): number => {
    if (id < 0) return numberOfName.get(name) ?? addValue(name, -1);
    const i = numberOfId[id];
    return i >= 0 ? i : addValue(name, id);
  };

  const body = graphIndex.graph;
  const inputs: number[] = [];
  for (const input of body.input ?? []) {
    const name = input.name ?? '';
    if (!graphIndex.initializer(name)) inputs.push(valueOf(name));
  }
  // Index loops over whole graphs here and below: a for-of step allocates while the code is still cold.
  const initializers = source.initializers;
  for (let k = 0; k < initializers.length; k++) valueOf(initializers[k].name ?? '');
  const nodes = source.nodes;
  // The index's per-slot ids serve the nodes it was built from (always so when a view is made from a
  // freshly resolved graph); a list edited since is looked up by name.
  const indexed = graphIndex.indexes(nodes);
  const inputId = (n: number, i: number, name: string) => (indexed ? graphIndex.inputId(n, i) : graphIndex.valueId(name));
  const outputId = (n: number, o: number, name: string) => (indexed ? graphIndex.outputId(n, o) : graphIndex.valueId(name));
  for (let n = 0; n < nodes.length; n++) {
    const outs = nodes[n].output ?? [];
    for (let o = 0; o < outs.length; o++) if (outs[o]) valueOf(outs[o], outputId(n, o, outs[o]));
  }

  const functions = new Set((model.functions ?? []).map((f) => `${f.domain ?? ''}\u0000${f.name ?? ''}`));
  const hidden = foldedConstants(graphIndex);
  const views: NodeView[] = [];
  // Lists are made at their exact size (map, or a scratch list copied): a list grown by push keeps room
  // for 17 entries, and the view holds several per node.
  const scratch: number[] = [];
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    const inputIndices = (node.input ?? []).map((name, i) => (name ? valueOf(name, inputId(n, i, name)) : -1));
    const outputIndices = (node.output ?? []).map((name, o) => (name ? valueOf(name, outputId(n, o, name)) : -1));
    // Constants feeding a node are drawn inside it.
    scratch.length = 0;
    for (let slot = 0; slot < inputIndices.length; slot++) {
      const v = inputIndices[slot];
      if (v < 0) continue;
      const kind = values[v].kind;
      if (kind === 'initializer' || kind === 'constant') scratch.push(slot);
    }
    const folded = scratch.length ? scratch.slice() : [];
    const view: NodeView = { name: node.name ?? '', op: node.opType ?? '', domain: node.domain && node.domain !== 'ai.onnx' ? node.domain : '', inputs: inputIndices, outputs: outputIndices, folded, group: -1 };
    if (indexed ? graphIndex.hasSubgraphs(n) : nodeHasSubgraphs(node)) {
      view.subgraphs = nodeSubgraphs(source, n).map((s) => ({ attribute: s.attribute, graph: s.source.id }));
      // What the bodies read by name: drawn as edges into the node, or into the bodies when shown inline.
      const captured = new Set<number>();
      for (const sub of graphIndex.subgraphs(n)) {
        for (const name of sub.index.outerValues()) if (!(node.input ?? []).includes(name)) captured.add(valueOf(name));
      }
      if (captured.size) view.captures = [...captured];
      const carried = carriedInputs(node);
      if (carried !== undefined) view.carried = carried;
    }
    if (functions.size && functions.has(`${node.domain ?? ''}\u0000${node.opType ?? ''}`)) view.calls = `fn:${node.domain ?? ''}:${node.opType ?? ''}`;
    // A Constant node disappears when all it feeds are nodes.
    if (hidden.has(n)) view.hidden = true;
    views.push(view);
  }

  const outputs: number[] = [];
  for (const output of body.output ?? []) {
    const v = valueOf(output.name ?? '');
    values[v].output = true;
    outputs.push(v);
  }

  // Small constants show their values in the boxes they are folded into (`axes = [1, 2]`).
  for (let k = 0; k < values.length; k++) {
    const value = values[k];
    if (value.kind !== 'initializer' && value.kind !== 'constant') continue;
    const tensor = value.kind === 'initializer' ? graphIndex.initializer(value.name) : graphIndex.constantValue(value.name);
    const text = tensor && smallConstantText(tensor);
    if (text !== undefined) value.data = text;
  }

  const view: GraphView = { id: source.id, title: source.path, kind: source.kind, nodes: views, values, inputs, outputs, groups: groupByScope(nodes, views) };
  if (types) view.shapesInferred = true;
  if (source.kind === 'subgraph') view.fullTitle = fullPath(source);
  return view;
}

/** Loop: its inputs after M and cond are carried; Scan: those before its `num_scan_inputs` scanned ones. */
function carriedInputs(node: NodeProto): number | undefined {
  if (node.domain && node.domain !== 'ai.onnx') return undefined;
  const inputs = node.input?.length ?? 0;
  if (node.opType === 'Loop') return Math.max(0, inputs - 2);
  if (node.opType === 'Scan') {
    const scanned = node.attribute?.find((a) => a.name === 'num_scan_inputs');
    return scanned ? Math.max(0, inputs - Number(scanned.i ?? 0)) : undefined;
  }
  return undefined;
}

interface ScopeTrie {
  name: string;
  path: string;
  children: Map<string, ScopeTrie>;
  nodes: number[];
  size: number;
}

/**
 * Groups drawn nodes by scope. A scope holding a single node is dissolved into its parent; a scope that
 * holds only one subscope is merged with it (`encoder/layers`), so no click opens a box with one thing in it.
 */
function groupByScope(nodes: NodeProto[], views: NodeView[]): GroupView[] {
  const root: ScopeTrie = { name: '', path: '', children: new Map(), nodes: [], size: 0 };
  const scopes = new NodeScopes();
  for (let n = 0; n < nodes.length; n++) {
    if (views[n].hidden) continue;
    let trie = root;
    trie.size++;
    const scope = scopes.of(nodes[n]);
    for (let s = 0; s < scope.length; s++) {
      const segment = scope[s];
      let child = trie.children.get(segment);
      if (!child) {
        child = { name: segment, path: `${trie.path}/${segment}`, children: new Map(), nodes: [], size: 0 };
        trie.children.set(segment, child);
      }
      trie = child;
      trie.size++;
    }
    trie.nodes.push(n);
  }
  const groups: GroupView[] = [];
  const place = (trie: ScopeTrie, parent: number) => {
    for (const child of trie.children.values()) {
      let group = child;
      let name = child.name;
      while (group.nodes.length === 0 && group.children.size === 1) {
        group = group.children.values().next().value!;
        name = `${name}/${group.name}`;
      }
      if (group.size <= 1) {
        // Dissolve: its single node (at whatever depth) belongs to the parent.
        const only = collectNodes(group);
        for (const n of only) views[n].group = parent;
        continue;
      }
      const g = groups.length;
      groups.push({ name, path: group.path, parent, size: group.size });
      for (const n of group.nodes) views[n].group = g;
      place(group, g);
    }
  };
  for (const n of root.nodes) views[n].group = -1;
  place(root, -1);
  return groups;
}

function collectNodes(trie: ScopeTrie): number[] {
  const result = [...trie.nodes];
  for (const child of trie.children.values()) result.push(...collectNodes(child));
  return result;
}

/** The editor's first message: properties, every graph's entry, the main graph, and the dimension aliases. */
export function buildModelView(model: ModelProto, fileName: string, shapes = new ModelShapes(model)): ModelView {
  const main = model.graph ? mainSource(model.graph) : undefined;
  const empty: GraphView = { id: MAIN_GRAPH, title: 'main graph', kind: 'main', nodes: [], values: [], inputs: [], outputs: [], groups: [] };
  const graphs = listGraphs(model, main);
  // Walked before inference reads the nodes' attributes: a node whose attributes are still bytes says at
  // once that it holds no subgraph.
  const summary = summarize(model);
  const stats = modelStats(model, graphs);
  const view = main ? buildGraphView(model, main, shapes) : empty;
  return {
    fileName,
    summary,
    stats,
    graphs,
    main: view,
    dims: dimAliasTable(model, symbolsOf(view.values)),
  };
}

/** The symbolic dims of the values' shapes, each once, in the order first seen. */
function symbolsOf(values: ValueView[]): Set<string> {
  const symbols = new Set<string>();
  for (let k = 0; k < values.length; k++) {
    const shape = values[k].shape;
    if (shape) for (let i = 0; i < shape.length; i++) if (typeof shape[i] === 'string') symbols.add(shape[i] as string);
  }
  return symbols;
}

/** Node counts from the graph list, and the tensors held in Constant nodes of every graph. */
export function modelStats(model: ModelProto, graphs: GraphEntry[]): ModelStats {
  const main = graphs.find((g) => g.id === MAIN_GRAPH);
  const stats: ModelStats = {
    nodes: { main: main?.nodes ?? 0, all: 0 },
    folded: { main: main?.folded ?? 0, all: 0 },
    constants: { count: 0, bytes: 0 },
  };
  for (const g of graphs) {
    stats.nodes.all += g.nodes;
    stats.folded.all += g.folded;
  }
  const visit = (list: NodeProto[] | null | undefined) => {
    const nodes = list ?? [];
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n];
      if (isConstantNode(node)) {
        const tensor = constantNodeValue(node);
        stats.constants.count++;
        if (tensor) stats.constants.bytes += tensorByteSize(tensor);
      }
      if (nodeHasSubgraphs(node)) for (const sub of subgraphsOf(node)) visit(sub.graph.node);
    }
  };
  visit(model.graph?.node);
  for (const fn of model.functions ?? []) visit(fn.node);
  return stats;
}
