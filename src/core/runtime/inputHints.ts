// What a model says about the sizes of its free input dims and the values of its integer scalar inputs,
// so that generated inputs follow the model instead of a silent 1:
// - ties: dims the graph makes equal to a fixed size (MatMul's inner dim, a broadcast partner, a Conv's
//   channels, an LSTM's input size) or to each other, and dims an exporter declared fixed elsewhere
//   (a value or output declared [batch, 10] where inference says [batch, features]);
// - minimums: a Conv/Pool window (dilated) must fit a spatial axis, a reflect Pad needs pad + 1 elements;
// - scalar hints: an int scalar compared with a constant (`sr == 16000` selecting an If branch).
// Shape inference (ops/shapeInference.ts) carries each input's symbols through the graph and its subgraphs;
// unnamed dims get the symbol `input[axis]` for that purpose.
import { dataTypeByName } from '../model/dataTypes.js';
import { defaultOpset, intAttr, intsAttr, stringAttr, topologicalOrder } from '../model/graphQueries.js';
import { DataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../model/proto.js';
import { constantNodeTensor, tensorToArray } from '../model/tensorValues.js';
import { shapeOf, valueType, type Dim } from '../model/types.js';
import { subgraphsOf } from '../model/walk.js';
import { algebraFor, inferShapes, type InferredType } from '../ops/shapeInference.js';
import { requiredInputs } from './inputs.js';

/** A size the model implies, and why (`MatMul '/proj/MatMul'`). */
export interface DimFact {
  value: number;
  reason: string;
}

/** A window or reflect Pad that does not fit the concrete input shapes. */
export interface Misfit {
  node: string;
  need: number;
  have: number;
  what: string;
}

export interface ModelHints {
  /** Symbol (or `input[axis]`) -> its tie group's representative. */
  group(symbol: string): string;
  /** Sizes the graph ties a group to, by representative. */
  tied: ReadonlyMap<string, DimFact>;
  /** Smallest legal sizes, by representative. */
  minimum: ReadonlyMap<string, DimFact>;
  /** Values suggested for integer scalar inputs, by input name. */
  scalars: ReadonlyMap<string, DimFact>;
  /** The first node whose window or reflect Pad does not fit these input shapes. */
  misfit(shapes: ReadonlyMap<string, number[]>): Misfit | undefined;
}

/** `input[axis]` for an unnamed (or negative) dim, else the exporter's symbol. */
export function dimSymbol(input: string, axis: number, dim: Dim): string {
  return typeof dim === 'string' && dim ? dim : `${input}[${axis}]`;
}

const broadcasting = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'Where', 'Equal', 'Less', 'Greater',
  'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor',
]);
const windowed = new Set(['Conv', 'ConvInteger', 'MaxPool', 'AveragePool', 'LpPool']);
/** Ops that pass a scalar's value on unchanged (for following `sr` to the Equal that tests it). */
const passing = new Set(['Cast', 'Identity', 'Squeeze', 'Unsqueeze', 'Reshape', 'Flatten', 'CastLike']);

const label = (node: NodeProto) => `${node.opType} '${node.name || node.output?.[0] || '?'}'`;

type Constant = (name: string | undefined) => TensorProto | undefined;
type TypeOf = (name: string | undefined) => InferredType | undefined;
/** The elements of a constant, or of a small value computed from constants (a Pad's pads built at run time). */
type Numbers = (name: string | undefined) => number[] | undefined;

function constantNumbers(constant: Constant, name: string | undefined): number[] | undefined {
  const t = constant(name);
  if (!t) return undefined;
  try {
    const array = tensorToArray(t);
    return Array.isArray(array.data) ? undefined : Array.from(array.data as ArrayLike<number | bigint>, Number);
  } catch {
    return undefined;
  }
}

