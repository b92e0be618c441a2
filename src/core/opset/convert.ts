// The opset converter: moves a model's default domain from one opset to another one version at a time,
// as onnx.version_converter does. At each step, every node whose op has a version beginning there goes
// through that version's adapter (registry.ts) and the schema rules (generic.ts); nodes an adapter adds
// are written for the step's target and meet later steps like any other node. If/Loop/Scan bodies and
// model-local functions are converted too. The input model is not changed; a step that cannot be done
// throws a UserError naming the node, the op and the versions.
import { NameAllocator } from '../transforms/graphEdit.js';
import { UserError } from '../errors.js';
import { int64ToNumber, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../model/proto.js';
import { constantNodeTensor } from '../model/tensorValues.js';
import { subgraphsOf } from '../model/walk.js';
import { defaultOpset, initializersOverridable } from '../model/graphQueries.js';
import type { DimAlgebra } from '../ops/dimAlgebra.js';
import { algebraFor, inferShapes, type InferredType } from '../ops/shapeInference.js';
import { ScopedMap } from '../ops/scopedMap.js';
import { ConversionRefusal, NodeContext, Scope, type ConversionChange, type Direction } from './context.js';
import { crossBoundary, validate } from './generic.js';
import { irBlocker, minIrVersion, setIrVersion } from './irVersion.js';
import { adapterFor } from './registry.js';
import { firstVersion, newestOpset, schemaAt } from './schemas.js';

export type { ConversionChange } from './context.js';
export { newestOpset, oldestRuntimeOpset } from './schemas.js';

export interface ConvertOptions {
  /**
   * IR version to write. By default: going up, the model's own raised to what the target opset needs;
   * going down, the one that came with the target opset where the content allows it.
   */
  irVersion?: number;
}

export interface OpsetConversion {
  model: ModelProto;
  from: number;
  to: number;
  /** Every node rewritten, with what was done. */
  changes: ConversionChange[];
  /** Ops whose version moved, with how many nodes of each (most need nothing but the new opset import). */
  versions: Array<{ op: string; from: number; to: number; nodes: number }>;
  /** Set when the IR version changed. */
  irVersion?: { from: number; to: number };
  /** What writing the IR version needed (initializers listed as inputs, metadata dropped). */
  notes: string[];
}

const isDefaultDomain = (node: NodeProto) => !node.domain || node.domain === 'ai.onnx';

function nodeLabel(node: NodeProto, index: number): string {
  return node.name || `${node.opType} #${index}`;
}

// ---- copying: the converter edits a copy whose tensors are shared with the input (they are never changed) ----

function cloneGraph(graph: GraphProto): GraphProto {
  return {
    ...graph,
    node: (graph.node ?? []).map(cloneNode),
    initializer: [...(graph.initializer ?? [])],
    sparseInitializer: [...(graph.sparseInitializer ?? [])],
    input: (graph.input ?? []).map((v) => ({ ...v })),
    output: (graph.output ?? []).map((v) => ({ ...v })),
    valueInfo: (graph.valueInfo ?? []).map((v) => ({ ...v })),
  };
}

function cloneNode(node: NodeProto): NodeProto {
  return {
    ...node,
    input: [...(node.input ?? [])],
    output: [...(node.output ?? [])],
    attribute: (node.attribute ?? []).map((a) => (a.g || a.graphs?.length ? { ...a, g: a.g ? cloneGraph(a.g) : a.g, graphs: (a.graphs ?? []).map(cloneGraph) } : a)),
  };
}

function cloneModel(model: ModelProto): ModelProto {
  return {
    ...model,
    graph: model.graph ? cloneGraph(model.graph) : model.graph,
    opsetImport: (model.opsetImport ?? []).map((o) => ({ ...o })),
    functions: (model.functions ?? []).map((f): FunctionProto => ({ ...f, node: (f.node ?? []).map(cloneNode), opsetImport: (f.opsetImport ?? []).map((o) => ({ ...o })) })),
  };
}

// ---- scopes ----

/** A unit converted from one opset: the model's graphs, or one function with its subgraphs. */
interface Unit {
  label: string;
  from: number;
  scopes: Scope[];
}

/** `dims`: the model's one algebra, so that no scope reads the enclosing scopes' types again to pick fresh symbols. */
function graphScopes(graph: GraphProto, path: string, parent: Scope | undefined, opset: number, overridable: boolean, out: Scope[], dims?: DimAlgebra): void {
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const overridableNames = new Set(overridable ? [...inputs] : []);
  const constants = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name && !overridableNames.has(t.name)) constants.set(t.name, t);
  for (const node of graph.node ?? []) {
    const t = constantNodeTensor(node);
    if (t && node.output?.[0]) constants.set(node.output[0], t);
  }
  const outer = parent ? allTypes(parent) : undefined;
  let types: Map<string, InferredType>;
  try {
    types = inferShapes(graph, { opset, outer, dims, constant: (name) => constants.get(name) ?? parent?.constant(name) });
  } catch {
    // Shape inference is a help, not a requirement: adapters that need a rank refuse without it.
    types = new Map();
  }
  const scope = new Scope(path, graph, undefined, parent, types, overridableNames);
  scope.refresh();
  out.push(scope);
  (graph.node ?? []).forEach((node, index) => {
    for (const sub of subgraphsOf(node)) graphScopes(sub.graph, `${path ? path + '/' : ''}${nodeLabel(node, index)}.${sub.attribute}`, scope, opset, overridable, out, dims);
  });
}

