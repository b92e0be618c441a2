// Runs the rewrites over every graph of a model (subgraphs after their parent, with the parent's types and
// constants in scope), pass after pass until none matches; the last pass also says whether folding could
// still change anything. Inside Loop and Scan bodies the declared shapes of body values are not trusted
// (they may change from one iteration to the next): rewrites there use what follows from constants alone.
import type { GraphProto, ModelProto, ValueInfoProto } from '../../model/proto.js';
import { definedNames, initializersOverridable } from '../../model/graphQueries.js';
import { isExternal } from '../../model/externalData.js';
import type { Dim } from '../../model/types.js';
import { subgraphsOf } from '../../model/walk.js';
import { inferShapes } from '../../ops/shapeInference.js';
import { removeDeadNodes } from '../cleanup.js';
import { canFold } from './foldable.js';
import type { Rewrite } from './rewrite.js';
import { RewriteGraph, scopeConstants, type GraphScope, type ModelFacts } from './rewriteGraph.js';

const elemTypeOnly = (v: ValueInfoProto): ValueInfoProto => ({
  name: v.name,
  type: v.type?.tensorType ? { tensorType: { elemType: v.type.tensorType.elemType } } : v.type,
});

/** The graph as inference should see it inside a loop body: element types declared, shapes not. */
function withoutDeclaredShapes(graph: GraphProto): GraphProto {
  return { ...graph, input: (graph.input ?? []).map(elemTypeOnly), output: (graph.output ?? []).map(elemTypeOnly), valueInfo: [] };
}

function lookup(scope: GraphScope, name: string) {
  for (let s: GraphScope | undefined = scope; s; s = s.parent) {
    const t = s.constants.get(name);
    if (t) return isExternal(t) ? undefined : t;
    if (s.defined.has(name)) return undefined;
  }
  return undefined;
}

interface PassResult {
  /** Matches of each rewrite, by id. */
  counts: Map<string, number>;
  /** Whether, before this pass's edits, some node could still be folded (see foldable.ts). */
  foldable: boolean;
}

/** One pass over every graph. */
function pass(model: ModelProto, rewrites: readonly Rewrite[], facts: ModelFacts, skipped: ReadonlySet<string>): PassResult {
  const counts = new Map<string, number>();
  let foldable = false;
  const overridable = initializersOverridable(model);
  const visit = (graph: GraphProto, parent: GraphScope | undefined, loopBody: boolean) => {
    const values = new Map<string, Dim[]>();
    const scope: GraphScope = {
      graph, parent, values, types: new Map(),
      constants: scopeConstants(graph, overridable || parent !== undefined),
      defined: definedNames(graph),
    };
    scope.types = inferShapes(loopBody ? withoutDeclaredShapes(graph) : graph, {
      opset: facts.opset, dims: facts.dims, outer: parent?.types, outerValues: parent?.values, valuesOut: values, constant: (name) => lookup(scope, name),
    });
    const g = new RewriteGraph(scope, facts);
    foldable ||= g.nodes().some((node) => canFold(g, node, skipped));
    for (const rewrite of rewrites) {
      const n = rewrite.apply(g);
      if (n) counts.set(rewrite.id, (counts.get(rewrite.id) ?? 0) + n);
    }
    g.commit();
    // Producers left without readers go now, so that the next pass sees single readers where there are.
    removeDeadNodes(graph);
    for (const node of graph.node ?? []) {
      for (const sub of subgraphsOf(node)) visit(sub.graph, scope, loopBody || node.opType === 'Loop' || node.opType === 'Scan');
    }
  };
  if (model.graph) visit(model.graph, undefined, false);
  return { counts, foldable };
}

export interface RewriteResult {
  /** Total matches of each rewrite, by id (only those that matched). */
  counts: Map<string, number>;
  /** Whether folding could change the result (true when the passes ran out before a fixed point). */
  foldable: boolean;
}

/**
 * Passes until nothing matches (at most `maxPasses`). `skipped` names the nodes folding gave up on, so
 * that they do not count as foldable.
 */
export function runRewrites(model: ModelProto, rewrites: readonly Rewrite[], facts: ModelFacts, skipped: ReadonlySet<string> = new Set(), maxPasses = 32): RewriteResult {
  const counts = new Map<string, number>();
  for (let i = 0; i < maxPasses; i++) {
    const result = pass(model, rewrites, facts, skipped);
    if (result.counts.size === 0) return { counts, foldable: result.foldable };
    for (const [id, n] of result.counts) counts.set(id, (counts.get(id) ?? 0) + n);
  }
  return { counts, foldable: true };
}
