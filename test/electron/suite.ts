// Runs inside desktop VS Code's extension host (test/electron/runTest.ts starts it). Prints
// 'N passed, N failed' and rejects when a check fails, which fails the run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';

const extensionId = 'onnx-lens.onnx-lens';

async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const checks: Array<[string, () => Promise<void>]> = [
  ['the extension is installed', async () => {
    assert.ok(vscode.extensions.getExtension(extensionId), `${extensionId} is not loaded`);
  }],
  ['a .onnx opens in the ONNX Lens custom editor and activates the extension', async () => {
    const uri = vscode.Uri.file(join(process.env.ONNX_LENS_TEST_WORKSPACE ?? '', 'sample.onnx'));
    await vscode.commands.executeCommand('vscode.open', uri);
    const tab = await waitFor('a tab for sample.onnx', () => vscode.window.tabGroups.activeTabGroup.activeTab);
    assert.ok(tab.input instanceof vscode.TabInputCustom, 'sample.onnx did not open in a custom editor');
    assert.equal(tab.input.viewType, 'onnxLens.modelEditor');
    await waitFor('the extension to activate', () => vscode.extensions.getExtension(extensionId)?.isActive);
  }],
  ['every contributed command is registered', async () => {
    const manifest = vscode.extensions.getExtension(extensionId)!.packageJSON as { contributes: { commands: Array<{ command: string }> } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  }],
  ['ONNX: Show Log runs', async () => {
    await vscode.commands.executeCommand('onnxLens.showLog');
  }],
];

export async function run(): Promise<void> {
  let passed = 0;
  const failures: string[] = [];
  for (const [name, check] of checks) {
    try {
      await check();
      passed++;
      console.log(`ok - ${name}`);
    } catch (error) {
      failures.push(name);
      console.log(`not ok - ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(`${passed} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(`${failures.length} check(s) failed: ${failures.join('; ')}`);
}
