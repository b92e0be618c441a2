// Simplify: our fold + clean-up + portable rewrites against onnxruntime's 'basic' graph optimizer with its
// fusions (Conv+BatchNormalization, MatMul+Add, LayerNormalization, Reshape shape chains...), the peer
// users compare with: nodes left (target: no more than onnxruntime) and time. onnxruntime's 'extended'
// level is shown for information: it fuses into com.microsoft contrib ops, which a portable model cannot
// hold. Run on the generated models and on the real-exporter fixtures.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, isSummary, row, Side, type Row } from '../lib/rows.js';
import { root, type BenchModel } from '../models.js';

interface SimplifyProbe {
  ms: number;
  nodesBefore: number;
  nodes: number;
}

/** The fold figure's models and every fixture of test/fixtures/exported. */
export function simplifyModels(models: BenchModel[]): BenchModel[] {
  const dir = join(root, 'test', 'fixtures', 'exported');
  const fixtures = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e): BenchModel => {
    const path = join(dir, e.name, 'model.onnx');
    return { name: e.name, path, origin: 'sample', description: 'real-exporter fixture (test/fixtures/exported)', fileBytes: statSync(path).size, roles: [] };
  });
  return [...models.filter((m) => m.roles.includes('fold')), ...fixtures];
}

export async function simplifyFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const ours = new Side();
  const peer = new Side();
  let before = 0;
  const run = (engine: string) => async () => {
    const p = probeJson<SimplifyProbe>(await runChild(process.execPath, [ctx.probes.simplify, engine, model.path], { timeoutMs: 600_000 }), `simplify ${engine}`);
    before = p.nodesBefore;
    return { ms: p.ms, nodes: p.nodes };
  };
  await alternate(ctx.samples, ours, run('ours'), peer, run('ort-basic'));
  // Node counts do not vary between runs: one run of the extended level is enough.
  const extended = new Side();
  await extended.sample(run('ort-extended'));
  const peerName = "onnxruntime 'basic' optimizer (with its fusions)";
  const oursNodes = ours.measured('nodes');
  const peerNodes = peer.measured('nodes');
  const ext = extended.measured('nodes');
  const nodes = row({
    figure: `simplify: nodes left (of ${before})`, model: model.name, unit: 'nodes', better: 'lower', ours: oursNodes, peerName, peer: peerNodes,
    note: `onnxruntime 'extended' (com.microsoft contrib ops, not portable) leaves ${isSummary(ext) ? ext.median : `? (${'failed' in ext ? ext.failed : ''})`}`,
  });
  if (isSummary(oursNodes) && isSummary(peerNodes)) nodes.target = { text: '≤ peer', met: oursNodes.median <= peerNodes.median };
  const time = row({
    figure: 'simplify: time', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms'),
    note: 'ours includes the onnxruntime evaluations of constants, the peer is session creation with the optimizer writing its graph; both with onnxruntime already loaded in its process',
  });
  if (time.ratio !== undefined) time.target = { text: '≤ 1× peer', met: time.ratio <= 1 };
  return [nodes, time];
}
