// Diffs two model files in a worker thread (diffWorker.ts): reading, decoding and pairing two large models
// takes seconds the extension host must not spend on its own thread. The bundled worker is
// dist/diff-worker.cjs beside the bundle; from TypeScript sources (tests) it is the .ts file, run through
// the tsx loader the process already has (as checkInWorker.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { DiffOverlay } from './diffOverlay.js';

export interface DiffWorkerRequest {
  /** The first (older) and second (newer, shown) model files. */
  pathA: string;
  pathB: string;
  /** How the text summary names them (workspace-relative paths). */
  shownA: string;
  shownB: string;
  /** The first model's name for the legend. */
  otherName: string;
}

export interface DiffWorkerResult {
  overlay: DiffOverlay;
  text: string;
  identical: boolean;
}

export type DiffWorkerReply = DiffWorkerResult | { error: string };

function workerEntry(): { code: string; eval: boolean } {
  if (typeof __dirname === 'string') {
    const bundled = join(__dirname, 'diff-worker.cjs');
    if (existsSync(bundled)) return { code: bundled, eval: false };
  }
  const source = join(process.cwd(), 'src', 'core', 'diff', 'diffWorker.ts');
  if (existsSync(source)) return { code: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); })`, eval: true };
  throw new UserError('The diff worker (diff-worker.cjs) is missing: rebuild ONNX Lens with `npm run build`.');
}

/** The diff overlay and text summary of two model files; rejects with a UserError on bad input and when `signal` aborts. */
export function diffInWorker(request: DiffWorkerRequest, signal?: AbortSignal): Promise<DiffWorkerResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new UserError('The diff was cancelled.'));
      return;
    }
    const entry = workerEntry();
    const worker = new Worker(entry.code, { eval: entry.eval, workerData: request });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => settle(() => reject(new UserError('The diff was cancelled.')));
    signal?.addEventListener('abort', onAbort);
    worker.once('message', (reply: DiffWorkerReply) => settle(() => ('error' in reply ? reject(new UserError(reply.error)) : resolve(reply))));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`The diff worker stopped (exit code ${code}) before it answered.`))));
  });
}
