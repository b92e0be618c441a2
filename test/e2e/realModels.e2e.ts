// The model editor on the committed real-exporter fixtures (test/fixtures/exported): a model whose main
// graph is a dispatcher around one If opens with the branches in place and its inputs connected; a
// paddle2onnx-style model's labels use short dimension aliases; the fitted view of the 301-node detector
// uses the canvas; small constants show their values; the layout direction is remembered per model; a
// torchscript export's edges show the shapes only inference knows, and hovering one says so.
// Expected values come from the models, read with the project's core. With E2E_README_SHOTS=1 the
// screenshots also go to media/screenshots/ for the README.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { buildGraphView, buildModelView, resolveGraph } from '../../src/core/graph/viewModel.js';
import { decodeModel } from '../../src/core/model/decode.js';
import { repoRoot } from './codeServer.js';
import { useWorkbench, waitFor, type Workbench } from './harness.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'exported');
const fixture = (name: string) => join(fixtures, name, 'model.onnx');

const { scenario } = useWorkbench({
  name: 'real-models',
  files: {
    'silero_like.onnx': { copyFrom: fixture('silero_like_dynamo') },
    'silero_like_scripted.onnx': { copyFrom: fixture('silero_like_torchscript') },
    'detector.onnx': { copyFrom: fixture('detector_opset11_constants') },
    'cnn_scripted.onnx': { copyFrom: fixture('cnn_torchscript') },
  },
});

/** A screenshot for the run, and for the README when E2E_README_SHOTS is set. */
async function shot(vs: Workbench, label: string, readmeName: string): Promise<void> {
  const file = await vs.screenshot(label);
  if (process.env.E2E_README_SHOTS) copyFileSync(file, join(repoRoot, 'media', 'screenshots', `${readmeName}.png`));
}

async function status(frame: Frame): Promise<string> {
  return (await frame.locator('.status').textContent()) ?? '';
}

async function panelText(frame: Frame): Promise<string> {
  return (await frame.locator('.panel').innerText()).replace(/\u00a0/g, ' ');
}

async function open(vs: Workbench, file: string): Promise<Frame> {
  await vs.closeAllEditors();
  await vs.openFile(file);
  const frame = await vs.webviewFrameWith(`.crumb.current:text("${file}")`);
  await waitFor(`${file} drawn`, async () => /^\d[\d,]* node/.test(await status(frame)));
  return frame;
}

/** Exports the drawn graph as SVG through the editor's command and VS Code's save dialog; returns its text. */
async function exportSvg(vs: Workbench, name: string): Promise<string> {
  await vs.runCommand('ONNX: Export Graph as SVG');
  const target = vs.path(name);
  await vs.answerFileDialog(target);
  return waitFor(`${name} written`, () => (existsSync(target) && readFileSync(target, 'utf8').includes('</svg>') ? readFileSync(target, 'utf8') : undefined));
}

/** The share of the graph canvas covered by the drawing: the bounding box of pixels unlike the background. */
async function drawnShare(frame: Frame): Promise<number> {
  return frame.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('.graph-canvas')!;
    const ctx = canvas.getContext('2d')!;
    const { width, height } = canvas;
    const data = ctx.getImageData(0, 0, width, height).data;
    const [r0, g0, b0] = [data[0], data[1], data[2]];
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = 4 * (y * width + x);
        if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) < 24) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    return x1 < 0 ? 0 : ((x1 - x0 + 1) * (y1 - y0 + 1)) / (width * height);
  });
}

