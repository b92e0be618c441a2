// A model file fixed into a new file beside it: the quick fixes applied, the result written atomically,
// run beside the original on the same inputs, and checked again. The report says what changed, whether
// the outputs match, and which problems remain.
import { dirname } from 'node:path';
import { oneLine, UserError } from '../errors.js';
import { readModelFile } from '../model/decode.js';
import { assertNotSameFile } from '../model/modelFile.js';
import type { RuntimeClient } from '../runtime/client.js';
import { generateInputs } from '../runtime/inputs.js';
import { baseReport, verifyModels, writeTransformed, type TransformReport } from '../transforms/report.js';
import { checkInWorker } from './checkInWorker.js';
import { applyFixes, fixableProblems, isAppliedFix, type AppliedFix, type FixChange } from './fixes.js';
import { countBySeverity, describeLocation, type Problem, type QuickFixKind } from './problem.js';

/** Sorting and renaming change no arithmetic: the outputs must agree to float noise. */
export const fixTolerance = { rtol: 1e-5, atol: 1e-5 };

export interface FixFileOptions {
  client: RuntimeClient;
  /** Fixes to apply; default: every fix the model's problems offer. */
  fixes?: QuickFixKind[];
  /** The checker's problems of `input` when known (an open editor has them); else it is checked. */
  problems?: Problem[];
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

function countText(problems: readonly Problem[]): string {
  const c = countBySeverity(problems);
  const parts = ([['error', c.error], ['warning', c.warning], ['info', c.info]] as const).filter(([, n]) => n).map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`);
  return parts.join(', ') || 'no problems';
}

/** Reads `input`, applies the fixes and writes `output` (never over `input`), verified and checked. */
export async function fixModelFile(input: string, output: string, options: FixFileOptions): Promise<FixFileResult> {
  assertNotSameFile(input, output);
  const started = performance.now();
  const { model, bytes } = await readModelFile(input);
  // The checks run in a worker thread: seconds for a large model, which the extension host must not spend.
  const before = options.problems ?? (await checkInWorker({ path: input, modelDir: dirname(input) }, options.signal));
  const offered = fixableProblems(before);
  const wanted = (options.fixes ?? [...offered.keys()]).filter((k): k is AppliedFix => isAppliedFix(k) && offered.has(k));
  if (!wanted.length) throw new UserError('The model has no problems that these fixes address.');
  const addressed = wanted.flatMap((k) => offered.get(k) ?? []);
  options.onProgress?.('Applying the fixes');
  const { model: fixed, changes } = applyFixes(model, wanted);
  if (options.signal?.aborted) throw new UserError('Fixing was cancelled.');

  const report: TransformReport = {
    ...baseReport('fix', model, fixed),
    timeMs: performance.now() - started,
    notes: changes.map((c) => `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`),
    tables: [{ title: 'Changes made', columns: ['fix', 'change'], rows: changes.flatMap((c) => c.details.map((d) => [c.fix, d])) }],
  };
  options.onProgress?.('Writing the fixed model');
  writeTransformed(report, fixed, input, output, bytes.length);

  // What was written is checked, not the object in memory.
  options.onProgress?.('Checking the fixed model');
  const remaining = await checkInWorker({ path: output, modelDir: dirname(output) }, options.signal);
  report.notes.push(`Problems before: ${countText(before)}; after: ${countText(remaining)}.`);
  if (remaining.length) report.tables!.push({ title: 'Problems left', columns: ['severity', 'rule', 'where', 'message'], rows: remaining.map((p) => [p.severity, p.rule, describeLocation(p.where), p.message]) });
  report.details = { fixes: wanted, problemsBefore: before.length, problemsAfter: remaining.length };

  options.onProgress?.('Verifying: original and fixed model on the same inputs');
  report.verification = await verifyModels(options.client, input, output, { ...fixTolerance, signal: options.signal });
  if (!report.verification.ran) {
    // The original may be what onnxruntime refuses (an SSA violation): say whether the result runs.
    try {
      await options.client.run(output, generateInputs(fixed, { seed: 0 }), { signal: options.signal });
      report.notes.push(`The outputs could not be compared (${report.verification.problem}); the fixed model runs in onnxruntime.`);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      report.notes.push(`The fixed model does not run in onnxruntime either: ${oneLine(error)}`);
    }
  }
  return { report, changes, addressed, remaining };
}
