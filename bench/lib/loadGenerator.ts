// A bounded HTTP load generator: `concurrency` keep-alive connections, each sending the next request when
// its answer is in, for a fixed time. Latency is measured per request from send to the last byte.
import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  /** Per successful request, in milliseconds. */
  latencies: number[];
  seconds: number;
}

function once(agent: Agent, url: URL, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Length': String(body.length) } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function generateLoad(target: string, body: Buffer, headers: Record<string, string>, concurrency: number, durationMs: number): Promise<LoadResult> {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const status = await once(agent, url, body, headers).catch(() => 0);
      if (status === 200) latencies.push(performance.now() - sent);
      else errors++;
    }
  }));
  agent.destroy();
  return { requests: latencies.length + errors, errors, latencies, seconds: (performance.now() - started) / 1000 };
}
