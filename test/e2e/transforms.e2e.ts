// ONNX: Fold Constants and ONNX: Prune Model... in a real VS Code: palette, quick picks, progress,
// the result written beside the model and opened in the model editor, the sparse-storage offer.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { generateMlp } from '../../bench/generate/index.js';
import { encodeModel } from '../../src/core/model/decode.js';
import { shapeChainModel } from '../unit/transforms/foldModels.js';
import { answerInputBox } from './inputBox.js';
import { useWorkbench, waitFor } from './harness.js';

const { scenario } = useWorkbench({
  name: 'transforms',
  files: { 'chain.onnx': encodeModel(shapeChainModel()), 'mlp.onnx': encodeModel(generateMlp()) },
});

scenario('Fold Constants writes chain.folded.onnx, opens it in the model editor and reports the verification', async (vs) => {
  await vs.openFile('chain.onnx');
  await vs.waitForWebviewText(/IR( version)?\s*\d+/);
  await vs.runCommand('ONNX: Fold Constants');
  const note = await vs.waitForNotification(/Fold: chain\.folded\.onnx written/, 90_000);
  assert.match(note, /10 -> 2 nodes; outputs match the original/);
  assert.ok(existsSync(vs.path('chain.folded.onnx')));
  await waitFor('the folded model to open in an editor tab', async () => (await vs.tab('chain.folded.onnx').count()) > 0);
  await vs.waitForWebviewText(/2 in the main graph/, 60_000);
  // The full report opens as Markdown from the notification.
  await vs.page.locator('.notifications-toasts .monaco-button', { hasText: 'Show Report' }).first().click();
  await waitFor('the report tab', async () => (await vs.tab('chain.folded.onnx fold report.md').count()) > 0);
  const report = await waitFor('the report text', async () => {
    const text = await vs.editorText();
    return /Verification/.test(text) ? text : undefined;
  });
  assert.match(report, /PASS: outputs compared on the same inputs/);
  // A second fold would overwrite the first result: the user is asked, and Cancel leaves it alone.
  const mtime = statSync(vs.path('chain.folded.onnx')).mtimeMs;
  await vs.tab('chain.onnx').first().click();
  await vs.runCommand('ONNX: Fold Constants');
  const dialog = vs.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), /chain\.folded\.onnx already exists/);
  await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(statSync(vs.path('chain.folded.onnx')).mtimeMs, mtime);
});

scenario('Prune Model, per layer at 90%, offers sparse storage and writes it when asked', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('mlp.onnx');
  await vs.waitForWebviewText(/5 in the main graph/, 60_000);
  const modes = await vs.runCommandToPick('ONNX: Prune Model...');
  assert.ok(modes.some((m) => m.includes('Extract Subgraph')), modes.join(' | '));
  await vs.pick('Magnitude Pruning, Per Layer');
  await vs.pick('90%');
  // Exclusions: none chosen, accept.
  await waitFor('the exclusions quick pick to list the Gemm op type', async () => (await vs.quickPickItems()).includes('Gemm'));
  await vs.page.keyboard.press('Enter');
  // Nothing in the model sizes batch_size: verification asks once, suggesting 1.
  await answerInputBox(vs, /size of batch_size/, '1', '1');
  const write = vs.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Write Sparse Storage' });
  await write.waitFor({ state: 'visible', timeout: 90_000 });
  const dialog = await vs.page.locator('.monaco-dialog-box').innerText();
  assert.match(dialog, /Zeros stored densely do not shrink the file/);
  await write.click();
  const note = await vs.waitForNotification(/Prune: mlp\.pruned\.onnx written/, 90_000);
  assert.match(note, /cosine/);
  assert.ok(statSync(vs.path('mlp.pruned.onnx')).size < statSync(vs.path('mlp.onnx')).size / 2, 'sparse storage made the file smaller');
});
