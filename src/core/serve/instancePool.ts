// The supervisor of the onnxruntime instances behind the endpoint. It holds the listening socket and hands
// each accepted connection to an instance child (child_process handle passing, the way Node's cluster
// module passes them), which answers every request on it in-process: no request crosses a process
// boundary. The supervisor keeps its own copy of each socket, so when a child dies (a crash, or stopped at
// the timeout) it answers that child's in-flight requests 500 itself and hands its idle connections to the
// next child. A new connection waits here while every instance is busy, its health and metadata requests
// answered here meanwhile (heldConnection.ts); past the queue limit it gets 503.
import type { ChildProcess } from 'node:child_process';
import { forkOrtChild } from '../runtime/ortChild.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { formatNumber } from '../format.js';
import type { SessionSettings } from '../runtime/settings.js';
import { locateChildEntry } from '../runtime/workerLocation.js';
import { longestDelayMs, nextDeadline } from './deadline.js';
import { answerWithoutSession, rawResponse, readBody, route } from './endpoint.js';
import { HeldConnection, startReading } from './heldConnection.js';
import type { FromInstance, ToInstance } from './instanceProtocol.js';
import { SlotState, StateReader, type InstanceTotals } from './instanceState.js';
import { LatencyWindow } from './latencyWindow.js';
import { ProtocolError } from './protocolError.js';
import type { ModelSignature } from './signature.js';

export interface PoolOptions {
  modelPath: string;
  signature: ModelSignature;
  instances: number;
  /** Requests waiting for an instance beyond the running ones; more are answered 503. */
  queueLimit: number;
  maxBodyBytes: number;
  settings?: SessionSettings;
  /** The instance child's module; see instanceLocation in locateInstance() for the default. */
  instancePath?: string;
  /** Longest one run may take before its child is stopped. */
  timeoutMs: number;
  onLog?: (line: string) => void;
}

export interface PoolStats {
  requests: number;
  errors: number;
  rejected: number;
  running: number;
  queued: number;
}

interface Instance {
  index: number;
  child?: ChildProcess;
  ready: boolean;
  reader: StateReader;
  statePath: string;
  /** The supervisor's copies of the sockets this child answers, by slot. */
  connections: Map<number, Socket>;
  /** Why the supervisor stopped the child (the in-flight requests' answer); unset: it died by itself. */
  stopReason?: string;
  stderrTail: string[];
}

const startTimeoutMs = 60_000;

function locateInstance(explicit?: string) {
  return locateChildEntry({
    explicit: explicit ?? process.env.ONNX_LENS_SERVE_INSTANCE, bundled: 'serve-instance.cjs', source: ['src', 'core', 'serve', 'instanceChild.ts'],
    missing: 'The serving instance (serve-instance.cjs) is missing: rebuild ONNX Lens with `npm run build`.',
  });
}

const seconds = (ms: number) => `${formatNumber(ms / 1000)} second${ms === 1000 ? '' : 's'}`;

export class InstancePool {
  private readonly instances: Instance[];
  /** Connections waiting for a free instance, oldest first. */
  private readonly held: HeldConnection[] = [];
  /** Answers the connections beyond the queue: everything but infer, which is 503; then it closes them. */
  private readonly overflow: Server;
  private readonly overflowed = new Set<Socket>();
  private readonly stateDir: string;
  /** The next look for a run past the timeout (deadline.ts). */
  private deadline?: ReturnType<typeof setTimeout>;
  private closed = false;
  /** Set once every instance first opened the model: from then on a lost child is restarted. */
  private opened = false;
  /** Totals of children that are gone, and the supervisor's own answers. */
  private readonly base = { requests: 0, errors: 0, rejected: 0 };
  readonly latency = new LatencyWindow();

