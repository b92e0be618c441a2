// Symbolic shape inference: the element type and dims of every value we can know without running the
// model. Dims are numbers, the model's symbols, or expressions of them (`8*s0`, `s1 + 1`); small integer
// vectors are followed element by element (data propagation) so that Shape-derived Reshape targets
// resolve. Folding uses it to evaluate Shape/Size and to keep outputs over the size limit unfolded; the
// viewer, `info --json` and the text view show it. Nothing is guessed: a size that cannot be computed
// stays unknown (or, on request, gets a fresh symbol); symbols are taken as sizes of at least 1.
import { int64ToNumber, type GraphProto, type NodeProto, type TensorProto, type TypeProto } from '../model/proto.js';
import { shapeOf, type Dim } from '../model/types.js';
import { definedNames, topologicalOrder } from '../model/graphQueries.js';
import { subgraphsOf } from '../model/walk.js';
import { nodeHasSubgraphs } from '../model/lazyDecode.js';
import { NameTable } from '../model/nameTable.js';
import { constantNodeValue } from '../model/tensorValues.js';
import { isExternal } from '../model/externalData.js';
import { DimAlgebra } from './dimAlgebra.js';
import { ScopedMap } from './scopedMap.js';
import { shapeRule } from './shapeRules.js';
import { isStatic, type InferredType, type NodeFacts } from './shapeRuleKit.js';
import { constantElements, maxValueElements, propagateValue } from './shapeValues.js';

export { isStatic, type InferredType };

export interface ShapeContext {
  /** Default-domain opset version of the model. */
  opset: number;
  /** Opset versions of the other domains the model imports (com.microsoft, ...). */
  opsets?: ReadonlyMap<string, number>;
  /** Types visible from enclosing scopes (for subgraphs). */
  outer?: ReadonlyMap<string, InferredType>;
  /** Known elements of small values of enclosing scopes. */
  outerValues?: ReadonlyMap<string, Dim[]>;
  /** Constant tensor of a name visible in this graph (initializer or Constant output), if any. */
  constant?: (name: string) => TensorProto | undefined;
  /** Receives the elements known for small int vectors and scalars (Shape->Gather->Concat chains). */
  valuesOut?: Map<string, Dim[]>;
  /** Receives the types inferred inside each subgraph (If branches, Loop and Scan bodies). */
  subgraphsOut?: Map<GraphProto, Map<string, InferredType>>;
  /** Types the caller knows for the graph's inputs, in order (a Loop body's iteration values). */
  inputTypes?: Array<InferredType | undefined>;
  /** Shared by the graphs of one model so that symbols are parsed once and fresh ones never repeat. */
  dims?: DimAlgebra;
  /**
   * Names each dim inference cannot compute with a new symbol (unk__N, as onnx and onnxruntime do), so
   * that values sharing an unknown size show it. Off by default: files written from the result (an
   * extracted subgraph's inputs) keep unknown dims unnamed.
   */
  freshSymbols?: boolean;
}

/** Every dim_param a graph and its subgraphs declare. */
export function graphSymbols(graph: GraphProto, into = new Set<string>()): Set<string> {
  for (const list of [graph.input, graph.output, graph.valueInfo]) {
    for (const v of list ?? []) for (const d of v.type?.tensorType?.shape?.dim ?? []) if (d.dimParam) into.add(d.dimParam);
  }
  // An index loop that skips nodes without subgraphs: asked of every node of large graphs.
  const nodes = graph.node ?? [];
  for (let n = 0; n < nodes.length; n++) if (nodeHasSubgraphs(nodes[n])) for (const sub of subgraphsOf(nodes[n])) graphSymbols(sub.graph, into);
  return into;
}

/**
 * An algebra whose fresh symbols avoid every name the graph (its bodies included) and the enclosing scopes
 * use. Callers that infer a model's graphs one by one make one for the main graph and pass it to each.
 */
export function algebraFor(graph: GraphProto, outer?: ReadonlyMap<string, InferredType>): DimAlgebra {
  const dims = new DimAlgebra();
  dims.reserve(graphSymbols(graph));
  for (const t of outer?.values() ?? []) dims.reserve((t.shape ?? []).filter((d): d is string => typeof d === 'string'));
  return dims;
}

/** Element count when the shape is fully known, else undefined. */
export function staticCount(type: InferredType | undefined): number | undefined {
  if (!type || !isStatic(type.shape)) return undefined;
  return type.shape.reduce((n, d) => n * d, 1);
}

export function typeFromProto(type: TypeProto | null | undefined): InferredType | undefined {
  if (!type) return undefined;
  const t = type.tensorType;
  if (t) return t.elemType ? { elemType: t.elemType, shape: shapeOf(t.shape) } : undefined;
  if (type.sequenceType) return { elemType: 0, sequenceOf: typeFromProto(type.sequenceType.elemType) };
  if (type.optionalType) return { elemType: 0, optionalOf: typeFromProto(type.optionalType.elemType) };
  return undefined;
}

