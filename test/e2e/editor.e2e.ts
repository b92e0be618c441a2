// The model editor as a user meets it: the graph of a model with its node count, Find, the side panel
// with attributes and tensor statistics, subgraph navigation with breadcrumbs, hostile names as text,
// and export to SVG. Expected values come from the model itself, read with the project's core.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Frame } from 'playwright-core';
import { formatNumber } from '../../src/core/format.js';
import { TensorInspector } from '../../src/core/graph/tensorDetail.js';
import { buildGraphView, MAIN_GRAPH, resolveGraph } from '../../src/core/graph/viewModel.js';
import { generateTransformer } from '../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import type { ModelProto, ValueInfoProto } from '../../src/core/model/proto.js';
import { hostileName, hostileNamesModel, hostileOutput } from './fixtures.js';
import { sampleModelPath, useWorkbench, waitFor, type Workbench } from './harness.js';

function floatValue(name: string, dims: number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

/** An If whose branches hold two and three nodes: the subgraphs to open. */
function ifModel(): Uint8Array {
  const branch = (name: string, ops: string[]) => ({
    name,
    node: ops.map((op, i) => ({ opType: op, name: `${name}_${op.toLowerCase()}_${i}`, input: [i === 0 ? 'x' : `${name}_${i - 1}`], output: [i === ops.length - 1 ? `${name}_out` : `${name}_${i}`] })),
    output: [floatValue(`${name}_out`, [2, 3])],
  });
  const model: ModelProto = {
    irVersion: 8,
    producerName: 'onnx-lens e2e',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'branches',
      node: [
        { opType: 'ReduceSum', name: 'total', input: ['x'], output: ['s'], attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
        { opType: 'Greater', name: 'positive', input: ['s', 'zero'], output: ['cond'] },
        { opType: 'If', name: 'choose', input: ['cond'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: branch('then_body', ['Relu', 'Neg']) }, { name: 'else_branch', type: 5, g: branch('else_body', ['Abs', 'Sigmoid', 'Neg']) }] },
      ],
      initializer: [{ name: 'zero', dataType: 1, dims: [], floatData: [0] }],
      input: [floatValue('x', [2, 3])],
      output: [floatValue('y', [2, 3])],
    },
  };
  return encodeModel(model);
}

const sample = readFileSync(sampleModelPath());
// Above the default onnxLens.graph.collapseAbove (1,500): opens with its name scopes collapsed.
const large = encodeModel(generateTransformer({ layers: 24, hidden: 32, heads: 4, vocab: 64, nodeMetadata: true }));

const { scenario } = useWorkbench({
  name: 'editor',
  files: {
    'sample.onnx': sample,
    'branches.onnx': ifModel(),
    'hostile-names.onnx': hostileNamesModel(),
    'large.onnx': large,
  },
});

async function graphFrame(vs: Workbench): Promise<Frame> {
  return vs.webviewFrameWith('.graph-canvas');
}

async function status(frame: Frame): Promise<string> {
  return (await frame.locator('.status').textContent()) ?? '';
}

async function find(frame: Frame, query: string): Promise<string[]> {
  const input = frame.locator('.find-field input');
  await input.fill(query);
  await waitFor(`results for "${query}"`, async () => !(await frame.locator('.find-results').isHidden()) || /No results/.test((await frame.locator('.find-count').textContent()) ?? ''));
  return frame.locator('.find-results .label').allTextContents();
}

async function panelText(frame: Frame): Promise<string> {
  return (await frame.locator('.panel').innerText()).replace(/\u00a0/g, ' ');
}

async function open(vs: Workbench, file: string): Promise<Frame> {
  await vs.closeAllEditors();
  await vs.openFile(file);
  const frame = await graphFrame(vs);
  await waitFor(`${file} drawn`, async () => /\d node/.test(await status(frame)));
  return frame;
}

scenario('the graph shows as many nodes as the model draws, and Find finds them by name', async (vs) => {
  const model = decodeModel(sample);
  const view = buildGraphView(model, resolveGraph(model, MAIN_GRAPH)!);
  const drawn = view.nodes.filter((n) => !n.hidden);
  assert.ok(drawn.length < view.nodes.length, 'the sample has Constant nodes that are folded into their consumers');
  const frame = await open(vs, 'sample.onnx');
  const text = await status(frame);
  assert.match(text, new RegExp(`^${drawn.length.toLocaleString('en-US')} nodes`), `status: ${text}`);
  // Names from the start, the middle and the end of the graph are found by Find.
  for (const node of [drawn[0], drawn[Math.floor(drawn.length / 2)], drawn[drawn.length - 1]]) {
    const labels = await find(frame, node.name);
    assert.ok(labels.includes(node.name), `Find lists ${node.name}; it listed ${labels.slice(0, 5).join(', ')}`);
  }
  assert.deepEqual(await find(frame, 'no node is called this'), []);
  assert.match((await frame.locator('.find-count').textContent()) ?? '', /No results/);
});

