// Shape inference over a whole model (the main graph and every subgraph), and the per-value view of it
// that `info --json` and the text view show: each value's declared shape, or the inferred one.
import { dataTypeName } from '../model/dataTypes.js';
import { defaultOpset, initializersOverridable } from '../model/graphQueries.js';
import { int64ToNumber, type GraphProto, type ModelProto } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import { subgraphsOf } from '../model/walk.js';
import { DimAlgebra } from './dimAlgebra.js';
import { inferShapes, scopedConstants, typeFromProto, type InferredType } from './shapeInference.js';

/** Types of every value of every graph of the model, each graph's map including its enclosing scopes'. */
export function inferModelShapes(model: ModelProto): Map<GraphProto, Map<string, InferredType>> {
  const graphs = new Map<GraphProto, Map<string, InferredType>>();
  const graph = model.graph;
  if (!graph) return graphs;
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) if (o.domain && o.domain !== 'ai.onnx') opsets.set(o.domain, int64ToNumber(o.version));
  // Initializers that are also graph inputs are defaults the caller may replace: not constants.
  const overridable = initializersOverridable(model) ? new Set((graph.input ?? []).map((v) => v.name ?? '')) : new Set<string>();
  const types = inferShapes(graph, {
    opset: defaultOpset(model), opsets, dims: new DimAlgebra(), subgraphsOut: graphs,
    constant: scopedConstants(graph, () => undefined, overridable),
  });
  graphs.set(graph, types);
  return graphs;
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
  /** Every dim a number or a symbol. */
  fullyKnown: number;
  /** Values whose shape comes from inference rather than the file. */
  inferred: number;
}

const knownDims = (shape: Dim[] | undefined) => shape !== undefined && shape.every((d) => d !== null);
const says = (shape: Dim[] | undefined) => (shape === undefined ? -1 : shape.filter((d) => d !== null).length);

/**
 * Every graph input and node output of every graph with the shape we know for it. Declared shapes come
 * from the file's inputs, outputs and value_info; where inference knows more dims, its shape is given.
 */
export function valueShapes(model: ModelProto, inferred = inferModelShapes(model)): ValueShape[] {
  const out: ValueShape[] = [];
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
export function shapeCounts(values: ValueShape[]): ShapeCounts {
  const outputs = values.filter((v) => v.kind === 'node_output');
  return {
    values: outputs.length,
    knownRank: outputs.filter((v) => v.shape !== null).length,
    fullyKnown: outputs.filter((v) => v.shape !== null && knownDims(v.shape)).length,
    inferred: outputs.filter((v) => v.source === 'inferred').length,
  };
}
