// Quantize as a transform: calibration on the run's input sets (static mode: all but the held-out ones,
// heldOut.ts), the rewrite (fp16 retried with the ops onnxruntime has no float16 kernel for kept in
// float32), verification by the accuracy rule (accuracyRule.ts) on the held-out samples or --verify-inputs,
// and after it the quantization figures: sizes, accuracy, latency, and the per-tensor variant when asked.
import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { formatRatio } from '../../format.js';
import { decodeModel, encodeModel } from '../../model/decode.js';
import type { ModelProto } from '../../model/proto.js';
import type { RuntimeClient } from '../../runtime/client.js';
import { measureLatency, type Latency } from '../../runtime/latency.js';
import { adaptFeeds } from '../compareRuns.js';
import { defaultRangeError, defaultSnrDb, minSpread } from '../accuracyRule.js';
import type { Transform } from '../transform.js';
import { prepareInputs, type InputSets } from '../verificationInputs.js';
import { verifyTransform, type VerificationPlan } from '../verify.js';
import { generatedFallback, splitSamples } from './heldOut.js';
import { calibrate } from './calibrate.js';
import { modeSpecs, quantizeModes, resolveOptions, type QuantizeOptions } from './options.js';
import { calibrationTargets, quantizeModelAsync, type QuantizeContext, type QuantizeOutcome } from './quantizeModel.js';
import { formatQuantizeDetails, type QuantizeDetails, type QuantizeVariant } from './quantizeReport.js';

export interface QuantizeRequest {
  quantize: QuantizeOptions;
  /** Folder or files with input sets for calibration and accuracy (the run's input choice). */
  calibration?: string;
  /** Generated input sets when no files are given; default from the mode's table entry. */
  samples?: number;
  /** Latency runs of both models after verification; 0 iterations skips them. */
  latency: { warmup: number; iterations: number };
  /** Input sets to verify on instead of the default (static: the held-out calibration samples). */
  verifyInputs?: string;
  /** The accuracy rule's thresholds; defaults 30 dB and 0.02 (2% of the range). */
  accuracy?: { minSnrDb: number; maxRangeError: number };
  /** Also builds the per-tensor variant (dynamic, static per channel) and compares both in the report. */
  comparePerTensor?: boolean;
  /** Threads for the weights' kernels; default 1, the main thread alone. Same output either way. */
  threads?: number;
}

/** Input sets the accuracy comparison uses (the first ones of the run's). */
const accuracySets = 8;

const options = {
  mode: { kind: 'enum', values: quantizeModes, required: true, help: 'what is quantized and how', valueHelp: Object.fromEntries(quantizeModes.map((m) => [m, modeSpecs[m].description])) },
  bits: { kind: 'number', value: '8|4', integer: true, min: 0, help: 'weight bits (4 only in weight-only mode)' },
  block: { kind: 'number', value: '32|64|128', integer: true, min: 0, help: 'weight-only block size along K (default 32)' },
  symmetric: { kind: 'flag', negation: 'asymmetric', help: 'zero points fixed at 0, or one per block/channel (static: for the activations)' },
  'per-channel': { kind: 'flag', negation: 'per-tensor', help: 'one weight scale per output channel (the default), or one per tensor (dynamic, static)' },
  format: {
    kind: 'enum', values: ['qdq', 'integer', 'matmulnbits'],
    help: `what is written; ${quantizeModes.filter((m) => modeSpecs[m].formats.length).map((m) => `${m}: ${modeSpecs[m].formats.join(' or ')}`).join('; ')} (the first is the default)`,
  },
  calibration: { kind: 'text', value: 'DIR', help: 'input sets for calibration and accuracy (test_data_set_N folders, .pb/.npy/.json files; the same as --data)' },
  calibrator: { kind: 'enum', values: ['minmax', 'percentile'], help: 'static: the full observed range, or a percentile that clips outliers (default minmax)' },
  percentile: { kind: 'number', value: 'P', help: 'share of values the percentile calibrator keeps (default 99.999)' },
  samples: { kind: 'number', value: 'N', integer: true, min: 1, help: `generated input sets without --calibration (${quantizeModes.map((m) => `${m} ${modeSpecs[m].generatedSets}`).join(', ')})` },
  exclude: { kind: 'list', value: 'NAME|OP,...', help: 'nodes and op types left in float' },
  'keep-io-fp32': { kind: 'flag', negation: 'fp16-io', help: 'fp16: float32 graph inputs and outputs with Casts at the boundary (default), or float16 ones' },
  'keep-fp32-op': { kind: 'list', value: 'OP,...', help: 'fp16: op types kept in float32' },
  'verify-inputs': { kind: 'text', value: 'DIR', help: 'input sets to verify on (same formats as --calibration); default: static mode the held-out calibration samples, other modes the run\'s inputs' },
  'min-snr': { kind: 'number', value: 'DB', help: `a float output passes with an SNR of at least DB (default ${defaultSnrDb})` },
  'max-range-error': { kind: 'number', value: 'PCT', min: 0, max: 100, help: `or with a max abs error of at most PCT percent of its fp32 range (default ${defaultRangeError * 100})` },
  'compare-per-tensor': { kind: 'flag', help: 'also build the per-tensor variant and compare both in the report (dynamic, static)' },
  threads: { kind: 'number', value: 'N', integer: true, min: 1, help: 'threads that quantize the weights of a model with 4 MB of them or more (default 1: the main thread alone); the result is the same file' },
  iterations: { kind: 'number', value: 'N', integer: true, min: 0, default: 20, setting: 'run.iterations', help: 'timed runs of each model for the latency comparison; 0 skips it' },
} as const;

