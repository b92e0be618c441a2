// Quantize as a transform: calibration on the run's input sets (static mode), the rewrite (fp16 retried
// with the ops onnxruntime has no float16 kernel for kept in float32), and after verification the
// quantization figures: sizes, accuracy against the mode's budget, latency of both models.
import { UserError } from '../../errors.js';
import { formatRatio } from '../../format.js';
import { decodeModel, encodeModel } from '../../model/decode.js';
import type { ModelProto } from '../../model/proto.js';
import type { RuntimeClient } from '../../runtime/client.js';
import { measureLatency, type Latency } from '../../runtime/latency.js';
import { adaptFeeds } from '../compareRuns.js';
import type { Transform } from '../transform.js';
import { calibrate } from './calibrate.js';
import { modeSpecs, quantizeModes, resolveOptions, type QuantizeOptions } from './options.js';
import { calibrationTargets, quantizeModelAsync, type QuantizeContext, type QuantizeOutcome } from './quantizeModel.js';
import { formatQuantizeDetails, type QuantizeDetails } from './quantizeReport.js';

export interface QuantizeRequest {
  quantize: QuantizeOptions;
  /** Folder or files with input sets for calibration and accuracy (the run's input choice). */
  calibration?: string;
  /** Generated input sets when no files are given; default from the mode's table entry. */
  samples?: number;
  /** Latency runs of both models after verification; 0 iterations skips them. */
  latency: { warmup: number; iterations: number };
}

/** Input sets the accuracy comparison uses (the first ones of the run's). */
const accuracySets = 8;

const options = {
  mode: { kind: 'enum', values: quantizeModes, required: true, help: 'what is quantized and how', valueHelp: Object.fromEntries(quantizeModes.map((m) => [m, modeSpecs[m].description])) },
  bits: { kind: 'number', value: '8|4', integer: true, min: 0, help: 'weight bits (4 only in weight-only mode)' },
  block: { kind: 'number', value: '32|64|128', integer: true, min: 0, help: 'weight-only block size along K (default 32)' },
  symmetric: { kind: 'flag', negation: 'asymmetric', help: 'zero points fixed at 0, or one per block/channel (static: for the activations)' },
  'per-channel': { kind: 'flag', negation: 'per-tensor', help: 'one weight scale per output channel, or one per tensor (dynamic, static)' },
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
  iterations: { kind: 'number', value: 'N', integer: true, min: 0, default: 20, setting: 'run.iterations', help: 'timed runs of each model for the latency comparison; 0 skips it' },
} as const;

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
  options,
  lossy: { defaultMinCosine: `the mode's accuracy budget: ${budgets()}` },
  resolve(v) {
    if (!v.mode) throw new UserError('Give the mode: --mode dynamic, static, weight-only or fp16.');
    const quantize = resolveOptions({
      mode: v.mode, bits: v.bits as 8 | 4 | undefined, blockSize: v.block, symmetric: v.symmetric, perChannel: v['per-channel'], format: v.format,
      calibrator: v.calibrator, percentile: v.percentile, exclude: v.exclude, keepIoFp32: v['keep-io-fp32'], keepFp32Ops: v['keep-fp32-op'],
    });
    const iterations = v.iterations ?? 20;
    return { quantize, calibration: v.calibration, samples: v.samples, latency: { warmup: iterations > 0 ? 3 : 0, iterations } };
  },
  outputTag: (o) => modeSpecs[o.quantize.mode].outputTag(o.quantize),
  describe: (o) => `${o.quantize.mode}, ${modeSpecs[o.quantize.mode].describe(o.quantize)}`,
  inputs: (o) => ({ files: o.calibration ? [o.calibration] : undefined, count: o.samples ?? modeSpecs[o.quantize.mode].generatedSets }),
  async run(model, o, ctx) {
    const q = o.quantize;
    let ranges;
    if (modeSpecs[q.mode].calibrated) {
      const { sets } = ctx.inputs();
      const targets = calibrationTargets(model, q, ctx.external);
      ctx.progress(`Calibrating ${targets.length} activations on ${sets.length} input set(s)`);
      ranges = await calibrate(ctx.client, model, targets, sets, {
        calibrator: q.calibrator, percentile: q.percentile, baseDir: ctx.baseDir, signal: ctx.signal,
        onProgress: (done, total) => ctx.progress(`Calibrating (${done}/${total})`),
      });
    }
    if (ctx.signal?.aborted) throw new UserError('Quantization was cancelled.');
    ctx.progress('Quantizing');
    const outcome = await quantizeLoadable(ctx.client, ctx.sourceBytes(), q, { reader: ctx.external, ranges }, ctx.baseDir ?? '.', ctx.signal);
    const newerThanChecker = (outcome.model.opsetImport ?? []).some((x) => (x.domain && x.domain !== 'ai.onnx') ? x.domain === 'com.microsoft' : Number(x.version) > 17);
    return {
      model: outcome.model,
      notes: outcome.notes,
      details: {
        mode: q.mode, format: outcome.format, options: q, counts: outcome.counts, tensors: outcome.tensors,
        weightBytesBefore: outcome.weightBytesBefore, weightBytesAfter: outcome.weightBytesAfter,
        weightRatio: outcome.weightBytesBefore / Math.max(1, outcome.weightBytesAfter),
        fileRatio: NaN, quantizeMs: outcome.ms,
        throughputMBps: outcome.quantizedWeightBytes / 1e6 / Math.max(1e-6, outcome.ms / 1000),
        inputs: { source: '', sets: 0 }, accuracy: [], budget: { cosine: modeSpecs[q.mode].minCosine(q), pass: false }, newerThanChecker,
      },
    };
  },
  verification: (o) => ({ criterion: { kind: 'cosine', min: modeSpecs[o.quantize.mode].minCosine(o.quantize), why: `the ${o.quantize.mode} accuracy budget` }, sets: accuracySets }),
  async afterVerify(report, o, files, result, ctx) {
    const d = report.details;
    const v = report.verification!;
    d.fileRatio = (report.fileBytesBefore ?? 0) / Math.max(1, report.fileBytesAfter ?? 0);
    d.accuracy = v.comparisons;
    d.inputs = { source: v.inputs ?? '', sets: v.sets ?? 0 };
    d.budget = { cosine: v.minCosine ?? d.budget.cosine, pass: v.pass };
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
      const op = missingKernel.exec(error instanceof Error ? error.message : String(error))?.[1];
      if (!op || current.keepFp32Ops.includes(op)) throw error;
      kept.push(op);
      current = { ...current, keepFp32Ops: [...current.keepFp32Ops, op] };
      continue;
    }
    if (kept.length) outcome.notes.push(`Kept in float32 because onnxruntime has no float16 kernel for them at this opset: ${kept.join(', ')}.`);
    return outcome;
  }
}
