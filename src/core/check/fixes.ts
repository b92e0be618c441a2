// Quick fixes for what the checker finds: names made unique, nodes sorted topologically, the opset
// converted (by the opset converter, to the lowest opset the problems show is needed). Each works on a
// copy of the model and says what it changed.
import { cloneModel, NameAllocator, sortGraph } from '../transforms/graphEdit.js';
import { defaultOpset } from '../model/graphQueries.js';
import type { FunctionProto, GraphProto, ModelProto, ValueInfoProto } from '../model/proto.js';
import { subgraphsOf, walkModel } from '../model/walk.js';
import { convertOpset, newestOpset, oldestRuntimeOpset } from '../opset/convert.js';
import { checkModel } from './checkModel.js';
import type { Problem, QuickFixKind, RuleId } from './problem.js';

/**
 * The fixes this module applies, in the order they run: names first (sorting needs one producer per
 * name), the opset last (the converter reads a well-formed graph).
 */
export const appliedFixes = ['make-names-unique', 'topological-sort', 'convert-opset'] as const satisfies readonly QuickFixKind[];
export type AppliedFix = (typeof appliedFixes)[number];

export const fixTitles: Record<QuickFixKind, string> = {
  'make-names-unique': 'Make Names Unique',
  'topological-sort': 'Sort Nodes Topologically',
  'convert-opset': 'Convert the Opset',
};

export function isAppliedFix(kind: QuickFixKind | undefined): kind is AppliedFix {
  return (appliedFixes as readonly string[]).includes(kind ?? '');
}

/**
 * The checker's 'convert-opset' problems that the opset converter does resolve. An op the model's opset
 * lacks is refused by the converter (the model is not valid at its own opset), and a deprecated op is
 * carried through unchanged: neither is offered.
 */
const convertibleRules: ReadonlySet<RuleId> = new Set<RuleId>(['onnxruntime-support', 'opset-version', 'type-constraint']);

/** A problem that converting the opset resolves (given the right target). */
export function convertOpsetResolves(problem: Problem): boolean {
  return problem.fix === 'convert-opset' && convertibleRules.has(problem.rule);
}

function applies(kind: AppliedFix, problem: Problem): boolean {
  return problem.fix === kind && (kind !== 'convert-opset' || convertibleRules.has(problem.rule));
}

/** The problems each applicable fix addresses, in the order the fixes run. */
export function fixableProblems(problems: readonly Problem[]): Map<AppliedFix, Problem[]> {
  const byFix = new Map<AppliedFix, Problem[]>();
  for (const kind of appliedFixes) {
    const list = problems.filter((p) => applies(kind, p));
    if (list.length) byFix.set(kind, list);
  }
  return byFix;
}

export interface FixChange {
  fix: AppliedFix;
  /** One sentence: what this fix did over the whole model. */
  summary: string;
  /** One line per change (renamed names, reordered graphs). */
  details: string[];
}

export interface FixResult {
  model: ModelProto;
  changes: FixChange[];
}

export interface FixOptions {
  /** The opset 'convert-opset' converts to; default opsetTarget() of the model's problems. */
  opset?: number;
}

/** Applies `kinds` to a copy of `model`; the original is not changed. */
export function applyFixes(model: ModelProto, kinds: Iterable<QuickFixKind>, options: FixOptions = {}): FixResult {
  const wanted = new Set(kinds);
  let fixed = cloneModel(model);
  const changes: FixChange[] = [];
  for (const kind of appliedFixes) {
    if (!wanted.has(kind)) continue;
    if (kind === 'make-names-unique') changes.push(makeNamesUnique(fixed));
    else if (kind === 'topological-sort') changes.push(sortTopologically(fixed));
    else {
      const target = options.opset ?? opsetTarget(fixed, checkModel(fixed));
      if (target === undefined) continue;
      const converted = convertToOpset(fixed, target);
      fixed = converted.model;
      changes.push(converted.change);
    }
  }
  return { model: fixed, changes };
}

/**
 * The opset that the convertible problems call for: at least the oldest onnxruntime runs, at least the
 * one that allows each type a node's opset does not (the checker's message names it); the newest
 * onnxruntime runs when the model's is newer than that or when a problem does not say which.
 * Undefined when no problem asks for a conversion.
 */
