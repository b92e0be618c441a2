// `npm start`, the README's main job: it prints a 127.0.0.1 URL where VS Code shows the sample model in
// the model editor, and Ctrl+C stops it and its code-server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { e2eRoot, exitOnSignals, freePort, killGroupOnExit, repoRoot, runDirs, type RunningServer } from './codeServer.js';
import { summaryOf } from './fixtures.js';
import { Workbench, sampleModelPath, waitFor } from './harness.js';

exitOnSignals();
const root = join(e2eRoot, 'runs', `start-${process.pid}`);
rmSync(root, { recursive: true, force: true });
let bench: Workbench | undefined;

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const pidFile = join(root, 'code-server.pid');

// npm start runs code-server in a group of its own: if this test is killed, that group goes too.
process.on('exit', () => {
  if (existsSync(pidFile)) killGroup(Number(readFileSync(pidFile, 'utf8')));
});

after(async () => {
  await bench?.context.close().catch(() => undefined);
  await bench?.server.stop();
  // Whatever happened, no code-server of this test outlives it.
  if (existsSync(pidFile)) killGroup(Number(readFileSync(pidFile, 'utf8')));
});

test('npm start serves the sample model in the model editor on 127.0.0.1 and stops on Ctrl+C', { timeout: 300_000 }, async () => {
  const port = await freePort();
  // The README's command, in a process group of its own as a terminal's foreground job is.
  const child = spawn('npm', ['start', '--', '--port', String(port)], {
    cwd: repoRoot,
    env: { ...process.env, E2E_START_ROOT: root },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  killGroupOnExit(child.pid!);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((r) => child.once('exit', (code) => ((exitCode = code), r())));

  const url = await waitFor('npm start to print its URL', () => {
    if (exitCode !== undefined) throw new Error(`npm start exited (${exitCode}):\n${output}`);
    return new RegExp(`open (http://127\\.0\\.0\\.1:${port}/) in a browser`).exec(output)?.[1];
  }, 240_000);

  const server: RunningServer = {
    url,
    port,
    process: child,
    output: () => output,
    stop: async () => {
      if (exitCode !== undefined) return;
      process.kill(-child.pid!, 'SIGINT'); // what Ctrl+C sends: the whole foreground group
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (exitCode === undefined) killGroup(child.pid);
    },
  };
  const dirs = runDirs(join(root, 'browser'));
  bench = await Workbench.connect({ name: 'start', workspace: join(root, 'workspace'), dirs, server, url });

  // Nothing is clicked: the sample opens by itself, in the model editor rather than as binary text.
  const expected = summaryOf(sampleModelPath());
  const text = await bench.waitForWebviewText(new RegExp(`IR( version)?\\s*${expected.irVersion}\\b`), 60_000);
  for (const { name } of expected.inputs) assert.ok(text.includes(name), `input ${name} is not shown`);
  assert.equal(await bench.activeTab(), 'sample.onnx');
  await bench.screenshot('sample-open');

  await bench.context.close();
  const codeServerPid = Number(readFileSync(pidFile, 'utf8'));
  await server.stop();
  assert.notEqual(exitCode, undefined, `npm start did not exit on Ctrl+C:\n${output.slice(-2000)}`);
  assert.match(output, /stopping code-server \(Ctrl\+C\)/);
  await assert.rejects(fetch(`${url}healthz`), 'code-server still answers after Ctrl+C');
  assert.throws(() => process.kill(codeServerPid, 0), 'code-server\'s process outlived Ctrl+C');
  bench = undefined;
});
