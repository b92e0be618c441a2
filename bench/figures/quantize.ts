// Quantization throughput, file to file: fp32 weight megabytes quantized per second, for dynamic int8,
// weight-only int4 (block 32, written as MatMulNBits) and weight-only int8 (block 32, blocked DequantizeLinear). The peer is onnxruntime's own Python quantizer
// (quantize_dynamic, MatMulNBitsQuantizer) where a Python with onnxruntime is found: BENCH_ORT_PYTHON, or a
// virtual environment at bench/.models/ort-venv (see bench/README.md). Both are divided by the same bytes.
// Then accuracy and size on held-out data against quantize_static/quantize_dynamic (quantizeAccuracy.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { readModelFile } from '../../src/core/model/decode.js';
import { RuntimeClient } from '../../src/core/runtime/client.js';
import { generateInputs } from '../../src/core/runtime/inputs.js';
import { percentile } from '../../src/core/runtime/latency.js';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { quantizeAccuracyFigures } from './quantizeAccuracy.js';
import { alternate, isSummary, row, Side, type Row } from '../lib/rows.js';
import { summarize } from '../lib/stats.js';
import { modelDir, type BenchModel } from '../models.js';

// Each mode twice: ours with the weights' kernels on every core (worker threads, one tensor per job; set
// explicitly, as the default is one thread), and on one thread
// (`--threads 1`), the row that carries the one-core target.
const modes: Array<{ label: string; mode: string; args: string[]; threads: number; peer: string }> = [
  { label: 'dynamic int8', mode: 'dynamic', args: ['', 'integer'], peer: 'onnxruntime quantize_dynamic (Python)' },
  { label: 'weight-only int4 (MatMulNBits)', mode: 'weight-only', args: ['4', 'matmulnbits'], peer: 'onnxruntime MatMulNBitsQuantizer (Python)' },
  { label: 'weight-only int8 (blocked DequantizeLinear)', mode: 'weight-only', args: ['8', 'qdq'], peer: 'onnxruntime MatMulNBitsQuantizer, 8 bits, QDQ (Python)' },
].flatMap((m) => [{ ...m, threads: availableParallelism() }, { ...m, label: `${m.label}, 1 thread`, threads: 1 }]);

const peerScript = [
  'import sys, time, json',
  'import onnx',
  'from onnxruntime.quantization import quantize_dynamic, QuantType, QuantFormat',
  'from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer',
  'mode, src, dst = sys.argv[1:4]',
  'bits = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else 4',
  'fmt = QuantFormat.QDQ if len(sys.argv) > 5 and sys.argv[5] == "qdq" else QuantFormat.QOperator',
  't = time.perf_counter()',
  "if mode == 'dynamic':",
  '    quantize_dynamic(src, dst, weight_type=QuantType.QInt8)',
  'else:',
  '    q = MatMulNBitsQuantizer(onnx.load(src), bits=bits, block_size=32, is_symmetric=True, quant_format=fmt)',
  '    q.process()',
  '    q.model.save_model_to_file(dst)',
  "print(json.dumps({'ms': (time.perf_counter() - t) * 1000}))",
].join('\n');

/** The quantization target (issue 7): at least this many MB/s of fp32 weights on one core, for the dynamic and weight-only modes. */
const targetMBps = 200;

let peerPython: string | null | undefined;

/** A Python that has onnxruntime's quantizer, or null. */
export function quantizePeerPython(): string | null {
  if (peerPython !== undefined) return peerPython;
  const candidates = [process.env.BENCH_ORT_PYTHON, join(modelDir, 'ort-venv', 'bin', 'python')].filter((p): p is string => !!p && existsSync(p));
  peerPython = candidates.find((p) => {
    try {
      execFileSync(p, ['-c', 'import onnxruntime.quantization.matmul_nbits_quantizer'], { stdio: 'ignore', timeout: 60_000 });
      return true;
    } catch {
      return false;
    }
  }) ?? null;
  return peerPython;
}

