// Simplify: constant folding and clean-up (fold.ts, cleanup.ts) alternating with the portable rewrites
// (standard ONNX ops only) until neither changes the model. Graph inputs and outputs keep their names and
// types; names the user keeps stay in the graph under their names.
import { UserError } from '../../errors.js';
import type { ExternalDataReader } from '../../model/externalData.js';
import { allNames, defaultOpset, initializersOverridable } from '../../model/graphQueries.js';
import { onnx, type GraphProto, type ModelProto } from '../../model/proto.js';
import { walkModel } from '../../model/walk.js';
import type { RuntimeClient } from '../../runtime/client.js';
import { cleanupModel } from '../cleanup.js';
import { foldConstants, listInitializersAsInputs, type FoldStats } from '../fold.js';
import { runtimeEvaluator } from '../foldTransform.js';
import { NameAllocator } from '../graphEdit.js';
import { copyModel } from '../../model/copyModel.js';
import { DimAlgebra } from '../../ops/dimAlgebra.js';
import type { Rewrite } from './rewrite.js';
import { runRewrites } from './rewritePass.js';
import { allRewrites } from './rewrites.js';

export interface SimplifyOptions {
  /** Value or node names that must stay in the graph under their names. */
  keep?: readonly string[];
  /** Folded values larger than this stay computed at run time (fold's default when absent). */
  sizeLimitBytes?: number;
  /** Ids of the rewrites to run (default: all). */
  rewrites?: readonly string[];
  /** Safety stop: rounds of folding and rewriting (default 20). */
  maxRounds?: number;
}

/** What simplify needs from its host (the transform pipeline's context fits). */
export interface SimplifyContext {
  client: RuntimeClient;
  external?: ExternalDataReader;
  signal?: AbortSignal;
  progress?(message: string): void;
}

export interface RewriteCount {
  id: string;
  title: string;
  count: number;
}

export interface SimplifyStats {
  /** Rounds of folding + rewriting. */
  rounds: number;
  /** Every rewrite run, with how many times it applied (0 included). */
  rewrites: RewriteCount[];
  /** Folding and clean-up over all rounds. */
  fold: FoldStats;
}

/** Simplify's verification standard: fused weights round differently, so floats within 1e-4 relative. */
export const simplifyTolerance = { rtol: 1e-4, atol: 1e-5 };

function selectRewrites(ids: readonly string[] | undefined): readonly Rewrite[] {
  if (!ids) return allRewrites;
  const unknown = ids.filter((id) => !allRewrites.some((r) => r.id === id));
  if (unknown.length) throw new UserError(`Unknown rewrite '${unknown[0]}'; the rewrites are ${allRewrites.map((r) => r.id).join(', ')}.`);
  return allRewrites.filter((r) => ids.includes(r.id));
}

/** The kept names, with the outputs of kept nodes; a name the model lacks is a usage error. */
function keptNames(model: ModelProto, keep: readonly string[]): Set<string> {
  const names = allNames(model);
  const missing = keep.filter((k) => !names.has(k));
  if (missing.length) throw new UserError(`The model has no value or node named '${missing[0]}' to keep.`);
  const kept = new Set(keep);
  for (const visit of walkModel(model)) {
    for (const node of visit.nodes) if (node.name && kept.has(node.name)) for (const o of node.output ?? []) if (o) kept.add(o);
  }
  return kept;
}

/**
 * Kept values of the main graph become extra graph outputs while simplifying, so that folding and clean-up
 * (which never remove or merge graph outputs) leave them too; simplifyModel drops them at the end.
 */
function protectOutputs(graph: GraphProto, kept: Set<string>): void {
  const present = new Set((graph.output ?? []).map((o) => o.name));
  const defined = new Set<string>([...(graph.input ?? []), ...(graph.initializer ?? [])].map((v) => v.name ?? ''));
  for (const node of graph.node ?? []) for (const o of node.output ?? []) defined.add(o);
  const extra = [...kept].filter((k) => defined.has(k) && !present.has(k));
  graph.output = [...(graph.output ?? []), ...extra.map((name) => onnx.ValueInfoProto.create({ name }))];
}

