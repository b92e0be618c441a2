// Opening models from the explorer: the custom editor (not VS Code's binary-file warning) with the
// model's summary; model strings shown as text, never as markup.
import assert from 'node:assert/strict';
import { hostileName, hostileNamesModel, hostileOutput, summaryOf } from './fixtures.js';
import { sampleModelPath, useWorkbench } from './harness.js';

const binaryWarning = 'The file is not displayed in the text editor';

const { scenario } = useWorkbench({
  name: 'model-editor',
  files: {
    'models/sample.onnx': { copyFrom: sampleModelPath() },
    'hostile-names.onnx': hostileNamesModel(),
  },
});

scenario('a .onnx opened from the explorer shows the model summary in the custom editor', async (vs) => {
  const expected = summaryOf(sampleModelPath());
  await vs.openFile('models/sample.onnx');
  const text = await vs.waitForWebviewText(new RegExp(`IR( version)?\\s*${expected.irVersion}\\b`));
  for (const { name, type } of [...expected.inputs, ...expected.outputs]) {
    assert.ok(text.includes(`${name}: ${type}`), `the summary does not show "${name}: ${type}"; it shows:\n${text}`);
  }
  for (const [domain, version] of Object.entries(expected.opsets)) assert.ok(text.includes(`${domain} ${version}`), `opset ${domain} ${version} missing`);
  assert.equal(await vs.activeTab(), 'sample.onnx');
  assert.ok(!(await vs.workbenchText()).includes(binaryWarning), 'VS Code showed its binary-file warning instead of the custom editor');
});

scenario('node and tensor names made of HTML are shown as text and run nothing', async (vs) => {
  await vs.closeAllEditors();
  await vs.openFile('hostile-names.onnx');
  const text = await vs.waitForWebviewText(hostileName);
  assert.ok(text.includes(hostileOutput), `the output name is shown literally; the view shows:\n${text}`);
  const injected = await vs.inWebview(() => {
    const img = document.querySelector('img[src="x"], img[onerror]');
    const script = Array.from(document.scripts).find((s) => s.textContent?.includes('alert('));
    return img || script ? (img ?? script)!.outerHTML : undefined;
  });
  assert.equal(injected, undefined, 'model strings became elements in the webview');
  assert.deepEqual(vs.dialogs, [], 'a dialog opened');
});