export async function quantizeFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const rows: Row[] = [];
  const python = quantizePeerPython();
  // Weight-only quantization is for MatMul weights: a Conv/Gemm model has nothing for it.
  const hasMatMul = ((await readModelFile(model.path)).model.graph?.node ?? []).some((n) => n.opType === 'MatMul');
  // Three samples: each is a whole file-to-file run on both sides, and the Python peer imports onnxruntime each time.
  const samples = Math.min(ctx.samples, 3);
  const outputs: Array<{ label: string; path: string }> = [];
  for (const m of modes) {
    if (m.mode === 'weight-only' && !hasMatMul) continue;
    const ours = new Side();
    const peer = new Side();
    const out = join(ctx.tmp, `${model.name}.${m.mode}${m.args[0] ? `-${m.args[0]}` : ''}-t${m.threads}.onnx`);
    let weightMB = 0;
    let threads = 1;
    await alternate(samples, ours, async () => {
      const p = probeJson<{ mbPerSecond: number; stepMbPerSecond: number; weightMB: number; threads: number }>(
        await runChild(process.execPath, [ctx.probes.quantize, model.path, out, m.mode, ...m.args, String(m.threads)], { timeoutMs: 600_000 }), `quantize ${m.mode}`);
      weightMB = p.weightMB;
      threads = p.threads;
      return { mbps: p.mbPerSecond, step: p.stepMbPerSecond };
    }, python ? peer : undefined, python ? async () => {
      const p = probeJson<{ ms: number }>(await runChild(python, ['-c', peerScript, m.mode, model.path, out + '.peer.onnx', ...m.args], { timeoutMs: 600_000 }), 'onnxruntime quantizer');
      return { mbps: weightMB / (p.ms / 1000) };
    } : undefined);
    if (m.threads !== 1) outputs.push({ label: m.label, path: out });
    const measured = ours.measured('mbps');
    const step = ours.measured('step');
    rows.push(row({
      figure: `quantize ${m.label}: throughput`, model: model.name, unit: 'MB/s', better: 'higher', ours: measured,
      ...(python ? { peerName: m.peer, peer: peer.measured('mbps') } : {}),
      // The target is for large weights; small models measure process start and graph overhead instead.
      ...(weightMB >= 50 && m.threads === 1 && isSummary(measured) ? { target: { text: `≥ ${targetMBps} MB/s`, met: measured.median >= targetMBps } } : {}),
      note: `${weightMB.toFixed(1)} MB of fp32 weights, read to written, kernels on ${threads === 1 ? 'the main thread' : `${threads} worker threads`}${isSummary(step) ? `; the in-memory quantize step alone ${step.median.toFixed(0)} MB/s` : ''}`,
    }));
  }
  if (hasMatMul && model.runDims) {
    const fp16 = join(ctx.tmp, `${model.name}.fp16.onnx`);
    probeJson(await runChild(process.execPath, [ctx.probes.quantize, model.path, fp16, 'fp16'], { timeoutMs: 600_000 }), 'quantize fp16');
    outputs.push({ label: 'float16', path: fp16 });
    rows.push(...await againstFp32(ctx, model, outputs, samples));
  }
  rows.push(...await quantizeAccuracyFigures(ctx, model, python));
  return rows;
}

/** What quantizing bought on a transformer: file size and test-run latency (our runner) against the fp32 model. */
async function againstFp32(ctx: BenchContext, model: BenchModel, outputs: Array<{ label: string; path: string }>, samples: number): Promise<Row[]> {
  const feeds = generateInputs((await readModelFile(model.path)).model, { dims: model.runDims, seed: 1 });
  const p50 = async (path: string) => {
    const client = RuntimeClient.start({ timeoutMs: 300_000 });
    try {
      const session = await client.open(path, { settings: { graphOptimizationLevel: 'all', intraOpThreads: 1, executionProviders: ['cpu'] } });
      const times = await session.time(feeds, { warmup: 5, iterations: ctx.quick ? 20 : 50 });
      await session.close();
      return { ms: percentile([...times].sort((a, b) => a - b), 50) };
    } finally {
      client.dispose();
    }
  };
  const mb = (path: string) => summarize([statSync(path).size / 2 ** 20]);
  const rows: Row[] = [];
  for (const q of outputs) {
    const ours = new Side();
    const peer = new Side();
    await alternate(samples, ours, () => p50(q.path), peer, () => p50(model.path));
    rows.push(row({ figure: `quantize ${q.label}: file size`, model: model.name, unit: 'MB', better: 'lower', ours: mb(q.path), peerName: 'the fp32 model', peer: mb(model.path), note: 'the whole file: weights a mode leaves in float (embeddings for weight-only) count in full' }));
    rows.push(row({ figure: `quantize ${q.label}: test-run latency p50`, model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName: 'the fp32 model', peer: peer.measured('ms'), note: 'our runner, one intra-op thread, graph optimization all' }));
  }
  return rows;
}
