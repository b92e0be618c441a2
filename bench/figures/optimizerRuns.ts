// Our graph optimizer (fold, simplify) against onnxruntime's, each sample a fresh probe process run
// alternately, plus one run of a third engine: node counts do not vary between runs, so one is enough.
import { basename, extname } from 'node:path';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, Side } from '../lib/rows.js';
import type { BenchModel } from '../models.js';

interface OptimizerProbe {
  ms: number;
  nodesBefore: number;
  nodes: number;
}

export interface OptimizerRuns {
  ours: Side;
  peer: Side;
  once: Side;
  /** Nodes of the source model. */
  before: number;
}

/** `probe ENGINE MODEL` prints an OptimizerProbe; engines are 'ours' and the two named here. */
export async function optimizerRuns(ctx: BenchContext, probe: string, model: BenchModel, peerEngine: string, onceEngine: string): Promise<OptimizerRuns> {
  const runs: OptimizerRuns = { ours: new Side(), peer: new Side(), once: new Side(), before: 0 };
  const name = basename(probe, extname(probe));
  const run = (engine: string) => async () => {
    const p = probeJson<OptimizerProbe>(await runChild(process.execPath, [probe, engine, model.path], { timeoutMs: 600_000 }), `${name} ${engine}`);
    runs.before = p.nodesBefore;
    return { ms: p.ms, nodes: p.nodes };
  };
  await alternate(ctx.samples, runs.ours, run('ours'), runs.peer, run(peerEngine));
  await runs.once.sample(run(onceEngine));
  return runs;
}
