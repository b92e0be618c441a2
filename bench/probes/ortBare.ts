// Child process: the peer of our test-run runner, a bare onnxruntime-node script with the same session
// settings and feeds (a JSON file the runner wrote). Times session.run after warm-up runs.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

interface FeedSpec {
  type: 'float32' | 'int64';
  dims: number[];
  /** Numbers, or decimal strings for int64. */
  data: Array<number | string>;
}

async function main(): Promise<void> {
  const [modelPath, feedsPath, warmupText, iterationsText, threadsText] = process.argv.slice(2);
  const specs = JSON.parse(readFileSync(feedsPath, 'utf8')) as Record<string, FeedSpec>;
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const data = spec.type === 'int64' ? BigInt64Array.from(spec.data.map((v) => BigInt(v))) : Float32Array.from(spec.data.map(Number));
    feeds[name] = new ort.Tensor(spec.type, data, spec.dims);
  }
  const threads = Number(threadsText);
  const created = performance.now();
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    logSeverityLevel: 3,
  });
  const createMs = performance.now() - created;
  // Since this process started (performance's time origin): a cold start to a session ready.
  const readyMs = performance.now();
  for (let i = 0; i < Number(warmupText); i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < Number(iterationsText); i++) {
    const started = performance.now();
    await session.run(feeds);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  // Median with the same interpolation as our latency report.
  const rank = (times.length - 1) / 2;
  const p50 = times[Math.floor(rank)] + (times[Math.ceil(rank)] - times[Math.floor(rank)]) * (rank - Math.floor(rank));
  console.log(JSON.stringify({ createMs, readyMs, p50, min: times[0], rssKB: process.resourceUsage().maxRSS }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
