// Graph structure: a well-formed signature, every name defined once per scope (SSA) and before use,
// subgraphs reading outer values by capture, nodes in topological order (a warning when they are only
// out of order, an error on a cycle), graph outputs that exist and are listed once. The walk also
// drives the node rules (ops, attributes, types) in topological order so that types flow forward.
import { dataTypeName } from '../model/dataTypes.js';
import type { FunctionProto, GraphProto, NodeProto, TensorProto, TypeProto, ValueInfoProto } from '../model/proto.js';
import { topologicalSort } from '../model/topologicalSort.js';
import { subgraphsOf } from '../model/walk.js';
import { checkAttribute, checkAttributesAgainstSchema } from './attributes.js';
import { type CheckContext, type GraphSource, lookup, opsetMap, type Scope } from './context.js';
import { dataTypeMinIr } from './model.js';
import { checkNodeOp } from './ops.js';
import type { ProblemLocation } from './problem.js';
import { checkSparseTensor, checkTensor } from './tensors.js';
import { checkNodeTypes, isKnownDataType, tensorTypeString, typeString } from './types.js';

function nodeLabel(node: NodeProto, index: number): string {
  return node.name || `${node.opType ?? 'node'}_${index}`;
}

export function mainGraphSource(ctx: CheckContext, graph: GraphProto): GraphSource {
  return fromGraph(graph, '', 'main graph', 'main', ctx.opsets);
}

function fromGraph(graph: GraphProto, id: string, title: string, kind: GraphSource['kind'], opsets: ReadonlyMap<string, number>): GraphSource {
  return {
    id,
    title,
    kind,
    nodes: graph.node ?? [],
    inputs: graph.input ?? [],
    outputs: graph.output ?? [],
    initializers: graph.initializer ?? [],
    sparseInitializers: graph.sparseInitializer ?? [],
    valueInfo: graph.valueInfo ?? [],
    graph,
    opsets,
  };
}

export function functionSource(ctx: CheckContext, fn: FunctionProto): GraphSource {
  const opsets = fn.opsetImport?.length ? opsetMap(fn.opsetImport, ctx.irVersion) : ctx.opsets;
  return {
    id: `fn:${fn.domain ?? ''}:${fn.name ?? ''}`,
    title: `function ${fn.domain ? fn.domain + '.' : ''}${fn.name ?? ''}`,
    kind: 'function',
    nodes: fn.node ?? [],
    inputs: (fn.input ?? []).map((name) => ({ name })),
    outputs: (fn.output ?? []).map((name) => ({ name })),
    initializers: [],
    sparseInitializers: [],
    valueInfo: fn.valueInfo ?? [],
    fn,
    opsets,
  };
}

/** The subgraphs of a node, with the ids the graph view gives them. */
function subgraphSources(parent: GraphSource, node: NodeProto, index: number): GraphSource[] {
  const counts = new Map<string, number>();
  return subgraphsOf(node).map((sub) => {
    const k = counts.get(sub.attribute) ?? 0;
    counts.set(sub.attribute, k + 1);
    const multiple = (node.attribute ?? []).some((a) => a.name === sub.attribute && (a.graphs?.length ?? 0) > 0);
    const suffix = multiple ? `.${k}` : '';
    const local = `${nodeLabel(node, index)}.${sub.attribute}${suffix}`;
    const title = parent.kind === 'main' ? local : `${parent.title}/${local}`;
    return fromGraph(sub.graph, `${parent.id}/${index}.${sub.attribute}${suffix}`, title, 'subgraph', parent.opsets);
  });
}

/** Names a graph reads from enclosing scopes: used, but not defined inside it or its subgraphs. */
function freeNames(ctx: CheckContext, graph: GraphProto): ReadonlySet<string> {
  const known = ctx.freeNames.get(graph);
  if (known) return known;
  const defined = new Set<string>();
  for (const v of graph.input ?? []) defined.add(v.name ?? '');
  for (const t of graph.initializer ?? []) defined.add(t.name ?? '');
  for (const s of graph.sparseInitializer ?? []) defined.add(s.values?.name ?? '');
  for (const node of graph.node ?? []) for (const o of node.output ?? []) defined.add(o);
  const free = new Set<string>();
  for (const node of graph.node ?? []) {
    for (const i of node.input ?? []) if (i && !defined.has(i)) free.add(i);
    for (const sub of subgraphsOf(node)) for (const n of freeNames(ctx, sub.graph)) if (!defined.has(n)) free.add(n);
  }
  for (const o of graph.output ?? []) if (o.name && !defined.has(o.name)) free.add(o.name);
  ctx.freeNames.set(graph, free);
  return free;
}

