// RuntimeClient: onnxruntime-node in a child process. The caller's process never loads onnxruntime, so a
// model that crashes or hangs it costs one child: pending requests reject with a one-line UserError and
// the next request starts a fresh child.
import type { ChildProcess } from 'node:child_process';
import { forkOrtChild } from './ortChild.js';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { formatNumber } from '../format.js';
import type { TensorArray } from '../model/tensorValues.js';
import type { SessionSettings } from './settings.js';
import { locateWorker } from './workerLocation.js';
import type {
  CloseResult, InfoResult, OpenResult, RunResult, SummarizeResult, TimeResult, ValueMetadata, WorkerReply, WorkerRequest,
} from './workerProtocol.js';

export type { SessionSettings } from './settings.js';
export type { NodeTime, ValueMetadata, InfoResult, ValueSummary } from './workerProtocol.js';

export interface ClientOptions {
  /** Any one request (open, run, timed loop) taking longer stops the child. Default 5 minutes. */
  timeoutMs?: number;
  /** Worker module; see workerLocation.ts for the default. */
  workerPath?: string;
  /** Lines onnxruntime prints (stdout/stderr of the child). */
  onLog?: (line: string) => void;
}

export interface RunOptions {
  /** Graph outputs to fetch; default all. */
  outputs?: string[];
  settings?: SessionSettings;
  signal?: AbortSignal;
}

export interface OpenOptions {
  settings?: SessionSettings;
  /** Collect onnxruntime's per-node profile; close() returns it. */
  profile?: boolean;
  /** For a model given as bytes: the folder its external data paths are relative to. */
  baseDir?: string;
  signal?: AbortSignal;
}

/** Stopped on purpose (AbortSignal). A UserError, so it renders as one line; callers may treat it as quiet. */
export class RunCancelledError extends UserError {
  constructor() {
    super('The run was cancelled.');
    this.name = 'RunCancelledError';
  }
}

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  cleanup: () => void;
}

const defaultTimeoutMs = 5 * 60_000;
const startTimeoutMs = 60_000;
/** onnxruntime can list every kernel it tried; the user gets the start of it. */
const maxMessageLength = 500;

/** onnxruntime's messages span lines and carry status codes; the user gets one plain line. */
export function ortMessage(message: string): string {
  const text = message
    .replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*[A-Z_]+\s*:\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const short = text.length > maxMessageLength ? `${text.slice(0, maxMessageLength - 1)}…` : text;
  return `onnxruntime: ${short || 'unknown error'}`;
}

/** A failure reported by onnxruntime: the message is one short line; `detail` keeps onnxruntime's full text for the log. */
export class OnnxRuntimeError extends UserError {
  constructor(readonly detail: string, message = ortMessage(detail)) {
    super(message);
    this.name = 'OnnxRuntimeError';
  }
}

export class RuntimeClient {
  private child?: ChildProcess;
  private ready = false;
  private queued: Array<{ message: WorkerRequest; startClock: () => void }> = [];
  private startTimer?: ReturnType<typeof setTimeout>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Bumped each time a child starts: sessions of an older child are gone. */
  private generation = 0;
  private stderrTail: string[] = [];
  private readonly timeoutMs: number;

  private constructor(private readonly options: ClientOptions) {
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  }

  /**
   * Starts the child at once, so that loading and setting up onnxruntime (0.2–0.6 s) overlaps whatever the
   * caller does before its first request. After a crash, timeout or cancellation the next request starts
   * another.
   */
  static start(options: ClientOptions = {}): RuntimeClient {
    const client = new RuntimeClient(options);
    try {
      client.ensureChild();
    } catch {
      // A missing worker or a failed start: the first request says so, as it would without this head start.
    }
    return client;
  }

