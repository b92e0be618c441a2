// One request to a worker thread that answers once: the checker and the model diff run this way, so the
// extension host does not spend seconds on its own thread. The bundled worker is a .cjs file beside the
// bundle; from TypeScript sources (tests) it is the .ts file, run through the tsx loader.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from './errors.js';

export interface WorkerSpec {
  /** The bundled file's name (`check-worker.cjs`). */
  bundle: string;
  /** The source file, relative to the project (`src/core/check/checkWorker.ts`). */
  source: string;
  /** What the worker does, for messages (`check`, `diff`). */
  what: string;
  /** Its name in messages (`checker worker`). */
  name: string;
}

export function workerEntry(spec: WorkerSpec): { code: string; eval: boolean } {
  if (typeof __dirname === 'string') {
    const bundled = join(__dirname, spec.bundle);
    if (existsSync(bundled)) return { code: bundled, eval: false };
  }
  const source = join(process.cwd(), ...spec.source.split('/'));
  // A worker's entry is loaded before any --import hook runs in it: register tsx first, then import.
  if (existsSync(source)) return { code: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); })`, eval: true };
  throw new UserError(`The ${spec.name} (${spec.bundle}) is missing: rebuild ONNX Lens with \`npm run build\`.`);
}

/**
 * Sends `request` to a new worker and resolves with its one reply. A reply `{ error }` rejects with a
 * UserError; so does `signal` aborting (the worker is stopped then).
 */
export function callWorker<Reply extends object>(spec: WorkerSpec, request: unknown, signal?: AbortSignal, transferList: ArrayBuffer[] = []): Promise<Exclude<Reply, { error: string }>> {
  return new Promise((resolve, reject) => {
    const cancelled = `The ${spec.what} was cancelled.`;
    if (signal?.aborted) {
      reject(new UserError(cancelled));
      return;
    }
    const entry = workerEntry(spec);
    const worker = new Worker(entry.code, { eval: entry.eval, workerData: request, transferList });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => settle(() => reject(new UserError(cancelled)));
    signal?.addEventListener('abort', onAbort);
    worker.once('message', (reply: Reply) => settle(() => ('error' in reply ? reject(new UserError(String(reply.error))) : resolve(reply as Exclude<Reply, { error: string }>))));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`The ${spec.name} stopped (exit code ${code}) before it answered.`))));
  });
}
