// Messages between the serving process (the supervisor, instancePool.ts) and an instance child
// (instanceChild.ts). None of them travels per request: connections, stats and lifecycle only.
import type { SessionSettings } from '../runtime/settings.js';
import type { ModelSignature } from './signature.js';

export type ToInstance =
  | {
    kind: 'open'; modelPath: string; settings: SessionSettings; signature: ModelSignature; maxBodyBytes: number;
    /** Requests that may wait in this child for its session; more get 503. */
    queueLimit: number;
    statePath: string;
  }
  /** Sent with the connection's socket as the handle; `slot` is its record in the state file. */
  | { kind: 'connection'; slot: number }
  /** Say 'idle' once nothing runs or waits (the supervisor holds connections for a free instance). */
  | { kind: 'notifyIdle' }
  /** Report the stats now (a caller asked for fresh ones). */
  | { kind: 'stats' };

export interface InstanceStats {
  /** Since the child started. */
  requests: number;
  errors: number;
  rejected: number;
  /** Latencies (ms) of requests answered since the last report. */
  latencies: number[];
}

export type FromInstance =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'closed'; slot: number }
  | { kind: 'idle' }
  | ({ kind: 'stats' } & InstanceStats);
