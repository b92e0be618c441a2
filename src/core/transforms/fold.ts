// Constant folding to a fixed point, as onnx-simplifier does it but without Python: every node whose
// inputs are all constant is evaluated by onnxruntime (in its child process), batched into ONE temporary
// model per round; Shape/Size of values with statically known shapes are computed directly; an If with
// a constant condition is replaced by its branch. Works in subgraphs too; then cleanup.
import { UserError } from '../errors.js';
import { formatBytes } from '../format.js';
import { dataTypeInfo } from '../model/dataTypes.js';
import type { ExternalDataReader } from '../model/externalData.js';
import { isExternal } from '../model/externalData.js';
import { DataType, int64ToNumber, onnx, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../model/proto.js';
import { tensorByteSize } from '../model/summary.js';
import { arrayToTensor, constantNodeTensor, elementCount, tensorToArray, type TensorArray } from '../model/tensorValues.js';
import { evaluateSmall, hasSmallKernel, smallEnough } from './foldKernels.js';
import { subgraphsOf, walkGraph } from '../model/walk.js';
import { cleanupModel, removeDeadNodes, type CleanupStats } from './cleanup.js';
import { conditionValue, inlineIf } from './foldIf.js';
import { allNames, defaultOpset, hasSubgraphs, initializersOverridable, nodeReads, topologicalOrder, isDefaultDomain } from '../model/graphQueries.js';
import { constantNode, NameAllocator, tensorProtoType } from './graphEdit.js';
import { copyModel } from '../model/copyModel.js';
import { nonDeterministicOps } from '../ops/opSchema.js';
import type { Dim } from '../model/types.js';
import { inferShapes, isStatic, type InferredType } from '../ops/shapeInference.js';
import { DimAlgebra } from '../ops/dimAlgebra.js';

/** Evaluates a temporary model that has no inputs; returns the named outputs. */
export type Evaluate = (model: ModelProto, outputs: string[], signal?: AbortSignal) => Promise<Record<string, TensorArray>>;

export interface FoldOptions {
  evaluate: Evaluate;
  /** Folded values larger than this stay computed at run time (default 64 MiB). */
  sizeLimitBytes?: number;
  /** Reads tensors the model keeps in external files. */
  external?: ExternalDataReader;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Safety stop for pathological graphs. */
  maxRounds?: number;
  /** Constant bytes one temporary model may carry (default 1 GiB; protobuf's cap is 2 GB). */
  batchBytes?: number;
  /**
   * Dim arithmetic for shape inference, shared with the caller's other inference runs (it caches
   * symbolic results); by default one for this fold. It names no fresh symbols here.
   */
  dims?: DimAlgebra;
}

export interface FoldSkip {
  node: string;
  opType: string;
  reason: string;
}

export interface FoldStats {
  rounds: number;
  /** Temporary models evaluated by onnxruntime. */
  evaluations: number;
  /** Nodes on small constant values (shape arithmetic, scalars) computed by our own kernels instead. */
  computedHere: number;
  /** Nodes replaced by constants (evaluated, Shape/Size computed, Constant turned initializer). */
  foldedNodes: number;
  shapeOpsFolded: number;
  constantsToInitializers: number;
  ifsInlined: number;
  /** Values the evaluation produced and the graph now holds as initializers. */
  valuesReplaced: number;
  skipped: FoldSkip[];
  cleanup: CleanupStats;
}

export const defaultSizeLimitBytes = 64 * 2 ** 20;

/** Ops producing sequences, maps or optionals: the result cannot be stored as an initializer. */
const nonTensorOps = new Set([
  'SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'Optional', 'SequenceMap',
  'ZipMap', 'CastMap', 'DictVectorizer',
]);

/** Ops cleanup handles better than an evaluation (an Identity of a constant would copy it). */
const leftToCleanup = new Set(['Identity', 'Constant']);

interface Scope {
  graph: GraphProto;
  parent?: Scope;
  id: number;
  /** Constants defined by this graph (initializers that are not overridable inputs, Constant outputs). */
  constants: Map<string, TensorProto>;
  defined: Set<string>;
  outputs: Set<string>;
  types?: Map<string, InferredType>;
  /** Elements of small int vectors known statically (a Gather of a known dim of a partly dynamic shape). */
  values?: Map<string, Dim[]>;
}

function buildScopes(model: ModelProto): Scope[] {
  const scopes: Scope[] = [];
  const overridable = initializersOverridable(model);
  const visit = (graph: GraphProto, parent?: Scope) => {
    const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
    const constants = new Map<string, TensorProto>();
    for (const t of graph.initializer ?? []) {
      if (t.name && !(inputs.has(t.name) && (overridable || parent))) constants.set(t.name, t);
    }
    for (const node of graph.node ?? []) {
      if (node.opType === 'Constant' && isDefaultDomain(node)) {
        const t = constantNodeTensor(node);
        if (t && node.output?.[0]) constants.set(node.output[0], t);
      }
    }
    const defined = new Set<string>(inputs);
    for (const t of graph.initializer ?? []) if (t.name) defined.add(t.name);
    for (const s of graph.sparseInitializer ?? []) if (s.values?.name) defined.add(s.values.name);
    for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) defined.add(o);
    const scope: Scope = { graph, parent, id: scopes.length, constants, defined, outputs: new Set((graph.output ?? []).map((o) => o.name ?? '')) };
    scopes.push(scope);
    for (const node of graph.node ?? []) for (const sub of subgraphsOf(node)) visit(sub.graph, scope);
  };
  if (model.graph) visit(model.graph);
  return scopes;
}