/** The smallest size each dim of a node's first input may have: windows and reflect pads. */
function minimumsOf(node: NodeProto, typeOf: TypeOf, numbers: Numbers, opset: number): Array<{ dim: Dim; need: number; what: string }> {
  const inputs = node.input ?? [];
  const shape = typeOf(inputs[0])?.shape;
  if (!shape || (node.domain && node.domain !== 'ai.onnx')) return [];
  const op = node.opType ?? '';
  const found: Array<{ dim: Dim; need: number; what: string }> = [];
  if (windowed.has(op)) {
    const spatial = shape.length - 2;
    if (spatial < 1) return [];
    const weights = typeOf(inputs[1])?.shape;
    const kernel = intsAttr(node, 'kernel_shape') ?? (op.startsWith('Conv') && weights ? weights.slice(2) : undefined);
    if (!kernel || kernel.length !== spatial || kernel.some((k) => typeof k !== 'number')) return [];
    const dilations = intsAttr(node, 'dilations') ?? new Array<number>(spatial).fill(1);
    const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
    const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
    for (let i = 0; i < spatial; i++) {
      const extent = dilations[i] * ((kernel[i] as number) - 1) + 1;
      const need = autoPad.startsWith('SAME') ? 1 : Math.max(1, extent - (autoPad === 'VALID' ? 0 : pads[i] + pads[i + spatial]));
      found.push({ dim: shape[2 + i], need, what: `its ${extent}-wide window` });
    }
  } else if (op === 'Pad' && stringAttr(node, 'mode', 'constant') === 'reflect') {
    const pads = opset >= 11 ? numbers(inputs[1]) : intsAttr(node, 'pads') ?? intsAttr(node, 'paddings');
    if (!pads) return [];
    const axesIn = opset >= 18 && inputs[3] ? numbers(inputs[3]) : undefined;
    if (opset >= 18 && inputs[3] && !axesIn) return [];
    const axes = axesIn ? axesIn.map((a) => (a < 0 ? a + shape.length : a)) : shape.map((_, i) => i);
    if (pads.length !== 2 * axes.length) return [];
    axes.forEach((axis, k) => {
      const pad = Math.max(pads[k], pads[k + axes.length]);
      if (pad > 0) found.push({ dim: shape[axis], need: pad + 1, what: `a reflect pad of ${pad}` });
    });
  }
  return found;
}

/** Dims a node makes equal: pairs of (dim, dim). */
function tiesOf(node: NodeProto, typeOf: TypeOf): Array<[Dim, Dim]> {
  if (node.domain && node.domain !== 'ai.onnx') return [];
  const op = node.opType ?? '';
  const inputs = node.input ?? [];
  const shape = (i: number) => (inputs[i] ? typeOf(inputs[i])?.shape : undefined);
  const pairs: Array<[Dim, Dim]> = [];
  const alignRight = (shapes: Array<Dim[] | undefined>) => {
    const known = shapes.filter((s): s is Dim[] => s !== undefined);
    const rank = Math.max(0, ...known.map((s) => s.length));
    for (let i = 1; i <= rank; i++) {
      const dims = known.map((s) => s[s.length - i]).filter((d) => d !== undefined && d !== 1 && d !== null);
      for (let k = 1; k < dims.length; k++) pairs.push([dims[0], dims[k]]);
    }
  };
  if (broadcasting.has(op)) alignRight(inputs.map((_, i) => shape(i)));
  else if (op === 'MatMul' || op === 'MatMulInteger') {
    const a = shape(0), b = shape(1);
    if (a?.length && b?.length) {
      pairs.push([a[a.length - 1], b.length === 1 ? b[0] : b[b.length - 2]]);
      if (a.length > 2 && b.length > 2) alignRight([a.slice(0, -2), b.slice(0, -2)]);
    }
  } else if (op === 'Gemm') {
    const a = shape(0), b = shape(1);
    if (a?.length === 2 && b?.length === 2) pairs.push([a[intAttr(node, 'transA', 0) ? 0 : 1], b[intAttr(node, 'transB', 0) ? 1 : 0]]);
  } else if (op === 'Conv') {
    const x = shape(0), w = shape(1);
    if (x && w && x.length >= 3 && typeof w[1] === 'number') pairs.push([x[1], w[1] * intAttr(node, 'group', 1)]);
  } else if (op === 'ConvTranspose') {
    const x = shape(0), w = shape(1);
    if (x && w && x.length >= 3) pairs.push([x[1], w[0]]);
  } else if (op === 'BatchNormalization' || op === 'InstanceNormalization') {
    const x = shape(0), scale = shape(1);
    if (x && x.length >= 2 && scale?.length === 1) pairs.push([x[1], scale[0]]);
  } else if (op === 'LayerNormalization') {
    alignRight([shape(0)?.slice(intAttr(node, 'axis', -1)), shape(1)]);
  } else if (op === 'Concat') {
    const shapes = inputs.filter((i) => i).map((i) => typeOf(i)?.shape);
    const first = shapes.find((s) => s);
    if (first) {
      const axis = intAttr(node, 'axis', 0) < 0 ? intAttr(node, 'axis', 0) + first.length : intAttr(node, 'axis', 0);
      for (const s of shapes) if (s && s.length === first.length) s.forEach((d, i) => i !== axis && pairs.push([first[i], d]));
    }
  } else if (op === 'LSTM' || op === 'GRU' || op === 'RNN') {
    // layout 0: X [seq, batch, input_size], W [dirs, gates*hidden, input_size], R [dirs, gates*hidden, hidden], initial_h [dirs, batch, hidden].
    const x = shape(0), w = shape(1), r = shape(2);
    const batchFirst = intAttr(node, 'layout', 0) === 1;
    if (x?.length === 3 && w?.length === 3) pairs.push([x[2], w[2]]);
    const h = op === 'LSTM' ? [shape(5), shape(6)] : [shape(5)];
    for (const state of h) {
      if (state?.length !== 3) continue;
      if (r?.length === 3) pairs.push([state[2], r[2]]);
      if (w?.length === 3) pairs.push([state[batchFirst ? 1 : 0], w[0]]);
      if (x?.length === 3) pairs.push([state[batchFirst ? 0 : 1], x[batchFirst ? 0 : 1]]);
    }
  }
  return pairs;
}

