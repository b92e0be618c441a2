// Shape rules of sequence and optional ops: a sequence carries the type its elements share, so that
// SequenceAt, SequenceMap bodies and ConcatFromSequence give typed tensors again.
import { DataType } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import { attribute } from '../model/graphQueries.js';
import { mergeAlternatives } from './shapeRulesControl.js';
import { hasInput, int, normAxis, typeOnly, type InferredType, type ShapeRule } from './shapeRuleKit.js';

const sequence = (element: InferredType | undefined): InferredType => ({ elemType: 0, sequenceOf: element });

const splitToSequence: ShapeRule = (f) => {
  const x = f.input(0);
  if (!x?.shape) return [sequence(x && typeOnly(x.elemType))];
  const axis = normAxis(int(f.node, 'axis', 0), x.shape.length);
  if (axis === undefined) return [sequence(typeOnly(x.elemType))];
  let size: Dim = null;
  if (!hasInput(f.node, 1)) {
    size = 1;
    if (int(f.node, 'keepdims', 1) === 0) return [sequence({ elemType: x.elemType, shape: x.shape.filter((_, i) => i !== axis) })];
  } else {
    const split = f.value(1);
    const whole = x.shape[axis];
    // One size for all chunks: exact only when it divides the axis.
    if (split?.length === 1 && f.input(1)?.shape?.length === 0 && typeof whole === 'number' && typeof split[0] === 'number' && whole % split[0] === 0) size = split[0];
    else if (split && split.length > 0 && split.every((s) => s === split[0]) && f.input(1)?.shape?.length === 1) size = split[0];
  }
  return [sequence({ elemType: x.elemType, shape: x.shape.map((d, i) => (i === axis ? size : d)) })];
};

const concatFromSequence: ShapeRule = (f) => {
  const element = f.input(0)?.sequenceOf;
  if (!element?.shape) return [typeOnly(element?.elemType)];
  const newAxis = int(f.node, 'new_axis', 0) === 1;
  const rank = element.shape.length + (newAxis ? 1 : 0);
  const axis = normAxis(int(f.node, 'axis', 0), rank);
  if (axis === undefined) return [typeOnly(element.elemType)];
  const shape = [...element.shape];
  if (newAxis) shape.splice(axis, 0, null);
  else shape[axis] = null;
  return [{ elemType: element.elemType, shape }];
};

const sequenceMap: ShapeRule = (f) => {
  const body = attribute(f.node, 'body')?.g;
  if (!body) return [];
  const inputs = (f.node.input ?? []).map((_, i) => {
    const t = f.input(i);
    // A sequence's element, or the tensor itself.
    return t?.sequenceOf ?? (t?.elemType ? t : undefined);
  });
  return f.subgraph(body, inputs).map((t) => sequence(t));
};

export const sequenceRules: Record<string, ShapeRule> = {
  SequenceConstruct: (f) => {
    const ts = (f.node.input ?? []).map((_, i) => f.input(i));
    return [sequence(ts.slice(1).reduce((acc, t) => mergeAlternatives(f.dims, acc, t), ts[0]))];
  },
  SequenceEmpty: (f) => [sequence(typeOnly(int(f.node, 'dtype', DataType.FLOAT)))],
  SequenceInsert: (f) => {
    const s = f.input(0);
    return [sequence(s?.sequenceOf ? mergeAlternatives(f.dims, s.sequenceOf, f.input(1)) : undefined)];
  },
  SequenceErase: (f) => [f.input(0) ?? sequence(undefined)],
  SequenceAt: (f) => [f.input(0)?.sequenceOf],
  SequenceLength: () => [{ elemType: DataType.INT64, shape: [] }],
  SplitToSequence: splitToSequence,
  ConcatFromSequence: concatFromSequence,
  SequenceMap: sequenceMap,
  OptionalHasElement: () => [{ elemType: DataType.BOOL, shape: [] }],
  OptionalGetElement: (f) => {
    const t = f.input(0);
    return [t?.optionalOf ?? (t?.sequenceOf || t?.elemType ? t : undefined)];
  },
  Optional: (f) => [{ elemType: 0, optionalOf: f.input(0) }],
};
