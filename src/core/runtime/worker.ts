// The onnxruntime child process (bundled as dist/runtime-worker.cjs). It owns every onnxruntime session;
// a crash or hang here costs one child, never the extension host or the CLI.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exitWithParent } from './ortChild.js';
import * as ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import type { TensorArray } from '../model/tensorValues.js';
import { fromOrtTensor, ortCanReturn, toOrtTensor, type OrtTensorCtor } from './ortTensors.js';
import { aggregateProfile } from './profile.js';
import { summarizeArray } from './summaries.js';
import { sessionOptions } from './ortSession.js';
import { warmUp } from './warmUp.js';
import type {
  CloseResult, InfoResult, OpenResult, RunResult, SummarizeResult, TimeResult, ValueMetadata, ValueSummary, WorkerReply, WorkerRequest,
} from './workerProtocol.js';

interface OpenSession {
  session: ort.InferenceSession;
  profileDir?: string;
}

/** The open sessions of this process, by the id the client holds. */
class Sessions {
  private readonly open = new Map<number, OpenSession>();
  private next = 1;

  add(session: OpenSession): number {
    const id = this.next++;
    this.open.set(id, session);
    return id;
  }

  get(id: number): OpenSession {
    const open = this.open.get(id);
    if (!open) throw new Error('The session is closed.');
    return open;
  }

  take(id: number): OpenSession | undefined {
    const open = this.open.get(id);
    this.open.delete(id);
    return open;
  }
}
const Tensor = ort.Tensor as unknown as OrtTensorCtor;

function send(message: WorkerReply): void {
  process.send!(message);
}

function metadata(list: readonly ort.InferenceSession.ValueMetadata[]): ValueMetadata[] {
  return list.map((m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] } : { name: m.name, isTensor: false }));
}

async function open(sessions: Sessions, request: Extract<WorkerRequest, { kind: 'open' }>): Promise<OpenResult> {
  const profileDir = request.profile ? mkdtempSync(join(tmpdir(), 'onnx-lens-profile-')) : undefined;
  const options = sessionOptions(request.settings, profileDir);
  const started = performance.now();
  let session: ort.InferenceSession;
  // A model sent as bytes finds its external data relative to the working directory.
  const previousDir = process.cwd();
  try {
    if (request.baseDir && typeof request.model !== 'string') process.chdir(request.baseDir);
    session = typeof request.model === 'string'
      ? await ort.InferenceSession.create(request.model, options)
      : await ort.InferenceSession.create(request.model, options);
  } catch (error) {
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    throw error;
  } finally {
    process.chdir(previousDir);
  }
  const createMs = performance.now() - started;
  const id = sessions.add({ session, profileDir });
  return { session: id, createMs, inputs: metadata(session.inputMetadata), outputs: metadata(session.outputMetadata) };
}

function toFeeds(feeds: Record<string, TensorArray>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, array] of Object.entries(feeds)) out[name] = toOrtTensor(Tensor, name, array);
  return out;
}

/** Refuses outputs that onnxruntime-node cannot return without aborting the process. */
function checkOutputs(session: ort.InferenceSession, names: readonly string[]): void {
  for (const m of session.outputMetadata) {
    if (m.isTensor && names.includes(m.name) && !ortCanReturn(m.type)) {
      throw new UserError(`Output '${m.name}' is ${m.type}, which onnxruntime-node cannot return.`);
    }
  }
}

async function run(sessions: Sessions, request: Extract<WorkerRequest, { kind: 'run' }>): Promise<RunResult> {
  const { session } = sessions.get(request.session);
  checkOutputs(session, request.outputs ?? session.outputNames);
  const feeds = toFeeds(request.feeds);
  const started = performance.now();
  const results = request.outputs ? await session.run(feeds, request.outputs) : await session.run(feeds);
  const ms = performance.now() - started;
  const outputs: Record<string, TensorArray> = {};
  for (const [name, tensor] of Object.entries(results)) {
    outputs[name] = fromOrtTensor(name, tensor);
    tensor.dispose();
  }
  return { outputs, ms };
}

async function summarize(sessions: Sessions, request: Extract<WorkerRequest, { kind: 'summarize' }>): Promise<SummarizeResult> {
  const { session } = sessions.get(request.session);
  const names = request.outputs ?? session.outputNames;
  checkOutputs(session, names);
  const feeds = toFeeds(request.feeds);
  const started = performance.now();
  const results = await session.run(feeds, names);
  const ms = performance.now() - started;
  const values: Record<string, ValueSummary> = {};
  for (const [name, tensor] of Object.entries(results)) {
    values[name] = summarizeArray(fromOrtTensor(name, tensor));
    tensor.dispose();
  }
  return { values, ms };
}

/** Timed in here, around session.run alone, so that IPC never counts as model time. */
async function time(sessions: Sessions, request: Extract<WorkerRequest, { kind: 'time' }>): Promise<TimeResult> {
  const { session } = sessions.get(request.session);
  checkOutputs(session, session.outputNames);
  const feeds = toFeeds(request.feeds);
  for (let i = 0; i < request.warmup; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < request.iterations; i++) {
    const started = performance.now();
    await session.run(feeds);
    times.push(performance.now() - started);
  }
  return { times };
}

async function close(sessions: Sessions, request: Extract<WorkerRequest, { kind: 'close' }>): Promise<CloseResult> {
  const open = sessions.take(request.session);
  if (!open) return {};
  let result: CloseResult = {};
  try {
    if (open.profileDir) {
      open.session.endProfiling();
      const file = readdirSync(open.profileDir).find((f) => f.endsWith('.json'));
      if (file) result = { nodeTimes: aggregateProfile(JSON.parse(readFileSync(join(open.profileDir, file), 'utf8'))) };
    }
  } finally {
    await open.session.release();
    if (open.profileDir) rmSync(open.profileDir, { recursive: true, force: true });
  }
  return result;
}

async function handle(sessions: Sessions, request: WorkerRequest): Promise<unknown> {
  switch (request.kind) {
    case 'info': return { version: ort.env.versions.node ?? ort.env.versions.common, backends: ort.listSupportedBackends() } satisfies InfoResult;
    case 'open': return open(sessions, request);
    case 'run': return run(sessions, request);
    case 'summarize': return summarize(sessions, request);
    case 'time': return time(sessions, request);
    case 'close': return close(sessions, request);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function serve(): void {
  const sessions = new Sessions();
  // One request at a time: onnxruntime's run blocks this thread anyway, and order stays predictable. The
  // parent sends nothing before 'ready', which comes once onnxruntime is set up.
  let queue = warmUp().then(() => send({ ready: true }));
  process.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        send({ id: request.id, ok: true, result: await handle(sessions, request) });
      } catch (error) {
        send({ id: request.id, ok: false, message: messageOf(error), ours: error instanceof UserError });
      }
    });
  });
}

serve();
exitWithParent();
