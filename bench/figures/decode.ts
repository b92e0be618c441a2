// Opening a model: read + decode + graph index + summary in a fresh Node process, against Debian
// python3-onnx's onnx.load (read + parse) in a fresh Python process. Time inside the process; peak RSS of it.
import { probeJson, runChild } from '../lib/child.js';
import { kbToMB, type BenchContext } from '../lib/context.js';
import { alternate, row, Side, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';

export const pythonLoad = [
  'import sys, time, json, resource',
  'import onnx',
  't = time.perf_counter()',
  'c = time.process_time()',
  "m = onnx.load(sys.argv[1], load_external_data=(sys.argv[2] == '1'))",
  'ms = (time.perf_counter() - t) * 1000',
  'cpu = (time.process_time() - c) * 1000',
  "print(json.dumps({'ms': ms, 'cpuMs': cpu, 'rssKB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'nodes': len(m.graph.node)}))",
].join('\n');

interface Probe {
  ms: number;
  /** CPU time of the process over the same span (all its threads): steadier than wall time on a loaded machine. */
  cpuMs: number;
  rssKB: number;
}

export async function openFigures(ctx: BenchContext, model: BenchModel, options: { externalData?: boolean } = {}): Promise<{ ours: Side; peer: Side }> {
  const ours = new Side();
  const peer = new Side();
  const timeoutMs = 300_000;
  await alternate(ctx.samples, ours, async () => {
    const p = probeJson<Probe>(await runChild(process.execPath, [ctx.probes.decode, model.path], { timeoutMs }), 'decode');
    return { ms: p.ms, cpu: p.cpuMs, rss: kbToMB(p.rssKB) };
  }, peer, async () => {
    const p = probeJson<Probe>(await runChild(ctx.python, ['-c', pythonLoad, model.path, options.externalData ? '1' : '0'], { timeoutMs }), 'onnx.load');
    return { ms: p.ms, cpu: p.cpuMs, rss: kbToMB(p.rssKB) };
  });
  return { ours, peer };
}

export async function decodeFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const { ours, peer } = await openFigures(ctx, model);
  const peerName = 'python3-onnx onnx.load';
  return [
    row({ figure: 'open: decode + index time', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms') }),
    row({ figure: 'open: decode + index CPU time', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('cpu'), peerName, peer: peer.measured('cpu') }),
    row({ figure: 'open: peak RSS', model: model.name, unit: 'MB', better: 'lower', ours: ours.measured('rss'), peerName, peer: peer.measured('rss') }),
  ];
}
