// Constant folding: our fold (with cleanup) against onnxruntime's 'basic' graph optimizer (constant
// folding and redundant-node removal, the portable level), file to file on both sides: the time (ours
// without verification is the like-for-like figure and carries the target; the whole `onnx-lens fold`
// command with its checks and verification is shown beside it), and the node count each leaves with
// onnxruntime's fusions left out, as those merge nodes rather than fold them. Run on the generated models
// and on the real-exporter fixtures of test/fixtures/exported.
import type { BenchContext } from '../lib/context.js';
import { isSummary, row, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';
import { optimizerRuns } from './optimizerRuns.js';

export async function foldFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  // The optimizer with its fusions left out runs once: fusions merge nodes rather than fold them.
  const { ours, verified, peer, once: unfused, before, python } = await optimizerRuns(ctx, ctx.probes.fold, model, { engine: 'ort', level: 'basic', allGraphs: false }, 'ort-nofusion');
  const withFusions = peer.measured('nodes');
  const peerName = python ? "onnxruntime 'basic' optimizer (Python, file to file)" : "onnxruntime-node 'basic' optimizer (file to file)";
  const time = row({
    figure: 'fold constants: time, file to file', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms'),
    note: 'read, fold (our kernels, then onnxruntime in its child for the rest), clean up, write; no verification, as the peer does none',
  });
  if (time.ratio !== undefined) time.target = { text: '≤ 1× peer', met: time.ratio <= 1 };
  return [
    time,
    row({
      figure: 'fold constants: time, file to file, run again in the same process', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('warmMs'), peerName, peer: peer.measured('ms'),
      note: 'as the row above, a second time in the same probe: our code compiled and warm, as in the editor after its first command (the peer is compiled C++; for information)',
    }),
    row({
      figure: 'fold constants: time with verification (the whole onnx-lens fold)', model: model.name, unit: 'ms', better: 'lower', ours: verified.measured('ms'), peerName, peer: peer.measured('ms'),
      note: 'checker on source and result, fold, write, then source and result run in onnxruntime on the same inputs and compared',
    }),
    row({
      figure: `fold constants: nodes left (of ${before}), fusions left out`, model: model.name, unit: 'nodes', better: 'lower', ours: ours.measured('nodes'),
      peerName: "onnxruntime-node 'basic' optimizer without its fusions", peer: unfused.measured('nodes'),
      note: `onnxruntime with its fusions (LayerNormalization, Reshape shape chains, MatMul+Add, ...) leaves ${isSummary(withFusions) ? withFusions.median : '?'} nodes`,
    }),
  ];
}
