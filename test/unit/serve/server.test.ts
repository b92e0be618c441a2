// The Open Inference Protocol endpoint, against a real running server and real onnxruntime children:
// every endpoint, every error case, binary tensors, concurrency, a full queue, a connection waiting for a
// busy instance, a client that goes away, a run that hangs and a child that dies; after each the server
// answers the next request.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { DataType } from '../../../src/core/model/proto.js';
import { tensorToArray } from '../../../src/core/model/tensorValues.js';
import { ModelServer } from '../../../src/core/serve/server.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { countingModel, endlessModel, passThroughModel } from '../runtime/runtimeModels.js';

const dir = tempDir('onnx-lens-serve-');
const linear = linearModel(4, 3);
const linearPath = join(dir, 'linear.onnx');
writeFileSync(linearPath, encodeModel(linear));
const passPath = join(dir, 'types.onnx');
writeFileSync(passPath, passThroughModel());
const endlessPath = join(dir, 'endless.onnx');
writeFileSync(endlessPath, endlessModel());
const countingPath = join(dir, 'counting.onnx');
writeFileSync(countingPath, countingModel());

const servers: ModelServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});
async function serve(modelPath: string, options: Partial<Parameters<typeof ModelServer.start>[0]> = {}): Promise<ModelServer> {
  const server = await ModelServer.start({ modelPath, port: 0, ...options });
  servers.push(server);
  return server;
}

const w = tensorToArray(linear.graph!.initializer![0]).data as Float32Array;
const b = tensorToArray(linear.graph!.initializer![1]).data as Float32Array;
/** X @ W + B computed here, the independent reference. */
function reference(x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) for (let c = 0; c < 3; c++) {
    let sum = b[c];
    for (let k = 0; k < 4; k++) sum += x[r * 4 + k] * w[k * 3 + c];
    out[r * 3 + c] = sum;
  }
  return out;
}

async function infer(server: ModelServer, body: unknown): Promise<{ status: number; json: { error?: string; outputs?: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }> } }> {
  const response = await fetch(server.inferUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

const linearInput = (rows: number, data = Array.from({ length: rows * 4 }, (_, i) => (i % 7) - 3)) => ({ name: 'X', shape: [rows, 4], datatype: 'FP32', data });

test('health, server and model metadata: datatypes and -1 for dynamic dims', async () => {
  const server = await serve(linearPath);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  for (const path of ['/v2/health/live', '/v2/health/ready', '/v2/models/linear/ready', '/v2/models/linear/versions/1/ready']) {
    assert.equal((await fetch(server.url + path)).status, 200, path);
  }
  assert.deepEqual(await (await fetch(`${server.url}/v2`)).json(), { name: 'onnx-lens', version: '1', extensions: ['binary_tensor_data'] });
  assert.deepEqual(await (await fetch(`${server.url}/v2/models/linear`)).json(), {
    name: 'linear', versions: ['1'], platform: 'onnxruntime_onnx',
    inputs: [{ name: 'X', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'Y', datatype: 'FP32', shape: [-1, 3] }],
  });
  const missing = await fetch(`${server.url}/v2/models/other`);
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).error, /No model 'other'.*serves 'linear'/);
  assert.equal((await fetch(`${server.url}/v2/models/linear/versions/2`)).status, 404);
  assert.equal((await fetch(`${server.url}/nothing`)).status, 404);
  assert.equal((await fetch(server.inferUrl)).status, 405);
});

test('JSON infer: the outputs are X @ W + B, nested or flat data, the id echoed, outputs chosen by name', async () => {
  const server = await serve(linearPath);
  const x = Float32Array.from({ length: 8 }, (_, i) => (i % 7) - 3);
  const flat = await infer(server, { id: 'r1', inputs: [linearInput(2, Array.from(x))] });
  assert.equal(flat.status, 200);
  assert.equal((flat.json as { id?: string }).id, 'r1');
  const [y] = flat.json.outputs!;
  assert.deepEqual([y.name, y.datatype, y.shape], ['Y', 'FP32', [2, 3]]);
  const expected = reference(x, 2);
  (y.data as number[]).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `Y[${i}] ${v} vs ${expected[i]}`));
  const nested = await infer(server, { inputs: [{ ...linearInput(2), data: [Array.from(x.subarray(0, 4)), Array.from(x.subarray(4))] }], outputs: [{ name: 'Y' }] });
  assert.deepEqual(nested.json.outputs![0].data, y.data);
});

