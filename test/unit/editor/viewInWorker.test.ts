// The editor's opening of a model in the view worker: the view bytes it sends back parse to the very
// view the in-process builder gives (sample, real exporter fixtures, control flow from libonnx-testdata),
// the file's bytes come back intact, a file that is no model is the host's one-line error, and a view
// of a buffer's slice is copied before it moves (the caller's buffer stays usable).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { oneLine, UserError } from '../../../src/core/errors.js';
import { decodeModelView, encodeModelView } from '../../../src/core/graph/viewBytes.js';
import { ownedBytes, viewInWorker } from '../../../src/core/graph/viewInWorker.js';
import { buildModelView } from '../../../src/core/graph/viewModel.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { testCases } from '../../helpers/testdata.js';

const fixtures = join(process.cwd(), 'test', 'fixtures');
const files = [
  join(fixtures, 'sample.onnx'),
  join(fixtures, 'exported', 'transformer_dynamo', 'model.onnx'),
  join(fixtures, 'exported', 'cond_dynamo', 'model.onnx'),
  join(fixtures, 'exported', 'lstm_torchscript', 'model.onnx'),
  join(fixtures, 'exported', 'detector_opset11_constants', 'model.onnx'),
  // Loop and If bodies, shown inline or as graphs of their own.
  ...testCases().filter((c) => /\/(test_loop11|test_if_seq|test_range_float_type_positive_delta_expanded)$/.test(c.name)).map((c) => c.model),
];

/** What the webview got before the worker: the in-process view, through JSON as postMessage serialized it. */
function inProcess(bytes: Uint8Array, fileName: string): unknown {
  return JSON.parse(JSON.stringify(buildModelView(decodeModel(bytes), fileName)));
}

test('the worker\'s view bytes parse to the in-process view, and the file\'s bytes come back intact', async () => {
  assert.equal(files.length, 8, 'three libonnx-testdata cases with control flow are found');
  for (const file of files) {
    const original = readFileSync(file);
    const expected = inProcess(original, 'model.onnx');
    const sent = new Uint8Array(original);
    const opened = await viewInWorker(sent, 'model.onnx');
    assert.equal(sent.byteLength, 0, `${file}: its own buffer moved to the worker, not copied`);
    assert.deepEqual(decodeModelView(opened.view), expected, file);
    assert.ok(Buffer.from(opened.bytes).equals(original), `${file}: the bytes came back intact`);
    assert.equal(opened.nodes, (expected as { main: { nodes: unknown[] } }).main.nodes.length);
    // The bytes it gave back decode on the host, as the editor does on first use.
    assert.deepEqual(inProcess(opened.bytes, 'model.onnx'), expected);
  }
});

test('a file that is not a model: the same one-line error the host gives', async () => {
  const cases = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), new Uint8Array(0), new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2])];
  for (const bytes of cases) {
    let hostError = '';
    try {
      decodeModel(bytes);
    } catch (error) {
      hostError = oneLine(error);
    }
    assert.ok(hostError && !hostError.includes('\n'), 'the host refuses it');
    await assert.rejects(viewInWorker(new Uint8Array(bytes), 'bad.onnx'), (e: unknown) => e instanceof UserError && e.message === hostError);
  }
});

test('a view into a larger buffer (Node\'s pooled small buffers) is copied before it moves; the caller\'s bytes stay', async () => {
  const sample = readFileSync(join(fixtures, 'sample.onnx'));
  const pooled = Buffer.concat([Buffer.from([1, 2, 3]), sample]).subarray(3);
  assert.notEqual(pooled.byteOffset, 0);
  const copy = ownedBytes(pooled);
  assert.notEqual(copy.buffer, pooled.buffer);
  assert.equal(copy.byteOffset, 0);
  assert.equal(copy.buffer.byteLength, sample.length);
  const whole = new Uint8Array(sample);
  assert.equal(ownedBytes(whole), whole);
  const opened = await viewInWorker(pooled, 'sample.onnx');
  assert.ok(pooled.equals(sample), 'the caller\'s slice is still there');
  assert.ok(Buffer.from(opened.bytes).equals(sample));
  assert.deepEqual(decodeModelView(opened.view), inProcess(sample, 'sample.onnx'));
});

test('view bytes round-trip: encodeModelView then decodeModelView gives what the JSON of the view gave', () => {
  const view = buildModelView(decodeModel(readFileSync(join(fixtures, 'sample.onnx'))), 'sample.onnx');
  const bytes = encodeModelView(view);
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength, 'a buffer of its own, so it can be transferred');
  assert.deepEqual(decodeModelView(bytes), JSON.parse(JSON.stringify(view)));
});
