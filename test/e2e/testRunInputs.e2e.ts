// The test run's inputs table in a real VS Code, on a real exporter's model (silero_like_torchscript:
// input[batch,time], state[2,batch,16], the int64 scalar sr that selects an If branch with a reflect Pad
// on time). The sizes asked for are kept at the suggested 1, so the run fails in that Pad; the table
// shows what was assumed, its edits are what Run Again feeds, and the next run reuses them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answerInputBox } from './inputBox.js';
import { repoRoot } from './codeServer.js';
import { useWorkbench, waitFor } from './harness.js';

const { scenario } = useWorkbench({
  name: 'test-run-inputs',
  files: { 'silero.onnx': { copyFrom: join(repoRoot, 'test', 'fixtures', 'exported', 'silero_like_torchscript', 'model.onnx') } },
  settings: { 'onnxLens.run.iterations': 2, 'onnxLens.run.warmup': 1 },
});

scenario('a run that fails on assumed sizes shows them in the inputs table; edited sizes and values are what Run Again feeds', async (vs) => {
  await vs.openFile('silero.onnx');
  await vs.waitForWebviewText(/If/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: Random normal (mean 0, std 1)');
  // Nothing in the model sizes batch and time: each is asked once, suggesting 1.
  await answerInputBox(vs, /Test Run: size of batch/, '1', '1');
  await answerInputBox(vs, /Test Run: size of time/, '1', '1');
  const failed = await vs.waitForWebviewText(/did not run/, 60_000);
  assert.match(failed, /onnxruntime failed in Pad node '\/Pad' \(inside If '\/If'\): Pad reflect requires axis length >= 2/);
  assert.match(failed, /input\s+float\s+\[batch,time\]/);
  assert.match(failed, /state\s+float\s+\[2,batch,16\]/);
  // sr was not asked: the model compares it with 16000, which is fed and marked as assumed.
  assert.match(failed, /assumed: 16000 — set it here/);
  assert.match(failed, /sr = 16000 \(compared with 16000 by Equal '\/Equal'\)/);

  const frame = await vs.webviewFrameWith('input[aria-label="input axis 1 (time)"]');
  const time = frame.locator('input[aria-label="input axis 1 (time)"]');
  const batch = frame.locator('input[aria-label="input axis 0 (batch)"]');
  const stateBatch = frame.locator('input[aria-label="state axis 1 (batch)"]');
  assert.equal(await time.inputValue(), '1');
  await time.fill('512');
  await batch.fill('2');
  // batch is one symbol: the state's field follows.
  assert.equal(await stateBatch.inputValue(), '2');
  await vs.waitForWebviewText(/Edited: Run Again uses these inputs/);
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
  assert.doesNotMatch(text, /did not run|assumed: 16000/);
});

scenario('the edited inputs are remembered for the model: the next run offers them and asks nothing (after the scenario above)', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('silero.onnx');
  await vs.waitForWebviewText(/If/);
  await vs.runCommand('ONNX: Test Run Model');
  await waitFor('the last inputs offered first', async () => (await vs.quickPickItems())[0] === 'As last time');
  const description = await vs.page.locator('.quick-input-widget .monaco-list-row').first().innerText();
  assert.match(description, /normal · batch=2 · time=512 · sr=8000/);
  await vs.pick('As last time');
  const text = await vs.waitForWebviewText(/stateN\s+float\s+\[2,2,16\]/, 60_000);
  assert.match(text, /--dims batch=2,time=512 --value sr=8000/);
});
