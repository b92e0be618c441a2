// ONNX: Test Run Model in a real VS Code: onnxruntime in the child process started from the installed
// .vsix, inputs from the test data beside the model or generated (a size nothing in the model gives is
// fed as 1, marked in the inputs table and set there), the results view. More of the inputs table, and
// transforms verifying on the remembered inputs: testRunInputs.e2e.ts.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../src/core/model/decode.js';
import { testCases } from '../helpers/testdata.js';
import { linearModel } from '../helpers/models.js';
import { hostileName, hostileNamesModel, hostileOutput } from './fixtures.js';
import { useWorkbench, waitFor, type Fixture, type Workbench } from './harness.js';

const add = testCases().find((c) => c.name === 'node/test_add')!;
const addFiles: Record<string, Fixture> = { 'add/model.onnx': { copyFrom: add.model } };
for (const f of readdirSync(join(add.dir, 'test_data_set_0'))) addFiles[`add/test_data_set_0/${f}`] = { copyFrom: join(add.dir, 'test_data_set_0', f) };

const { scenario } = useWorkbench({
  name: 'test-run',
  // sized.onnx is the one whose inputs table is edited (the edit is remembered for that model).
  files: {
    ...addFiles, 'linear.onnx': encodeModel(linearModel(4, 3)), 'sized.onnx': encodeModel(linearModel(4, 3)), 'linear-other.onnx': encodeModel(linearModel(4, 3, 2)),
    'hostile.onnx': hostileNamesModel(),
  },
  settings: { 'onnxLens.run.iterations': 5, 'onnxLens.run.warmup': 1 },
});

scenario('a model with test data beside it runs against its expected outputs; the results view shows outputs, latency and settings', async (vs) => {
  await vs.openFile('add/model.onnx');
  await vs.waitForWebviewText(/sum/);
  const items = await vs.runCommandToPick('ONNX: Test Run Model');
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

scenario('a size nothing in the model gives is fed as 1 and marked in the inputs table; set there, it is what Run Again feeds and the next run keeps', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('sized.onnx');
  await vs.waitForWebviewText(/MatMul/);
  assert.ok(!(await vs.runCommandToPick('ONNX: Test Run Model')).includes('As last time'), 'nothing is remembered for a model never run');
  await vs.pick('Generated: Random uniform in [0, 1)');
  const first = await vs.waitForWebviewText(/Y\s+float\s+\[1,3\]/, 60_000);
  assert.match(first, /not compared/);
  assert.match(first, /X\s+float\s+\[N,4\]/);
  assert.match(first, /assumed: 1 — set it here/);
  assert.match(first, /N = 1 \(unknown\)/);
  const frame = await vs.webviewFrameWith('input[aria-label="X axis 0 (N)"]');
  await frame.locator('input[aria-label="X axis 0 (N)"]').fill('4');
  await frame.locator('button', { hasText: 'Run Again' }).first().click();
  const text = await vs.waitForWebviewText(/Y\s+float\s+\[4,3\]/, 60_000);
  assert.match(text, /\[4,4\]/);
  assert.match(text, /generated \(uniform, seed 0\); --dims N=4/);
  assert.doesNotMatch(text, /assumed: 1/);
  // The size is remembered for this model: the next run offers the last inputs, and a new source keeps it.
  await vs.closeAllEditors();
  await vs.openFile('sized.onnx');
  await vs.waitForWebviewText(/MatMul/);
  const items = await vs.runCommandToPick('ONNX: Test Run Model');
  assert.equal(items[0], 'As last time', items.join(' | '));
  await vs.pick('Generated: All ones');
  const again = await vs.waitForWebviewText(/generated \(ones, seed 0\); --dims N=4/, 60_000);
  assert.match(again, /Y\s+float\s+\[4,3\]/);
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

/** Selects the value `name` through the graph's Find and returns the side panel's text once it shows it. */
async function valuePanel(vs: Workbench, name: string): Promise<string> {
  const frame = await vs.webviewFrameWith('.graph-canvas');
  const input = frame.locator('.find-field input');
  await input.fill(name);
  await waitFor(`Find to list ${name}`, async () => (await frame.locator('.find-results .label').allTextContents()).includes(name));
  await input.press('Enter');
  return waitFor(`${name} in the panel`, async () => {
    const text = (await frame.locator('.panel').innerText()).replace(/\u00a0/g, ' ');
    return /Consumers/.test(text) && text.includes(name) ? text : undefined;
  });
}

scenario('the graph shows what the last test run saw: in the open editor, and in an editor opened after the run', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: All ones');
  await vs.waitForWebviewText(/Y\s+float\s+\[1,3\]/, 60_000);
  const open = await valuePanel(vs, 'Y');
  assert.match(open, /From the last test run/i, open);
  assert.match(open, /float\[1,3\]/, open);
  // A new editor's webview gets the overlay once it is ready.
  await vs.closeAllEditors();
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  const reopened = await valuePanel(vs, 'Y');
  assert.match(reopened, /From the last test run/i, reopened);
  assert.match(reopened, /float\[1,3\]/, reopened);
});

scenario('Run with Tensor Capture records every intermediate tensor and the slowest nodes', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('linear.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: All ones');
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
  const text = await vs.waitForWebviewText(/linear\.onnx vs linear-other\.onnx/, 60_000);
  assert.match(text, /outputs differ/);
  assert.match(text, /Compared with linear-other\.onnx/);
  assert.match(text, /Y\s+float\s+\[1,3\].*3 \/ 3/s);
});
