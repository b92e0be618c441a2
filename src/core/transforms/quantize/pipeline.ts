// A whole quantization as the CLI and the editor command run it: inputs (the user's files or generated),
// calibration (static), the rewrite, an atomic write of the new file, then both models on the same inputs
// through onnxruntime for accuracy and latency, summed up in a TransformReport.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { oneLine, UserError } from '../../errors.js';
import { decodeModel, encodeModel, readModelFile } from '../../model/decode.js';
import { ExternalDataReader, isExternal } from '../../model/externalData.js';
import { allTensors, assertNotSameFile, freeOutputPath, writeModelAtomic } from '../../model/modelFile.js';
import type { ModelProto } from '../../model/proto.js';
import type { TensorArray } from '../../model/tensorValues.js';
import type { RuntimeClient } from '../../runtime/client.js';
import { generateInputs } from '../../runtime/inputs.js';
import { measureLatency, type Latency } from '../../runtime/latency.js';
import { loadInputSources } from '../../runtime/testData.js';
import { baseReport, type TransformReport } from '../report.js';
import { accuracy, adaptFeeds, accuracyBudget, type OutputAccuracy } from './accuracy.js';
import { calibrate } from './calibrate.js';
import { outputSuffix, type QuantizeOptions } from './options.js';
import { calibrationTargets, quantizeModelAsync, type QuantizeContext, type QuantizeOutcome } from './quantizeModel.js';
import type { QuantizedTensorInfo } from './rewriter.js';

export interface QuantizeRequest {
  input: string;
  /** Default: `name.int8.onnx` (or int4/qdq/fp16) beside the input, numbered when taken. */
  output?: string;
  /** Write over an existing output file (the CLI's explicit -o); never over the input. */
  overwrite?: boolean;
  options: QuantizeOptions;
  /** Folder (test_data_set_N folders, .pb/.npy/.json files) with inputs for calibration and accuracy. */
  calibration?: string;
  /** Generated input sets when no folder is given: calibration uses all, accuracy the first few. */
  samples?: number;
  /** Input dims for symbolic dimensions of generated inputs. */
  dims?: Record<string, number>;
  client: RuntimeClient;
  /** Latency runs; 0 iterations skips latency. */
  latency?: { warmup: number; iterations: number };
  signal?: AbortSignal;
  /** Progress for a notification: a message and how much of 100 this step adds. */
  onProgress?: (message: string, increment: number) => void;
}

export interface QuantizeDetails {
  mode: string;
  format: string;
  options: QuantizeOptions;
  counts: Record<string, number>;
  tensors: QuantizedTensorInfo[];
  weightBytesBefore: number;
  weightBytesAfter: number;
  /** Weight bytes before / after; file bytes before / after. */
  weightRatio: number;
  fileRatio: number;
  quantizeMs: number;
  /** MB/s of float32 weights quantized. */
  throughputMBps: number;
  inputs: { source: string; sets: number };
  accuracy: OutputAccuracy[];
  budget: { cosine: number; pass: boolean };
  latencyBefore?: Latency;
  latencyAfter?: Latency;
  /** Python onnx.checker judges opsets up to 17 and no com.microsoft ops. */
  newerThanChecker: boolean;
}

export interface QuantizeRun {
  report: TransformReport & { details: QuantizeDetails };
  output: string;
  outcome: QuantizeOutcome;
}

function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new UserError('Quantization was cancelled.');
}

/** `model.int8.onnx` beside `model.onnx`. */
export function defaultOutputPath(input: string, options: QuantizeOptions): string {
  const ext = extname(input);
  const stem = basename(input, ext || undefined);
  return join(dirname(input), `${stem}.${outputSuffix(options)}${ext || '.onnx'}`);
}

function inputSets(request: QuantizeRequest, model: ModelProto): { sets: Array<Record<string, TensorArray>>; source: string } {
  if (request.calibration) {
    const sets = loadInputSources([request.calibration], model).map((s) => s.inputs);
    if (sets.length === 0) throw new UserError(`${request.calibration} holds no input sets.`);
    return { sets, source: request.calibration };
  }
  const count = Math.max(1, request.samples ?? (request.options.mode === 'static' ? 16 : 4));
  const sets = Array.from({ length: count }, (_, seed) => generateInputs(model, { seed, dims: request.dims }));
  return { sets, source: `${count} generated input set${count === 1 ? '' : 's'} (normal distribution)` };
}

