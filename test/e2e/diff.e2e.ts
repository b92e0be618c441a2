// ONNX: Diff with Another Model... in a real VS Code: fold a model from the palette, click Show Diff on
// the report, see the legend's counts in the folded model's editor, step to the change with F7.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { diffModels } from '../../src/core/diff/diffModels.js';
import { diffOverlay } from '../../src/core/diff/diffOverlay.js';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { GraphIndex } from '../../src/core/model/graphIndex.js';
import { shapeChainModel } from '../unit/transforms/foldModels.js';
import { useWorkbench, waitFor } from './harness.js';

const { scenario } = useWorkbench({ name: 'diff', files: { 'chain.onnx': encodeModel(shapeChainModel()) } });

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
