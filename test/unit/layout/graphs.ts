// Graph shapes for layout tests, built deterministically (no Math.random).
import type { LayoutEdge, LayoutNode } from '../../../src/core/layout/index.js';
import type { ModelProto } from '../../../src/core/model/proto.js';

export interface TestGraph {
  name: string;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

/** Park-Miller generator: a fixed sequence per seed. */
export function random(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

function box(id: string, next: () => number): LayoutNode {
  return { id, width: 40 + Math.floor(next() * 120), height: 20 + Math.floor(next() * 30) };
}

export function chain(count: number): TestGraph {
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push({ id: `n${i}`, width: 60, height: 24 });
    if (i > 0) edges.push({ from: `n${i - 1}`, to: `n${i}` });
  }
  return { name: `chain of ${count}`, nodes, edges };
}

/** One source feeding count nodes, which all feed one sink. */
export function fan(count: number): TestGraph {
  const nodes: LayoutNode[] = [{ id: 'source', width: 80, height: 30 }, { id: 'sink', width: 80, height: 30 }];
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push({ id: `leaf${i}`, width: 30 + (i % 7) * 10, height: 20 });
    edges.push({ from: 'source', to: `leaf${i}` }, { from: `leaf${i}`, to: 'sink' });
  }
  return { name: `fan of ${count}`, nodes, edges };
}

/** Random DAG: edges only go from lower to higher index, mostly short, some long. Shuffled ids order. */
export function randomDag(count: number, edgesPerNode: number, seed: number): TestGraph {
  const next = random(seed);
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < count; i++) nodes.push(box(`v${i}`, next));
  for (let i = 1; i < count; i++) {
    const k = Math.max(1, Math.round(next() * edgesPerNode * 2));
    for (let j = 0; j < k; j++) {
      const span = next() < 0.8 ? 1 + Math.floor(next() * 4) : 1 + Math.floor(next() * i);
      const from = Math.max(0, i - span);
      edges.push({ from: `v${from}`, to: `v${i}` });
    }
  }
  // Input order unrelated to topological order, as in unsorted files.
  nodes.sort((a, b) => (a.width * 31 + a.height) % 17 - (b.width * 31 + b.height) % 17);
  return { name: `random DAG of ${count}`, nodes, edges };
}

/** Random directed graph with cycles, self-loops, duplicate edges and a dangling edge. */
export function cyclic(count: number, seed: number): TestGraph {
  const next = random(seed);
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < count; i++) nodes.push(box(`c${i}`, next));
  for (let i = 0; i < count * 2; i++) {
    const a = Math.floor(next() * count);
    const b = Math.floor(next() * count);
    edges.push({ from: `c${a}`, to: `c${b}` });
  }
  edges.push({ from: 'c0', to: 'c0' }, { from: 'c1', to: 'c2' }, { from: 'c1', to: 'c2' }, { from: 'c2', to: 'c1' }, { from: 'c3', to: 'missing' });
  return { name: `cyclic graph of ${count}`, nodes, edges };
}

/** Many small components of different shapes plus isolated nodes. */
export function forest(count: number, seed: number): TestGraph {
  const next = random(seed);
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push(box(`t${i}`, next));
    if (i % 5 !== 0 && next() < 0.9) edges.push({ from: `t${i - 1 - Math.floor(next() * Math.min(i % 5, 3))}`, to: `t${i}` });
  }
  return { name: `forest of ${count}`, nodes, edges };
}

/**
 * An exporter-style transformer: per layer a layer norm, attention with reshape/shape chains and
 * weights as separate source nodes, an MLP with GELU, and residual connections.
 */
export function transformer(layers: number): TestGraph {
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  let serial = 0;
  const add = (op: string, inputs: string[], wide = false): string => {
    const id = `/${op}_${serial++}`;
    nodes.push({ id, width: wide ? 160 : 60 + op.length * 7, height: wide ? 40 : 28 });
    for (const input of inputs) edges.push({ from: input, to: id });
    return id;
  };
  const weight = (): string => add('Initializer', []);
  const layerNorm = (x: string): string => {
    const mean = add('ReduceMean', [x]);
    const sub = add('Sub', [x, mean]);
    const pow = add('Pow', [sub, weight()]);
    const variance = add('ReduceMean', [pow]);
    const eps = add('Add', [variance, weight()]);
    const sqrt = add('Sqrt', [eps]);
    const div = add('Div', [sub, sqrt]);
    return add('Add', [add('Mul', [div, weight()]), weight()]);
  };
  const reshape = (x: string, shapeOf: string): string => {
    const shape = add('Shape', [shapeOf]);
    const dim = add('Gather', [shape, weight()]);
    const unsqueezed = add('Unsqueeze', [dim]);
    const concat = add('Concat', [unsqueezed, weight(), weight()]);
    return add('Reshape', [x, concat]);
  };
  let hidden = add('Gather', [add('Input', []), weight()], true);
  // Read by every layer, as attention masks and rotary tables are.
  const mask = add('Input', []);
  for (let l = 0; l < layers; l++) {
    const norm = layerNorm(hidden);
    const heads = ['q', 'k', 'v'].map(() => add('Transpose', [reshape(add('Add', [add('MatMul', [norm, weight()]), weight()]), norm)]));
    const scores = add('Softmax', [add('Add', [add('Div', [add('MatMul', [heads[0], heads[1]]), weight()]), mask])]);
    const context = reshape(add('Transpose', [add('MatMul', [scores, heads[2]])]), norm);
    const attention = add('Add', [add('MatMul', [context, weight()]), weight()]);
    const residual = add('Add', [hidden, attention]);
    const norm2 = layerNorm(residual);
    const up = add('Add', [add('MatMul', [norm2, weight()]), weight()]);
    const erf = add('Erf', [add('Div', [up, weight()])]);
    const gelu = add('Mul', [add('Mul', [up, add('Add', [erf, weight()])]), weight()]);
    const down = add('Add', [add('MatMul', [gelu, weight()]), weight()]);
    hidden = add('Add', [residual, down], true);
  }
  add('Output', [add('MatMul', [layerNorm(hidden), weight()])]);
  return { name: `transformer of ${layers} layers`, nodes, edges };
}

/** Nodes for graph inputs, operators and graph outputs; edges from each tensor's producer to its consumers. */
export function modelGraph(name: string, model: ModelProto): TestGraph {
  const graph = model.graph ?? {};
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  const producer = new Map<string, string>();
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  for (const input of graph.input ?? []) {
    if (initializers.has(input.name ?? '')) continue;
    const id = `input:${input.name}`;
    nodes.push({ id, width: 60 + (input.name ?? '').length * 6, height: 24 });
    producer.set(input.name ?? '', id);
  }
  (graph.node ?? []).forEach((node, i) => {
    const id = `node:${i}`;
    nodes.push({ id, width: 50 + (node.opType ?? '').length * 8, height: 30 + (node.input?.length ?? 0) * 4 });
    for (const output of node.output ?? []) if (output) producer.set(output, id);
  });
  (graph.node ?? []).forEach((node, i) => {
    for (const input of node.input ?? []) {
      const from = producer.get(input);
      if (from) edges.push({ from, to: `node:${i}` });
    }
  });
  for (const output of graph.output ?? []) {
    const id = `output:${output.name}`;
    nodes.push({ id, width: 70, height: 24 });
    const from = producer.get(output.name ?? '');
    if (from) edges.push({ from, to: id });
  }
  return { name, nodes, edges };
}