export function opsetTarget(model: ModelProto, problems: readonly Problem[]): number | undefined {
  const asking = problems.filter((p) => applies('convert-opset', p));
  if (!asking.length) return undefined;
  const current = defaultOpset(model);
  if (current > newestOpset) return newestOpset;
  let target = current;
  for (const p of asking) {
    // types.ts ends these messages with 'opset N allows it'.
    const allows = p.rule === 'type-constraint' ? /\bopset (\d+) allows it$/.exec(p.message) : null;
    if (p.rule === 'onnxruntime-support' && current < oldestRuntimeOpset) target = Math.max(target, oldestRuntimeOpset);
    else if (allows) target = Math.max(target, Number(allows[1]));
    else return newestOpset;
  }
  return target > current ? Math.min(target, newestOpset) : newestOpset;
}

function convertToOpset(model: ModelProto, target: number): { model: ModelProto; change: FixChange } {
  const conversion = convertOpset(model, target);
  const details = [
    ...conversion.changes.map((c) => `${c.graph || 'main graph'}: ${c.node} (${c.op} ${c.from} -> ${c.to}): ${c.what}`),
    ...conversion.versions.map((v) => `${v.op}: version ${v.from} -> ${v.to} (${v.nodes} node${v.nodes === 1 ? '' : 's'})`),
    ...(conversion.irVersion ? [`IR version ${conversion.irVersion.from} -> ${conversion.irVersion.to}`] : []),
    ...conversion.notes,
  ];
  const rewritten = conversion.changes.length ? ` (${conversion.changes.length} node${conversion.changes.length === 1 ? '' : 's'} rewritten)` : '';
  const summary = conversion.from === conversion.to ? `the opset was already ${target}` : `converted the opset from ${conversion.from} to ${conversion.to}${rewritten}`;
  return { model: conversion.model, change: { fix: 'convert-opset', summary, details } };
}

/** A function body as a graph, so the graph rules apply; `commit` writes the names back. */
function functionAsGraph(fn: FunctionProto): { graph: GraphProto; commit: () => void } {
  const graph: GraphProto = {
    name: fn.name ?? '',
    node: fn.node ?? [],
    input: (fn.input ?? []).map((name) => ({ name })),
    output: (fn.output ?? []).map((name) => ({ name })),
    valueInfo: fn.valueInfo ?? [],
  };
  return {
    graph,
    commit: () => {
      fn.node = graph.node ?? [];
      fn.input = (graph.input ?? []).map((v) => v.name ?? '');
      fn.output = (graph.output ?? []).map((v) => v.name ?? '');
    },
  };
}

function functionTitle(fn: FunctionProto): string {
  return `function ${fn.domain ? `${fn.domain}.` : ''}${fn.name ?? ''}`;
}

/** Reorders the nodes of every graph (subgraphs and function bodies too) so producers come first. */
export function sortTopologically(model: ModelProto): FixChange {
  const details: string[] = [];
  let moved = 0;
  const sort = (graph: GraphProto, title: string) => {
    const before = graph.node ?? [];
    sortGraph(graph);
    const after = graph.node ?? [];
    const count = after.reduce((n, node, i) => n + (node !== before[i] ? 1 : 0), 0);
    if (count) {
      moved += count;
      details.push(`${title}: ${count} of ${after.length} nodes moved`);
    }
  };
  for (const visit of walkModel(model)) {
    if (!visit.graph) continue;
    const where = visit.path.length ? visit.path.join('/') : 'main graph';
    sort(visit.graph, visit.functionName && visit.path[0] !== visit.functionName ? `${visit.functionName}/${where}` : where);
  }
  for (const fn of model.functions ?? []) {
    const { graph, commit } = functionAsGraph(fn);
    sort(graph, functionTitle(fn));
    commit();
  }
  const graphs = details.length;
  const summary = moved
    ? `sorted ${graphs} graph${graphs === 1 ? '' : 's'} topologically (${moved} node${moved === 1 ? '' : 's'} moved)`
    : 'the nodes were already in topological order';
  return { fix: 'topological-sort', summary, details };
}

/** Every value name of the model at any depth, function bodies included: what fresh names must avoid. */
function allValueNames(model: ModelProto): Set<string> {
  const names = new Set<string>();
  const add = (n: string | null | undefined) => n && names.add(n);
  const infos = (list: ValueInfoProto[] | null | undefined) => (list ?? []).forEach((v) => add(v.name));
  for (const visit of walkModel(model)) {
    const g = visit.graph;
    if (g) {
      infos(g.input);
      infos(g.output);
      infos(g.valueInfo);
      (g.initializer ?? []).forEach((t) => add(t.name));
      (g.sparseInitializer ?? []).forEach((s) => add(s.values?.name));
    }
    for (const node of visit.nodes) [...(node.input ?? []), ...(node.output ?? [])].forEach(add);
  }
  for (const fn of model.functions ?? []) {
    [...(fn.input ?? []), ...(fn.output ?? [])].forEach(add);
    infos(fn.valueInfo);
  }
  return names;
}

