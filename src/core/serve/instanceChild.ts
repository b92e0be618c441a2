// An instance child of `onnx-lens serve` (bundled as dist/serve-instance.cjs): it holds the model's
// onnxruntime session and answers the HTTP connections the supervisor hands it, start to end (parse,
// check, run, encode), so a request crosses no process boundary. A crash or hang here costs this child;
// the supervisor (instancePool.ts) answers its in-flight requests and starts another.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { exitWithParent } from '../runtime/ortChild.js';
import * as ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import type { TensorArray } from '../model/tensorValues.js';
import { ortMessage } from '../runtime/client.js';
import { fromOrtTensor, ortCanReturn, toOrtTensor, type OrtTensorCtor } from '../runtime/ortTensors.js';
import { sessionOptions } from '../runtime/ortSession.js';
import { modelVersion, readBody, route } from './endpoint.js';
import { parseInferRequest } from './inferRequest.js';
import { encodeInferResponse } from './inferResponse.js';
import type { FromInstance, ToInstance } from './instanceProtocol.js';
import { SlotState, StateWriter } from './instanceState.js';
import { ProtocolError } from './protocolError.js';
import type { ModelSignature } from './signature.js';

const Tensor = ort.Tensor as unknown as OrtTensorCtor;

function send(message: FromInstance): void {
  process.send!(message);
}

interface Job {
  slot: number;
  feeds: Record<string, TensorArray>;
  outputs: string[];
  resolve: (outputs: Record<string, TensorArray>) => void;
  reject: (error: Error) => void;
}

/** The session, one run at a time, and the requests waiting for it. */
class Instance {
  private readonly queue: Job[] = [];
  private running = false;
  private notifyIdle = false;
  private readonly slots = new WeakMap<Socket, number>();
  /** The slot of each infer request being answered. */
  private readonly answering = new WeakMap<ServerResponse, number>();

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly signature: ModelSignature,
    private readonly state: StateWriter,
    private readonly maxBodyBytes: number,
    private readonly queueLimit: number,
  ) {
    const http = createServer({ keepAlive: true });
    const routes = {
      signature,
      infer: (req: IncomingMessage, res: ServerResponse) => this.infer(req, res),
      failed: (status: number, error: unknown, res: ServerResponse) => {
        this.counted(res, { error: true, rejected: status === 503 });
        // The supervisor logs this child's stderr.
        if (status >= 500 && status !== 503) process.stderr.write(`Request failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    };
    http.on('request', (req, res) => void route(routes, req, res));
    process.on('message', (message: ToInstance, handle?: Socket) => {
      if (message.kind === 'connection' && handle) {
        this.slots.set(handle, message.slot);
        handle.once('close', () => {
          this.idle(message.slot);
          send({ kind: 'closed', slot: message.slot });
        });
        http.emit('connection', handle);
        // What the supervisor read of the first request, fed to the parser before the socket's own bytes.
        if (message.preread) handle.emit('data', Buffer.from(message.preread, 'base64'));
        handle.resume();
      } else if (message.kind === 'notifyIdle') {
        this.notifyIdle = true;
        this.checkIdle();
      }
    });
  }

  /** Counts the answer to `res`, and marks its slot Answering (unless the client is gone: then it is Idle). */
  private counted(res: ServerResponse, answer: { ms?: number; error?: boolean; rejected?: boolean }): void {
    this.state.count(answer);
    const slot = this.answering.get(res);
    if (slot !== undefined && !res.destroyed) this.state.set(slot, SlotState.Answering);
  }

  private idle(slot: number): void {
    this.state.set(slot, SlotState.Idle);
    this.checkIdle();
  }

  /** Says 'idle' once the state file shows no run and none waiting: the supervisor reads it to choose. */
  private checkIdle(): void {
    if (this.notifyIdle && !this.running && this.queue.length === 0 && !this.state.busy()) {
      this.notifyIdle = false;
      send({ kind: 'idle' });
    }
  }

  private async infer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const slot = this.slots.get(req.socket) ?? -1;
    if (slot >= 0) {
      this.answering.set(res, slot);
      this.state.set(slot, SlotState.Receiving);
      // Idle once the answer is with the kernel (or the client is gone): the connection may then move.
      res.once('close', () => this.idle(slot));
    }
    const body = await readBody(req, this.maxBodyBytes);
    const header = req.headers['inference-header-content-length'];
    const request = parseInferRequest(body, header === undefined ? undefined : Number(header), this.signature);
    const outputs = await this.run(slot, request.feeds, request.outputs.map((o) => o.name));
    if (res.destroyed) {
      this.counted(res, {});
      return;
    }
    const encoded = encodeInferResponse({ name: this.signature.name, version: modelVersion }, request.id, outputs, request.outputs);
    res.writeHead(200, {
      'Content-Type': encoded.headerLength === undefined ? 'application/json' : 'application/octet-stream',
      'Content-Length': encoded.body.length,
      ...(encoded.headerLength === undefined ? {} : { 'Inference-Header-Content-Length': encoded.headerLength }),
    });
    this.counted(res, { ms: performance.now() - started });
    res.end(encoded.body);
  }

  private run(slot: number, feeds: Record<string, TensorArray>, outputs: string[]): Promise<Record<string, TensorArray>> {
    if (this.running && this.queue.length >= this.queueLimit) {
      return Promise.reject(new ProtocolError(503, `The server is busy: ${this.queue.length} requests are waiting. Try again later.`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ slot, feeds, outputs, resolve, reject });
      if (this.running) {
        if (slot >= 0) this.state.set(slot, SlotState.Queued);
      } else {
        void this.next();
      }
    });
  }

  private async next(): Promise<void> {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) {
      this.checkIdle();
      return;
    }
    this.running = true;
    try {
      if (job.slot >= 0) this.state.set(job.slot, SlotState.Running);
      job.resolve(await this.runSession(job.feeds, job.outputs));
    } catch (error) {
      job.reject(error instanceof ProtocolError ? error : new ProtocolError(500, error instanceof UserError ? error.message : ortMessage(error instanceof Error ? error.message : String(error))));
    } finally {
      this.running = false;
      // The answer of this job is still written first: its continuation is a microtask, and onnxruntime-node
      // starts the next run in a setImmediate.
      void this.next();
    }
  }

  private async runSession(feeds: Record<string, TensorArray>, names: string[]): Promise<Record<string, TensorArray>> {
    // Outputs onnxruntime-node cannot return abort the process: refused here instead.
    for (const m of this.session.outputMetadata) {
      if (m.isTensor && names.includes(m.name) && !ortCanReturn(m.type)) throw new UserError(`Output '${m.name}' is ${m.type}, which onnxruntime-node cannot return.`);
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, array] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(Tensor, name, array);
    const results = await this.session.run(ortFeeds, names);
    const out: Record<string, TensorArray> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = fromOrtTensor(name, tensor);
      tensor.dispose();
    }
    return out;
  }
}

process.once('message', (message: ToInstance) => {
  if (message.kind !== 'open') return;
  ort.InferenceSession.create(message.modelPath, sessionOptions(message.settings)).then((session) => {
    new Instance(session, message.signature, new StateWriter(message.statePath), message.maxBodyBytes, message.queueLimit);
    send({ kind: 'ready' });
  }, (error: unknown) => {
    send({ kind: 'failed', message: ortMessage(error instanceof Error ? error.message : String(error)) });
  });
});
exitWithParent();
