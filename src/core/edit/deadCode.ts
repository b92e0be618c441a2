// Dead code in the main graph: nodes whose results reach no graph output, and initializers nothing
// reads. Removing an output or deleting a node offers to remove it; `removeDeadCode` does.
import { nodeReads } from '../model/graphQueries.js';
import type { GraphProto, ModelProto } from '../model/proto.js';
import { copyWith } from './cow.js';
import { EditRefused } from './errors.js';
import type { RawEdit } from './rawEdit.js';
import type { FollowUp } from './types.js';

interface Dead {
  nodes: Set<number>;
  initializers: Set<string>;
}

function findDead(graph: GraphProto): Dead {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const live = new Set<number>();
  const read = new Set<string>();
  const stack = (graph.output ?? []).map((o) => o.name ?? '');
  while (stack.length) {
    const name = stack.pop()!;
    if (read.has(name)) continue;
    read.add(name);
    const p = producer.get(name);
    if (p === undefined || live.has(p)) continue;
    live.add(p);
    stack.push(...nodeReads(nodes[p]));
  }
  const inputs = new Set((graph.input ?? []).map((v) => v.name));
  const deadNodes = new Set(nodes.map((_, i) => i).filter((i) => !live.has(i)));
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? '').filter((n) => !read.has(n) && !inputs.has(n)));
  return { nodes: deadNodes, initializers };
}

function nodeLabel(graph: GraphProto, i: number): string {
  const node = graph.node![i];
  return node.name || `${node.opType ?? 'node'}_${i}`;
}

function summary(dead: Dead): string {
  const parts: string[] = [];
  if (dead.nodes.size) parts.push(`${dead.nodes.size} dead node${dead.nodes.size === 1 ? '' : 's'}`);
  if (dead.initializers.size) parts.push(`${dead.initializers.size} unused initializer${dead.initializers.size === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

/** The main graph without its dead code, or undefined when it has none. */
export function removeDeadCode(model: ModelProto): { model: ModelProto; summary: string; items: string[] } | undefined {
  const graph = model.graph;
  if (!graph) return undefined;
  const dead = findDead(graph);
  if (dead.nodes.size === 0 && dead.initializers.size === 0) return undefined;
  const gone = new Set<string>(dead.initializers);
  for (const i of dead.nodes) for (const o of graph.node![i].output ?? []) gone.add(o);
  const patch: Partial<GraphProto> = { node: (graph.node ?? []).filter((_, i) => !dead.nodes.has(i)) };
  if (dead.initializers.size) patch.initializer = (graph.initializer ?? []).filter((t) => !dead.initializers.has(t.name ?? ''));
  if (graph.valueInfo?.some((v) => gone.has(v.name ?? ''))) patch.valueInfo = graph.valueInfo.filter((v) => !gone.has(v.name ?? ''));
  const items = [...[...dead.nodes].map((i) => nodeLabel(graph, i)), ...dead.initializers];
  return { model: copyWith(model, { graph: copyWith(graph, patch) }), summary: summary(dead), items };
}

/** The follow-up that offers removing what an edit left dead, if anything. */
export function deadCodeFollowUp(model: ModelProto, cause: string): FollowUp | undefined {
  const graph = model.graph;
  if (!graph) return undefined;
  const dead = findDead(graph);
  if (dead.nodes.size + dead.initializers.size === 0) return undefined;
  const items = [...[...dead.nodes].map((i) => nodeLabel(graph, i)), ...dead.initializers];
  const what = summary(dead);
  return { prompt: `${what[0].toUpperCase()}${what.slice(1)} left after ${cause}: remove them?`, items, edit: { kind: 'removeDeadCode' } };
}

export function removeDeadCodeEdit(model: ModelProto): RawEdit {
  const cleaned = removeDeadCode(model);
  if (!cleaned) throw new EditRefused('Nothing to remove: every node and initializer feeds an output.');
  return { model: cleaned.model, label: `Remove ${cleaned.summary}` };
}
