// Whether folding could still change a graph after the rewrites: a node whose inputs are all constants, a
// Shape or Size of a static shape, a small int vector whose elements are all known, an If on a constant.
// Rewrites only replace values by equal ones, so this is rare; when it is false, simplify saves a round of
// folding (which copies the model). Nodes folding already gave up on are not counted.
import { hasSubgraphs } from '../../model/graphQueries.js';
import type { NodeProto } from '../../model/proto.js';
import { isStatic } from '../../ops/shapeInference.js';
import { nonDeterministicOps } from '../../ops/opSchema.js';
import { intAttr, isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';

/** How folding names a node in its skip list. */
export const foldName = (node: NodeProto) => node.name || node.output?.find((o) => o) || node.opType || '?';

function shapeIsKnown(g: RewriteGraph, node: NodeProto): boolean {
  const shape = g.shape(node.input?.[0]);
  if (!shape) return false;
  if (node.opType === 'Size') return isStatic(shape);
  const rank = shape.length;
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  return isStatic(shape.slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', rank))));
}

export function canFold(g: RewriteGraph, node: NodeProto, skipped: ReadonlySet<string>): boolean {
  const op = node.opType ?? '';
  const outputs = (node.output ?? []).filter((o) => o);
  if (!outputs.length || skipped.has(foldName(node))) return false;
  const standard = isDefaultDomain(node);
  if (standard && (op === 'Constant' || op === 'Identity' || nonDeterministicOps.has(op))) return false;
  if (hasSubgraphs(node)) return standard && op === 'If' && g.constant(node.input?.[0]) !== undefined;
  if ((node.input ?? []).every((i) => !i || g.constant(i))) return outputs.some((o) => !g.constant(o));
  if (standard && (op === 'Shape' || op === 'Size') && shapeIsKnown(g, node)) return true;
  const values = outputs.length === 1 ? g.values(outputs[0]) : undefined;
  return standard && values !== undefined && values.every((v) => typeof v === 'number') && !g.constant(outputs[0]);
}