/** The sets verification runs on: --verify-inputs, else static mode's held-out samples, else the run's. */
function verificationSets(o: QuantizeRequest, run: () => InputSets, model: ModelProto): InputSets {
  if (o.verifyInputs) {
    const sets = prepareInputs(model, { files: [o.verifyInputs] })();
    return { ...sets, source: `${sets.source} (--verify-inputs)` };
  }
  if (!modeSpecs[o.quantize.mode].calibrated) return run();
  const split = splitSamples(run());
  return split.heldOut ?? generatedFallback(model, accuracySets);
}

/** 'dynamic 0.99, weight-only 0.95/0.99, ...': each mode's budget for each of its bit widths. */
function budgets(): string {
  return quantizeModes.map((mode) => {
    const defaults = resolveOptions({ mode });
    return `${mode} ${[...new Set(modeSpecs[mode].bits.map((bits) => modeSpecs[mode].minCosine({ ...defaults, bits })))].join('/')}`;
  }).join(', ');
}

async function measure(client: RuntimeClient, source: string, output: string, feeds: Parameters<typeof adaptFeeds>[0], result: ModelProto, latency: QuantizeRequest['latency'], signal?: AbortSignal): Promise<[Latency, Latency]> {
  const before = await measureLatency(client, source, feeds, { ...latency, signal });
  const after = await measureLatency(client, output, adaptFeeds(feeds, result), { ...latency, signal });
  return [before, after];
}