/** Types visible in `scope`: inference's own maps read through to the enclosing scope's already. */
function allTypes(scope: Scope): ReadonlyMap<string, InferredType> {
  if (!scope.parent || scope.types instanceof ScopedMap) return scope.types;
  // Inference failed here: the enclosing scopes' types still hold.
  const layered = new ScopedMap(allTypes(scope.parent));
  for (const [name, type] of scope.types) layered.set(name, type);
  return layered;
}

function functionScopes(fn: FunctionProto, label: string): Scope[] {
  const scope = new Scope(label, undefined, fn, undefined, new Map(), new Set());
  scope.refresh();
  const out = [scope];
  (fn.node ?? []).forEach((node, index) => {
    for (const sub of subgraphsOf(node)) graphScopes(sub.graph, `${label}/${nodeLabel(node, index)}.${sub.attribute}`, scope, 0, false, out);
  });
  return out;
}

function defaultImport(imports: ModelProto['opsetImport']): number | undefined {
  const entry = (imports ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry?.version != null ? int64ToNumber(entry.version) : undefined;
}

function setDefaultImport(owner: { opsetImport?: ModelProto['opsetImport'] }, version: number): void {
  const imports = owner.opsetImport ?? [];
  const entry = imports.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (entry) entry.version = version;
  else owner.opsetImport = [...imports, { domain: '', version }];
}

// ---- the steps ----

function refusal(unit: Unit, scope: Scope, node: NodeProto, index: number, op: string, from: number, to: number, reason: string, target: number): UserError {
  const where = scope.path ? ` in ${scope.path}` : '';
  return new UserError(`Cannot convert ${unit.label} from opset ${unit.from} to ${target}: node '${nodeLabel(node, index)}' (${op}${where}), opset ${from} → ${to}: ${reason}.`);
}

/** Checks that every default-domain op exists at the unit's opset before anything is converted. */
function checkOps(unit: Unit, target: number): void {
  for (const scope of unit.scopes) {
    scope.nodes.forEach((node, index) => {
      if (!isDefaultDomain(node)) return;
      const op = node.opType ?? '';
      const first = firstVersion(op);
      let reason: string | undefined;
      if (first === undefined) reason = `${op} is not an operator of the ONNX default domain (opsets 1 to ${newestOpset})`;
      else if (first > unit.from) reason = `${op} does not exist at opset ${unit.from} (it came at opset ${first}), so the model is not valid at its own opset`;
      if (reason) throw refusal(unit, scope, node, index, op, unit.from, unit.from, reason, target);
    });
  }
}

function convertScope(unit: Unit, scope: Scope, direction: Direction, from: number, to: number, target: number, names: NameAllocator, changes: ConversionChange[]): void {
  scope.refresh();
  const boundary = direction === 'up' ? to : from;
  const out: NodeProto[] = [];
  scope.nodes.forEach((node, index) => {
    const op = node.opType ?? '';
    const before = isDefaultDomain(node) ? schemaAt(op, from) : undefined;
    const after = before ? schemaAt(op, to) : undefined;
    if (!before || before === after) {
      out.push(node);
      return;
    }
    const ctx: NodeContext = new NodeContext(node, scope, { direction, from, to, opFrom: before.since, opTo: after?.since ?? 0 }, names);
    try {
      const adapter = adapterFor(op, boundary)?.[direction];
      if (adapter) adapter(ctx);
      else if (!after) ctx.refuse(`${op} does not exist before opset ${boundary}, and the converter has no rewrite of it into older ops`);
      if (!ctx.replacement) {
        const current = node.opType ?? '';
        const schema = schemaAt(current, to);
        if (!schema) ctx.refuse(`${current} does not exist at opset ${to}`);
        if (current === op && after) crossBoundary(ctx, before, after);
        validate(ctx, schema);
      }
      // Nodes the adapter wrote must fit the target too: a failure here is the converter's own mistake.
      for (const added of [...ctx.before, ...ctx.after, ...(ctx.replacement ?? [])]) {
        if (added === node) continue;
        const schema = schemaAt(added.opType ?? '', to);
        if (!schema) ctx.refuse(`the rewrite uses ${added.opType}, which does not exist at opset ${to}`);
        validate(new NodeContext(added, scope, { direction, from, to, opFrom: schema.since, opTo: schema.since }, names), schema);
      }
    } catch (error) {
      if (error instanceof ConversionRefusal) throw refusal(unit, scope, node, index, op, from, to, error.reason, target);
      throw error;
    }
    if (ctx.notes.length > 0) {
      changes.push({ node: nodeLabel(node, index), graph: scope.path, op, from: before.since, to: after?.since ?? 0, what: ctx.notes.join('; ') });
    }
    out.push(...ctx.before, ...(ctx.replacement ?? [node]), ...ctx.after);
  });
  scope.nodes = out;
}

function runSteps(unit: Unit, target: number, names: NameAllocator, changes: ConversionChange[]): void {
  const direction: Direction = target > unit.from ? 'up' : 'down';
  const delta = direction === 'up' ? 1 : -1;
  for (let v = unit.from; v !== target; v += delta) {
    for (const scope of unit.scopes) convertScope(unit, scope, direction, v, v + delta, target, names, changes);
  }
}

function everyName(model: ModelProto): string[] {
  const names: string[] = [];
  const fromNodes = (nodes: NodeProto[] | null | undefined) => {
    for (const n of nodes ?? []) {
      if (n.name) names.push(n.name);
      names.push(...(n.input ?? []), ...(n.output ?? []));
      for (const sub of subgraphsOf(n)) fromGraph(sub.graph);
    }
  };
  const fromGraph = (g: GraphProto) => {
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) if (v.name) names.push(v.name);
    for (const t of g.initializer ?? []) if (t.name) names.push(t.name);
    for (const s of g.sparseInitializer ?? []) if (s.values?.name) names.push(s.values.name);
    fromNodes(g.node);
  };
  if (model.graph) fromGraph(model.graph);
  for (const f of model.functions ?? []) {
    names.push(...(f.input ?? []), ...(f.output ?? []));
    fromNodes(f.node);
  }
  return names;
}

