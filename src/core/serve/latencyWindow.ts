// Recent request latencies for the p50/p99 a serving status shows; a fixed window, so memory stays flat.
export class LatencyWindow {
  private readonly values: Float64Array;
  private count = 0;

  constructor(size = 4096) {
    this.values = new Float64Array(size);
  }

  add(ms: number): void {
    this.values[this.count++ % this.values.length] = ms;
  }

  /** The q-quantile (0..1) of the window, nearest rank; undefined before the first request. */
  quantile(q: number): number | undefined {
    const n = Math.min(this.count, this.values.length);
    if (n === 0) return undefined;
    const sorted = this.values.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  }
}
