// Verification of a transform: the original and the result run in onnxruntime on the same input sets,
// their outputs compared by the transform's criterion. The verdict is one of five, and only 'pass'
// (and 'skipped' on request) counts as success: a verification that could not run, or whose reference
// outputs are all constant, proves nothing and says why.
import { oneLine } from '../errors.js';
import { encodeModel } from '../model/decode.js';
import { onnx, type ModelProto } from '../model/proto.js';
import type { RuntimeClient } from '../runtime/client.js';
import { classHinted } from '../runtime/compare.js';
import { applyRule, ruleText, type AccuracyRule } from './accuracyRule.js';
import { expectedOutputSets } from './expectedOutputs.js';
import { adaptFeeds, compareRuns, type Feeds, type OutputCheck } from './compareRuns.js';
import { cloneModel } from './graphEdit.js';
import { realInputsHint, type Verification, type VerificationStatus } from './report.js';
import type { InputSets } from './verificationInputs.js';

/** How the outputs of the original and the result are judged. */
export type Criterion =
  /** Every element within atol + rtol * |expected|; integer, bool and string outputs exactly. */
  | { kind: 'tolerance'; rtol: number; atol: number; text?: string }
  /**
   * A lossy transform: every float output's cosine similarity with the original's at least `min`; with
   * `rule`, the accuracy rule instead (accuracyRule.ts: SNR or range error, cosine where there is spread).
   */
  | { kind: 'cosine'; min: number; why: string; rule?: Omit<AccuracyRule, 'minCosine'> };

export interface VerificationPlan {
  criterion: Criterion;
  /** Input sets compared (the first ones of the input choice); default 1. */
  sets?: number;
  /** Values of the original added as outputs before it runs (extraction compares inner values). */
  expose?: string[];
  /** Result inputs fed from the original's values of the same name instead of the input sets. */
  feedFromOriginal?: string[];
  /** Outputs compared; default every declared output of the original. */
  outputs?: string[];
  /**
   * When the original does not run in onnxruntime (an opset below 7): the result is run on the
   * test_data_set_N folders beside the original and judged against their expected outputs by this.
   */
  whenOriginalCannotRun?: Criterion;
  /** The sets to verify on, chosen from the run's (quantize: the held-out calibration samples) or elsewhere. */
  inputs?: (run: () => InputSets, original: ModelProto) => InputSets;
}


export function criterionText(criterion: Criterion): string {
  if (criterion.kind === 'cosine' && criterion.rule) return `${ruleText({ ...criterion.rule, minCosine: criterion.min })}, ${criterion.why}`;
  return criterion.kind === 'cosine'
    ? `cosine >= ${criterion.min} for every float output, ${criterion.why}`
    : criterion.text ?? `atol ${criterion.atol}, rtol ${criterion.rtol}; integer outputs exactly`;
}

export function skippedVerification(criterion: Criterion): Verification {
  return { status: 'skipped', ran: false, pass: false, tolerance: criterionText(criterion), comparisons: [], problem: 'skipped on request (--no-verify)' };
}

export interface VerifyTarget {
  model: ModelProto;
  /** A path (external data resolves beside it) or encoded bytes (then relative to baseDir). */
  data: Uint8Array | string;
}

export interface VerifyRequest {
  client: RuntimeClient;
  plan: VerificationPlan;
  original: VerifyTarget;
  result: VerifyTarget;
  baseDir?: string;
  inputs: () => InputSets;
  /** 'folded model': how messages name the result. */
  resultName: string;
  signal?: AbortSignal;
}

/** The original with extra values as outputs, so that their values can be compared or fed on. */
function exposed(model: ModelProto, names: string[]): Uint8Array {
  const copy = cloneModel(model);
  const declared = new Set((copy.graph!.output ?? []).map((o) => o.name));
  copy.graph!.output ??= [];
  for (const name of names) if (!declared.has(name)) copy.graph!.output.push(onnx.ValueInfoProto.create({ name }));
  return encodeModel(copy);
}

