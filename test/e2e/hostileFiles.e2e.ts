// Files that are not models: the editor shows one plain line about what is wrong (the view worker that
// opens models answers with it), and VS Code (and the extension) stay usable afterwards.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pngImage, summaryOf } from './fixtures.js';
import { sampleModelPath, useWorkbench } from './harness.js';

const { scenario } = useWorkbench({
  name: 'hostile-files',
  files: {
    'empty.onnx': '',
    'picture.onnx': pngImage(),
    'garbage.onnx': Buffer.from('this is not protobuf \u0000\u00ff\u00fe at all, just text', 'latin1'),
    // A real model cut off halfway: the protobuf decoder, not the sniffing of the first bytes, refuses it.
    'truncated.onnx': readFileSync(sampleModelPath()).subarray(0, Math.floor(readFileSync(sampleModelPath()).length / 2)),
    'notes.txt': 'plain text opens after the broken models\n',
    'sample.onnx': { copyFrom: sampleModelPath() },
  },
});

async function expectOneLineError(vs: Parameters<Parameters<typeof scenario>[1]>[0], file: string, message: RegExp): Promise<void> {
  await vs.closeAllEditors();
  await vs.openFile(file);
  const text = await vs.waitForWebviewText(message);
  const line = text.split('\n').find((l) => message.test(l));
  assert.ok(line, `no line matches ${message}`);
  assert.doesNotMatch(text, /\bat \S+ \(|Error: |stack/i, `the editor shows a stack trace or raw error:\n${text}`);
}

scenario('an empty .onnx shows a one-line error in the editor', async (vs) => {
  await expectOneLineError(vs, 'empty.onnx', /empty/i);
});

scenario('a PNG renamed to .onnx says it is a PNG image', async (vs) => {
  await expectOneLineError(vs, 'picture.onnx', /PNG image, not an ONNX model/);
});

scenario('random bytes named .onnx show a one-line error', async (vs) => {
  await expectOneLineError(vs, 'garbage.onnx', /not (a valid |a usable )?(an )?ONNX model|ONNX model/i);
});

scenario('a model cut off halfway shows the decoder\'s one-line error', async (vs) => {
  await expectOneLineError(vs, 'truncated.onnx', /Not a valid ONNX model: the protobuf data is truncated or corrupt/);
});

scenario('VS Code stays usable: a text file and a real model open afterwards', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('notes.txt');
  await vs.waitForText('plain text opens after the broken models', { where: 'workbench' });
  await vs.openFile('sample.onnx');
  await vs.waitForWebviewText(new RegExp(`IR( version)?\\s*${summaryOf(vs.path('sample.onnx')).irVersion}\\b`));
  assert.deepEqual(vs.dialogs, []);
});
