// A small seeded generator (mulberry32) so that every generated model is the same bytes for the same seed,
// on every machine: only integer arithmetic, and sqrt (exactly rounded) for the init bounds.
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of entropy. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Fills with U(-bound, bound), rounded to float32. */
  fillUniform(out: Float32Array, bound: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = (this.next() * 2 - 1) * bound;
    return out;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }
}

/** PyTorch's default init for Linear and Conv weights and biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function kaimingBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}
