// Messages between the serving process (the supervisor, instancePool.ts) and an instance child
// (instanceChild.ts). None of them travels per request: connections and lifecycle only (the counts and
// latencies are in the state file, instanceState.ts).
import type { SessionSettings } from '../runtime/settings.js';
import type { ModelSignature } from './signature.js';

export type ToInstance =
  | {
    kind: 'open'; modelPath: string; settings: SessionSettings; signature: ModelSignature; maxBodyBytes: number;
    /** Requests that may wait in this child for its session; more get 503. */
    queueLimit: number;
    statePath: string;
  }
  /**
   * Sent with the connection's socket as the handle; `slot` is its record in the state file. `preread`
   * (base64): the bytes the supervisor read of the request it could not answer, which come first.
   */
  | { kind: 'connection'; slot: number; preread?: string }
  /** Say 'idle' once nothing runs or waits (the supervisor holds connections for a free instance). */
  | { kind: 'notifyIdle' };

export type FromInstance =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'closed'; slot: number }
  | { kind: 'idle' };
