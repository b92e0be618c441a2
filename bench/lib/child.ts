// Runs one measurement in a fresh process, with a time cap, and reads the JSON line the probe prints last.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

// Bundled probes live in a scratch folder: they find onnxruntime-node in the project's node_modules.
const nodePath = resolve(import.meta.dirname, '..', '..', 'node_modules');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  stdout: string;
  stderr: string;
}

/**
 * Linux keeps a process's peak RSS (ru_maxrss) across execve, and a forked child starts with its parent's
 * resident set: a probe spawned straight from this (large) runner would report the runner's peak as its own.
 * So the probe is forked from a small shell instead, which keeps the floor at the shell's few megabytes.
 */
function viaShell(command: string, args: string[]): [string, string[]] {
  return ['sh', ['-c', '"$@"; exit $?', 'sh', command, ...args]];
}

// Probes run in their own process groups (so that a time cap stops the shell and the probe together);
// when the runner stops, so do they.
const live = new Set<number>();
let cleanupInstalled = false;

function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => live.forEach(stopGroup));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      live.forEach(stopGroup);
      process.exit(130);
    });
  }
}

export function runChild(command: string, args: string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const [shell, shellArgs] = viaShell(command, args);
    const child = spawn(shell, shellArgs, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', NODE_PATH: nodePath, ...options.env } });
    installCleanup();
    const pid = child.pid;
    if (pid) live.add(pid);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-64 * 1024)));
    const timer = setTimeout(() => {
      timedOut = true;
      // The shell and the probe form their own process group: stop both.
      if (pid) stopGroup(pid);
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      if (pid) live.delete(pid);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pid) live.delete(pid);
      resolve({ code, signal, timedOut, wallMs: Number(process.hrtime.bigint() - start) / 1e6, stdout, stderr });
    });
  });
}

/** The probe's last stdout line, as JSON; throws with the child's own last words when it failed. */
export function probeJson<T>(result: ChildResult, what: string): T {
  if (result.timedOut) throw new ProbeFailure(`${what}: stopped after the time cap`, 'timeout');
  const lines = result.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (result.code !== 0 || !last.startsWith('{')) {
    const reason = lastLine(result.stderr) || lastLine(result.stdout) || `exit ${result.code ?? result.signal}`;
    throw new ProbeFailure(`${what}: ${reason}`, /Maximum call stack|RangeError: Maximum/.test(result.stderr + result.stdout) ? 'stack overflow' : 'failed');
  }
  return JSON.parse(last) as T;
}

export class ProbeFailure extends Error {
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop()?.slice(0, 300) ?? '';
}
