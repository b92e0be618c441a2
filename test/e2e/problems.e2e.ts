// The model checker in a real VS Code: an open model's problems in the Problems panel, the rule code of
// each a link that selects the node in the graph, the count in the editor's model panel, and ONNX: Fix
// Model Problems... writing a new file that opens without those problems. Expected values come from the
// models themselves, checked with the project's core.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Frame } from 'playwright-core';
import { generateCnn, generateMlp } from '../../bench/generate/index.js';
import { checkModel, type Problem } from '../../src/core/check/index.js';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { DataType, onnx, toLong, type ModelProto } from '../../src/core/model/proto.js';
import { cloneModel } from '../../src/core/transforms/graphEdit.js';
import { tensorInfo } from '../helpers/models.js';
import { useWorkbench, waitFor, type Workbench } from './harness.js';

/** A generated model with its nodes in reverse order: valid ONNX that onnxruntime runs, one warning. */
function unsorted(model: ModelProto): ModelProto {
  const copy = cloneModel(model);
  copy.graph!.node!.reverse();
  return copy;
}

/** Every node named alike, and out of order: two warnings, both with a fix. */
function sameNamesUnsorted(): ModelProto {
  const copy = unsorted(generateCnn());
  for (const node of copy.graph!.node!) node.name = 'block';
  return copy;
}

/** LayerNormalization at opset 13 (it came with 17): an error whose fix is converting the opset. */
function opTooNew(): ModelProto {
  const info = (name: string) => tensorInfo(name, DataType.FLOAT, [2, 4]);
  return new onnx.ModelProto({
    irVersion: toLong(8),
    producerName: 'onnx-lens e2e',
    opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'norm',
      node: [{ opType: 'LayerNormalization', name: 'norm', input: ['X', 'scale'], output: ['Y'] }],
      initializer: [{ name: 'scale', dataType: DataType.FLOAT, dims: [toLong(4)], floatData: [1, 1, 1, 1] }],
      input: [info('X')],
      output: [info('Y')],
    },
  });
}

/** An If whose then-branch assigns `c`, the outer condition's name (an SSA error inside a subgraph). */
function branchReassigns(): ModelProto {
  const branch = (name: string, op: string, out: string) => ({ name, node: [{ opType: op, name: `${name}_${op.toLowerCase()}`, input: ['X'], output: [out] }], output: [tensorInfo(out, DataType.FLOAT, [2])] });
  return new onnx.ModelProto({
    irVersion: toLong(8),
    producerName: 'onnx-lens e2e',
    opsetImport: [{ domain: '', version: toLong(17) }],
    graph: {
      name: 'branches',
      node: [{ opType: 'If', name: 'choose', input: ['c'], output: ['Y'], attribute: [
        { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('then_body', 'Relu', 'c') },
        { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('else_body', 'Neg', 'e') },
      ] }],
      input: [tensorInfo('X', DataType.FLOAT, [2]), tensorInfo('c', DataType.BOOL, [])],
      output: [tensorInfo('Y', DataType.FLOAT, [2])],
    },
  });
}

/** Relu on int32 at opset 13, which allows only float types (opset 14 allows int32): the opset fix applies. */
function int32Relu(): ModelProto {
  const info = (name: string) => tensorInfo(name, DataType.INT32, [3]);
  return new onnx.ModelProto({
    irVersion: toLong(8),
    producerName: 'onnx-lens e2e',
    opsetImport: [{ domain: '', version: toLong(13) }],
    graph: { name: 'relu', node: [{ opType: 'Relu', name: 'relu', input: ['X'], output: ['Y'] }], input: [info('X')], output: [info('Y')] },
  });
}

const models = {
  'mlp-unsorted.onnx': unsorted(generateMlp()),
  'cnn-names.onnx': sameNamesUnsorted(),
  'norm-opset13.onnx': opTooNew(),
  'changing.onnx': unsorted(generateMlp({ hidden: [16] })),
  'branch.onnx': branchReassigns(),
  'relu-int32.onnx': int32Relu(),
};
const problemsOf = (file: keyof typeof models): Problem[] => checkModel(models[file]);