  private constructor(private readonly options: PoolOptions) {
    this.stateDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'onnx-lens-serve-'));
    this.instances = Array.from({ length: options.instances }, (_, index) => {
      const statePath = join(this.stateDir, `instance-${index}`);
      return {
        index, ready: false, reader: new StateReader(statePath), statePath, connections: new Map(), stderrTail: [],
      };
    });
    this.overflow = createServer({ keepAlive: false });
    const routes = {
      signature: options.signature,
      infer: async (req: IncomingMessage) => {
        this.base.requests++;
        this.base.rejected++;
        await readBody(req, options.maxBodyBytes).catch(() => undefined);
        throw new ProtocolError(503, `The server is busy: ${this.held.length} requests are waiting. Try again later.`);
      },
      failed: () => {
        this.base.errors++;
      },
    };
    this.overflow.on('request', (req, res) => {
      res.setHeader('Connection', 'close');
      void route(routes, req, res);
    });
    this.watchDeadlines();
  }

  /** Starts every instance with the model open; a model onnxruntime cannot load fails here, with its one line. */
  static async open(options: PoolOptions): Promise<InstancePool> {
    const pool = new InstancePool(options);
    try {
      await Promise.all(pool.instances.map((i) => pool.start(i)));
      pool.opened = true;
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get pids(): Array<number | undefined> {
    return this.instances.map((i) => i.child?.pid);
  }

  /** A new connection from the listening socket (accepted paused: only a connection left waiting is read here). */
  accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    this.dispatch(socket);
  }

  /** Exact: each child writes its counts before its answer leaves. */
  stats(): PoolStats {
    let running = 0;
    let queued = this.held.length;
    const totals = { ...this.base };
    for (const instance of this.instances) {
      const counted = this.collect(instance);
      totals.requests += counted.requests;
      totals.errors += counted.errors;
      totals.rejected += counted.rejected;
      if (!instance.ready) continue;
      for (const record of this.records(instance)) {
        if (record.state === SlotState.Running) running++;
        else if (record.state === SlotState.Queued) queued++;
      }
    }
    return { ...totals, running, queued };
  }

  /** The child's totals from its state file; its new latencies go to the window. */
  private collect(instance: Instance): InstanceTotals {
    const { latencies, ...totals } = instance.reader.latest();
    for (const ms of latencies) this.latency.add(ms);
    return totals;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.deadline);
    for (const held of this.held.splice(0)) held.socket.destroy();
    for (const instance of this.instances) {
      const child = instance.child;
      instance.child = undefined;
      instance.ready = false;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const socket of instance.connections.values()) socket.destroy();
      instance.connections.clear();
      instance.reader.close();
    }
    for (const socket of this.overflowed) socket.destroy();
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  private records(instance: Instance) {
    const count = instance.connections.size === 0 ? 0 : Math.max(...instance.connections.keys()) + 1;
    return count === 0 ? [] : instance.reader.read(count);
  }

  /** Busy: a run in progress or waiting; such a child reads no new request until it is done. */
  private busy(instance: Instance): boolean {
    return this.records(instance).some((r) => r.state === SlotState.Running || r.state === SlotState.Queued);
  }

  private dispatch(socket: Socket): void {
    let best: Instance | undefined;
    for (const instance of this.instances) {
      if (!instance.ready || this.busy(instance)) continue;
      if (!best || instance.connections.size < best.connections.size) best = instance;
    }
    if (best) return this.hand(best, socket);
    if (this.held.length < this.options.queueLimit) {
      const held: HeldConnection = new HeldConnection(socket, (method, target) => answerWithoutSession(this.options.signature, method, target), {
        closed: () => {
          const at = this.held.indexOf(held);
          if (at >= 0) this.held.splice(at, 1);
        },
        // An answer of ours still being written holds the hand-off back (the instance would write alongside).
        flushed: () => this.drainHeld(),
      });
      this.held.push(held);
      for (const instance of this.instances) if (instance.ready) this.sendTo(instance, { kind: 'notifyIdle' });
      return;
    }
    this.overflowed.add(socket);
    socket.once('close', () => this.overflowed.delete(socket));
    this.overflow.emit('connection', socket);
    startReading(socket);
  }

  private hand(instance: Instance, socket: Socket, preread?: Buffer): void {
    let slot = 0;
    while (instance.connections.has(slot)) slot++;
    instance.connections.set(slot, socket);
    const message: ToInstance = { kind: 'connection', slot, ...(preread?.length ? { preread: preread.toString('base64') } : {}) };
    instance.child!.send(message, socket, { keepOpen: true }, (error) => {
      // The child went away between the choice and the send: the exit handler re-dispatches the socket.
      if (error) this.options.onLog?.(`Could not hand a connection to instance ${instance.index + 1}: ${error.message}`);
    });
  }

  /** Hands waiting connections to the instances that are free, oldest first. */
  private drainHeld(): void {
    while (this.held.length > 0) {
      const at = this.held.findIndex((h) => h.flushed);
      if (at < 0) return;
      const free = this.instances.find((i) => i.ready && !this.busy(i));
      if (!free) return;
      const [held] = this.held.splice(at, 1);
      this.hand(free, held.socket, held.release());
    }
  }

  private sendTo(instance: Instance, message: ToInstance): void {
    if (instance.child?.connected) instance.child.send(message, (error) => void error);
  }

  /**
   * Stops the children whose run is past the timeout, then sleeps until the next moment one could be
   * (deadline.ts): precise to a timer's lateness, with no message per request and no clock to poll.
   */
  private watchDeadlines(): void {
    if (this.closed) return;
    const now = Date.now();
    const { timeoutMs } = this.options;
    const starts: number[] = [];
    for (const instance of this.instances) {
      if (!instance.ready || !instance.child) continue;
      const run = this.records(instance).find((r) => r.state === SlotState.Running);
      if (!run) continue;
      if (now - run.since < timeoutMs) {
        starts.push(run.since);
        continue;
      }
      instance.stopReason = `onnxruntime did not finish within ${seconds(timeoutMs)} and was stopped.`;
      this.options.onLog?.(`Instance ${instance.index + 1}: ${instance.stopReason}`);
      instance.child.kill('SIGKILL');
    }
    // A safety net under the 'idle' messages, at no cost: they are what hands waiting connections on.
    if (this.held.length > 0) this.drainHeld();
    const delay = Math.min(Math.max(1, nextDeadline(starts, now, timeoutMs) - now), longestDelayMs);
    this.deadline = setTimeout(() => this.watchDeadlines(), delay);
    this.deadline.unref();
  }

  private start(instance: Instance): Promise<void> {
    const entry = locateInstance(this.options.instancePath);
    instance.reader.reset();
    instance.stopReason = undefined;
    instance.stderrTail = [];
    const child = forkOrtChild(entry, (line) => {
      instance.stderrTail = [...instance.stderrTail.slice(-9), line.trim()];
      this.options.onLog?.(line);
    });
    instance.child = child;
    instance.ready = false;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new UserError(`The serving instance did not start within ${seconds(startTimeoutMs)}.`));
        child.kill('SIGKILL');
      }, startTimeoutMs);
      child.on('message', (message: FromInstance) => {
        switch (message.kind) {
          case 'ready':
            clearTimeout(timer);
            instance.ready = true;
            resolve();
            this.drainHeld();
            return;
          case 'failed':
            clearTimeout(timer);
            reject(new UserError(message.message));
            child.kill('SIGKILL');
            return;
          case 'closed': {
            const socket = instance.connections.get(message.slot);
            instance.connections.delete(message.slot);
            socket?.destroy();
            return;
          }
          case 'idle':
            this.drainHeld();
            return;
        }
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new UserError(`The serving instance could not run: ${error.message}`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new UserError(`The serving instance stopped while loading the model (${signal ?? `exit code ${code}`}).`));
        if (instance.child === child) this.lost(instance, code, signal);
      });
      child.send({
        kind: 'open', modelPath: this.options.modelPath, settings: this.options.settings ?? {}, signature: this.options.signature,
        maxBodyBytes: this.options.maxBodyBytes, queueLimit: this.options.queueLimit, statePath: instance.statePath,
      } satisfies ToInstance);
    });
  }

  /**
   * A child is gone. What it counted stays counted (its state file outlives it). Its requests in flight
   * are answered 500 here, on the supervisor's copy of their sockets, and those connections close; its
   * idle connections go to the next free instance.
   */
  private lost(instance: Instance, code: number | null, signal: NodeJS.Signals | null): void {
    const wasReady = instance.ready;
    instance.ready = false;
    instance.child = undefined;
    if (this.closed) return;
    const counted = this.collect(instance);
    this.base.requests += counted.requests;
    this.base.errors += counted.errors;
    this.base.rejected += counted.rejected;
    const records = this.records(instance);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const detail = instance.stderrTail.length ? `: ${instance.stderrTail[instance.stderrTail.length - 1].slice(0, 300)}` : '';
    const message = instance.stopReason ?? `onnxruntime stopped unexpectedly (it ${how})${detail}.`;
    if (!instance.stopReason) this.options.onLog?.(`Instance ${instance.index + 1}: ${message}`);
    const orphans: Socket[] = [];
    for (const [slot, socket] of instance.connections) {
      const state = records[slot]?.state ?? SlotState.Idle;
      if (state === SlotState.Idle) {
        orphans.push(socket);
      } else if (state === SlotState.Answering) {
        // Answered and counted, but maybe not all written: only closing tells the client so.
        socket.destroy();
      } else {
        this.base.requests++;
        this.base.errors++;
        socket.end(rawResponse(500, { error: message }), () => socket.destroy());
      }
    }
    instance.connections.clear();
    // Counted and answered: the next child starts from a clean file.
    instance.reader.reset();
    if (!this.opened) return;
    // A child that dies while starting is tried again a second later, not in a tight loop.
    if (wasReady) this.restart(instance);
    else setTimeout(() => this.restart(instance), 1000).unref();
    for (const socket of orphans) this.dispatch(socket);
  }

  private restart(instance: Instance): void {
    if (this.closed || instance.child) return;
    this.start(instance).catch((error: unknown) => {
      this.options.onLog?.(`Instance ${instance.index + 1} could not restart: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
