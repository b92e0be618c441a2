// Shape inference for edits: the types the main graph's ops compute, and where they contradict what the
// graph declares (an output or value_info entry whose rank or fixed size differs from the computed one).
import { formatDims } from '../format.js';
import { inferModelShapes, isKnownDim, modelSymbols } from '../ops/modelShapes.js';
import type { InferredType } from '../ops/shapeInference.js';
import type { GraphProto, ModelProto, TypeProto } from '../model/proto.js';
import { shapeOf, type Dim } from '../model/types.js';
import { copyWith } from './cow.js';

/**
 * The types the main graph's values get from its inputs and ops alone: value_info and declared output
 * shapes are left out, so that they do not stand in for what the ops compute. Symbols inference made up
 * (unk__N) become unknown dims.
 */
export function computedTypes(model: ModelProto, of?: GraphProto): Map<string, InferredType> {
  const graph = model.graph;
  if (!graph) return new Map();
  const bare = copyWith(model, {
    graph: copyWith(graph, { valueInfo: undefined, output: (graph.output ?? []).map((o) => copyWith(o, { type: undefined })) }),
  });
  const symbols = modelSymbols(model);
  const types = inferModelShapes(bare).get(!of || of === graph ? bare.graph! : of) ?? new Map<string, InferredType>();
  const result = new Map<string, InferredType>();
  for (const [name, type] of types) {
    result.set(name, type.shape ? { ...type, shape: type.shape.map((d) => (isKnownDim(d, symbols) ? d : null)) } : type);
  }
  return result;
}

/** A tensor TypeProto for an inferred type; undefined when the element type is unknown. */
export function typeProtoOf(type: InferredType | undefined): TypeProto | undefined {
  if (!type?.elemType) return undefined;
  const shape = type.shape ? { dim: type.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) } : undefined;
  return { tensorType: shape ? { elemType: type.elemType, shape } : { elemType: type.elemType } };
}

function contradicts(declared: Dim[], computed: Dim[]): boolean {
  if (declared.length !== computed.length) return true;
  return declared.some((d, i) => typeof d === 'number' && typeof computed[i] === 'number' && d !== computed[i]);
}

/** Whether two computed types can be the same value: element type, rank and fixed sizes agree. */
export function sameType(a: InferredType | undefined, b: InferredType | undefined): boolean {
  if (!a || !b) return true;
  if (a.elemType && b.elemType && a.elemType !== b.elemType) return false;
  if (a.shape && b.shape && contradicts(a.shape, b.shape)) return false;
  return true;
}

/**
 * One line per declared main-graph value whose shape contradicts the computed one, and per value whose
 * rank shape inference knew in `before` but no longer knows (an input shape the ops cannot take).
 */
export function shapeConflicts(model: ModelProto, computed = computedTypes(model), before?: Map<string, InferredType>): string[] {
  const graph = model.graph;
  if (!graph) return [];
  const lines: string[] = [];
  if (before) {
    for (const [name, type] of computed) {
      const was = before.get(name)?.shape;
      if (was && !type.shape) lines.push(`the ops can no longer compute the shape of '${name}' (was ${formatDims(was)})`);
    }
  }
  for (const v of [...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    const declared = shapeOf(v.type?.tensorType?.shape);
    const shape = v.name ? computed.get(v.name)?.shape : undefined;
    if (declared && shape && contradicts(declared, shape)) lines.push(`'${v.name}' is declared ${formatDims(declared)} but computes ${formatDims(shape)}`);
  }
  return lines;
}
