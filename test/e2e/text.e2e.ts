// The ONNX text view and .onnxtxt files in a real VS Code: Show as Text, hover, Go to Definition,
// references, outline, diagnostics while typing, Convert Text to Model, Reveal Node in Graph.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { decodeModel } from '../../src/core/model/decode.js';
import { printModel } from '../../src/core/text/printer.js';
import { sampleModelPath, useWorkbench, waitFor, type Workbench } from './harness.js';

const sampleText = printModel(decodeModel(readFileSync(sampleModelPath()))).text.split('\n');
const lineOf = (pattern: RegExp) => {
  const index = sampleText.findIndex((l) => pattern.test(l));
  assert.ok(index >= 0, `the sample's text has a line matching ${pattern}`);
  return index + 1;
};

const tiny = [
  '<ir_version: 8, opset_import: ["" : 15]>',
  'tiny (float[2] X) => (float[2] Y)',
  '<float[2] W = {1.5, -2}>',
  '{',
  '  [scale] Y = Mul(X, W)',
  '}',
  '',
].join('\n');

const { scenario } = useWorkbench({
  name: 'text',
  files: {
    'sample.onnx': { copyFrom: sampleModelPath() },
    'tiny.onnxtxt': tiny,
    'fn.onnxtxt': [
      '<ir_version: 8, opset_import: ["" : 15, "local" : 1]>',
      'main (float[2] X) => (float[2] Y)',
      '{',
      '  Y = local.Twice(X)',
      '}',
      '',
      '<domain: "local", opset_import: ["" : 15]>',
      'Twice (a) => (b)',
      '{',
      '  b = Add(a, a)',
      '}',
      '',
    ].join('\n'),
    'broken.onnxtxt': '<ir_version: 8, opset_import: ["" : 15]>\nbroken (float X) => (float Y)\n{\n  Y = Relu(X\n}\n',
  },
});

/** "Ln 12, Col 5" of the status bar, as numbers. */
async function cursor(vs: Workbench): Promise<{ line: number; column: number }> {
  const text = await vs.page.locator('[id="status.editor.selection"]').innerText();
  const m = /Ln (\d+), Col (\d+)/.exec(text);
  assert.ok(m, `status bar selection: ${text}`);
  return { line: Number(m[1]), column: Number(m[2]) };
}

/** The active tab of the focused editor group. */
async function focusedTab(vs: Workbench): Promise<string> {
  return (await vs.page.locator('.editor-group-container.active .tab.active .label-name').first().textContent())?.trim() ?? '';
}

async function goTo(vs: Workbench, line: number, column: number): Promise<void> {
  await vs.runCommand('Go to Line/Column...');
  await vs.page.keyboard.type(`${line}:${column}`);
  await vs.page.keyboard.press('Enter');
  await waitFor(`the cursor at ${line}:${column}`, async () => {
    const at = await cursor(vs);
    return at.line === line && at.column === column;
  });
}

scenario('ONNX: Show as Text opens the model as read-only onnx-text with hovers on tensors and ops', async (vs) => {
  await vs.openFile('sample.onnx');
  await vs.waitForWebviewText(/main_graph|MatMul|IR/);
  await vs.runCommand('ONNX: Show as Text');
  await waitFor('the text view tab', async () => (await vs.tab('sample.onnxtxt').count()) > 0);
  // One editor group, so the text view has the whole width and long lines stay on screen.
  await vs.runCommand('View: Join All Editor Groups');
  await waitFor('the text view to be the active tab', async () => /sample\.onnxtxt$/.test(await vs.activeTab()));
  await waitFor('the model text in the editor', async () => /main_graph \(int64\[batch_size,sequence_length\] input_ids\)/.test(await vs.editorText()));
  const language = await vs.page.locator('[id="status.editor.mode"]').innerText();
  assert.match(language, /ONNX Text/);
  const hover = await vs.hoverWord('input_ids', /graph input/);
  assert.match(hover, /int64\[batch_size,sequence_length\]/);
  assert.match(hover, /Consumed by \d+ nodes?/);
  // An initializer: statistics and a preview of its values.
  const init = await vs.hoverWord('"model.layers.0.input_layernorm.weight"', /Initializer values/);
  assert.match(init, /min [\d.]+ · max [\d.]+ · mean [\d.]+ · std [\d.]+/);
  // The text is read-only: typing changes nothing.
  await vs.page.keyboard.type('zzz');
  assert.doesNotMatch(await vs.editorText(), /zzz/);
});

