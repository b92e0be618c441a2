// The model checker (src/core/check) on both ends of a transform. A source with errors is refused before
// anything runs: a rewrite of an invalid model writes something that only looks like a result (one line,
// the CLI exits 2, nothing written). A result with errors is never written: the transform broke it (the
// CLI exits 1, nothing written).
//
// What a source may have and still be transformed (decided here, once for every transform):
// - warnings and notes never block: nodes out of topological order (onnxruntime loads them; the rewrites
//   read the graph through its producers, not its order), repeated node names, shadowed names,
//   experimental ops, and onnxruntime-node's support: an opset below 7 or above 26 is valid ONNX, and
//   only the verification depends on onnxruntime running it (the report says so when it cannot);
// - errors block every transform, except the ones a transform says it resolves (Transform.tolerates):
//   convert-opset takes a type its opset does not allow yet, an opset version that does not exist and a
//   feature newer than the IR version, because converting is their fix. The result is checked like any
//   other: where the same problem is still there (the target opset did not resolve it) the source is
//   refused after all, as the user's input; a new problem is the transform's fault.
import { UserError } from '../errors.js';
import { fixableProblems } from '../check/fixes.js';
import { describeLocation, type Problem } from '../check/problem.js';
import type { TransformReport } from './report.js';

function errorsOf(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => p.severity === 'error');
}

/** '3 errors', or 'more than 1000 errors' when the checker stopped listing them. */
function errorCount(errors: readonly Problem[]): string {
  const listed = errors.filter((p) => p.rule !== 'too-many-problems').length;
  const more = errors.length > listed ? 'more than ' : '';
  return `${more}${listed} error${listed === 1 && !more ? '' : 's'}`;
}

function problemText(p: Problem): string {
  return `${describeLocation(p.where)}: ${p.message}`;
}

/** `onnx-lens check IN`, with --fix when a quick fix addresses every error. */
function checkHint(input: string, errors: readonly Problem[]): string {
  const fixable = new Set([...fixableProblems(errors).values()].flat());
  return errors.every((p) => fixable.has(p)) ? `run \`onnx-lens check ${input} --fix\` to fix it` : `run \`onnx-lens check ${input}\` for the list`;
}

/** A result error the same as a tolerated source error: the transform did not resolve it. */
function sameProblem(a: Problem, b: Problem): boolean {
  return a.rule === b.rule && a.message === b.message;
}

/**
 * The source's problems that the transform may start on (see the top of this file); throws a one-line
 * UserError for a source with any other error. Returns the tolerated errors.
 */
export function admitSource(input: string, problems: readonly Problem[], tolerates: (p: Problem) => boolean): Problem[] {
  const errors = errorsOf(problems);
  const refused = errors.filter((p) => !tolerates(p));
  if (refused.length) throw new UserError(`${input} fails the checker (${errorCount(errors)}): ${problemText(refused[0])}; ${checkHint(input, errors)}.`);
  return errors;
}

/** The result is not written: the transform produced a model that fails the checker. */
export class ResultRefused extends UserError {
  constructor(message: string, readonly report: TransformReport) {
    super(message);
    this.name = 'ResultRefused';
  }
}

export interface ResultCheck {
  input: string;
  transform: string;
  resultName: string;
  /** The source errors admitSource tolerated. */
  tolerated: readonly Problem[];
  report: TransformReport;
  /** The verification's criterion in words, for the report. */
  tolerance: string;
}

/**
 * Throws when the result has errors: a UserError when they are tolerated source errors still there (the
 * user's choice did not resolve them), else a ResultRefused whose report says why nothing was written.
 */
export function admitResult(problems: readonly Problem[], check: ResultCheck): void {
  const errors = errorsOf(problems);
  if (!errors.length) return;
  const carried = errors.filter((p) => check.tolerated.some((t) => sameProblem(p, t)));
  if (carried.length === errors.length) {
    throw new UserError(`${check.input} fails the checker, and so would the ${check.resultName} (${errorCount(errors)}): ${problemText(carried[0])}; run \`onnx-lens check ${check.input}\` for the list.`);
  }
  const first = errors.find((p) => !carried.includes(p))!;
  refuseResult(`the ${check.resultName} fails the checker (${errorCount(errors)}): ${problemText(first)}`, check);
}

/** Throws the ResultRefused for `why` (the transform's fault unless `bug` is false): nothing was written. */
export function refuseResult(why: string, check: Pick<ResultCheck, 'transform' | 'report' | 'tolerance'>, bug = true): never {
  const { report } = check;
  report.output = undefined;
  report.notes.push(`Nothing was written: ${why}.${bug ? ` That is a bug in ${check.transform}.` : ''}`);
  report.verification = { status: 'not-run', ran: false, pass: false, tolerance: check.tolerance, comparisons: [], problem: `${why}; nothing was written` };
  throw new ResultRefused(`Nothing written: ${why}${bug ? ` (a bug in ${check.transform})` : ''}.`, report);
}