test('every protocol datatype round-trips through JSON and through the binary extension', async () => {
  const server = await serve(passPath);
  const values: Record<string, unknown[]> = {
    FP32: [1.5, -2, 0, 3.25, 1e-3, 7], FP64: [1.1, -2.2, 0, 3.3, 1e100, -7], FP16: [1, -2, 0.5, 65504, -0.25, 3],
    INT8: [-128, 127, 0, 1, -1, 5], UINT8: [0, 255, 1, 2, 3, 4], INT16: [-32768, 32767, 0, 1, 2, 3], UINT16: [0, 65535, 1, 2, 3, 4],
    INT32: [-(2 ** 31), 2 ** 31 - 1, 0, 1, 2, 3], UINT32: [0, 2 ** 32 - 1, 1, 2, 3, 4], INT64: [-5, 2 ** 53 - 1, '9007199254740993', 0, 1, 2],
    UINT64: [0, 1, '18446744073709551615', 3, 4, 5], BOOL: [true, false, true, true, false, false], BYTES: ['a', '', 'héllo', 'x y', '"', 'z'],
  };
  const onnxType: Record<string, number> = {
    FP32: DataType.FLOAT, FP64: DataType.DOUBLE, FP16: DataType.FLOAT16, INT8: DataType.INT8, UINT8: DataType.UINT8, INT16: DataType.INT16,
    UINT16: DataType.UINT16, INT32: DataType.INT32, UINT32: DataType.UINT32, INT64: DataType.INT64, UINT64: DataType.UINT64, BOOL: DataType.BOOL, BYTES: DataType.STRING,
  };
  const inputs = Object.entries(values).map(([datatype, data]) => ({ name: `in_${onnxType[datatype]}`, shape: [2, 3], datatype, data }));
  const json = await infer(server, { inputs });
  assert.equal(json.status, 200, json.json.error);
  for (const [datatype, data] of Object.entries(values)) {
    const out = json.json.outputs!.find((o) => o.name === `out_${onnxType[datatype]}`)!;
    assert.equal(out.datatype, datatype);
    assert.deepEqual(out.shape, [2, 3]);
    // FP32 comes back as the shortest text of each float32 (0.001, not 0.0010000000474974513): read as
    // float32 it is the value sent.
    if (datatype === 'FP32') assert.deepEqual(Float32Array.from(out.data as number[]), Float32Array.from(data as number[]), datatype);
    else assert.deepEqual(out.data, datatype === 'INT64' ? [-5, 2 ** 53 - 1, '9007199254740993', 0, 1, 2] : data, datatype);
  }
  // The same tensors as binary, every output asked back as binary.
  const parts = inputs.map((input) => binaryOf(input.datatype, input.data));
  const header = Buffer.from(JSON.stringify({
    inputs: inputs.map((input, i) => ({ name: input.name, shape: input.shape, datatype: input.datatype, parameters: { binary_data_size: parts[i].length } })),
    parameters: { binary_data_output: true },
  }));
  const response = await fetch(server.inferUrl, {
    method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) }, body: Buffer.concat([header, ...parts]),
  });
  assert.equal(response.status, 200);
  const body = Buffer.from(await response.arrayBuffer());
  const jsonLength = Number(response.headers.get('inference-header-content-length'));
  const meta = JSON.parse(body.subarray(0, jsonLength).toString()) as { outputs: Array<{ name: string; parameters: { binary_data_size: number } }> };
  let at = jsonLength;
  const byName = new Map<string, Buffer>();
  for (const o of meta.outputs) {
    byName.set(o.name, body.subarray(at, at + o.parameters.binary_data_size));
    at += o.parameters.binary_data_size;
  }
  assert.equal(at, body.length, 'the binary sections add up to the body');
  inputs.forEach((input, i) => assert.deepEqual(byName.get(`out_${onnxType[input.datatype]}`), parts[i], input.datatype));
});

