// `npm start`: build, package, install into a local code-server (VS Code in the browser, installed once
// into .e2e/), and serve a workspace with the bundled sample model open, on 127.0.0.1 only, until Ctrl+C.
//   npm start                    port 8080, or a free one when 8080 is taken
//   npm start -- --port 9000     that port
//   npm start -- path/to/folder  that folder as the workspace (the sample is opened only in the default one)
// Run with tsx loaded (`node --import tsx scripts/e2e-start.mjs`): the code-server helpers are TypeScript.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeServerVersion, vscodeVersion, e2eRoot, ensureCodeServer, freePort, installVsix, repoRoot, runDirs, startCodeServer } from '../test/e2e/codeServer.ts';
import { buildVsix } from '../test/e2e/harness.ts';

const say = (m) => process.stderr.write(`[start] ${m}\n`);

function portIsFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const requestedPort = portArg >= 0 ? Number(args[portArg + 1]) : undefined;
const folderArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--port');

// E2E_START_ROOT: where the profile and workspace live (the e2e test of `npm start` uses its own).
const root = process.env.E2E_START_ROOT ? resolve(process.env.E2E_START_ROOT) : join(e2eRoot, 'start');
// The profile persists between starts (settings, layout); the extension is reinstalled every time.
const dirs = runDirs(root);
const settingsFile = join(dirs.userData, 'User', 'settings.json');
if (!existsSync(settingsFile)) {
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(settingsFile, JSON.stringify({
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'git.openRepositoryInParentFolders': 'never',
  }, null, 2) + '\n');
}

let workspace;
let sample;
if (folderArg) {
  workspace = resolve(folderArg);
  if (!existsSync(workspace) || !statSync(workspace).isDirectory()) {
    say(`${workspace} is not a folder.`);
    process.exit(2);
  }
} else {
  workspace = join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  sample = join(workspace, 'sample.onnx');
  const bundled = join(repoRoot, 'test', 'fixtures', 'sample.onnx');
  if (!existsSync(bundled)) {
    say('test/fixtures/sample.onnx is missing (npm run sample makes it).');
    process.exit(2);
  }
  // A fresh copy each start: what the user did to it last time (fold, quantize...) sits beside it.
  copyFileSync(bundled, sample);
}

const isIpcSocket = (f) => /^vscode-ipc-.*\.sock$/.test(f);

function postToWindow(socketPath, message) {
  return new Promise((done, fail) => {
    const req = request({ socketPath, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? done() : fail(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', fail);
    req.end(JSON.stringify(message));
  });
}

/**
 * Opens the sample in the first browser window that connects. A file named in the URL would open
 * before the window has registered ONNX Lens's editor (and show as binary); the window's extension
 * host is up once it creates its CLI socket, and an open request through that socket is resolved
 * with the extension's editor registered.
 */
async function openWhenAWindowConnects(file) {
  for (;;) {
    const socket = readdirSync(dirs.tmp).find(isIpcSocket);
    if (socket) {
      await new Promise((r) => setTimeout(r, 1500));
      try {
        await postToWindow(join(dirs.tmp, socket), { type: 'open', fileURIs: [pathToFileURL(file).href], forceReuseWindow: true });
        say(`opened ${file} in the browser window`);
        return;
      } catch {
        // the window is still starting; try again
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

let server;
let stopping = false;
const stop = async (signal) => {
  stopping = true;
  if (server) {
    say(`stopping code-server (${signal})`);
    await server.stop();
  }
  process.exit(0);
};
process.on('SIGINT', () => void stop('Ctrl+C'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGHUP', () => void stop('SIGHUP'));

try {
  ensureCodeServer();
  // E2E_VSIX: an already packaged .vsix (the e2e runner's), instead of building one.
  if (!process.env.E2E_VSIX) say('building and packaging the extension');
  const vsix = process.env.E2E_VSIX ?? buildVsix();
  installVsix(vsix, dirs);
  say(`installed ${vsix.slice(repoRoot.length + 1)}`);
  for (const f of readdirSync(dirs.tmp).filter(isIpcSocket)) rmSync(join(dirs.tmp, f), { force: true });
  const port = requestedPort ?? ((await portIsFree(8080)) ? 8080 : await freePort());
  server = await startCodeServer({ dirs, workspace, port });
  writeFileSync(join(root, 'code-server.pid'), `${server.process.pid}\n`);
  server.process.once('exit', (code) => {
    if (stopping) return;
    say(`code-server exited (${code}); its output:\n${server.output().slice(-3000)}`);
    process.exit(1);
  });
  say(`VS Code ${vscodeVersion} (code-server ${codeServerVersion}) with ONNX Lens, serving ${workspace}`);
  console.log(`\n  ONNX Lens is running: open ${server.url} in a browser${sample ? ' (the sample model opens in it)' : ''}.`);
  console.log('  Press Ctrl+C to stop.\n');
  if (sample) void openWhenAWindowConnects(sample);
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  if (server) await server.stop();
  process.exit(1);
}
