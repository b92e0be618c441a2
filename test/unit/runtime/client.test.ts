import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType } from '../../../src/core/model/proto.js';
import { tensorToArray, type TensorArray } from '../../../src/core/model/tensorValues.js';
import { RunCancelledError, RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { measureLatency } from '../../../src/core/runtime/latency.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { endlessModel, int4OutputModel, passThroughModel, passThroughTypes } from './runtimeModels.js';

const client = RuntimeClient.start({ timeoutMs: 60_000 });
after(() => client.dispose());

const linear = linearModel(4, 3);
const linearBytes = encodeModel(linear);
const x = (rows: number): TensorArray => ({ dtype: DataType.FLOAT, dims: [rows, 4], data: Float32Array.from({ length: rows * 4 }, (_, i) => (i % 5) - 2) });

/** X @ W + B computed here, as the independent reference. */
function linearReference(input: TensorArray): Float32Array {
  const w = tensorToArray(linear.graph!.initializer![0]).data as Float32Array;
  const b = tensorToArray(linear.graph!.initializer![1]).data as Float32Array;
  const rows = input.dims[0];
  const out = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) for (let c = 0; c < 3; c++) {
    let sum = b[c];
    for (let k = 0; k < 4; k++) sum += (input.data as Float32Array)[r * 4 + k] * w[k * 3 + c];
    out[r * 3 + c] = sum;
  }
  return out;
}

function assertOneLineUserError(error: unknown, pattern: RegExp): true {
  assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
  assert.match(error.message, pattern);
  assert.ok(!error.message.includes('\n'), 'one line');
  return true;
}

test('runs a model from bytes and from a path; outputs match the arithmetic', async () => {
  const dir = tempDir();
  const path = join(dir, 'linear.onnx');
  writeFileSync(path, linearBytes);
  for (const model of [linearBytes, path]) {
    const out = await client.run(model, { X: x(5) });
    assert.deepEqual(Object.keys(out), ['Y']);
    assert.equal(out.Y.dtype, DataType.FLOAT);
    assert.deepEqual(out.Y.dims, [5, 3]);
    const want = linearReference(x(5));
    (out.Y.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `Y[${i}]`));
  }
});

test('runMany uses one session for many feeds; outputs can be chosen', async () => {
  const results = await client.runMany(linearBytes, [{ X: x(1) }, { X: x(2) }, { X: x(7) }], { outputs: ['Y'] });
  assert.deepEqual(results.map((r) => r.Y.dims), [[1, 3], [2, 3], [7, 3]]);
  const session = await client.open(linearBytes);
  assert.deepEqual(session.inputs, [{ name: 'X', isTensor: true, type: 'float32', shape: ['N', 4] }]);
  assert.deepEqual(session.outputs.map((o) => o.name), ['Y']);
  assert.ok(session.createMs > 0);
  // Only graph outputs can be fetched (capture adds intermediates as outputs for that reason).
  await assert.rejects(session.run({ X: x(2) }, { outputs: ['XW'] }), (e) => assertOneLineUserError(e, /^onnxruntime: .*XW/));
  await session.close();
});

test('every element type the JS API has passes through unchanged (float16 bits, int64 beyond 2^53, bool, string)', async () => {
  const rows = 2;
  const model = decodeModel(passThroughModel());
  const feeds = generateInputs(model, { dims: { N: rows }, seed: 3 });
  feeds[`in_${DataType.INT64}`] = { dtype: DataType.INT64, dims: [rows, 3], data: BigInt64Array.of(2n ** 60n + 1n, -(2n ** 62n), 0n, 1n, -1n, 9n) };
  feeds[`in_${DataType.UINT64}`] = { dtype: DataType.UINT64, dims: [rows, 3], data: BigUint64Array.of(2n ** 64n - 1n, 0n, 1n, 2n, 3n, 4n) };
  feeds[`in_${DataType.STRING}`] = { dtype: DataType.STRING, dims: [rows, 3], data: ['a', '', 'ünïcode', 'x y', '✓', 'z'] };
  const out = await client.run(passThroughModel(), feeds);
  for (const t of passThroughTypes) {
    const sent = feeds[`in_${t}`];
    const got = out[`out_${t}`];
    assert.equal(got.dtype, t, `dtype ${t}`);
    assert.deepEqual(got.dims, [rows, 3], `dims ${t}`);
    assert.deepEqual(Array.from(got.data as ArrayLike<unknown>), Array.from(sent.data as ArrayLike<unknown>), `values ${t}`);
    assert.equal(Object.getPrototypeOf(got.data), Object.getPrototypeOf(sent.data), `array type ${t}`);
  }
});

