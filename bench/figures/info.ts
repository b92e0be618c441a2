// `onnx-lens info MODEL` as a user runs it (process start to exit), against
// `python3 -c "import onnx; onnx.load(PATH)"`. Peak RSS comes from a preload / an appended getrusage.
import { runChild } from '../lib/child.js';
import { kbToMB, type BenchContext } from '../lib/context.js';
import { alternate, row, Side, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';

const rssLine = /BENCH_RSS_KB=(\d+)/;

export async function infoFigures(ctx: BenchContext, model: BenchModel, target?: number): Promise<Row[]> {
  const ours = new Side();
  const peer = new Side();
  const python = `import onnx; onnx.load(${JSON.stringify(model.path)})\nimport resource, sys; sys.stderr.write('\\nBENCH_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)`;
  const measure = async (command: string, args: string[], what: string) => {
    const r = await runChild(command, args, { timeoutMs: 300_000 });
    const rss = rssLine.exec(r.stderr);
    if (r.code !== 0 || !rss) throw new Error(`${what} failed: ${r.stderr.trim().split('\n').pop() ?? r.code}`);
    return { ms: r.wallMs, rss: kbToMB(Number(rss[1])) };
  };
  await alternate(ctx.samples, ours, () => measure(process.execPath, ['--require', ctx.probes.rssOnExit, ctx.cli, 'info', model.path], 'onnx-lens info'),
    peer, () => measure(ctx.python, ['-c', python], 'python onnx.load'));
  const peerName = 'python3 -c "import onnx; onnx.load(PATH)"';
  const time = row({ figure: 'onnx-lens info (whole process)', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms') });
  if (target !== undefined && time.ratio !== undefined) time.target = { text: `≤ ${target}× peer`, met: time.ratio <= target };
  const rss = row({ figure: 'onnx-lens info: peak RSS', model: model.name, unit: 'MB', better: 'lower', ours: ours.measured('rss'), peerName, peer: peer.measured('rss') });
  return [time, rss];
}
