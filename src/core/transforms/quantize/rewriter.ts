// Shared state of one graph rewrite: fresh names, constant float weights, new initializers, node
// replacements, and what was quantized (for the report). The rewrite happens on the model in place.
import { isExternal, type ExternalDataReader } from '../../model/externalData.js';
import { GraphIndex } from '../../model/graphIndex.js';
import { DataType, onnx, toLong, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../../model/proto.js';
import { arrayToTensor, elementCount, tensorDims, tensorToArray, type ElementArray } from '../../model/tensorValues.js';
import { allNames, initializersOverridable, useCounts } from '../../model/graphQueries.js';
import { NameAllocator, sortGraph } from '../graphEdit.js';
import { packNibbles, quantTypeBits, type Granularity, type QuantizedTensor } from './arithmetic.js';
import { DataTypeOfQuant } from './qtypes.js';
import { kernelKey, runKernel, type KernelJob, type KernelResult } from './kernels.js';

/** How many scales and zero points of each tensor the report lists. */
export const reportedGroups = 8;

export interface QuantizedTensorInfo {
  /** The float tensor that was quantized (weight name or activation value). */
  tensor: string;
  role: 'weight' | 'activation' | 'bias';
  /** The node (name or op) that consumes it. */
  node: string;
  op: string;
  dtype: string;
  shape: number[];
  granularity: string;
  groups: number;
  scales: number[];
  zeroPoints: number[];
  scaleMin: number;
  scaleMax: number;
}

export interface FloatWeight {
  name: string;
  dims: number[];
  /** The values, decoded into an aligned array on first use. */
  readonly data: Float32Array;
  /**
   * The little-endian float32 bytes as the model holds them, when it holds them itself (not external):
   * kernels that work chunk by chunk copy from here and never decode the whole tensor.
   */
  readonly bytes?: Uint8Array;
}

export function granularityText(g: Granularity): string {
  if (g.kind === 'tensor') return 'per tensor';
  if (g.kind === 'channel') return `per channel (axis ${g.axis})`;
  return `block ${g.blockSize} (axis ${g.axis})`;
}

export function nodeLabel(node: NodeProto): string {
  return node.name || `${node.opType ?? '?'}(${(node.output ?? [])[0] ?? ''})`;
}

export class Rewriter {
  readonly graph: GraphProto;
  readonly index: GraphIndex;
  readonly names: NameAllocator;
  readonly tensors: QuantizedTensorInfo[] = [];
  readonly notes: string[] = [];
  /** Original node index -> the nodes that take its place (empty: removed). */
  private readonly replacements = new Map<number, NodeProto[]>();
  private readonly added: NodeProto[] = [];
  private readonly weightCache = new Map<string, FloatWeight | null>();
  /** Memo of quantized weights shared by several nodes, keyed by weight name and a layout key. */
  readonly memo = new Map<string, unknown>();
  /** Kernel results computed ahead (by worker threads), by kernelKey; shared by a model's scopes. */
  precomputed = new Map<string, KernelResult>();
  private readonly excluded: Set<string>;
  /** IR < 4: initializers listed as graph inputs are constants, not overridable defaults. */
  readonly inputsAreConstants: boolean;
  private readonly initialInitializers: Set<string>;

  /** The main graph's rewriter; with `scope`, one for a subgraph, which sees the constants of its enclosing graphs. */
  constructor(readonly model: ModelProto, readonly reader: ExternalDataReader | undefined, private readonly exclude: string[] = [], scope?: { index: GraphIndex; names: NameAllocator }) {
    this.graph = scope?.index.graph ?? model.graph!;
    this.index = scope?.index ?? GraphIndex.build(this.graph);
    this.names = scope?.names ?? new NameAllocator(allNames(model));
    this.excluded = new Set(exclude);
    this.inputsAreConstants = !initializersOverridable(model);
    this.initialInitializers = new Set((this.graph.initializer ?? []).map((t) => t.name ?? ''));
  }

  /**
   * Rewriters for the If/Loop/Scan bodies under this graph, innermost first: finishing them in this order,
   * before this graph, lets each graph's cleanup see what its subgraphs still capture.
   */
  nestedScopes(): Rewriter[] {
    const scopes: Rewriter[] = [];
    (this.graph.node ?? []).forEach((_, i) => {
      for (const sub of this.index.subgraphs(i)) {
        const inner = new Rewriter(this.model, this.reader, this.exclude, { index: sub.index, names: this.names });
        scopes.push(...inner.nestedScopes(), inner);
      }
    });
    return scopes;
  }

  /** Constant tensor of a name: initializers (also IR < 4 ones listed as inputs) and Constant outputs. */
  constant(name: string): TensorProto | undefined {
    if (this.isFedInput(name)) return undefined;
    return this.index.constantTensor(name) ?? (this.inputsAreConstants ? this.index.initializer(name) : undefined);
  }

  /** A graph input that the caller may feed (not an initializer of an IR < 4 model). */
  isFedInput(name: string): boolean {
    return this.index.isGraphInput(name) && !(this.inputsAreConstants && this.initialInitializers.has(name));
  }

  /** Excluded by node name or op type. */
  isExcluded(node: NodeProto): boolean {
    return (!!node.name && this.excluded.has(node.name)) || this.excluded.has(node.opType ?? '');
  }

  /** A float32 constant (initializer or Constant node) that is not an overridable graph input. */
  floatWeight(name: string | null | undefined): FloatWeight | undefined {
    if (!name) return undefined;
    const cached = this.weightCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    let result: FloatWeight | null = null;
    const tensor = this.constant(name);
    if (tensor && tensor.dataType === DataType.FLOAT) {
      const dims = tensorDims(tensor);
      const raw = tensor.rawData && !isExternal(tensor) && !tensor.segment && tensor.rawData.length === elementCount(dims) * 4 ? tensor.rawData : undefined;
      const reader = this.reader;
      let decoded: Float32Array | undefined;
      result = { name, dims, bytes: raw, get data() { return (decoded ??= tensorToArray(tensor, reader).data as Float32Array); } };
    }
    this.weightCache.set(name, result);
    return result ?? undefined;
  }

  /** The result of `job` on `weight`: computed ahead if it was, else here. */
  kernel(job: KernelJob, weight: FloatWeight): KernelResult {
    const key = kernelKey(job);
    const ahead = this.precomputed.get(key);
    if (ahead) {
      this.precomputed.delete(key);
      return ahead;
    }
    return runKernel(job, weight.bytes ?? weight.data);
  }

  quantized(job: KernelJob & { kind: 'quantize' }, weight: FloatWeight): QuantizedTensor {
    return this.kernel(job, weight) as QuantizedTensor;
  }

  /** Element type of a value when the graph declares it. */
  elemType(name: string): number | undefined {
    const t = this.constant(name);
    if (t) return t.dataType ?? undefined;
    const v = [...(this.graph.input ?? []), ...(this.graph.valueInfo ?? []), ...(this.graph.output ?? [])].find((x) => x.name === name);
    return v?.type?.tensorType?.elemType ?? undefined;
  }

  addInitializer(base: string, dtype: number, dims: number[], data: ElementArray): string {
    const name = this.names.fresh(base);
    this.graph.initializer ??= [];
    // Byte-sized arrays made here are owned by the rewrite: their bytes become raw_data without a copy.
    const packed = dtype === DataType.UINT4 || dtype === DataType.INT4;
    const tensor = !packed && (data instanceof Int8Array || data instanceof Uint8Array)
      ? onnx.TensorProto.create({ name, dataType: dtype, dims: dims.map((d) => toLong(d)), rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) })
      : arrayToTensor(name, { dtype, dims, data });
    this.graph.initializer.push(tensor);
    return name;
  }

  /** 4-bit codes packed here: one tight pass, the same layout tensorToArray reads back. */
  addPacked4(base: string, dtype: number, dims: number[], values: Int8Array | Uint8Array): string {
    const name = this.names.fresh(base);
    this.graph.initializer ??= [];
    this.graph.initializer.push(onnx.TensorProto.create({ name, dataType: dtype, dims: dims.map((d) => toLong(d)), rawData: packNibbles(values) }));
    return name;
  }

  /** Scalar float32 or int64 constants used by the rewritten nodes. */
  addScalar(base: string, dtype: number, value: number): string {
    const data = dtype === DataType.INT64 ? BigInt64Array.of(BigInt(value)) : Float32Array.of(value);
    return this.addInitializer(base, dtype, [], data);
  }

  /** Writes quantized values, scales and zero points; returns their initializer names. */
  addQuantized(base: string, q: QuantizedTensor, withZeroPoint: boolean): { values: string; scale: string; zeroPoint?: string } {
    const dtype = DataTypeOfQuant[q.type];
    const values = quantTypeBits[q.type] === 4 ? this.addPacked4(`${base}_quantized`, dtype, q.dims, q.values) : this.addInitializer(`${base}_quantized`, dtype, q.dims, q.values);
    const scale = this.addInitializer(`${base}_scale`, DataType.FLOAT, q.scaleDims, q.scales);
    const zeroPoint = withZeroPoint ? this.addInitializer(`${base}_zero_point`, dtype, q.scaleDims, q.zeroPoints) : undefined;
    return { values, scale, zeroPoint };
  }

  record(info: Omit<QuantizedTensorInfo, 'groups' | 'scales' | 'zeroPoints' | 'scaleMin' | 'scaleMax' | 'granularity'>, q: { scales: ArrayLike<number>; zeroPoints: ArrayLike<number>; granularity: Granularity }): void {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < q.scales.length; i++) {
      if (q.scales[i] < lo) lo = q.scales[i];
      if (q.scales[i] > hi) hi = q.scales[i];
    }
    const first = (a: ArrayLike<number>) => Array.from({ length: Math.min(reportedGroups, a.length) }, (_, i) => a[i]);
    this.tensors.push({
      ...info, granularity: granularityText(q.granularity), groups: q.scales.length,
      scales: first(q.scales), zeroPoints: first(q.zeroPoints), scaleMin: lo, scaleMax: hi,
    });
  }

  node(opType: string, inputs: string[], outputs: string[], name: string, attributes: onnx.IAttributeProto[] = [], domain = ''): NodeProto {
    return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: this.names.fresh(name), attribute: attributes, ...(domain ? { domain } : {}) });
  }

  /** The name of `input` transposed (2-D): a Transpose is pushed onto `nodes` the first time, then reused. */
  transposeOf(input: string, nodes: NodeProto[]): string {
    const key = `T:${input}`;
    let name = this.memo.get(key) as string | undefined;
    if (!name) {
      name = this.names.fresh(`${input}_transposed`);
      nodes.push(this.node('Transpose', [input], [name], `${input}_Transpose`, [onnx.AttributeProto.create({ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [toLong(1), toLong(0)] })]));
      this.memo.set(key, name);
    }
    return name;
  }

  /** Replaces node `index` by `nodes` (which must produce its outputs). */
  replace(index: number, nodes: NodeProto[]): void {
    this.replacements.set(index, nodes);
  }

  /** Nodes with no original counterpart (activation Q/DQ pairs, casts at the boundary). */
  add(...nodes: NodeProto[]): void {
    this.added.push(...nodes);
  }

  /** Nodes added so far and not yet in the graph. */
  pendingNodes(): readonly NodeProto[] {
    return this.added;
  }

  /** Applies replacements, drops constants nothing reads any more, and restores topological order. */
  finish(): void {
    const nodes: NodeProto[] = [];
    (this.graph.node ?? []).forEach((node, i) => {
      const r = this.replacements.get(i);
      if (r) nodes.push(...r);
      else nodes.push(node);
    });
    nodes.push(...this.added);
    this.graph.node = nodes;
    removeUnused(this.graph, this.inputsAreConstants ? this.initialInitializers : undefined);
    sortGraph(this.graph);
  }
}

/** Drops initializers and Constant nodes that nothing reads (the float weights that were replaced). */
export function removeUnused(graph: GraphProto, constantInputs?: Set<string>): void {
  for (;;) {
    const uses = useCounts(graph);
    // Initializers listed as inputs of an IR < 4 model are constants: unused ones go, with their input entry.
    if (constantInputs) graph.input = (graph.input ?? []).filter((v) => !constantInputs.has(v.name ?? '') || uses.has(v.name ?? ''));
    const inputs = new Set((graph.input ?? []).map((v) => v.name));
    const before = (graph.node?.length ?? 0) + (graph.initializer?.length ?? 0);
    graph.node = (graph.node ?? []).filter((n) => n.opType !== 'Constant' || n.domain || (n.output ?? []).some((o) => uses.has(o)));
    graph.initializer = (graph.initializer ?? []).filter((t) => uses.has(t.name ?? '') || inputs.has(t.name ?? ''));
    if ((graph.node.length + graph.initializer.length) === before) return;
  }
}

export { tensorDims };
