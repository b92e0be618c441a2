// After each edit: the checker's rules and shape inference on the result. Only problems the edit
// introduced count (the model may have had some before): new errors refuse the edit, new warnings are
// reported with it. Problems are compared by rule and count, as their messages name values that an
// edit may have renamed.
import { checkModel } from '../check/checkModel.js';
import { describeLocation, type Problem, type Severity } from '../check/problem.js';
import type { ModelProto } from '../model/proto.js';
import { EditRefused } from './errors.js';
import { computedTypes, shapeConflicts } from './shapeConflicts.js';

export interface Validation {
  problems: Problem[];
  warnings: string[];
}

function introduced(before: readonly Problem[], after: readonly Problem[], severity: Severity): Problem[] {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  for (const p of before) {
    if (p.severity !== severity) continue;
    counts.set(p.rule, (counts.get(p.rule) ?? 0) + 1);
    seen.add(`${p.rule}\u0000${p.message}`);
  }
  const byRule = new Map<string, Problem[]>();
  for (const p of after) if (p.severity === severity) byRule.set(p.rule, [...(byRule.get(p.rule) ?? []), p]);
  const result: Problem[] = [];
  for (const [rule, list] of byRule) {
    const extra = list.length - (counts.get(rule) ?? 0);
    if (extra <= 0) continue;
    // The new ones are those whose message the model did not have; failing that, the last ones.
    const fresh = list.filter((p) => !seen.has(`${p.rule}\u0000${p.message}`));
    result.push(...(fresh.length >= extra ? fresh.slice(0, extra) : list.slice(-extra)));
  }
  return result;
}

function line(p: Problem): string {
  return `${describeLocation(p.where)}: ${p.message}`;
}

export function validateEdit(before: ModelProto, after: ModelProto, options: { modelDir?: string; baseline?: Problem[]; shapes?: boolean }): Validation {
  const baseline = options.baseline ?? checkModel(before, { modelDir: options.modelDir });
  const problems = checkModel(after, { modelDir: options.modelDir });
  const errors = introduced(baseline, problems, 'error');
  if (errors.length) throw new EditRefused(`Refused: the model would be invalid (${line(errors[0])}${errors.length > 1 ? `, and ${errors.length - 1} more` : ''}).`);
  if (options.shapes) {
    const types = computedTypes(before);
    const old = new Set(shapeConflicts(before, types));
    const conflicts = shapeConflicts(after, computedTypes(after), types).filter((c) => !old.has(c));
    if (conflicts.length) throw new EditRefused(`Refused: shapes would not agree (${conflicts[0]}${conflicts.length > 1 ? `, and ${conflicts.length - 1} more` : ''}).`);
  }
  return { problems, warnings: introduced(baseline, problems, 'warning').map(line) };
}