/** The extension's little-endian layout, written here independently of the server's code. */
function binaryOf(datatype: string, data: unknown[]): Buffer {
  if (datatype === 'BYTES') return Buffer.concat((data as string[]).map((s) => { const t = Buffer.from(s); const l = Buffer.alloc(4); l.writeUInt32LE(t.length); return Buffer.concat([l, t]); }));
  const size = { FP32: 4, FP64: 8, FP16: 2, INT8: 1, UINT8: 1, INT16: 2, UINT16: 2, INT32: 4, UINT32: 4, INT64: 8, UINT64: 8, BOOL: 1 }[datatype]!;
  const out = Buffer.alloc(size * data.length);
  data.forEach((v, i) => {
    const o = i * size;
    switch (datatype) {
      case 'FP32': out.writeFloatLE(v as number, o); break;
      case 'FP64': out.writeDoubleLE(v as number, o); break;
      case 'FP16': out.writeUInt16LE({ 1: 0x3c00, [-2]: 0xc000, 0.5: 0x3800, 65504: 0x7bff, [-0.25]: 0xb400, 3: 0x4200 }[v as number]!, o); break;
      case 'INT8': out.writeInt8(v as number, o); break;
      case 'UINT8': out.writeUInt8(v as number, o); break;
      case 'INT16': out.writeInt16LE(v as number, o); break;
      case 'UINT16': out.writeUInt16LE(v as number, o); break;
      case 'INT32': out.writeInt32LE(v as number, o); break;
      case 'UINT32': out.writeUInt32LE(v as number, o); break;
      case 'INT64': out.writeBigInt64LE(BigInt(v as number | string), o); break;
      case 'UINT64': out.writeBigUInt64LE(BigInt(v as number | string), o); break;
      case 'BOOL': out.writeUInt8(v ? 1 : 0, o); break;
    }
  });
  return out;
}

test('a large binary request (1.6 MB) gives the right binary output', async () => {
  const server = await serve(linearPath);
  const rows = 100_000;
  const x = Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(i));
  const data = Buffer.from(x.buffer);
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'X', shape: [rows, 4], datatype: 'FP32', parameters: { binary_data_size: data.length } }], outputs: [{ name: 'Y', parameters: { binary_data: true } }] }));
  const response = await fetch(server.inferUrl, { method: 'POST', headers: { 'Inference-Header-Content-Length': String(header.length) }, body: Buffer.concat([header, data]) });
  assert.equal(response.status, 200);
  const body = Buffer.from(await response.arrayBuffer());
  const start = Number(response.headers.get('inference-header-content-length'));
  const y = new Float32Array(body.buffer.slice(body.byteOffset + start, body.byteOffset + body.length));
  const expected = reference(x, rows);
  assert.equal(y.length, expected.length);
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - expected[i]));
  assert.ok(worst < 1e-5, `max abs error ${worst}`);
});

test('bad requests are 400 with one line saying what is wrong, and the server answers the next request', async () => {
  const server = await serve(linearPath, { maxBodyBytes: 4096 });
  const cases: Array<[unknown, RegExp]> = [
    ['{"inputs": [', /not valid JSON/],
    [[1, 2], /must be a JSON object/],
    [{}, /no "inputs" list/],
    [{ inputs: [{ ...linearInput(1), name: 'nope' }] }, /Unknown input 'nope': the model takes 'X'/],
    [{ inputs: [] }, /Input 'X' is missing/],
    [{ inputs: [linearInput(1), linearInput(1)] }, /Input 'X' is given twice/],
    [{ inputs: [{ ...linearInput(1), datatype: 'FP64' }] }, /Input 'X' must be FP32, not FP64/],
    [{ inputs: [{ ...linearInput(1), shape: [1, 5], data: [1, 2, 3, 4, 5] }] }, /Input 'X' axis 1 must be 4, not 5/],
    [{ inputs: [{ ...linearInput(1), shape: [4] }] }, /Input 'X' has rank 2 \(\[-1,4\]\), not 1/],
    [{ inputs: [{ ...linearInput(1), data: [1, 2, 3] }] }, /Input 'X' has 3 values; shape \[1,4\] needs 4/],
    [{ inputs: [{ ...linearInput(1), data: [1, 2, 'x', 4] }] }, /value 2 \("x"\) is not a number/],
    [{ inputs: [linearInput(1)], outputs: [{ name: 'Z' }] }, /Unknown output 'Z': the model gives 'Y'/],
    [{ inputs: [linearInput(1000)] }, /larger than the limit of 4096/],
  ];
  for (const [body, pattern] of cases) {
    const { status, json } = await infer(server, body);
    assert.equal(status, 400, `${JSON.stringify(body).slice(0, 80)}: ${json.error}`);
    assert.match(json.error!, pattern);
    assert.ok(!json.error!.includes('\n'));
  }
  const header = Buffer.from(JSON.stringify({ inputs: [{ ...linearInput(1), data: undefined, parameters: { binary_data_size: 16 } }] }));
  const short = await fetch(server.inferUrl, { method: 'POST', headers: { 'Inference-Header-Content-Length': String(header.length) }, body: Buffer.concat([header, Buffer.alloc(8)]) });
  assert.equal(short.status, 400);
  assert.match((await short.json()).error, /claims 16 bytes of binary data; 8 are left/);
  assert.equal((await infer(server, { inputs: [linearInput(1)] })).status, 200);
  assert.equal(server.stats().errors, cases.length + 1);
});

