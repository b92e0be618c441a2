// Runs the model checker in a worker thread (checkWorker.ts): a model of 50,000 nodes takes seconds to
// check, which the extension host must not spend on its own thread (src/core/workerCall.ts).
import { callWorker } from '../workerCall.js';
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

const spec = { bundle: 'check-worker.cjs', source: 'src/core/check/checkWorker.ts', what: 'check', name: 'checker worker' };

/**
 * Checks a model in a worker thread. Rejects with a UserError when the file cannot be read or decoded,
 * and when `signal` aborts (the worker is stopped then).
 */
export function checkInWorker(request: CheckWorkerRequest, signal?: AbortSignal): Promise<Problem[]> {
  // A view of a larger (pooled) buffer is copied; a buffer of its own moves to the worker without a copy.
  const bytes = request.bytes;
  const own = bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return callWorker<CheckWorkerReply>(spec, request, signal, own ? [bytes.buffer as ArrayBuffer] : []).then((reply) => reply.problems);
}
