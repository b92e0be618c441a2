// The test run's inputs table in a real VS Code, on a real exporter's model (silero_like_torchscript:
// input[batch,time], state[2,batch,16], the int64 scalar sr that selects an If branch with a reflect Pad
// on time, its pads built at run time). Nothing sizes batch, so the first run feeds 1; time follows the
// Pad (at least 33); the table marks what was assumed, its edits are what Run Again feeds, the next run and
// Fold Constants' verification reuse them, and a transform on a model nobody sized asks for its sizes once.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeModel } from '../../src/core/model/decode.js';
import { DataType } from '../../src/core/model/proto.js';
import { encodeNpy } from '../../src/core/runtime/npy.js';
import { linearModel } from '../helpers/models.js';
import { repoRoot } from './codeServer.js';
import { answerInputBox } from './inputBox.js';
import { useWorkbench, waitFor, type Workbench } from './harness.js';

const { scenario } = useWorkbench({
  name: 'test-run-inputs',
  files: {
    'silero.onnx': { copyFrom: join(repoRoot, 'test', 'fixtures', 'exported', 'silero_like_torchscript', 'model.onnx') },
    'unsized.onnx': encodeModel(linearModel(4, 3)),
    // A state for batch 2, and a file that names no input of the model.
    'data/state.npy': encodeNpy({ dtype: DataType.FLOAT, dims: [2, 2, 16], data: Float32Array.from({ length: 64 }, (_, i) => i / 64) }),
    'data/other.npy': encodeNpy({ dtype: DataType.FLOAT, dims: [2, 2, 16], data: new Float32Array(64) }),
  },
  settings: { 'onnxLens.run.iterations': 2, 'onnxLens.run.warmup': 1 },
});

/** Opens the report from the notification about `output`; its text with the editor's wrapping undone. */
async function reportText(vs: Workbench, output: string, tab: string): Promise<string> {
  const toast = vs.page.locator('.notifications-toasts .notification-list-item', { hasText: output });
  await toast.locator('.monaco-button', { hasText: 'Show Report' }).first().click();
  await waitFor(`the report tab ${tab}`, async () => (await vs.tab(tab).count()) > 0);
  return waitFor('the report text', async () => {
    const text = (await vs.editorText()).replace(/\s+/g, ' ');
    return /inputs:/.test(text) ? text : undefined;
  });
}

scenario('a run on assumed sizes marks them in the inputs table; edited sizes and values are what Run Again feeds', async (vs) => {
  await vs.openFile('silero.onnx');
  await vs.waitForWebviewText(/If/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: Random normal (mean 0, std 1)');
  const first = await vs.waitForWebviewText(/stateN\s+float\s+\[2,1,16\]/, 60_000);
  assert.match(first, /input\s+float\s+\[batch,time\]/);
  assert.match(first, /state\s+float\s+\[2,batch,16\]/);
  // batch (in input and state), time and the sample rate were assumed; the model compares sr with 16000,
  // and its reflect Pad of 32 needs time >= 33.
  assert.equal(first.match(/assumed: 1 — set it here/g)?.length, 2, first);
  assert.match(first, /assumed: 33 — set it here/);
  assert.match(first, /assumed: 16000 — set it here/);
  assert.match(first, /batch = 1 \(unknown\) · time = 33 \(unknown; at least 33 for Pad '\/Pad' with a reflect pad of 32\) · sr = 16000 \(compared with 16000 by Equal '\/Equal'\)/);

  await vs.screenshot('the inputs table after a run on assumed sizes');
  const frame = await vs.webviewFrameWith('input[aria-label="input axis 1 (time)"]');
  const time = frame.locator('input[aria-label="input axis 1 (time)"]');
  assert.equal(await time.inputValue(), '33');
  await frame.locator('input[aria-label="input axis 0 (batch)"]').fill('2');
  await time.fill('512');
  // batch is one symbol: the state's field follows, and no size is marked assumed any more.
  assert.equal(await frame.locator('input[aria-label="state axis 1 (batch)"]').inputValue(), '2');
  await vs.waitForWebviewText(/Edited: Run Again uses these inputs/);
  assert.doesNotMatch(await vs.webviewText(), /assumed: 1 — set it here/);
  // sr as an inline value, suggested with what was fed.
  await frame.locator('select[aria-label="Values of sr"]').selectOption('value');
  const sr = frame.locator('input[aria-label="Value of sr"]');
  assert.equal(await sr.inputValue(), '16000');
  await sr.fill('8000');
  await frame.locator('button', { hasText: 'Run Again' }).first().click();

  const text = await vs.waitForWebviewText(/stateN\s+float\s+\[2,2,16\]/, 60_000);
  assert.match(text, /output\s+float\s+\[2,1\]/);
  assert.match(text, /\[2,512\]/);
  assert.match(text, /\[\] = 8000/);
  assert.match(text, /--dims batch=2,time=512 --value sr=8000/);
  assert.doesNotMatch(text, /did not run|assumed: /);
});

scenario('the edited inputs are remembered for the model: the next run offers them first (after the scenario above)', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('silero.onnx');
  await vs.waitForWebviewText(/If/);
  await vs.runCommandToPick('ONNX: Test Run Model');
  await waitFor('the last inputs offered first', async () => (await vs.quickPickItems())[0] === 'As last time');
  const row = await vs.page.locator('.quick-input-widget .monaco-list-row').first().innerText();
  assert.match(row, /normal · batch=2 · time=512 · sr=8000/);
  await vs.pick('As last time');
  const text = await vs.waitForWebviewText(/stateN\s+float\s+\[2,2,16\]/, 60_000);
  assert.match(text, /--dims batch=2,time=512 --value sr=8000/);
});

