// Cleanup passes after folding or pruning (as onnxoptimizer's eliminate_deadend, eliminate_identity and
// eliminate_unused_initializer, and onnxruntime's common-subexpression elimination): dead nodes, Identity
// nodes that are not graph outputs, duplicate nodes, unused initializers and stale value_info. Every pass
// recurses into subgraphs and keeps surviving names.
import { onnx, type GraphProto, type ModelProto } from '../model/proto.js';
import { subgraphsOf } from '../model/walk.js';
import { defaultOpset, definedNames, hasSubgraphs, initializersOverridable, nodeReads, useCounts } from '../model/graphQueries.js';
import { nonDeterministicOps } from '../ops/opSchema.js';
import { replaceUses, sortGraph } from './graphEdit.js';

export interface CleanupStats {
  deadNodes: number;
  identities: number;
  /** Nodes that computed exactly what an earlier node computes (same op, inputs and attributes). */
  duplicates: number;
  initializers: number;
  valueInfo: number;
}

export interface CleanupOptions {
  /** Remove Identity nodes, and inference-mode Dropout nodes whose mask is unused (default true). */
  identities?: boolean;
  /** Merge duplicate nodes into the first of them (default true). */
  duplicates?: boolean;
  /** Set by cleanupModel from the model's opset. */
  dropoutIsIdentity?: boolean;
}

const emptyStats = (): CleanupStats => ({ deadNodes: 0, identities: 0, duplicates: 0, initializers: 0, valueInfo: 0 });

function add(into: CleanupStats, more: CleanupStats): void {
  into.deadNodes += more.deadNodes;
  into.identities += more.identities;
  into.duplicates += more.duplicates;
  into.initializers += more.initializers;
  into.valueInfo += more.valueInfo;
}

/** Runs every pass on the main graph and all subgraphs until nothing changes. */
export function cleanupModel(model: ModelProto, options: CleanupOptions = {}): CleanupStats {
  const total = emptyStats();
  if (!model.graph) return total;
  // Before IR 4 every initializer had to be a graph input too; those inputs are weights, not real inputs.
  const inputsAreWeights = !initializersOverridable(model);
  // Dropout is the identity at inference from opset 7 on, unless a training_mode input is given.
  const dropoutIsIdentity = defaultOpset(model) >= 7;
  for (let pass = 0; pass < 16; pass++) {
    const stats = cleanupGraph(model.graph, { ...options, dropoutIsIdentity }, inputsAreWeights, true);
    add(total, stats);
    if (stats.deadNodes + stats.identities + stats.duplicates + stats.initializers === 0) break;
  }
  return total;
}

function cleanupGraph(graph: GraphProto, options: CleanupOptions, inputsAreWeights: boolean, top: boolean): CleanupStats {
  const stats = emptyStats();
  if (options.identities !== false) stats.identities += removeIdentities(graph, options.dropoutIsIdentity ?? false);
  if (options.duplicates !== false) stats.duplicates += mergeDuplicates(graph);
  stats.deadNodes += removeDeadNodes(graph);
  for (const node of graph.node ?? []) {
    for (const sub of subgraphsOf(node)) add(stats, cleanupGraph(sub.graph, options, false, false));
  }
  stats.initializers += removeUnusedInitializers(graph, top && inputsAreWeights);
  stats.valueInfo += pruneValueInfo(graph);
  return stats;
}

/** Identity (and inference Dropout) nodes whose output is not a graph output: consumers read the input instead. */
export function removeIdentities(graph: GraphProto, dropoutIsIdentity = false): number {
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const nodes = graph.node ?? [];
  const used = useCounts(graph);
  const keep = [];
  let removed = 0;
  for (const node of nodes) {
    const input = node.input?.[0];
    const output = node.output?.[0];
    const defaultDomain = !node.domain || node.domain === 'ai.onnx';
    const mask = node.output?.[1];
    const inferenceDropout = dropoutIsIdentity && node.opType === 'Dropout' && !node.input?.[2] && (!mask || !used.has(mask));
    const plain = defaultDomain && ((node.opType === 'Identity' && (node.output ?? []).length === 1) || inferenceDropout);
    if (plain && input && output && !outputs.has(output)) {
      replaceUses(graph, new Map([[output, input]]), false);
      removed++;
      continue;
    }
    keep.push(node);
  }
  if (removed) graph.node = keep;
  return removed;
}

/**
 * Nodes that compute what an earlier node computes: same domain, op, inputs (after earlier merges) and
 * attributes. Their readers read the first node's outputs instead; the duplicates are left dead for
 * removeDeadNodes. Exporters repeat Shape and Gather chains per layer; onnxruntime merges them the same way.
 * Nodes with subgraphs, random ops, other domains (possibly stateful) and nodes whose outputs are graph
 * outputs are left alone.
 */
