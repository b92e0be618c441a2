// If, Loop and Scan shown in place: a graph view with some control-flow nodes expanded, their bodies
// drawn inside a frame around the node (then and else side by side; a loop body with its carried values
// marked). The result is one GraphView, so the canvas, Find and hovers work on it unchanged: nodes and
// values of the bodies are appended (each node knows its origin), the values a body reads from outside
// are the outer graph's own values (so they connect to their uses inside), and each output of the
// control node is drawn coming out of the bodies' outputs. Pure data; built in the webview from views
// the host sends.
import { attributeLabel } from './graphNames.js';
import type { GraphView, GroupView, NodeView, ValueView } from './viewModelTypes.js';

/** The frame of control node `index` of graph `graphId`: in a view's open set, that node shows its bodies. */
export function controlPath(graphId: string, index: number): string {
  return `@${graphId}/${index}`;
}

/** The group holding subgraph `subgraphId` inside its node's frame. */
export function bodyPath(subgraphId: string): string {
  return `@${subgraphId}`;
}

export function isControlPath(path: string): boolean {
  return /^@.*\/\d+$/.test(path);
}

/** Nodes that can be shown in place: ai.onnx If, Loop and Scan. */
export function isControl(node: NodeView): boolean {
  return !node.domain && (node.op === 'If' || node.op === 'Loop' || node.op === 'Scan') && (node.subgraphs?.length ?? 0) > 0;
}

/** Where node `index` of a (possibly composed) view really is: its graph and index there. */
export function nodeOrigin(graph: GraphView, index: number): { graph: string; index: number } {
  return graph.nodes[index]?.origin ?? { graph: graph.id, index };
}

/**
 * Where node `index` of graph `graphId` ('' the main graph) is drawn in a (possibly composed) view: bodies
 * shown in place renumber the nodes. -1 when it is not drawn there.
 */
export function drawnIndex(graph: GraphView, graphId: string, index: number): number {
  const at = (i: number) => {
    const origin = nodeOrigin(graph, i);
    return origin.graph === graphId && origin.index === index;
  };
  if (graph.nodes[index] && at(index)) return index;
  return graph.nodes.findIndex((_, i) => at(i));
}

/** Which body output gives a control node's output `j`: Loop's body starts with its condition. */
function bodyOutput(op: string, j: number): number {
  return op === 'Loop' ? j + 1 : j;
}

export interface Composed {
  graph: GraphView;
  /** Subgraph ids an open frame needs whose views are not in `bodies` yet. */
  missing: string[];
}

/**
 * The view of `base` with the control nodes whose frames are in `open` shown in place, at any depth.
 * `bodies` holds the views of subgraphs by id. Without open frames, `base` itself is returned.
 */
