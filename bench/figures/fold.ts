// Constant folding: our fold (with cleanup) against onnxruntime's 'basic' graph optimizer (constant
// folding and redundant-node removal, the portable level): the time, and the node count each leaves with
// onnxruntime's fusions left out, as those merge nodes rather than fold them.
import type { BenchContext } from '../lib/context.js';
import { isSummary, row, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';
import { optimizerRuns } from './optimizerRuns.js';

export async function foldFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  // The optimizer with its fusions left out runs once: fusions merge nodes rather than fold them.
  const { ours, peer, once: unfused, before } = await optimizerRuns(ctx, ctx.probes.fold, model, 'ort', 'ort-nofusion');
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
