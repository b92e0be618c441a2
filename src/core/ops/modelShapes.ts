// Shape inference over a whole model (the main graph and every subgraph), and the per-value view of it
// that `info --json` and the text view show: each value's declared shape, or the inferred one.
import { dataTypeName } from '../model/dataTypes.js';
import { defaultOpset, initializersOverridable } from '../model/graphQueries.js';
import { int64ToNumber, type GraphProto, type ModelProto } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import { subgraphsOf } from '../model/walk.js';
import { DimAlgebra, freshSymbolPattern } from './dimAlgebra.js';
import { graphSymbols, inferShapes, scopedConstants, typeFromProto, type InferredType } from './shapeInference.js';

/**
 * Types of every value of every graph of the model, each graph's map including its enclosing scopes'.
 * `symbols`: the model's own (modelSymbols), when the caller has them already.
 */
export function inferModelShapes(model: ModelProto, symbols?: ReadonlySet<string>): Map<GraphProto, Map<string, InferredType>> {
  const graphs = new Map<GraphProto, Map<string, InferredType>>();
  const graph = model.graph;
  if (!graph) return graphs;
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) if (o.domain && o.domain !== 'ai.onnx') opsets.set(o.domain, int64ToNumber(o.version));
  // Initializers that are also graph inputs are defaults the caller may replace: not constants.
  const overridable = initializersOverridable(model) ? new Set((graph.input ?? []).map((v) => v.name ?? '')) : new Set<string>();
  const dims = new DimAlgebra();
  dims.reserve(symbols ?? modelSymbols(model));
  const types = inferShapes(graph, {
    opset: defaultOpset(model), opsets, dims, subgraphsOut: graphs, freshSymbols: true,
    constant: scopedConstants(graph, undefined, overridable),
  });
  graphs.set(graph, types);
  return graphs;
}

/** Every dim_param the file declares, in its graphs and its functions' value_info. */
export function modelSymbols(model: ModelProto): Set<string> {
  const symbols = model.graph ? graphSymbols(model.graph) : new Set<string>();
  for (const fn of model.functions ?? []) {
    for (const v of fn.valueInfo ?? []) for (const d of v.type?.tensorType?.shape?.dim ?? []) if (d.dimParam) symbols.add(d.dimParam);
  }
  return symbols;
}

/**
 * Whether a dim says a size: a number, or the model's symbols and expressions of them. Null and the
 * fresh unk__N symbols inference (or an earlier onnx run the file does not declare) gave are not sizes.
 */
export function isKnownDim(d: Dim, fileSymbols: ReadonlySet<string>): boolean {
  if (d === null) return false;
  if (typeof d === 'number') return true;
  return [...d.matchAll(freshSymbolPattern)].every((m) => fileSymbols.has(m[0]));
}

export type ShapeSource = 'declared' | 'inferred';

export interface ValueShape {
  name: string;
  /** Where the value lives: [] for the main graph, [node, attribute] pairs below it. */
  graph: string[];
  kind: 'input' | 'node_output';
  type: string;
  /** Null when the rank is unknown. */
  shape: Dim[] | null;
  /** 'declared' when the file says all we know; 'inferred' when inference knows more than the file. */
  source: ShapeSource;
}

export interface ShapeCounts {
  values: number;
  knownRank: number;
  /** Every dim a number, or a symbol of the model's or an expression of them (not a fresh unk__N). */
  fullyKnown: number;
  /** Values whose shape comes from inference rather than the file. */
  inferred: number;
}


/**
 * Every graph input and node output of every graph with the shape we know for it. Declared shapes come
 * from the file's inputs, outputs and value_info; where inference knows more dims, its shape is given.
 */
export function valueShapes(model: ModelProto, inferred = inferModelShapes(model)): ValueShape[] {
  const out: ValueShape[] = [];
  const fileSymbols = modelSymbols(model);
  // What a shape says: its sizes first, then how many unknown sizes it names.
  const says = (shape: Dim[] | undefined) => (shape === undefined
    ? -1
    : shape.filter((d) => isKnownDim(d, fileSymbols)).length * 1000 + shape.filter((d) => d !== null).length);
  const visit = (graph: GraphProto, path: string[]) => {
    const types = inferred.get(graph);
    const declared = new Map<string, InferredType>();
    for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
      const t = typeFromProto(v.type);
      if (v.name && t) declared.set(v.name, t);
    }
    const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
    const add = (name: string, kind: ValueShape['kind']) => {
      const d = declared.get(name);
      const i = types?.get(name);
      const useInferred = i !== undefined && (says(i.shape) > says(d?.shape) || (!d && !!i.elemType));
      const t = useInferred ? i : d;
      out.push({ name, graph: path, kind, type: t?.elemType ? dataTypeName(t.elemType) : '?', shape: t?.shape ?? null, source: useInferred ? 'inferred' : 'declared' });
    };
    for (const v of graph.input ?? []) if (v.name && !initializers.has(v.name)) add(v.name, 'input');
    (graph.node ?? []).forEach((node, index) => {
      for (const o of node.output ?? []) if (o) add(o, 'node_output');
      for (const sub of subgraphsOf(node)) visit(sub.graph, [...path, node.name || `${node.opType}_${index}`, sub.attribute]);
    });
  };
  if (model.graph) visit(model.graph, []);
  return out;
}

/** How many node outputs have a known rank and a fully known shape, and how many of those came from inference. */
export function shapeCounts(values: ValueShape[], fileSymbols: ReadonlySet<string>): ShapeCounts {
  const outputs = values.filter((v) => v.kind === 'node_output');
  return {
    values: outputs.length,
    knownRank: outputs.filter((v) => v.shape !== null).length,
    fullyKnown: outputs.filter((v) => v.shape !== null && v.shape.every((d) => isKnownDim(d, fileSymbols))).length,
    inferred: outputs.filter((v) => v.source === 'inferred').length,
  };
}