scenario('Go to Definition jumps from a use to the producing node or the input declaration; references list the consumers', async (vs) => {
  const useLine = lineOf(/= Shape\(input_ids\)/);
  await goTo(vs, useLine, sampleText[useLine - 1].indexOf('input_ids') + 2);
  // Hover over an op type: its domain and the opset version the model imports.
  const op = await vs.hoverWord('Shape', /domain/);
  assert.match(op, /Shape.*domain ai\.onnx, opset 17/s);
  await vs.runCommand('Go to Definition');
  await waitFor('the cursor on the input declaration', async () => (await cursor(vs)).line === lineOf(/^main_graph \(/));
  // From the graph output back to the node that produces it.
  const outputLine = lineOf(/^main_graph \(/);
  await goTo(vs, outputLine, sampleText[outputLine - 1].lastIndexOf('logits') + 2);
  await vs.runCommand('Go to Definition');
  const producer = lineOf(/ logits = /);
  await waitFor(`the cursor on line ${producer}, the node producing logits`, async () => (await cursor(vs)).line === producer);
  // References of input_ids: every consumer.
  await goTo(vs, useLine, sampleText[useLine - 1].indexOf('input_ids') + 2);
  await vs.runCommand('Go to References');
  // Node lines end in an inferred-shape comment (`# int64[2]`): match the call, not the comment.
  const consumers = sampleText.map((l) => l.replace(/\s+#.*$/, '')).filter((l) => /\(.*\binput_ids\b.*\)$/.test(l) && / = /.test(l)).length;
  // Go to References includes the declaration: the consumers plus the input itself.
  const rows = vs.page.locator('.peekview-widget .ref-tree .monaco-list-row');
  let previous = -1;
  const count = await waitFor('the references peek to settle', async () => {
    const n = await rows.count();
    const stable = n > 0 && n === previous;
    previous = n;
    return stable ? n : undefined;
  });
  assert.equal(count, consumers + 1);
  await vs.page.keyboard.press('Escape');
});

scenario('the outline lists the graph, its inputs, initializers and nodes', async (vs) => {
  await vs.runCommand('Go to Symbol in Editor...');
  const input = vs.page.locator('.quick-input-widget .quick-input-box input');
  for (const expected of ['main_graph', 'inputs', 'initializers', 'input_ids', '/model/Shape']) {
    await input.fill(`@${expected}`);
    await waitFor(`the outline to list ${expected}`, async () => (await vs.quickPickItems()).includes(expected));
  }
  await vs.page.keyboard.press('Escape');
});

scenario('ONNX: Reveal Node in Graph shows the node under the cursor in the model editor', async (vs) => {
  // The usual layout: the graph on the left, its text beside it.
  await vs.closeAllEditors();
  await vs.openFile('sample.onnx');
  await vs.waitForWebviewText(/main_graph|IR/);
  await vs.runCommand('ONNX: Show as Text');
  await waitFor('the text view in the active group', async () => /sample\.onnxtxt$/.test(await focusedTab(vs)));
  const line = lineOf(/\["\/model\/Shape"\]/);
  await goTo(vs, line, 6);
  await vs.runCommand('ONNX: Reveal Node in Graph');
  await waitFor('the model editor to take focus', async () => /sample\.onnx$/.test(await focusedTab(vs)));
  // The side panel shows the revealed node's details.
  await vs.waitForWebviewText(/\/model\/Shape/);
});

scenario('selecting a node in the graph scrolls the text view beside it to that node', async (vs) => {
  // Continues from the previous scenario: the graph has focus, the text view is visible beside it.
  const textLines = () => vs.page.locator('.editor-group-container:not(.active) .monaco-editor .view-lines .view-line').allTextContents();
  assert.ok(!(await textLines()).some((l) => l.includes('/lm_head/MatMul')), 'the last node starts off screen in the text view');
  const frame = await vs.webviewFrameWith('.find-field input');
  await vs.page.keyboard.press('Control+f');
  await frame.locator('.find-field input').fill('/lm_head/MatMul');
  await waitFor('Find to list /lm_head/MatMul', async () => (await frame.locator('.find-results .label').allTextContents()).includes('/lm_head/MatMul'));
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the text view to show the selected node', async () => (await textLines()).some((l) => l.includes('/lm_head/MatMul')));
  assert.match(await focusedTab(vs), /sample\.onnx$/, 'the graph keeps focus');
});

scenario('.onnxtxt files get diagnostics with positions as the user types, and fixing the text clears them', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('broken.onnxtxt');
  const squiggle = vs.page.locator('.editor-group-container.active .monaco-editor .squiggly-error');
  await waitFor('an error squiggle', async () => (await squiggle.count()) > 0);
  const message = await vs.hoverWord('}', /Expected '\)'/);
  assert.match(message, /Expected '\)' to close the inputs of Relu but found '\}'/);
  await goTo(vs, 4, 13);
  await vs.page.keyboard.type(')');
  await waitFor('the squiggle to go once the text is fixed', async () => (await squiggle.count()) === 0);
  // Rename a value: every occurrence in its scope changes, and the text still parses.
  await goTo(vs, 4, 3);
  await vs.runCommand('Rename Symbol');
  const box = vs.page.locator('.rename-box input');
  await box.waitFor({ state: 'visible' });
  await box.fill('my output');
  await vs.page.keyboard.press('Enter');
  await waitFor('the renamed value in the signature and the node', async () => {
    const text = await vs.editorText();
    return /\(float "my output"\)/.test(text) && /"my output" = Relu\(X\)/.test(text);
  });
  assert.equal(await squiggle.count(), 0);
});

scenario('an op implemented by a model-local function: hover says so, Go to Definition opens the function', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('fn.onnxtxt');
  const hover = await vs.hoverWord('Twice', /domain/);
  assert.match(hover, /domain local, opset 1/);
  assert.match(hover, /Model-local function \(1 nodes?\)/);
  await goTo(vs, 4, 14);
  await vs.runCommand('Go to Definition');
  await waitFor('the cursor on the function', async () => (await cursor(vs)).line === 8);
});

scenario('ONNX: Convert Text to Model writes the .onnx beside the text and opens it in the model editor', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('tiny.onnxtxt');
  await vs.runCommand('ONNX: Convert Text to Model');
  await waitFor('the converted model in the model editor', async () => /tiny\.onnx$/.test(await vs.activeTab()));
  await vs.waitForWebviewText(/Mul/);
  const written = vs.path('tiny.onnx');
  assert.ok(existsSync(written));
  const model = decodeModel(readFileSync(written));
  assert.deepEqual(model.graph?.node?.map((n) => [n.name, n.opType, n.input, n.output]), [['scale', 'Mul', ['X', 'W'], ['Y']]]);
  // Converting again asks before overwriting; dismissing the question writes nothing.
  await vs.openFile('tiny.onnxtxt');
  const before = readFileSync(written);
  await vs.runCommand('ONNX: Convert Text to Model');
  await waitFor('the overwrite question', async () => (await vs.page.locator('.monaco-dialog-box').count()) > 0 || vs.dialogs.length > 0);
  const dialogText = await vs.page.locator('.monaco-dialog-box').innerText().catch(() => vs.dialogs.join('\n'));
  assert.match(dialogText, /tiny\.onnx already exists/);
  await vs.page.keyboard.press('Escape');
  assert.deepEqual(readFileSync(written), before);
});
