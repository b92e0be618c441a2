// Constant folding: our fold (with cleanup) against onnxruntime's 'basic' graph optimizer (constant
// folding and redundant-node removal, the portable level): the time, and the node count each leaves with
// onnxruntime's fusions left out, as those merge nodes rather than fold them.
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, isSummary, row, Side, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';

interface FoldProbe {
  ms: number;
  nodesBefore: number;
  nodes: number;
}

export async function foldFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const ours = new Side();
  const peer = new Side();
  let before = 0;
  const run = (engine: string) => async () => {
    const p = probeJson<FoldProbe>(await runChild(process.execPath, [ctx.probes.fold, engine, model.path], { timeoutMs: 600_000 }), `fold ${engine}`);
    before = p.nodesBefore;
    return { ms: p.ms, nodes: p.nodes };
  };
  await alternate(ctx.samples, ours, run('ours'), peer, run('ort'));
  // Node counts do not vary between runs: one run of the optimizer with its fusions left out is enough.
  const unfused = new Side();
  await unfused.sample(run('ort-nofusion'));
  const withFusions = peer.measured('nodes');
  const peerName = "onnxruntime 'basic' optimizer";
  return [
    row({ figure: 'fold constants: time', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms'), note: 'ours includes the onnxruntime evaluations; the peer is session creation with the optimizer writing its graph' }),
    row({
      figure: `fold constants: nodes left (of ${before}), fusions left out`, model: model.name, unit: 'nodes', better: 'lower', ours: ours.measured('nodes'),
      peerName: `${peerName} without its fusions`, peer: unfused.measured('nodes'),
      note: `onnxruntime with its fusions (LayerNormalization, Reshape shape chains, MatMul+Add, ...) leaves ${isSummary(withFusions) ? withFusions.median : '?'} nodes`,
    }),
  ];
}
