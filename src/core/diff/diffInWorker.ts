// Diffs two model files in a worker thread (diffWorker.ts): reading, decoding and pairing two large models
// takes seconds the extension host must not spend on its own thread (src/core/workerCall.ts).
import { callWorker } from '../workerCall.js';
import type { DiffOverlay } from './diffOverlay.js';

export interface DiffWorkerRequest {
  /** The first (older) and second (newer, shown) model files. */
  pathA: string;
  pathB: string;
  /** How the text summary names them (workspace-relative paths). */
  shownA: string;
  shownB: string;
  /** The first model's name for the second's legend, and the second's for the first's (side by side). */
  otherName: string;
  secondName: string;
}

export interface DiffWorkerResult {
  overlay: DiffOverlay;
  /** The overlay of the first model, for the side-by-side view. */
  firstOverlay: DiffOverlay;
  text: string;
  identical: boolean;
}

export type DiffWorkerReply = DiffWorkerResult | { error: string };

const spec = { bundle: 'diff-worker.cjs', source: 'src/core/diff/diffWorker.ts', what: 'diff', name: 'diff worker' };

/** The diff overlay and text summary of two model files; rejects with a UserError on bad input and when `signal` aborts. */
export function diffInWorker(request: DiffWorkerRequest, signal?: AbortSignal): Promise<DiffWorkerResult> {
  return callWorker<DiffWorkerReply>(spec, request, signal);
}