function checkTypeProto(ctx: CheckContext, type: TypeProto, where: ProblemLocation, label: string): void {
  const elem = (id: number | null | undefined) => {
    if (!id) return;
    if (!isKnownDataType(id)) ctx.report('error', 'value-info', where, `${label} has unknown element type ${id}`);
    const minIr = dataTypeMinIr.get(id);
    if (minIr) ctx.requireIr(minIr, `${dataTypeName(id)} values`, where);
  };
  if (type.tensorType) elem(type.tensorType.elemType);
  if (type.sparseTensorType) {
    ctx.requireIr(8, 'sparse tensor types', where);
    elem(type.sparseTensorType.elemType);
  }
  if (type.optionalType) ctx.requireIr(8, 'optional types', where);
  if (type.mapType) elem(type.mapType.keyType);
  for (const inner of [type.sequenceType?.elemType, type.optionalType?.elemType, type.mapType?.valueType]) {
    if (inner) checkTypeProto(ctx, inner, where, label);
  }
}

/** What onnx's checker asks of a main graph's inputs and outputs: a full type, shape included. */
function checkSignatureType(ctx: CheckContext, v: ValueInfoProto, where: ProblemLocation, label: string): void {
  const type = v.type;
  if (!type) {
    ctx.report('error', 'value-info', where, `${label} has no type`);
    return;
  }
  const missing = (what: string) => ctx.report('error', 'value-info', where, `${label} has no ${what}`);
  if (type.tensorType) {
    if (!type.tensorType.elemType) missing('element type');
    if (!type.tensorType.shape) missing('shape (an empty shape means a scalar; the field must be there)');
  } else if (type.sparseTensorType) {
    if (!type.sparseTensorType.elemType) missing('element type');
    if (!type.sparseTensorType.shape) missing('shape');
  } else if (type.sequenceType) {
    if (!type.sequenceType.elemType) missing('sequence element type');
  } else if (type.mapType) {
    if (!type.mapType.keyType || !type.mapType.valueType) missing('map key or value type');
  } else if (type.optionalType) {
    if (!type.optionalType.elemType) missing('optional element type');
  } else if (!type.opaqueType) {
    ctx.report('error', 'value-info', where, `${label} has an empty type`);
  }
}

function checkValueInfos(ctx: CheckContext, source: GraphSource, at: ProblemLocation): void {
  const strict = source.kind === 'main';
  for (const [list, what] of [[source.inputs, 'input'], [source.outputs, 'output'], [source.valueInfo, 'value_info entry']] as const) {
    for (const v of list) {
      const name = v.name ?? '';
      const where: ProblemLocation = name ? { ...at, value: name } : at;
      const label = `${what === 'value_info entry' ? 'value_info' : `graph ${what}`} '${name}'`;
      if (!name) {
        ctx.report('error', 'value-info', where, `a graph ${what} has no name`);
        continue;
      }
      if (strict && what !== 'value_info entry') checkSignatureType(ctx, v, where, label);
      if (v.type) checkTypeProto(ctx, v.type, where, label);
      if (v.metadataProps?.length) ctx.requireIr(10, 'metadata_props on values', where);
    }
  }
}

function defineShared(ctx: CheckContext, scope: Scope, name: string, kind: 'input' | 'initializer', where: ProblemLocation): void {
  const existing = scope.defs.get(name);
  if (existing) {
    // An initializer may carry the default of an input of the same name (IR 4 on).
    if (!(kind === 'initializer' && existing.kind === 'input')) {
      ctx.report('error', 'duplicate-definition', where, `'${name}' is defined more than once as a graph ${kind}`, 'make-names-unique');
    }
    return;
  }
  if (scope.outer && lookup(scope.outer, name)) {
    ctx.report('warning', 'shadowed-name', where, `graph ${kind} '${name}' hides a value of the same name in an enclosing graph`, 'make-names-unique');
  }
  scope.defs.set(name, { kind });
}

function defineInitializer(ctx: CheckContext, scope: Scope, tensor: TensorProto, at: ProblemLocation): void {
  const name = tensor.name ?? '';
  const where: ProblemLocation = { ...at, value: name };
  checkTensor(ctx, tensor, at);
  if (!name) {
    ctx.report('error', 'tensor-data', where, 'an initializer has no name');
    return;
  }
  if (ctx.irVersion > 0 && ctx.irVersion <= 3 && scope.defs.get(name)?.kind !== 'input') {
    ctx.report('error', 'initializer-not-input', where, `initializer '${name}' is not a graph input, which IR version ${ctx.irVersion} requires (relaxed in IR version 4)`);
  }
  defineShared(ctx, scope, name, 'initializer', where);
  const type = tensorTypeString(tensor);
  if (type) scope.types.set(name, type);
}