export async function runQuantize(request: QuantizeRequest): Promise<QuantizeRun> {
  const { options, client, signal } = request;
  const progress = request.onProgress ?? (() => undefined);
  const started = performance.now();
  progress('Reading the model', 5);
  const { model: original, bytes } = await readModelFile(request.input);
  const output = request.output ?? freeOutputPath(defaultOutputPath(request.input, options));
  assertNotSameFile(request.input, output);
  if (!request.overwrite && request.output && existsSync(output)) throw new UserError(`${output} already exists; choose another output or allow overwriting.`);
  const hasExternal = [...allTensors(original)].some((t) => isExternal(t));
  const reader = hasExternal ? ExternalDataReader.forModel(request.input) : undefined;
  const baseDir = dirname(request.input);
  try {
    const { sets, source } = inputSets(request, original);
    const notes: string[] = [];

    let ranges;
    if (options.mode === 'static') {
      const targets = calibrationTargets(original, options, reader);
      progress(`Calibrating ${targets.length} activations on ${sets.length} input set(s)`, 5);
      let last = 0;
      ranges = await calibrate(client, original, targets, sets, {
        calibrator: options.calibrator, percentile: options.percentile, baseDir, signal,
        onProgress: (done, total) => {
          const share = Math.floor((done / total) * 35);
          if (share > last) progress(`Calibrating (${done}/${total})`, share - last);
          last = Math.max(last, share);
        },
      });
    }
    checkCancel(signal);
    progress('Quantizing', 10);
    const outcome = await quantizeLoadable(client, bytes, options, { reader, ranges }, baseDir, signal);
    notes.push(...outcome.notes);
    checkCancel(signal);
    progress(`Writing ${basename(output)}`, 5);
    const written = writeModelAtomic(output, outcome.model, { sourceDir: baseDir });
    const fileBytesAfter = written.bytes + written.dataBytes;
    const fileBytesBefore = statSync(request.input).size + externalBytes(original);

    progress('Comparing outputs with the original', 10);
    const accuracySets = sets.slice(0, Math.min(sets.length, 8));
    let acc: OutputAccuracy[] = [];
    let runProblem: string | undefined;
    let expected: Array<Record<string, TensorArray>> | undefined;
    try {
      expected = await client.runMany(request.input, accuracySets, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      runProblem = `the original model does not run in onnxruntime (${oneLine(error)})`;
    }
    if (expected) {
      try {
        const actual = await client.runMany(output, accuracySets.map((f) => adaptFeeds(f, outcome.model)), { signal });
        acc = accuracy(expected, actual);
      } catch (error) {
        if (signal?.aborted) throw error;
        runProblem = `the quantized model does not run in onnxruntime (${oneLine(error)})`;
      }
    }
    const budget = accuracyBudget(options);
    const pass = !runProblem && acc.length > 0 && acc.every((a) => a.problem === undefined && (Number.isNaN(a.cosine) || a.cosine >= budget));
    if (runProblem) notes.push(`Not verified: ${runProblem}.`);

    let latencyBefore: Latency | undefined;
    let latencyAfter: Latency | undefined;
    const lat = request.latency ?? { warmup: 3, iterations: 20 };
    if (lat.iterations > 0 && !runProblem) {
      progress('Measuring latency', 10);
      try {
        latencyBefore = await measureLatency(client, request.input, sets[0], { ...lat, signal });
        latencyAfter = await measureLatency(client, output, adaptFeeds(sets[0], outcome.model), { ...lat, signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        notes.push(`Latency could not be measured: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const opsets = (outcome.model.opsetImport ?? []);
    const newerThanChecker = opsets.some((o) => (o.domain && o.domain !== 'ai.onnx') ? o.domain === 'com.microsoft' : Number(o.version) > 17);
    const timeMs = performance.now() - started;
    const report: TransformReport & { details: QuantizeDetails } = {
      ...baseReport('quantize', decodeModel(bytes), outcome.model),
      source: request.input,
      output,
      fileBytesBefore,
      fileBytesAfter,
      timeMs,
      notes,
      verification: {
        ran: !runProblem, pass, ...(runProblem ? { problem: runProblem } : {}), tolerance: `cosine >= ${budget} for every float output (the ${options.mode} accuracy budget)`,
        comparisons: acc.map((a) => ({
          name: a.name, dtype: a.dtype, shape: a.shape, maxAbsError: a.maxAbsError, maxRelError: NaN, cosine: a.cosine,
          mismatches: a.cosine >= budget || Number.isNaN(a.cosine) ? 0 : a.count, count: a.count,
          pass: a.problem === undefined && (Number.isNaN(a.cosine) || a.cosine >= budget), ...(a.problem ? { problem: a.problem } : {}),
        })),
      },
      details: {
        mode: options.mode, format: outcome.format, options, counts: outcome.counts, tensors: outcome.tensors,
        weightBytesBefore: outcome.weightBytesBefore, weightBytesAfter: outcome.weightBytesAfter,
        weightRatio: outcome.weightBytesBefore / Math.max(1, outcome.weightBytesAfter),
        fileRatio: fileBytesBefore / Math.max(1, fileBytesAfter),
        quantizeMs: outcome.ms,
        throughputMBps: outcome.quantizedWeightBytes / 1e6 / Math.max(1e-6, outcome.ms / 1000),
        inputs: { source, sets: accuracySets.length },
        accuracy: acc, budget: { cosine: budget, pass },
        latencyBefore, latencyAfter, newerThanChecker,
      },
    };
    return { report, output, outcome };
  } finally {
    reader?.close();
  }
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

function externalBytes(model: ModelProto): number {
  let n = 0;
  for (const t of allTensors(model)) {
    if (!isExternal(t)) continue;
    const length = t.externalData?.find((e) => e.key === 'length')?.value;
    if (length) n += Number(length);
  }
  return n;
}

