// The request timeout: when the supervisor looks (a pure function, checked with plain numbers), and a real
// server stopping a run at a 50 ms deadline, with no clock ticking while nothing runs.
import assert from 'node:assert/strict';
import fs, { rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { nextDeadline } from '../../../src/core/serve/deadline.js';
import { ModelServer } from '../../../src/core/serve/server.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { endlessModel } from '../runtime/runtimeModels.js';

const dir = tempDir('onnx-lens-deadline-');
const endlessPath = join(dir, 'endless.onnx');
writeFileSync(endlessPath, endlessModel());
const linearPath = join(dir, 'linear.onnx');
writeFileSync(linearPath, encodeModel(linearModel(4, 3)));
const servers: ModelServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

test('the next look is at the earliest deadline: a run seen running is due at its start plus the timeout', () => {
  assert.equal(nextDeadline([], 1000, 50), 1050, 'nothing runs: a run starting now is due in one timeout');
  assert.equal(nextDeadline([980], 1000, 50), 1030);
  assert.equal(nextDeadline([990, 960], 1000, 50), 1010, 'the earliest of several instances');
  assert.equal(nextDeadline([900], 1000, 50), 950, 'already past: at once');
  assert.equal(nextDeadline([1000], 1000, 60_000), 61_000);
});

test('a run past a 50 ms timeout is stopped with a one-line 500, and the next request is served', async () => {
  const server = await ModelServer.start({ modelPath: endlessPath, port: 0, timeoutMs: 50 });
  servers.push(server);
  const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [0] }] });
  for (let i = 0; i < 2; i++) {
    const response = await fetch(server.inferUrl, { method: 'POST', body });
    assert.equal(response.status, 500);
    assert.equal((await response.json()).error, 'onnxruntime did not finish within 0.05 seconds and was stopped.');
  }
  assert.equal((await fetch(`${server.url}/v2/health/live`)).status, 200);
  assert.deepEqual([server.stats().requests, server.stats().errors], [2, 2]);
  // Its next look is 50 ms away at most: closed, so the quiet below is this file's only server's.
  await server.close();
});

test('an idle server with an open connection reads no instance state: no clock polls the timeout', async () => {
  const server = await ModelServer.start({ modelPath: linearPath, port: 0 });
  servers.push(server);
  const body = JSON.stringify({ inputs: [{ name: 'X', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
  // fetch keeps the connection open (with the instance, whose state file has its record) for seconds.
  const response = await fetch(server.inferUrl, { method: 'POST', body });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  // Every read of the state files goes through readSync; counted (and passed through) for a while of quiet.
  const reads = mock.method(fs, 'readSync');
  syncBuiltinESMExports();
  try {
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(reads.mock.callCount(), 0);
    server.stats();
    assert.ok(reads.mock.callCount() > 0, 'the count sees the state files being read');
  } finally {
    reads.mock.restore();
    syncBuiltinESMExports();
  }
});
