// What an adapter sees of the node it converts: its attributes and inputs, the constants and value types
// around it, and the edits it may make (new constants, nodes before or after it, a replacement).
import type { NameAllocator } from '../transforms/graphEdit.js';
import { AttributeType, DataType, int64ToNumber, onnx, toLong, type AttributeProto, type FunctionProto, type GraphProto, type NodeProto, type TensorProto, type TypeProto } from '../model/proto.js';
import { dataTypeName } from '../model/dataTypes.js';
import { arrayToTensor, constantNodeTensor, tensorToArray, toFloat64, type TensorArray } from '../model/tensorValues.js';
import type { InferredType } from '../ops/shapeInference.js';
import type { Dim } from '../model/types.js';

export type Direction = 'up' | 'down';

/** One rewrite the converter made. */
export interface ConversionChange {
  /** The node's name, or `Op #index` for an unnamed node. */
  node: string;
  /** Where the node lives: '' for the main graph, else the path of the subgraph or function. */
  graph: string;
  op: string;
  /** The op's versions (schema since_version) before and after. */
  from: number;
  to: number;
  what: string;
}

/** An adapter's refusal: the converter adds the node, the op and the versions. */
export class ConversionRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ConversionRefusal';
  }
}

/** A graph or a function body, with what the adapters ask of it during one conversion step. */
export class Scope {
  /** Constant tensors by name (initializers that cannot be overridden, Constant node outputs). */
  private constants = new Map<string, TensorProto>();
  private uses = new Map<string, number>();
  /** Names this scope defines itself, which shadow an outer constant of the same name. */
  private defined = new Set<string>();

  /** Declared types of values that are not plain tensors (sequences, optionals, maps), as schema type strings. */
  readonly declared = new Map<string, string>();

  constructor(
    readonly path: string,
    readonly graph: GraphProto | undefined,
    readonly fn: FunctionProto | undefined,
    readonly parent: Scope | undefined,
    /** Element types and shapes inferred once, before the first step (the meaning of a value never changes). */
    readonly types: Map<string, InferredType>,
    private readonly overridable: ReadonlySet<string>,
  ) {
    for (const v of [...(graph?.input ?? []), ...(graph?.output ?? []), ...(graph?.valueInfo ?? []), ...(fn?.valueInfo ?? [])]) {
      if (v.name && v.type && !v.type.tensorType) {
        const text = schemaTypeText(v.type);
        if (text) this.declared.set(v.name, text);
      }
    }
  }

  get nodes(): NodeProto[] {
    return (this.graph ? this.graph.node : this.fn!.node) ?? [];
  }

  set nodes(nodes: NodeProto[]) {
    if (this.graph) this.graph.node = nodes;
    else this.fn!.node = nodes;
  }

  /** Rebuilds the constant and use tables from the current nodes (at the start of a step). */
  refresh(): void {
    this.constants = new Map();
    for (const t of this.graph?.initializer ?? []) if (t.name && !this.overridable.has(t.name)) this.constants.set(t.name, t);
    this.uses = new Map();
    this.defined = new Set([...(this.graph?.input ?? []).map((v) => v.name ?? ''), ...(this.graph?.initializer ?? []).map((t) => t.name ?? ''), ...(this.fn?.input ?? [])]);
    for (const node of this.nodes) for (const o of node.output ?? []) this.defined.add(o);
    const use = (name: string | null | undefined) => {
      if (name) this.uses.set(name, (this.uses.get(name) ?? 0) + 1);
    };
    for (const node of this.nodes) {
      const t = constantNodeTensor(node);
      if (t && node.output?.[0]) this.constants.set(node.output[0], t);
      for (const i of node.input ?? []) use(i);
      for (const a of node.attribute ?? []) for (const g of [a.g, ...(a.graphs ?? [])]) if (g) for (const c of readsOf(g)) use(c);
    }
    for (const o of this.graph?.output ?? []) use(o.name);
    for (const o of this.fn?.output ?? []) use(o);
  }

  constant(name: string): TensorProto | undefined {
    if (!name) return undefined;
    return this.constants.get(name) ?? (this.defined.has(name) ? undefined : this.parent?.constant(name));
  }

  addConstant(name: string, tensor: TensorProto): void {
    this.constants.set(name, tensor);
    this.defined.add(name);
  }

  used(name: string): boolean {
    return (this.uses.get(name) ?? 0) > 0;
  }

  type(name: string): InferredType | undefined {
    return this.types.get(name) ?? this.parent?.type(name);
  }

  declaredType(name: string): string | undefined {
    return this.declared.get(name) ?? this.parent?.declaredType(name);
  }
}

