// ONNX: Diff with Another Model... in a real VS Code: fold a model from the palette, click Show Diff on
// the report, see the legend's counts in the folded model's editor, step to the change with F7. Side by
// side: the first model opens beside with its own colouring, the cameras and selections follow each
// other, the side panel shows the selected node's numbers after Compare numbers, and the toggle goes back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { diffModels } from '../../src/core/diff/diffModels.js';
import type { Frame } from 'playwright-core';
import { diffOverlay, firstSideOverlay } from '../../src/core/diff/diffOverlay.js';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { GraphIndex } from '../../src/core/model/graphIndex.js';
import { shapeChainModel } from '../unit/transforms/foldModels.js';
import { inserted, mlp, withAttribute } from '../unit/diff/models.js';
import { answerInputBox } from './inputBox.js';
import { useWorkbench, waitFor, type Workbench } from './harness.js';

// An older and a newer model: a Sigmoid inserted after the first layer, the last Gemm's alpha changed.
const older = mlp(3);
const newer = withAttribute(inserted(older, '/net/net.0/Gemm'), '/net/net.4/Gemm', 'alpha', 0.5);

const { scenario } = useWorkbench({
  name: 'diff',
  files: { 'chain.onnx': encodeModel(shapeChainModel()), 'older.onnx': encodeModel(older), 'newer.onnx': encodeModel(newer) },
});

/** The model editor whose diff legend's heading matches `head`. */
function legendFrame(vs: Workbench, head: RegExp): Promise<Frame> {
  return waitFor(`the editor whose diff legend says ${head}`, async () => {
    for (const frame of vs.webviewFrames()) {
      const text = await frame.evaluate(() => document.querySelector('.diff-legend:not([hidden]) .diff-head')?.textContent ?? '').catch(() => '');
      if (head.test(text)) return frame;
    }
    return undefined;
  }, 60_000);
}

/** The camera the page exposes for these tests: x, y, scale. */
async function cameraOf(frame: Frame): Promise<{ x: number; y: number; scale: number }> {
  const text = await frame.evaluate(() => (document.querySelector('div.graph') as HTMLElement | null)?.dataset.camera ?? '');
  const [x, y, scale] = text.split(' ').map(Number);
  return { x, y, scale };
}

const panelText = (frame: Frame) => frame.evaluate(() => (document.querySelector('.panel') as HTMLElement | null)?.innerText ?? '');
const legendCounts = (frame: Frame) => frame.evaluate(() => [...document.querySelectorAll('.diff-legend .diff-row')].map((r) => `${(r as HTMLElement).dataset.status}=${r.querySelector('.count')?.textContent}`).join(' '));

scenario('Fold Constants, Show Diff: the legend counts the changes, F7 selects the changed node', async (vs) => {
  await vs.openFile('chain.onnx');
  await vs.waitForWebviewText(/IR( version)?\s*\d+/);
  await vs.runCommand('ONNX: Fold Constants');
  await vs.waitForNotification(/Fold: chain\.folded\.onnx written/, 90_000);
  await vs.page.locator('.notifications-toasts .monaco-button', { hasText: 'Show Diff' }).first().click();

  // What the legend must say, computed through the core from the files on disk.
  const a = decodeModel(readFileSync(vs.path('chain.onnx')));
  const b = decodeModel(readFileSync(vs.path('chain.folded.onnx')));
  const expected = diffOverlay(diffModels(a, b).graph, a.graph!, b.graph!, GraphIndex.build(b.graph!).topologicalOrder(), 'chain.onnx');
  assert.ok(expected.counts.removed > 0 && expected.stops.length > 0, 'the fold should remove nodes and change one');

  await vs.waitForWebviewText(/Diff against chain\.onnx/, 60_000);
  const legend = await waitFor('the legend counts', () => vs.inWebview(() => {
    const rows = [...document.querySelectorAll('.diff-legend .diff-row')];
    return rows.length ? rows.map((r) => `${(r as HTMLElement).dataset.status}=${r.querySelector('.count')?.textContent}`).join(' ') : null;
  }));
  const { counts } = expected;
  assert.equal(legend, `changed=${counts.changed} inserted=${counts.inserted} replaced=${counts.replaced} removed=${counts.removed} unchanged=${counts.unchanged}`);
  // The removed nodes are listed by name (they are not in this graph).
  await vs.inWebview(() => {
    const details = document.querySelector('.diff-legend details');
    if (!details) return null;
    details.setAttribute('open', '');
    return true;
  });
  await vs.waitForWebviewText(new RegExp(`${expected.removed[0].op} ${expected.removed[0].name}`));
  // The text summary opened beside.
  await waitFor('the summary tab', async () => (await vs.tab('chain.onnx → chain.folded.onnx diff.txt').count()) > 0);

  // F7 in the model editor: the first change is selected and framed; its name shows in the side panel.
  assert.ok(await vs.hasCommand('ONNX: Next Change'));
  const frame = await vs.webviewFrameWith('canvas.graph-canvas');
  await frame.locator('canvas.graph-canvas').click({ position: { x: 5, y: 5 } });
  await vs.page.keyboard.press('F7');
  const first = b.graph!.node![expected.stops[0]].name!;
  await vs.waitForWebviewText(new RegExp(`Change 1 of ${expected.stops.length}`));
  await vs.waitForWebviewText(new RegExp(first));
  const selected = await vs.inWebview(() => document.querySelector('.status')?.textContent ?? null);
  assert.match(selected ?? '', /Change 1 of/);

  // Compare numbers: both models run in the runtime child; a fold keeps every value, so none is beyond tolerance.
  const button = frame.locator('.diff-legend .diff-numbers vscode-button', { hasText: 'Compare numbers' });
  await button.click();
  const line = await waitFor('the numbers line', () => vs.inWebview(() => document.querySelector('.diff-legend .diff-numbers-count')?.textContent ?? undefined), 90_000);
  const [, beyond, compared] = /^(\d+) of (\d+) values beyond tolerance$/.exec(line) ?? [];
  assert.equal(beyond, '0', line);
  // Every value the folded model computes is one the original computes too (b's nodes are all unchanged).
  assert.equal(Number(compared), b.graph!.node!.length, line);
});