test('int4 and uint4, which onnxruntime-node cannot pass, are refused with one line instead of crashing it', async () => {
  await client.run(linearBytes, { X: x(1) });
  const pid = client.pid;
  await assert.rejects(client.run(int4OutputModel(), { x: { dtype: DataType.FLOAT, dims: [5], data: Float32Array.of(-8, 7, -1, 0, 3) } }),
    (e) => assertOneLineUserError(e, /^Output 'q' is int4, which onnxruntime-node cannot return\.$/));
  // The other outputs are still available.
  const r = await client.run(int4OutputModel(), { x: { dtype: DataType.FLOAT, dims: [5], data: Float32Array.of(-8, 7, -1, 0, 3) } }, { outputs: ['r'] });
  assert.deepEqual(Array.from(r.r.data as Float32Array), [0, 7, 0, 0, 3]);
  await assert.rejects(client.run(linearBytes, { X: { dtype: DataType.INT4, dims: [1, 4], data: new Int8Array(4) } }),
    (e) => assertOneLineUserError(e, /^Input 'X' has element type int4, which onnxruntime's JavaScript API cannot pass in\.$/));
  assert.equal(client.pid, pid, 'no crash');
});

test('onnxruntime errors are one line and leave the child running', async () => {
  await client.run(linearBytes, { X: x(1) });
  const pid = client.pid;
  await assert.rejects(client.run(linearBytes, { X: { dtype: DataType.FLOAT, dims: [2, 5], data: new Float32Array(10) } }),
    (e) => assertOneLineUserError(e, /^onnxruntime: .*(dimension|Got invalid dimensions).*X/i));
  await assert.rejects(client.run(linearBytes, { X: { dtype: DataType.DOUBLE, dims: [1, 4], data: new Float64Array(4) } }),
    (e) => assertOneLineUserError(e, /^onnxruntime: .*type/i));
  await assert.rejects(client.run(linearBytes, {}), (e) => assertOneLineUserError(e, /^onnxruntime: .*X/));
  await assert.rejects(client.run(Uint8Array.of(1, 2, 3, 4, 5), {}), (e) => assertOneLineUserError(e, /^onnxruntime: /));
  await assert.rejects(client.run('/nonexistent/model.onnx', {}), (e) => assertOneLineUserError(e, /No such file/));
  const bf16 = { dtype: DataType.BFLOAT16, dims: [1, 4], data: new Uint16Array(4) };
  await assert.rejects(client.run(linearBytes, { X: bf16 }), (e) => assertOneLineUserError(e, /bfloat16.*JavaScript API/));
  assert.equal(client.pid, pid, 'the same child serves on');
  assert.deepEqual((await client.run(linearBytes, { X: x(1) })).Y.dims, [1, 3]);
});

test('a child killed mid-run (as by a segfault) rejects with one line; the next request starts a new child', async () => {
  const session = await client.open(endlessModel());
  const pid = client.pid!;
  const running = session.run({ x: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(0) } });
  setTimeout(() => process.kill(pid, 'SIGSEGV'), 300);
  await assert.rejects(running, (e) => assertOneLineUserError(e, /^onnxruntime stopped unexpectedly \(it was killed by SIGSEGV\)/));
  await assert.rejects(session.run({ x: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(0) } }), (e) => assertOneLineUserError(e, /restarted/));
  assert.deepEqual((await client.run(linearBytes, { X: x(3) })).Y.dims, [3, 3]);
  assert.notEqual(client.pid, pid);
});

test('a hung run is stopped at the time limit; the client recovers', async () => {
  const short = RuntimeClient.start({ timeoutMs: 1500 });
  try {
    await assert.rejects(short.run(endlessModel(), { x: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(0) } }),
      (e) => assertOneLineUserError(e, /^onnxruntime did not finish within 1\.5 seconds and was stopped\.$/));
    assert.equal(short.pid, undefined, 'the hung child is gone');
    assert.deepEqual((await short.run(linearBytes, { X: x(2) })).Y.dims, [2, 3]);
  } finally {
    short.dispose();
  }
});

test('an AbortSignal cancels a run by stopping the child', async () => {
  const controller = new AbortController();
  const running = client.run(endlessModel(), { x: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(0) } }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 500);
  await assert.rejects(running, (e) => e instanceof RunCancelledError && assertOneLineUserError(e, /^The run was cancelled\.$/));
  await assert.rejects(client.run(linearBytes, { X: x(1) }, { signal: controller.signal }), RunCancelledError);
  assert.deepEqual((await client.run(linearBytes, { X: x(1) })).Y.dims, [1, 3]);
});