export function composeInline(base: GraphView, open: ReadonlySet<string>, bodies: ReadonlyMap<string, GraphView>): Composed {
  const missing: string[] = [];
  const wanted = (graphId: string, node: NodeView, index: number) => isControl(node) && !node.hidden && open.has(controlPath(graphId, index));
  if (!base.nodes.some((n, i) => wanted(base.id, n, i))) return { graph: base, missing };

  const nodes: NodeView[] = base.nodes.map((n) => ({ ...n }));
  const values: ValueView[] = base.values.map((v) => ({ ...v, consumers: [...v.consumers] }));
  const groups: GroupView[] = base.groups.map((g) => ({ ...g }));
  const sources: Record<number, number[]> = {};
  const baseNames = new Map<string, number>();
  values.forEach((v, i) => baseNames.set(v.name, i));

  const grow = (group: number, by: number) => {
    for (let g = group; g >= 0; g = groups[g].parent) groups[g].size += by;
  };

  const expand = (c: number, graphId: string, local: number, lookup: (name: string) => number | undefined) => {
    const node = nodes[c];
    const frame = groups.length;
    const label = shortLabel(node.name);
    groups.push({ name: label && label !== node.op ? `${node.op} ${label}` : node.op, path: controlPath(graphId, local), parent: node.group, size: 1, kind: 'control', node: c, title: node.name || node.op });
    node.group = frame;
    // The bodies' own edges show what they read: the captures into the closed node are not drawn.
    delete node.captures;
    for (const sub of node.subgraphs ?? []) {
      const body = bodies.get(sub.graph);
      if (!body) {
        missing.push(sub.graph);
        continue;
      }
      const bodyGroup = groups.length;
      groups.push({ name: attributeLabel(sub.attribute), path: bodyPath(sub.graph), parent: frame, size: 0, kind: 'body', node: c, graph: sub.graph, title: body.fullTitle ?? body.title });
      // Values: those read from outside are the outer ones; the rest are appended.
      const map = new Int32Array(body.values.length);
      const local = new Map<string, number>();
      body.values.forEach((bv, v) => {
        if (bv.kind === 'outer') {
          const outer = lookup(bv.name);
          if (outer !== undefined) {
            map[v] = outer;
            return;
          }
        }
        map[v] = values.length;
        local.set(bv.name, values.length);
        const copy: ValueView = { ...bv, producer: -1, consumers: [], graph: sub.graph, group: bodyGroup };
        // A body's outputs leave through the node's outputs (`sources`), not as pills of their own.
        delete copy.output;
        values.push(copy);
      });
      // Loop-carried state: Loop's body inputs after (iteration, condition) and outputs after the condition;
      // Scan's first inputs and outputs. Marked, and the carried outputs get a pill of their own.
      const carried = node.carried ?? 0;
      const firstIn = node.op === 'Loop' ? 2 : 0;
      for (let k = 0; k < carried; k++) {
        const input = body.inputs[firstIn + k];
        if (input !== undefined && local.has(body.values[input].name)) values[map[input]].carried = true;
        const output = body.outputs[bodyOutput(node.op, k)];
        if (output !== undefined && local.has(body.values[output].name)) {
          values[map[output]].carried = true;
          values[map[output]].output = true;
        }
      }
      const start = nodes.length;
      const groupMap = new Int32Array(body.groups.length);
      body.groups.forEach((g, i) => {
        groupMap[i] = groups.length;
        groups.push({ ...g, path: `@${sub.graph}${g.path}`, parent: g.parent < 0 ? bodyGroup : groupMap[g.parent] });
      });
      body.nodes.forEach((bn, i) => {
        const copy: NodeView = {
          ...bn,
          inputs: bn.inputs.map((v) => (v < 0 ? -1 : map[v])),
          outputs: bn.outputs.map((v) => (v < 0 ? -1 : map[v])),
          group: bn.group < 0 ? bodyGroup : groupMap[bn.group],
          origin: { graph: sub.graph, index: i },
        };
        if (bn.captures) copy.captures = bn.captures.map((v) => map[v]);
        nodes.push(copy);
      });
      body.values.forEach((bv, v) => {
        const target = values[map[v]];
        if (bv.producer >= 0) target.producer = start + bv.producer;
        for (const consumer of bv.consumers) target.consumers.push(start + consumer);
      });
      for (let i = start; i < nodes.length; i++) {
        const n = nodes[i];
        n.folded = [];
        n.inputs.forEach((v, slot) => {
          if (v < 0) return;
          const value = values[v];
          if ((value.kind === 'initializer' || value.kind === 'constant') && (value.producer < 0 || nodes[value.producer].hidden)) n.folded.push(slot);
        });
      }
      const drawn = body.nodes.reduce((k, n) => k + (n.hidden ? 0 : 1), 0);
      groups[bodyGroup].size = drawn;
      grow(frame, drawn);
      node.outputs.forEach((o, j) => {
        const bo = body.outputs[bodyOutput(node.op, j)];
        if (o >= 0 && bo !== undefined) (sources[o] ??= []).push(map[bo]);
      });
      const inner = (name: string) => local.get(name) ?? lookup(name);
      body.nodes.forEach((bn, i) => {
        if (!bn.hidden && isControl(bn) && open.has(controlPath(sub.graph, i))) expand(start + i, sub.graph, i, inner);
      });
    }
  };

  const top = (name: string) => baseNames.get(name);
  base.nodes.forEach((n, i) => {
    if (wanted(base.id, n, i)) expand(i, base.id, i, top);
  });
  return { graph: { ...base, nodes, values, groups, sources }, missing: [...new Set(missing)] };
}

