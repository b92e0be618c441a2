// The nn.Module hierarchy of a real dynamo export in the explorer's ONNX Modules view: a module selects
// its nodes in the graph, a test run with capture adds time per module and the slowest lines; the
// Python file marks the lines that made nodes, and the text view's op hover links to the source.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '../../src/core/model/decode.js';
import { linearModel } from '../helpers/models.js';
import { useWorkbench, waitFor, type Workbench } from './harness.js';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const { scenario } = useWorkbench({
  name: 'module-tree',
  files: {
    'transformer.onnx': { copyFrom: repo('test/fixtures/exported/transformer_dynamo/model.onnx') },
    // Unnamed nodes, no metadata: no hierarchy to show.
    'plain.onnx': encodeModel(linearModel(4, 3)),
    // The exporter wrote /src/onnx-lens/scripts/make-exported-fixtures.py: found by its path suffix.
    'scripts/make-exported-fixtures.py': { copyFrom: repo('scripts/make-exported-fixtures.py') },
  },
});

const view = (vs: Workbench) => vs.page.locator('.pane:has(.pane-header:has-text("ONNX Modules"))');
const row = (vs: Workbench, label: string) => view(vs).locator('.monaco-list-row').filter({ has: vs.page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });

/** Expands a collapsed module row by its twistie. */
async function expand(vs: Workbench, label: string): Promise<void> {
  const r = row(vs, label);
  await r.waitFor({ state: 'visible' });
  if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
  await waitFor(`${label} expanded`, async () => (await r.getAttribute('aria-expanded')) === 'true');
}

/** Runs `use` with the view open and the workspace folder's section collapsed, so the tree has the room. */
async function inModulesView(vs: Workbench, use: () => Promise<unknown>): Promise<void> {
  const header = vs.page.locator('.pane-header', { hasText: 'ONNX Modules' });
  await waitFor('the ONNX Modules view in the explorer', async () => (await header.count()) > 0);
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  const folder = vs.page.locator('.pane-header', { hasText: /^\s*Workspace/i }).first();
  const setFolder = async (open: boolean) => {
    if ((await folder.getAttribute('aria-expanded')) !== String(open)) await folder.click();
  };
  await setFolder(false);
  try {
    await use();
  } finally {
    await setFolder(true);
  }
}

scenario('the module tree lists the hierarchy with classes; a module selects its nodes in the graph', async (vs) => {
  await vs.openFile('transformer.onnx');
  await vs.waitForWebviewText(/IR version/);
  await inModulesView(vs, async () => {
    await waitFor('the model row', async () => (await row(vs, 'transformer.onnx').count()) > 0);
    const root = await row(vs, 'transformer.onnx').innerText();
    assert.match(root, /TinyTransformer · 37 nodes/);
    await expand(vs, 'block');
    await expand(vs, 'attn');
    assert.match(await row(vs, 'attn').innerText(), /Attention · 18 nodes/);
    assert.match(await row(vs, 'qkv').innerText(), /Linear · 2 nodes/);
    await row(vs, 'qkv').click();
    await vs.waitForWebviewText(/block\.attn\.qkv: 2 nodes/);
  });
});

scenario('after a test run with capture, modules show their kernel time and the slowest lines open the source', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('transformer.onnx');
  await vs.waitForWebviewText(/IR version/);
  await vs.runCommand('ONNX: Test Run Model');
  await vs.pick('Generated: All ones');
  const frame = await vs.webviewFrameWith('button:has-text("Run with Tensor Capture")', 60_000);
  await frame.locator('button', { hasText: 'Run with Tensor Capture' }).click();
  await vs.waitForWebviewText(/tensors captured/, 60_000);
  let label = '';
  await inModulesView(vs, async () => {
    await waitFor('time on the model row', async () => /37 nodes · [\d.]+ ms/.test(await row(vs, 'transformer.onnx').innerText()));
    // Collapsing the model row brings "Slowest lines" into view.
    await row(vs, 'transformer.onnx').locator('.monaco-tl-twistie').click();
    const lines = row(vs, 'Slowest lines');
    await lines.waitFor({ state: 'visible' });
    await lines.locator('.monaco-tl-twistie').click();
    const first = view(vs).locator('.monaco-list-row', { hasText: /make-exported-fixtures\.py:\d+/ }).first();
    await first.waitFor({ state: 'visible' });
    label = (await first.locator('.label-name').innerText()).trim();
    assert.match(await first.innerText(), /[\d.]+ ms · \d+ nodes?/);
    await first.click();
  });
  const line = Number(/\.py:(\d+)$/.exec(label)?.[1]);
  await waitFor(`the script open at line ${line}`, async () => {
    const tab = (await vs.page.locator('.editor-group-container.active .tab.active .label-name').first().textContent()) ?? '';
    const status = await vs.page.locator('[id="status.editor.selection"]').innerText().catch(() => '');
    return tab.includes('make-exported-fixtures.py') && status.includes(`Ln ${line},`);
  });
});

scenario('a model without module metadata says so once at the top of the view', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('plain.onnx');
  await vs.waitForWebviewText(/IR version/);
  await inModulesView(vs, () => waitFor('the notice', async () => /records no module hierarchy/.test(await view(vs).innerText())));
});

scenario('lines that made nodes are marked in the Python file; the hover links to the node', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('transformer.onnx');
  await vs.waitForWebviewText(/IR version/);
  await vs.openFile('scripts/make-exported-fixtures.py');
  await vs.runCommand('Go to Line/Column...');
  await vs.page.keyboard.type('92:1');
  await vs.page.keyboard.press('Enter');
  await waitFor('gutter marks', async () => (await vs.page.locator('.editor-group-container.active .cgmr').count()) > 0);
  // Line 91, `scores = (q @ k.transpose(-2, -1)) * ...`, made the Transpose, the MatMul and the Mul.
  const hover = await vs.hoverWord('scores', /line 91 made 3 nodes of transformer\.onnx/);
  assert.match(hover, /node_transpose[\s\S]*node_matmul[\s\S]*node_mul_43/);
  await vs.page.locator('.monaco-hover a', { hasText: 'node_matmul' }).first().click();
  await vs.waitForWebviewText(/node_matmul/);
});

scenario('the text view\'s op hover lists the node\'s source frames as links', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('transformer.onnx');
  await vs.waitForWebviewText(/IR version/);
  await vs.runCommand('ONNX: Show as Text');
  await waitFor('the text view', async () => {
    if (/main_graph/.test(await vs.editorText())) return true;
    // The graph's webview can take focus back as the text opens beside it: click into the text's group.
    await vs.page.locator('.editor-group-container:not(.active) .monaco-editor .view-lines').first().click({ timeout: 2_000 }).catch(() => undefined);
    return false;
  });
  // Find scrolls the op into view.
  await vs.page.keyboard.press('Control+F');
  await vs.page.keyboard.type('= Softmax<');
  await vs.page.keyboard.press('Enter');
  await vs.page.keyboard.press('Escape');
  const hover = await vs.hoverWord('Softmax', /Source/);
  assert.match(hover, /make-exported-fixtures\.py:92/);
});
