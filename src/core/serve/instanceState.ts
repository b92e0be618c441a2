// Where each connection of an instance child stands, in a small file the child writes and the supervisor
// reads: a write costs the child a few microseconds and wakes nobody (a message or a pipe write wakes the
// supervisor, 20-60 µs a request on a busy 2-core machine), and the file outlives a child that crashes,
// so the supervisor knows which requests were in flight (it answers them 500) and how long a run has taken
// (it stops the child at the timeout). One 16-byte record per connection slot: state, then the time
// (Date.now()) the state began.
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

const recordBytes = 16;

/** The child's side: one write per change. */
export class StateWriter {
  private readonly record = Buffer.alloc(recordBytes);
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'r+');
  }

  set(slot: number, state: SlotState): void {
    this.record.writeInt32LE(state, 0);
    this.record.writeDoubleLE(Date.now(), 8);
    writeSync(this.fd, this.record, 0, recordBytes, slot * recordBytes);
  }
}

export interface SlotRecord {
  state: SlotState;
  since: number;
}

/** The supervisor's side: the file is its own (created per child), read whole when needed. */
export class StateReader {
  private buffer = Buffer.alloc(64 * recordBytes);
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'w+');
  }

  /** Records of slots 0..count-1 (a slot never written reads Idle). */
  read(count: number): SlotRecord[] {
    if (this.buffer.length < count * recordBytes) this.buffer = Buffer.alloc(count * recordBytes * 2);
    this.buffer.fill(0, 0, count * recordBytes);
    readSync(this.fd, this.buffer, 0, count * recordBytes, 0);
    return Array.from({ length: count }, (_, slot) => ({
      state: this.buffer.readInt32LE(slot * recordBytes) as SlotState,
      since: this.buffer.readDoubleLE(slot * recordBytes + 8),
    }));
  }

  /** Every slot idle again: for the next child of the instance. */
  reset(): void {
    ftruncateSync(this.fd, 0);
  }

  close(): void {
    closeSync(this.fd);
  }
}