/** Tarjan's strongly connected components, iterative: the node sets that form cycles. */
function cycles(deps: number[][]): number[][] {
  const n = deps.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const found: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: Array<[number, number]> = [[root, 0]];
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, edge] = frame;
      if (edge === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
      }
      if (edge < deps[v].length) {
        frame[1]++;
        const w = deps[v][edge];
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || deps[v].includes(v)) found.push(component.sort((a, b) => a - b));
      }
    }
  }
  return found.sort((a, b) => a[0] - b[0]);
}

/** Reports cycles or out-of-order nodes; returns an order in which every node follows its producers. */
function checkOrder(ctx: CheckContext, source: GraphSource, deps: number[][], at: ProblemLocation): number[] {
  const nodes = source.nodes;
  let late: { node: number; producer: number } | undefined;
  for (let i = 0; i < deps.length && !late; i++) {
    for (const j of deps[i]) if (j >= i) {
      late = { node: i, producer: j };
      break;
    }
  }
  if (!late) return nodes.map((_, i) => i);
  const loops = cycles(deps);
  const describe = (i: number) => `${i} "${nodeLabel(nodes[i], i)}" (${nodes[i].opType ?? ''})`;
  for (const component of loops) {
    const first = component[0];
    const shown = component.slice(0, 6).map(describe).join(', ');
    const more = component.length > 6 ? ` and ${component.length - 6} more` : '';
    const message = component.length === 1 ? `node ${describe(first)} reads its own output: a cycle` : `nodes ${shown}${more} form a cycle`;
    ctx.report('error', 'cycle', { ...at, node: first, nodeName: nodes[first].name ?? '', opType: nodes[first].opType ?? '' }, message);
  }
  if (!loops.length) {
    const { node, producer } = late;
    ctx.report('warning', 'not-sorted', { ...at, node, nodeName: nodes[node].name ?? '', opType: nodes[node].opType ?? '' },
      `nodes are not in topological order: node ${describe(node)} reads a value that node ${producer} produces later`, 'topological-sort');
  }
  return topologicalSort(nodes.length, (i) => deps[i]);
}

function checkNodeNames(ctx: CheckContext, source: GraphSource, at: ProblemLocation): void {
  const first = new Map<string, number>();
  let duplicates = 0;
  let example: { name: string; a: number; b: number } | undefined;
  source.nodes.forEach((node, i) => {
    const name = node.name;
    if (!name) return;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, i);
    else {
      duplicates++;
      example ??= { name, a: earlier, b: i };
    }
  });
  if (example) {
    const more = duplicates > 1 ? ` (${duplicates} nodes repeat an earlier name)` : '';
    ctx.report('warning', 'node-name-duplicate', { ...at, node: example.b, nodeName: example.name, opType: source.nodes[example.b].opType ?? '' },
      `node name '${example.name}' is used by nodes ${example.a} and ${example.b}${more}`, 'make-names-unique');
  }
}

function checkFunctionSignature(ctx: CheckContext, fn: FunctionProto, at: ProblemLocation): void {
  if (!fn.name) ctx.report('error', 'function-signature', at, 'a model-local function has no name');
  for (const [list, what] of [[fn.input ?? [], 'input'], [fn.output ?? [], 'output'], [[...(fn.attribute ?? []), ...(fn.attributeProto ?? []).map((a) => a.name ?? '')], 'attribute']] as const) {
    const seen = new Set<string>();
    for (const name of list) {
      if (seen.has(name)) ctx.report('error', 'function-signature', at, `${at.graphTitle} lists ${what} '${name}' more than once`);
      seen.add(name);
    }
  }
  if (fn.attributeProto?.length) ctx.requireIr(9, 'function attribute defaults (attribute_proto)', at);
  if (fn.overload) ctx.requireIr(10, 'function overloads', at);
  if (fn.metadataProps?.length) ctx.requireIr(10, 'metadata_props on functions', at);
}

