// The two sides of a child process that loads onnxruntime (the runtime worker, a serving instance): how
// the parent starts it, and the watchdog with which it never outlives its parent.
import { fork, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { WorkerEntry } from './workerLocation.js';

/** Forks `entry` with IPC that carries typed arrays as bytes; every line it prints goes to `onLine`. */
export function forkOrtChild(entry: WorkerEntry, onLine: (line: string) => void): ChildProcess {
  const child = fork(entry.modulePath, [], {
    execArgv: entry.execArgv,
    cwd: entry.cwd,
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Inside VS Code (Electron) the executable must act as plain Node; elsewhere the variable is inert.
    env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', ELECTRON_RUN_AS_NODE: '1' },
  });
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) onLine(line);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  return child;
}

/**
 * In the child: exit when the parent disconnects, and, because onnxruntime's run blocks this thread so
 * that 'disconnect' cannot fire during a hung run, a watchdog thread that ends the process when the parent
 * is gone. A parent killed hard may linger as a zombie its own parent has not reaped (process.kill(pid, 0)
 * still succeeds then), but this process is re-parented at once, so a changed parent pid is the sure sign.
 */
export function exitWithParent(): void {
  process.on('disconnect', () => process.exit(0));
  const watchdog = new Worker(`
    const parent = ${process.ppid};
    const gone = () => {
      if (process.ppid !== parent) return true;
      try { process.kill(parent, 0); return false; } catch { return true; }
    };
    setInterval(() => { if (gone()) process.kill(${process.pid}, 'SIGKILL'); }, 500);
  `, { eval: true });
  watchdog.unref();
}
