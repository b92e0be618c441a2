// Opens a model for the editor in a worker thread (viewWorker.ts): decoding, shape inference and the view
// model of a 50,000-node model take seconds the extension host must not spend on its own thread
// (src/core/workerCall.ts). The file's bytes move to the worker and back without a copy.
import { callWorker } from '../workerCall.js';

export interface ViewWorkerRequest {
  /** The file's bytes; transferred to the worker (detached here). */
  bytes: Uint8Array;
  /** The name the view shows. */
  fileName: string;
}

export interface OpenedView {
  /** The model view as bytes (viewBytes.ts), ready to post to the webview. */
  view: Uint8Array;
  /** The file's bytes, back from the worker: the host decodes its own model from them when it needs one. */
  bytes: Uint8Array;
  /** Nodes and groups of the main graph's view, for the log. */
  nodes: number;
  groups: number;
  /** Why shape inference failed, when it did: the edges show declared shapes only. */
  shapesError?: string;
}

export type ViewWorkerReply = OpenedView | { error: string };

const spec = { bundle: 'view-worker.cjs', source: 'src/core/graph/viewWorker.ts', what: 'opening of the model', name: 'view worker' };

/** `bytes` itself when it owns its whole buffer (it can move), else a copy that does (e.g. a view into Node's buffer pool). */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * Decodes `bytes` and builds its model view in a worker thread. `bytes` is transferred (unusable here
 * afterwards) unless it had to be copied: use the reply's `bytes`. Rejects with a UserError carrying the
 * one-line reason when the file does not decode, and when `signal` aborts.
 */
export function viewInWorker(bytes: Uint8Array, fileName: string, signal?: AbortSignal): Promise<OpenedView> {
  const own = ownedBytes(bytes);
  const request: ViewWorkerRequest = { bytes: own, fileName };
  return callWorker<ViewWorkerReply>(spec, request, signal, [own.buffer]);
}
