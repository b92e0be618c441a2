// Contributed commands, run from the command palette as a user does (F1, type, Enter), and offered
// only where their when-clauses say (the model editor, ONNX text, anywhere).
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateMlp } from '../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { repoRoot } from './codeServer.js';
import { answerInputBox } from './inputBox.js';
import { sampleModelPath, useWorkbench, waitFor, type Workbench } from './harness.js';

const { scenario } = useWorkbench({
  name: 'commands',
  files: {
    'sample.onnx': { copyFrom: sampleModelPath() },
    'mlp.onnx': encodeModel(generateMlp({ hidden: [256, 128] })),
    'notes.txt': 'not a model\n',
    'tiny.onnxtxt': '<ir_version: 8, opset_import: ["" : 17]>\ntiny (float[2] X) => (float[2] Y)\n{\n  Y = Relu(X)\n}\n',
  },
});

interface Manifest {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    menus: { commandPalette: Array<{ command: string; when?: string }> };
  };
}

/** Palette titles of the contributed commands, grouped by where package.json offers them. */
function paletteCommands(): { model: string[]; text: string[]; anywhere: string[] } {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
  const when = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when ?? '']));
  const groups = { model: [] as string[], text: [] as string[], anywhere: [] as string[] };
  for (const c of manifest.contributes.commands) {
    const title = c.category ? `${c.category}: ${c.title}` : c.title;
    const clause = when.get(c.command) ?? '';
    // Hidden, or offered only while a model is served, a diff is shown or a Python file is open (serve, diff
    // and sourceLinks e2e cover those).
    if (clause === 'false' || clause === 'onnxLens.serving' || clause === 'onnxLens.diffShown' || clause === 'editorLangId == python') continue;
    if (clause.includes('onnxLens.modelEditor')) groups.model.push(title);
    else if (clause.includes('onnx-text')) groups.text.push(title);
    else if (!clause) groups.anywhere.push(title);
    else throw new Error(`No palette expectation for ${c.command} (when: ${clause}); extend this test.`);
  }
  return groups;
}

/** The ONNX commands the palette offers now. */
async function offered(vs: Workbench): Promise<string[]> {
  const labels = new Set(await vs.paletteLabels('ONNX: '));
  // The list draws only the rows in view (more ONNX commands than fit): page down until two presses add nothing.
  const rows = vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  for (let press = 0, idle = 0; press < 20 && idle < 2; press++) {
    await vs.page.keyboard.press('PageDown');
    await vs.page.waitForTimeout(150);
    const before = labels.size;
    for (const l of await rows.evaluateAll((els) => els.map((e) => e.querySelector('.label-name')?.textContent ?? e.getAttribute('aria-label') ?? ''))) labels.add(l.trim());
    idle = labels.size === before ? idle + 1 : 0;
  }
  await vs.closeQuickInput();
  return [...labels].filter((l) => l.startsWith('ONNX: ')).sort();
}

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

scenario('the palette offers each command where package.json says: model editor, ONNX text, anywhere', async (vs) => {
  const { model, text, anywhere } = paletteCommands();
  assert.ok(model.length >= 5 && text.length >= 1 && anywhere.length >= 1, 'the manifest lost its commands');
  await vs.closeAllEditors();

  await vs.openFile('sample.onnx');
  await vs.waitForWebviewText(/IR( version)?\s*\d+/);
  await waitFor('the model commands in the palette', async () => JSON.stringify(await offered(vs)) === JSON.stringify([...model, ...anywhere].sort()));

  await vs.openFile('tiny.onnxtxt');
  await waitFor('the ONNX text commands in the palette', async () => JSON.stringify(await offered(vs)) === JSON.stringify([...text, ...anywhere].sort()));

  await vs.openFile('notes.txt');
  await waitFor('only the commands that work anywhere', async () => JSON.stringify(await offered(vs)) === JSON.stringify([...anywhere].sort()));
});

scenario('ONNX: Quantize Model... (dynamic int8) writes mlp.int8.onnx beside the model and opens it in the model editor', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('mlp.onnx');
  await vs.waitForWebviewText(/Gemm/);
  await vs.runCommand('ONNX: Quantize Model...');
  await vs.pick('dynamic');
  await vs.pick('integer');
  await vs.pick('per tensor');
  // Nodes to leave in float: none.
  await vs.page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
  await vs.page.locator('.quick-input-widget .quick-input-box input').fill('');
  await vs.page.keyboard.press('Enter');
  // Nothing in the model sizes batch_size: verification asks once, suggesting 1.
  await answerInputBox(vs, /size of batch_size/, '1', '1');
  const note = await vs.waitForNotification(/Quantize: mlp\.int8\.onnx written/, 120_000);
  assert.match(note, /weights [\d.]+x smaller/);
  await waitFor('mlp.int8.onnx in an editor tab', async () => (await vs.tab('mlp.int8.onnx').count()) > 0);
  assert.equal(await vs.activeTab(), 'mlp.int8.onnx');
  // The viewer shows the quantized graph: integer MatMuls fed by DynamicQuantizeLinear.
  await vs.waitForWebviewText(/MatMulInteger/);
  await vs.waitForWebviewText(/DynamicQuantizeLinear/);
  // What was written is a model with int8 weights, several times smaller than the original.
  const written = decodeModel(readFileSync(vs.path('mlp.int8.onnx')));
  const ops = new Set((written.graph?.node ?? []).map((n) => n.opType));
  assert.ok(ops.has('MatMulInteger') && ops.has('DynamicQuantizeLinear'), [...ops].join(', '));
  assert.ok(statSync(vs.path('mlp.int8.onnx')).size * 3 < statSync(vs.path('mlp.onnx')).size, 'the int8 model is not 3x smaller');
});
