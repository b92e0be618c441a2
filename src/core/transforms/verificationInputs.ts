// The one place where a transform run's inputs are chosen: the input specification (files, whole shapes,
// symbolic dim sizes, inline values, how to generate the rest), resolved by the same resolver as `run`
// and the test-run view, so sizes and values nobody gave come from what the model says and are named in
// the report. Calibration (static quantization) and verification both read what this returns, for every
// transform and every host.
import { UserError } from '../errors.js';
import type { ModelProto } from '../model/proto.js';
import type { TensorArray } from '../model/tensorValues.js';
import type { ModelHints } from '../runtime/inputHints.js';
import { resolveInputs, type ResolvedInputs } from '../runtime/inputResolve.js';
import type { InputSpec } from '../runtime/inputSpec.js';

export interface InputChoice extends InputSpec {
  /** Generated sets (seeds seed, seed+1, ...); default 1. Files give their own sets. */
  count?: number;
}

export interface InputSets {
  sets: Array<Record<string, TensorArray>>;
  /** Where they came from, for the report. */
  source: string;
  /** Each set's name: the file or folder it came from, or `seed N` for a generated one. */
  names?: string[];
}

/** The host's choice (CLI options, the editor's) with the transform's own (quantize's --calibration, set counts). */
export function mergeInputChoice(host: InputChoice, own: Partial<InputChoice>): InputChoice {
  if (host.files?.length && own.files?.length) throw new UserError('Give the input sets once (--data or the transform\'s own option), not both.');
  const files = host.files?.length ? host.files : own.files;
  const merged: InputChoice = { ...own, ...host, dims: { ...(own.dims ?? {}), ...(host.dims ?? {}) } };
  if (files?.length) merged.files = files;
  else delete merged.files;
  merged.count = host.count ?? own.count;
  merged.seed = host.seed ?? own.seed;
  return merged;
}

/** `batch = 1, sr = 16000`: what the resolver assumed, for the report's inputs line. */
function assumedText(resolved: ResolvedInputs): string {
  return resolved.assumptions.length ? `; assumed: ${resolved.assumptions.map((a) => `${a.subject} = ${a.value} (${a.reason})`).join(', ')}` : '';
}

function given(spec: InputSpec): boolean {
  return !!(spec.files?.length || Object.keys(spec.shapes ?? {}).length || Object.keys(spec.values ?? {}).length || Object.keys(spec.dims ?? {}).length);
}

/**
 * Checks what the user gave before anything is written (files exist and fit the model, names and sizes
 * exist): its mistakes are one-line errors. Sets generated from the declared types alone are made on first
 * use, so that a model whose inputs cannot be generated (a sequence input) is still transformed and its
 * verification says why it could not run.
 */
export function prepareInputs(model: ModelProto, choice: InputChoice): () => InputSets {
  const { count: asked, ...spec } = choice;
  const count = Math.max(1, asked ?? 1);
  const seed = spec.seed ?? 0;
  const cache: { hints?: ModelHints } = {};
  let first = given(spec) ? resolveInputs(model, spec, cache) : undefined;
  let made: InputSets | undefined;
  return () => {
    if (made) return made;
    first ??= resolveInputs(model, spec, cache);
    if (spec.files?.length) {
      const generated = first.dataSets.some((s) => s.fed?.some((f) => f.source === 'generated'));
      made = { sets: first.dataSets.map((s) => s.inputs), source: generated ? `${first.summary}${assumedText(first)}` : spec.files.join(', '), names: first.dataSets.map((s) => s.name) };
    } else {
      const sets = [first.dataSets[0].inputs];
      for (let i = 1; i < count; i++) sets.push(resolveInputs(model, { ...spec, seed: seed + i }, cache).dataSets[0].inputs);
      made = { sets, names: sets.map((_, i) => `seed ${seed + i}`), source: `${count} generated input set${count === 1 ? '' : 's'}: ${first.summary}${count > 1 ? ` (seeds ${seed} to ${seed + count - 1})` : ''}${assumedText(first)}` };
    }
    return made;
  };
}