/** The model's graphs in the order buildScopes visits them, without their constants. */
function allGraphs(model: ModelProto): GraphProto[] {
  return model.graph ? [...walkGraph(model.graph)].map((visit) => visit.graph!) : [];
}

/** The constant a name refers to in a scope, with the scope that owns it; shadowing is respected. */
function lookupConstant(scope: Scope, name: string): { owner: Scope; tensor: TensorProto } | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const t = s.constants.get(name);
    if (t) return { owner: s, tensor: t };
    if (s.defined.has(name)) return undefined;
  }
  return undefined;
}

function bytesOf(type: InferredType | undefined): number | undefined {
  if (!type || !isStatic(type.shape) || !type.elemType) return undefined;
  const bits = dataTypeInfo(type.elemType).bits || 8;
  return Math.ceil((type.shape.reduce((n, d) => n * d, 1) * bits) / 8);
}

function arrayBytes(array: TensorArray): number {
  if (Array.isArray(array.data)) return array.data.reduce((n, s) => n + s.length, 0);
  return array.data.byteLength;
}

function describe(node: NodeProto): string {
  return node.name || node.output?.find((o) => o) || node.opType || '?';
}

interface Candidate {
  scope: Scope;
  node: NodeProto;
}

class Folder {
  readonly stats: FoldStats = {
    rounds: 0, evaluations: 0, computedHere: 0, foldedNodes: 0, shapeOpsFolded: 0, constantsToInitializers: 0, ifsInlined: 0, valuesReplaced: 0,
    skipped: [], cleanup: { deadNodes: 0, identities: 0, duplicates: 0, initializers: 0, valueInfo: 0 },
  };
  /** Nodes never to try again (by object identity). */
  private readonly blocked = new WeakSet<NodeProto>();
  private readonly limit: number;
  private readonly dims: DimAlgebra;
  private names!: NameAllocator;

  constructor(private readonly model: ModelProto, private readonly options: FoldOptions) {
    this.limit = options.sizeLimitBytes ?? defaultSizeLimitBytes;
    // One for every round: each round infers mostly the same dims again.
    this.dims = options.dims ?? new DimAlgebra();
  }

  private skip(node: NodeProto, reason: string): void {
    if (this.blocked.has(node)) return;
    this.blocked.add(node);
    this.stats.skipped.push({ node: describe(node), opType: node.opType ?? '', reason });
  }

