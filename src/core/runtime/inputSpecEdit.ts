// Edits of an input specification, as the test-run view's inputs table makes them, and the check of a
// spec that comes back from a webview or from remembered state (both are data from outside, so every
// field is checked). Pure and DOM-free: the results view bundles it, the host checks with it.
import { UserError } from '../errors.js';
import { distributions, inlineShape, type Distribution, type InlineValue, type InputSpec } from './inputSpec.js';

/** A deep copy; specs are plain JSON. */
export function copySpec(spec: InputSpec): InputSpec {
  return JSON.parse(JSON.stringify(spec)) as InputSpec;
}

/**
 * The size of one axis. A whole shape given for the input (`shapes`) wins over `dims` in the resolver, so
 * it is edited there; otherwise `key` (a symbol, or `input[axis]` for an unnamed axis) goes into `dims`,
 * which sizes that symbol wherever it appears.
 */
export function withDimSize(spec: InputSpec, input: string, axis: number, key: string, size: number): InputSpec {
  const next = copySpec(spec);
  const shape = next.shapes?.[input];
  if (shape && axis < shape.length) {
    shape[axis] = size;
    return next;
  }
  return withDim(next, key, size);
}

/** The size of a symbol (or of `input[axis]`) wherever it appears. */
export function withDim(spec: InputSpec, key: string, size: number): InputSpec {
  const next = copySpec(spec);
  (next.dims ??= {})[key] = size;
  return next;
}

/** The whole shape of an input (for one whose model declares no shape); undefined removes it. */
export function withShape(spec: InputSpec, input: string, shape: number[] | undefined): InputSpec {
  const next = copySpec(spec);
  if (shape) (next.shapes ??= {})[input] = [...shape];
  else if (next.shapes) {
    delete next.shapes[input];
    if (!Object.keys(next.shapes).length) delete next.shapes;
  }
  return next;
}

/** An inline value of an input; undefined removes it (the input is generated again). */
export function withValue(spec: InputSpec, input: string, value: InlineValue | undefined): InputSpec {
  const next = copySpec(spec);
  if (value !== undefined) (next.values ??= {})[input] = value;
  else if (next.values) {
    delete next.values[input];
    if (!Object.keys(next.values).length) delete next.values;
  }
  return next;
}

/** Files: `add` joins the list (once), `remove` leaves it. The files feed the inputs they name. */
export function withFiles(spec: InputSpec, change: { add?: string[]; remove?: string[] }): InputSpec {
  const next = copySpec(spec);
  const removed = new Set(change.remove ?? []);
  const files = [...new Set([...(next.files ?? []).filter((f) => !removed.has(f)), ...(change.add ?? [])])];
  if (files.length) next.files = files;
  else delete next.files;
  return next;
}

export function withDistribution(spec: InputSpec, distribution: Distribution): InputSpec {
  return { ...copySpec(spec), distribution };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function inlineValue(value: unknown, what: string): InlineValue {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => inlineValue(v, what));
  throw new UserError(`${what} is not a number, text, true/false or a list of them.`);
}

/**
 * A spec from outside (a webview message, workspace state), checked field by field: one-line errors for
 * anything that is not what InputSpec holds. Unknown fields are dropped.
 */
export function readInputSpec(value: unknown): InputSpec {
  if (!isRecord(value)) throw new UserError('The input specification is not an object.');
  const spec: InputSpec = {};
  if (value.shapes !== undefined) {
    if (!isRecord(value.shapes)) throw new UserError('The input shapes are not a map of input names to shapes.');
    for (const [name, shape] of Object.entries(value.shapes)) {
      if (!Array.isArray(shape) || !shape.every(isSize)) throw new UserError(`The shape of input '${name}' is not a list of whole numbers >= 0.`);
      (spec.shapes ??= {})[name] = [...shape];
    }
  }
  if (value.dims !== undefined) {
    if (!isRecord(value.dims)) throw new UserError('The dimension sizes are not a map of names to sizes.');
    for (const [name, size] of Object.entries(value.dims)) {
      if (!isSize(size)) throw new UserError(`The size of '${name}' is not a whole number >= 0.`);
      (spec.dims ??= {})[name] = size;
    }
  }
  if (value.values !== undefined) {
    if (!isRecord(value.values)) throw new UserError('The input values are not a map of input names to values.');
    for (const [name, v] of Object.entries(value.values)) {
      const what = `The value of input '${name}'`;
      const checked = inlineValue(v, what);
      inlineShape(checked, what);
      (spec.values ??= {})[name] = checked;
    }
  }
  if (value.files !== undefined) {
    if (!Array.isArray(value.files) || !value.files.every((f) => typeof f === 'string' && f !== '')) throw new UserError('The input files are not a list of paths.');
    if (value.files.length) spec.files = [...value.files] as string[];
  }
  if (value.distribution !== undefined) {
    if (!distributions.includes(value.distribution as Distribution)) throw new UserError(`The distribution must be one of ${distributions.join(', ')}.`);
    spec.distribution = value.distribution as Distribution;
  }
  if (value.seed !== undefined) {
    if (!isSize(value.seed)) throw new UserError('The seed is not a whole number >= 0.');
    spec.seed = value.seed;
  }
  return spec;
}
