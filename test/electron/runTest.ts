// `npm run test:electron`: the extension in desktop VS Code through @vscode/test-electron, for developers
// with internet access (it downloads VS Code from Microsoft). CI uses the code-server suite (test/e2e).
// VSCODE_VERSION picks the VS Code release (default: the oldest that package.json's engines allows).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = join(root, '.e2e', 'electron');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { vscode: string } };

async function main(): Promise<number> {
  rmSync(work, { recursive: true, force: true });
  const workspace = join(work, 'workspace');
  mkdirSync(workspace, { recursive: true });
  cpSync(join(root, 'test', 'fixtures', 'sample.onnx'), join(workspace, 'sample.onnx'));

  // The suite runs inside VS Code's extension host, which loads CommonJS.
  const suite = join(work, 'suite.cjs');
  await esbuild.build({
    entryPoints: [join(root, 'test', 'electron', 'suite.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    outfile: suite,
    logLevel: 'warning',
  });
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' }); // the extension itself

  return runTests({
    version: process.env.VSCODE_VERSION ?? manifest.engines.vscode.replace(/^[\^~>=]+/, ''),
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    extensionTestsEnv: { ORT_DISABLE_TELEMETRY: '1', ONNX_LENS_TEST_WORKSPACE: workspace },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${join(work, 'user-data')}`,
    ],
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(message);
    console.error(`test:electron: ${message}${offline ? ' (downloading VS Code needs internet access; `npm run test:e2e` runs the same extension in code-server offline)' : ''}`);
    process.exit(1);
  },
);