  private checkCancel(): void {
    if (this.options.signal?.aborted) throw new UserError('Folding was cancelled.');
  }

  async run(): Promise<void> {
    const maxRounds = this.options.maxRounds ?? 100;
    for (let round = 1; round <= maxRounds; round++) {
      this.checkCancel();
      this.stats.rounds = round;
      this.names = new NameAllocator(allNames(this.model));
      // Constant nodes count as constants already (buildScopes): turning them into initializers alone
      // opens nothing for another round.
      this.constantsToInitializers();
      let changed = this.inlineConstantIfs();
      const scopes = buildScopes(this.model);
      this.inferTypes(scopes);
      changed = this.foldShapeOps(scopes) || changed;
      this.options.onProgress?.(`Round ${round}: evaluating constant nodes`);
      changed = (await this.evaluateFoldable(buildScopes(this.model))) || changed;
      for (const graph of allGraphs(this.model)) removeDeadNodes(graph);
      if (!changed) break;
    }
    this.options.onProgress?.('Cleaning up');
    this.stats.cleanup = cleanupModel(this.model);
    if (!initializersOverridable(this.model)) listInitializersAsInputs(this.model.graph!);
  }

  /** Constant nodes become initializers, except where the value is a graph output. */
  private constantsToInitializers(): boolean {
    let changed = false;
    for (const scope of buildScopes(this.model)) {
      const graph = scope.graph;
      const keep: NodeProto[] = [];
      const added: TensorProto[] = [];
      for (const node of graph.node ?? []) {
        const output = node.output?.[0];
        if (node.opType === 'Constant' && isDefaultDomain(node) && output && !scope.outputs.has(output)) {
          const tensor = constantNodeTensor(node);
          if (tensor) {
            added.push(tensor);
            continue;
          }
        }
        keep.push(node);
      }
      graph.node = keep;
      // One new list per graph: a decoded graph's empty list is the message prototype's frozen default.
      if (added.length) {
        graph.initializer = [...(graph.initializer ?? []), ...added];
        this.stats.constantsToInitializers += added.length;
        changed = true;
      }
    }
    return changed;
  }

  private inlineConstantIfs(): boolean {
    let changed = false;
    // Inlining moves a branch's graph (and the scopes inside it): look again from the top after each one.
    for (;;) {
      const next = this.nextConstantIf();
      if (!next) return changed;
      const hoisted = inlineIf(this.model, next.scope.graph, next.index, next.value);
      if (hoisted === undefined) {
        this.skip(next.scope.graph.node![next.index], 'the branch does not match the If outputs');
        continue;
      }
      this.stats.ifsInlined++;
      this.stats.foldedNodes++;
      changed = true;
    }
  }

  private nextConstantIf(): { scope: Scope; index: number; value: boolean } | undefined {
    // Scopes (with their constants) are built only where there is an If to look at.
    if (!allGraphs(this.model).some((g) => (g.node ?? []).some((n) => n.opType === 'If' && isDefaultDomain(n) && !this.blocked.has(n)))) return undefined;
    for (const scope of buildScopes(this.model)) {
      const nodes = scope.graph.node ?? [];
      for (let index = 0; index < nodes.length; index++) {
        const node = nodes[index];
        if (node.opType !== 'If' || !isDefaultDomain(node) || this.blocked.has(node)) continue;
        const cond = node.input?.[0];
        const found = cond ? lookupConstant(scope, cond) : undefined;
        if (!found) continue;
        let value: boolean | undefined;
        try {
          value = conditionValue(this.resolved(found.tensor));
        } catch {
          value = undefined;
        }
        if (value === undefined) {
          this.skip(node, 'the condition is not a one-element tensor');
          continue;
        }
        return { scope, index, value };
      }
    }
    return undefined;
  }

