// Contributed commands, run from the command palette as a user does (F1, type, Enter).
import assert from 'node:assert/strict';
import { sampleModelPath, useWorkbench, waitFor } from './harness.js';

const { scenario } = useWorkbench({
  name: 'commands',
  files: { 'sample.onnx': { copyFrom: sampleModelPath() } },
});

scenario('ONNX: Show Log is in the palette and opens the extension log', async (vs) => {
  assert.ok(await vs.hasCommand('ONNX: Show Log'), 'the palette does not list ONNX: Show Log');
  await vs.openFile('sample.onnx');
  await vs.waitForWebviewText(/IR( version)?\s*\d+/);
  await vs.runCommand('ONNX: Show Log');
  const output = vs.page.locator('.part.panel .monaco-editor .view-lines');
  const log = await waitFor('the ONNX Lens log to show the opened model', async () => {
    const text = (await output.allInnerTexts()).join('\n');
    return /sample\.onnx/.test(text) ? text : undefined;
  });
  assert.match(log, /\[(info|warning|error|debug|trace)\]/, 'log lines carry a level (a LogOutputChannel)');
});
