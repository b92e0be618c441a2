// Serving in a real VS Code: ONNX: Serve Model asks the size of the free dim once (the test run's input
// specification) and starts the endpoint, which this test process then calls over HTTP like any client;
// the status bar counts the requests; the Try Request panel sends a request from its form and shows the
// answer; the test request opens its answer; Stop Serving closes the port. Copy Inference Snippet opens
// the program it copied, at the remembered size.
import assert from 'node:assert/strict';
import { encodeModel } from '../../src/core/model/decode.js';
import { DataType } from '../../src/core/model/proto.js';
import { encodeNpy } from '../../src/core/runtime/npy.js';
import { linearModel } from '../helpers/models.js';
import { useWorkbench, waitFor } from './harness.js';
import { answerInputBox } from './inputBox.js';

const { scenario } = useWorkbench({
  name: 'serve',
  files: {
    'linear.onnx': encodeModel(linearModel(4, 3)),
    'x.npy': encodeNpy({ dtype: DataType.FLOAT, dims: [5, 4], data: Float32Array.from({ length: 20 }, (_, i) => i / 10) }),
  },
  // Any free port: several runs may share the machine.
  settings: { 'onnxLens.serve.port': 0 },
});

let url = '';

scenario('ONNX: Serve Model serves the open model; a client gets its answer and the status bar counts it', async (vs) => {
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Serve Model');
  await answerInputBox(vs, /Serve Model: size of N/, '1', '3');
  const note = await vs.waitForNotification(/Serving linear at http:\/\/127\.0\.0\.1:\d+/, 60_000);
  url = /http:\/\/127\.0\.0\.1:\d+/.exec(note)![0];
  const metadata = await (await fetch(`${url}/v2/models/linear`)).json() as { inputs: unknown[] };
  assert.deepEqual(metadata.inputs, [{ name: 'X', datatype: 'FP32', shape: [-1, 4] }]);
  const response = await fetch(`${url}/v2/models/linear/infer`, {
    method: 'POST', body: JSON.stringify({ inputs: [{ name: 'X', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8] }] }),
  });
  assert.equal(response.status, 200);
  const body = await response.json() as { outputs: Array<{ name: string; shape: number[] }> };
  assert.deepEqual(body.outputs.map((o) => [o.name, o.shape]), [['Y', [2, 3]]]);
  await vs.waitForText(/linear · 1 req · p50 /, { where: 'workbench' });
});

scenario('ONNX: Try Request... opens a form from the inputs; it sends the example, inline JSON (binary), a wrong shape (400) and a .npy file, and shows each answer', async (vs) => {
  await vs.runCommand('ONNX: Try Request...');
  const frame = await vs.webviewFrameWith('button:has-text("Send Request")');
  let text = await vs.waitForWebviewText(/Try linear/);
  assert.match(text, /X\s+FP32\[N, 4\]/);
  assert.match(text, /example: \[3, 4\] generated \(normal\)/);
  await frame.locator('button', { hasText: 'Send Request' }).click();
  text = await vs.waitForWebviewText(/200 OK\s+in/, 60_000);
  assert.match(text, /X FP32\[3,4\] \(example\); JSON/);
  assert.match(text, /Y\s+FP32\s+\[3,3\]/);
  await frame.locator('select[aria-label="Values of X"]').selectOption('json');
  assert.equal(await frame.locator('button', { hasText: 'Choose…' }).isVisible(), false);
  await frame.locator('textarea[aria-label="JSON values of X"]').fill('[[1, 2, 3, 4], [0, 0, 0, 0]]');
  await frame.locator('input[type=checkbox]').check();
  await frame.locator('button', { hasText: 'Send Request' }).click();
  text = await vs.waitForWebviewText(/X FP32\[2,4\] \(JSON\); binary/, 60_000);
  assert.match(text, /200 OK/);
  assert.match(text, /Y\s+FP32\s+\[2,3\]/);
  await frame.locator('textarea[aria-label="JSON values of X"]').fill('[1, 2, 3]');
  await frame.locator('button', { hasText: 'Send Request' }).click();
  text = await vs.waitForWebviewText(/400 Bad Request/, 60_000);
  assert.match(text, /Input 'X' has rank 2/);
  await frame.locator('select[aria-label="Values of X"]').selectOption('file');
  await frame.locator('button', { hasText: 'Choose…' }).click();
  await vs.answerFileDialog(vs.path('x.npy'));
  await waitFor('the chosen file in the form', async () => (await frame.locator('span.code', { hasText: 'x.npy' }).count()) > 0);
  await frame.locator('button', { hasText: 'Send Request' }).click();
  text = await vs.waitForWebviewText(/X FP32\[5,4\] \(\.npy file\)/, 60_000);
  assert.match(text, /200 OK/);
  assert.match(text, /Y\s+FP32\s+\[5,3\]/);
  await vs.waitForText(/linear · 5 req/, { where: 'workbench' });
});

scenario('the test request opens its answer beside the model; Stop Serving closes the port (after the scenarios above)', async (vs) => {
  await vs.runCommand('ONNX: Send Test Request to the Served Model');
  await vs.waitForText(/200 OK in/, { where: 'workbench' });
  await vs.waitForText(/linear · 6 req/, { where: 'workbench' });
  await vs.runCommand('ONNX: Stop Serving');
  await waitFor('the port to close', async () => fetch(`${url}/v2/health/live`).then(() => false, () => true));
  await waitFor('the status bar item to go', async () => !/linear · \d+ req/.test(await vs.workbenchText()));
});

scenario('ONNX: Copy Inference Snippet... opens the Node program with the model\'s names and shapes', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Copy Inference Snippet...');
  await vs.pick('Node.js (onnxruntime-node)');
  await vs.waitForText(/"X": new ort\.Tensor\('float32'/, { where: 'workbench' });
  await vs.waitForText(/const N = 3;/, { where: 'workbench' });
  await vs.waitForNotification(/snippet copied to the clipboard/);
});
