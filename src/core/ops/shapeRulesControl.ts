// Shape rules of the control-flow ops: If (both branches merged, or the one a known condition picks),
// Loop (loop-carried values merged with what one pass makes of them, scan outputs stacked) and Scan.
import { DataType, type GraphProto } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import { attribute } from '../model/graphQueries.js';
import type { DimAlgebra } from './dimAlgebra.js';
import { int, ints, normAxis, typeOnly, type InferredType, type NodeFacts, type ShapeRule } from './shapeRuleKit.js';

/** What holds on both paths: equal dims stay, others become unknown; different ranks leave the rank unknown. */
export function mergeAlternatives(dims: DimAlgebra, a: InferredType | undefined, b: InferredType | undefined): InferredType | undefined {
  if (!a || !b) return a || b ? typeOnly(a?.elemType || b?.elemType) : undefined;
  if (a.sequenceOf && b.sequenceOf) return { elemType: 0, sequenceOf: mergeAlternatives(dims, a.sequenceOf, b.sequenceOf) };
  if (a.optionalOf && b.optionalOf) return { elemType: 0, optionalOf: mergeAlternatives(dims, a.optionalOf, b.optionalOf) };
  if (a.sequenceOf || b.sequenceOf || a.optionalOf || b.optionalOf) return undefined;
  const elemType = a.elemType || b.elemType;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return { elemType };
  return { elemType, shape: a.shape.map((d, i) => (dims.equal(d, b.shape![i]) === true ? d : null)) };
}

function graphAttribute(f: NodeFacts, name: string): GraphProto | undefined {
  return attribute(f.node, name)?.g ?? undefined;
}

const ifRule: ShapeRule = (f) => {
  const thenBranch = graphAttribute(f, 'then_branch');
  const elseBranch = graphAttribute(f, 'else_branch');
  if (!thenBranch || !elseBranch) return [];
  const condition = f.numbers(0);
  if (condition?.length === 1) return f.subgraph(condition[0] ? thenBranch : elseBranch, []);
  const a = f.subgraph(thenBranch, []);
  const b = f.subgraph(elseBranch, []);
  return (f.node.output ?? []).map((_, i) => mergeAlternatives(f.dims, a[i], b[i]));
};

const loopRule: ShapeRule = (f) => {
  const body = graphAttribute(f, 'body');
  if (!body) return [];
  const inputs = f.node.input ?? [];
  const carried = inputs.slice(2).map((_, i) => f.input(i + 2));
  const counter: InferredType = { elemType: DataType.INT64, shape: [] };
  const condition: InferredType = { elemType: DataType.BOOL, shape: [] };
  // One pass with the initial values, a second with what holds across the first: values that change
  // shape from one iteration to the next keep only what they share.
  let state = carried;
  let outputs: Array<InferredType | undefined> = [];
  for (let pass = 0; pass < 2; pass++) {
    outputs = f.subgraph(body, [counter, condition, ...state]);
    state = state.map((t, i) => mergeAlternatives(f.dims, t, outputs[i + 1]));
  }
  const tripCount = f.value(0)?.[0];
  const stopsEarly = !!inputs[1];
  const iterations: Dim = !stopsEarly && tripCount !== undefined ? tripCount : null;
  const scans = outputs.slice(1 + carried.length).map((t) => (t ? { elemType: t.elemType, shape: t.shape ? [iterations, ...t.shape] : undefined } : undefined));
  return [...state, ...scans];
};

/** Scan-8: a batch axis first on every input and output, the optional sequence_lens input before the states. */
function scan8(f: NodeFacts, body: GraphProto): Array<InferredType | undefined> {
  const inputs = f.node.input ?? [];
  const scanCount = int(f.node, 'num_scan_inputs', 0);
  const stateCount = inputs.length - 1 - scanCount;
  const strip = (t: InferredType | undefined, drop: number) => (t?.shape ? { elemType: t.elemType, shape: t.shape.slice(drop) } : t && typeOnly(t.elemType));
  const states = inputs.slice(1, 1 + stateCount).map((_, i) => f.input(1 + i));
  const scans = inputs.slice(1 + stateCount).map((_, k) => f.input(1 + stateCount + k));
  const batch = [...states, ...scans].find((t) => t?.shape?.length)?.shape?.[0] ?? null;
  const length = scans.find((t) => (t?.shape?.length ?? 0) >= 2)?.shape?.[1] ?? null;
  const outputs = f.subgraph(body, [...states.map((t) => strip(t, 1)), ...scans.map((t) => strip(t, 2))]);
  const widen = (t: InferredType | undefined, lead: Dim[]) => (t?.shape ? { elemType: t.elemType, shape: [...lead, ...t.shape] } : t && typeOnly(t.elemType));
  return [
    ...outputs.slice(0, stateCount).map((t, i) => mergeAlternatives(f.dims, states[i], widen(t, [batch]))),
    ...outputs.slice(stateCount).map((t) => widen(t, [batch, length])),
  ];
}

const scanRule: ShapeRule = (f) => {
  const body = graphAttribute(f, 'body');
  if (!body) return [];
  if (f.opset < 9) return scan8(f, body);
  const inputs = f.node.input ?? [];
  const scanCount = int(f.node, 'num_scan_inputs', 0);
  const stateCount = inputs.length - scanCount;
  const inputAxes = ints(f.node, 'scan_input_axes') ?? new Array<number>(scanCount).fill(0);
  const states = inputs.slice(0, stateCount).map((_, i) => f.input(i));
  let length: Dim = null;
  const slices = inputs.slice(stateCount).map((_, k) => {
    const t = f.input(stateCount + k);
    if (!t?.shape) return t ? typeOnly(t.elemType) : undefined;
    const axis = normAxis(inputAxes[k] ?? 0, t.shape.length);
    if (axis === undefined) return typeOnly(t.elemType);
    if (length === null) length = t.shape[axis];
    return { elemType: t.elemType, shape: t.shape.filter((_, i) => i !== axis) };
  });
  const outputs = f.subgraph(body, [...states, ...slices]);
  const outputAxes = ints(f.node, 'scan_output_axes');
  const scans = outputs.slice(stateCount).map((t, k) => {
    if (!t?.shape) return t ? typeOnly(t.elemType) : undefined;
    const rank = t.shape.length + 1;
    const axis = normAxis(outputAxes?.[k] ?? 0, rank) ?? 0;
    const shape = [...t.shape];
    shape.splice(axis, 0, length);
    return { elemType: t.elemType, shape };
  });
  return [...states.map((s, i) => mergeAlternatives(f.dims, s, outputs[i])), ...scans];
};

export const controlRules: Record<string, ShapeRule> = { If: ifRule, Loop: loopRule, Scan: scanRule };