export const quantizeTransform: Transform<typeof options, QuantizeRequest, QuantizeDetails> = {
  name: 'quantize',
  title: 'Quantize Model',
  command: 'onnxLens.quantizeModel',
  summary: 'quantize a model (dynamic/static int8, weight-only int8/int4, float16) to a new file, verified in onnxruntime',
  resultName: 'quantized model',
  // Every mode: a quantized model onnxruntime refuses is never written (runtimeAdmission.ts).
  loadsBeforeWrite: true,
  options,
  lossy: { defaultMinCosine: `the mode's cosine budget, used for outputs with spread (std/RMS >= ${minSpread}): ${budgets()}` },
  resolve(v) {
    if (!v.mode) throw new UserError('Give the mode: --mode dynamic, static, weight-only or fp16.');
    const quantize = resolveOptions({
      mode: v.mode, bits: v.bits as 8 | 4 | undefined, blockSize: v.block, symmetric: v.symmetric, perChannel: v['per-channel'], format: v.format,
      calibrator: v.calibrator, percentile: v.percentile, exclude: v.exclude, keepIoFp32: v['keep-io-fp32'], keepFp32Ops: v['keep-fp32-op'],
    });
    const iterations = v.iterations ?? 20;
    if (v['verify-inputs'] && !existsSync(v['verify-inputs'])) throw new UserError(`No such file or folder: ${v['verify-inputs']}`);
    if (v['compare-per-tensor'] && !(quantize.perChannel && (quantize.mode === 'static' || quantize.mode === 'dynamic'))) {
      throw new UserError('--compare-per-tensor compares a per-channel static or dynamic quantization with its per-tensor variant; this run has no per-channel scales.');
    }
    return {
      quantize, calibration: v.calibration, samples: v.samples, latency: { warmup: iterations > 0 ? 3 : 0, iterations },
      ...(v['verify-inputs'] ? { verifyInputs: v['verify-inputs'] } : {}),
      accuracy: { minSnrDb: v['min-snr'] ?? defaultSnrDb, maxRangeError: v['max-range-error'] !== undefined ? v['max-range-error'] / 100 : defaultRangeError },
      ...(v['compare-per-tensor'] ? { comparePerTensor: true } : {}),
      ...(v.threads !== undefined ? { threads: v.threads } : {}),
    };
  },
  outputTag: (o) => modeSpecs[o.quantize.mode].outputTag(o.quantize),
  describe: (o) => `${o.quantize.mode}, ${modeSpecs[o.quantize.mode].describe(o.quantize)}`,
  inputs: (o) => ({ files: o.calibration ? [o.calibration] : undefined, count: o.samples ?? modeSpecs[o.quantize.mode].generatedSets }),
  async run(model, o, ctx) {
    const q = o.quantize;
    const notes: string[] = [];
    // Mistakes in --verify-inputs are one-line errors before anything is written.
    if (o.verifyInputs) prepareInputs(model, { files: [o.verifyInputs] })();
    let ranges;
    if (modeSpecs[q.mode].calibrated) {
      let { sets } = ctx.inputs();
      if (!o.verifyInputs) {
        const split = splitSamples(ctx.inputs());
        sets = split.calibration.sets;
        notes.push(`Static verification: ${split.text}.`);
      }
      const targets = calibrationTargets(model, q, ctx.external);
      ctx.progress(`Calibrating ${targets.length} activations on ${sets.length} input set(s)`);
      const calibration = await calibrate(ctx.client, model, targets, sets, {
        calibrator: q.calibrator, percentile: q.percentile, baseDir: ctx.baseDir, signal: ctx.signal,
        onProgress: (done, total) => ctx.progress(`Calibrating (${done}/${total})`),
      });
      ranges = calibration.ranges;
      for (const s of calibration.skipped) notes.push(`Not calibrated, left in float: ${s.name}, because ${s.why}.`);
    }
    if (ctx.signal?.aborted) throw new UserError('Quantization was cancelled.');
    ctx.progress('Quantizing');
    const context: QuantizeContext = { reader: ctx.external, ranges, threads: o.threads };
    const outcome = await quantizeLoadable(ctx.client, ctx.sourceBytes(), q, context, ctx.baseDir ?? '.', ctx.signal);
    const perTensor = o.comparePerTensor
      ? await quantizeLoadable(ctx.client, ctx.sourceBytes(), { ...q, perChannel: false }, context, ctx.baseDir ?? '.', ctx.signal)
      : undefined;
    const newerThanChecker = (outcome.model.opsetImport ?? []).some((x) => (x.domain && x.domain !== 'ai.onnx') ? x.domain === 'com.microsoft' : Number(x.version) > 17);
    return {
      model: outcome.model,
      notes: [...notes, ...outcome.notes],
      details: {
        mode: q.mode, format: outcome.format, options: { ...q, perChannel: outcome.perChannel }, counts: outcome.counts, tensors: outcome.tensors,
        weightBytesBefore: outcome.weightBytesBefore, weightBytesAfter: outcome.weightBytesAfter,
        weightRatio: outcome.weightBytesBefore / Math.max(1, outcome.weightBytesAfter),
        fileRatio: NaN, quantizeMs: outcome.ms,
        throughputMBps: outcome.quantizedWeightBytes / 1e6 / Math.max(1e-6, outcome.ms / 1000),
        inputs: { source: '', sets: 0 }, accuracy: [], budget: { cosine: modeSpecs[q.mode].minCosine(q), pass: false }, newerThanChecker,
        ...(perTensor ? { perTensorModel: perTensor.model, variants: [variantOf('per channel', outcome), variantOf('per tensor', perTensor)] } : {}),
      },
    };
  },
  verification: (o) => verificationOf(o),
  async afterVerify(report, o, files, result, ctx) {
    const d = report.details;
    const v = report.verification!;
    d.fileRatio = (report.fileBytesBefore ?? 0) / Math.max(1, report.fileBytesAfter ?? 0);
    d.accuracy = v.comparisons;
    d.inputs = { source: v.inputs ?? '', sets: v.sets ?? 0 };
    d.budget = { cosine: v.minCosine ?? d.budget.cosine, pass: v.pass };
    if (d.variants) {
      d.variants[0].verification = { status: v.status, decided: v.decided ?? v.problem ?? '', accuracy: v.comparisons };
      const variant = d.perTensorModel;
      delete d.perTensorModel;
      if (variant && v.status !== 'skipped') {
        ctx.progress('Verifying the per-tensor variant');
        const plan = verificationOf(o, v.minCosine);
        const checked = await verifyTransform({
          client: ctx.client, plan, original: { model: decodeModel(ctx.sourceBytes()), data: files.source }, result: { model: variant, data: encodeModel(variant) },
          baseDir: ctx.baseDir, inputs: ctx.inputs, resultName: 'per-tensor variant', signal: ctx.signal,
        });
        d.variants[1].verification = { status: checked.status, decided: checked.decided ?? checked.problem ?? '', accuracy: checked.comparisons };
      }
    }
    if (!v.ran || o.latency.iterations === 0) return;
    ctx.progress('Measuring latency');
    try {
      [d.latencyBefore, d.latencyAfter] = await measure(ctx.client, files.source, files.output, ctx.inputs().sets[0], result, o.latency, ctx.signal);
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      report.notes.push(`Latency could not be measured: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
  formatDetails: (d, { markdown }) => formatQuantizeDetails(d, { markdown }),
  headline(report) {
    const d = report.details;
    const latency = d.latencyBefore && d.latencyAfter ? `, latency ${formatRatio(d.latencyAfter.p50 / d.latencyBefore.p50)}` : '';
    return `weights ${formatRatio(d.weightRatio)} smaller${latency}`;
  },
};

/** The accuracy rule with the mode's cosine budget, on the sets verificationSets picks. */
function verificationOf(o: QuantizeRequest, minCosine?: number): VerificationPlan {
  const accuracy = o.accuracy ?? { minSnrDb: defaultSnrDb, maxRangeError: defaultRangeError };
  return {
    criterion: { kind: 'cosine', min: minCosine ?? modeSpecs[o.quantize.mode].minCosine(o.quantize), why: `the ${o.quantize.mode} accuracy rule`, rule: { ...accuracy, minSpread } },
    sets: accuracySets,
    inputs: (run, model) => verificationSets(o, run, model),
  };
}

function variantOf(granularity: string, outcome: QuantizeOutcome): QuantizeVariant {
  return { granularity, weightBytes: outcome.weightBytesAfter, fileBytes: encodeModel(outcome.model).length };
}

const missingKernel = /(?:Could not find an implementation for|Failed to find kernel for) (\w+)\(\d+\)/;

/**
 * Quantizes a fresh decode of `bytes` (tensor bytes stay shared and untouched). In float16 mode, ops that
 * onnxruntime has no float16 kernel for (it says so when loading) are kept in float32 and the model redone.
 */
export async function quantizeLoadable(client: RuntimeClient, bytes: Uint8Array, options: QuantizeOptions, context: QuantizeContext, baseDir: string, signal?: AbortSignal): Promise<QuantizeOutcome> {
  let current = options;
  const kept: string[] = [];
  for (let attempt = 0; ; attempt++) {
    let outcome: QuantizeOutcome;
    try {
      outcome = await quantizeModelAsync(decodeModel(bytes), current, { ...context, signal });
    } catch (error) {
      if (!kept.length || !(error instanceof UserError)) throw error;
      throw new UserError(`onnxruntime has no float16 kernel for ${kept.join(', ')} at this model's opset, so nothing is left to convert to float16.`);
    }
    if (current.mode !== 'fp16' || attempt >= 8) return outcome;
    try {
      const session = await client.open(encodeModel(outcome.model), { baseDir, signal });
      await session.close().catch(() => undefined);
    } catch (error) {
      if (signal?.aborted) throw error;
      // Any other refusal is the pipeline's to report (runtimeAdmission.ts): nothing is written.
      const op = missingKernel.exec(error instanceof Error ? error.message : String(error))?.[1];
      if (!op || current.keepFp32Ops.includes(op)) return outcome;
      kept.push(op);
      current = { ...current, keepFp32Ops: [...current.keepFp32Ops, op] };
      continue;
    }
    if (kept.length) outcome.notes.push(`Kept in float32 because onnxruntime has no float16 kernel for them at this opset: ${kept.join(', ')}.`);
    return outcome;
  }
}