/** Initializers that only converted nodes read (a shape that became an attribute) go with them. */
function dropOrphans(usedBefore: Map<Scope, Set<string>>): void {
  for (const [scope, used] of usedBefore) {
    scope.refresh();
    const graph = scope.graph!;
    const inputs = new Set((graph.input ?? []).map((v) => v.name));
    const orphan = (name: string) => used.has(name) && !scope.used(name) && !inputs.has(name);
    if ((graph.initializer ?? []).some((t) => orphan(t.name ?? ''))) graph.initializer = (graph.initializer ?? []).filter((t) => !orphan(t.name ?? ''));
  }
}

/** How many nodes of each default-domain op the model has (all graphs and functions). */
function opCounts(model: ModelProto): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (nodes: NodeProto[] | null | undefined) => {
    for (const n of nodes ?? []) {
      if (isDefaultDomain(n)) counts.set(n.opType ?? '', (counts.get(n.opType ?? '') ?? 0) + 1);
      for (const sub of subgraphsOf(n)) visit(sub.graph.node);
    }
  };
  visit(model.graph?.node);
  for (const f of model.functions ?? []) visit(f.node);
  return counts;
}

/**
 * Converts the model's default domain to opset `target` (1 to the newest onnxruntime runs), up or down.
 * The input model is left as it is; the result shares its tensors.
 */