scenario('Fold Constants verifies on the inputs remembered for the model and asks nothing (after the scenarios above)', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('silero.onnx');
  await vs.waitForWebviewText(/If/);
  // The scenarios above leave toasts that can cover the fold's.
  await vs.runCommand('Notifications: Clear All Notifications');
  await vs.runCommand('ONNX: Fold Constants');
  // The report's inputs line shows the remembered sizes and value were fed.
  const note = await vs.waitForNotification(/Fold: silero\.folded\.onnx written/, 90_000);
  assert.match(note, /outputs match the original/);
  const report = await reportText(vs, 'silero.folded.onnx written', 'silero.folded.onnx fold report.md');
  assert.match(report, /PASS: outputs compared on the same inputs/);
  assert.match(report, /inputs: 1 generated input set: generated \(normal, seed 0\); --dims batch=2,time=512 --value sr=8000/);
});

scenario('a transform on a model nobody sized asks once for each size nothing in it gives; the test run then keeps the answer', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('unsized.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Fold Constants');
  await answerInputBox(vs, /Fold Constants: size of N/, '1', '3');
  const note = await vs.waitForNotification(/Fold: unsized\.folded\.onnx written/, 90_000);
  assert.match(note, /outputs match the original/);
  const report = await reportText(vs, 'unsized.folded.onnx written', 'unsized.folded.onnx fold report.md');
  assert.match(report, /inputs: 1 generated input set: generated \(normal, seed 0\); --dims N=3/);
  // The answer went into the model's remembered inputs: the test run feeds it, and no transform asks again.
  await vs.closeAllEditors();
  await vs.openFile('unsized.onnx');
  await vs.waitForWebviewText(/MatMul/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('As last time');
  const text = await vs.waitForWebviewText(/Y\s+float\s+\[3,3\]/, 60_000);
  assert.match(text, /--dims N=3/);
});

scenario('an input takes its values from a file it is named in; a file that names another input is refused (after the first scenario)', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('silero.onnx');
  await vs.waitForWebviewText(/If/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('As last time');
  await vs.waitForWebviewText(/stateN\s+float\s+\[2,2,16\]/, 60_000);
  const frame = await vs.webviewFrameWith('select[aria-label="Values of state"]');
  const source = frame.locator('select[aria-label="Values of state"]');
  await source.selectOption('file');
  await vs.answerFileDialog(vs.path('data/other.npy'));
  await vs.waitForNotification(/other\.npy does not name input 'state': files feed the inputs they name, so use state\.npy/);
  await waitFor('the source to stay generated', async () => (await source.inputValue()) === 'generated');
  await source.selectOption('file');
  await vs.answerFileDialog(vs.path('data/state.npy'));
  await vs.waitForWebviewText(/data\/state\.npy/);
  assert.equal(await source.inputValue(), 'file');
  await frame.locator('button', { hasText: 'Run Again' }).first().click();
  const text = await vs.waitForWebviewText(/state\.npy from /, 60_000);
  assert.match(text, /stateN\s+float\s+\[2,2,16\]/);
  assert.match(text, /state\s+float\s+\[2,batch,16\]\s+from the file\s+\[2,2,16\]/);
  assert.match(text, /--dims batch=2,time=512 --value sr=8000/);
});