/** A TypeProto as the schemas write types: tensor(float), seq(tensor(int64)), optional(...). */
export function schemaTypeText(type: TypeProto | null | undefined): string | undefined {
  if (!type) return undefined;
  if (type.tensorType) return type.tensorType.elemType ? `tensor(${dataTypeName(type.tensorType.elemType)})` : undefined;
  if (type.sparseTensorType) return type.sparseTensorType.elemType ? `sparse_tensor(${dataTypeName(type.sparseTensorType.elemType)})` : undefined;
  if (type.sequenceType) {
    const inner = schemaTypeText(type.sequenceType.elemType);
    return inner ? `seq(${inner})` : undefined;
  }
  if (type.optionalType) {
    const inner = schemaTypeText(type.optionalType.elemType);
    return inner ? `optional(${inner})` : undefined;
  }
  if (type.mapType) {
    const value = schemaTypeText(type.mapType.valueType);
    return value && type.mapType.keyType ? `map(${dataTypeName(type.mapType.keyType)},${value})` : undefined;
  }
  return undefined;
}

/** Names a subgraph reads (its own node inputs and graph outputs, recursively), for use counts. */
function readsOf(graph: GraphProto): string[] {
  const names: string[] = [];
  for (const node of graph.node ?? []) {
    names.push(...(node.input ?? []).filter(Boolean));
    for (const a of node.attribute ?? []) for (const g of [a.g, ...(a.graphs ?? [])]) if (g) names.push(...readsOf(g));
  }
  for (const o of graph.output ?? []) if (o.name) names.push(o.name);
  return names;
}

export interface StepInfo {
  direction: Direction;
  /** Default-domain opset before and after this step (they differ by one). */
  from: number;
  to: number;
  /** The op's versions (schema since_version) before and after the step. */
  opFrom: number;
  opTo: number;
}

export class NodeContext {
  readonly before: NodeProto[] = [];
  readonly after: NodeProto[] = [];
  /** Set when the node is replaced by other nodes (which may include the node itself). */
  replacement?: NodeProto[];
  readonly notes: string[] = [];

  constructor(
    readonly node: NodeProto,
    readonly scope: Scope,
    readonly step: StepInfo,
    private readonly names: NameAllocator,
  ) {}

  get op(): string {
    return this.node.opType ?? '';
  }

  get direction(): Direction {
    return this.step.direction;
  }

  /** Opset of the nodes an adapter creates: they are written in the form of the step's target. */
  get opset(): number {
    return this.step.to;
  }

  refuse(reason: string): never {
    throw new ConversionRefusal(reason);
  }

  note(what: string): void {
    this.notes.push(what);
  }

  // ---- attributes ----

  attr(name: string): AttributeProto | undefined {
    const a = (this.node.attribute ?? []).find((x) => x.name === name);
    if (a?.refAttrName) this.refuse(`its attribute '${name}' is bound by the function's caller, so its value is not known here`);
    return a;
  }

  has(name: string): boolean {
    return this.attr(name) !== undefined;
  }

  int(name: string): number | undefined {
    const a = this.attr(name);
    return a && a.i != null ? int64ToNumber(a.i) : a ? 0 : undefined;
  }

  ints(name: string): number[] | undefined {
    const a = this.attr(name);
    return a ? (a.ints ?? []).map((v) => int64ToNumber(v)) : undefined;
  }

  float(name: string): number | undefined {
    const a = this.attr(name);
    return a ? a.f ?? 0 : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.attr(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  string(name: string): string | undefined {
    const a = this.attr(name);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : undefined;
  }

  drop(...names: string[]): void {
    this.node.attribute = (this.node.attribute ?? []).filter((a) => !names.includes(a.name ?? ''));
  }

  set(attribute: AttributeProto): void {
    this.drop(attribute.name ?? '');
    this.node.attribute = [...(this.node.attribute ?? []), attribute];
  }

  setInt(name: string, value: number): void {
    this.set(intAttr(name, value));
  }

  setInts(name: string, values: number[]): void {
    this.set(intsAttr(name, values));
  }

  setFloat(name: string, value: number): void {
    this.set(onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value }));
  }

