// onnxruntime instances behind the endpoint: each a child process with the model's session open, one
// request at a time, fed from one bounded queue. A full queue refuses at once instead of growing memory.
import { OnnxRuntimeError, RuntimeClient, type RuntimeSession, type SessionSettings } from '../runtime/client.js';
import type { TensorArray } from '../model/tensorValues.js';
import { ProtocolError } from './protocolError.js';

export interface PoolOptions {
  modelPath: string;
  instances: number;
  /** Requests waiting beyond the running ones; more are answered 503. */
  queueLimit: number;
  settings?: SessionSettings;
  workerPath?: string;
  /** Longest one run may take before its child is stopped. */
  timeoutMs?: number;
  onLog?: (line: string) => void;
}

interface Instance {
  client: RuntimeClient;
  session?: RuntimeSession;
  busy: boolean;
}

interface Job {
  feeds: Record<string, TensorArray>;
  outputs: string[];
  /** The caller went away: a queued job is dropped, a running one's result discarded. */
  cancelled: () => boolean;
  resolve: (outputs: Record<string, TensorArray>) => void;
  reject: (error: Error) => void;
}

export class InstancePool {
  private readonly instances: Instance[];
  private readonly queue: Job[] = [];

  private constructor(private readonly options: PoolOptions) {
    this.instances = Array.from({ length: options.instances }, () => ({
      client: RuntimeClient.start({ timeoutMs: options.timeoutMs, workerPath: options.workerPath, onLog: options.onLog }),
      busy: false,
    }));
  }

  /** Opens the model in every instance; a model onnxruntime cannot load fails here, with its one line. */
  static async open(options: PoolOptions): Promise<InstancePool> {
    const pool = new InstancePool(options);
    try {
      await Promise.all(pool.instances.map((i) => pool.ensureSession(i)));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get queued(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.instances.filter((i) => i.busy).length;
  }

  /** Process ids of the instances' children (a test stops one to see the endpoint recover). */
  get pids(): Array<number | undefined> {
    return this.instances.map((i) => i.client.pid);
  }

  run(feeds: Record<string, TensorArray>, outputs: string[], cancelled: () => boolean): Promise<Record<string, TensorArray>> {
    const idle = this.instances.some((i) => !i.busy);
    if (!idle && this.queue.length >= this.options.queueLimit) {
      return Promise.reject(new ProtocolError(503, `The server is busy: ${this.queue.length} requests are waiting. Try again later.`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ feeds, outputs, cancelled, resolve, reject });
      this.dispatch();
    });
  }

  close(): void {
    for (const job of this.queue.splice(0)) job.reject(new ProtocolError(503, 'The server is shutting down.'));
    for (const instance of this.instances) instance.client.dispose();
  }

  private async ensureSession(instance: Instance): Promise<RuntimeSession> {
    instance.session ??= await instance.client.open(this.options.modelPath, { settings: this.options.settings });
    return instance.session;
  }

  private dispatch(): void {
    for (const instance of this.instances) {
      if (instance.busy) continue;
      let job = this.queue.shift();
      while (job?.cancelled()) job = this.queue.shift();
      if (!job) return;
      void this.execute(instance, job);
    }
  }

  private async execute(instance: Instance, job: Job): Promise<void> {
    instance.busy = true;
    try {
      const session = await this.ensureSession(instance);
      const result = await session.run(job.feeds, { outputs: job.outputs });
      job.resolve(result.outputs);
    } catch (error) {
      // onnxruntime refused the inputs: the session is fine. Anything else (the child died or hung) costs
      // the session; the next request opens it again in a fresh child.
      if (!(error instanceof OnnxRuntimeError)) instance.session = undefined;
      job.reject(new ProtocolError(500, error instanceof Error ? error.message : String(error)));
    } finally {
      instance.busy = false;
      this.dispatch();
    }
  }
}