scenario('Find jumps to a node and the panel shows its attributes with their values', async (vs) => {
  const frame = await open(vs, 'sample.onnx');
  const labels = await find(frame, 'Softmax');
  assert.ok(labels.length > 0, 'Find lists the Softmax nodes');
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the node in the panel', async () => /Attributes \(\d+\)/i.test(await panelText(frame)));
  const text = await panelText(frame);
  assert.match(text, /Operator\s+Softmax/);
  assert.match(text, /axis\s+-1\s+INT/, `the axis attribute and its value; panel:\n${text}`);
  assert.match(text, /Inputs \(1\)/i);
});

scenario('a constant input shows its statistics, histogram and values, computed from the weights', async (vs) => {
  const model = decodeModel(sample);
  const view = buildGraphView(model, resolveGraph(model, MAIN_GRAPH)!);
  const matmul = view.nodes.findIndex((n) => n.op === 'MatMul' && n.folded.length > 0);
  const weight = view.values[view.nodes[matmul].inputs[view.nodes[matmul].folded[0]]].name;
  const expected = new TensorInspector(model).detail({ graph: '', name: weight }, 0, 5);
  const frame = await open(vs, 'sample.onnx');
  await find(frame, view.nodes[matmul].name);
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the MatMul in the panel', async () => /Inputs \(2\)/i.test(await panelText(frame)));
  await frame.locator('.panel vscode-link', { hasText: weight }).first().click();
  await waitFor('statistics', async () => /Statistics/i.test(await panelText(frame)));
  const text = await panelText(frame);
  assert.match(text, new RegExp(`Elements\\s+${expected.count.toLocaleString('en-US')}`));
  assert.match(text, /Storage\s+raw_data/);
  const [min, max] = [formatNumber(expected.stats!.min), formatNumber(expected.stats!.max)];
  assert.ok(text.includes(min) && text.includes(max), `min ${min} and max ${max} in:\n${text}`);
  assert.match(text, /NaN\s+0/);
  assert.ok(text.includes(`Values 0–${Math.min(99, expected.count - 1)} of ${expected.count.toLocaleString('en-US')}`));
  assert.ok(text.includes(expected.preview.values[0]), `the first value ${expected.preview.values[0]} is listed`);
  assert.equal(await frame.locator('.histogram canvas').count(), 1, 'a histogram is drawn');
});

scenario('subgraphs open from the panel and breadcrumbs lead back', async (vs) => {
  const frame = await open(vs, 'branches.onnx');
  assert.match(await status(frame), /^3 nodes/);
  await find(frame, 'choose');
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the If node in the panel', async () => /Open else_branch/.test(await panelText(frame)));
  await frame.locator('.panel vscode-button', { hasText: 'Open else_branch' }).click();
  await waitFor('the else branch', async () => /^3 nodes/.test(await status(frame)) && /choose ▸ else/.test((await frame.locator('.crumbs').innerText()) ?? ''));
  assert.deepEqual(await find(frame, 'else_body_sigmoid'), ['else_body_sigmoid_1']);
  await vs.screenshot('else branch of an If');
  await frame.locator('.crumbs button.crumb').first().click();
  await waitFor('back in the main graph', async () => /^3 nodes/.test(await status(frame)) && !/else_branch/.test(await frame.locator('.crumbs').innerText()));
  await find(frame, 'choose');
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the If node again', async () => /Open then_branch/.test(await panelText(frame)));
  await frame.locator('.panel vscode-button', { hasText: 'Open then_branch' }).click();
  await waitFor('the then branch', async () => /^2 nodes/.test(await status(frame)));
});

scenario('hostile node and tensor names are drawn and listed as text', async (vs) => {
  const frame = await open(vs, 'hostile-names.onnx');
  assert.match(await status(frame), /^1 node/);
  const text = await panelText(frame);
  assert.ok(text.includes(hostileName) && text.includes(hostileOutput), `the names appear literally in the panel:\n${text}`);
  assert.deepEqual(await find(frame, '<img'), [hostileName, hostileName], 'the node and its input tensor');
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the node in the panel', async () => /Operator\s+Relu/.test(await panelText(frame)));
  const injected = await frame.evaluate(() => {
    const img = document.querySelector('img[src="x"], img[onerror]');
    const script = Array.from(document.scripts).find((s) => s.textContent?.includes('alert('));
    return Boolean(img || script);
  });
  assert.equal(injected, false, 'no element came from a model string');
  assert.deepEqual(vs.dialogs, []);
});

scenario('Export Graph as SVG writes the drawn graph where the user says', async (vs) => {
  const frame = await open(vs, 'branches.onnx');
  assert.ok(frame);
  await vs.runCommand('ONNX: Export Graph as SVG');
  const target = vs.path('exported-graph.svg');
  // VS Code's own save dialog (a quick input holding the path): type the path and accept.
  const input = vs.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  // The dialog fills in its suggested path a moment after it shows; typing earlier gets overwritten.
  await waitFor('the save dialog to suggest a path', async () => /\.svg$/.test(await input.inputValue()));
  await input.fill(target);
  await waitFor('the typed path in the save dialog', async () => (await input.inputValue()) === target);
  await vs.page.keyboard.press('Enter');
  await waitFor('the SVG file', () => existsSync(target) && readFileSync(target, 'utf8').includes('</svg>'));
  const svg = readFileSync(target, 'utf8');
  for (const name of ['ReduceSum', 'Greater', 'If']) assert.ok(svg.includes(`>${name}<`), `${name} is in the SVG`);
  assert.ok(!svg.includes('<script'), 'no script in the export');
  // The explorer lists the new file; later scenarios click rows, so they start after it has re-rendered.
  await waitFor('exported-graph.svg in the explorer', async () => (await vs.explorerRow('exported-graph.svg').count()) > 0);
});