scenario('Side by side: the first model beside with its own colours, cameras and selections follow, numbers in the panel, back to the overlay', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('newer.onnx');
  await vs.waitForWebviewText(/IR( version)?\s*\d+/);
  await vs.runCommand('ONNX: Diff with Another Model...');
  await vs.answerFileDialog(vs.path('older.onnx'));
  const second = await legendFrame(vs, /^Diff against older\.onnx/);
  // The legend's toggle: the first model opens beside the second, with the first side's overlay.
  await second.locator('.diff-legend .diff-layout').click();
  const first = await legendFrame(vs, /^First model, diffed with newer\.onnx/);
  const d = diffModels(older, newer).graph;
  const expected = firstSideOverlay(d, older.graph!, newer.graph!, GraphIndex.build(older.graph!).topologicalOrder(), 'newer.onnx');
  const { counts } = expected;
  assert.deepEqual({ changed: counts.changed, inserted: counts.inserted }, { changed: 2, inserted: 1 });
  assert.equal(await waitFor('the first side\'s counts', async () => (await legendCounts(first)) || undefined),
    `changed=${counts.changed} removed=${counts.removed} replaced=${counts.replaced} inserted=${counts.inserted} unchanged=${counts.unchanged}`);
  await waitFor('the toggle to say side by side', async () => (await second.locator('.diff-legend .diff-layout[data-layout="sideBySide"]').count()) > 0);

  // Zooming and panning the second side moves the first: same scale, a paired node at the same place.
  await waitFor('both cameras', async () => Number.isFinite((await cameraOf(first)).scale) && Number.isFinite((await cameraOf(second)).scale));
  // Opening the first side beside made its group the active one: the second's tab, then its graph, take the keyboard.
  await vs.tab('newer.onnx').click();
  const canvas = second.locator('canvas.graph-canvas');
  await canvas.click({ position: { x: 5, y: 5 } });
  const before = await cameraOf(second);
  const firstBefore = await cameraOf(first);
  await vs.page.keyboard.press('+');
  await vs.page.keyboard.press('ArrowRight');
  const zoomed = await waitFor('the second side to zoom', async () => {
    const c = await cameraOf(second);
    return Math.abs(c.scale - before.scale * 1.25) < 1e-9 && c.x !== before.x ? c : undefined;
  });
  const followed = await waitFor('the first side to follow the zoom and pan', async () => {
    const c = await cameraOf(first);
    return Math.abs(c.scale - zoomed.scale) < 1e-9 && c.x !== firstBefore.x ? c : undefined;
  });
  assert.notDeepEqual(followed, firstBefore);
  // Following did not echo back: the second side's camera is the one its keys made.
  assert.deepEqual(await cameraOf(second), zoomed);

  // F7 steps the second side; its stop's partner is selected on the first side. Stop 1 is the inserted
  // Sigmoid (no partner); stop 2 the Relu it feeds.
  await vs.page.keyboard.press('F7');
  await waitFor('change 1', async () => /Change 1 of 3/.test(await second.evaluate(() => document.querySelector('.diff-legend')?.textContent ?? '')));
  await vs.page.keyboard.press('F7');
  await waitFor('change 2 on the second side', async () => /\/net\/net\.1\/Relu/.test(await panelText(second)));
  const followedSelection = await waitFor('the Relu selected on the first side', async () => {
    const text = await panelText(first);
    return /\/net\/net\.1\/Relu/.test(text) ? text : undefined;
  });
  // The panel says what changed there (the hover's lines).
  assert.match(followedSelection, /Status\s+changed \(against newer\.onnx\)/);
  assert.match(followedSelection, /input 0: /);

  // Selecting on the first side selects the partner on the second: the first side's next change is the last Gemm.
  await vs.tab('older.onnx').click();
  await first.locator('canvas.graph-canvas').click({ position: { x: 5, y: 5 } });
  await vs.page.keyboard.press('F7');
  await vs.page.keyboard.press('F7');
  await waitFor('the last Gemm on the first side', async () => /\/net\/net\.4\/Gemm/.test(await panelText(first)));
  await waitFor('the last Gemm selected on the second side', async () => /\/net\/net\.4\/Gemm/.test(await panelText(second)));

  // Compare numbers: the selected node's numbers in both side panels.
  await second.locator('.diff-legend .diff-numbers vscode-button', { hasText: 'Compare numbers' }).click();
  await answerInputBox(vs, /size of batch_size/, '1', '2');
  const numbers = await waitFor('the numbers in the second side\'s panel', async () => {
    const text = await panelText(second);
    return /Max abs/.test(text) ? text : undefined;
  }, 90_000);
  const gemmOut = newer.graph!.node!.find((n) => n.name === '/net/net.4/Gemm')!.output![0];
  assert.match(numbers, new RegExp(`Output\\s+${gemmOut.replace(/[/.]/g, '\\$&')}`));
  assert.match(numbers, /Max abs\s+-?\d/);
  assert.match(numbers, /Max rel\s+-?\d/);
  assert.match(numbers, /Cosine\s+-?\d/);
  // alpha 0.5 halves the Gemm's product: its output is beyond tolerance.
  const [, beyond, of] = /Beyond tolerance\s+(\d+) of (\d+) elements/.exec(numbers) ?? [];
  assert.ok(Number(beyond) > 0 && Number(beyond) <= Number(of), numbers);
  const mirrored = await waitFor('the numbers in the first side\'s panel', async () => {
    const text = await panelText(first);
    return /Max abs/.test(text) ? text : undefined;
  });
  assert.match(mirrored, /Beyond tolerance\s+\d+ of \d+ elements/);

  // Back to the overlay: the first model's editor (opened for the side-by-side view) closes.
  await second.locator('.diff-legend .diff-layout').click();
  await waitFor('the toggle to say overlay', async () => (await second.locator('.diff-legend .diff-layout[data-layout="overlay"]').count()) > 0);
  await waitFor('the first model\'s editor to close', async () => (await vs.tab('older.onnx').count()) === 0);
  assert.match(await legendCounts(second), /^changed=2 inserted=1 /);
});

