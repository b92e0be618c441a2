// Layout of the same graph by our layered layout and by @dagrejs/dagre: the operator nodes (Constant
// nodes folded away, as the graph view does), graph inputs and outputs, one edge per produced value and
// consumer. Each sample is a fresh process with a time cap; dagre's deep recursion overflowing the
// stack on large graphs is reported as its result.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile } from '../../src/core/model/decode.js';
import type { ModelProto } from '../../src/core/model/proto.js';
import type { LayoutEdge, LayoutNode } from '../../src/core/layout/index.js';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, row, Side, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';

export function layoutInput(model: ModelProto): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const graph = model.graph ?? {};
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  const producer = new Map<string, string>();
  const box = (label: string): Pick<LayoutNode, 'width' | 'height'> => ({ width: Math.max(48, 7 * label.length + 24), height: 28 });
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  for (const input of graph.input ?? []) {
    if (initializers.has(input.name)) continue;
    nodes.push({ id: `input:${input.name}`, ...box(input.name ?? '') });
    producer.set(input.name ?? '', `input:${input.name}`);
  }
  (graph.node ?? []).forEach((node, i) => {
    if (node.opType === 'Constant') return;
    const id = `node:${i}`;
    nodes.push({ id, ...box(node.opType ?? '') });
    for (const input of node.input ?? []) {
      const from = producer.get(input);
      if (from) edges.push({ from, to: id });
    }
    for (const output of node.output ?? []) producer.set(output, id);
  });
  for (const output of graph.output ?? []) {
    const id = `output:${output.name}`;
    nodes.push({ id, ...box(output.name ?? '') });
    const from = producer.get(output.name ?? '');
    if (from) edges.push({ from, to: id });
  }
  return { nodes, edges };
}

export async function layoutFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const { model: proto } = await readModelFile(model.path);
  const input = layoutInput(proto);
  const path = join(ctx.tmp, `${model.name}.layout.json`);
  writeFileSync(path, JSON.stringify(input));
  const ours = new Side();
  const peer = new Side();
  const timeoutMs = ctx.quick ? 60_000 : 120_000;
  const run = (engine: string) => async () => {
    const p = probeJson<{ ms: number; error?: string }>(await runChild(process.execPath, [ctx.probes.layout, engine, path], { timeoutMs }), engine);
    if (p.error) throw new Error(/call stack/i.test(p.error) ? 'stack overflow' : p.error);
    return { ms: p.ms };
  };
  await alternate(ctx.samples, ours, run('ours'), peer, run('dagre'));
  return [row({
    figure: 'layout time', model: `${model.name} (${input.nodes.length} nodes)`, unit: 'ms', better: 'lower',
    ours: ours.measured('ms'), peerName: '@dagrejs/dagre', peer: peer.measured('ms'),
  })];
}
