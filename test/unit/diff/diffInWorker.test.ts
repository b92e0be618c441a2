// The diff in a worker thread gives what the core gives in-process: the same overlay and identical flag,
// a text naming the shown paths; a file that is no model is one clear error; an aborted diff stops.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { diffInWorker } from '../../../src/core/diff/diffInWorker.js';
import { diffModels } from '../../../src/core/diff/diffModels.js';
import { diffOverlay, firstSideOverlay } from '../../../src/core/diff/diffOverlay.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { GraphIndex } from '../../../src/core/model/graphIndex.js';
import { inserted, mlp } from './models.js';

const dir = mkdtempSync(join(tmpdir(), 'onnx-lens-diff-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('one node inserted: the worker\'s overlay equals the in-process one', async () => {
  const a = mlp(3);
  const b = inserted(a, a.graph!.node![0].name!);
  writeFileSync(join(dir, 'a.onnx'), encodeModel(a));
  writeFileSync(join(dir, 'b.onnx'), encodeModel(b));
  const result = await diffInWorker({ pathA: join(dir, 'a.onnx'), pathB: join(dir, 'b.onnx'), shownA: 'x/a.onnx', shownB: 'x/b.onnx', otherName: 'a.onnx', secondName: 'b.onnx' });
  const d = diffModels(a, b).graph;
  const expected = diffOverlay(d, a.graph!, b.graph!, GraphIndex.build(b.graph!).topologicalOrder(), 'a.onnx');
  assert.deepEqual(result.overlay, expected);
  assert.deepEqual(result.firstOverlay, firstSideOverlay(d, a.graph!, b.graph!, GraphIndex.build(a.graph!).topologicalOrder(), 'b.onnx'));
  assert.equal(result.overlay.counts.inserted, 1);
  assert.equal(result.identical, false);
  assert.match(result.text, /x\/a\.onnx/);
  assert.match(result.text, /x\/b\.onnx/);
});

test('a file that is no model: one line, no stack; an aborted diff rejects as cancelled', async () => {
  writeFileSync(join(dir, 'bad.onnx'), 'not a model');
  await assert.rejects(diffInWorker({ pathA: join(dir, 'bad.onnx'), pathB: join(dir, 'a.onnx'), shownA: 'bad', shownB: 'a', otherName: 'bad', secondName: 'a' }), (error: Error) => {
    assert.equal(error.name, 'UserError');
    assert.ok(!error.message.includes('\n') && !/\bat \S+:\d+/.test(error.message), error.message);
    return true;
  });
  const controller = new AbortController();
  const pending = diffInWorker({ pathA: join(dir, 'a.onnx'), pathB: join(dir, 'b.onnx'), shownA: 'a', shownB: 'b', otherName: 'a', secondName: 'b' }, controller.signal);
  controller.abort();
  await assert.rejects(pending, /cancelled/);
});
