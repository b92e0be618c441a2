// One quantization pass over a model in memory, no onnxruntime involved: the function the command, the
// CLI and the benchmark call. Static mode takes calibrated activation ranges (see calibrate.ts).
import { UserError } from '../../errors.js';
import type { ExternalDataReader } from '../../model/externalData.js';
import { allTensors } from '../../model/modelFile.js';
import { int64ToNumber, type ModelProto } from '../../model/proto.js';
import { tensorByteSize } from '../../model/summary.js';
import { walkModel } from '../../model/walk.js';
import { defaultOpset } from '../../model/graphQueries.js';
import { rewriteDynamic } from './dynamic.js';
import { rewriteFloat16 } from './float16.js';
import { ensureIrVersion, ensureOpsetImport, irVersionFor, upgradeBlocker, upgradeOpset, type OpsetUpgrade } from './opsetUpgrade.js';
import type { QuantizeOptions } from './options.js';
import { Rewriter, type QuantizedTensorInfo } from './rewriter.js';
import { rewriteStatic, staticActivationNames, type ActivationRange } from './static.js';
import { rewriteBlockedDequantize, rewriteMatMulNBits, weightOnlyCandidates } from './weightOnly.js';

export interface QuantizeContext {
  /** Reads weights kept in external data files. */
  reader?: ExternalDataReader;
  /** Static mode: calibrated [min, max] per activation value. */
  ranges?: Map<string, ActivationRange>;
  /** Stops between weights with a UserError. */
  signal?: AbortSignal;
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
  /** Bytes of all tensor values (initializers, Constant values) before and after. */
  weightBytesBefore: number;
  weightBytesAfter: number;
  /** Float32 weight bytes that were quantized: the benchmark's throughput numerator. */
  quantizedWeightBytes: number;
  ms: number;
}

function weightBytes(model: ModelProto): number {
  let n = 0;
  for (const t of allTensors(model)) n += tensorByteSize(t);
  return n;
}

function requireOpset(model: ModelProto, version: number, notes: string[]): OpsetUpgrade | undefined {
  if (defaultOpset(model) >= version) return undefined;
  const upgrade = upgradeOpset(model, version);
  notes.push(`The default opset was raised from ${upgrade.from} to ${upgrade.to}${upgrade.converted ? ` (${upgrade.converted} node(s) rewritten into their newer form)` : ''}.`);
  return upgrade;
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
  let last = performance.now();
  for (;;) {
    if (context.signal?.aborted) throw new UserError('Quantization was cancelled.');
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - last > 30) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

function* quantizeSteps(model: ModelProto, options: QuantizeOptions, context: QuantizeContext): Generator<void, QuantizeOutcome> {
  if (!model.graph) throw new UserError('The model has no graph.');
  const started = performance.now();
  const before = weightBytes(model);
  const notes: string[] = [];
  let opsetUpgrade: OpsetUpgrade | undefined;
  let format: string = options.format;
  const counts: Record<string, number> = {};
  const rw = new Rewriter(model, context.reader, options.exclude);
  // Dynamic and weight-only rewrite If/Loop/Scan bodies too, innermost first and the main graph last;
  // static needs activation ranges that calibration cannot observe inside them, and float16 keeps them.
  const nested = options.mode === 'dynamic' || options.mode === 'weight-only' ? rw.nestedScopes() : [];
  const scopes = [...nested, rw];
  let quantizedWeightBytes = 0;

  switch (options.mode) {
    case 'weight-only': {
      if (options.format === 'qdq') {
        const blocker = upgradeBlocker(model, 21);
        if (blocker) {
          format = 'matmulnbits';
          notes.push(`Written as com.microsoft MatMulNBits: blocked DequantizeLinear needs opset 21 and ${blocker}.`);
        }
      }
      const candidates = scopes.flatMap((scope) => weightOnlyCandidates(scope, format === 'qdq'));
      const gemms = scopes.reduce((n, scope) => n + weightOnlyCandidates(scope, true).length - weightOnlyCandidates(scope, false).length, 0);
      if (candidates.length === 0) {
        if (!gemms) throw new UserError('The model has no MatMul or Gemm with a constant 2-D float weight: nothing to quantize in weight-only mode.');
        throw new UserError(options.format === 'matmulnbits'
          ? 'The model\'s weights feed Gemm nodes, and MatMulNBits replaces MatMul only: use the qdq format.'
          : 'The model\'s weights feed Gemm nodes, which MatMulNBits does not cover, and the model cannot be raised to opset 21 for blocked DequantizeLinear.');
      }
      if (format === 'qdq') {
        opsetUpgrade = requireOpset(model, 21, notes);
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
      const perAxis = options.perChannel && (options.format === 'qdq' || scopes.some(hasConstWeightConv));
      opsetUpgrade = requireOpset(model, perAxis ? 13 : 11, notes);
      const c = { matmul: 0, gemm: 0, conv: 0, gather: 0 };
      for (const scope of scopes) {
        const done = yield* rewriteDynamic(scope, options);
        for (const k of ['matmul', 'gemm', 'conv', 'gather'] as const) c[k] += done[k];
      }
      Object.assign(counts, { MatMul: c.matmul, Gemm: c.gemm, Conv: c.conv, Gather: c.gather });
      if (c.matmul + c.gemm + c.conv + c.gather === 0) throw new UserError('The model has no MatMul, Gemm, Conv or Gather with a constant float weight: nothing to quantize in dynamic mode.');
      break;
    }
    case 'static': {
      if (!context.ranges) throw new UserError('Static quantization needs calibrated activation ranges.');
      opsetUpgrade = requireOpset(model, options.perChannel ? 13 : 10, notes);
      const c = yield* rewriteStatic(rw, options, context.ranges);
      Object.assign(counts, { nodes: c.nodes, activations: c.activations, weights: c.weights, biases: c.biases });
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
  const untouched = options.mode === 'static' ? nestedStaticCandidates(model) : 0;
  if (untouched) notes.push(`${untouched} node(s) inside If/Loop/Scan bodies were left in float: calibration cannot observe activations there.`);
  rw.finish();
  ensureIrVersion(model, irVersionFor(defaultOpset(model)));
  if (int64ToNumber(model.irVersion) < 10 && rw.tensors.some((t) => t.dtype.includes('int4'))) ensureIrVersion(model, 10);
  notes.push(...rw.notes);
  return {
    model, counts, tensors: rw.tensors, notes, opsetUpgrade, format,
    weightBytesBefore: before, weightBytesAfter: weightBytes(model), quantizedWeightBytes, ms: performance.now() - started,
  };
}

/** Static mode's op types inside subgraphs, which it leaves in float (the other modes rewrite or keep them). */
function nestedStaticCandidates(model: ModelProto): number {
  const ops = new Set(['MatMul', 'Gemm', 'Conv']);
  let n = 0;
  for (const visit of walkModel(model)) if (visit.path.length > 0 && !visit.functionName) for (const node of visit.nodes) if (ops.has(node.opType ?? '')) n++;
  return n;
}

function hasConstWeightConv(rw: Rewriter): boolean {
  return (rw.graph.node ?? []).some((n) => n.opType === 'Conv' && !rw.isExcluded(n) && !!rw.floatWeight(n.input?.[1]));
}

/** Activation values static calibration must observe in `model` with these options. */
export function calibrationTargets(model: ModelProto, options: QuantizeOptions, reader?: ExternalDataReader): string[] {
  return staticActivationNames(new Rewriter(model, reader, options.exclude));
}
