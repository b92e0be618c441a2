// The checker in a worker thread, as the editor runs it: the same problems as in the calling thread, for
// a file (external data resolved beside it) and for bytes; one-line errors for what is not a model; a
// check that is cancelled stops.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, test } from 'node:test';
import { checkInWorker } from '../../../src/core/check/checkInWorker.js';
import { checkModel } from '../../../src/core/check/index.js';
import { UserError } from '../../../src/core/errors.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { tempDir } from '../../helpers/models.js';
import { allCases, writeCases } from './checkerModels.js';

const dir = tempDir('onnx-lens-check-worker-');
after(() => rmSync(dir, { recursive: true, force: true }));
const paths = writeCases(dir);

test('every checker case: the worker finds what the calling thread finds, from the file and from its bytes', async () => {
  assert.ok(allCases.length > 40);
  for (const c of allCases) {
    const path = paths.get(c.name)!;
    const bytes = readFileSync(path);
    const expected = checkModel(decodeModel(bytes), { modelDir: dirname(path) });
    assert.deepEqual(await checkInWorker({ path, modelDir: dirname(path) }), expected, c.name);
    // Without the folder, only the names of external data files are checked: as in the calling thread.
    assert.deepEqual(await checkInWorker({ bytes: new Uint8Array(bytes) }), checkModel(decodeModel(bytes)), `${c.name} (bytes)`);
  }
});

test('a file that is not a model: a one-line UserError, as the editor shows it', async () => {
  await assert.rejects(checkInWorker({ bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]) }), (e: unknown) => e instanceof UserError && e.message === 'This is a PNG image, not an ONNX model.');
  await assert.rejects(checkInWorker({ path: `${dir}/missing.onnx` }), (e: unknown) => e instanceof UserError && e.message === `No such file: ${dir}/missing.onnx`);
});

test('an aborted check rejects at once and stops its worker', async () => {
  const controller = new AbortController();
  const running = checkInWorker({ path: paths.get('valid-relu')! }, controller.signal);
  controller.abort();
  await assert.rejects(running, /cancelled/);
  await assert.rejects(checkInWorker({ path: paths.get('valid-relu')! }, controller.signal), /cancelled/);
});