/** A frame title's name part: the last segment of a scoped name. */
function shortLabel(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash >= 0 && slash < name.length - 1 ? name.slice(slash + 1) : name;
}

/**
 * Total drawn nodes inside each subgraph, nested subgraphs included, from the model's graph list: what a
 * control node hides when closed.
 */
export function nodesInside(entries: ReadonlyArray<{ id: string; parent?: string; nodes: number }>): Map<string, number> {
  const children = new Map<string, string[]>();
  for (const e of entries) if (e.parent !== undefined) children.set(e.parent, [...(children.get(e.parent) ?? []), e.id]);
  const own = new Map(entries.map((e) => [e.id, e.nodes]));
  const totals = new Map<string, number>();
  const total = (id: string): number => {
    let t = totals.get(id);
    if (t === undefined) {
      totals.set(id, 0); // a cycle cannot happen in ids, but stay finite
      t = (own.get(id) ?? 0) + (children.get(id) ?? []).reduce((n, c) => n + total(c), 0);
      totals.set(id, t);
    }
    return t;
  };
  for (const e of entries) total(e.id);
  return totals;
}

/**
 * A graph that is only a dispatcher: few nodes around one control node whose bodies hold at least as
 * many nodes as the rest of the graph (silero VAD: Equal, If, two Identity around 685 nodes). Returns that
 * node, or undefined. `inside(id)`: drawn nodes of a subgraph, nested ones included. Bodies over `limit`
 * nodes are left closed.
 */
export function dispatcherNode(graph: GraphView, inside: (id: string) => number, limit = Infinity): number | undefined {
  let drawn = 0;
  let best: number | undefined;
  let bestInside = 0;
  graph.nodes.forEach((node, i) => {
    if (node.hidden) return;
    drawn++;
    if (!isControl(node)) return;
    const n = (node.subgraphs ?? []).reduce((k, s) => k + inside(s.graph), 0);
    if (n > bestInside) {
      best = i;
      bestInside = n;
    }
  });
  if (best === undefined || bestInside > limit) return undefined;
  return bestInside >= drawn - 1 ? best : undefined;
}

/**
 * What a newly opened frame shows at first: a frame in `open` none of whose bodies is open yet gets its
 * bodies opened, their name-scope groups too when the frame holds at most `collapseAbove` nodes, and the
 * dispatcher of each body (a body that is only a dispatcher around a nested If) opened in turn. Changes
 * `open`; true when it opened another frame, whose bodies need composing.
 */
export function adoptFrames(graph: GraphView, open: Set<string>, bodies: ReadonlyMap<string, GraphView>, inside: (id: string) => number, collapseAbove: number): boolean {
  let nested = false;
  graph.groups.forEach((frame, f) => {
    if (frame.kind !== 'control' || !open.has(frame.path)) return;
    const members = graph.groups.filter((g) => g.parent === f && g.kind === 'body');
    if (!members.length || members.some((b) => open.has(b.path))) return;
    const small = frame.size <= collapseAbove;
    for (const body of members) {
      open.add(body.path);
      if (small) for (const g of graph.groups) if (g.kind === undefined && g.path.startsWith(body.path + '/')) open.add(g.path);
      const view = body.graph !== undefined ? bodies.get(body.graph) : undefined;
      const inner = view ? dispatcherNode(view, inside, collapseAbove) : undefined;
      if (view && inner !== undefined && !open.has(controlPath(view.id, inner))) {
        open.add(controlPath(view.id, inner));
        nested = true;
      }
    }
  });
  return nested;
}