export function convertOpset(input: ModelProto, target: number, options: ConvertOptions = {}): OpsetConversion {
  if (!Number.isInteger(target) || target < 1 || target > newestOpset) {
    throw new UserError(`The target opset must be a whole number from 1 to ${newestOpset}, not ${target}.`);
  }
  if (!input.graph) throw new UserError('The model has no graph to convert.');
  const source = defaultOpset(input);
  const model = cloneModel(input);
  const names = new NameAllocator(everyName(model));
  const changes: ConversionChange[] = [];
  const overridable = initializersOverridable(model);

  const graphUnit: Unit = { label: 'the model', from: source, scopes: [] };
  const dims = algebraFor(model.graph!);
  graphScopes(model.graph!, '', undefined, source, overridable, graphUnit.scopes, dims);
  const units: Unit[] = [graphUnit];
  for (const fn of model.functions ?? []) {
    const label = `function '${fn.domain ? fn.domain + '.' : ''}${fn.name}'`;
    units.push({ label, from: defaultImport(fn.opsetImport) ?? source, scopes: functionScopes(fn, label) });
  }
  for (const unit of units) checkOps(unit, target);
  const counts = opCounts(model);
  const usedBefore = new Map(graphUnit.scopes.map((s) => [s, new Set((s.graph!.initializer ?? []).map((t) => t.name ?? '').filter((name) => s.used(name)))]));
  for (const unit of units) runSteps(unit, target, names, changes);
  dropOrphans(usedBefore);

  setDefaultImport(model, target);
  for (const fn of model.functions ?? []) {
    const uses = (fn.node ?? []).some(isDefaultDomain) || defaultImport(fn.opsetImport) !== undefined;
    if (uses) setDefaultImport(fn, target);
  }

  const versions = [...counts]
    .map(([op, nodes]) => ({ op, from: schemaAt(op, source)?.since ?? 0, to: schemaAt(op, target)?.since ?? 0, nodes }))
    .filter((v) => v.from !== v.to)
    .sort((a, b) => a.op.localeCompare(b.op));

  const irBefore = int64ToNumber(model.irVersion);
  const needed = minIrVersion(target);
  let ir = options.irVersion ?? (target > source ? Math.max(irBefore, needed) : irBefore);
  if (options.irVersion === undefined && target < source) {
    // Going down is for older runtimes: the IR version of the onnx release that brought the target opset,
    // or the lowest above it that the content allows.
    for (let v = Math.min(needed, irBefore); v < irBefore; v++) {
      if (!irBlocker(model, v, target)) {
        ir = v;
        break;
      }
    }
  }
  if (options.irVersion !== undefined || ir !== irBefore) {
    const blocker = irBlocker(model, ir, target);
    if (blocker) throw new UserError(`Cannot write IR version ${ir}: ${blocker}.`);
  }
  const notes = ir !== irBefore || ir < 4 ? setIrVersion(model, ir) : [];
  return { model, from: source, to: target, changes, versions, irVersion: ir !== irBefore ? { from: irBefore, to: ir } : undefined, notes };
}