/** Runs each set in one session; `feedsFor` picks the feeds once the session's input names are known. */
async function runSets(client: RuntimeClient, data: Uint8Array | string, count: number, feedsFor: (set: number, inputs: string[]) => Feeds, options: { baseDir?: string; signal?: AbortSignal }): Promise<Feeds[]> {
  const session = await client.open(data, { signal: options.signal, ...(typeof data !== 'string' && options.baseDir ? { baseDir: options.baseDir } : {}) });
  try {
    const names = session.inputs.map((i) => i.name);
    const results: Feeds[] = [];
    for (let s = 0; s < count; s++) results.push((await session.run(feedsFor(s, names), { signal: options.signal })).outputs);
    return results;
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** The feeds a session asks for; names without a value are left out (initializer-backed inputs keep their default). */
function pick(feeds: Feeds, names: string[], from: Feeds | undefined, fromNames: Set<string>): Feeds {
  const out: Feeds = {};
  for (const name of names) {
    const value = fromNames.has(name) ? from?.[name] : feeds[name];
    if (value) out[name] = value;
  }
  return out;
}

function judge(checks: OutputCheck[], criterion: Criterion): { status: VerificationStatus; problem?: string } {
  if (checks.length === 0) return { status: 'inconclusive', problem: 'the model has no outputs to compare' };
  if (checks.some((c) => !c.pass)) return { status: 'fail' };
  if (criterion.kind === 'cosine' && !checks.some((c) => c.float && !Number.isNaN(c.cosine))) {
    return { status: 'inconclusive', problem: 'no output is a float tensor, so cosine similarity judges nothing' };
  }
  if (checks.every((c) => c.constant)) {
    return { status: 'inconclusive', problem: `every output of the original is constant on these inputs (${checks.map((c) => `${c.name}: all ${c.constantValue}`).join('; ')}), so matching it proves little; ${realInputsHint}` };
  }
  return { status: 'pass' };
}

export async function verifyTransform(request: VerifyRequest): Promise<Verification> {
  const { client, plan, signal } = request;
  const tolerance = criterionText(plan.criterion);
  const minCosine = plan.criterion.kind === 'cosine' ? { minCosine: plan.criterion.min } : {};
  const notRun = (problem: string, inputs?: string): Verification => ({ status: 'not-run', ran: false, pass: false, tolerance, ...minCosine, comparisons: [], problem, ...(inputs ? { inputs } : {}) });
  let inputs: InputSets;
  try {
    inputs = plan.inputs ? plan.inputs(request.inputs, request.original.model) : request.inputs();
  } catch (error) {
    return notRun(`no inputs to run it on: ${oneLine(error)}`);
  }
  const sets = inputs.sets.slice(0, Math.max(1, plan.sets ?? 1));
  const expose = plan.expose ?? [];
  const fromOriginal = new Set(plan.feedFromOriginal ?? []);
  const runOptions = { baseDir: request.baseDir, signal };
  let expected: Feeds[];
  try {
    const data = expose.length ? exposed(request.original.model, expose) : request.original.data;
    expected = await runSets(client, data, sets.length, (s, names) => pick(sets[s], names, undefined, new Set()), runOptions);
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = `the original model does not run in onnxruntime (${oneLine(error)})`;
    if (!plan.whenOriginalCannotRun) return notRun(why, inputs.source);
    return verifyAgainstExpected(request, plan.whenOriginalCannotRun, why);
  }
  let actual: Feeds[];
  try {
    actual = await runSets(client, request.result.data, sets.length, (s, names) => adaptFeeds(pick(sets[s], names, expected[s], fromOriginal), request.result.model), runOptions);
  } catch (error) {
    if (signal?.aborted) throw error;
    return notRun(`the ${request.resultName} does not run in onnxruntime (${oneLine(error)})`, inputs.source);
  }
  const names = plan.outputs ?? (request.original.model.graph?.output ?? []).map((o) => o.name ?? '');
  const criterion = plan.criterion;
  const checks = compareRuns(names, expected, actual, criterion.kind === 'cosine' ? { rtol: 0, atol: 0 } : criterion, classHints(request.original.model, names));
  const decided = judgeLossy(checks, criterion);
  const verdict = judge(checks, criterion);
  const constant = checks.filter((c) => c.constant).map((c) => `${c.name} (all ${c.constantValue})`);
  return {
    status: verdict.status, ran: true, pass: verdict.status === 'pass', tolerance, ...minCosine, comparisons: checks, inputs: inputs.source, sets: sets.length,
    ...(verdict.problem ? { problem: verdict.problem } : {}), ...(constant.length ? { constant } : {}),
    ...(decided && verdict.status !== 'inconclusive' ? { decided } : {}),
  };
}

function classHints(model: ModelProto, names: string[]): Set<string> {
  return new Set(names.filter((n) => classHinted(model, n)));
}

/**
 * Lossy criteria judge float outputs their own way (other outputs are shown, not judged); the rule's
 * words for the verdict come back when there is a rule.
 */
function judgeLossy(checks: OutputCheck[], criterion: Criterion): string | undefined {
  if (criterion.kind !== 'cosine') return undefined;
  if (criterion.rule) return applyRule(checks, { ...criterion.rule, minCosine: criterion.min });
  for (const c of checks) c.pass = !c.problem && (!c.float || Number.isNaN(c.cosine) || c.cosine >= criterion.min);
  return undefined;
}

/** The result on the recorded cases beside the original, judged against their expected outputs. */
async function verifyAgainstExpected(request: VerifyRequest, criterion: Criterion, why: string): Promise<Verification> {
  const tolerance = criterionText(criterion);
  const path = typeof request.original.data === 'string' ? request.original.data : undefined;
  const found = path ? expectedOutputSets(path, request.original.model) : { sets: [], problem: 'the original was given as bytes, not a file' };
  if (found.sets.length === 0) {
    return { status: 'not-run', ran: false, pass: false, tolerance, comparisons: [], problem: `verification was impossible: ${why}, and ${found.problem}` };
  }
  const { sets } = found;
  let actual: Feeds[];
  try {
    actual = await runSets(request.client, request.result.data, sets.length, (s, names) => adaptFeeds(pick(sets[s].inputs, names, undefined, new Set()), request.result.model), { baseDir: request.baseDir, signal: request.signal });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    return { status: 'not-run', ran: false, pass: false, tolerance, comparisons: [], problem: `the ${request.resultName} does not run in onnxruntime (${oneLine(error)})` };
  }
  const names = request.plan.outputs ?? (request.original.model.graph?.output ?? []).map((o) => o.name ?? '');
  const checks = compareRuns(names, sets.map((s) => s.expected), actual, criterion.kind === 'cosine' ? { rtol: 0, atol: 0 } : criterion, classHints(request.original.model, names));
  const decided = judgeLossy(checks, criterion);
  const verdict = judge(checks, criterion);
  const source = `${sets.map((s) => s.name).join(', ')} beside the original, against their expected outputs (${why})`;
  return {
    status: verdict.status, ran: true, pass: verdict.status === 'pass', tolerance, comparisons: checks, inputs: source, sets: sets.length,
    ...(verdict.problem ? { problem: verdict.problem } : {}), ...(decided && verdict.status !== 'inconclusive' ? { decided } : {}),
  };
}
