// The example request (test request, Try panel, curl snippet) comes from the input specification, and a
// real running server answers it for every committed real-exporter fixture and the sample model, as JSON
// and as binary tensors. The request the command used to send (free dims 1, zeros) is sent too: it fails
// on the silero-like model, which is why the example follows the model.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import { elementCount } from '../../../src/core/model/tensorValues.js';
import { compareTensors } from '../../../src/core/runtime/compare.js';
import { readTestDataSet } from '../../../src/core/runtime/testData.js';
import { exampleRequest, type ExampleRequest } from '../../../src/core/serve/exampleRequest.js';
import { sendInferRequest } from '../../../src/core/serve/inferClient.js';
import { ModelServer } from '../../../src/core/serve/server.js';
import { modelSignature } from '../../../src/core/serve/signature.js';
import { inferenceSnippet } from '../../../src/core/serve/snippets.js';

const exported = join('test', 'fixtures', 'exported');
const fixtures = [
  ...readdirSync(exported, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(exported, d.name, 'model.onnx')),
  join('test', 'fixtures', 'sample.onnx'),
];
const silero = join(exported, 'silero_like_dynamo', 'model.onnx');
/**
 * The scripted export builds its reflect pads at run time (Shape, Sub, ConstantOfShape, Concat, Reshape,
 * Slice, Transpose over the outer graph's constants): the hints follow that chain through shape
 * inference's small values to size `time`.
 */
const computedPads = join(exported, 'silero_like_torchscript', 'model.onnx');

const servers: ModelServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function serve(modelPath: string, options: Partial<Parameters<typeof ModelServer.start>[0]> = {}): Promise<ModelServer> {
  const server = await ModelServer.start({ modelPath, port: 0, ...options });
  servers.push(server);
  return server;
}
const exampleOf = (server: ModelServer): ExampleRequest => {
  if ('problem' in server.example) assert.fail(`no example: ${server.example.problem}`);
  return server.example;
};

test('the example request of every fixture is answered 200 by a real server, as JSON and as binary', async () => {
  assert.ok(fixtures.length >= 10, `fixtures found: ${fixtures.length}`);
  for (const path of fixtures) {
    const server = await serve(path);
    try {
      const example = exampleOf(server);
      assert.deepEqual(example.tensors.map((t) => t.name), server.signature.inputs.map((i) => i.name), path);
      for (const binary of [false, true]) {
        const answer = await sendInferRequest(server.inferUrl, example.tensors, { binary });
        assert.equal(answer.status, 200, `${path} (${binary ? 'binary' : 'JSON'}): ${answer.error}`);
        assert.deepEqual(answer.outputs!.map((o) => o.name), server.signature.outputs.map((o) => o.name), path);
        for (const o of answer.outputs!) {
          assert.equal(elementCount(o.array.dims), Array.isArray(o.array.data) ? o.array.data.length : o.array.data.length, `${path} ${o.name}`);
        }
      }
    } finally {
      await server.close();
    }
  }
});

test('silero-like scripted: pads computed at run time size the example, and --dims still overrides them', async () => {
  const hinted = await serve(computedPads);
  const example = exampleOf(hinted);
  assert.ok(example.assumptions.some((a) => a.subject === 'time' && a.kind === 'minimum' && /reflect pad of 32/.test(a.reason ?? '')), JSON.stringify(example.assumptions));
  assert.ok(example.dims.time >= 33, `time = ${example.dims.time}`);
  assert.equal((await sendInferRequest(hinted.inferUrl, example.tensors)).status, 200);
  const given = await serve(computedPads, { inputSpec: { dims: { time: 512 } } });
  assert.deepEqual(exampleOf(given).tensors.find((t) => t.name === 'input')!.array.dims, [1, 512]);
  assert.equal((await sendInferRequest(given.inferUrl, exampleOf(given).tensors)).status, 200);
});

test('silero-like: free dims 1 and zeros fail; the example takes the reflect Pad minimum and sr = 16000', async () => {
  const server = await serve(silero);
  const example = exampleOf(server);
  const sr = example.tensors.find((t) => t.name === 'sr')!;
  assert.deepEqual(Array.from(sr.array.data as BigInt64Array, Number), [16000]);
  assert.ok(example.dims.time > 1, `time = ${example.dims.time}`);
  assert.ok(example.assumptions.some((a) => a.subject === 'time' && a.kind === 'minimum'), JSON.stringify(example.assumptions));
  // The old test request: every free dim 1, every value 0.
  const naive = server.signature.inputs.map((t) => {
    const dims = t.shape.map((d) => (d < 0 ? 1 : d));
    const array = { dtype: t.elemType, dims, data: t.datatype === 'INT64' ? new BigInt64Array(elementCount(dims)) : new Float32Array(elementCount(dims)) };
    return { name: t.name, datatype: t.datatype, array };
  });
  const failed = await sendInferRequest(server.inferUrl, naive);
  assert.equal(failed.status, 500, `the naive request should fail: ${failed.status}`);
  const answer = await sendInferRequest(server.inferUrl, example.tensors);
  assert.equal(answer.status, 200, answer.error);
});

