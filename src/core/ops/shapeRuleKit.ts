// What a shape rule sees of one node (its inputs' types, the known elements of small inputs, its
// attributes) and the helpers rules share: attribute readers, axes, broadcasting.
import { AttributeType, int64ToNumber, type GraphProto, type NodeProto } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import { attribute } from '../model/graphQueries.js';
import type { DimAlgebra } from './dimAlgebra.js';

export interface InferredType {
  /** Element type of a tensor; 0 when unknown, or for a sequence or optional. */
  elemType: number;
  /** Undefined when the rank is unknown. */
  shape?: Dim[];
  /** Set for a sequence: the type every element has in common. */
  sequenceOf?: InferredType;
  /** Set for an optional: the type it holds when it holds one. */
  optionalOf?: InferredType;
}

/** Types of a subgraph's outputs once inferred with the given input types. */
export type SubgraphInference = (graph: GraphProto, inputs: Array<InferredType | undefined>) => Array<InferredType | undefined>;

export interface NodeFacts {
  node: NodeProto;
  /** Opset version of the node's domain. */
  opset: number;
  dims: DimAlgebra;
  input(i: number): InferredType | undefined;
  /** Known elements of a small input (a constant, or what data propagation computed); symbols allowed. */
  value(i: number): Dim[] | undefined;
  /** Known elements of a small input when every one is a number. */
  numbers(i: number): number[] | undefined;
  /** Infers a subgraph (If branch, Loop or Scan body) in this node's scope. */
  subgraph: SubgraphInference;
}

/** Types of the node's outputs in order; undefined where nothing is known. */
export type ShapeRule = (f: NodeFacts) => Array<InferredType | undefined>;

export function ints(node: NodeProto, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a && (a.ints?.length || a.type === AttributeType.INTS) ? (a.ints ?? []).map((v) => int64ToNumber(v)) : undefined;
}

export function floats(node: NodeProto, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a?.floats?.length ? a.floats : undefined;
}

export function hasInput(node: NodeProto, i: number): boolean {
  return !!node.input?.[i];
}

/** A negative axis counted from the end; undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

export function isStatic(shape: Dim[] | undefined): shape is number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

/** An output with the element type and no shape. */
export const typeOnly = (elemType: number | undefined): InferredType => ({ elemType: elemType ?? 0 });

export const unknownDims = (rank: number): Dim[] => new Array<Dim>(rank).fill(null);

/** Where two facts about one dim meet (a Concat's other axes, If branches): the one that says more. */
export function meetDim(a: Dim, b: Dim): Dim {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a;
}

/**
 * Multidirectional broadcasting. A dim that is not 1 wins; symbols that are equal stay; two different
 * symbols, or a symbol and an unknown dim, leave the result unknown (either may be 1).
 */
export function broadcastShapes(dims: DimAlgebra, shapes: Array<Dim[] | undefined>): Dim[] | undefined {
  if (shapes.length === 0) return undefined;
  let rank = 0;
  for (let k = 0; k < shapes.length; k++) {
    const s = shapes[k];
    if (s === undefined) return undefined;
    if (s.length > rank) rank = s.length;
  }
  const all = shapes as Dim[][];
  // Plain loops and no list per dim: every Add, Mul and Div of a large model comes here.
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let number: number | undefined;
    // The dims that are neither numbers nor 1: they stay only when all are the same symbol.
    let first: Dim | undefined;
    let same = true;
    for (let k = 0; k < all.length; k++) {
      const s = all[k];
      const d = s[s.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (typeof d === 'number') {
        // Two fixed sizes other than 1 that differ do not broadcast: no shape.
        if (number !== undefined && number !== d) return undefined;
        number = d;
      } else {
        if (first === undefined) first = d;
        same = same && d !== null && dims.equal(d, first) === true;
      }
    }
    if (number !== undefined) out.push(number);
    else if (first === undefined) out.push(1);
    else if (same) out.push(first);
    else out.push(null);
  }
  return out;
}
