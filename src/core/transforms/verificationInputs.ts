// The one place where a transform run's inputs are chosen: the user's files, or sets generated from
// the declared input types with symbolic dims the user sized. Calibration (static quantization) and
// verification both read what this returns, for every transform and every host.
import { UserError } from '../errors.js';
import type { ModelProto } from '../model/proto.js';
import type { TensorArray } from '../model/tensorValues.js';
import { formatDimAssignments, freeDims, generateInputs } from '../runtime/inputs.js';
import { loadInputSources, missingInputs } from '../runtime/testData.js';

export interface InputChoice {
  /** Folders or files with input sets (test_data_set_N folders, .pb/.npy/.json files). */
  files?: string[];
  /** Sizes of symbolic dims (and of unnamed ones as `input[axis]`) for generated sets. */
  dims?: Record<string, number>;
  /** Generated sets (seeds seed, seed+1, ...); default 1. */
  count?: number;
  seed?: number;
}

export interface InputSets {
  sets: Array<Record<string, TensorArray>>;
  /** Where they came from, for the report. */
  source: string;
}

/** The host's choice (CLI options, the editor's) with the transform's own (quantize's --calibration, set counts). */
export function mergeInputChoice(host: InputChoice, own: Partial<InputChoice>): InputChoice {
  if (host.files?.length && own.files?.length) throw new UserError('Give the input sets once (--data or the transform\'s own option), not both.');
  return {
    files: host.files?.length ? host.files : own.files,
    dims: { ...(own.dims ?? {}), ...(host.dims ?? {}) },
    count: host.count ?? own.count,
    seed: host.seed ?? own.seed,
  };
}

/** Dims the model has no symbol or unnamed axis for are a mistake worth one line, not a silent no-op. */
function checkDimNames(model: ModelProto, dims: Record<string, number>): void {
  const free = freeDims(model);
  const known = new Set(free.flatMap((d) => [d.name, ...d.uses]));
  const unknown = Object.keys(dims).filter((name) => !known.has(name));
  if (!unknown.length) return;
  const names = free.map((d) => d.name);
  throw new UserError(`The model has no symbolic dimension ${unknown.map((n) => `'${n}'`).join(', ')}; ${names.length ? `its free dimensions are ${names.join(', ')}` : 'all its input dimensions are fixed'}.`);
}

/**
 * Checks what the user chose before anything is written: files exist and hold every input, dim names
 * exist. The sets themselves come from `makeSets`, whose failures (a sequence input with nothing to
 * generate it from) are the run's problem, not the user's.
 */
export function prepareInputs(model: ModelProto, choice: InputChoice): () => InputSets {
  if (choice.files?.length) {
    const loaded = loadInputSources(choice.files, model);
    if (loaded.length === 0) throw new UserError(`${choice.files.join(', ')} holds no input sets.`);
    for (const set of loaded) {
      const missing = missingInputs(set.inputs, model);
      if (missing) throw new UserError(`${set.name}: ${missing}`);
    }
    const sets = { sets: loaded.map((s) => s.inputs), source: choice.files.join(', ') };
    return () => sets;
  }
  const dims = choice.dims ?? {};
  checkDimNames(model, dims);
  const count = Math.max(1, choice.count ?? 1);
  const seed = choice.seed ?? 0;
  let made: InputSets | undefined;
  return () => {
    made ??= {
      sets: Array.from({ length: count }, (_, i) => generateInputs(model, { seed: seed + i, dims })),
      source: `${count} generated input set${count === 1 ? '' : 's'} (normal distribution${Object.keys(dims).length ? `, ${formatDimAssignments(dims)}` : ''})`,
    };
    return made;
  };
}
