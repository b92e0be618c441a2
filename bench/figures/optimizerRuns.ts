// Our graph optimizer (fold, simplify) against onnxruntime's, each sample a fresh probe process run
// alternately, plus one run of a third engine: node counts do not vary between runs, so one is enough.
// The peer is onnxruntime's Python API as a user runs it (a session with optimized_model_filepath, file to
// file) where a Python with onnxruntime is found, else onnxruntime-node in our probe. Both sides have
// onnxruntime loaded and one session created before the clock starts; ours runs with and without verification.
import { basename, extname, join } from 'node:path';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, Side } from '../lib/rows.js';
import type { BenchModel } from '../models.js';
import { quantizePeerPython } from './quantize.js';

interface OptimizerProbe {
  ms: number;
  /** Ours only: the same run again in the same process. */
  warmMs?: number;
  nodesBefore: number;
  nodes: number;
}

export interface OptimizerRuns {
  ours: Side;
  /** Ours through the whole command: checks, write, verification in onnxruntime. */
  verified: Side;
  peer: Side;
  once: Side;
  /** Nodes of the source model. */
  before: number;
  /** The peer is onnxruntime's Python API (else onnxruntime-node). */
  python: boolean;
}

const peerScript = [
  'import sys, time, json',
  'import onnx, onnxruntime as ort',
  'from onnx import helper, TensorProto',
  'level, src, dst, count = sys.argv[1:5]',
  'def options(out):',
  '    so = ort.SessionOptions()',
  "    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED if level == 'extended' else ort.GraphOptimizationLevel.ORT_ENABLE_BASIC",
  '    so.optimized_model_filepath = out',
  '    so.intra_op_num_threads = 1',
  '    return so',
  // One session first, as our side creates one before its clock.
  "x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1])",
  "y = helper.make_tensor_value_info('y', TensorProto.FLOAT, [1])",
  "warm = helper.make_model(helper.make_graph([helper.make_node('Identity', ['x'], ['y'])], 'warm', [x], [y]), opset_imports=[helper.make_opsetid('', 17)], ir_version=8)",
  "ort.InferenceSession(warm.SerializeToString(), providers=['CPUExecutionProvider'])",
  't = time.perf_counter()',
  "ort.InferenceSession(src, options(dst), providers=['CPUExecutionProvider'])",
  'ms = (time.perf_counter() - t) * 1000',
  'def nodes(g):',
  '    n = 0',
  '    for node in g.node:',
  '        n += 1',
  '        for a in node.attribute:',
  '            if a.type == onnx.AttributeProto.GRAPH: n += nodes(a.g)',
  '            if a.type == onnx.AttributeProto.GRAPHS: n += sum(nodes(s) for s in a.graphs)',
  '    return n',
  'm = onnx.load(dst)',
  "print(json.dumps({'ms': ms, 'nodes': nodes(m.graph) if count == 'all' else len(m.graph.node)}))",
].join('\n');

export interface PeerChoice {
  /** The probe's engine for onnxruntime-node, when no Python is found. */
  engine: string;
  level: 'basic' | 'extended';
  /** Count nodes of subgraphs too. */
  allGraphs: boolean;
}

/** `probe ENGINE MODEL` prints an OptimizerProbe; engines are 'ours', 'ours-verified' and the two named here. */
export async function optimizerRuns(ctx: BenchContext, probe: string, model: BenchModel, peerChoice: PeerChoice, onceEngine: string): Promise<OptimizerRuns> {
  const python = quantizePeerPython();
  const runs: OptimizerRuns = { ours: new Side(), verified: new Side(), peer: new Side(), once: new Side(), before: 0, python: !!python };
  const name = basename(probe, extname(probe));
  const run = (engine: string) => async () => {
    const p = probeJson<OptimizerProbe>(await runChild(process.execPath, [probe, engine, model.path], { timeoutMs: 600_000 }), `${name} ${engine}`);
    runs.before = p.nodesBefore;
    return { ms: p.ms, nodes: p.nodes, ...(p.warmMs !== undefined ? { warmMs: p.warmMs } : {}) };
  };
  const peerRun = python
    ? async () => {
      const out = join(ctx.tmp, `${model.name}.${name}.ort.onnx`);
      const p = probeJson<{ ms: number; nodes: number }>(
        await runChild(python, ['-c', peerScript, peerChoice.level, model.path, out, peerChoice.allGraphs ? 'all' : 'main'], { timeoutMs: 600_000 }), `onnxruntime ${peerChoice.level} (Python)`);
      return { ms: p.ms, nodes: p.nodes };
    }
    : run(peerChoice.engine);
  // Three sides interleaved, so that drifting load hits each alike.
  for (let i = 0; i < ctx.samples; i++) {
    await alternate(1, runs.ours, run('ours'), runs.peer, peerRun);
    await runs.verified.sample(run('ours-verified'));
  }
  await runs.once.sample(run(onceEngine));
  return runs;
}