test('the example follows the spec; a test data set gives torch\'s outputs back through the server', async () => {
  const model = decodeModel(readFileSync(silero));
  const signature = modelSignature(model, 'silero');
  const given = exampleRequest(signature, model, { values: { sr: 8000 }, dims: { time: 300, batch: 2 } });
  assert.deepEqual(given.tensors.map((t) => [t.name, t.array.dims]), [['input', [2, 300]], ['state', [2, 2, 16]], ['sr', []]]);
  assert.deepEqual(given.dims, { batch: 2, time: 300 });
  assert.equal(given.fed.find((f) => f.name === 'sr')!.source, 'value');
  assert.throws(() => exampleRequest(signature, model, { values: { nope: 1 } }), /--value names no input 'nope'/);

  const dataSet = join(exported, 'silero_like_dynamo', 'test_data_set_1');
  const server = await serve(silero, { inputSpec: { files: [dataSet] } });
  const answer = await sendInferRequest(server.inferUrl, exampleOf(server).tensors, { binary: true });
  assert.equal(answer.status, 200, answer.error);
  const expected = readTestDataSet(dataSet, model).expected!;
  for (const o of answer.outputs!) {
    const c = compareTensors(o.name, expected[o.name], o.array, { rtol: 1e-3, atol: 1e-4 });
    assert.ok(c.pass, `${o.name}: ${JSON.stringify(c)}`);
  }
});

test('dims given to the server are fixed in its metadata, and other sizes are refused', async () => {
  const server = await serve(silero, { inputSpec: { dims: { time: 512 } } });
  const metadata = await (await fetch(`${server.url}/v2/models/${server.signature.name}`)).json() as { inputs: Array<{ name: string; shape: number[] }> };
  assert.deepEqual(metadata.inputs.map((i) => [i.name, i.shape]), [['input', [-1, 512]], ['state', [2, -1, 16]], ['sr', []]]);
  const example = exampleOf(server);
  assert.deepEqual(example.tensors[0].array.dims, [1, 512]);
  assert.equal((await sendInferRequest(server.inferUrl, example.tensors)).status, 200);
  const other = exampleRequest(server.signature, decodeModel(readFileSync(silero)), { dims: { time: 1024 } });
  const refused = await sendInferRequest(server.inferUrl, other.tensors);
  assert.equal(refused.status, 400);
  assert.match(refused.error!, /Input 'input' axis 1 must be 512, not 1024/);
  await assert.rejects(serve(silero, { inputSpec: { shapes: { input: [1, 2, 3] } } }), /--shape input=1x2x3: input 'input' has rank 2/);
});

test('the curl snippet of the silero-like model carries the example and the server answers it', async () => {
  const server = await serve(silero);
  const model = decodeModel(readFileSync(silero));
  const code = inferenceSnippet('curl', server.signature, { modelPath: silero, url: server.url, example: exampleRequest(server.signature, model) });
  const run = await promisify(execFile)('bash', ['-c', `${code.trimEnd()} -w '\\n%{http_code}'`], { encoding: 'utf8', maxBuffer: 2 ** 26 });
  const [body, status] = [run.stdout.slice(0, run.stdout.lastIndexOf('\n')), run.stdout.slice(run.stdout.lastIndexOf('\n') + 1)];
  assert.equal(status, '200', body);
  const response = JSON.parse(body) as { outputs: Array<{ name: string }> };
  assert.deepEqual(response.outputs.map((o) => o.name), ['output', 'stateN']);
});

test('serve CLI: the input options make the example request it answers at start, and fix the metadata\'s dims', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', silero, '--port', '0', '--dims', 'time=512', '--value', 'sr=8000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('Ctrl+C stops.') && resolve());
      void exited.then(() => reject(new Error(`serve exited: ${out}`)));
    });
    assert.match(out, /sr int64\[\] = 8000\n/);
    assert.match(out, /input float\[1,512\]/);
    assert.match(out, /answered 200 in .*: output FP32\[1,1\], stateN FP32\[2,1,16\]/);
    const url = /^Serving 'model' at (\S+)/m.exec(out)![1];
    const metadata = await (await fetch(`${url}/v2/models/model`)).json() as { inputs: Array<{ shape: number[] }> };
    assert.deepEqual(metadata.inputs.map((i) => i.shape), [[-1, 512], [2, -1, 16], []]);
  } finally {
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  }
  assert.match(out, /Stopped after 1 requests/);
});

test('the Node snippet of the silero-like model runs with onnxruntime-node at the example\'s sizes and sr', () => {
  const model = decodeModel(readFileSync(silero));
  const signature = modelSignature(model, 'silero');
  const code = inferenceSnippet('node', signature, { modelPath: silero, example: exampleRequest(signature, model) });
  assert.match(code, /"sr": new ort\.Tensor\('int64', BigInt64Array\.from\(\[16000n\]\), \[\]\)/);
  assert.match(code, /const time = (\d+);/);
  assert.ok(Number(/const time = (\d+);/.exec(code)![1]) > 1);
  // Inside the repository, so that `import 'onnxruntime-node'` resolves as in a user's project.
  const dir = join(process.cwd(), 'test', '.tmp', `serve-example-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const file = join(dir, 'silero.mjs');
    writeFileSync(file, code);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /output float32 \[ 1, 1 \]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
