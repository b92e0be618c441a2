// Serving in a real VS Code: ONNX: Serve Model starts the endpoint, which this test process then calls
// over HTTP like any client; the status bar counts the requests; the test request opens its answer;
// Stop Serving closes the port. Copy Inference Snippet opens the program it copied.
import assert from 'node:assert/strict';
import { encodeModel } from '../../src/core/model/decode.js';
import { linearModel } from '../helpers/models.js';
import { useWorkbench, waitFor } from './harness.js';

const { scenario } = useWorkbench({
  name: 'serve',
  files: { 'linear.onnx': encodeModel(linearModel(4, 3)) },
  // Any free port: several runs may share the machine.
  settings: { 'onnxLens.serve.port': 0 },
});

let url = '';

scenario('ONNX: Serve Model serves the open model; a client gets its answer and the status bar counts it', async (vs) => {
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Serve Model');
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

scenario('the test request opens its answer beside the model; Stop Serving closes the port (after the scenario above)', async (vs) => {
  await vs.runCommand('ONNX: Send Test Request to the Served Model');
  await vs.waitForText(/200 OK in/, { where: 'workbench' });
  await vs.waitForText(/linear · 2 req/, { where: 'workbench' });
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
  await vs.waitForNotification(/snippet copied to the clipboard/);
});
