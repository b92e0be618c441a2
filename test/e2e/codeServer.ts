// code-server (VS Code 1.100 served to a browser, with a Node extension host that loads onnxruntime-node)
// installed from the npm registry into .e2e/, and started as a throwaway server for tests and `npm start`.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The newest code-server whose Node requirement is Node 20 (4.103+ need Node 22). */
export const codeServerVersion = '4.100.3';
/** The VS Code release inside it. */
export const vscodeVersion = '1.100.3';
/** The ripgrep release that @vscode/ripgrep (a dependency of VS Code inside code-server) downloads. */
const ripgrepRelease = 'v13.0.0-10';

export const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
export const e2eRoot = join(repoRoot, '.e2e');
/** E2E_CODE_SERVER_DIR: install somewhere else (a CI cache folder, say). */
const installDir = process.env.E2E_CODE_SERVER_DIR ? resolve(process.env.E2E_CODE_SERVER_DIR) : join(e2eRoot, 'code-server');
const installedMarker = join(installDir, `.installed-${codeServerVersion}`);
const installLog = `${installDir}.install.log`;
export const codeServerBin = join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function log(message: string): void {
  process.stderr.write(`[code-server] ${message}\n`);
}

function which(name: string): string | undefined {
  const found = spawnSync('which', [name], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The installation prefix holding include/node/node.h, so native modules build without downloading headers. */
function nodeDir(): string | undefined {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function ripgrepTarget(): string {
  const a = arch();
  if (a === 'x64') return 'x86_64-unknown-linux-musl';
  if (a === 'arm64') return 'aarch64-unknown-linux-musl';
  throw new Error(`The e2e harness supports linux x64 and arm64, not ${a}.`);
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub, which may be unreachable. It uses a cached
 * download in $TMPDIR/vscode-ripgrep-cache-<package version>/ when present: seed it with the system's rg.
 */
function seedRipgrepCache(tmpDir: string, packageVersion: string): void {
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep is not installed: run `apt-get install ripgrep` (scripts/setup.sh does).');
  const cacheDir = join(tmpDir, `vscode-ripgrep-cache-${packageVersion}`);
  const asset = join(cacheDir, `ripgrep-${ripgrepRelease}-${ripgrepTarget()}.tar.gz`);
  if (existsSync(asset)) return;
  mkdirSync(cacheDir, { recursive: true });
  const staging = join(tmpDir, 'rg-staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  writeFileSync(join(staging, 'rg'), readFileSync(rg), { mode: 0o755 });
  execFileSync('tar', ['czf', asset, '-C', staging, 'rg']);
  rmSync(staging, { recursive: true, force: true });
}

function ripgrepVersionOf(codeServerDir: string): string {
  const shrinkwrap = JSON.parse(readFileSync(join(codeServerDir, 'lib', 'vscode', 'npm-shrinkwrap.json'), 'utf8')) as {
    packages?: Record<string, { version?: string }>;
  };
  const version = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!version) throw new Error('code-server\'s lib/vscode/npm-shrinkwrap.json does not name an @vscode/ripgrep version.');
  return version;
}

/** npm's and node-gyp's output goes to the install log; only a failure shows its tail. */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const fd = openSync(installLog, 'a');
  try {
    const result = spawnSync('npm', args, { cwd, env, stdio: ['ignore', fd, fd] });
    if (result.status !== 0) {
      process.stderr.write(readFileSync(installLog, 'utf8').split('\n').slice(-60).join('\n') + '\n');
      throw new Error(`npm ${args.join(' ')} failed (exit ${result.status ?? result.signal}) in ${cwd}; the whole log is ${installLog}.`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Installs code-server into .e2e/code-server once; later calls return at once. Native modules (argon2,
 * kerberos, node-pty, spdlog...) build from source, which needs build-essential, pkg-config, python3 and
 * libkrb5-dev (scripts/setup.sh installs them).
 */
export function ensureCodeServer(): string {
  if (existsSync(installedMarker) && existsSync(codeServerBin)) return codeServerBin;
  // One installer at a time: a second process (another test run) waits for the first to finish.
  mkdirSync(dirname(installDir), { recursive: true });
  const lock = `${installDir}.installing`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > 15 * 60_000) rmSync(lock, { recursive: true, force: true }); // left by a killed install
      else sleepSync(2_000);
      if (existsSync(installedMarker) && existsSync(codeServerBin)) return codeServerBin;
    }
  }
  try {
    return install();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function install(): string {
  if (existsSync(installedMarker) && existsSync(codeServerBin)) return codeServerBin;
  const started = Date.now();
  log(`installing code-server@${codeServerVersion} into ${installDir} (once; 1-2 minutes; build output in ${installLog})`);
  rmSync(installDir, { recursive: true, force: true });
  rmSync(installLog, { force: true });
  const tmpDir = join(installDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({
    name: 'onnx-lens-e2e-code-server',
    private: true,
    description: 'code-server for the ONNX Lens end-to-end tests and `npm start`; not part of the extension.',
    dependencies: { 'code-server': codeServerVersion },
  }, null, 2) + '\n');

  const dir = nodeDir();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: tmpDir,
    // code-server's postinstall refuses to run as root without it.
    npm_config_unsafe_perm: 'true',
    // node-pty's install runs `npx node-gyp`, which must not stop at a prompt.
    npm_config_yes: 'true',
    // npm 11 blocks dependency install scripts unless approved; code-server is a tree of native
    // modules whose scripts must run, including in the nested installs its own postinstall starts.
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...(dir ? { npm_config_nodedir: dir } : {}),
  };
  // Two steps: unpack without scripts, seed ripgrep's download cache with the version that the unpacked
  // tree pins, then run the install scripts (which build native modules and install VS Code's own tree).
  npm(['install', '--ignore-scripts', '--no-package-lock', '--omit=dev'], installDir, env);
  const codeServerDir = join(installDir, 'node_modules', 'code-server');
  seedRipgrepCache(tmpDir, ripgrepVersionOf(codeServerDir));
  npm(['rebuild', '--foreground-scripts'], installDir, env);

  const version = spawnSync(process.execPath, [codeServerBin, '--version'], {
    encoding: 'utf8',
    env: { ...process.env, HOME: tmpDir, TMPDIR: tmpDir },
  });
  if (version.status !== 0 || !version.stdout.includes(codeServerVersion)) {
    throw new Error(`code-server was installed but \`code-server --version\` failed: ${(version.stderr || version.stdout).trim()}`);
  }
  rmSync(tmpDir, { recursive: true, force: true });
  writeFileSync(installedMarker, `${new Date().toISOString()}\n`);
  log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerBin;
}

/** Process groups this process started; whatever way it exits, none of them outlives it. */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Kills this process group (led by pid) when this process exits, unless forgotten first. */
export function killGroupOnExit(pid: number): () => void {
  liveGroups.add(pid);
  return () => liveGroups.delete(pid);
}

/**
 * In test processes: Ctrl+C or a runner's SIGTERM ends the process through 'exit', so the servers it
 * started (in their own process groups, which a terminal's Ctrl+C does not reach) are stopped too.
 */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) === 0) process.once(signal, () => process.exit(130));
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before code-server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The folders one code-server run writes to; all under one root that the caller owns. */
export interface RunDirs {
  root: string;
  home: string;
  tmp: string;
  userData: string;
  extensions: string;
}

export function runDirs(root: string, extensions = join(root, 'extensions')): RunDirs {
  const dirs = { root, home: join(root, 'home'), tmp: join(root, 'tmp'), userData: join(root, 'user-data'), extensions };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return dirs;
}

function serverEnv(dirs: RunDirs): NodeJS.ProcessEnv {
  // code-server writes ~/.config/code-server/config.yaml even for --version; the extension host leaves
  // sockets in TMPDIR: both stay inside the run's folder.
  return {
    ...process.env,
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: join(dirs.home, '.config'),
    XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: join(dirs.home, '.cache'),
    XDG_RUNTIME_DIR: dirs.tmp, // where the extension host puts its vscode-ipc-*.sock
    ORT_DISABLE_TELEMETRY: '1',
    VSCODE_CLI: undefined,
    VSCODE_IPC_HOOK_CLI: undefined,
  };
}

function commonArgs(dirs: RunDirs): string[] {
  const config = join(dirs.root, 'code-server.yaml');
  if (!existsSync(config)) writeFileSync(config, 'auth: none\ncert: false\n');
  return ['--config', config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Installs a .vsix into the run's extensions folder (a folder install is not supported by code-server). */
export function installVsix(vsix: string, dirs: RunDirs): void {
  const bin = ensureCodeServer();
  const result = spawnSync(process.execPath, [bin, ...commonArgs(dirs), '--install-extension', vsix, '--force'], {
    env: serverEnv(dirs),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/was successfully installed|is already installed/i.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status ?? result.signal}): ${output.trim()}`);
  }
}

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** The server's output so far (for failure messages). */
  output(): string;
  /** Stops code-server and everything it started (its process group). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts code-server in its own process group on 127.0.0.1 with no auth, with a fresh user-data-dir
 * (a reused one restores the previous editors, so a test could pass without doing anything).
 */
export async function startCodeServer(options: {
  dirs: RunDirs;
  workspace: string;
  port?: number;
  timeoutMs?: number;
  inheritOutput?: boolean;
}): Promise<RunningServer> {
  const bin = ensureCodeServer();
  const { dirs } = options;
  const port = options.port ?? (await freePort());
  const args = [
    bin,
    ...commonArgs(dirs),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    options.workspace,
  ];
  const child = spawn(process.execPath, args, {
    env: serverEnv(dirs),
    detached: true, // own process group: stop() ends the extension host and its onnxruntime child too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
    if (options.inheritOutput) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const forget = child.pid ? killGroupOnExit(child.pid) : () => undefined;
  child.once('exit', () => {
    exited = true;
    forget();
  });

  const stop = async () => {
    if (exited || child.pid === undefined) return;
    const group = -child.pid;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      return; // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await gone;
    clearTimeout(timer);
    // Children that ignored SIGTERM (an extension host's helpers) must not outlive the run.
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // the whole group is gone
    }
  };

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`code-server exited before it was ready:\n${output.trim()}`);
    try {
      const response = await fetch(`${url}healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}healthz within ${options.timeoutMs ?? 60_000} ms:\n${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, process: child, output: () => output, stop };
}

// `node --import tsx test/e2e/codeServer.ts` installs code-server (scripts/setup.sh runs it).
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  ensureCodeServer();
}