/** Checks one graph and, through its nodes, every subgraph below it. */
export function checkGraph(ctx: CheckContext, source: GraphSource, outer?: Scope): void {
  const scope: Scope = { source, outer, defs: new Map(), types: new Map(), declared: new Map() };
  const at: ProblemLocation = { graph: source.id, graphTitle: source.title };
  const graph = source.graph;
  if (graph) {
    if (!graph.name) ctx.report('error', 'graph-name', at, `${source.kind === 'main' ? 'the main graph' : 'a subgraph'} has no name`);
    if (graph.quantizationAnnotation?.length) ctx.requireIr(5, 'quantization annotations', at);
    if (graph.sparseInitializer?.length) ctx.requireIr(6, 'sparse initializers', at);
    if (graph.metadataProps?.length) ctx.requireIr(10, 'metadata_props on graphs', at);
  }
  if (source.fn) checkFunctionSignature(ctx, source.fn, at);
  else checkValueInfos(ctx, source, at);

  for (const v of source.inputs) {
    const name = v.name ?? '';
    if (!name) continue;
    const where: ProblemLocation = { ...at, value: name };
    if (scope.defs.has(name)) {
      if (!source.fn) ctx.report('error', 'duplicate-definition', where, `graph input '${name}' is listed more than once`, 'make-names-unique');
      continue;
    }
    defineShared(ctx, scope, name, 'input', where);
    const type = typeString(v.type);
    if (type) scope.types.set(name, type);
  }
  for (const t of source.initializers) defineInitializer(ctx, scope, t, at);
  for (const s of source.sparseInitializers) {
    checkSparseTensor(ctx, s, at);
    const name = s.values?.name ?? '';
    if (!name) continue;
    defineShared(ctx, scope, name, 'initializer', { ...at, value: name });
    // Initializers stored in sparse format (the IR's words): ops read them as dense tensors, as
    // onnxruntime does. onnx's shape inference types them sparse_tensor instead, which no ai.onnx op takes.
    const type = s.values ? tensorTypeString(s.values) : undefined;
    if (type) scope.types.set(name, type);
  }
  for (const v of [...source.valueInfo, ...source.outputs]) {
    const type = typeString(v.type);
    if (v.name && type && !scope.declared.has(v.name)) scope.declared.set(v.name, type);
  }

  const nodes = source.nodes;
  const nodeAt = (i: number): ProblemLocation => ({ graph: at.graph, graphTitle: at.graphTitle, node: i, nodeName: nodes[i].name || '', opType: nodes[i].opType || '' });
  nodes.forEach((node, i) => {
    for (const name of node.output ?? []) {
      if (!name) continue;
      const existing = scope.defs.get(name);
      if (existing) {
        const by = existing.kind === 'node' ? `node ${existing.node} "${nodeLabel(nodes[existing.node!], existing.node!)}"` : `a graph ${existing.kind}`;
        ctx.report('error', 'duplicate-definition', { ...nodeAt(i), value: name }, `'${name}' is already defined by ${by}: each name is assigned once (SSA)`, 'make-names-unique');
        continue;
      }
      if (outer && lookup(outer, name)) {
        ctx.report('error', 'duplicate-definition', { ...nodeAt(i), value: name }, `'${name}' is already defined in an enclosing graph: a subgraph may not assign it again (SSA)`, 'make-names-unique');
      }
      scope.defs.set(name, { kind: 'node', node: i });
    }
  });

  const deps: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    const read = (name: string, direct: boolean) => {
      const local = scope.defs.get(name);
      if (local) {
        if (local.kind === 'node') deps[i].push(local.node!);
        return;
      }
      if (direct && !lookup(outer, name)) {
        const where = outer ? 'in this graph or an enclosing one' : source.fn ? 'as a function input or by a node' : 'as a graph input, an initializer or by a node';
        ctx.report('error', 'undefined-value', { ...nodeAt(i), value: name }, `input '${name}' is not defined ${where}`);
      }
    };
    for (const name of node.input ?? []) if (name) read(name, true);
    for (const sub of subgraphsOf(node)) for (const name of freeNames(ctx, sub.graph)) read(name, false);
  });
  const order = checkOrder(ctx, source, deps, at);
  checkNodeNames(ctx, source, at);

  for (const i of order) {
    const node = nodes[i];
    const where = nodeAt(i);
    if (node.metadataProps?.length) ctx.requireIr(10, 'metadata_props on nodes', where);
    if (node.deviceConfigurations?.length) ctx.requireIr(11, 'node device configurations', where);
    const schema = checkNodeOp(ctx, scope, node, where);
    for (const attr of node.attribute ?? []) checkAttribute(ctx, attr, where, source.kind === 'function' || inFunction(scope));
    if (schema) checkAttributesAgainstSchema(ctx, node, where, schema);
    checkNodeTypes(ctx, scope, node, where, schema);
    for (const sub of subgraphSources(source, node, i)) checkGraph(ctx, sub, scope);
  }

  const listed = new Set<string>();
  for (const v of source.outputs) {
    const name = v.name ?? '';
    if (!name) continue;
    const where: ProblemLocation = { ...at, value: name };
    if (listed.has(name)) ctx.report('error', 'graph-output', where, `output '${name}' is listed more than once`);
    listed.add(name);
    if (!scope.defs.has(name) && !lookup(outer, name)) {
      ctx.report('error', 'graph-output', where, `output '${name}' is not produced by any node${source.fn ? ' nor a function input' : ', input or initializer'}`);
    }
  }
}

function inFunction(scope: Scope): boolean {
  for (let s: Scope | undefined = scope; s; s = s.outer) if (s.source.kind === 'function') return true;
  return false;
}
