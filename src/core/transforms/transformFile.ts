// The one transform pipeline, for every host: read the source, refuse one that fails the model checker,
// choose the input sets, run the transform, refuse a result that fails the checker (or, where the
// transform asks, that onnxruntime does not load), write it atomically,
// verify it against the source in onnxruntime, and hand back one report. Hosts only pick files and
// options and show what comes back.
import { dirname } from 'node:path';
import { checkInWorker } from '../check/checkInWorker.js';
import { checkModel } from '../check/checkModel.js';
import type { Problem } from '../check/problem.js';
import { UserError } from '../errors.js';
import { encodeModel, readModelFile } from '../model/decode.js';
import { ExternalDataReader, isExternal } from '../model/externalData.js';
import { allTensors, assertNotSameFile, writeModelAtomic } from '../model/modelFile.js';
import type { ModelProto } from '../model/proto.js';
import type { RuntimeClient } from '../runtime/client.js';
import { baseReport, type TransformReport } from './report.js';
import { admitRuntimeLoad } from './runtimeAdmission.js';
import { admitResult, admitSource } from './sourceChecks.js';
import type { Transform, TransformContext } from './transform.js';
import type { OptionSchema } from './optionSchema.js';
import { mergeInputChoice, prepareInputs, type InputChoice } from './verificationInputs.js';
import { criterionText, skippedVerification, verifyTransform, type VerificationPlan } from './verify.js';