interface Visit {
  node: NodeProto;
  typeOf: TypeOf;
  numbers: Numbers;
}

/**
 * Walks the graph and its subgraphs with shape inference from the given input shapes (declared value
 * types left out, so that they can be compared with what inference finds).
 */
function walk(
  model: ModelProto, inputs: ReadonlyMap<string, Dim[]> | undefined, onNode: (visit: Visit) => void,
  onDeclared?: (declared: Dim[], inferred: Dim[], name: string) => void,
): void {
  const opset = defaultOpset(model);
  // One algebra for every graph: fresh symbols never repeat, and no body reads its enclosing scopes' types to pick them.
  const dims = model.graph ? algebraFor(model.graph) : undefined;
  const run = (graph: GraphProto, outer: ReadonlyMap<string, InferredType> | undefined, outerValues: ReadonlyMap<string, Dim[]> | undefined, outerConstant: Constant, top: boolean) => {
    const constants = new Map<string, TensorProto>();
    for (const t of graph.initializer ?? []) if (t.name) constants.set(t.name, t);
    for (const node of graph.node ?? []) {
      const t = constantNodeTensor(node);
      if (t && node.output?.[0]) constants.set(node.output[0], t);
    }
    const constant: Constant = (name) => (name ? constants.get(name) ?? outerConstant(name) : undefined);
    const probeInput = (info: ValueInfoProto): ValueInfoProto => {
      const shape = inputs?.get(info.name ?? '');
      if (!top || !shape) return info;
      const elemType = info.type?.tensorType?.elemType ?? 0;
      return { name: info.name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? '' })) } } } };
    };
    const probe: GraphProto = {
      ...graph,
      input: (graph.input ?? []).map(probeInput),
      valueInfo: [],
      output: (graph.output ?? []).map((o) => ({ name: o.name })),
    };
    // Without input shapes only the nodes and constants are wanted: no inference.
    let types: ReadonlyMap<string, InferredType> = outer ?? new Map();
    const values = new Map<string, Dim[]>();
    try {
      if (inputs) types = inferShapes(probe, { opset, outer, outerValues, dims, valuesOut: values, constant: (name) => constant(name) });
    } catch {
      return;
    }
    const typeOf: TypeOf = (name) => (name ? types.get(name) : undefined);
    const numbers: Numbers = (name) => {
      const known = constantNumbers(constant, name) ?? values.get(name ?? '');
      return known?.every((d): d is number => typeof d === 'number') ? known : undefined;
    };
    if (onDeclared) {
      for (const info of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
        const declared = shapeOf(info.type?.tensorType?.shape);
        const inferred = typeOf(info.name ?? '')?.shape;
        if (declared && inferred && declared.length === inferred.length) onDeclared(declared, inferred, info.name ?? '');
      }
    }
    for (const index of topologicalOrder(graph)) {
      const node = (graph.node ?? [])[index];
      onNode({ node, typeOf, numbers });
      for (const sub of subgraphsOf(node)) run(sub.graph, types, values, constant, false);
    }
  };
  if (model.graph) run(model.graph, undefined, undefined, () => undefined, true);
}

/** Union-find over symbols, with a fixed size per group where the graph implies one. */
class Groups {
  private readonly parent = new Map<string, string>();
  readonly tied = new Map<string, DimFact>();
  readonly minimum = new Map<string, DimFact>();