  private inferTypes(scopes: Scope[]): void {
    const opset = defaultOpset(this.model);
    for (const scope of scopes) {
      scope.values = new Map();
      scope.types = inferShapes(scope.graph, {
        opset,
        dims: this.dims,
        outer: scope.parent?.types,
        valuesOut: scope.values,
        constant: (name) => {
          const found = lookupConstant(scope, name);
          return found && !isExternal(found.tensor) ? found.tensor : undefined;
        },
      });
    }
  }

  /**
   * Shape and Size of values whose shape is known are computed here, no evaluation needed; so is any
   * int vector whose elements shape inference knows, such as the Gather of a static dim from the Shape
   * of a partly dynamic tensor (as onnxruntime's shape constant folding does).
   */
  private foldShapeOps(scopes: Scope[]): boolean {
    let changed = false;
    for (const scope of scopes) {
      const graph = scope.graph;
      for (const node of [...(graph.node ?? [])]) {
        if (this.foldKnownValue(scope, node)) {
          this.stats.shapeOpsFolded++;
          this.stats.foldedNodes++;
          changed = true;
        }
      }
      for (const node of graph.node ?? []) {
        if (!isDefaultDomain(node) || (node.opType !== 'Shape' && node.opType !== 'Size') || this.blocked.has(node)) continue;
        const input = node.input?.[0];
        const output = node.output?.[0];
        const shape = input ? scope.types?.get(input)?.shape : undefined;
        if (!output || !shape) continue;
        let values: number[] | undefined;
        if (node.opType === 'Size') {
          if (isStatic(shape)) values = [shape.reduce((n, d) => n * d, 1)];
        } else {
          const rank = shape.length;
          const attr = (n: string, d: number) => {
            const a = (node.attribute ?? []).find((x) => x.name === n);
            return a?.i != null ? int64ToNumber(a.i) : d;
          };
          const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
          const part = shape.slice(clamp(attr('start', 0)), clamp(attr('end', rank)));
          if (isStatic(part)) values = part;
        }
        if (!values) continue;
        const dims = node.opType === 'Size' ? [] : [values.length];
        this.replaceValue(scope, node, output, { dtype: DataType.INT64, dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });
        this.stats.shapeOpsFolded++;
        this.stats.foldedNodes++;
        changed = true;
      }
    }
    return changed;
  }

  private foldKnownValue(scope: Scope, node: NodeProto): boolean {
    const output = node.output?.[0];
    if (!output || (node.output ?? []).length !== 1 || !isDefaultDomain(node) || this.blocked.has(node)) return false;
    if (leftToCleanup.has(node.opType ?? '') || lookupConstant(scope, output)) return false;
    const values = scope.values?.get(output);
    const type = scope.types?.get(output);
    if (!values || !values.every((v) => typeof v === 'number') || !type?.shape) return false;
    if (type.elemType !== DataType.INT64 && type.elemType !== DataType.INT32) return false;
    const scalar = type.shape.length === 0;
    if (scalar ? values.length !== 1 : type.shape.length !== 1 || (type.shape[0] !== null && type.shape[0] !== values.length && typeof type.shape[0] === 'number')) return false;
    const numbers = values as number[];
    // Values come through JS numbers: beyond 2^53 (INT64_MAX as a Slice end) they are not exact,
    // so such vectors are left to onnxruntime.
    const limit = type.elemType === DataType.INT64 ? Number.MAX_SAFE_INTEGER : 2 ** 31 - 1;
    if (!numbers.every((v) => Number.isSafeInteger(v) && Math.abs(v) <= limit)) return false;
    const data = type.elemType === DataType.INT64 ? BigInt64Array.from(numbers, (v) => BigInt(v)) : Int32Array.from(numbers);
    this.replaceValue(scope, node, output, { dtype: type.elemType, dims: scalar ? [] : [numbers.length], data });
    return true;
  }