/**
 * Combines what a file declares with what inference found: numbers win over symbols; a declared symbol
 * stays (the exporter's name, as onnx keeps it); the inferred rank wins over a stale declaration.
 */
export function mergeTypes(declared: InferredType | undefined, inferred: InferredType | undefined): InferredType | undefined {
  if (!declared) return inferred;
  if (!inferred) return declared;
  if (declared.sequenceOf || inferred.sequenceOf) return { elemType: 0, sequenceOf: mergeTypes(declared.sequenceOf, inferred.sequenceOf) };
  if (declared.optionalOf || inferred.optionalOf) return { elemType: 0, optionalOf: mergeTypes(declared.optionalOf, inferred.optionalOf) };
  const elemType = inferred.elemType || declared.elemType;
  if (!declared.shape) return { elemType, shape: inferred.shape };
  if (!inferred.shape) return { elemType, shape: declared.shape };
  if (declared.shape.length !== inferred.shape.length) return { elemType, shape: inferred.shape };
  const a = declared.shape;
  return { elemType, shape: inferred.shape.map((b, i) => (typeof b === 'number' ? b : typeof a[i] === 'number' || a[i] !== null ? a[i] : b)) };
}

/**
 * Constants of a subgraph: its own initializers and Constant nodes, then the enclosing scope's unless
 * shadowed (`outer` undefined: there is no enclosing scope). The tensors are for reading elements: a
 * Constant node's is its attribute's own (see constantNodeValue).
 */
export function scopedConstants(graph: GraphProto, outer?: (name: string) => TensorProto | undefined, skip: ReadonlySet<string> = new Set()): (name: string) => TensorProto | undefined {
  const local = new NameTable<TensorProto | NodeProto>(graph);
  const initializers = graph.initializer ?? [];
  for (let k = 0; k < initializers.length; k++) {
    const t = initializers[k];
    if (t.name && !skip.has(t.name) && !isExternal(t)) local.set(t.name, t);
  }
  const nodes = graph.node ?? [];
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k];
    if (n.opType === 'Constant' && (!n.domain || n.domain === 'ai.onnx') && n.output?.[0]) local.set(n.output[0], n);
  }
  // What shadows the enclosing scope: only needed when there is one (the main graph has 100,000s of names).
  const defined = outer ? definedNames(graph) : undefined;
  return (name) => {
    const found = local.get(name);
    // A Constant node's tensor is found when asked for: most are never needed as values.
    if (found) return 'opType' in found ? constantNodeValue(found) : found;
    return !outer || defined!.has(name) ? undefined : outer(name);
  };
}

/**
 * Node indices in an order where producers come first: the file's own order when it already is one
 * (exporters write them so), else a topological sort.
 */
function nodeOrder(graph: GraphProto, outer: ReadonlyMap<string, InferredType> | undefined): number[] {
  const nodes = graph.node ?? [];
  // The first node that makes each name: an input is ready at node n when a node before n makes it, or
  // the graph has it as an input or initializer.
  const first = new NameTable<number>(graph);
  for (let n = 0; n < nodes.length; n++) {
    const outputs = nodes[n].output ?? [];
    for (let o = 0; o < outputs.length; o++) {
      const name = outputs[o];
      if (name && first.get(name) === undefined) first.set(name, n);
    }
  }
  const given = new Set<string>();
  for (const v of graph.input ?? []) given.add(v.name ?? '');
  for (const t of graph.initializer ?? []) given.add(t.name ?? '');
  let sorted = true;
  for (let n = 0; n < nodes.length && sorted; n++) {
    const node = nodes[n];
    const inputs = node.input ?? [];
    for (let i = 0; i < inputs.length; i++) {
      const name = inputs[i];
      if (!name || given.has(name)) continue;
      const producer = first.get(name) ?? -1;
      if (producer >= 0 ? producer >= n : !outer) {
        // Made here or later, or (in a graph without enclosing scopes) nowhere.
        sorted = false;
        break;
      }
    }
    if (nodeHasSubgraphs(node) && subgraphsOf(node).length) sorted = false;
  }
  if (sorted) {
    const order: number[] = new Array(nodes.length);
    for (let n = 0; n < nodes.length; n++) order[n] = n;
    return order;
  }
  return topologicalOrder(graph);
}

