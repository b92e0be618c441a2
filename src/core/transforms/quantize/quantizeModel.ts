// One quantization pass over a model in memory, no onnxruntime involved: the function the command, the
// CLI and the benchmark call. Static mode takes calibrated activation ranges (see calibrate.ts).
import { oneLine, UserError } from '../../errors.js';
import type { ExternalDataReader } from '../../model/externalData.js';
import { allTensors } from '../../model/modelFile.js';
import { int64ToNumber, toLong, type ModelProto } from '../../model/proto.js';
import { tensorByteSize } from '../../model/summary.js';
import { defaultOpset } from '../../model/graphQueries.js';
import { dynamicJobs, rewriteDynamic } from './dynamic.js';
import { poolPays, quantizeThreads, runKernelPool, type PoolJob } from './kernelPool.js';
import type { KernelResult } from './kernels.js';
import { rewriteFloat16 } from './float16.js';
import { convertOpset } from '../../opset/convert.js';
import { minIrVersion } from '../../opset/irVersion.js';
import type { QuantizeOptions } from './options.js';
import { Rewriter, type QuantizedTensorInfo } from './rewriter.js';
import { rewriteStatic, staticActivationNames, type ActivationRange } from './static.js';
import { rewriteBlockedDequantize, rewriteMatMulNBits, weightOnlyCandidates, weightOnlyJobs } from './weightOnly.js';

export interface QuantizeContext {
  /** Reads weights kept in external data files. */
  reader?: ExternalDataReader;
  /** Static mode: calibrated [min, max] per activation value. */
  ranges?: Map<string, ActivationRange>;
  /** Stops between weights with a UserError. */
  signal?: AbortSignal;
  /**
   * quantizeModelAsync: threads for the per-tensor kernels (default 1, the main thread;
   * kernelPool.ts). The result is byte for byte the same whatever the count.
   */
  threads?: number;
}

/** The kernels a rewrite is about to ask for: a driver may compute them ahead into `results`. */
interface KernelBatch {
  jobs: PoolJob[];
  results: Map<string, KernelResult>;
  /** Set by a driver that computed them on worker threads. */
  threads: number;
}

export interface QuantizeOutcome {
  model: ModelProto;
  /** What was rewritten, by kind: {MatMul: 12, Conv: 3, ...}. */
  counts: Record<string, number>;
  tensors: QuantizedTensorInfo[];
  notes: string[];
  /** Set when the default opset had to be raised. */
  opsetUpgrade?: OpsetUpgrade;
  /** The format actually written (weight-only may fall back to MatMulNBits). */
  format: string;
  /** Per-channel scales were written (false when the model's opset could not be raised for them). */
  perChannel: boolean;
  /** Bytes of all tensor values (initializers, Constant values) before and after. */
  weightBytesBefore: number;
  weightBytesAfter: number;
  /** Float32 weight bytes that were quantized: the benchmark's throughput numerator. */
  quantizedWeightBytes: number;
  /** Threads that computed the weights' kernels: 1 when they ran on the calling thread. */
  kernelThreads: number;
  ms: number;
}

function weightBytes(model: ModelProto): number {
  let n = 0;
  for (const t of allTensors(model)) n += tensorByteSize(t);
  return n;
}

export interface OpsetUpgrade {
  from: number;
  to: number;
  /** Nodes the opset converter rewrote into their newer form. */
  converted: number;
}

/**
 * Raises the default opset to `version` through the opset converter (src/core/opset), in place: the
 * model's graph, functions and imports become the converted ones, before any rewriter indexes them.
 * The converter's refusal (node, op, versions) is a UserError.
 */
function requireOpset(model: ModelProto, version: number, notes: string[]): OpsetUpgrade | undefined {
  const from = defaultOpset(model);
  if (from >= version) return undefined;
  const converted = convertOpset(model, version);
  // The IR version is raised at the end, as before: the rewriters must see the source's meaning of
  // initializers listed as inputs (constants below IR 4), not the overridable defaults of a newer IR.
  Object.assign(model, { graph: converted.model.graph, functions: converted.model.functions, opsetImport: converted.model.opsetImport });
  const upgrade = { from, to: version, converted: converted.changes.length };
  notes.push(`The default opset was raised from ${from} to ${version}${upgrade.converted ? ` (${upgrade.converted} node(s) rewritten into their newer form)` : ''}.`);
  return upgrade;
}

/** The opset a mode's rewrite needs (quantization ops resolve from there), decided before rewriting. */
function neededOpset(model: ModelProto, options: QuantizeOptions, reader: ExternalDataReader | undefined): number {
  switch (options.mode) {
    case 'weight-only': return options.format === 'qdq' ? 21 : 0;
    case 'dynamic': {
      if (!options.perChannel) return 11;
      if (options.format === 'qdq') return 13;
      const rw = new Rewriter(model, reader, options.exclude);
      return [...rw.nestedScopes(), rw].some(hasConstWeightConv) ? 13 : 11;
    }
    case 'static': return options.perChannel ? 13 : 10;
    case 'fp16': return 0;
  }
}

