// The local endpoint (`onnx-lens serve`, one instance) under a bounded load from this process, side by side
// with a bare onnxruntime-node script running the same model on the same feeds in a loop: the overhead
// per request at concurrency 1 (JSON and binary), throughput and p50/p99 at 1, 4 and 16, and the server's
// memory over a soak. Beside both, the floor under any Node HTTP server: a minimal node:http server with
// onnxruntime-node in-process (bench/probes/httpFloor.ts) answering the same requests under the same load,
// so the gap to the bare loop splits into what HTTP on loopback costs at all and what is ours.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile } from '../../src/core/model/decode.js';
import { DataType } from '../../src/core/model/proto.js';
import type { TensorArray } from '../../src/core/model/tensorValues.js';
import { generateInputs } from '../../src/core/runtime/inputs.js';
import { percentile } from '../../src/core/runtime/latency.js';
import { protocolDatatype } from '../../src/core/serve/datatypes.js';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { generateLoad } from '../lib/loadGenerator.js';
import { isSummary, row, Side, type Row } from '../lib/rows.js';
import { summarize } from '../lib/stats.js';
import type { BenchModel } from '../models.js';

const cli = join(process.cwd(), 'dist', 'cli.cjs');

function jsonBody(feeds: Record<string, TensorArray>): Buffer {
  const inputs = Object.entries(feeds).map(([name, t]) => ({
    name, shape: t.dims, datatype: protocolDatatype(t.dtype),
    data: t.dtype === DataType.INT64 ? Array.from(t.data as BigInt64Array, Number) : Array.from(t.data as Float32Array),
  }));
  return Buffer.from(JSON.stringify({ inputs }));
}

function binaryBody(feeds: Record<string, TensorArray>): { body: Buffer; headerLength: number } {
  const parts = Object.values(feeds).map((t) => Buffer.from((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength));
  const header = Buffer.from(JSON.stringify({
    inputs: Object.entries(feeds).map(([name, t], i) => ({ name, shape: t.dims, datatype: protocolDatatype(t.dtype), parameters: { binary_data_size: parts[i].length } })),
    parameters: { binary_data_output: true },
  }));
  return { body: Buffer.concat([header, ...parts]), headerLength: header.length };
}

function feedsJson(feeds: Record<string, TensorArray>): string {
  const out: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(feeds)) {
    out[name] = t.dtype === DataType.INT64
      ? { type: 'int64', dims: t.dims, data: Array.from(t.data as BigInt64Array, String) }
      : { type: 'float32', dims: t.dims, data: Array.from(t.data as Float32Array) };
  }
  return JSON.stringify(out);
}

/** Starts `onnx-lens serve` on a free port; resolves with its infer URL once it listens. */
function startServer(modelPath: string): Promise<{ child: ChildProcess; inferUrl: string }> {
  return startListening(process.execPath, [cli, 'serve', modelPath, '--port', '0', '--threads', '1', '--queue', '256'], 'onnx-lens serve');
}

/** Starts the minimal node:http server with onnxruntime-node in-process (1 intra-op thread, as ours). */
function startFloor(ctx: BenchContext, modelPath: string): Promise<{ child: ChildProcess; inferUrl: string }> {
  return startListening(process.execPath, [ctx.probes.httpFloor, modelPath, '1'], 'the node:http floor', { NODE_PATH: join(process.cwd(), 'node_modules') });
}

