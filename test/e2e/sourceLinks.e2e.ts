// Source links on a real dynamo export whose module file is in the workspace: ONNX: Reveal Nodes from
// This Line goes from the Python line to the node; the node's frame link in the side panel goes back
// to the file at the line.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { useWorkbench, waitFor, type Workbench } from './harness.js';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const { scenario } = useWorkbench({
  name: 'source-links',
  files: {
    'cnn.onnx': { copyFrom: repo('test/fixtures/exported/cnn_dynamo/model.onnx') },
    // The exporter wrote /src/onnx-lens/scripts/make-exported-fixtures.py: found by its path suffix.
    'scripts/make-exported-fixtures.py': { copyFrom: repo('scripts/make-exported-fixtures.py') },
  },
});

async function cursorLine(vs: Workbench): Promise<number> {
  const text = await vs.page.locator('[id="status.editor.selection"]').innerText();
  return Number(/Ln (\d+)/.exec(text)?.[1] ?? -1);
}

/** The active tab of the focused editor group (the script opens in the group beside the graph). */
async function focusedTab(vs: Workbench): Promise<string> {
  return (await vs.page.locator('.editor-group-container.active .tab.active .label-name').first().textContent())?.trim() ?? '';
}

scenario('Reveal Nodes from This Line selects the node; its frame link opens the script at the line', async (vs) => {
  await vs.openFile('cnn.onnx');
  await vs.waitForWebviewText(/IR version/);
  await vs.openFile('scripts/make-exported-fixtures.py');
  await vs.runCommand('Go to Line/Column...');
  await vs.page.keyboard.type('77:1');
  await vs.page.keyboard.press('Enter');
  await waitFor('the cursor on line 77', async () => (await cursorLine(vs)) === 77);
  // Line 77 (`return self.fc(x)`) made one node, node_linear: revealed directly.
  await vs.runCommand('ONNX: Reveal Nodes from This Line');
  await vs.waitForWebviewText(/node_linear[\s\S]*Module\s*fc · torch\.nn\.modules\.linear\.Linear/);
  const text = await vs.webviewText();
  assert.match(text, /make-exported-fixtures\.py:77\s*in forward/);
  assert.match(text, /linear\.py:134\s*in forward · installed package/);
  await vs.closeAllEditors();
  await vs.openFile('cnn.onnx');
  await vs.waitForWebviewText(/IR version/);
  await vs.openFile('scripts/make-exported-fixtures.py');
  await vs.runCommand('Go to Line/Column...');
  await vs.page.keyboard.type('75:1');
  await vs.page.keyboard.press('Enter');
  // Line 75 made two nodes (Conv with its folded BatchNorm, Relu): a quick pick.
  await vs.runCommand('ONNX: Reveal Nodes from This Line');
  await waitFor('both nodes listed', async () => {
    const items = (await vs.quickPickItems()).join(' ');
    return items.includes('node_Conv_23') && items.includes('node_relu_1');
  });
  await vs.pick('node_relu_1');
  await vs.waitForWebviewText(/node_relu_1/);
  await vs.tab('make-exported-fixtures.py').click({ button: 'middle' });
  const frame = await vs.webviewFrameWith('.frames vscode-link');
  await frame.locator('.frames vscode-link', { hasText: 'make-exported-fixtures.py:75' }).click();
  await waitFor('the script open at line 75', async () => /make-exported-fixtures\.py/.test(await focusedTab(vs)) && (await cursorLine(vs)) === 75);
});
