// A local inference endpoint speaking the Open Inference Protocol (KServe v2) REST API, which Triton,
// KServe, MLServer and Seldon speak too. No authentication: it binds to loopback unless told otherwise.
// This process (the CLI, or the extension host) only listens: each connection is answered start to end by
// an instance child holding the onnxruntime session (instancePool.ts, instanceChild.ts), except the health
// and metadata requests of a connection waiting for a free instance, answered here (heldConnection.ts).
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { UserError, oneLine } from '../errors.js';
import { readModelFile } from '../model/decode.js';
import type { SessionSettings } from '../runtime/client.js';
import { InstancePool } from './instancePool.js';
import { modelSignature, servingName, withGivenDims, type ModelSignature } from './signature.js';
import { exampleRequest, type ExampleRequest } from './exampleRequest.js';
import { formatInputSpec, type InputSpec } from '../runtime/inputSpec.js';

export interface ServeOptions {
  modelPath: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** onnxruntime instances (child processes), each running one request at a time. Default 1. */
  instances?: number;
  /**
   * Requests that may wait: in each instance for its session, and connections waiting here for a free
   * instance (their health and metadata requests are answered meanwhile). Beyond it the server answers
   * 503. Default 64.
   */
  queueLimit?: number;
  /** Largest request body accepted. Default 256 MiB. */
  maxBodyBytes?: number;
  settings?: SessionSettings;
  /**
   * A run taking longer stops its instance's child (it restarts for the next request), at the deadline
   * (to a timer's lateness). Default 60 s.
   */
  timeoutMs?: number;
  /** The instance child's module (default: beside the bundle, or the TypeScript source through tsx). */
  instancePath?: string;
  /** One line per event worth logging (start, errors); requests are counted, not logged. */
  log?: (line: string) => void;
  /**
   * What the user said about the inputs: the example request follows it, and the dims it fixes
   * (shapes, dims) are fixed in the metadata, so requests of other sizes are refused.
   */
  inputSpec?: InputSpec;
  /** Fix the spec's shapes and dims in the metadata (default true). */
  fixGivenDims?: boolean;
}

export interface ServerStats {
  requests: number;
  errors: number;
  /** Answered 503 because the queue was full. */
  rejected: number;
  running: number;
  queued: number;
  p50Ms?: number;
  p99Ms?: number;
}

const defaultMaxBody = 256 * 2 ** 20;

/** True for addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export class ModelServer {
  private constructor(
    private readonly listener: Server,
    private readonly pool: InstancePool,
    readonly signature: ModelSignature,
    /** The request the input specification resolves to; undefined (with why) when the model's inputs cannot be made up. */
    readonly example: ExampleRequest | { problem: string },
  ) {}

  static async start(options: ServeOptions): Promise<ModelServer> {
    const host = options.host ?? '127.0.0.1';
    const { model } = await readModelFile(options.modelPath);
    const spec = options.inputSpec ?? {};
    const declared = modelSignature(model, servingName(options.modelPath));
    const signature = options.fixGivenDims === false ? declared : withGivenDims(declared, spec);
    // A spec the user gave must fit the model (one-line error now, not at the first request); without
    // one, a model whose inputs cannot be made up is still served.
    let example: ExampleRequest | { problem: string };
    try {
      example = exampleRequest(signature, model, spec);
    } catch (error) {
      if (formatInputSpec(spec) || spec.files?.length) throw error;
      example = { problem: oneLine(error) };
    }
    const pool = await InstancePool.open({
      modelPath: options.modelPath, signature, instances: Math.max(1, options.instances ?? 1), queueLimit: options.queueLimit ?? 64,
      maxBodyBytes: options.maxBodyBytes ?? defaultMaxBody, settings: options.settings, instancePath: options.instancePath,
      timeoutMs: options.timeoutMs ?? 60_000, onLog: options.log,
    });
    // Accepted paused: this process never reads a connection an instance answers.
    const listener = createServer({ pauseOnConnect: true, noDelay: true, keepAlive: true }, (socket: Socket) => pool.accept(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(options.port ?? 8000, host, () => {
          listener.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      pool.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`Port ${options.port} on ${host} is in use: pick another with --port.`);
      throw new UserError(`Cannot listen on ${host}:${options.port}: ${code ?? oneLine(error)}`);
    }
    return new ModelServer(listener, pool, signature, example);
  }

  /** Base URL, e.g. http://127.0.0.1:8000. */
  get url(): string {
    const address = this.listener.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** The infer endpoint of the model. */
  get inferUrl(): string {
    return `${this.url}/v2/models/${this.signature.name}/infer`;
  }

  /** Process ids of the instance children (a test stops one to see the endpoint recover). */
  get pids(): Array<number | undefined> {
    return this.pool.pids;
  }

  /**
   * Every request answered so far, and the latencies of the latest: the instances write them into their
   * state files before each answer leaves, and a child that crashes leaves its counts there.
   */
  stats(): ServerStats {
    const pool = this.pool.stats();
    return { ...pool, p50Ms: this.pool.latency.quantile(0.5), p99Ms: this.pool.latency.quantile(0.99) };
  }

  async close(): Promise<void> {
    this.pool.close();
    // Not close()'s callback: a listener whose sockets went to child processes asks each child that got one
    // for its count, and when all of those are gone (restarted after a crash) net never calls back. The
    // port is free once close() returns; a turn of the loop lets the handle's close finish.
    this.listener.close();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