  /** Process id of the current child, if one runs (tests use it to simulate a crash). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async info(signal?: AbortSignal): Promise<InfoResult> {
    return this.request<InfoResult>({ kind: 'info' }, signal);
  }

  async open(model: Uint8Array | string, options: OpenOptions = {}): Promise<RuntimeSession> {
    let payload: Uint8Array | string = model;
    if (typeof model === 'string') {
      payload = resolve(model);
      if (!existsSync(payload)) throw new UserError(`No such file: ${model}`);
    }
    this.ensureChild();
    const generation = this.generation;
    const result = await this.request<OpenResult>({
      kind: 'open', model: payload, settings: options.settings ?? {}, profile: options.profile ?? false,
      ...(options.baseDir ? { baseDir: resolve(options.baseDir) } : {}),
    }, options.signal);
    return new RuntimeSession(this, result, generation);
  }

  async run(model: Uint8Array | string, feeds: Record<string, TensorArray>, options: RunOptions = {}): Promise<Record<string, TensorArray>> {
    const [outputs] = await this.runMany(model, [feeds], options);
    return outputs;
  }

  /** One session, many feeds. */
  async runMany(model: Uint8Array | string, feedsList: Array<Record<string, TensorArray>>, options: RunOptions = {}): Promise<Array<Record<string, TensorArray>>> {
    const session = await this.open(model, { settings: options.settings, signal: options.signal });
    try {
      const results: Array<Record<string, TensorArray>> = [];
      for (const feeds of feedsList) results.push((await session.run(feeds, { outputs: options.outputs, signal: options.signal })).outputs);
      return results;
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  /** Stops the child; the client stays usable (the next request starts another). */
  dispose(): void {
    this.stop(new UserError('The onnxruntime process was shut down.'));
  }

  /** @internal */
  isCurrent(generation: number): boolean {
    return generation === this.generation && this.child !== undefined;
  }

  /** @internal */
  request<T>(request: Request, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new RunCancelledError());
    const id = this.nextId++;
    const child = this.ensureChild();
    return new Promise<T>((resolvePromise, rejectPromise) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // The clock starts when the child has the request: starting the child is not the model's time.
      const startClock = () => {
        timer = setTimeout(() => {
          this.fail(id, new UserError(`onnxruntime did not finish within ${formatSeconds(this.timeoutMs)} and was stopped.`));
          this.stop(new UserError('The onnxruntime process was stopped because another request timed out.'));
        }, this.timeoutMs);
      };
      const onAbort = () => {
        this.fail(id, new RunCancelledError());
        this.stop(new UserError('The onnxruntime process was stopped because another request was cancelled.'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolvePromise as (value: unknown) => void,
        reject: rejectPromise,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      });
      this.holdProcessOpen(true);
      const message = { ...request, id } as WorkerRequest;
      if (this.ready) {
        child.send(message);
        startClock();
      } else {
        this.queued.push({ message, startClock });
      }
    });
  }

  private fail(id: number, error: Error): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.cleanup();
    pending.reject(error);
    this.holdProcessOpen(this.pending.size > 0);
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const entry = locateWorker(this.options.workerPath);
    this.stderrTail = [];
    const child = forkOrtChild(entry, (line) => {
      this.stderrTail = [...this.stderrTail.slice(-9), line.trim()];
      this.options.onLog?.(line);
    });
    this.child = child;
    this.ready = false;
    this.generation++;
    child.on('message', (message: WorkerReply) => {
      if ('ready' in message) {
        this.ready = true;
        clearTimeout(this.startTimer);
        for (const queued of this.queued.splice(0)) {
          child.send(queued.message);
          queued.startClock();
        }
        return;
      }
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      pending.cleanup();
      if (message.ok) pending.resolve(message.result);
      else pending.reject(message.ours ? new UserError(message.message) : new OnnxRuntimeError(message.message));
      this.holdProcessOpen(this.pending.size > 0);
    });
    child.on('error', (error) => {
      if (this.child !== child) return;
      this.stop(new UserError(`The onnxruntime process could not run: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const detail = this.stderrTail.length ? `: ${this.stderrTail[this.stderrTail.length - 1].slice(0, 300)}` : '';
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.rejectAll(new UserError(`onnxruntime stopped unexpectedly (it ${how})${detail}.`));
    });
    clearTimeout(this.startTimer);
    this.startTimer = setTimeout(() => {
      if (this.child === child && !this.ready) this.stop(new UserError(`The onnxruntime process did not start within ${formatSeconds(startTimeoutMs)}.`));
    }, startTimeoutMs);
    this.startTimer.unref();
    this.holdProcessOpen(false);
    return child;
  }

  /** An idle child must not keep a CLI or test process alive; a busy one must. */
  private holdProcessOpen(busy: boolean): void {
    const child = this.child;
    if (!child) return;
    const handles: Array<{ ref?: () => void; unref?: () => void } | null | undefined> = [
      child, child.channel, child.stdout as Socket | null, child.stderr as Socket | null,
    ];
    for (const handle of handles) (busy ? handle?.ref : handle?.unref)?.call(handle);
  }

  private rejectAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, error);
    this.queued = [];
  }

  private stop(error: Error): void {
    const child = this.child;
    this.child = undefined;
    this.ready = false;
    clearTimeout(this.startTimer);
    this.rejectAll(error);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${formatNumber(s)} second${s === 1 ? '' : 's'}`;
}

/** An open onnxruntime session in the child: run it many times, time it, then close it. */
export class RuntimeSession {
  readonly id: number;
  readonly createMs: number;
  readonly inputs: ValueMetadata[];
  readonly outputs: ValueMetadata[];

  constructor(private readonly client: RuntimeClient, opened: OpenResult, private readonly generation: number) {
    this.id = opened.session;
    this.createMs = opened.createMs;
    this.inputs = opened.inputs;
    this.outputs = opened.outputs;
  }

  private check(): void {
    if (!this.client.isCurrent(this.generation)) throw new UserError('The onnxruntime process was restarted: the model must be loaded again.');
  }

  async run(feeds: Record<string, TensorArray>, options: { outputs?: string[]; signal?: AbortSignal } = {}): Promise<RunResult> {
    this.check();
    return this.client.request<RunResult>({ kind: 'run', session: this.id, feeds, ...(options.outputs ? { outputs: options.outputs } : {}) }, options.signal);
  }

  /** Runs once; the child sends back each output's type, shape and statistics, not its values. */
  async summarize(feeds: Record<string, TensorArray>, options: { outputs?: string[]; signal?: AbortSignal } = {}): Promise<SummarizeResult> {
    this.check();
    return this.client.request<SummarizeResult>({ kind: 'summarize', session: this.id, feeds, ...(options.outputs ? { outputs: options.outputs } : {}) }, options.signal);
  }

  /** Milliseconds of each timed session.run, measured inside the child after `warmup` untimed runs. */
  async time(feeds: Record<string, TensorArray>, options: { warmup: number; iterations: number; signal?: AbortSignal }): Promise<number[]> {
    this.check();
    const result = await this.client.request<TimeResult>({ kind: 'time', session: this.id, feeds, warmup: options.warmup, iterations: options.iterations }, options.signal);
    return result.times;
  }

  /** Releases the session; with profiling on, returns per-node times. */
  async close(): Promise<CloseResult> {
    if (!this.client.isCurrent(this.generation)) return {};
    return this.client.request<CloseResult>({ kind: 'close', session: this.id });
  }
}