  find(symbol: string): string {
    let root = symbol;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    if (root !== symbol) this.parent.set(symbol, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    // The earlier-seen root stays, with its facts; the other's facts move over where missing.
    this.parent.set(rb, ra);
    const tb = this.tied.get(rb);
    if (tb && !this.tied.has(ra)) this.tied.set(ra, tb);
    const mb = this.minimum.get(rb);
    const ma = this.minimum.get(ra);
    if (mb && (!ma || mb.value > ma.value)) this.minimum.set(ra, mb);
    this.tied.delete(rb);
    this.minimum.delete(rb);
  }

  tie(a: Dim, b: Dim, reason: string): void {
    if (typeof a === 'string' && typeof b === 'string') this.union(a, b);
    else if (typeof a === 'string' && typeof b === 'number' && b > 0 && !this.tied.has(this.find(a))) this.tied.set(this.find(a), { value: b, reason });
    else if (typeof b === 'string' && typeof a === 'number' && a > 0 && !this.tied.has(this.find(b))) this.tied.set(this.find(b), { value: a, reason });
  }

  atLeast(symbol: string, need: number, reason: string): void {
    const root = this.find(symbol);
    const known = this.minimum.get(root);
    if (!known || need > known.value) this.minimum.set(root, { value: need, reason });
  }
}

/** An integer scalar input ([] or [1]) compared with a constant: that constant, from the first such Equal. */
function scalarHints(model: ModelProto): Map<string, DimFact> {
  const hints = new Map<string, DimFact>();
  const candidates = requiredInputs(model).filter((input) => {
    const type = valueType(input.type);
    const id = dataTypeByName(type.elemType)?.id;
    const integer = id === DataType.INT64 || id === DataType.INT32 || id === DataType.INT16 || id === DataType.INT8
      || id === DataType.UINT64 || id === DataType.UINT32 || id === DataType.UINT16 || id === DataType.UINT8;
    return integer && type.shape !== undefined && type.shape.length <= 1 && type.shape.every((d) => d === 1);
  });
  if (!candidates.length) return hints;
  const derived = new Map<string, string>(candidates.map((c) => [c.name ?? '', c.name ?? '']));
  const visits: Visit[] = [];
  walk(model, undefined, (visit) => visits.push(visit));
  // Follow the scalar through ops that keep its value, to a fixed point (subgraphs read outer names).
  for (let changed = true; changed;) {
    changed = false;
    for (const { node } of visits) {
      const source = derived.get(node.input?.[0] ?? '');
      if (source === undefined || !passing.has(node.opType ?? '')) continue;
      for (const out of node.output ?? []) {
        if (out && !derived.has(out)) {
          derived.set(out, source);
          changed = true;
        }
      }
    }
  }
  for (const { node, numbers } of visits) {
    if (node.opType !== 'Equal') continue;
    const [a, b] = node.input ?? [];
    for (const [mine, other] of [[a, b], [b, a]]) {
      const input = derived.get(mine ?? '');
      if (input === undefined || hints.has(input)) continue;
      const values = numbers(other);
      if (values?.length === 1 && Number.isInteger(values[0])) hints.set(input, { value: values[0], reason: `compared with ${values[0]} by ${label(node)}` });
    }
  }
  return hints;
}

/** The model's free input dims as symbols, for shape inference. */
function symbolicInputs(model: ModelProto): Map<string, Dim[]> {
  const shapes = new Map<string, Dim[]>();
  for (const input of requiredInputs(model)) {
    const shape = valueType(input.type).shape;
    if (shape) shapes.set(input.name ?? '', shape.map((d, axis) => (typeof d === 'number' && d >= 0 ? d : dimSymbol(input.name ?? '', axis, d))));
  }
  return shapes;
}

export function modelHints(model: ModelProto): ModelHints {
  const groups = new Groups();
  const opset = defaultOpset(model);
  // Every free dim is a group of its own first, in input order, so that representatives are stable.
  for (const shape of symbolicInputs(model).values()) for (const d of shape) if (typeof d === 'string') groups.find(d);
  walk(model, symbolicInputs(model), ({ node, typeOf, numbers }) => {
    for (const [a, b] of tiesOf(node, typeOf)) groups.tie(a, b, label(node));
    for (const m of minimumsOf(node, typeOf, numbers, opset)) if (typeof m.dim === 'string') groups.atLeast(m.dim, m.need, `${label(node)} with ${m.what}`);
  }, (declared, inferred, name) => {
    declared.forEach((d, i) => {
      if (d !== inferred[i] && d !== null) groups.tie(inferred[i], d, `'${name}' declared as [${declared.map((x) => x ?? '?').join(',')}]`);
    });
  });
  return {
    group: (symbol) => groups.find(symbol),
    tied: groups.tied,
    minimum: groups.minimum,
    scalars: scalarHints(model),
    misfit(shapes) {
      let found: Misfit | undefined;
      walk(model, shapes, ({ node, typeOf, numbers }) => {
        if (found) return;
        for (const m of minimumsOf(node, typeOf, numbers, opset)) {
          if (typeof m.dim === 'number' && m.dim < m.need) {
            found = { node: label(node), need: m.need, have: m.dim, what: m.what };
            return;
          }
        }
      });
      return found;
    },
  };
}
