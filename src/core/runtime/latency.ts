// Latency of session.run, timed inside the child (no IPC in the numbers), after untimed warm-up runs.
import type { TensorArray } from '../model/tensorValues.js';
import type { RuntimeClient, SessionSettings } from './client.js';

export interface LatencyOptions {
  warmup: number;
  iterations: number;
  settings?: SessionSettings;
  signal?: AbortSignal;
}

export interface Latency {
  sessionCreateMs: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  iterations: number;
  /** Every timed run, in milliseconds, in order. */
  times: number[];
}

/** Linear interpolation between closest ranks (numpy.percentile's default). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function latencyStats(times: number[], sessionCreateMs: number): Latency {
  const sorted = [...times].sort((x, y) => x - y);
  const mean = times.reduce((s, t) => s + t, 0) / (times.length || 1);
  return {
    sessionCreateMs, mean, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99),
    min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, iterations: times.length, times,
  };
}

export async function measureLatency(client: RuntimeClient, model: Uint8Array | string, feeds: Record<string, TensorArray>, options: LatencyOptions): Promise<Latency> {
  const session = await client.open(model, { settings: options.settings, signal: options.signal });
  try {
    const times = await session.time(feeds, { warmup: options.warmup, iterations: Math.max(1, options.iterations), signal: options.signal });
    return latencyStats(times, session.createMs);
  } finally {
    await session.close().catch(() => undefined);
  }
}
