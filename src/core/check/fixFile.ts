// A model file fixed into a new file beside it: the quick fixes applied, the result written atomically,
// run beside the original on the same inputs, and checked again. The report says what changed, whether
// the outputs match, and which problems remain. Not the transform pipeline: that refuses the invalid
// models (a value defined twice) that these fixes exist for.
import { dirname } from 'node:path';
import { oneLine, UserError } from '../errors.js';
import { readModelFile } from '../model/decode.js';
import { assertNotSameFile, writeModelAtomic } from '../model/modelFile.js';
import type { RuntimeClient } from '../runtime/client.js';
import { baseReport, type TransformReport } from '../transforms/report.js';
import { prepareInputs } from '../transforms/verificationInputs.js';
import { verifyTransform } from '../transforms/verify.js';
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
  options.onProgress?.('Writing the fixed model');
  const written = writeModelAtomic(output, fixed, { sourceDir: baseDir });
  report.source = input;
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