const { scenario } = useWorkbench({
  name: 'problems',
  files: Object.fromEntries(Object.entries(models).map(([file, m]) => [file, encodeModel(m)])),
});

/** The Problems panel's rows (resource and problem rows), as text. */
async function problemRows(vs: Workbench): Promise<string[]> {
  return (await vs.page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

async function openProblemsPanel(vs: Workbench): Promise<void> {
  if (await vs.page.locator('.markers-panel').isVisible()) return;
  await vs.page.keyboard.press('Control+Shift+M');
  await waitFor('the Problems panel', () => vs.page.locator('.markers-panel').isVisible());
}

/** The model panel's Problems row in the editor's webview. */
async function problemsCell(frame: Frame): Promise<string> {
  return (await frame.locator('.panel .problems').first().innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
}

async function openModel(vs: Workbench, file: string): Promise<Frame> {
  await vs.openFile(file);
  // Through waitForWebviewText first: it reloads a webview that code-server left blank (after a 12 s wait,
  // which is why this wait is longer than the default, as in transforms.e2e.ts).
  await vs.waitForWebviewText(/IR version/, 60_000);
  return vs.webviewFrameWith(`.crumb.current:text("${file}")`);
}

scenario('an out-of-order model: its warning is in the Problems panel, and the rule code selects the node in the graph', async (vs) => {
  const [problem] = problemsOf('mlp-unsorted.onnx');
  assert.equal(problem.rule, 'not-sorted');
  const frame = await openModel(vs, 'mlp-unsorted.onnx');
  let cell = '';
  await waitFor('the model panel to count the warning', async () => (cell = await problemsCell(frame)).startsWith('1 warning — see Problems')).catch((e: Error) => {
    throw new Error(`${e.message} It shows: "${cell}"`);
  });
  assert.equal(await frame.locator('.panel .problems vscode-button').count(), 1, 'a fix button');
  // The count's link opens the Problems panel.
  await frame.locator('.panel .problems vscode-link').click();
  await waitFor('the Problems panel', () => vs.page.locator('.markers-panel').isVisible());
  const rows = await waitFor('the warning in the Problems panel', async () => {
    const r = await problemRows(vs);
    return r.some((t) => t.includes(problem.message)) ? r : undefined;
  });
  assert.ok(rows.some((t) => t.startsWith('mlp-unsorted.onnx')), `a row for the model: ${rows.join(' | ')}`);
  assert.ok(rows.some((t) => t.includes(`${problem.message} [main graph, node ${problem.where.node} "${problem.where.nodeName}" (${problem.where.opType}); ONNX: Fix Model Problems... fixes it]`)), rows.join(' | '));
  // Clicking the rule code (a link) selects the node: the side panel shows it.
  await vs.page.locator('.markers-panel a.monaco-link', { hasText: 'not-sorted' }).first().click();
  await waitFor(`node #${problem.where.node} in the side panel`, async () => {
    const text = (await frame.locator('.panel').innerText().catch(() => '')).replace(/\s+/g, ' ');
    return text.includes(`Index #${problem.where.node}`) && text.includes(`Name ${problem.where.nodeName}`);
  });
  assert.equal(await vs.activeTab(), 'mlp-unsorted.onnx');
});

scenario('a problem inside an If branch: its rule code selects the node there (drawn in place, or in the opened branch)', async (vs) => {
  const problem = problemsOf('branch.onnx').find((p) => p.rule === 'duplicate-definition');
  assert.ok(problem && problem.where.graph === '/0.then_branch' && problem.where.node === 0, JSON.stringify(problem));
  const frame = await openModel(vs, 'branch.onnx');
  await waitFor('the model panel to count the error', async () => (await problemsCell(frame)).startsWith('1 error'));
  await openProblemsPanel(vs);
  await waitFor('the error in the Problems panel', async () => (await problemRows(vs)).some((r) => r.includes(problem.message)));
  await vs.page.locator('.markers-panel a.monaco-link', { hasText: 'duplicate-definition' }).first().click();
  await waitFor('the branch node in the side panel', async () => {
    const crumb = (await frame.locator('.crumb.current').textContent().catch(() => '')) ?? '';
    const text = (await frame.locator('.panel').innerText().catch(() => '')).replace(/\s+/g, ' ');
    // The editor draws an If's branches inside the main graph; opened on their own, the crumb names the branch.
    const where = /Index #0 in If choose ▸ then\b/.test(text) || (crumb.includes('then_branch') && text.includes('Index #0'));
    return where && text.includes('Name then_body_relu');
  });
});

scenario('ONNX: Fix Model Problems... sorts the model into mlp-unsorted.fixed.onnx, verified, which opens without problems', async (vs) => {
  // Continues with mlp-unsorted.onnx open.
  await vs.tab('mlp-unsorted.onnx').first().click();
  const items = await vs.runCommandToPick('ONNX: Fix Model Problems...');
  assert.ok(items.includes('Sort Nodes Topologically') && !items.includes('Make Names Unique') && !items.includes('Apply All Fixes'), items.join(' | '));
  await vs.pick('Sort Nodes Topologically');
  const note = await vs.waitForNotification(/Fix: mlp-unsorted\.fixed\.onnx written/, 90_000);
  assert.match(note, /written, sorted 1 graph topologically \(\d+ nodes moved\); outputs match the original\. No problems left\.$/);
  assert.ok(existsSync(vs.path('mlp-unsorted.fixed.onnx')));
  await waitFor('the fixed model in the active tab', async () => (await vs.activeTab()) === 'mlp-unsorted.fixed.onnx');
  const fixed = await vs.webviewFrameWith('.crumb.current:text("mlp-unsorted.fixed.onnx")');
  await waitFor('the fixed model to have no problems', async () => (await problemsCell(fixed)) === 'No problems found');
  await openProblemsPanel(vs);
  assert.ok(!(await problemRows(vs)).some((r) => r.includes('mlp-unsorted.fixed.onnx')), 'the Problems panel lists nothing for the fixed model');
  // Fixing again never overwrites: the next result gets a name of its own.
  const first = statSync(vs.path('mlp-unsorted.fixed.onnx')).mtimeMs;
  await vs.tab('mlp-unsorted.onnx').first().click();
  await vs.runCommandToPick('ONNX: Fix Model Problems...');
  await vs.pick('Sort Nodes Topologically');
  await vs.waitForNotification(/Fix: mlp-unsorted\.fixed-2\.onnx written/, 90_000);
  assert.equal(statSync(vs.path('mlp-unsorted.fixed.onnx')).mtimeMs, first);
});

scenario('repeated node names: the model panel button fixes both problems; not verified because onnxruntime refuses the original', async (vs) => {
  await vs.closeAllEditors();
  const rules = problemsOf('cnn-names.onnx').map((p) => p.rule).sort();
  assert.deepEqual(rules, ['node-name-duplicate', 'not-sorted']);
  const frame = await openModel(vs, 'cnn-names.onnx');
  await waitFor('the model panel to count two warnings', async () => (await problemsCell(frame)).startsWith('2 warnings — see Problems'));
  await frame.locator('.panel .problems vscode-button').click();
  const items = await vs.quickPickItems();
  assert.equal(items[0], 'Apply All Fixes');
  assert.ok(items.includes('Make Names Unique') && items.includes('Sort Nodes Topologically'), items.join(' | '));
  await vs.pick('Apply All Fixes');
  const note = await vs.waitForNotification(/Fix: cnn-names\.fixed\.onnx written/, 90_000);
  assert.match(note, /written, renamed \d+ repeated node names; sorted 1 graph topologically .*; NOT VERIFIED: the original model does not run in onnxruntime \(.*two nodes with same node name.*\)\. The fixed model runs in onnxruntime\. No problems left\.$/);
  const fixed = await vs.webviewFrameWith('.crumb.current:text("cnn-names.fixed.onnx")');
  await waitFor('the fixed model to have no problems', async () => (await problemsCell(fixed)) === 'No problems found');
  const written = checkModel(decodeModel(readFileSync(vs.path('cnn-names.fixed.onnx'))));
  assert.deepEqual(written, []);
});

scenario('an op newer than the opset: an error in the Problems panel, and no fix offered (the opset converter refuses such a model)', async (vs) => {
  await vs.closeAllEditors();
  const [problem] = problemsOf('norm-opset13.onnx').filter((p) => p.severity === 'error');
  assert.equal(problem.rule, 'op-unknown');
  const frame = await openModel(vs, 'norm-opset13.onnx');
  await waitFor('the model panel to count the error, without a fix button', async () => /^1 error(, \d+ warnings?)? — see Problems$/.test(await problemsCell(frame)));
  assert.equal(await frame.locator('.panel .problems vscode-button').count(), 0);
  await openProblemsPanel(vs);
  await waitFor('the error in the Problems panel', async () => (await problemRows(vs)).some((r) => r.includes(problem.message)));
  await vs.runCommand('ONNX: Fix Model Problems...');
  await vs.waitForNotification(/^norm-opset13\.onnx: its problem has no fix that ONNX Lens can apply\.$/);
});

scenario('a type the opset does not allow: Convert the Opset to 14 writes relu-int32.fixed.onnx, which opens without problems', async (vs) => {
  await vs.closeAllEditors();
  assert.deepEqual(problemsOf('relu-int32.onnx').map((p) => [p.rule, p.fix]), [['type-constraint', 'convert-opset']]);
  const frame = await openModel(vs, 'relu-int32.onnx');
  await waitFor('the model panel to count the error', async () => (await problemsCell(frame)).startsWith('1 error — see Problems'));
  await frame.locator('.panel .problems vscode-button').click();
  await vs.pick('Convert the Opset to 14');
  const note = await vs.waitForNotification(/Fix: relu-int32\.fixed\.onnx written/, 90_000);
  assert.match(note, /converted the opset from 13 to 14; .*No problems left\.$/);
  const fixed = await vs.webviewFrameWith('.crumb.current:text("relu-int32.fixed.onnx")');
  await waitFor('the fixed model to have no problems', async () => (await problemsCell(fixed)) === 'No problems found');
  assert.match(await fixed.locator('.panel').innerText(), /Opsets\s+ai\.onnx 14/);
});

scenario('a change on disk is checked again, and closing the last editor of a model clears its problems', async (vs) => {
  await vs.closeAllEditors();
  const frame = await openModel(vs, 'changing.onnx');
  await waitFor('the warning', async () => (await problemsCell(frame)).startsWith('1 warning'));
  await openProblemsPanel(vs);
  await waitFor('changing.onnx in the Problems panel', async () => (await problemRows(vs)).some((r) => r.startsWith('changing.onnx')));
  const sorted = cloneModel(models['changing.onnx']);
  sorted.graph!.node!.reverse();
  vs.writeFile('changing.onnx', encodeModel(sorted));
  await waitFor('the model panel to show the check of the new contents', async () => (await problemsCell(await vs.webviewFrameWith('.crumb.current:text("changing.onnx")'))) === 'No problems found');
  await waitFor('changing.onnx gone from the Problems panel', async () => !(await problemRows(vs)).some((r) => r.startsWith('changing.onnx')));
  // norm-opset13.onnx again, then closed: its error leaves the Problems panel with it.
  await openModel(vs, 'norm-opset13.onnx');
  await waitFor('norm-opset13.onnx in the Problems panel', async () => (await problemRows(vs)).some((r) => r.startsWith('norm-opset13.onnx')));
  await vs.closeAllEditors();
  await waitFor('no ONNX Lens problems left', async () => (await problemRows(vs)).every((r) => !r.includes('.onnx')));
  assert.deepEqual(vs.dialogs, []);
});
