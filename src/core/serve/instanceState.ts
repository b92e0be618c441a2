// What an instance child has done and where each of its connections stands, in a small file the child
// writes and the supervisor reads: a write costs the child a few microseconds and wakes nobody (a message
// or a pipe write wakes the supervisor, 20-60 µs a request on a busy 2-core machine), and the file outlives
// a child that crashes, so the supervisor still counts every request it answered, knows which requests were
// in flight (it answers them 500) and how long a run has taken (it stops the child at the timeout).
// Layout: a ring of answers, each with the child's totals after it (one write per request counted: the
// newest entry holds the totals), then one 16-byte record per connection slot: state, and the time
// (Date.now()) it began.
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
  /** Counted, its answer being written: a child lost now may have left it half written. */
  Answering: 4,
} as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

/** An answer: its number (from 1), then requests, errors and refused busy so far, and its latency (NaN: none). */
const entryBytes = 40;
/** Answers kept for the supervisor between two of its reads (a status bar reads every second). */
const ringLength = 1024;
const slotsAt = ringLength * entryBytes;
const recordBytes = 16;

/** The child's side: one write per change. */
export class StateWriter {
  private readonly record = Buffer.alloc(recordBytes);
  private readonly entry = Buffer.alloc(entryBytes);
  private readonly counts = { answers: 0, requests: 0, errors: 0, rejected: 0 };
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
   * Counts an answer: 200 in `ms`, or an error (`rejected`: 503, the queue was full), or neither when
   * the client went away first. Written before the answer leaves, so no client sees its request uncounted.
   */
  count(answer: { ms?: number; error?: boolean; rejected?: boolean }): void {
    const c = this.counts;
    c.answers++;
    c.requests++;
    if (answer.error) c.errors++;
    if (answer.rejected) c.rejected++;
    this.entry.writeDoubleLE(c.answers, 0);
    this.entry.writeDoubleLE(c.requests, 8);
    this.entry.writeDoubleLE(c.errors, 16);
    this.entry.writeDoubleLE(c.rejected, 24);
    this.entry.writeDoubleLE(answer.ms ?? NaN, 32);
    writeSync(this.fd, this.entry, 0, entryBytes, ((c.answers - 1) % ringLength) * entryBytes);
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
  private readonly ring = Buffer.alloc(ringLength * entryBytes);
  /** Answers already taken by latest(). */
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

  /** The child's totals (from its newest answer), and the latencies of the answers since the last call. */
  latest(): InstanceTotals & { latencies: number[] } {
    this.ring.fill(0);
    readSync(this.fd, this.ring, 0, this.ring.length, 0);
    const at = (answer: number) => ((answer - 1) % ringLength) * entryBytes;
    let newest = 0;
    for (let i = 0; i < ringLength; i++) newest = Math.max(newest, this.ring.readDoubleLE(i * entryBytes));
    const latencies: number[] = [];
    for (let answer = Math.max(this.taken, newest - ringLength) + 1; answer <= newest; answer++) {
      const ms = this.ring.readDoubleLE(at(answer) + 32);
      if (!Number.isNaN(ms)) latencies.push(ms);
    }
    this.taken = newest;
    if (newest === 0) return { requests: 0, errors: 0, rejected: 0, latencies };
    const entry = at(newest);
    return { requests: this.ring.readDoubleLE(entry + 8), errors: this.ring.readDoubleLE(entry + 16), rejected: this.ring.readDoubleLE(entry + 24), latencies };
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