function addFoldStats(into: FoldStats, more: FoldStats): void {
  into.rounds += more.rounds;
  into.evaluations += more.evaluations;
  into.foldedNodes += more.foldedNodes;
  into.computedHere += more.computedHere;
  into.shapeOpsFolded += more.shapeOpsFolded;
  into.constantsToInitializers += more.constantsToInitializers;
  into.ifsInlined += more.ifsInlined;
  into.valuesReplaced += more.valuesReplaced;
  const seen = new Set(into.skipped.map((s) => `${s.node}\u0000${s.reason}`));
  into.skipped.push(...more.skipped.filter((s) => !seen.has(`${s.node}\u0000${s.reason}`)));
  for (const key of Object.keys(into.cleanup) as Array<keyof FoldStats['cleanup']>) into.cleanup[key] += more.cleanup[key];
}

const emptyFoldStats = (): FoldStats => ({
  rounds: 0, evaluations: 0, computedHere: 0, foldedNodes: 0, shapeOpsFolded: 0, constantsToInitializers: 0, ifsInlined: 0, valuesReplaced: 0,
  skipped: [], cleanup: { deadNodes: 0, identities: 0, duplicates: 0, initializers: 0, valueInfo: 0 },
});

/**
 * Simplifies a copy of `model` (the input is not changed). Each round folds constants and cleans up, then
 * runs the rewrites (with clean-up) to their own fixed point; rounds stop when the rewrites find nothing or
 * leave nothing folding could change. Cancelling (ctx.signal) rejects with a UserError.
 */
export async function simplifyModel(model: ModelProto, options: SimplifyOptions, ctx: SimplifyContext): Promise<{ model: ModelProto; stats: SimplifyStats }> {
  if (!model.graph) throw new UserError('The model has no graph.');
  const rewrites = selectRewrites(options.rewrites);
  const kept = keptNames(model, options.keep ?? []);
  const outputCount = model.graph.output?.length ?? 0;
  // Folding works on its own copy; a copy of ours is needed only to add the kept names as outputs.
  let current = model;
  if (kept.size) {
    current = copyModel(model);
    protectOutputs(current.graph!, kept);
  }
  const counts = new Map<string, number>();
  const fold = emptyFoldStats();
  const maxRounds = Math.max(1, options.maxRounds ?? 20);
  // Every shape inference of every round shares one cache of symbolic dim arithmetic.
  const dims = new DimAlgebra();
  let rounds = 0;
  for (let round = 1; round <= maxRounds; round++) {
    if (ctx.signal?.aborted) throw new UserError('Simplifying was cancelled.');
    rounds = round;
    ctx.progress?.(`Round ${round}: folding constants`);
    const folded = await foldConstants(current, {
      evaluate: runtimeEvaluator(ctx.client), sizeLimitBytes: options.sizeLimitBytes, external: ctx.external, signal: ctx.signal, onProgress: ctx.progress, dims,
    }).catch((error: unknown) => {
      if (ctx.signal?.aborted) throw new UserError('Simplifying was cancelled.');
      throw error;
    });
    addFoldStats(fold, folded.stats);
    current = folded.model;
    ctx.progress?.(`Round ${round}: rewriting`);
    const skipped = new Set(fold.skipped.map((s) => s.node));
    let rewritten = false;
    let foldable = false;
    // Rewrites to their fixed point, the clean-up after them (unused initializers, merged duplicates), and
    // again while the clean-up merged or removed nodes (which may open new matches).
    for (let step = 0; step < maxRounds; step++) {
      const facts = { opset: defaultOpset(current), keep: kept, names: new NameAllocator(allNames(current)), external: ctx.external, dims };
      const found = runRewrites(current, rewrites, facts, skipped);
      foldable = found.foldable;
      if (found.counts.size === 0) break;
      rewritten = true;
      for (const [id, n] of found.counts) counts.set(id, (counts.get(id) ?? 0) + n);
      const cleaned = cleanupModel(current);
      addFoldStats(fold, { ...emptyFoldStats(), cleanup: cleaned });
      if (cleaned.duplicates + cleaned.identities + cleaned.deadNodes === 0) break;
    }
    // Another round of folding only when the rewrites left something it could fold.
    if (!rewritten || !foldable) break;
  }
  // Before IR 4 every initializer is also a graph input: the rewrites' new weights too.
  if (!initializersOverridable(current)) listInitializersAsInputs(current.graph!);
  current.graph!.output = (current.graph!.output ?? []).slice(0, outputCount);
  return {
    model: current,
    stats: { rounds, fold, rewrites: rewrites.map((r) => ({ id: r.id, title: r.title, count: counts.get(r.id) ?? 0 })) },
  };
}
