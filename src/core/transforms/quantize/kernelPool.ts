// Runs quantization kernel jobs on worker threads and the calling thread, one tensor per job, each worker
// taking the next job when it answers. Weight bytes in a SharedArrayBuffer (a model file read into one) are shared,
// not copied; others are copied once into a buffer handed to the worker. Results come back as transferred
// buffers. The pool lives for one call: no state outlives it.
import { Worker } from 'node:worker_threads';
import { UserError } from '../../errors.js';
import { workerEntry, type WorkerSpec } from '../../workerCall.js';
import { jobBytes, kernelKey, runKernel, type KernelInput, type KernelJob, type KernelResult } from './kernels.js';
import type { KernelRequest } from './kernelWorker.js';

const spec: WorkerSpec = { bundle: 'quantize-worker.cjs', source: 'src/core/transforms/quantize/kernelWorker.ts', what: 'quantization', name: 'quantization worker' };

/** Below this many float32 bytes in all, starting workers costs more than they save. */
export const minPoolBytes = 4 * 2 ** 20;

/**
 * Threads to use: `requested`, by default 1 (the calling thread alone). Measured on 2 cores, quiet, a
 * second thread did not pay: its start and cold JIT cost about what it saved on the 88 MB transformer and
 * more than that on 10 MB models (bench/README.md). More threads are the user's choice (--threads N).
 */
export function quantizeThreads(requested?: number): number {
  return requested === undefined ? 1 : Math.max(1, Math.floor(requested));
}

export interface PoolJob {
  job: KernelJob;
  /** Evaluated when the job is sent, so external data is read only then. */
  input: () => KernelInput;
}

type Reply = { id: number; result: KernelResult } | { id: number; error: string };

/** Whether `jobs` are worth a pool of `threads` workers. */
export function poolPays(jobs: readonly PoolJob[], threads: number): boolean {
  return threads > 1 && jobs.length > 1 && jobs.reduce((n, j) => n + jobBytes(j.job), 0) >= minPoolBytes;
}

/** A view of `input` that can cross to a worker: shared memory as it is, else a copy the worker receives. */
function sendable(input: KernelInput): { input: KernelInput; transfer: ArrayBuffer[] } {
  if (input.buffer instanceof SharedArrayBuffer) return { input, transfer: [] };
  // A copy in a buffer of its own (Buffer.slice would be a view of the whole file's memory, and
  // transferring that would detach it).
  const copy = input instanceof Float32Array ? new Float32Array(input) : new Uint8Array(input);
  return { input: copy, transfer: [copy.buffer as ArrayBuffer] };
}

/**
 * Computes every job on `threads` threads: the calling thread and threads - 1 workers (a worker's start
 * costs about as much as a mid-sized tensor, so the caller works too). Workers take the largest jobs from
 * the front of the queue, the caller the smallest from the back, one at a time between turns of the event
 * loop, so that a worker that answers is fed again soon. Results by kernelKey. Aborting stops the workers
 * with a UserError.
 */
export function runKernelPool(jobs: readonly PoolJob[], threads: number, signal?: AbortSignal): Promise<Map<string, KernelResult>> {
  const unique = new Map<string, PoolJob>();
  for (const j of jobs) unique.set(kernelKey(j.job), j);
  const queue = [...unique.entries()].sort((a, b) => jobBytes(b[1].job) - jobBytes(a[1].job));
  const results = new Map<string, KernelResult>();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new UserError('Quantization was cancelled.'));
      return;
    }
    const entry = workerEntry(spec);
    const workers: Worker[] = [];
    const keys: string[] = [];
    /** Workers take queue[next], the caller queue[back - 1]. */
    let next = 0;
    let back = queue.length;
    let pending = 0;
    let callerDone = false;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      fn();
    };
    const finishIfDone = () => {
      if (callerDone && pending === 0 && next >= back) settle(() => resolve(results));
    };
    const onAbort = () => settle(() => reject(new UserError('Quantization was cancelled.')));
    signal?.addEventListener('abort', onAbort);
    const feed = (worker: Worker) => {
      if (next >= back) return;
      const id = next++;
      const [key, j] = queue[id];
      keys[id] = key;
      pending++;
      try {
        const { input, transfer } = sendable(j.input());
        const request: KernelRequest = { id, job: j.job, input };
        worker.postMessage(request, transfer);
      } catch (error) {
        settle(() => reject(error));
      }
    };
    const callerTurn = () => {
      if (settled) return;
      if (next >= back) {
        callerDone = true;
        finishIfDone();
        return;
      }
      const [key, j] = queue[--back];
      try {
        results.set(key, runKernel(j.job, j.input()));
      } catch (error) {
        settle(() => reject(error));
        return;
      }
      setImmediate(callerTurn);
    };
    const count = Math.min(threads - 1, queue.length - 1);
    for (let i = 0; i < count; i++) {
      const worker = new Worker(entry.code, { eval: entry.eval });
      workers.push(worker);
      worker.on('message', (reply: Reply) => {
        pending--;
        if ('error' in reply) {
          settle(() => reject(new UserError(reply.error)));
          return;
        }
        results.set(keys[reply.id], reply.result);
        feed(worker);
        finishIfDone();
      });
      worker.once('error', (error) => settle(() => reject(error)));
      worker.once('exit', (code) => settle(() => reject(new Error(`The ${spec.name} stopped (exit code ${code}) before it answered.`))));
    }
    for (const worker of workers) feed(worker);
    setImmediate(callerTurn);
  });
}
