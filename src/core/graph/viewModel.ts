// Builds the editor's compact graph description from a decoded model: values with producers and
// consumers, constants folded into the nodes they feed, nodes grouped by name scope. One graph at a
// time, so a subgraph or function is only described when the user opens it. Producers, consumers and
// declared types come from the graph's GraphIndex; this module only numbers the values for the webview.
import { dataTypeName } from '../model/dataTypes.js';
import { isExternal } from '../model/externalData.js';
import { GraphIndex } from '../model/graphIndex.js';
import { defaultOpset } from '../model/graphQueries.js';
import type { FunctionProto, GraphProto, ModelProto, NodeProto, TensorProto } from '../model/proto.js';
import { summarize } from '../model/summary.js';
import type { Dim } from '../model/types.js';
import { subgraphsOf } from '../model/walk.js';
import { inferShapes } from '../ops/shapeInference.js';
import { nodeScope } from './scopes.js';
import type { GraphEntry, GraphKind, GraphView, GroupView, ModelView, NodeView, ValueKind, ValueView } from './viewModelTypes.js';

/** A graph body wherever it lives: the main graph, an attribute's subgraph, or a function. */
export interface GraphSource {
  id: string;
  title: string;
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

function fromGraph(graph: GraphProto, id: string, title: string, kind: GraphKind, parent?: GraphSource): GraphSource {
  return graphSource({ id, title, kind, parent, graph }, graph);
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
  return graphSource({ id: functionId(fn), title: name, kind: 'function', fn }, body);
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
    result.push({ attribute: sub.attribute, source: fromGraph(sub.graph, id, `${nodeLabel(node, index)}.${sub.attribute}${suffix}`, 'subgraph', source) });
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
  const main = fromGraph(model.graph, MAIN_GRAPH, model.graph.name || 'main graph', 'main');
  return descend(main, id === MAIN_GRAPH ? [] : id.split('/').slice(1));
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

/** Every graph of the model, for navigation: main, subgraphs at any depth, functions and their subgraphs. */
export function listGraphs(model: ModelProto): GraphEntry[] {
  const result: GraphEntry[] = [];
  const visit = (source: GraphSource) => {
    result.push({ id: source.id, title: source.title, kind: source.kind, parent: source.parent?.id, nodes: source.nodes.length });
    for (let i = 0; i < source.nodes.length; i++) {
      if (!source.nodes[i].attribute?.some((a) => a.g || a.graphs?.length)) continue;
      for (const sub of nodeSubgraphs(source, i)) visit(sub.source);
    }
  };
  if (model.graph) visit(fromGraph(model.graph, MAIN_GRAPH, model.graph.name || 'main graph', 'main'));
  for (const fn of model.functions ?? []) visit(fromFunction(fn));
  return result;
}

export function isConstantNode(node: NodeProto): boolean {
  return node.opType === 'Constant' && (!node.domain || node.domain === 'ai.onnx');
}

interface TypeInfo {
  type: string;
  shape?: Dim[];
}

/**
 * Types from static shape inference, for values the file declares no type for, so that edges still
 * carry shapes: of this graph and of the graphs around it (for values a subgraph captures), outer first.
 */
function inferredTypes(source: GraphSource, opset: number): Map<string, TypeInfo> {
  const table = source.parent ? inferredTypes(source.parent, opset) : new Map<string, TypeInfo>();
  if (!source.graph) return table;
  const index = source.index;
  // This graph's constants only, and no external data: inference must not read files.
  const constant = (name: string) => {
    const init = index.initializer(name);
    if (init) return isExternal(init) ? undefined : init;
    return index.defines(name) ? index.constantTensor(name) : undefined;
  };
  for (const [name, t] of inferShapes(source.graph, { opset, constant })) {
    if (!table.has(name) && t.elemType) table.set(name, { type: dataTypeName(t.elemType), shape: t.shape });
  }
  return table;
}

function valueKind(index: GraphIndex, name: string): ValueKind {
  if (index.initializer(name)) return 'initializer';
  if (index.isGraphInput(name)) return 'input';
  const producer = index.producer(name);
  if (producer) return isConstantNode(producer.node) ? 'constant' : 'value';
  return 'outer';
}

/** The view of one graph. */
export function buildGraphView(model: ModelProto, source: GraphSource): GraphView {
  const graphIndex = source.index;
  const inferred = inferredTypes(source, defaultOpset(model));
  const typeOf = (name: string): TypeInfo | undefined => {
    // Declared here or in an enclosing graph (initializers, value infos, Constant outputs), else inferred.
    const declared = graphIndex.valueType(name);
    return declared && declared.kind !== 'unknown' ? { type: declared.elemType, shape: declared.shape } : inferred.get(name);
  };
  const values: ValueView[] = [];
  // The webview refers to values by number: numbered in the order inputs, initializers, node outputs,
  // values from outside, graph outputs.
  const numbers = new Map<string, number>();
  const valueOf = (name: string): number => {
    let i = numbers.get(name);
    if (i === undefined) {
      i = values.length;
      const t = typeOf(name);
      const kind = valueKind(graphIndex, name);
      const producer = kind === 'constant' || kind === 'value' ? graphIndex.producer(name)!.index : -1;
      // Consumers through an input slot; a subgraph's capture is not an edge here.
      const consumers = graphIndex.consumers(name).filter((c) => c.inputIndex >= 0).map((c) => c.index);
      values.push({ name, type: t?.type ?? '', shape: t?.shape, kind, producer, consumers });
      numbers.set(name, i);
    }
    return i;
  };

  const body = graphIndex.graph;
  const inputs: number[] = [];
  for (const input of body.input ?? []) {
    const name = input.name ?? '';
    if (!graphIndex.initializer(name)) inputs.push(valueOf(name));
  }
  for (const t of source.initializers) valueOf(t.name ?? '');
  const nodes = source.nodes;
  for (const node of nodes) for (const name of node.output ?? []) if (name) valueOf(name);

  const functions = new Set((model.functions ?? []).map((f) => `${f.domain ?? ''}\u0000${f.name ?? ''}`));
  const views: NodeView[] = new Array(nodes.length);
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    const inputIndices: number[] = [];
    for (const name of node.input ?? []) inputIndices.push(name ? valueOf(name) : -1);
    const outputIndices = (node.output ?? []).map((name) => (name ? numbers.get(name)! : -1));
    const view: NodeView = { name: node.name ?? '', op: node.opType ?? '', domain: node.domain && node.domain !== 'ai.onnx' ? node.domain : '', inputs: inputIndices, outputs: outputIndices, folded: [], group: -1 };
    if (node.attribute?.some((a) => a.g || a.graphs?.length)) {
      view.subgraphs = nodeSubgraphs(source, n).map((s) => ({ attribute: s.attribute, graph: s.source.id }));
    }
    if (functions.size && functions.has(`${node.domain ?? ''}\u0000${node.opType ?? ''}`)) view.calls = `fn:${node.domain ?? ''}:${node.opType ?? ''}`;
    views[n] = view;
  }

  const outputs: number[] = [];
  for (const output of body.output ?? []) {
    const v = valueOf(output.name ?? '');
    values[v].output = true;
    outputs.push(v);
  }

  // Constants feeding a node are drawn inside it; a Constant node disappears when all it feeds are nodes.
  for (const view of views) {
    view.inputs.forEach((v, slot) => {
      if (v < 0) return;
      const kind = values[v].kind;
      if (kind === 'initializer' || kind === 'constant') view.folded.push(slot);
    });
  }
  for (let n = 0; n < nodes.length; n++) {
    if (!isConstantNode(nodes[n])) continue;
    const outs = views[n].outputs;
    if (outs.length > 0 && outs.every((v) => v >= 0 && !values[v].output && values[v].consumers.length > 0)) views[n].hidden = true;
  }

  return { id: source.id, title: source.title, kind: source.kind, nodes: views, values, inputs, outputs, groups: groupByScope(nodes, views) };
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
  for (let n = 0; n < nodes.length; n++) {
    if (views[n].hidden) continue;
    let trie = root;
    trie.size++;
    for (const segment of nodeScope(nodes[n])) {
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

/** The editor's first message: properties, every graph's entry, and the main graph. */
export function buildModelView(model: ModelProto, fileName: string): ModelView {
  const main = resolveGraph(model, MAIN_GRAPH);
  const empty: GraphView = { id: MAIN_GRAPH, title: 'main graph', kind: 'main', nodes: [], values: [], inputs: [], outputs: [], groups: [] };
  return {
    fileName,
    summary: summarize(model),
    graphs: listGraphs(model),
    main: main ? buildGraphView(model, main) : empty,
  };
}
