// Layout of the same graph by our layered layout and by @dagrejs/dagre: the operator nodes (Constant
// nodes folded away, as the graph view does), graph inputs and outputs, one edge per produced value and
// consumer. Each sample is a fresh process with a time cap; dagre's deep recursion overflowing the
// stack on large graphs is reported as its result.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile } from '../../src/core/model/decode.js';
import { probeJson, runChild } from '../lib/child.js';
import { layoutInput } from '../lib/layoutInput.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, isSummary, row, Side, type Measured, type Row, type Unit } from '../lib/rows.js';
import { summarize } from '../lib/stats.js';
import type { BenchModel } from '../models.js';

export { layoutInput };

interface Quality {
  crossings: number;
  edgeLength: number;
  width: number;
  height: number;
  layers: number;
}

export async function layoutFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const { model: proto } = await readModelFile(model.path);
  const input = layoutInput(proto);
  const path = join(ctx.tmp, `${model.name}.layout.json`);
  writeFileSync(path, JSON.stringify(input));
  const ours = new Side();
  const peer = new Side();
  const timeoutMs = ctx.quick ? 60_000 : 120_000;
  // The drawing is the same every time: its quality is counted once, in the first sample, after the clock.
  const quality: Record<string, Quality> = {};
  const run = (engine: string) => async () => {
    const p = probeJson<{ ms: number; error?: string; quality?: Quality }>(
      await runChild(process.execPath, [ctx.probes.layout, engine, path, ...(quality[engine] ? [] : ['quality'])], { timeoutMs }), engine);
    if (p.error) throw new Error(/call stack/i.test(p.error) ? 'stack overflow' : p.error);
    if (p.quality) quality[engine] = p.quality;
    return { ms: p.ms };
  };
  await alternate(ctx.samples, ours, run('ours'), peer, run('dagre'));
  const label = `${model.name} (${input.nodes.length} nodes)`;
  const peerName = '@dagrejs/dagre';
  const once = (engine: string, value: (q: Quality) => number, side: Side): Measured =>
    quality[engine] ? summarize([value(quality[engine])]) : { failed: side.failure ?? 'no drawing' };
  const figure = (name: string, unit: Unit, value: (q: Quality) => number, target?: boolean): Row => {
    const oursValue = once('ours', value, ours);
    const peerValue = once('dagre', value, peer);
    const both = isSummary(oursValue) && isSummary(peerValue);
    return row({
      figure: name, model: label, unit, better: 'lower', ours: oursValue, peerName, peer: peerValue,
      ...(target && both ? { target: { text: '≤ 1.0× peer', met: oursValue.median <= peerValue.median } } : {}),
    });
  };
  const layers = (engine: string) => (quality[engine] ? `${quality[engine].layers} layers` : 'no drawing');
  const crossings = figure('layout edge crossings', 'crossings', (q) => q.crossings, true);
  crossings.note = `between adjacent layers, counted on both drawings by one function; ours ${layers('ours')}, dagre ${layers('dagre')}`;
  return [
    row({ figure: 'layout time', model: label, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms') }),
    crossings,
    figure('layout total edge length', 'px', (q) => q.edgeLength),
    figure('layout drawing area', 'Mpx²', (q) => (q.width * q.height) / 1e6),
  ];
}
