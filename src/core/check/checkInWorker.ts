// Runs the model checker in a worker thread (checkWorker.ts): a model of 50,000 nodes takes seconds to
// check, which the extension host must not spend on its own thread. The bundled worker is
// dist/check-worker.cjs beside the bundle; from TypeScript sources (tests) it is the .ts file, run
// through the tsx loader the process already has.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { Problem } from './problem.js';

export interface CheckWorkerRequest {
  /** The model file; or `bytes` when it is not on the local file system. */
  path?: string;
  bytes?: Uint8Array;
  /** Folder for external data (only for local files). */
  modelDir?: string;
  maxProblems?: number;
}

export type CheckWorkerReply = { problems: Problem[] } | { error: string };

function workerEntry(): { code: string; eval: boolean } {
  if (typeof __dirname === 'string') {
    const bundled = join(__dirname, 'check-worker.cjs');
    if (existsSync(bundled)) return { code: bundled, eval: false };
  }
  const source = join(process.cwd(), 'src', 'core', 'check', 'checkWorker.ts');
  // A worker's entry is loaded before any --import hook runs in it: register tsx first, then import.
  if (existsSync(source)) return { code: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); })`, eval: true };
  throw new UserError('The checker worker (check-worker.cjs) is missing: rebuild ONNX Lens with `npm run build`.');
}

/**
 * Checks a model in a worker thread. Rejects with a UserError when the file cannot be read or decoded,
 * and when `signal` aborts (the worker is stopped then).
 */
export function checkInWorker(request: CheckWorkerRequest, signal?: AbortSignal): Promise<Problem[]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new UserError('The check was cancelled.'));
      return;
    }
    // A view of a larger (pooled) buffer is copied; a buffer of its own moves to the worker without a copy.
    const bytes = request.bytes;
    const own = bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const transfer = own ? [bytes.buffer as ArrayBuffer] : [];
    const entry = workerEntry();
    const worker = new Worker(entry.code, { eval: entry.eval, workerData: request, transferList: transfer });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => settle(() => reject(new UserError('The check was cancelled.')));
    signal?.addEventListener('abort', onAbort);
    worker.once('message', (reply: CheckWorkerReply) => settle(() => ('error' in reply ? reject(new UserError(reply.error)) : resolve(reply.problems))));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`The checker worker stopped (exit code ${code}) before it answered.`))));
  });
}
