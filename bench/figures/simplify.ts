// Simplify: our fold + clean-up + portable rewrites against onnxruntime's 'basic' graph optimizer with its
// fusions (Conv+BatchNormalization, MatMul+Add, LayerNormalization, Reshape shape chains...), the peer
// users compare with: nodes left (target: no more than onnxruntime) and time. onnxruntime's 'extended'
// level is shown for information: it fuses into com.microsoft contrib ops, which a portable model cannot
// hold. Run on the generated models and on the real-exporter fixtures.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { isSummary, row, type Row } from '../lib/rows.js';
import { root, type BenchModel } from '../models.js';
import { optimizerRuns } from './optimizerRuns.js';

/** The fold figure's models and every fixture of test/fixtures/exported (fold and simplify run on these). */
export function optimizerModels(models: BenchModel[]): BenchModel[] {
  const dir = join(root, 'test', 'fixtures', 'exported');
  const fixtures = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e): BenchModel => {
    const path = join(dir, e.name, 'model.onnx');
    return { name: e.name, path, origin: 'sample', description: 'real-exporter fixture (test/fixtures/exported)', fileBytes: statSync(path).size, roles: [] };
  });
  return [...models.filter((m) => m.roles.includes('fold')), ...fixtures];
}

export async function simplifyFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  // onnxruntime's 'extended' level runs once, for information.
  const { ours, verified, peer, once: extended, before, python } = await optimizerRuns(ctx, ctx.probes.simplify, model, { engine: 'ort-basic', level: 'basic', allGraphs: true }, 'ort-extended');
  const peerName = `onnxruntime${python ? '' : '-node'} 'basic' optimizer (with its fusions${python ? ', Python' : ''}, file to file)`;
  const oursNodes = ours.measured('nodes');
  const peerNodes = peer.measured('nodes');
  const ext = extended.measured('nodes');
  const nodes = row({
    figure: `simplify: nodes left (of ${before})`, model: model.name, unit: 'nodes', better: 'lower', ours: oursNodes, peerName, peer: peerNodes,
    note: `onnxruntime 'extended' (com.microsoft contrib ops, not portable) leaves ${isSummary(ext) ? ext.median : `? (${'failed' in ext ? ext.failed : ''})`}`,
  });
  if (isSummary(oursNodes) && isSummary(peerNodes)) nodes.target = { text: '≤ peer', met: oursNodes.median <= peerNodes.median };
  const time = row({
    figure: 'simplify: time, file to file', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms'),
    note: 'read, simplify (our kernels, then onnxruntime in its child for the rest), write; no verification, as the peer does none; both with onnxruntime loaded and one session created before the clock',
  });
  if (time.ratio !== undefined) time.target = { text: '≤ 1× peer', met: time.ratio <= 1 };
  const whole = row({
    figure: 'simplify: time with verification (the whole onnx-lens simplify)', model: model.name, unit: 'ms', better: 'lower', ours: verified.measured('ms'), peerName, peer: peer.measured('ms'),
    note: 'checker on source and result, simplify, write, then source and result run in onnxruntime on the same inputs and compared',
  });
  const warm = row({
    figure: 'simplify: time, file to file, run again in the same process', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('warmMs'), peerName, peer: peer.measured('ms'),
    note: 'as the row above, a second time in the same probe: our code compiled and warm, as in the editor after its first command (the peer is compiled C++; for information)',
  });
  return [nodes, time, warm, whole];
}