scenario('Export Graph as PNG writes an image of the drawn graph where the user says', async (vs) => {
  const frame = await open(vs, 'branches.onnx');
  assert.ok(frame);
  await vs.runCommand('ONNX: Export Graph as PNG');
  const target = vs.path('exported-graph.png');
  const input = vs.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await waitFor('the save dialog to suggest a path', async () => /\.png$/.test(await input.inputValue()));
  await input.fill(target);
  await waitFor('the typed path in the save dialog', async () => (await input.inputValue()) === target);
  await vs.page.keyboard.press('Enter');
  const png = await waitFor('the PNG file', () => (existsSync(target) && readFileSync(target).length > 1000 ? readFileSync(target) : undefined));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.ok(width > 100 && height > 100, `an image of the graph, ${width}x${height}`);
  await waitFor('exported-graph.png in the explorer', async () => (await vs.explorerRow('exported-graph.png').count()) > 0);
});

scenario('a large model opens with its scopes collapsed; Find opens the groups around a match', async (vs) => {
  const model = decodeModel(large);
  const view = buildGraphView(model, resolveGraph(model, MAIN_GRAPH)!);
  const drawn = view.nodes.filter((n) => !n.hidden);
  assert.ok(drawn.length > 1500, `${drawn.length} drawn nodes`);
  const frame = await open(vs, 'large.onnx');
  const collapsed = /^([\d,]+) nodes · ([\d,]+) shown, (\d+) collapsed groups/.exec(await status(frame));
  assert.ok(collapsed, `status: ${await status(frame)}`);
  assert.equal(Number(collapsed[1].replace(/,/g, '')), drawn.length);
  assert.ok(Number(collapsed[3]) >= 24, 'one collapsed group per layer at least');
  const target = drawn.find((n) => n.name.includes('layers.17') && n.op === 'Softmax') ?? drawn[Math.floor(drawn.length * 0.7)];
  await find(frame, target.name);
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the node in the panel', async () => (await panelText(frame)).includes(target.name));
  const opened = /· ([\d,]+) shown/.exec(await status(frame));
  assert.ok(opened && Number(opened[1].replace(/,/g, '')) > Number(collapsed[2].replace(/,/g, '')), `more nodes are shown after the jump: ${await status(frame)}`);
  await vs.screenshot('large model after Find opened layer 17');
  await frame.locator('vscode-button[aria-label="Collapse all groups"]').click();
  await waitFor('collapsed as it opened', async () => (await status(frame)) === collapsed[0]);
  // It was opened by the view worker, off the extension host's thread, and the log says so. The output
  // wraps long lines anywhere and draws spaces as no-break spaces: spaces and line ends may fall anywhere.
  await vs.runCommand('ONNX: Show Log');
  const output = vs.page.locator('.part.panel .monaco-editor .view-lines');
  const opening = new RegExp(`Opened[\\s\\S]*?large\\.onnx[\\s\\S]*?\\(\\s*${view.nodes.length}\\s*nodes,\\s*\\d+\\s*groups\\)\\s*in\\s*a\\s*worker`);
  await waitFor('the log line of the opening in the view worker', async () => opening.test((await output.allInnerTexts()).join('\n').replace(/\u00a0/g, ' ')));
});

scenario('Ctrl+F in the editor finds; selection and view survive hiding the tab', async (vs) => {
  const frame = await open(vs, 'sample.onnx');
  await frame.locator('.graph-canvas').click({ position: { x: 5, y: 5 } });
  await frame.locator('.graph-canvas').press('Control+f');
  await frame.page().keyboard.type('Softmax');
  await waitFor('Find results from Ctrl+F', async () => /\d+ found/.test((await frame.locator('.find-count').textContent()) ?? ''));
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the node in the panel', async () => /Operator\s+Softmax/.test(await panelText(frame)));
  const before = await status(frame);
  await vs.tab('sample.onnx').dblclick(); // keep it open (not a preview tab that the next file replaces)
  // Another editor in the same group hides this one; its webview is rebuilt when shown again.
  await vs.openFile('branches.onnx');
  await vs.webviewFrameWith('.crumb.current:text("branches.onnx")');
  await vs.tab('sample.onnx').click();
  const again = await vs.webviewFrameWith('.crumb.current:text("sample.onnx")');
  await waitFor('the same view again', async () => (await status(again)) === before && /Operator\s+Softmax/.test(await panelText(again)));
});