export function mergeDuplicates(graph: GraphProto): number {
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  // Nodes by op, inputs, blank outputs and attribute names; their attribute values (encoded, which for a
  // Constant is its whole tensor) are compared only between nodes that agree on all of that.
  const seen = new Map<string, Array<{ outs: string[]; attributes: () => string }>>();
  const renames = new Map<string, string>();
  let merged = 0;
  for (const node of graph.node ?? []) {
    const outs = node.output ?? [];
    if ((node.domain && node.domain !== 'ai.onnx') || nonDeterministicOps.has(node.opType ?? '') || hasSubgraphs(node)) continue;
    if (outs.length === 0 || outs.some((o) => outputs.has(o))) continue;
    const sorted = [...(node.attribute ?? [])].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1));
    const key = JSON.stringify([node.opType, (node.input ?? []).map((i) => renames.get(i) ?? i), outs.map((o) => o === ''), sorted.map((a) => a.name ?? '')]);
    let encoded: string | undefined;
    const attributes = () => (encoded ??= JSON.stringify(sorted.map((a) => Buffer.from(onnx.AttributeProto.encode(a).finish()).toString('base64'))));
    const candidates = seen.get(key);
    const first = candidates?.find((c) => c.attributes() === attributes());
    if (!first) {
      if (candidates) candidates.push({ outs, attributes });
      else seen.set(key, [{ outs, attributes }]);
      continue;
    }
    outs.forEach((o, k) => o && renames.set(o, first.outs[k]));
    merged++;
  }
  if (merged === 0) return 0;
  replaceUses(graph, renames, false);
  // A duplicate may have come before the node it merged into in an unsorted graph.
  sortGraph(graph);
  return merged;
}

/** Nodes none of whose outputs are read (by nodes, subgraphs or graph outputs), transitively. */
export function removeDeadNodes(graph: GraphProto): number {
  const nodes = graph.node ?? [];
  const live = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const alive = new Uint8Array(nodes.length);
  // Walk back from the graph outputs; robust to unsorted graphs.
  const stack: number[] = [];
  const need = (name: string) => {
    const p = producer.get(name);
    if (p !== undefined && !alive[p]) {
      alive[p] = 1;
      stack.push(p);
    }
  };
  for (const name of live) need(name);
  // Nodes that declare no outputs at all cannot be judged by their uses; keep them. (A node whose
  // outputs are all blank names computes nothing anyone can read: dead.)
  nodes.forEach((n, i) => {
    if ((n.output ?? []).length === 0 && !alive[i]) {
      alive[i] = 1;
      stack.push(i);
    }
  });
  while (stack.length) {
    const i = stack.pop()!;
    for (const r of nodeReads(nodes[i])) need(r);
  }
  const removed = nodes.length - alive.reduce((n, a) => n + a, 0);
  if (removed) graph.node = nodes.filter((_, i) => alive[i]);
  return removed;
}

/** Initializers nothing reads. Initializers that are also graph inputs stay, unless `withInputs` (IR < 4). */
export function removeUnusedInitializers(graph: GraphProto, withInputs: boolean): number {
  const used = new Set<string>();
  for (const node of graph.node ?? []) for (const r of nodeReads(node)) used.add(r);
  for (const o of graph.output ?? []) if (o.name) used.add(o.name);
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const unused = (name: string) => !used.has(name) && (withInputs || !inputs.has(name));
  const before = (graph.initializer ?? []).length + (graph.sparseInitializer ?? []).length;
  const removedNames = new Set<string>();
  graph.initializer = (graph.initializer ?? []).filter((t) => {
    const drop = unused(t.name ?? '');
    if (drop) removedNames.add(t.name ?? '');
    return !drop;
  });
  graph.sparseInitializer = (graph.sparseInitializer ?? []).filter((s) => {
    const drop = unused(s.values?.name ?? '');
    if (drop) removedNames.add(s.values?.name ?? '');
    return !drop;
  });
  if (withInputs && removedNames.size) graph.input = (graph.input ?? []).filter((v) => !removedNames.has(v.name ?? ''));
  return before - graph.initializer.length - graph.sparseInitializer.length;
}

/** value_info entries for values the graph no longer has. */
export function pruneValueInfo(graph: GraphProto): number {
  if (!graph.valueInfo?.length) return 0;
  const defined = definedNames(graph);
  const before = graph.valueInfo.length;
  graph.valueInfo = graph.valueInfo.filter((v) => v.name && defined.has(v.name));
  return before - graph.valueInfo.length;
}
