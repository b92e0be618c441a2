// `npm run test:e2e`: installs code-server once (cached in .e2e/), builds and packages the linux .vsix,
// installs it once for the whole run, then runs every test/e2e/*.e2e.ts with Node's test runner, one
// file at a time (each file starts its own code-server with a fresh profile and workspace).
// Arguments narrow the run: `npm run test:e2e -- hostile` runs files whose name contains "hostile".
// Run with tsx loaded (`node --import tsx scripts/e2e-run.mjs`): the harness is TypeScript.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { e2eRoot, ensureCodeServer, installVsix, repoRoot, runDirs } from '../test/e2e/codeServer.ts';
import { buildVsix } from '../test/e2e/harness.ts';

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (m) => process.stderr.write(`[e2e] ${m}\n`);

const filters = process.argv.slice(2);
const dir = join(repoRoot, 'test', 'e2e');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.e2e.ts') && filters.every((x) => f.includes(x)))
  .sort()
  .map((f) => relative(repoRoot, join(dir, f)));
if (files.length === 0) {
  say(`no scenario file matched ${filters.join(' ')}`);
  process.exit(2);
}

// Run folders of earlier runs older than an hour are leftovers (a run removes its own when it passes).
const runsDir = join(e2eRoot, 'runs');
mkdirSync(runsDir, { recursive: true });
for (const entry of readdirSync(runsDir)) {
  const path = join(runsDir, entry);
  if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
}

let code = 1;
const runRoot = join(runsDir, `run-${process.pid}`);
try {
  ensureCodeServer();
  say(`code-server ready (${seconds()})`);
  const vsix = buildVsix();
  say(`packaged ${relative(repoRoot, vsix)}, ${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB (${seconds()})`);
  const dirs = runDirs(runRoot);
  installVsix(vsix, dirs);
  say(`installed into a fresh extensions folder (${seconds()})`);

  const tap = join(runRoot, 'results.tap');
  const args = [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ];
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: 'inherit',
      env: {
        ...process.env,
        E2E_EXTENSIONS_DIR: dirs.extensions,
        E2E_VSIX: vsix,
        // Output going to a log rather than a terminal (CI): failures carry the page's text too.
        E2E_FAILURE_TEXT: process.env.E2E_FAILURE_TEXT ?? (process.env.CI || !process.stdout.isTTY ? '1' : ''),
        ORT_DISABLE_TELEMETRY: '1',
      },
    });
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  const results = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(results)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  say(`${files.length} scenario files in ${seconds()}`);
  if (code === 0 && failed === 0 && passed > 0) rmSync(runRoot, { recursive: true, force: true });
  else say(`run folder kept for inspection: ${relative(repoRoot, runRoot)}`);
  console.log(`${passed} passed, ${failed} failed`);
  if (passed === 0 && code === 0) code = 1; // a run that tested nothing is not a pass
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  console.log(`0 passed, 1 failed`);
  code = 1;
}
process.exit(code);