test('concurrent requests over two instances all get their own answers', async () => {
  const server = await serve(linearPath, { instances: 2 });
  assert.equal(new Set(server.pids).size, 2);
  const results = await Promise.all(Array.from({ length: 16 }, (_, r) => {
    const x = Float32Array.from({ length: 4 }, (_, i) => r * 10 + i);
    return infer(server, { inputs: [linearInput(1, Array.from(x))] }).then((res) => ({ res, expected: reference(x, 1) }));
  }));
  for (const { res, expected } of results) {
    assert.equal(res.status, 200);
    (res.json.outputs![0].data as number[]).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-4));
  }
  const stats = server.stats();
  assert.equal(stats.requests, 16);
  assert.ok(stats.p50Ms! > 0 && stats.p99Ms! >= stats.p50Ms!);
});

test('a full queue answers 503 at once; a run that hangs stops at the timeout with 500, and the next request is served', async () => {
  const server = await serve(endlessPath, { queueLimit: 1, timeoutMs: 3000 });
  const body = { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [0] }] };
  const running = infer(server, body);
  await new Promise((r) => setTimeout(r, 200));
  const waiting = infer(server, body);
  await new Promise((r) => setTimeout(r, 100));
  const refused = await infer(server, body);
  assert.equal(refused.status, 503);
  assert.match(refused.json.error!, /busy: 1 requests are waiting/);
  const first = await running;
  assert.equal(first.status, 500);
  assert.match(first.json.error!, /took longer than|timed out|stopped/i);
  assert.equal(server.stats().rejected, 1);
  await waiting; // the waiting one runs in a fresh child and times out too; the server is still up
  assert.equal((await fetch(`${server.url}/v2/health/live`)).status, 200);
});

interface Answer {
  status: number;
  json: { error?: string; outputs?: Array<{ data: unknown[] }> };
  socket: Socket;
}

/** One request through `agent` (keep-alive, one connection), with the connection it went on. */
function call(agent: Agent, url: string, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
    const req = request(url, { agent, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()), socket: req.socket! }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** x + n by the counting model: n = 2^40 runs until stopped. */
const countingBody = (n: number, x: number) => JSON.stringify({
  inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [x] }, { name: 'n', shape: [], datatype: 'INT64', data: [n] }],
});

test('while the instance runs a long request, a waiting connection gets its health and metadata answers at once; its infer request runs on the next free instance', async () => {
  const server = await serve(countingPath, { timeoutMs: 10_000 });
  const metadata = await (await fetch(`${server.url}/v2/models/counting`)).json();
  const long = infer(server, countingBody(2 ** 40, 0));
  // Without answers from the supervisor, the waiting connection's requests come after the run's 500.
  const runEnded = long.then((): never => { throw new Error('the long run ended before the waiting connection was answered'); });
  runEnded.catch(() => undefined);
  await waitUntil(async () => server.stats().running === 1);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<Socket>();
  const expected: Array<[string, number, object]> = [
    ['/v2/health/live', 200, {}], ['/v2/health/ready', 200, {}], ['/v2/models/counting/ready', 200, {}], ['/v2/models/counting', 200, metadata],
    ['/v2', 200, { name: 'onnx-lens', version: '1', extensions: ['binary_tensor_data'] }],
    ['/v2/models/other', 404, { error: "No model 'other': this server serves 'counting' version 1." }],
  ];
  for (const [path, status, body] of expected) {
    const answer = await Promise.race([call(agent, server.url + path), runEnded]);
    assert.equal(answer.status, status, path);
    assert.deepEqual(answer.json, body, path);
    sockets.add(answer.socket);
  }
  assert.equal(sockets.size, 1, 'every answer came on the one keep-alive connection');
  assert.deepEqual([server.stats().running, server.stats().queued], [1, 1]);
  // Two requests in one write (pipelined), the second asking to close: two answers, then the end.
  const raw = connect(Number(new URL(server.url).port), '127.0.0.1');
  raw.end('GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /v2/models/counting/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const text = await Promise.race([new Promise<string>((resolve, reject) => {
    let received = '';
    raw.on('data', (chunk: Buffer) => (received += chunk.toString()));
    raw.on('close', () => resolve(received));
    raw.on('error', reject);
  }), runEnded]);
  assert.deepEqual(text.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 200', 'HTTP/1.1 200']);
  assert.match(text, /Connection: close\r\n\r\n\{\}$/);
  // An infer request on it, its body longer than one read (JSON allows the trailing spaces): the supervisor
  // reads its head and stops; when the long run's child is stopped, the request goes on with the connection.
  const waiting = call(agent, server.inferUrl, 'POST', countingBody(3, 5) + ' '.repeat(300_000));
  await new Promise((r) => setTimeout(r, 200));
  process.kill(server.pids[0]!, 'SIGKILL');
  assert.equal((await long).status, 500);
  const answer = await waiting;
  assert.equal(answer.status, 200, answer.json.error);
  assert.deepEqual(answer.json.outputs![0].data, [8]);
  assert.ok(sockets.has(answer.socket), 'the same connection');
  assert.equal((await call(agent, `${server.url}/v2/health/live`)).status, 200);
  agent.destroy();
});