  /** The value now comes from a constant: an initializer, or a Constant node where it is a graph output. */
  private replaceValue(scope: Scope, producer: NodeProto, name: string, array: TensorArray): void {
    const tensor = arrayToTensor(name, array);
    const graph = scope.graph;
    producer.output = (producer.output ?? []).map((o) => (o === name ? '' : o));
    if (scope.outputs.has(name)) {
      const index = (graph.node ?? []).indexOf(producer);
      graph.node!.splice(index + 1, 0, constantNode(name, tensor, this.names.fresh(`${name}_constant`)));
    } else {
      graph.initializer = [...(graph.initializer ?? []), tensor];
    }
    scope.constants.set(name, tensor);
    this.stats.valuesReplaced++;
  }

  private candidate(node: NodeProto): boolean {
    const op = node.opType ?? '';
    if (this.blocked.has(node) || !(node.output ?? []).some((o) => o)) return false;
    if (isDefaultDomain(node) && (leftToCleanup.has(op) || nonTensorOps.has(op))) return false;
    if (isDefaultDomain(node) && nonDeterministicOps.has(op)) {
      this.skip(node, 'non-deterministic');
      return false;
    }
    if (isDefaultDomain(node) && op === 'Dropout' && defaultOpset(this.model) < 7) {
      const isTest = (node.attribute ?? []).find((a) => a.name === 'is_test');
      if (!isTest || int64ToNumber(isTest.i) === 0) {
        this.skip(node, 'Dropout in training mode (is_test = 0)');
        return false;
      }
    }
    if (isDefaultDomain(node) && op === 'Dropout' && (node.input?.[2] ?? '') !== '') {
      // training_mode given: only an explicit false keeps it deterministic, and then cleanup-like folding
      // gains nothing worth the risk.
      this.skip(node, 'Dropout with a training_mode input');
      return false;
    }
    if (hasSubgraphs(node)) return false;
    return true;
  }

  private async evaluateFoldable(scopes: Scope[]): Promise<boolean> {
    const items: Candidate[] = [];
    let computedHere = false;
    const opset = defaultOpset(this.model);
    for (const scope of scopes) {
      // A copy: a value computed here that is a graph output inserts a Constant node into the graph.
      const nodes = [...(scope.graph.node ?? [])];
      const order = topologicalOrder(scope.graph);
      const virtual = new Set<string>();
      for (const index of order) {
        const node = nodes[index];
        if (!this.candidate(node)) continue;
        const ready = (node.input ?? []).every((i) => !i || virtual.has(i) || lookupConstant(scope, i) !== undefined);
        if (!ready) continue;
        const outputs = (node.output ?? []).filter((o) => o);
        const types = outputs.map((o) => scope.types?.get(o));
        if (types.some((t) => t?.elemType === DataType.BFLOAT16)) {
          this.skip(node, 'bfloat16 values cannot be read back from onnxruntime-node');
          continue;
        }
        const big = types.map(bytesOf).find((b) => b !== undefined && b > this.limit);
        if (big !== undefined) {
          this.skip(node, `its output (${formatBytes(big)}) is over the size limit`);
          continue;
        }
        const here = this.computeHere(scope, node, opset);
        if (here === 'computed') computedHere = true;
        if (here) continue;
        items.push({ scope, node });
        for (const o of outputs) virtual.add(o);
      }
    }
    if (items.length === 0) return computedHere;
    return (await this.evaluateItems(this.withinBudget(items))) || computedHere;
  }