export interface TransformRequest<O> {
  options: O;
  client: RuntimeClient;
  /** The host's input choice (CLI options, the editor's); merged with what the transform asks for. */
  inputs?: InputChoice;
  /** Run source and result on the same inputs and compare (default true). */
  verify?: boolean;
  /** A lossy transform's acceptance (minimum cosine similarity) instead of its default. */
  minCosine?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface TransformFileRequest<O> extends TransformRequest<O> {
  input: string;
  /** Written over when it exists (the host has asked or been told to); never the input itself. */
  output: string;
}

export interface TransformRun<D> {
  report: TransformReport & { details: D };
  model: ModelProto;
}

/** Where a transform's result goes by default: beside the source, `name.<tag>.onnx`. */
export function siblingOutputPath(input: string, tag: string): string {
  const dot = input.toLowerCase().endsWith('.onnx') ? input.length - 5 : input.length;
  return `${input.slice(0, dot)}.${tag}.onnx`;
}

/** The transform's verification with the request's acceptance applied. */
export function verificationPlan<O>(transform: Transform<OptionSchema, O, unknown>, options: O, minCosine?: number): VerificationPlan {
  const plan = transform.verification(options);
  if (minCosine === undefined) return plan;
  if (plan.criterion.kind !== 'cosine') throw new UserError(`A minimum cosine applies to lossy transforms; this ${transform.name} is compared by ${criterionText(plan.criterion)}.`);
  return { ...plan, criterion: { ...plan.criterion, min: minCosine, why: 'as asked' } };
}

interface ContextParts {
  client: RuntimeClient;
  external?: ExternalDataReader;
  baseDir?: string;
  bytes?: Uint8Array;
  inputs: TransformContext['inputs'];
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

function context(model: ModelProto, parts: ContextParts): TransformContext {
  let bytes = parts.bytes;
  return {
    client: parts.client, external: parts.external, baseDir: parts.baseDir, signal: parts.signal, inputs: parts.inputs,
    sourceBytes: () => (bytes ??= encodeModel(model)),
    progress: (message) => parts.onProgress?.(message),
  };
}

/** Runs the transform on a model in memory: the result and its report, without files or verification. */
export async function applyTransform<S extends OptionSchema, O, D>(transform: Transform<S, O, D>, model: ModelProto, options: O, ctx: TransformContext): Promise<TransformRun<D>> {
  const started = performance.now();
  const result = await transform.run(model, options, ctx);
  const timeMs = performance.now() - started;
  const report: TransformReport & { details: D } = {
    ...baseReport(transform.name, model, result.model),
    timeMs,
    notes: result.notes,
    ...(result.tables?.length ? { tables: result.tables } : {}),
    details: result.details,
  };
  return { report, model: result.model };
}

/** A context for a model in memory (tests, benchmarks): generated inputs unless `inputs` says otherwise. */
export function memoryContext<O>(transform: Transform<OptionSchema, O, unknown>, model: ModelProto, options: O, parts: Omit<ContextParts, 'inputs'> & { inputs?: InputChoice }): TransformContext {
  const inputs = prepareInputs(model, mergeInputChoice(parts.inputs ?? {}, transform.inputs?.(options) ?? {}));
  return context(model, { ...parts, inputs });
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

/**
 * The source, read and checked. The checker runs in a worker thread (it decodes the file itself) while
 * this thread decodes: on a large model the check then costs little more than the decode.
 */
async function readChecked(input: string, signal?: AbortSignal): Promise<{ model: ModelProto; bytes: Uint8Array; problems: Problem[] }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const checked = checkInWorker({ path: input, modelDir: dirname(input) }, stop.signal);
    // A file that does not decode is reported by the read below; the worker's answer is then not awaited.
    checked.catch(() => undefined);
    const { model, bytes } = await readModelFile(input);
    return { model, bytes, problems: await checked };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

/**
 * Reads `input`, transforms it, writes `output` (external data of the source carried over) and verifies
 * the written file against the source. Everything the user could have got wrong (options, input files,
 * dims, a source that fails the checker) fails before anything is written, as a UserError; a result that
 * fails the checker, or onnxruntime's load where the transform asks, is not written either (a ResultRefused,
 * with the report).
 */
export async function transformFile<S extends OptionSchema, O, D>(transform: Transform<S, O, D>, request: TransformFileRequest<O>): Promise<TransformRun<D>> {
  const { input, output, options, client, signal } = request;
  assertNotSameFile(input, output);
  const { model, bytes, problems } = await readChecked(input, signal);
  const tolerated = admitSource(input, problems, (p) => transform.tolerates?.(p, options) ?? false);
  const plan = verificationPlan(transform, options, request.minCosine);
  const inputs = prepareInputs(model, mergeInputChoice(request.inputs ?? {}, transform.inputs?.(options) ?? {}));
  const baseDir = dirname(input);
  const external = ExternalDataReader.forModel(input);
  const cancelled = () => {
    if (signal?.aborted) throw new UserError(`${transform.name[0].toUpperCase()}${transform.name.slice(1)} was cancelled.`);
  };
  try {
    const ctx = context(model, { client, external, baseDir, bytes, inputs, signal, onProgress: request.onProgress });
    const run = await applyTransform(transform, model, options, ctx);
    cancelled();
    ctx.progress(`Checking the ${transform.resultName}`);
    // In this thread: the result is in memory (a worker would need it encoded and decoded again), and on
    // the 50,000-node transformer the check takes a few percent of what folding it takes.
    const check = { input, transform: transform.name, resultName: transform.resultName, tolerated, report: { ...run.report, source: input }, tolerance: criterionText(plan.criterion) };
    admitResult(checkModel(run.model, { modelDir: baseDir, runtime: false }), check);
    if (transform.loadsBeforeWrite) {
      ctx.progress(`Loading the ${transform.resultName} in onnxruntime`);
      await admitRuntimeLoad(client, run.model, input, baseDir, check, signal);
    }
    ctx.progress(`Writing the ${transform.resultName}`);
    const written = writeModelAtomic(output, run.model, { sourceDir: baseDir });
    const { report } = run;
    report.source = input;
    report.output = output;
    report.fileBytesBefore = bytes.length + externalBytes(model);
    report.fileBytesAfter = written.bytes + written.dataBytes;
    if (request.verify === false) {
      report.verification = skippedVerification(plan.criterion);
    } else {
      ctx.progress(`Verifying: the original and the ${transform.resultName} on the same inputs`);
      report.verification = await verifyTransform({
        client, plan, original: { model, data: input }, result: { model: run.model, data: output }, baseDir, inputs, resultName: transform.resultName, signal,
      });
    }
    cancelled();
    await transform.afterVerify?.(report, options, { source: input, output }, run.model, ctx);
    return run;
  } finally {
    external.close();
  }
}
