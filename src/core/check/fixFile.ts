// A model file fixed into a new file beside it: the quick fixes applied, the result checked (a fix that
// adds an error is not written), written atomically, run beside the original on the same inputs, and
// checked again. The report says what changed, whether the outputs match, and which problems remain.
// Not the transform pipeline: that refuses the invalid models (a value defined twice) that these fixes
// exist for.
import { dirname } from 'node:path';
import { oneLine, UserError } from '../errors.js';
import { encodeModel, readModelFile } from '../model/decode.js';
import { assertNotSameFile, writeModelAtomic } from '../model/modelFile.js';
import type { RuntimeClient } from '../runtime/client.js';
import { baseReport, type TransformReport } from '../transforms/report.js';
import { ResultRefused } from '../transforms/sourceChecks.js';
import { prepareInputs } from '../transforms/verificationInputs.js';
import { criterionText, verifyTransform } from '../transforms/verify.js';
import { checkInWorker } from './checkInWorker.js';
import { applyFixes, fixableProblems, isAppliedFix, type AppliedFix, type FixChange } from './fixes.js';
import { countBySeverity, describeLocation, type Problem, type QuickFixKind } from './problem.js';

/** Sorting and renaming change no arithmetic; an opset adapter may, by float noise. */
export const fixTolerance = { rtol: 1e-5, atol: 1e-5 };