  /**
   * Small values (shape arithmetic, scalars) computed by our own kernels when every input is a constant,
   * without a session in onnxruntime; false leaves the node to onnxruntime.
   */
  private computeHere(scope: Scope, node: NodeProto, opset: number): 'computed' | 'skipped' | undefined {
    if (!hasSmallKernel(node)) return undefined;
    const inputs: Array<TensorArray | undefined> = [];
    for (const name of node.input ?? []) {
      if (!name) {
        inputs.push(undefined);
        continue;
      }
      const found = lookupConstant(scope, name);
      if (!found || isExternal(found.tensor)) return undefined;
      const dims = found.tensor.dims ?? [];
      const count = dims.reduce<number>((n, d) => n * int64ToNumber(d), 1);
      if (!smallEnough(found.tensor.dataType ?? 0, count)) return undefined;
      inputs.push(tensorToArray(found.tensor));
    }
    const results = evaluateSmall(node, inputs, opset);
    if (!results) return undefined;
    const big = results.map(arrayBytes).find((b) => b > this.limit);
    if (big !== undefined) {
      this.skip(node, `its output (${formatBytes(big)}) is over the size limit`);
      return 'skipped';
    }
    (node.output ?? []).forEach((name, i) => {
      if (name) this.replaceValue(scope, node, name, results[i]);
    });
    this.stats.foldedNodes++;
    this.stats.computedHere++;
    return 'computed';
  }

  /**
   * The longest prefix whose constant inputs fit one temporary model (protobuf caps a message at 2 GB,
   * and the model travels to the child process); the rest follows in the next rounds.
   */
  private withinBudget(items: Candidate[]): Candidate[] {
    const budget = this.options.batchBytes ?? 1024 * 2 ** 20;
    const counted = new Set<TensorProto>();
    let bytes = 0;
    for (let i = 0; i < items.length; i++) {
      for (const input of items[i].node.input ?? []) {
        const found = input ? lookupConstant(items[i].scope, input) : undefined;
        if (!found || counted.has(found.tensor)) continue;
        counted.add(found.tensor);
        bytes += tensorByteSize(found.tensor);
      }
      if (bytes > budget && i > 0) return items.slice(0, i);
    }
    return items;
  }

  /** Values of the batch read outside it (or graph outputs): what the evaluation must return. */
  private frontier(items: Candidate[]): Array<{ scope: Scope; name: string; node: NodeProto }> {
    const inBatch = new Set(items.map((c) => c.node));
    const byScope = new Map<Scope, Set<string>>();
    for (const item of items) {
      if (!byScope.has(item.scope)) {
        const reads = new Set<string>(item.scope.outputs);
        for (const node of item.scope.graph.node ?? []) if (!inBatch.has(node)) for (const r of nodeReads(node)) reads.add(r);
        byScope.set(item.scope, reads);
      }
    }
    const result: Array<{ scope: Scope; name: string; node: NodeProto }> = [];
    for (const item of items) {
      const reads = byScope.get(item.scope)!;
      for (const o of item.node.output ?? []) if (o && reads.has(o)) result.push({ scope: item.scope, name: o, node: item.node });
    }
    return result;
  }

  private async evaluateItems(items: Candidate[]): Promise<boolean> {
    this.checkCancel();
    const wanted = this.frontier(items);
    if (wanted.length === 0) return false;
    const { model, names } = this.temporaryModel(items, wanted);
    let results: Record<string, TensorArray>;
    try {
      this.stats.evaluations++;
      results = await this.options.evaluate(model, wanted.map((w) => names.get(w)!), this.options.signal);
    } catch (error) {
      if (this.options.signal?.aborted) throw new UserError('Folding was cancelled.');
      if (items.length === 1) {
        const reason = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
        this.skip(items[0].node, `onnxruntime could not evaluate it (${reason})`);
        return false;
      }
      // Find the node onnxruntime rejects by halving: a prefix in topological order is self-contained.
      return this.evaluateItems(items.slice(0, Math.ceil(items.length / 2)));
    }
    // A node is replaced only when all of its needed outputs fit under the limit.
    const tooBig = new Set<NodeProto>();
    for (const w of wanted) {
      const array = results[names.get(w)!];
      if (!array) tooBig.add(w.node);
      else if (arrayBytes(array) > this.limit) {
        this.skip(w.node, `its output (${formatBytes(arrayBytes(array))}) is over the size limit`);
        tooBig.add(w.node);
      }
    }
    const replaced = new Set<NodeProto>();
    for (const w of wanted) {
      if (tooBig.has(w.node)) continue;
      this.replaceValue(w.scope, w.node, w.name, results[names.get(w)!]);
      replaced.add(w.node);
    }
    this.stats.foldedNodes += items.filter((i) => !tooBig.has(i.node)).length;
    return replaced.size > 0;
  }