scenario('a model whose main graph is one If opens with its branches in place, and its inputs connect to what reads them', async (vs) => {
  const model = decodeModel(readFileSync(fixture('silero_like_dynamo')));
  const view = buildModelView(model, 'silero_like.onnx');
  const { nodes } = view.stats;
  // Who reads `input`: nodes inside the branches only (the main graph never does).
  const readers = view.graphs.filter((g) => g.kind === 'subgraph').flatMap((g) => {
    const branch = buildGraphView(model, resolveGraph(model, g.id)!);
    return branch.nodes.filter((n) => n.inputs.some((v) => v >= 0 && branch.values[v].name === 'input')).map((n) => n.name);
  });
  assert.ok(readers.length >= 2 && view.main.values.find((v) => v.name === 'input')!.consumers.length === 0, 'the fixture reads its input only inside the branches');

  const frame = await open(vs, 'silero_like.onnx');
  const inPlace = nodes.all - nodes.main;
  await waitFor('the branches in place', async () => (await status(frame)) === `${nodes.main} nodes · ${inPlace} in place from 2 subgraphs · ${nodes.all} in all graphs`);
  const panel = await panelText(frame);
  assert.match(panel, new RegExp(`Nodes\\s+${nodes.main} in the main graph, ${nodes.all} in all graphs`), 'the panel counts as the status bar does');
  assert.match(panel, /node_cond__0 ▸ then\s+7 nodes/);
  assert.match(panel, /node_cond__0 ▸ else\s+7 nodes/);
  assert.equal(await frame.locator('.graph-list vscode-link', { hasText: 'node_cond__0 ▸ then' }).getAttribute('title'), 'node_cond__0.then_branch', 'the full name on hover');

  // The graph input `input` is read inside both branches: the panel lists those nodes as its consumers.
  await frame.locator('.find-field input').fill('input');
  await frame.locator('.find-results .find-result', { has: frame.locator('.label', { hasText: /^input$/ }) }).first().click();
  await waitFor('the input in the panel', async () => /Consumers/.test(await panelText(frame)));
  const consumers = /Consumers\s+([^\n]+)/.exec(await panelText(frame))?.[1] ?? '';
  for (const name of readers) assert.ok(consumers.includes(name), `${name} reads input; the panel lists: ${consumers}`);
  await frame.locator('.find-field input').fill('');
  await frame.locator('.graph-canvas').press('0');
  await shot(vs, 'silero-like model with its If in place', 'control-flow-in-place');

  // The torchscript export of the same model opens the same way; its small constants show their values.
  const scripted = await open(vs, 'silero_like_scripted.onnx');
  await waitFor('its branches in place', async () => / in place from 2 subgraphs/.test(await status(scripted)));
  const svg = await exportSvg(vs, 'silero-scripted.svg');
  for (const text of ['B = 16000', 'B = 0.5', 'axes = [0]']) assert.ok(svg.includes(`>${text}<`), `${text} is drawn`);
  assert.ok(svg.includes('>then<') && svg.includes('>else<'), 'both branches are drawn');
});

scenario('a paddle2onnx-style model labels its dims with short aliases, explained in a legend', async (vs) => {
  const view = buildModelView(decodeModel(readFileSync(fixture('detector_opset11_constants'))), 'detector.onnx');
  assert.equal(view.dims['p2o.DynamicDimension.0'], 'd0');
  const frame = await open(vs, 'detector.onnx');
  const legend = frame.locator('.dim-legend');
  await waitFor('the legend', async () => (await legend.isVisible()) && /d0 = p2o\.DynamicDimension\.0/.test(await legend.innerText()));
  assert.match(await legend.innerText(), /d1 = p2o\.DynamicDimension\.1/);
  const svg = await exportSvg(vs, 'detector.svg');
  assert.ok(svg.includes('>float[d0,3,d1,d2]<'), 'the input pill reads float[d0,3,d1,d2]');
  assert.ok(svg.includes('>d0×3×d1×d2<'), 'the first edge label uses the aliases');
  assert.ok(!/>[^<]*p2o\.DynamicDimension[^<]*</.test(svg), 'no drawn text carries the long name');
  assert.ok(svg.includes('>B = 0.5<'), "the scalar constant of the detector's `* 0.5` is drawn with its value");
  // Find centres the first Conv at full size, where edge labels are drawn.
  await frame.locator('.find-field input').fill('/stem/Conv');
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the stem Conv in the panel', async () => /Name\s+\/stem\/Conv/.test(await panelText(frame)));
  await frame.locator('.find-field input').press('Escape');
  await shot(vs, 'detector labels with dimension aliases', 'dim-aliases');
});