export interface FixFileOptions {
  client: RuntimeClient;
  /** Fixes to apply; default: every fix the model's problems offer. */
  fixes?: QuickFixKind[];
  /** The opset to convert to (the 'convert-opset' fix); default: what the problems call for. */
  opset?: number;
  /** The checker's problems of `input` when known (an open editor has them); else it is checked. */
  problems?: Problem[];
  /**
   * Like a transform (the CLI's `check --fix`): a source with an error that the fixes do not address is
   * refused (UserError), and so is a result with any error (ResultRefused). Otherwise (the editor) the
   * fixes are applied to what they address, and only a result with an error the source did not have is
   * refused.
   */
  strict?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface FixFileResult {
  report: TransformReport;
  changes: FixChange[];
  /** Problems of the original that the applied fixes address. */
  addressed: Problem[];
  /** The checker's verdict on the written file. */
  remaining: Problem[];
}

export function problemCountText(problems: readonly Problem[]): string {
  const c = countBySeverity(problems);
  const parts = ([['error', c.error], ['warning', c.warning], ['info', c.info]] as const).filter(([, n]) => n).map(([s, n]) => `${n} ${s}${n === 1 || s === 'info' ? '' : 's'}`);
  return parts.join(', ') || 'no problems';
}

/**
 * The fixed model's errors that make it unfit to write: strict, every one; else those the source did not
 * have (more of a rule than the source had: messages name node positions, which sorting moves).
 */
function fixErrors(before: readonly Problem[], after: readonly Problem[], strict: boolean): Problem[] {
  const errors = after.filter((p) => p.severity === 'error');
  if (strict) return errors;
  const budget = new Map<string, number>();
  for (const p of before) budget.set(p.rule, (budget.get(p.rule) ?? 0) + 1);
  return errors.filter((p) => {
    const left = budget.get(p.rule) ?? 0;
    budget.set(p.rule, left - 1);
    return left <= 0;
  });
}

/** Reads `input`, applies the fixes and writes `output` (never over `input`), verified and checked. */
export async function fixModelFile(input: string, output: string, options: FixFileOptions): Promise<FixFileResult> {
  const { client, signal } = options;
  assertNotSameFile(input, output);
  const started = performance.now();
  const { model, bytes } = await readModelFile(input);
  const baseDir = dirname(input);
  // The checks run in a worker thread: seconds for a large model, which the extension host must not spend.
  const before = options.problems ?? (await checkInWorker({ path: input, modelDir: baseDir }, signal));
  const offered = fixableProblems(before);
  const wanted = (options.fixes ?? [...offered.keys()]).filter((k): k is AppliedFix => isAppliedFix(k) && offered.has(k));
  if (!wanted.length) throw new UserError('The model has no problems that these fixes address.');
  const addressed = wanted.flatMap((k) => offered.get(k) ?? []);
  const errorsBefore = before.filter((p) => p.severity === 'error');
  if (options.strict) {
    const left = errorsBefore.filter((p) => !addressed.includes(p));
    if (left.length) throw new UserError(`${input} has ${left.length === 1 ? 'an error' : `${left.length} errors`} that no fix addresses: ${describeLocation(left[0].where)}: ${left[0].message}; run \`onnx-lens check ${input}\` for the list.`);
  }
  const inputs = prepareInputs(model, {});
  options.onProgress?.('Applying the fixes');
  const { model: fixed, changes } = applyFixes(model, wanted, { opset: options.opset });
  if (signal?.aborted) throw new UserError('Fixing was cancelled.');

  const report: TransformReport = {
    ...baseReport('fix', model, fixed),
    timeMs: performance.now() - started,
    notes: changes.map((c) => `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`),
    tables: [{ title: 'Changes made', columns: ['fix', 'change'], rows: changes.flatMap((c) => c.details.map((d) => [c.fix, d])) }],
  };
  report.source = input;
  options.onProgress?.('Checking the fixed model');
  const checked = await checkInWorker({ bytes: encodeModel(fixed), modelDir: baseDir }, signal);
  const broken = fixErrors(errorsBefore, checked, options.strict ?? false);
  if (broken.length) {
    const why = `the fixed model fails the checker (${broken.length} error${broken.length === 1 ? '' : 's'}): ${describeLocation(broken[0].where)}: ${broken[0].message}`;
    report.notes.push(`Nothing was written: ${why}. That is a bug in the fixes.`);
    report.verification = { status: 'not-run', ran: false, pass: false, tolerance: criterionText({ kind: 'tolerance', ...fixTolerance }), comparisons: [], problem: `${why}; nothing was written` };
    throw new ResultRefused(`Nothing written: ${why} (a bug in the fixes).`, report);
  }
  options.onProgress?.('Writing the fixed model');
  const written = writeModelAtomic(output, fixed, { sourceDir: baseDir });
  report.output = output;
  report.fileBytesBefore = bytes.length;
  report.fileBytesAfter = written.bytes + written.dataBytes;

  // What was written is checked, not the object in memory.
  options.onProgress?.('Checking the fixed model');
  const remaining = await checkInWorker({ path: output, modelDir: dirname(output) }, signal);
  report.notes.push(`Problems before: ${problemCountText(before)}; after: ${problemCountText(remaining)}.`);
  if (remaining.length) report.tables!.push({ title: 'Problems left', columns: ['severity', 'rule', 'where', 'message'], rows: remaining.map((p) => [p.severity, p.rule, describeLocation(p.where), p.message]) });
  report.details = { fixes: wanted, problemsBefore: before.length, problemsAfter: remaining.length };

  options.onProgress?.('Verifying: the original and the fixed model on the same inputs');
  const verification = await verifyTransform({
    client, plan: { criterion: { kind: 'tolerance', ...fixTolerance } }, original: { model, data: input }, result: { model: fixed, data: output },
    baseDir, inputs, resultName: 'fixed model', signal,
  });
  report.verification = verification;
  if (verification.status === 'not-run' && /^the original model does not run/.test(verification.problem ?? '')) {
    // Often what the fixes are for (onnxruntime refuses repeated node names): say whether the result runs.
    try {
      await client.run(output, inputs().sets[0], { signal });
      report.notes.push('The fixed model runs in onnxruntime.');
    } catch (error) {
      if (signal?.aborted) throw error;
      report.notes.push(`The fixed model does not run in onnxruntime either: ${oneLine(error)}`);
    }
  }
  return { report, changes, addressed, remaining };
}