/** Types of every value of `graph` we can infer (includes the outer scope's entries). */
export function inferShapes(graph: GraphProto, context: ShapeContext): Map<string, InferredType> {
  const dims = context.dims ?? algebraFor(graph, context.outer);
  const types: Map<string, InferredType> = context.outer ? new ScopedMap(context.outer) : new Map();
  // A caller's own map receives the enclosing scope's values too (its lookups do not read through).
  const values: Map<string, Dim[]> = context.valuesOut ?? (context.outerValues ? new ScopedMap(context.outerValues) : new Map());
  if (context.valuesOut) for (const [name, v] of context.outerValues ?? []) if (!values.has(name)) values.set(name, v);
  const constant = context.constant ?? (() => undefined);
  const set = (name: string, type: InferredType | undefined) => {
    if (type && (type.elemType || type.shape || type.sequenceOf || type.optionalOf)) types.set(name, type);
    else types.delete(name);
  };

  (graph.input ?? []).forEach((v, i) => {
    if (!v.name) return;
    // A graph input shadows whatever an enclosing scope knew of that name.
    values.delete(v.name);
    set(v.name, mergeTypes(typeFromProto(v.type), context.inputTypes?.[i]));
  });
  for (const v of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const t = typeFromProto(v.type);
    if (v.name && t) set(v.name, mergeTypes(types.get(v.name), t));
  }
  const initializers = graph.initializer ?? [];
  for (let k = 0; k < initializers.length; k++) {
    const t = initializers[k];
    if (t.name) types.set(t.name, { elemType: t.dataType ?? 0, shape: (t.dims ?? []).map((d) => int64ToNumber(d)) });
  }

  const typeOf = (name: string | undefined) => (name ? types.get(name) : undefined);
  // Constant elements are read once per name: rules ask for the same axes and shapes again and again.
  const constants = new Map<string, Dim[] | undefined>();
  const valueOf = (name: string | undefined): Dim[] | undefined => {
    if (!name) return undefined;
    const known = values.get(name);
    if (known) return known;
    if (constants.has(name)) return constants.get(name);
    // Only constants are remembered: most names asked for are none, and looking again costs a lookup.
    const tensor = constant(name);
    if (!tensor) return undefined;
    const elements = constantElements(tensor);
    constants.set(name, elements);
    return elements;
  };
  // A Constant's own elements: valueOf without remembering them among the constants, as they are kept
  // as the value's once read (a map entry less for each of a model's 10,000s of Constant nodes).
  const constantValueOf = (name: string): Dim[] | undefined => values.get(name) ?? (constants.has(name) ? constants.get(name) : constantElements(constant(name)));
  const nodes = graph.node ?? [];
  // One facts object for every node of the graph, pointed at the node in turn: rules read it while they
  // run and keep nothing of it, and a graph of 100,000s of nodes otherwise makes as many sets of closures.
  let inputs: string[] = [];
  const value = (i: number) => valueOf(inputs[i]);
  const input = (i: number) => typeOf(inputs[i]);
  const facts: NodeFacts = {
    node: nodes[0], opset: context.opset, dims,
    input,
    value,
    numbers: (i) => {
      const v = value(i);
      return v && v.every((d) => typeof d === 'number') ? (v as number[]) : undefined;
    },
    subgraph: (body, inputTypes) => {
      const inner = inferShapes(body, {
        ...context, outer: types, outerValues: values, valuesOut: undefined, inputTypes, dims,
        constant: scopedConstants(body, constant),
      });
      context.subgraphsOut?.set(body, inner);
      return (body.output ?? []).map((o) => (o.name ? inner.get(o.name) : undefined));
    },
  };
  const order = nodeOrder(graph, context.outer);
  for (let k = 0; k < order.length; k++) {
    const node = nodes[order[k]];
    inputs = node.input ?? [];
    const domain = node.domain && node.domain !== 'ai.onnx' ? node.domain : '';
    const opset = domain ? context.opsets?.get(domain) ?? 1 : context.opset;
    facts.node = node;
    facts.opset = opset;
    let out: Array<InferredType | undefined> = [];
    try {
      out = shapeRule(domain, node.opType)?.(facts) ?? [];
    } catch {
      // A malformed attribute or argument: the node's outputs stay as declared.
    }
    const outputs = node.output ?? [];
    for (let i = 0; i < outputs.length; i++) {
      const name = outputs[i];
      if (!name) continue;
      const t = mergeTypes(types.get(name), out[i]);
      set(name, context.freshSymbols && t?.shape?.includes(null) ? { ...t, shape: t.shape.map((d) => d ?? dims.fresh()) } : t);
    }
    const first = node.output?.[0];
    const type = typeOf(first);
    if (!first || !type?.shape) continue;
    // Above rank 1 only small tensors of static shape are carried (flat, row-major).
    const length = type.shape.length === 0 ? 1 : type.shape.length === 1 ? type.shape[0] : staticCount(type);
    if (type.shape.length > 1 && (typeof length !== 'number' || length > maxValueElements)) continue;
    let known: Dim[] | undefined;
    try {
      // A Constant's elements come through the constant lookup (read once); other nodes compute theirs.
      known = (node.opType === 'Constant' && !domain ? constantValueOf(first) : undefined) ?? propagateValue({ node, dims, input, value, output: type });
    } catch {
      known = undefined;
    }
    if (known && known.length <= maxValueElements && (typeof length !== 'number' || length === known.length)) values.set(first, known);
  }
  return types;
}
