// ONNX: Test Run Model in a real VS Code: onnxruntime in the child process started from the installed
// .vsix, inputs from the test data beside the model or generated with asked-for dims, the results view.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../src/core/model/decode.js';
import { testCases } from '../helpers/testdata.js';
import { linearModel } from '../helpers/models.js';
import { hostileName, hostileNamesModel, hostileOutput } from './fixtures.js';
import { useWorkbench, type Fixture } from './harness.js';

const add = testCases().find((c) => c.name === 'node/test_add')!;
const addFiles: Record<string, Fixture> = { 'add/model.onnx': { copyFrom: add.model } };
for (const f of readdirSync(join(add.dir, 'test_data_set_0'))) addFiles[`add/test_data_set_0/${f}`] = { copyFrom: join(add.dir, 'test_data_set_0', f) };

const { scenario } = useWorkbench({
  name: 'test-run',
  files: { ...addFiles, 'linear.onnx': encodeModel(linearModel(4, 3)), 'linear-other.onnx': encodeModel(linearModel(4, 3, 2)), 'hostile.onnx': hostileNamesModel() },
  settings: { 'onnxLens.run.iterations': 5, 'onnxLens.run.warmup': 1 },
});

scenario('a model with test data beside it runs against its expected outputs; the results view shows outputs, latency and settings', async (vs) => {
  await vs.openFile('add/model.onnx');
  await vs.waitForWebviewText(/sum/);
  await vs.runCommand('ONNX: Test Run Model');
  const items = await vs.quickPickItems();
  assert.ok(items.includes('Test data beside the model'), `input sources offered: ${items.join(' | ')}`);
  assert.ok(items.some((i) => i.startsWith('Generated: Random normal')), items.join(' | '));
  await vs.pick('Test data beside the model');
  const text = await vs.waitForWebviewText(/all outputs match/, 60_000);
  assert.match(text, /sum\s+float\s+\[3,4,5\]/);
  assert.match(text, /0 \/ 60/);
  assert.match(text, /5 timed after 1 warm-up/);
  for (const label of ['Mean', 'p50', 'p90', 'p99', 'Session creation', 'Execution provider', 'Graph optimization']) assert.ok(text.includes(label), `${label} missing from:\n${text}`);
  assert.match(text, /available: cpu/);
});

scenario('generated inputs ask for the symbolic dimension sizes', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: Random uniform in [0, 1)');
  await vs.pick('N=4');
  const text = await vs.waitForWebviewText(/Y\s+float\s+\[4, 3\]/, 60_000);
  assert.match(text, /not compared/);
  assert.match(text, /X\s+float\s+\[4,4\]/);
  assert.match(text, /generated, uniform, seed 0, N=4/);
});

scenario('tensor names made of HTML show as text in the results view', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('hostile.onnx');
  await vs.waitForWebviewText(/Relu/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: All ones');
  const text = await vs.waitForWebviewText(hostileOutput, 60_000);
  assert.ok(text.includes(hostileName), `the input name is shown literally:\n${text}`);
  const injected = await vs.inWebview(() => {
    const img = document.querySelector('img');
    const script = Array.from(document.scripts).find((s) => s.textContent?.includes('alert('));
    return img || script ? (img ?? script)!.outerHTML : undefined;
  });
  assert.equal(injected, undefined, 'model strings became elements in the results view');
  assert.deepEqual(vs.dialogs, []);
});

scenario('Run with Tensor Capture records every intermediate tensor and the slowest nodes', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: All ones');
  await vs.pick('N=2');
  await vs.waitForWebviewText(/Run with Tensor Capture/, 60_000);
  const frame = await vs.webviewFrameWith('button:has-text("Run with Tensor Capture")');
  await frame.locator('button', { hasText: 'Run with Tensor Capture' }).click();
  const text = await vs.waitForWebviewText(/3 tensors captured/, 60_000);
  assert.match(text, /Slowest nodes/);
  assert.match(text, /matmul\s+MatMul/);
  assert.match(text, /add\s+Add/);
});

scenario('Compare with Another Model runs both on the same inputs and reports the differences', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Compare with Another Model...');
  // code-server's file dialog is a quick input that takes a path.
  await vs.answerFileDialog(join(vs.workspace, 'linear-other.onnx'));
  await vs.pick('Generated: Random normal (mean 0, std 1)');
  await vs.pick('N=3');
  const text = await vs.waitForWebviewText(/linear\.onnx vs linear-other\.onnx/, 60_000);
  assert.match(text, /outputs differ/);
  assert.match(text, /Compared with linear-other\.onnx/);
  assert.match(text, /Y\s+float\s+\[3,3\].*9 \/ 9/s);
});