scenario('fit on the 301-node detector uses the canvas: it wraps instead of a one-pixel stripe', async (vs) => {
  const frame = await open(vs, 'detector.onnx');
  const canvas = frame.locator('.graph-canvas');
  await canvas.press('0');
  // Two frames later the fitted view is on the canvas.
  await frame.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const share = await drawnShare(frame);
  assert.ok(share >= 0.25, `the fitted graph covers ${(100 * share).toFixed(1)}% of the canvas`);
  await shot(vs, `detector fitted, ${(100 * share).toFixed(0)} percent of the canvas`, 'deep-graph-fit');
  process.stdout.write(`# detector at fit: ${(100 * share).toFixed(1)}% of the canvas\n`);
});

scenario('the layout direction chosen for a model is remembered when it opens again', async (vs) => {
  const frame = await open(vs, 'detector.onnx');
  const direction = frame.locator('vscode-dropdown.direction');
  await direction.click();
  await frame.locator('vscode-option', { hasText: 'Left to right' }).click();
  await waitFor('left to right', async () => (await direction.evaluate((d) => (d as HTMLElement & { value: string }).value)) === 'LR');
  await waitFor('laid out again', async () => /^\d/.test(await status(frame)));
  const again = await open(vs, 'detector.onnx');
  await waitFor('the same direction after reopening', async () => (await again.locator('vscode-dropdown.direction').evaluate((d) => (d as HTMLElement & { value: string }).value)) === 'LR');
  // Another model keeps the default.
  const other = await open(vs, 'silero_like.onnx');
  assert.equal(await other.locator('vscode-dropdown.direction').evaluate((d) => (d as HTMLElement & { value: string }).value), 'TB');
});

/** The rows of the graph's tooltip, `key value`, once it shows; undefined while hidden. */
async function tooltipRows(frame: Frame): Promise<string[] | undefined> {
  return frame.evaluate(() => {
    const box = document.querySelector<HTMLElement>('.graph-tooltip');
    if (!box || box.hidden) return undefined;
    return [...box.children].map((line) => [...line.children].map((span) => span.textContent ?? '').join(' ').trim());
  });
}

scenario('a torchscript export shows inferred shapes on its edges; hovering one gives the declared and the inferred shape', async (vs) => {
  const pool = '/pool/MaxPool_output_0';
  const view = buildModelView(decodeModel(readFileSync(fixture('cnn_torchscript'))), 'cnn_scripted.onnx');
  const value = view.main.values.find((v) => v.name === pool)!;
  assert.ok(value.inferred && !value.declared, 'the export declares no shape for the MaxPool output');
  const frame = await open(vs, 'cnn_scripted.onnx');
  const legend = frame.locator('.dim-legend');
  await waitFor('the legend explains the italics', async () => (await legend.isVisible()) && /italic shapes: inferred/.test(await legend.innerText()));

  // Find centres the MaxPool at full size; the side panel gives its output's shape as inferred.
  await frame.locator('.find-field input').fill('/pool/MaxPool');
  await frame.locator('.find-field input').press('Enter');
  await waitFor('the MaxPool in the panel', async () => /Name\s+\/pool\/MaxPool/.test(await panelText(frame)));
  assert.match(await panelText(frame), /float\[batch,8,floor\(height\/2\),floor\(width\/2\)\] · inferred \(declared: none\)/);
  await frame.locator('.find-field input').press('Escape');

  // Its output edge leaves the box's bottom middle: walk the pointer down from the box's centre until it is on the edge.
  const canvas = frame.locator('.graph-canvas');
  const box = (await canvas.boundingBox())!;
  const x = Math.round(box.x + box.width / 2);
  let rows: string[] | undefined;
  for (let y = Math.round(box.y + box.height / 2); y < box.y + box.height - 4 && !rows?.[0]?.startsWith(pool); y += 3) {
    await vs.page.mouse.move(x, y);
    rows = await tooltipRows(frame);
  }
  assert.ok(rows && rows[0] === pool, `no tooltip of the MaxPool's output edge below the node: ${rows?.join(' | ')}`);
  assert.ok(rows.includes('declared none (not in the file)'), rows.join(' | '));
  assert.ok(rows.includes('inferred float[batch,8,floor(height/2),floor(width/2)]'), rows.join(' | '));
  await vs.screenshot('cnn torchscript export with inferred edge shapes and the hover');
});