test('latency: warm-up, N timed runs, ordered percentiles, session creation time', async () => {
  const latency = await measureLatency(client, linearBytes, { X: x(4) }, { warmup: 2, iterations: 25 });
  assert.equal(latency.iterations, 25);
  assert.equal(latency.times.length, 25);
  assert.ok(latency.sessionCreateMs > 0);
  assert.ok(latency.min > 0);
  assert.ok(latency.min <= latency.p50 && latency.p50 <= latency.p90 && latency.p90 <= latency.p99 && latency.p99 <= latency.max);
  const sorted = [...latency.times].sort((a, b) => a - b);
  assert.equal(latency.p50, (sorted[12]));
  assert.ok(Math.abs(latency.mean - latency.times.reduce((s, t) => s + t, 0) / 25) < 1e-9);
});

test('session settings reach onnxruntime: optimized model file, thread count, optimization level; profiling gives per-node times', async () => {
  const dir = tempDir();
  const optimized = join(dir, 'optimized.onnx');
  await client.run(linearBytes, { X: x(1) }, { settings: { graphOptimizationLevel: 'basic', intraOpThreads: 1, optimizedModelFilePath: optimized } });
  const written = decodeModel(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(optimized))));
  assert.ok((written.graph?.node?.length ?? 0) > 0, 'onnxruntime wrote its optimized graph');
  await assert.rejects(client.run(linearBytes, { X: x(1) }, { settings: { executionProviders: ['no-such-provider'] } }), (e) => assertOneLineUserError(e, /^onnxruntime: /));
  // Unoptimized, so that profiled names are the graph's node names (level 'all' fuses MatMul + Add).
  const session = await client.open(linearBytes, { profile: true, settings: { graphOptimizationLevel: 'disabled' } });
  for (let i = 0; i < 3; i++) await session.run({ X: x(2) });
  const { nodeTimes } = await session.close();
  assert.deepEqual(nodeTimes?.map((n) => n.name).sort(), ['add', 'matmul']);
  for (const n of nodeTimes!) {
    assert.equal(n.count, 3);
    assert.ok(n.totalMs >= 0);
    assert.equal(n.provider, 'CPUExecutionProvider');
  }
  assert.deepEqual(nodeTimes?.map((n) => n.opType).sort(), ['Add', 'MatMul']);
});

test('info lists the execution providers', async () => {
  const info = await client.info();
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.ok(info.backends.some((b) => b.name === 'cpu'));
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts the fixture (through `launcher`, if given) and returns its pid and its onnxruntime child's. */
async function orphanFixture(launcher: string[] = []): Promise<{ launcher: ReturnType<typeof spawn>; parentPid: number; childPid: number }> {
  const command = [...launcher, process.execPath, '--import', 'tsx', 'test/unit/runtime/orphanParent.ts'];
  const started = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const [parentPid, childPid] = await new Promise<number[]>((resolve, reject) => {
    started.stdout!.on('data', (chunk: Buffer) => resolve(chunk.toString().trim().split(' ').map(Number)));
    started.on('exit', () => reject(new Error('the fixture process ended early')));
  });
  assert.ok(parentPid > 0 && childPid > 0);
  assert.ok(alive(childPid), 'the onnxruntime child runs');
  return { launcher: started, parentPid, childPid };
}

async function assertGone(pid: number): Promise<void> {
  // Generous for a loaded machine; the watchdog polls every half second.
  const deadline = Date.now() + 15_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(pid), false, 'the onnxruntime child was left running');
}

test('the child does not outlive a parent killed hard in the middle of a hung run', async () => {
  const { parentPid, childPid } = await orphanFixture();
  process.kill(parentPid, 'SIGKILL');
  await assertGone(childPid);
});

test('the child does not outlive a killed parent that stays a zombie (its own parent never reaps it)', { skip: process.platform === 'win32' && 'POSIX process model' }, async () => {
  // `sh -c '... & exec sleep'`: the fixture's parent becomes `sleep`, which never waits for it, so the
  // killed fixture stays a zombie and its pid still answers process.kill(pid, 0).
  const { launcher, parentPid, childPid } = await orphanFixture(['sh', '-c', '"$@" & exec sleep 120', 'sh']);
  try {
    process.kill(parentPid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(alive(parentPid), 'the killed parent lingers as a zombie');
    await assertGone(childPid);
  } finally {
    launcher.kill('SIGKILL');
  }
});