function startListening(command: string, args: string[], what: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; inferUrl: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /infer: POST (\S+)/.exec(out);
      if (match) resolve({ child, inferUrl: match[1] });
    });
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}: ${(out + err).slice(0, 200)}`)));
  });
}

/** Resident memory of a process and its children (the server and its onnxruntime child), in MB. */
function rssMB(pid: number): number {
  const status = (p: number) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    children = [];
  }
  return status(pid) + children.reduce((n, c) => n + status(c), 0);
}

interface Soak {
  /** RSS after the warm-up tenth, at the end, and the largest sample, in MB. */
  start: number;
  end: number;
  max: number;
  /** Least-squares slope of RSS over time after the warm-up, MB per minute. */
  slope: number;
  flat: boolean;
  samples: number;
  requests: number;
  settleSeconds: number;
}

/** Least-squares slope of y over x. */
function slopeOf(points: Array<{ x: number; y: number }>): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
}

/**
 * Memory over a soak at concurrency 4: RSS of the server and its onnxruntime child once a second. The
 * first tenth is warm-up (allocators and onnxruntime's arenas settle); start, slope and verdict use the rest.
 */
async function memorySoak(inferUrl: string, pid: number, body: Buffer, seconds: number): Promise<Soak> {
  const samples: Array<{ x: number; y: number }> = [];
  const started = performance.now();
  const timer = setInterval(() => samples.push({ x: (performance.now() - started) / 60_000, y: rssMB(pid) }), 1000);
  const load = await generateLoad(inferUrl, body, { 'Content-Type': 'application/json' }, 4, seconds * 1000);
  clearInterval(timer);
  samples.push({ x: (performance.now() - started) / 60_000, y: rssMB(pid) });
  if (load.errors) throw new Error(`soak: ${load.errors} of ${load.requests} requests failed`);
  const settleSeconds = Math.max(1, Math.round(seconds / 10));
  const settled = samples.filter((p) => p.x * 60 >= settleSeconds);
  const start = settled[0].y;
  const slope = slopeOf(settled);
  const growth = slope * (settled[settled.length - 1].x - settled[0].x);
  return {
    start, end: settled[settled.length - 1].y, max: Math.max(...samples.map((p) => p.y)), slope,
    flat: growth < Math.max(1, 0.02 * start), samples: samples.length, requests: load.requests, settleSeconds,
  };
}

export async function serveFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const { model: proto } = await readModelFile(model.path);
  const feeds = generateInputs(proto, { dims: model.runDims, seed: 1 });
  const feedsPath = join(ctx.tmp, `${model.name}.serve-feeds.json`);
  writeFileSync(feedsPath, feedsJson(feeds));
  const json = jsonBody(feeds);
  const binary = binaryBody(feeds);
  const seconds = ctx.quick ? 3 : 10;
  const soakSeconds = ctx.quick ? 10 : 60;
  const bare = new Side();
  const floor = new Side();
  const sides = new Map<string, Side>();
  const side = (key: string) => sides.get(key) ?? sides.set(key, new Side()).get(key)!;
  let soak: Soak | undefined;
  for (let i = 0; i < ctx.samples; i++) {
    const server = await startServer(model.path);
    try {
      await generateLoad(server.inferUrl, json, { 'Content-Type': 'application/json' }, 1, 1000); // warm-up
      for (const concurrency of [1, 4, 16]) {
        await side(`json${concurrency}`).sample(async () => {
          const r = await generateLoad(server.inferUrl, json, { 'Content-Type': 'application/json' }, concurrency, seconds * 1000);
          const sorted = r.latencies.sort((a, b) => a - b);
          if (r.errors) throw new Error(`${r.errors} of ${r.requests} requests failed`);
          return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), rps: r.requests / r.seconds };
        });
      }
      await side('binary1').sample(async () => {
        const r = await generateLoad(server.inferUrl, binary.body, { 'Inference-Header-Content-Length': String(binary.headerLength) }, 1, seconds * 1000);
        if (r.errors) throw new Error(`${r.errors} of ${r.requests} requests failed`);
        return { p50: percentile(r.latencies.sort((a, b) => a - b), 50) };
      });
      if (i === 0) soak = await memorySoak(server.inferUrl, server.child.pid!, json, soakSeconds);
    } finally {
      server.child.kill('SIGINT');
    }
    const floorServer = await startFloor(ctx, model.path);
    try {
      await generateLoad(floorServer.inferUrl, json, { 'Content-Type': 'application/json' }, 1, 1000); // warm-up
      await floor.sample(async () => {
        const j = await generateLoad(floorServer.inferUrl, json, { 'Content-Type': 'application/json' }, 1, seconds * 1000);
        const b = await generateLoad(floorServer.inferUrl, binary.body, { 'Inference-Header-Content-Length': String(binary.headerLength) }, 1, seconds * 1000);
        if (j.errors || b.errors) throw new Error(`${j.errors + b.errors} of ${j.requests + b.requests} requests to the floor failed`);
        return { json1: percentile(j.latencies.sort((x, y) => x - y), 50), binary1: percentile(b.latencies.sort((x, y) => x - y), 50) };
      });
    } finally {
      floorServer.child.kill('SIGINT');
    }
    await bare.sample(async () => probeJson<{ p50: number }>(
      await runChild(process.execPath, [ctx.probes.ortBare, model.path, feedsPath, '5', ctx.quick ? '200' : '1000', '1'], { timeoutMs: 300_000 }), 'bare onnxruntime-node'));
  }
  const peerName = 'bare onnxruntime-node script (session.run in a loop)';
  // The overhead in ms (median against median): the goal is stated for a 1 ms model, and these models run faster.
  const overhead = (key: string) => {
    const ours = side(key).measured('p50');
    const peer = bare.measured('p50');
    return isSummary(ours) && isSummary(peer) ? `overhead ${(ours.median - peer.median).toFixed(2)} ms per request` : 'overhead not measured';
  };
  const json1 = row({ figure: 'serve: request latency p50, concurrency 1, JSON', model: model.name, unit: 'ms', better: 'lower', ours: side('json1').measured('p50'), peerName, peer: bare.measured('p50'), note: `ours: HTTP POST to the endpoint and the whole answer back; ${overhead('json1')} (goal: ≤ 10% on a 1 ms model)` });
  // Issue 19's goal is stated for a model that runs about 1 ms (bench/models.ts: mlp-1ms).
  if (model.name === 'mlp-1ms' && json1.ratio !== undefined) json1.target = { text: '≤ 1.10× peer (issue 19)', met: json1.ratio <= 1.1 };
  const rows: Row[] = [
    json1,
    row({ figure: 'serve: request latency p50, concurrency 1, binary tensors', model: model.name, unit: 'ms', better: 'lower', ours: side('binary1').measured('p50'), peerName, peer: bare.measured('p50'), note: overhead('binary1') }),
  ];
  const floorName = 'minimal node:http server, onnxruntime-node in-process (the floor)';
  for (const [key, what] of [['json1', 'JSON'], ['binary1', 'binary tensors']] as const) {
    rows.push(row({
      figure: `serve: request latency p50, concurrency 1, ${what}, against the node:http floor`, model: model.name, unit: 'ms', better: 'lower',
      ours: side(key).measured('p50'), peerName: floorName, peer: floor.measured(key), note: 'what is ours: the supervisor, the instance child and our parse, checks and encoding',
    }));
    rows.push(row({
      figure: `serve: the node:http floor's request latency p50, concurrency 1, ${what}`, model: model.name, unit: 'ms', better: 'lower',
      ours: floor.measured(key), peerName, peer: bare.measured('p50'), note: 'not ours: what HTTP on loopback and the request\'s own parsing cost any Node server',
    }));
  }
  for (const concurrency of [1, 4, 16]) {
    const s = side(`json${concurrency}`);
    rows.push(row({ figure: `serve: throughput, concurrency ${concurrency}, JSON`, model: model.name, unit: 'req/s', better: 'higher', ours: s.measured('rps'), note: `one instance, 1 intra-op thread; p99 in the next row` }));
    rows.push(row({ figure: `serve: request latency p99, concurrency ${concurrency}, JSON`, model: model.name, unit: 'ms', better: 'lower', ours: s.measured('p99') }));
  }
  if (soak) {
    const what = `the server and its onnxruntime child, ${soakSeconds} s soak at concurrency 4 (${soak.requests} requests, ${soak.samples} samples)`;
    rows.push(row({
      figure: `serve: memory at the end of a ${soakSeconds} s soak`, model: model.name, unit: 'MB', better: 'lower',
      ours: summarize([soak.end]), peerName: `the same at ${soak.settleSeconds} s (after warm-up)`, peer: summarize([soak.start]),
      note: `${what}; ratio ≈ 1: no growth`,
    }));
    rows.push(row({ figure: `serve: memory, largest sample of the ${soakSeconds} s soak`, model: model.name, unit: 'MB', better: 'lower', ours: summarize([soak.max]), peerName: 'the start', peer: summarize([soak.start]) }));
    rows.push(row({
      figure: `serve: memory slope over the ${soakSeconds} s soak (least squares)`, model: model.name, unit: 'MB/min', better: 'lower', ours: summarize([soak.slope]),
      note: `${soak.flat ? 'flat' : 'growing'}: ${soak.slope >= 0 ? '+' : ''}${(soak.slope * soakSeconds / 60).toFixed(2)} MB over the soak against ${soak.start.toFixed(0)} MB (flat: under 2% or 1 MB)`,
    }));
  }
  return rows;
}
