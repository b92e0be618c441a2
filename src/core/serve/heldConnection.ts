// A connection waiting in the supervisor's queue for a free instance. The requests on it that need no
// session (health, metadata: everything but infer) are answered here at once, so a liveness probe never
// waits behind a long run. At the first request that needs an instance (or that this small parser does not
// take: a body, a chunked or malformed head), reading stops, and the bytes read of that request travel with
// the socket to the instance, whose HTTP parser reads them first.
import type { Socket } from 'node:net';
import { rawResponse, type PlainAnswer } from './endpoint.js';

/** Node's default limit on a request head; a longer one goes to an instance, which answers 431. */
const maxHeadBytes = 16 * 1024;

/** The libuv stream under a net.Socket (not public API: see stopReading). */
interface StreamHandle {
  readStart(): number;
  readStop(): number;
}

/** Sockets whose reading this module stopped, with net's `reading` flag left set. */
const stopped = new WeakSet<Socket>();

/**
 * Reads a socket that was accepted paused or stopped by stopReading. `resume()` alone does not restart a
 * stopped one: net believes it is still reading.
 */
export function startReading(socket: Socket): void {
  if (stopped.delete(socket)) handleOf(socket)?.readStart();
  socket.resume();
}

/**
 * Stops this process reading the socket, for good until startReading: the instance it goes to reads it
 * from now on, and a byte read here would be lost to it. `pause()` cannot: net keeps its buffer filled,
 * so the handle is stopped directly, and net's `reading` flag stays set so its own reads do not restart it.
 */
function stopReading(socket: Socket): void {
  const handle = handleOf(socket);
  if (!handle) return;
  handle.readStop();
  stopped.add(socket);
}

function handleOf(socket: Socket): StreamHandle | undefined {
  // net.Socket keeps its libuv handle in _handle (no public accessor).
  return (socket as unknown as { _handle?: StreamHandle | null })._handle ?? undefined;
}

export class HeldConnection {
  private pending: Buffer = Buffer.alloc(0);
  /** A request that needs an instance has come: reading stopped, its bytes so far kept for it. */
  private waiting = false;
  private readonly onData = (chunk: Buffer) => this.read(chunk);

  /**
   * `answer` says what to answer without a session (undefined: the request needs an instance); `closed`:
   * the client went away; `flushed`: an answer of ours that waited for the client is written.
   */
  constructor(
    readonly socket: Socket,
    private readonly answer: (method: string, target: string) => PlainAnswer | undefined,
    private readonly events: { closed: () => void; flushed: () => void },
  ) {
    socket.on('data', this.onData);
    socket.once('close', events.closed);
    socket.on('drain', events.flushed);
    startReading(socket);
  }

  /** Nothing of ours is left to write: the socket may go to an instance, which then writes alone. */
  get flushed(): boolean {
    return this.socket.writableLength === 0;
  }

  /** Stops reading; the bytes read and not answered, for the instance. */
  release(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.events.closed);
    this.socket.off('drain', this.events.flushed);
    if (!this.waiting) stopReading(this.socket);
    // Whatever net buffered before the stop (nothing, when each chunk is handled as it comes).
    const rest: Buffer[] = [this.pending];
    for (let chunk: Buffer | null; (chunk = this.socket.read() as Buffer | null) !== null;) rest.push(chunk);
    return Buffer.concat(rest);
  }

  private read(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (!this.waiting && this.pending.length > 0) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.pending.length > maxHeadBytes) this.wait();
        return;
      }
      const request = plainRequest(this.pending.toString('latin1', 0, end));
      const answer = request && this.safely(request);
      if (!request || !answer) return this.wait();
      this.pending = this.pending.subarray(end + 4);
      this.socket.write(rawResponse(answer.status, answer.body, request.close));
      if (request.close) {
        this.socket.off('data', this.onData);
        this.socket.end();
        return;
      }
    }
  }

  private safely(request: PlainRequest): PlainAnswer | undefined {
    try {
      return this.answer(request.method, request.target);
    } catch {
      // A path the URL parser refuses: the instance answers it, as it would any other time.
      return undefined;
    }
  }

  private wait(): void {
    this.waiting = true;
    stopReading(this.socket);
  }
}

interface PlainRequest {
  method: string;
  target: string;
  /** The client asked the connection to close after the answer. */
  close: boolean;
}

/** A GET without a body, from its head; undefined for anything else (the instance's parser takes those). */
function plainRequest(head: string): PlainRequest | undefined {
  const lines = head.split('\r\n');
  const line = /^GET (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (!line) return undefined;
  let close = line[2] === '0';
  for (const header of lines.slice(1)) {
    const colon = header.indexOf(':');
    if (colon <= 0) return undefined;
    const name = header.slice(0, colon).trim().toLowerCase();
    const value = header.slice(colon + 1).trim().toLowerCase();
    if (name === 'transfer-encoding' || name === 'expect' || (name === 'content-length' && value !== '0')) return undefined;
    if (name === 'connection') close = value.split(',').some((t) => t.trim() === 'close') || (close && !value.includes('keep-alive'));
  }
  return { method: 'GET', target: line[1], close };
}
