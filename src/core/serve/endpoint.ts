// The Open Inference Protocol's routes, shared by the instance children (which answer everything) and the
// supervisor (which answers the connections no instance can take: everything but infer, which gets 503).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError, badRequest } from './protocolError.js';
import type { ModelSignature } from './signature.js';

export const modelVersion = '1';

export interface Routes {
  signature: ModelSignature;
  /** Answers one infer request (POST, the model's path); throws ProtocolError for the protocol's errors. */
  infer(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Every error answered, with its status (the counters and the log). */
  failed(status: number, error: unknown): void;
}

export async function route(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { signature } = routes;
  try {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    const model = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (req.method === 'GET' && path === '/v2/health/live') return send(res, 200, {});
    if (req.method === 'GET' && path === '/v2/health/ready') return send(res, 200, {});
    if (req.method === 'GET' && path === '/v2') return send(res, 200, { name: 'onnx-lens', version: '1', extensions: ['binary_tensor_data'] });
    if (!model) return send(res, 404, { error: `No such endpoint: ${req.method} ${path}` });
    const [, name, version, action] = model;
    if (decodeURIComponent(name) !== signature.name || (version !== undefined && version !== modelVersion)) {
      return send(res, 404, { error: `No model '${decodeURIComponent(name)}'${version ? ` version ${version}` : ''}: this server serves '${signature.name}' version ${modelVersion}.` });
    }
    if (action === '/infer') {
      if (req.method !== 'POST') return send(res, 405, { error: 'Infer takes POST.' });
      return await routes.infer(req, res);
    }
    if (req.method !== 'GET') return send(res, 405, { error: `${action ? 'Ready' : 'Model metadata'} takes GET.` });
    if (action === '/ready') return send(res, 200, {});
    return send(res, 200, metadata(signature));
  } catch (error) {
    const status = error instanceof ProtocolError ? error.status : 500;
    routes.failed(status, error);
    if (!res.headersSent && !res.destroyed) send(res, status, { error: error instanceof Error ? error.message : String(error) });
  }
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

/** A whole response on a raw socket, for the supervisor answering for an instance that died: the connection closes after it. */
export function rawResponse(status: number, reason: string, body: object): string {
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`;
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
