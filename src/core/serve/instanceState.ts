// What an instance child has done and where each of its connections stands, in a small file the child
// writes and the supervisor reads: a write costs the child a few microseconds and wakes nobody (a message
// or a pipe write wakes the supervisor, 20-60 µs a request on a busy 2-core machine), and the file outlives
// a child that crashes, so the supervisor still counts every request it answered, knows which requests were
// in flight (it answers them 500) and how long a run has taken (it stops the child at the timeout).
// Layout: the totals (4 doubles: requests answered, errors, refused busy, latencies written), a ring of the
// latest latencies (ms), then one 16-byte record per connection slot: state, and the time (Date.now()) it began.
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

export const SlotState = {
  /** No request, or the last one answered: the connection may go to another child. */
  Idle: 0,
  /** A request's headers are in: the client waits for an answer. */
  Receiving: 1,
  /** Read and checked, waiting for the session. */
  Queued: 2,
  /** In session.run. */
  Running: 3,
} as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

const totalsBytes = 32;
/** Latencies kept for the supervisor between two of its reads (a status bar reads every second). */
const ringLength = 1024;
const slotsAt = totalsBytes + ringLength * 8;
const recordBytes = 16;

/** The child's side: one write per change. */
export class StateWriter {
  private readonly record = Buffer.alloc(recordBytes);
  private readonly totals = Buffer.alloc(totalsBytes);
  private readonly latency = Buffer.alloc(8);
  private readonly counts = { requests: 0, errors: 0, rejected: 0, latencies: 0 };
  /** The states as written, so the child knows what the supervisor sees. */
  private readonly states: SlotState[] = [];
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'r+');
  }

  set(slot: number, state: SlotState): void {
    this.states[slot] = state;
    this.record.writeInt32LE(state, 0);
    this.record.writeDoubleLE(Date.now(), 8);
    writeSync(this.fd, this.record, 0, recordBytes, slotsAt + slot * recordBytes);
  }

  /** True while a slot is Queued or Running: the supervisor gives no connection to a busy child. */
  busy(): boolean {
    return this.states.some((s) => s === SlotState.Running || s === SlotState.Queued);
  }

  /**
   * A request answered 200 in `ms` (undefined: its client went away first). Written before the answer
   * leaves, so no client sees its request uncounted.
   */
  answered(ms?: number): void {
    if (ms !== undefined) {
      this.latency.writeDoubleLE(ms, 0);
      writeSync(this.fd, this.latency, 0, 8, totalsBytes + (this.counts.latencies++ % ringLength) * 8);
    }
    this.counts.requests++;
    this.writeTotals();
  }

  /** A request answered with an error (`rejected`: 503, the queue was full). */
  failed(rejected: boolean): void {
    this.counts.requests++;
    this.counts.errors++;
    if (rejected) this.counts.rejected++;
    this.writeTotals();
  }

  private writeTotals(): void {
    const { requests, errors, rejected, latencies } = this.counts;
    this.totals.writeDoubleLE(requests, 0);
    this.totals.writeDoubleLE(errors, 8);
    this.totals.writeDoubleLE(rejected, 16);
    this.totals.writeDoubleLE(latencies, 24);
    writeSync(this.fd, this.totals, 0, totalsBytes, 0);
  }
}

export interface SlotRecord {
  state: SlotState;
  since: number;
}

export interface InstanceTotals {
  requests: number;
  errors: number;
  rejected: number;
}

/** The supervisor's side: the file is its own (created per instance), read when needed. */
export class StateReader {
  private buffer = Buffer.alloc(64 * recordBytes);
  private readonly totalsBuffer = Buffer.alloc(totalsBytes);
  private ring = Buffer.alloc(0);
  /** Latencies already taken by latest(). */
  private taken = 0;
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'w+');
  }

  /** Records of slots 0..count-1 (a slot never written reads Idle). */
  read(count: number): SlotRecord[] {
    if (this.buffer.length < count * recordBytes) this.buffer = Buffer.alloc(count * recordBytes * 2);
    this.buffer.fill(0, 0, count * recordBytes);
    readSync(this.fd, this.buffer, 0, count * recordBytes, slotsAt);
    return Array.from({ length: count }, (_, slot) => ({
      state: this.buffer.readInt32LE(slot * recordBytes) as SlotState,
      since: this.buffer.readDoubleLE(slot * recordBytes + 8),
    }));
  }

  /** The child's totals, and the latencies written since the last call (the latest ringLength of them). */
  latest(): InstanceTotals & { latencies: number[] } {
    this.totalsBuffer.fill(0);
    readSync(this.fd, this.totalsBuffer, 0, totalsBytes, 0);
    const written = this.totalsBuffer.readDoubleLE(24);
    const from = Math.max(this.taken, written - ringLength);
    const latencies: number[] = [];
    if (written > from) {
      // The whole ring in one read; the new entries are taken from it in order.
      if (this.ring.length === 0) this.ring = Buffer.alloc(ringLength * 8);
      readSync(this.fd, this.ring, 0, ringLength * 8, totalsBytes);
      for (let i = from; i < written; i++) latencies.push(this.ring.readDoubleLE((i % ringLength) * 8));
    }
    this.taken = written;
    return { requests: this.totalsBuffer.readDoubleLE(0), errors: this.totalsBuffer.readDoubleLE(8), rejected: this.totalsBuffer.readDoubleLE(16), latencies };
  }

  /** Every slot idle and nothing counted: for the next child of the instance. */
  reset(): void {
    ftruncateSync(this.fd, 0);
    this.taken = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}