test('a child that crashes keeps what it counted: the totals and the latencies include every request it answered', async () => {
  const server = await serve(linearPath);
  for (let i = 0; i < 5; i++) assert.equal((await infer(server, { inputs: [linearInput(1)] })).status, 200);
  assert.equal((await infer(server, { inputs: [] })).status, 400);
  const pid = server.pids[0]!;
  // At once, the stats never asked for: the child had no moment to report them any other way.
  process.kill(pid, 'SIGKILL');
  await waitUntil(async () => server.pids[0] !== pid);
  const stats = server.stats();
  assert.deepEqual([stats.requests, stats.errors, stats.rejected], [6, 1, 0]);
  assert.ok(stats.p50Ms! > 0 && stats.p99Ms! >= stats.p50Ms!, 'the 5 latencies are in the window');
  assert.equal((await infer(server, { inputs: [linearInput(1)] })).status, 200);
  assert.equal(server.stats().requests, 7);
});

test('a client that disconnects mid-request and a child that dies cost nothing but themselves', async () => {
  const server = await serve(linearPath);
  // Half a body, then the socket goes.
  await new Promise<void>((resolve) => {
    const req = request(server.inferUrl, { method: 'POST', headers: { 'Content-Length': '1000' } });
    req.on('error', () => resolve());
    req.write('{"inputs": [');
    setTimeout(() => { req.destroy(); resolve(); }, 100);
  });
  assert.equal((await infer(server, { inputs: [linearInput(1)] })).status, 200);
  // The instance's process is killed while idle: the supervisor hands its open connections to the next
  // child, so the next request (on the same keep-alive connection) is answered.
  const pid = server.pids[0]!;
  process.kill(pid, 'SIGKILL');
  const during = await infer(server, { inputs: [linearInput(1)] });
  assert.equal(during.status, 200, during.json.error);
  assert.notEqual(server.pids[0], pid);
  assert.equal((await infer(server, { inputs: [linearInput(1)] })).status, 200);
});

test('a child killed during a run: the supervisor answers that request 500 in one line, and the next request is served', async () => {
  const server = await serve(endlessPath);
  const body = { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [0] }] };
  const running = infer(server, body);
  await waitUntil(async () => server.stats().running === 1);
  const pid = server.pids[0]!;
  process.kill(pid, 'SIGKILL');
  const answer = await running;
  assert.equal(answer.status, 500);
  assert.match(answer.json.error!, /^onnxruntime stopped unexpectedly \(it was killed by SIGKILL\)/);
  assert.ok(!answer.json.error!.includes('\n'));
  assert.equal((await fetch(`${server.url}/v2/models/endless`)).status, 200);
  assert.notEqual(server.pids[0], pid);
  assert.equal(server.stats().errors, 1);
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(await check(), 'the condition never held');
}

test('a model the protocol cannot carry, a missing file and a port in use are refused with one line', async () => {
  await assert.rejects(ModelServer.start({ modelPath: join(dir, 'none.onnx'), port: 0 }), /No such file/);
  const server = await serve(linearPath);
  const port = Number(new URL(server.url).port);
  await assert.rejects(ModelServer.start({ modelPath: linearPath, port }), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use`));
});
