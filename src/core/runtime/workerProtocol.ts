// Messages between RuntimeClient (any process) and the onnxruntime child process (worker.ts).
// Sent with `serialization: 'advanced'`: typed arrays, bigint arrays and Maps travel as they are (a view
// sends only the bytes it covers, and arrives as a view of the received message where alignment allows).
import type { TensorStats } from '../model/stats.js';
import type { TensorArray } from '../model/tensorValues.js';
import type { SessionSettings } from './settings.js';

export interface ValueMetadata {
  name: string;
  isTensor: boolean;
  /** onnxruntime type name ('float32', 'int64'...) for tensors. */
  type?: string;
  /** Numbers, symbolic names, or '' for unnamed dynamic dims. */
  shape?: Array<number | string>;
}

/** Per-node totals from onnxruntime's profiler. */
export interface NodeTime {
  name: string;
  opType: string;
  /** Execution provider that ran the node. */
  provider: string;
  /** Total kernel time over all profiled runs, in milliseconds. */
  totalMs: number;
  /** Kernel executions seen. */
  count: number;
}

export type WorkerRequest =
  | { id: number; kind: 'info' }
  | {
    id: number; kind: 'open'; model: Uint8Array | string; settings: SessionSettings; profile: boolean;
    /** For models sent as bytes: where their external data files are. */
    baseDir?: string;
  }
  | { id: number; kind: 'run'; session: number; feeds: Record<string, TensorArray>; outputs?: string[] }
  /** Like run, but the child returns type, shape and statistics instead of the values (tensor capture). */
  | { id: number; kind: 'summarize'; session: number; feeds: Record<string, TensorArray>; outputs?: string[] }
  | { id: number; kind: 'time'; session: number; feeds: Record<string, TensorArray>; warmup: number; iterations: number }
  | { id: number; kind: 'close'; session: number };

export interface InfoResult { version: string; backends: Array<{ name: string; bundled: boolean }> }
export interface OpenResult { session: number; createMs: number; inputs: ValueMetadata[]; outputs: ValueMetadata[] }
export interface RunResult { outputs: Record<string, TensorArray>; ms: number }
export interface TimeResult { times: number[] }
export interface ValueSummary { dtype: string; shape: number[]; stats: TensorStats }
export interface SummarizeResult { values: Record<string, ValueSummary>; ms: number }
export interface CloseResult { nodeTimes?: NodeTime[] }

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  /** `ours`: the message is already a sentence for the user (not onnxruntime's text). */
  | { id: number; ok: false; message: string; ours: boolean }
  | { ready: true };
