// State of one checker run: the model's IR version and opsets, local functions, the problems found so
// far, and the IR-version features seen (reported once each at the end, not at every tensor).
import { int64ToNumber, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type OperatorSetIdProto, type SparseTensorProto, type TensorProto, type ValueInfoProto } from '../model/proto.js';
import { canonicalDomain, opSchema, type OpSchema } from '../ops/opSchemas.js';
import type { Problem, ProblemLocation, QuickFixKind, RuleId, Severity } from './problem.js';

export interface CheckOptions {
  /** The model file's folder: external data files are looked up there. Without it, only their names are checked. */
  modelDir?: string;
  /** Whether to add the rule about what onnxruntime-node runs (warnings only); on by default. */
  runtime?: boolean;
  /** Problems listed at most; the rest are counted in one last problem. Default 1000. */
  maxProblems?: number;
}

/** One graph (main, subgraph or function body) with what the rules need to know about it. */
export interface GraphSource {
  id: string;
  title: string;
  kind: 'main' | 'subgraph' | 'function';
  nodes: NodeProto[];
  /** Graph inputs; function inputs are bare names. */
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers: TensorProto[];
  sparseInitializers: SparseTensorProto[];
  valueInfo: ValueInfoProto[];
  graph?: GraphProto;
  fn?: FunctionProto;
  /** Opset versions by canonical domain ('' for ai.onnx) that the nodes resolve against. */
  opsets: ReadonlyMap<string, number>;
}

/** A value known in a scope: where it comes from and, when known, its type string ('tensor(float)'). */
export interface Definition {
  kind: 'input' | 'initializer' | 'node';
  /** Producing node's index, for kind 'node'. */
  node?: number;
}

export interface Scope {
  source: GraphSource;
  outer?: Scope;
  defs: Map<string, Definition>;
  /** Type strings of values of this scope: graph inputs, initializers and what the ops produce. */
  types: Map<string, string>;
  /** Type strings the graph declares for node outputs (value_info, graph outputs). */
  declared: Map<string, string>;
}

export function lookup(scope: Scope | undefined, name: string): { scope: Scope; def: Definition } | undefined {
  for (let s = scope; s; s = s.outer) {
    const def = s.defs.get(name);
    if (def) return { scope: s, def };
  }
  return undefined;
}

export function typeOf(scope: Scope | undefined, name: string): string | undefined {
  for (let s = scope; s; s = s.outer) {
    const t = s.types.get(name);
    if (t !== undefined) return t;
    if (s.defs.has(name)) return undefined;
  }
  return undefined;
}

interface FeatureUse {
  minIr: number;
  where: ProblemLocation;
  count: number;
}

export function functionKey(domain: string | null | undefined, name: string | null | undefined, overload?: string | null): string {
  return `${domain ?? ''}\u0000${name ?? ''}\u0000${overload ?? ''}`;
}

/** Presence of a proto2 singular field: decoded messages own it only when it was in the file. */
export function has(message: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(message, field) && (message as Record<string, unknown>)[field] != null;
}

export class CheckContext {
  readonly problems: Problem[] = [];
  readonly irVersion: number;
  /** Model-level opset imports by canonical domain. */
  readonly opsets: ReadonlyMap<string, number>;
  readonly functions = new Map<string, FunctionProto>();
  readonly modelDir?: string;
  private readonly maxProblems: number;
  private readonly omitted: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  private readonly features = new Map<string, FeatureUse>();
  private readonly schemas = new Map<string, OpSchema | undefined>();
  private readonly derived = new WeakMap<object, Map<string, unknown>>();
  /** Free names of subgraphs, computed once per graph. */
  readonly freeNames = new WeakMap<GraphProto, ReadonlySet<string>>();

  constructor(readonly model: ModelProto, options: CheckOptions) {
    this.irVersion = int64ToNumber(model.irVersion);
    this.opsets = opsetMap(model.opsetImport ?? [], this.irVersion);
    for (const fn of model.functions ?? []) {
      const key = functionKey(fn.domain, fn.name, fn.overload);
      if (!this.functions.has(key)) this.functions.set(key, fn);
    }
    this.modelDir = options.modelDir;
    this.maxProblems = options.maxProblems ?? 1000;
  }

  report(severity: Severity, rule: RuleId, where: ProblemLocation, message: string, fix?: QuickFixKind): void {
    if (this.problems.length >= this.maxProblems) {
      this.omitted[severity]++;
      return;
    }
    this.problems.push(fix ? { severity, rule, where, message, fix } : { severity, rule, where, message });
  }

  /** Records a use of something the IR added in version `minIr`. */
  requireIr(minIr: number, feature: string, where: ProblemLocation): void {
    if (this.irVersion <= 0 || this.irVersion >= minIr) return;
    const use = this.features.get(feature);
    if (use) use.count++;
    else this.features.set(feature, { minIr, where, count: 1 });
  }

  /** The schema of an op at an opset version, looked up once per run. */
  schema(domain: string, op: string, opset: number): OpSchema | undefined {
    const key = `${domain}\u0000${op}\u0000${opset}`;
    if (!this.schemas.has(key)) this.schemas.set(key, opSchema(domain, op, opset));
    return this.schemas.get(key);
  }

  /** A value derived from an object (a schema's allowed type set), computed once per run. */
  memo<T>(owner: object, key: string, compute: () => T): T {
    let values = this.derived.get(owner);
    if (!values) this.derived.set(owner, (values = new Map()));
    if (!values.has(key)) values.set(key, compute());
    return values.get(key) as T;
  }

  /** The problems, with the IR-version features and a count of what did not fit. */
  finish(): Problem[] {
    for (const [feature, use] of this.features) {
      const more = use.count > 1 ? ` (${use.count} places)` : '';
      this.report('error', 'ir-feature', use.where, `the model uses ${feature}${more}, which came with IR version ${use.minIr}; it declares IR version ${this.irVersion}`);
    }
    this.features.clear();
    const omitted = this.omitted.error + this.omitted.warning + this.omitted.info;
    if (omitted > 0) {
      const severity: Severity = this.omitted.error ? 'error' : this.omitted.warning ? 'warning' : 'info';
      const parts = (['error', 'warning', 'info'] as const).filter((s) => this.omitted[s]).map((s) => `${this.omitted[s]} ${s}${this.omitted[s] > 1 ? 's' : ''}`);
      this.problems.push({ severity, rule: 'too-many-problems', where: {}, message: `${omitted} more problems not listed (${parts.join(', ')})` });
    }
    return this.problems;
  }
}

/** Opset imports by canonical domain; before IR 3 a model has none and means ai.onnx 1. */
export function opsetMap(imports: readonly OperatorSetIdProto[], irVersion: number): Map<string, number> {
  const map = new Map<string, number>();
  for (const o of imports) map.set(canonicalDomain(o.domain), int64ToNumber(o.version));
  if (map.size === 0 && irVersion > 0 && irVersion < 3) map.set('', 1);
  return map;
}
