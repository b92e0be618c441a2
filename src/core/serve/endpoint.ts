// The Open Inference Protocol's routes, shared by the instance children (which answer everything) and the
// supervisor (which answers what needs no session on the connections it holds, and the connections beyond
// the queue: everything but infer, which gets 503 there).
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { ProtocolError, badRequest } from './protocolError.js';
import type { ModelSignature } from './signature.js';

export const modelVersion = '1';

export interface Routes {
  signature: ModelSignature;
  /** Answers one infer request (POST, the model's path); throws ProtocolError for the protocol's errors. */
  infer(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Every error, with its status (the counters and the log), before its answer is written. */
  failed(status: number, error: unknown, res: ServerResponse): void;
}

export async function route(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const answer = answerWithoutSession(routes.signature, req.method ?? '', req.url ?? '/');
    if (answer) return send(res, answer.status, answer.body);
    return await routes.infer(req, res);
  } catch (error) {
    const status = error instanceof ProtocolError ? error.status : 500;
    routes.failed(status, error, res);
    if (!res.headersSent && !res.destroyed) send(res, status, { error: error instanceof Error ? error.message : String(error) });
  }
}

export interface PlainAnswer {
  status: number;
  body: object;
}

/**
 * The answer to every request but infer (health, metadata, the errors of a wrong path or method), which
 * needs no session: the supervisor gives it too, for the connections waiting for an instance. Undefined
 * for an infer request.
 */
export function answerWithoutSession(signature: ModelSignature, method: string, target: string): PlainAnswer | undefined {
  const path = new URL(target, 'http://localhost').pathname.replace(/\/+$/, '');
  const model = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
  if (method === 'GET' && path === '/v2/health/live') return { status: 200, body: {} };
  if (method === 'GET' && path === '/v2/health/ready') return { status: 200, body: {} };
  if (method === 'GET' && path === '/v2') return { status: 200, body: { name: 'onnx-lens', version: '1', extensions: ['binary_tensor_data'] } };
  if (!model) return { status: 404, body: { error: `No such endpoint: ${method} ${path}` } };
  const [, name, version, action] = model;
  if (decodeURIComponent(name) !== signature.name || (version !== undefined && version !== modelVersion)) {
    return { status: 404, body: { error: `No model '${decodeURIComponent(name)}'${version ? ` version ${version}` : ''}: this server serves '${signature.name}' version ${modelVersion}.` } };
  }
  if (action === '/infer') return method === 'POST' ? undefined : { status: 405, body: { error: 'Infer takes POST.' } };
  if (method !== 'GET') return { status: 405, body: { error: `${action ? 'Ready' : 'Model metadata'} takes GET.` } };
  if (action === '/ready') return { status: 200, body: {} };
  return { status: 200, body: metadata(signature) };
}

function metadata(signature: ModelSignature): object {
  const tensor = (t: { name: string; datatype: string; shape: number[] }) => ({ name: t.name, datatype: t.datatype, shape: t.shape });
  return {
    name: signature.name, versions: [modelVersion], platform: 'onnxruntime_onnx',
    inputs: signature.inputs.map(tensor), outputs: signature.outputs.map(tensor),
  };
}

export function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A whole response on a raw socket: the supervisor's, for the connections it holds or for an instance that
 * died; `close` says the connection closes after it.
 */
export function rawResponse(status: number, body: object, close = true): string {
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n`
    + `Connection: ${close ? 'close' : 'keep-alive'}\r\n\r\n${text}`;
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('close', () => reject(new ProtocolError(400, 'The client went away.')));
  });
}