/** Declares a domain's opset import if missing. */
function ensureOpsetImport(model: ModelProto, domain: string, version: number): void {
  const found = (model.opsetImport ?? []).find((e) => (e.domain ?? '') === domain);
  if (found) {
    if (int64ToNumber(found.version) < version) found.version = toLong(version);
    return;
  }
  model.opsetImport = [...(model.opsetImport ?? []), { domain, version: toLong(version) }];
}

/** Raises ir_version to at least `ir`. */
function ensureIrVersion(model: ModelProto, ir: number): void {
  if (int64ToNumber(model.irVersion) < ir) model.irVersion = toLong(ir);
}

/**
 * Quantizes `model` in place (callers that need the original pass a copy) and says what it did.
 * Throws UserError when nothing in the model can be quantized in the requested mode.
 */
export function quantizeModel(model: ModelProto, options: QuantizeOptions, context: QuantizeContext = {}): QuantizeOutcome {
  const steps = quantizeSteps(model, options, context);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same, yielding to the event loop every ~30 ms between weights: an extension host stays responsive
 * while a large model is quantized, and `context.signal` cancels between weights.
 */
export async function quantizeModelAsync(model: ModelProto, options: QuantizeOptions, context: QuantizeContext = {}): Promise<QuantizeOutcome> {
  const steps = quantizeSteps(model, options, context);
  const threads = quantizeThreads(context.threads);
  let last = performance.now();
  for (;;) {
    if (context.signal?.aborted) throw new UserError('Quantization was cancelled.');
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value && poolPays(step.value.jobs, threads)) {
      for (const [key, result] of await runKernelPool(step.value.jobs, threads, context.signal)) step.value.results.set(key, result);
      step.value.threads = Math.min(threads, step.value.jobs.length);
      last = performance.now();
    }
    if (performance.now() - last > 30) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

function* quantizeSteps(model: ModelProto, options: QuantizeOptions, context: QuantizeContext): Generator<KernelBatch | void, QuantizeOutcome> {
  if (!model.graph) throw new UserError('The model has no graph.');
  const started = performance.now();
  const before = weightBytes(model);
  const notes: string[] = [];
  let opsetUpgrade: OpsetUpgrade | undefined;
  let format: string = options.format;
  const needed = neededOpset(model, options, context.reader);
  if (options.mode === 'weight-only' && needed) {
    try {
      opsetUpgrade = requireOpset(model, needed, notes);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      format = 'matmulnbits';
      const why = oneLine(error).replace(/\.$/, '');
      notes.push(`Written as com.microsoft MatMulNBits: blocked DequantizeLinear needs opset ${needed} and ${why[0].toLowerCase()}${why.slice(1)}.`);
    }
  } else if (needed) {
    try {
      opsetUpgrade = requireOpset(model, needed, notes);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      const perTensor = { ...options, perChannel: false };
      const lower = options.perChannel ? neededOpset(model, perTensor, context.reader) : needed;
      if (lower >= needed) throw new UserError(`The model cannot be raised from opset ${defaultOpset(model)} to ${needed}, which ${options.mode} quantization needs: ${oneLine(error)}`);
      // Per channel is the default where the runtime takes it; here it cannot, so per tensor it is, said.
      try {
        opsetUpgrade = lower ? requireOpset(model, lower, notes) : undefined;
      } catch (again) {
        if (!(again instanceof UserError)) throw again;
        throw new UserError(`The model cannot be raised from opset ${defaultOpset(model)} to ${lower}, which ${options.mode} quantization needs: ${oneLine(again)}`);
      }
      notes.push(`Weights are quantized per tensor: per-channel scales need opset ${needed}, and ${oneLine(error).replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase())}.`);
      options = perTensor;
    }
  }
  const counts: Record<string, number> = {};
  const rw = new Rewriter(model, context.reader, options.exclude);
  // Dynamic, weight-only and static rewrite If/Loop/Scan bodies too, innermost first and the main graph
  // last (static with the ranges calibration observed there, nestedValues.ts); float16 has its own walk.
  const nested = options.mode !== 'fp16' ? rw.nestedScopes() : [];
  const scopes = [...nested, rw];
  let quantizedWeightBytes = 0;
  // The weights' kernels, offered to the driver to compute ahead (quantizeModelAsync: on worker threads).
  const planned = options.mode === 'dynamic' ? scopes.flatMap((scope) => dynamicJobs(scope, options))
    : options.mode === 'weight-only' ? scopes.flatMap((scope) => weightOnlyJobs(scope, options, format === 'qdq')) : [];
  let kernelThreads = 1;
  if (planned.length) {
    const batch: KernelBatch = { jobs: planned.map(({ job, weight }) => ({ job, input: () => weight.bytes ?? weight.data })), results: new Map(), threads: 1 };
    yield batch;
    for (const scope of scopes) scope.precomputed = batch.results;
    kernelThreads = batch.threads;
  }

  switch (options.mode) {
    case 'weight-only': {
      const candidates = scopes.flatMap((scope) => weightOnlyCandidates(scope, format === 'qdq'));
      const gemms = scopes.reduce((n, scope) => n + weightOnlyCandidates(scope, true).length - weightOnlyCandidates(scope, false).length, 0);
      if (candidates.length === 0) {
        if (!gemms) throw new UserError('The model has no MatMul or Gemm with a constant 2-D float weight: nothing to quantize in weight-only mode.');
        throw new UserError(options.format === 'matmulnbits'
          ? 'The model\'s weights feed Gemm nodes, and MatMulNBits replaces MatMul only: use the qdq format.'
          : 'The model\'s weights feed Gemm nodes, which MatMulNBits does not cover, and the model cannot be raised to opset 21 for blocked DequantizeLinear.');
      }
      if (format === 'qdq') {
        for (const scope of scopes) yield* rewriteBlockedDequantize(scope, options);
        counts.MatMul = candidates.filter((c) => c.node.opType === 'MatMul').length;
        counts.Gemm = candidates.filter((c) => c.node.opType === 'Gemm').length;
      } else {
        counts.MatMulNBits = 0;
        for (const scope of scopes) counts.MatMulNBits += yield* rewriteMatMulNBits(scope, options);
        ensureOpsetImport(model, 'com.microsoft', 1);
        if (gemms) notes.push(`${gemms} Gemm node(s) stay in float: MatMulNBits replaces MatMul only.`);
      }
      break;
    }
    case 'dynamic': {
      const c = { matmul: 0, gemm: 0, conv: 0, gather: 0, recurrent: 0 };
      for (const scope of scopes) {
        const done = yield* rewriteDynamic(scope, options);
        for (const k of ['matmul', 'gemm', 'conv', 'gather', 'recurrent'] as const) c[k] += done[k];
      }
      Object.assign(counts, { MatMul: c.matmul, Gemm: c.gemm, Conv: c.conv, Gather: c.gather });
      if (c.recurrent) counts['LSTM/GRU/RNN'] = c.recurrent;
      if (c.matmul + c.gemm + c.conv + c.gather + c.recurrent === 0) throw new UserError('The model has no MatMul, Gemm, Conv, Gather or LSTM/GRU/RNN with a constant float weight: nothing to quantize in dynamic mode.');
      break;
    }
    case 'static': {
      if (!context.ranges) throw new UserError('Static quantization needs calibrated activation ranges.');
      const c = { nodes: 0, gathers: 0, activations: 0, weights: 0, biases: 0, missing: [] as string[] };
      for (const scope of scopes) {
        const done = yield* rewriteStatic(scope, options, context.ranges);
        for (const k of ['nodes', 'gathers', 'activations', 'weights', 'biases'] as const) c[k] += done[k];
        c.missing.push(...done.missing);
      }
      Object.assign(counts, { nodes: c.nodes, Gather: c.gathers, activations: c.activations, weights: c.weights, biases: c.biases });
      if (c.missing.length) notes.push(missingNote(c.missing));
      if (c.nodes === 0) throw new UserError('The model has no Conv, MatMul or Gemm with float activations: nothing to quantize in static mode.');
      break;
    }
    case 'fp16': {
      const c = yield* rewriteFloat16(rw, options);
      Object.assign(counts, { converted: c.converted, keptFloat32: c.kept, casts: c.casts, weights: c.weights });
      if (c.weights === 0 && c.converted === 0) throw new UserError('The model has no float32 weights or ops to convert to float16.');
      break;
    }
  }
  for (const scope of nested) {
    scope.finish();
    rw.tensors.push(...scope.tensors);
    rw.notes.push(...scope.notes);
  }
  for (const t of rw.tensors) if (t.role === 'weight') quantizedWeightBytes += t.shape.reduce((a, d) => a * d, 1) * 4;
  rw.finish();
  ensureIrVersion(model, minIrVersion(defaultOpset(model)));
  if (int64ToNumber(model.irVersion) < 10 && rw.tensors.some((t) => t.dtype.includes('int4'))) ensureIrVersion(model, 10);
  notes.push(...rw.notes);
  return {
    model, counts, tensors: rw.tensors, notes, opsetUpgrade, format, perChannel: options.perChannel,
    weightBytesBefore: before, weightBytesAfter: weightBytes(model), quantizedWeightBytes, kernelThreads, ms: performance.now() - started,
  };
}

/** Values static mode had no range for, which stay float (a branch no calibration set took, say). */
function missingNote(all: string[]): string {
  const missing = [...new Set(all)];
  return `${missing.length} value(s) had no calibrated range and were left in float (inside a body: no calibration set ran it): ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? '...' : ''}.`;
}

function hasConstWeightConv(rw: Rewriter): boolean {
  return (rw.graph.node ?? []).some((n) => n.opType === 'Conv' && !rw.isExcluded(n) && !!rw.floatWeight(n.input?.[1]));
}

/** Activation values static calibration must observe in `model` with these options, in bodies too. */
export function calibrationTargets(model: ModelProto, options: QuantizeOptions, reader?: ExternalDataReader): string[] {
  const rw = new Rewriter(model, reader, options.exclude);
  return [...new Set([rw, ...rw.nestedScopes()].flatMap((scope) => staticActivationNames(scope)))];
}