scenario('With the layout set to side by side (the palette toggle), a new diff opens both models; the toggle goes back', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('newer.onnx');
  // The previous scenario's diff is still laid over the newer model.
  const second = await legendFrame(vs, /^Diff against older\.onnx/);
  await vs.runCommand('ONNX: Clear Diff');
  await waitFor('the legend to go', async () => (await second.locator('.diff-legend:not([hidden])').count()) === 0);
  await vs.runCommand('ONNX: Diff with Another Model...');
  await vs.answerFileDialog(vs.path('older.onnx'));
  await legendFrame(vs, /^Diff against older\.onnx/);
  await vs.runCommand('ONNX: Toggle Diff Side by Side');
  await legendFrame(vs, /^First model, diffed with newer\.onnx/);
  // Clear Diff closes the first model's editor the diff opened; a new diff while the setting says side by side opens both.
  await vs.runCommand('ONNX: Clear Diff');
  await waitFor('the first model\'s editor to close with its diff', async () => (await vs.tab('older.onnx').count()) === 0);
  // The group that held it may be the active one still: the diff is of the newer model.
  await vs.tab('newer.onnx').click();
  await vs.runCommand('ONNX: Diff with Another Model...');
  await vs.answerFileDialog(vs.path('older.onnx'));
  const first = await legendFrame(vs, /^First model, diffed with newer\.onnx/);
  assert.equal(await vs.tab('older.onnx').count(), 1);
  assert.equal(await first.locator('.diff-legend .diff-layout[data-layout="sideBySide"]').count(), 1);
  await vs.tab('newer.onnx').click();
  await vs.runCommand('ONNX: Toggle Diff Side by Side');
  await waitFor('the first model\'s editor to close', async () => (await vs.tab('older.onnx').count()) === 0);
});
