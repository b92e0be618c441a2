// ONNX: Diff with HEAD in a real VS Code on a real git repository: a committed model changed in the work
// tree (one node inserted) shows the diff against HEAD's copy, with the counts the core computes; the
// changed model clicked in Source Control (the git extension's diff) shows both sides in the model editor, not a binary notice.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffModels } from '../../src/core/diff/diffModels.js';
import { diffOverlay } from '../../src/core/diff/diffOverlay.js';
import { encodeModel } from '../../src/core/model/decode.js';
import { GraphIndex } from '../../src/core/model/graphIndex.js';
import { inserted, mlp } from '../unit/diff/models.js';
import { useWorkbench, waitFor } from './harness.js';

const committed = mlp(3);
const changed = inserted(committed, committed.graph!.node![0].name!);

const { scenario } = useWorkbench({
  name: 'diff-git',
  files: { 'model.onnx': encodeModel(committed) },
  prepare: (workspace) => {
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], { cwd: workspace, stdio: 'pipe' });
    git('init', '-q');
    git('add', 'model.onnx');
    git('commit', '-q', '-m', 'model');
    writeFileSync(join(workspace, 'model.onnx'), encodeModel(changed));
  },
});

scenario('Diff with HEAD: the working model against the committed one, one node inserted', async (vs) => {
  const expected = diffOverlay(diffModels(committed, changed).graph, committed.graph!, changed.graph!, GraphIndex.build(changed.graph!).topologicalOrder(), 'model.onnx at HEAD');
  assert.equal(expected.counts.inserted, 1);
  await vs.openFile('model.onnx');
  await vs.waitForWebviewText(/IR( version)?\s*\d+/);
  await vs.runCommand('ONNX: Diff with HEAD');
  await vs.waitForWebviewText(/Diff against model\.onnx at HEAD/, 60_000);
  const legend = await waitFor('the legend counts', () => vs.inWebview(() => {
    const rows = [...document.querySelectorAll('.diff-legend .diff-row')];
    return rows.length ? rows.map((r) => `${(r as HTMLElement).dataset.status}=${r.querySelector('.count')?.textContent}`).join(' ') : null;
  }));
  const { counts } = expected;
  assert.equal(legend, `changed=${counts.changed} inserted=${counts.inserted} replaced=${counts.replaced} removed=${counts.removed} unchanged=${counts.unchanged}`);
});

scenario('Clicking the changed model in Source Control opens both sides in the model editor (HEAD read through the git: scheme)', async (vs) => {
  // As a user does: the changed file in the Source Control view, clicked.
  await vs.runCommand('View: Show Source Control');
  const row = vs.page.locator('.scm-view .monaco-list-row', { hasText: 'model.onnx' }).first();
  await waitFor('model.onnx in Source Control', async () => (await row.count()) > 0);
  await row.click();
  // Two model editors side by side, each with its operators listed: only the working copy has the Sigmoid.
  const sides = await waitFor('both sides with their operators', async () => {
    const texts: string[] = [];
    for (const frame of vs.webviewFrames()) {
      const text = await frame.evaluate(() => (document.querySelector('canvas.graph-canvas') && /Operators/.test(document.body.innerText) ? document.body.innerText : null)).catch(() => null);
      if (text) texts.push(text);
    }
    return texts.length >= 2 ? texts : undefined;
  }, 60_000);
  assert.equal(sides.length, 2);
  assert.deepEqual(sides.map((t) => /\bSigmoid\b/.test(t)).sort(), [false, true]);
  // The tab is VS Code's diff of the two, not a binary-file notice.
  assert.equal(await vs.page.getByText(/binary|unsupported text encoding/i).count(), 0);
});