  setFloats(name: string, values: number[]): void {
    this.set(onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: values }));
  }

  setString(name: string, value: string): void {
    this.set(stringAttr(name, value));
  }

  // ---- inputs and outputs ----

  input(index: number): string {
    return this.node.input?.[index] ?? '';
  }

  /** Sets the inputs, dropping trailing empty ones (absent optional inputs). */
  setInputs(inputs: string[]): void {
    const list = [...inputs];
    while (list.length > 0 && !list[list.length - 1]) list.pop();
    this.node.input = list;
  }

  output(index: number): string {
    return this.node.output?.[index] ?? '';
  }

  /** Whether an output of the node is read anywhere (nodes, subgraphs, graph outputs). */
  outputUsed(index: number): boolean {
    const name = this.output(index);
    return name !== '' && this.scope.used(name);
  }

  /** Drops outputs from `count` on when none of them is read; refuses otherwise. */
  keepOutputs(count: number, why: string): void {
    const outputs = this.node.output ?? [];
    for (let i = count; i < outputs.length; i++) if (this.outputUsed(i)) this.refuse(why);
    if (outputs.length > count) {
      this.node.output = outputs.slice(0, count);
      this.note(`unused outputs ${outputs.slice(count).filter(Boolean).map((o) => `'${o}'`).join(', ')} dropped`);
    }
  }

  // ---- constants and types ----

  constant(name: string): TensorArray | undefined {
    const t = this.scope.constant(name);
    if (!t) return undefined;
    try {
      return tensorToArray(t);
    } catch {
      // External data or an unreadable tensor: treated as not constant.
      return undefined;
    }
  }

  /** The integer values of a constant input, or undefined when it is not a constant. */
  constantInts(name: string): number[] | undefined {
    const a = this.constant(name);
    if (!a || Array.isArray(a.data)) return undefined;
    return Array.from(a.data as ArrayLike<number | bigint>, (v) => Number(v));
  }

  /** The numeric values of a constant input (every element type as numbers). */
  constantNumbers(name: string): number[] | undefined {
    const a = this.constant(name);
    return a && !Array.isArray(a.data) ? Array.from(toFloat64(a)) : undefined;
  }

  type(name: string): InferredType | undefined {
    return name ? this.scope.type(name) : undefined;
  }

  rank(name: string): number | undefined {
    const shape = this.type(name)?.shape;
    if (shape) return shape.length;
    const c = this.scope.constant(name);
    return c ? (c.dims ?? []).length : undefined;
  }

  shape(name: string): Dim[] | undefined {
    const c = this.scope.constant(name);
    if (c) return (c.dims ?? []).map((d) => int64ToNumber(d));
    return this.type(name)?.shape;
  }

  elemType(name: string): number | undefined {
    const c = this.scope.constant(name);
    if (c) return c.dataType ?? undefined;
    const t = this.type(name)?.elemType;
    return t ? t : undefined;
  }

  /** The rank of an input, or a refusal saying why it is needed. */
  needRank(name: string, why: string): number {
    const r = this.rank(name);
    if (r === undefined) this.refuse(`${why}, and the rank of '${name}' is not known`);
    return r;
  }

  needElemType(name: string, why: string): number {
    const t = this.elemType(name);
    if (t === undefined) this.refuse(`${why}, and the element type of '${name}' is not known`);
    return t;
  }

  // ---- edits ----

  fresh(base: string): string {
    return this.names.fresh(base);
  }

  private get stem(): string {
    return this.node.name || this.node.output?.[0] || this.op;
  }

  /**
   * A constant visible to this node: an initializer in a graph, a Constant node (placed before this node)
   * in a function body, where initializers do not exist.
   */
  addConstant(label: string, array: TensorArray): string {
    const name = this.fresh(`${this.stem}_${label}`);
    this.place(arrayToTensor(name, array), label);
    return name;
  }

  /** A constant with the values of the constant `source` and other dims (the data is shared, not copied). */
  reshapedConstant(source: string, dims: number[]): string | undefined {
    const t = this.scope.constant(source);
    if (!t) return undefined;
    const name = this.fresh(`${source}_reshaped`);
    this.place({ ...t, name, dims: dims.map((d) => toLong(d)) }, 'reshaped');
    return name;
  }

  private place(tensor: TensorProto, label: string): void {
    const name = tensor.name ?? '';
    if (this.scope.graph) {
      (this.scope.graph.initializer ??= []).push(tensor);
    } else {
      this.before.push(onnx.NodeProto.create({
        name: this.fresh(`${this.stem}_${label}_constant`), opType: 'Constant', domain: '', input: [], output: [name],
        attribute: [onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: { ...tensor, name: '' } })],
      }));
    }
    this.scope.addConstant(name, tensor);
  }

  int64s(label: string, values: number[], scalar = false): string {
    return this.addConstant(label, { dtype: DataType.INT64, dims: scalar ? [] : [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
  }

  /** A node in the default domain written for this step's target opset; its outputs get fresh names unless given. */
  make(opType: string, inputs: string[], attributes: AttributeProto[] = [], outputs?: string[], outputCount = 1): NodeProto {
    const name = this.fresh(`${this.stem}_${opType}`);
    const outs = outputs ?? Array.from({ length: outputCount }, (_, i) => this.fresh(`${name}_out${outputCount > 1 ? i : ''}`));
    return onnx.NodeProto.create({ name, opType, domain: '', input: inputs, output: outs, attribute: attributes });
  }

  /** Inserts nodes before this node (in order). */
  insertBefore(...nodes: NodeProto[]): void {
    this.before.push(...nodes);
  }

  insertAfter(...nodes: NodeProto[]): void {
    this.after.push(...nodes);
  }

  /** Replaces this node by `nodes` (all written for the target opset). */
  replace(nodes: NodeProto[]): void {
    this.replacement = nodes;
  }

  /** Gives the node a fresh output in place of output `index`, so that a node inserted after it can produce the original name. */
  redirectOutput(index: number): { original: string; renamed: string } {
    const original = this.output(index);
    const renamed = this.fresh(`${original}_${this.op.toLowerCase()}`);
    const outputs = [...(this.node.output ?? [])];
    outputs[index] = renamed;
    this.node.output = outputs;
    return { original, renamed };
  }
}

export function intAttr(name: string, value: number): AttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: toLong(value) });
}

export function intsAttr(name: string, values: number[]): AttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: values.map((v) => toLong(v)) });
}

export function floatAttr(name: string, value: number): AttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value });
}

export function stringAttr(name: string, value: string): AttributeProto {
  return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) });
}