interface Renaming {
  values: NameAllocator;
  nodes: NameAllocator;
  details: string[];
  counts: { nodeNames: number; redefined: number; shadowing: number; removed: number };
}

/**
 * Gives every node a name of its own in its graph and every value one definition per scope (SSA):
 * - a node name used again gets `name__1`, `name__2`...;
 * - a value defined more than once keeps its name at its last definition (so graph outputs and later
 *   readers still find it) and the earlier definitions get fresh names, each read following the latest
 *   definition before it; a value a graph input or an enclosing graph defines keeps that definition;
 * - a subgraph input or initializer that hides a value of an enclosing graph is renamed inside it;
 * - a graph input or initializer listed again is removed (the first stays; nothing can tell them apart).
 */
export function makeNamesUnique(model: ModelProto): FixChange {
  const nodeNames = new Set<string>();
  for (const visit of walkModel(model)) for (const node of visit.nodes) if (node.name) nodeNames.add(node.name);
  const r: Renaming = {
    values: new NameAllocator(allValueNames(model)),
    nodes: new NameAllocator(nodeNames),
    details: [],
    counts: { nodeNames: 0, redefined: 0, shadowing: 0, removed: 0 },
  };
  if (model.graph) uniqueIn(model.graph, new Map(), 'main', 'main graph', r);
  for (const fn of model.functions ?? []) {
    const { graph, commit } = functionAsGraph(fn);
    uniqueIn(graph, new Map(), 'function', functionTitle(fn), r);
    commit();
  }
  const c = r.counts;
  const parts: string[] = [];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (c.nodeNames) parts.push(`renamed ${plural(c.nodeNames, 'repeated node name', 'repeated node names')}`);
  if (c.redefined) parts.push(`renamed ${plural(c.redefined, 'value definition', 'value definitions')} of names defined more than once`);
  if (c.shadowing) parts.push(`renamed ${plural(c.shadowing, 'subgraph value', 'subgraph values')} that hid a value of an enclosing graph`);
  if (c.removed) parts.push(`removed ${plural(c.removed, 'repeated graph input or initializer', 'repeated graph inputs or initializers')}`);
  return { fix: 'make-names-unique', summary: parts.length ? parts.join('; ') : 'every name was already unique', details: r.details };
}

function uniqueNodeNames(graph: GraphProto, title: string, r: Renaming): void {
  const seen = new Set<string>();
  (graph.node ?? []).forEach((node, i) => {
    const name = node.name;
    if (!name) return;
    if (!seen.has(name)) {
      seen.add(name);
      return;
    }
    node.name = r.nodes.fresh(name);
    r.counts.nodeNames++;
    r.details.push(`${title}: node ${i} "${name}" renamed to "${node.name}"`);
  });
}

/**
 * One graph, then its subgraphs. `outer` maps each name visible from enclosing graphs to the name its
 * readers use now. Returns nothing: the graph is changed in place.
 */
