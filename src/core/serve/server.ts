// A local inference endpoint speaking the Open Inference Protocol (KServe v2) REST API, which Triton,
// KServe, MLServer and Seldon speak too. No authentication: it binds to loopback unless told otherwise.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { UserError, oneLine } from '../errors.js';
import { readModelFile } from '../model/decode.js';
import type { SessionSettings } from '../runtime/client.js';
import { parseInferRequest } from './inferRequest.js';
import { encodeInferResponse } from './inferResponse.js';
import { InstancePool } from './instancePool.js';
import { LatencyWindow } from './latencyWindow.js';
import { ProtocolError, badRequest } from './protocolError.js';
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
  /** Requests waiting for an instance before the server answers 503. Default 64. */
  queueLimit?: number;
  /** Largest request body accepted. Default 256 MiB. */
  maxBodyBytes?: number;
  settings?: SessionSettings;
  /** A run taking longer stops its instance's child (it restarts for the next request). Default 60 s. */
  timeoutMs?: number;
  workerPath?: string;
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

const version = '1';
const defaultMaxBody = 256 * 2 ** 20;

/** True for addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export class ModelServer {
  private requests = 0;
  private errors = 0;
  private rejected = 0;
  private readonly latency = new LatencyWindow();

  private constructor(
    private readonly http: Server,
    private readonly pool: InstancePool,
    readonly signature: ModelSignature,
    private readonly maxBodyBytes: number,
    private readonly log: (line: string) => void,
    /** The request the input specification resolves to; undefined (with why) when the model's inputs cannot be made up. */
    readonly example: ExampleRequest | { problem: string },
  ) {
    http.on('request', (req, res) => void this.handle(req, res));
  }

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
      modelPath: options.modelPath, instances: Math.max(1, options.instances ?? 1), queueLimit: options.queueLimit ?? 64,
      settings: options.settings, workerPath: options.workerPath, timeoutMs: options.timeoutMs ?? 60_000,
      onLog: options.log,
    });
    const http = createServer({ keepAlive: true });
    const server = new ModelServer(http, pool, signature, options.maxBodyBytes ?? defaultMaxBody, options.log ?? (() => undefined), example);
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(options.port ?? 8000, host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      pool.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`Port ${options.port} on ${host} is in use: pick another with --port.`);
      throw new UserError(`Cannot listen on ${host}:${options.port}: ${code ?? oneLine(error)}`);
    }
    return server;
  }

  /** Base URL, e.g. http://127.0.0.1:8000. */
  get url(): string {
    const address = this.http.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** The infer endpoint of the model. */
  get inferUrl(): string {
    return `${this.url}/v2/models/${this.signature.name}/infer`;
  }

  get pids(): Array<number | undefined> {
    return this.pool.pids;
  }

  stats(): ServerStats {
    return {
      requests: this.requests, errors: this.errors, rejected: this.rejected, running: this.pool.running, queued: this.pool.queued,
      p50Ms: this.latency.quantile(0.5), p99Ms: this.latency.quantile(0.99),
    };
  }

  async close(): Promise<void> {
    this.pool.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
      const model = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
      if (req.method === 'GET' && path === '/v2/health/live') return send(res, 200, {});
      if (req.method === 'GET' && path === '/v2/health/ready') return send(res, 200, {});
      if (req.method === 'GET' && path === '/v2') return send(res, 200, { name: 'onnx-lens', version: '1', extensions: ['binary_tensor_data'] });
      if (!model) return send(res, 404, { error: `No such endpoint: ${req.method} ${path}` });
      const [, name, modelVersion, action] = model;
      if (decodeURIComponent(name) !== this.signature.name || (modelVersion !== undefined && modelVersion !== version)) {
        return send(res, 404, { error: `No model '${decodeURIComponent(name)}'${modelVersion ? ` version ${modelVersion}` : ''}: this server serves '${this.signature.name}' version ${version}.` });
      }
      if (action === '/infer') {
        if (req.method !== 'POST') return send(res, 405, { error: 'Infer takes POST.' });
        return await this.infer(req, res);
      }
      if (req.method !== 'GET') return send(res, 405, { error: `${action ? 'Ready' : 'Model metadata'} takes GET.` });
      if (action === '/ready') return send(res, 200, {});
      return send(res, 200, this.metadata());
    } catch (error) {
      this.errors++;
      const status = error instanceof ProtocolError ? error.status : 500;
      if (status >= 500) this.log(`Request failed: ${oneLine(error)}`);
      if (!res.headersSent && !res.destroyed) send(res, status, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private metadata(): object {
    const tensor = (t: { name: string; datatype: string; shape: number[] }) => ({ name: t.name, datatype: t.datatype, shape: t.shape });
    return {
      name: this.signature.name, versions: [version], platform: 'onnxruntime_onnx',
      inputs: this.signature.inputs.map(tensor), outputs: this.signature.outputs.map(tensor),
    };
  }

  private async infer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.requests++;
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    const body = await readBody(req, this.maxBodyBytes);
    const header = req.headers['inference-header-content-length'];
    const headerLength = header === undefined ? undefined : Number(header);
    const request = parseInferRequest(body, headerLength, this.signature);
    let outputs;
    try {
      outputs = await this.pool.run(request.feeds, request.outputs.map((o) => o.name), () => gone);
    } catch (error) {
      if (error instanceof ProtocolError && error.status === 503) this.rejected++;
      throw error;
    }
    if (gone) return;
    const encoded = encodeInferResponse({ name: this.signature.name, version }, request.id, outputs, request.outputs);
    res.writeHead(200, {
      'Content-Type': encoded.headerLength === undefined ? 'application/json' : 'application/octet-stream',
      'Content-Length': encoded.body.length,
      ...(encoded.headerLength === undefined ? {} : { 'Inference-Header-Content-Length': encoded.headerLength }),
    });
    res.end(encoded.body);
    this.latency.add(performance.now() - started);
  }
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(badRequest(`The request body of ${declared} bytes is larger than the limit of ${limit}.`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and dropped, so the 400 still reaches the client.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) reject(badRequest(`The request body is larger than the limit of ${limit} bytes.`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