  /** The tensor with its bytes inside (external data read), for a temporary model. */
  private resolved(tensor: TensorProto): TensorProto {
    if (!isExternal(tensor)) return tensor;
    if (!this.options.external) throw new UserError(`Tensor '${tensor.name ?? ''}' keeps its values in an external file, which is not available here.`);
    return onnx.TensorProto.create({ ...tensor, rawData: this.options.external.read(tensor), externalData: [], dataLocation: 0 });
  }

  /** One model computing every wanted value from the constants the batch reads; names are made unique. */
  private temporaryModel(items: Candidate[], wanted: Array<{ scope: Scope; name: string }>): { model: ModelProto; names: Map<unknown, string> } {
    const keyed = new Map<string, string>();
    const nameFor = (scope: Scope, name: string) => {
      const key = `${scope.id}\u0000${name}`;
      let temp = keyed.get(key);
      if (!temp) keyed.set(key, (temp = `v${keyed.size}`));
      return temp;
    };
    const initializers: TensorProto[] = [];
    const produced = new Set<string>();
    const nodes: NodeProto[] = [];
    for (const { scope, node } of items) for (const o of node.output ?? []) if (o) produced.add(nameFor(scope, o));
    for (const { scope, node } of items) {
      const input = (node.input ?? []).map((i) => {
        if (!i) return '';
        const local = nameFor(scope, i);
        if (produced.has(local)) return local;
        const found = lookupConstant(scope, i)!;
        const temp = nameFor(found.owner, i);
        if (!produced.has(temp)) {
          produced.add(temp);
          initializers.push({ ...this.resolved(found.tensor), name: temp });
        }
        return temp;
      });
      const output = (node.output ?? []).map((o) => (o ? nameFor(scope, o) : ''));
      nodes.push(onnx.NodeProto.create({ ...node, name: `n${nodes.length}`, input, output }));
    }
    const names = new Map<unknown, string>();
    for (const w of wanted) names.set(w, nameFor(w.scope, w.name));
    const graph = onnx.GraphProto.create({
      name: 'fold',
      node: nodes,
      initializer: initializers,
      output: wanted.map((w) => {
        const type = w.scope.types?.get(w.name);
        return onnx.ValueInfoProto.create({ name: names.get(w)!, type: type?.elemType ? { tensorType: { elemType: type.elemType } } : undefined });
      }),
    });
    const model = onnx.ModelProto.create({
      // Initializers outside graph inputs need IR 4.
      irVersion: Math.max(int64ToNumber(this.model.irVersion), 4),
      opsetImport: this.model.opsetImport,
      functions: this.model.functions,
      graph,
    });
    return { model, names };
  }
}

/** Before IR 4 every initializer must also be listed as a graph input. */
export function listInitializersAsInputs(graph: GraphProto): void {
  const inputs = new Set((graph.input ?? []).map((v) => v.name));
  for (const t of graph.initializer ?? []) {
    if (t.name && !inputs.has(t.name)) graph.input = [...(graph.input ?? []), onnx.ValueInfoProto.create({ name: t.name, type: tensorProtoType(t) })];
  }
}

/**
 * Folds constants of a copy of `model` and cleans it up. The input model is not changed.
 * Cancelling (options.signal) rejects with a UserError.
 */
export async function foldConstants(model: ModelProto, options: FoldOptions): Promise<{ model: ModelProto; stats: FoldStats }> {
  const copy = copyModel(model);
  if (!copy.graph) throw new UserError('The model has no graph.');
  const folder = new Folder(copy, options);
  await folder.run();
  return { model: copy, stats: folder.stats };
}

/** Number of elements of a tensor, for reports. */
export function tensorElements(tensor: TensorProto): number {
  return elementCount((tensor.dims ?? []).map((d) => int64ToNumber(d)));
}