function uniqueIn(graph: GraphProto, outer: ReadonlyMap<string, string>, kind: 'main' | 'subgraph' | 'function', title: string, r: Renaming): void {
  uniqueNodeNames(graph, title, r);
  /** Names this graph defines, mapped to the name readers use at the current point of the walk. */
  const current = new Map<string, string>();
  const inputs = new Set<string>();

  const shadow = (name: string, what: string): string => {
    const fresh = r.values.fresh(name);
    r.counts.shadowing++;
    r.details.push(`${title}: ${what} '${name}' renamed to '${fresh}': it hid a value of the enclosing graph`);
    return fresh;
  };

  const keptInputs: ValueInfoProto[] = [];
  for (const v of graph.input ?? []) {
    const name = v.name;
    if (name && current.has(name) && kind !== 'function') {
      r.counts.removed++;
      r.details.push(`${title}: the repeated graph input '${name}' removed`);
      continue;
    }
    if (name && !current.has(name)) {
      const now = outer.has(name) ? shadow(name, 'input') : name;
      v.name = now;
      current.set(name, now);
      inputs.add(name);
    }
    keptInputs.push(v);
  }
  if (graph.input) graph.input = keptInputs;

  // An initializer may give an input of the same name its default value: it follows the input's name.
  const initialized = new Set<string>();
  const define = (name: string, what: string): string | undefined => {
    if (inputs.has(name) && !initialized.has(name)) {
      initialized.add(name);
      return current.get(name);
    }
    if (current.has(name)) return undefined;
    const now = outer.has(name) ? shadow(name, what) : name;
    current.set(name, now);
    initialized.add(name);
    return now;
  };
  if (graph.initializer) {
    graph.initializer = graph.initializer.filter((t) => {
      if (!t.name) return true;
      const now = define(t.name, 'initializer');
      if (now === undefined) {
        r.counts.removed++;
        r.details.push(`${title}: the repeated initializer '${t.name}' removed (the first one is kept)`);
        return false;
      }
      t.name = now;
      return true;
    });
  }
  if (graph.sparseInitializer) {
    graph.sparseInitializer = graph.sparseInitializer.filter((s) => {
      const name = s.values?.name;
      if (!name || !s.values) return true;
      const now = define(name, 'sparse initializer');
      if (now === undefined) {
        r.counts.removed++;
        r.details.push(`${title}: the repeated sparse initializer '${name}' removed (the first one is kept)`);
        return false;
      }
      s.values.name = now;
      return true;
    });
  }

  // Node outputs: which definition keeps each name, and the fresh names of the others.
  const nodes = graph.node ?? [];
  const definitions = new Map<string, Array<{ node: number; slot: number }>>();
  nodes.forEach((node, i) => (node.output ?? []).forEach((name, slot) => {
    if (!name) return;
    let list = definitions.get(name);
    if (!list) definitions.set(name, (list = []));
    list.push({ node: i, slot });
  }));
  const renamedAt = new Map<string, string>();
  /** For reads that come before any definition (an unsorted graph): the first definition's name. */
  const firstName = new Map<string, string>();
  for (const [name, defs] of definitions) {
    const keptElsewhere = current.has(name) || outer.has(name);
    const keeper = keptElsewhere ? -1 : defs.length - 1;
    defs.forEach((d, k) => {
      const now = k === keeper ? name : r.values.fresh(name);
      if (k === 0) firstName.set(name, now);
      if (now === name) return;
      renamedAt.set(`${d.node}:${d.slot}`, now);
      const why = current.has(name) ? 'a graph input or initializer' : outer.has(name) ? 'the enclosing graph' : `node ${defs[keeper].node}`;
      if (outer.has(name) && !current.has(name)) r.counts.shadowing++;
      else r.counts.redefined++;
      r.details.push(`${title}: output '${name}' of node ${d.node} "${nodes[d.node].name ?? ''}" (${nodes[d.node].opType ?? ''}) renamed to '${now}': ${why} defines '${name}' too`);
    });
  }

  const read = (name: string) => current.get(name) ?? outer.get(name) ?? firstName.get(name) ?? name;
  nodes.forEach((node, i) => {
    if (node.input) node.input = node.input.map((name) => (name ? read(name) : name));
    const subgraphs = subgraphsOf(node);
    if (subgraphs.length) {
      // Everything this graph defines is visible inside, read as it stands at this node.
      const visible = new Map(outer);
      for (const name of new Set([...current.keys(), ...definitions.keys()])) visible.set(name, read(name));
      const label = node.name || `${node.opType ?? 'node'}_${i}`;
      for (const sub of subgraphs) uniqueIn(sub.graph, visible, 'subgraph', `${kind === 'main' ? '' : `${title}/`}${label}.${sub.attribute}`, r);
    }
    if (node.output) {
      node.output = node.output.map((name, slot) => {
        if (!name) return name;
        const now = renamedAt.get(`${i}:${slot}`) ?? name;
        current.set(name, now);
        return now;
      });
    }
  });
  for (const o of graph.output ?? []) {
    if (!o.name) continue;
    const now = read(o.name);
    if (now !== o.name) r.details.push(`${title}: graph output '${o.name}' now reads '${now}'`);
    o.name = now;
  }
  // value_info describes a name's one definition: it follows a name that was renamed everywhere.
  for (const v of graph.valueInfo ?? []) {
    if (!v.name) continue;
    const defs = definitions.get(v.name);
    const only = defs?.length === 1 ? renamedAt.get(`${defs[0].node}:${defs[0].slot}`) : undefined;
    const renamedInput = !defs && current.get(v.name) !== v.name ? current.get(v.name) : undefined;
    const now = only ?? renamedInput;
    if (now) v.name = now;
  }
}
