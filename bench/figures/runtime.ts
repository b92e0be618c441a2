// Test-run latency through our runner (RuntimeClient: onnxruntime-node in its child process, timed
// there around session.run) against a bare onnxruntime-node script, same model, feeds and session
// settings. Also the round trip a caller of the client sees (IPC included) and session creation.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile } from '../../src/core/model/decode.js';
import { DataType } from '../../src/core/model/proto.js';
import type { TensorArray } from '../../src/core/model/tensorValues.js';
import { RuntimeClient, type SessionSettings } from '../../src/core/runtime/client.js';
import { generateInputs } from '../../src/core/runtime/inputs.js';
import { percentile } from '../../src/core/runtime/latency.js';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, isSummary, row, Side, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';

const threads = 1;
const settings: SessionSettings = { graphOptimizationLevel: 'all', intraOpThreads: threads, executionProviders: ['cpu'] };

function feedsJson(feeds: Record<string, TensorArray>): string {
  const out: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(feeds)) {
    if (t.dtype === DataType.FLOAT) out[name] = { type: 'float32', dims: t.dims, data: Array.from(t.data as Float32Array) };
    else if (t.dtype === DataType.INT64) out[name] = { type: 'int64', dims: t.dims, data: Array.from(t.data as BigInt64Array, String) };
    else throw new Error(`input ${name}: element type ${t.dtype} is not benchmarked`);
  }
  return JSON.stringify(out);
}

export async function runtimeFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const { model: proto } = await readModelFile(model.path);
  const feeds = generateInputs(proto, { dims: model.runDims, seed: 1 });
  const feedsPath = join(ctx.tmp, `${model.name}.feeds.json`);
  writeFileSync(feedsPath, feedsJson(feeds));
  const inputBytes = Object.values(feeds).reduce((n, t) => n + (ArrayBuffer.isView(t.data) ? t.data.byteLength : 0), 0);
  let outputBytes = 0;
  const warmup = 5;
  const iterations = ctx.quick ? 20 : 50;
  const ours = new Side();
  const peer = new Side();
  // Round trips are many and short: enough of them for a steady median on a busy machine.
  const roundTripCount = ctx.quick ? 200 : 500;
  await alternate(ctx.samples, ours, async () => {
    // A fresh child per sample, as the bare script gets a fresh process.
    const started = performance.now();
    const client = RuntimeClient.start({ timeoutMs: 300_000 });
    try {
      const session = await client.open(model.path, { settings });
      const firstSession = performance.now() - started;
      const times = await session.time(feeds, { warmup, iterations });
      const roundTrips: number[] = [];
      const beyondRun: number[] = [];
      for (let i = 0; i < roundTripCount; i++) {
        const sent = performance.now();
        const { outputs, ms } = await session.run(feeds);
        const roundTrip = performance.now() - sent;
        roundTrips.push(roundTrip);
        beyondRun.push(roundTrip - ms);
        outputBytes = Object.values(outputs).reduce((n, t) => n + (ArrayBuffer.isView(t.data) ? t.data.byteLength : 0), 0);
      }
      await session.close();
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
      return {
        p50: percentile(sorted(times), 50), roundTrip: percentile(sorted(roundTrips), 50), beyondRun: percentile(sorted(beyondRun), 50),
        create: session.createMs, firstSession,
      };
    } finally {
      client.dispose();
    }
  }, peer, async () => {
    const p = probeJson<{ p50: number; createMs: number; readyMs: number }>(
      await runChild(process.execPath, [ctx.probes.ortBare, model.path, feedsPath, String(warmup), String(iterations), String(threads)], { timeoutMs: 300_000 }), 'bare onnxruntime-node');
    return { p50: p.p50, create: p.createMs, firstSession: p.readyMs };
  });
  // The floor under the round trip: a forked Node child answering messages of the same sizes, no onnxruntime.
  const floor = new Side();
  for (let i = 0; outputBytes > 0 && i < ctx.samples; i++) {
    await floor.sample(async () => probeJson<{ p50: number }>(
      await runChild(process.execPath, [ctx.probes.ipcEcho, 'parent', String(inputBytes), String(outputBytes), String(iterations)], { timeoutMs: 60_000 }), 'IPC echo'));
  }
  const peerName = 'bare onnxruntime-node script';
  const note = `${threads} intra-op thread, optimization 'all', ${iterations} timed runs after ${warmup} warm-up`;
  const roundTrip = row({
    figure: 'run round trip through the client p50', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('roundTrip'), peerName, peer: peer.measured('p50'),
    note: `ours includes IPC to the child process; p50 of ${roundTripCount} calls`,
  });
  const oursTrip = roundTrip.ours;
  const peerRun = roundTrip.peer;
  if (isSummary(oursTrip) && isSummary(peerRun)) {
    const over = oursTrip.median - peerRun.median;
    roundTrip.target = { text: `≤ +0.1 ms over the peer (issue 21): +${over.toFixed(2)} ms`, met: over <= 0.1 };
  }
  return [
    row({ figure: 'test-run latency p50', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('p50'), peerName, peer: peer.measured('p50'), note }),
    roundTrip,
    row({
      figure: 'run round trip minus the run itself (the client\'s own cost per call) p50', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('beyondRun'),
      note: 'per call: the round trip less session.run as timed in the child, so the child\'s cold caches after waiting count as the run\'s',
    }),
    row({
      figure: 'child-process message round trip, no onnxruntime (the floor under the client\'s round trip)', model: model.name, unit: 'ms', better: 'lower', ours: floor.measured('p50'),
      note: `a forked Node child (advanced serialization, as the client's) answering ${inputBytes} B requests with ${outputBytes} B replies, p50 of ${iterations}`,
    }),
    row({
      figure: 'session creation', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('create'), peerName, peer: peer.measured('create'),
      note: 'inside the process; the peer\'s is its first session and pays onnxruntime\'s set-up, which our child does on a one-node model when it starts',
    }),
    row({
      figure: 'first session ready from a cold start', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('firstSession'), peerName, peer: peer.measured('firstSession'),
      note: 'ours: RuntimeClient.start() to open() resolved (start the process, load and set up onnxruntime, create); peer: its process start to its session created',
    }),
  ];
}
