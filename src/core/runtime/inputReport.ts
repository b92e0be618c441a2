// What was fed to a model and what was assumed to feed it, as plain data (for --json, the results view
// and a remembered choice) and as the text lines of reports and error lines.
import type { Dim } from '../model/types.js';

/** A size or value nobody gave: where it came from and the option that sets it instead. */
export interface Assumption {
  /** `input[1]` (an unnamed axis), `height` (a symbol shared by inputs) or an input name (a value). */
  subject: string;
  value: number;
  /**
   * tied: the graph fixes it (to a size, or to another given dim); minimum: the smallest size that the
   * model's windows and reflect pads accept; hint: a value the model compares the input with; default:
   * nothing in the model says (sizes 1, integer scalars 1).
   */
  kind: 'tied' | 'minimum' | 'hint' | 'default';
  reason: string;
  /** `--shape input=1x512`, `--dims height=18` or `--value sr=16000`. */
  option: string;
}

/** One input as it was fed. */
export interface FedInput {
  name: string;
  dtype: string;
  dims: number[];
  /** The model's declared shape (undefined when it declares none). */
  declared?: Dim[];
  source: 'file' | 'value' | 'generated';
  /** The file, 'inline', or the distribution of generated values. */
  from: string;
  /** Axes whose size was assumed. */
  assumedAxes: number[];
  /** The values, for tensors of up to 8 elements. */
  value?: string;
  /** The value itself was assumed (an integer scalar). */
  assumedValue?: boolean;
}

/** `input[1] = 1 (unknown; set with --shape input=1x512)`. */
export function assumptionText(a: Assumption): string {
  return `${a.subject} = ${a.value} (${a.reason}; set with ${a.option})`;
}

/** `input float[1,512] (axes 0, 1 assumed)`, `sr int64[] = 16000 (assumed)`. */
export function fedText(f: FedInput): string {
  const type = `${f.name} ${f.dtype}[${f.dims.join(',')}]`;
  const value = f.value !== undefined ? ` = ${f.value}` : '';
  const notes: string[] = [];
  if (f.assumedAxes.length) notes.push(`${f.assumedAxes.map((a) => `${f.name}[${a}]`).join(', ')} assumed`);
  if (f.assumedValue) notes.push('value assumed');
  if (f.source === 'file') notes.push(`from ${f.from}`);
  return `${type}${value}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** The options that would set every assumption, once each: `--shape input=1x512 --value sr=16000`. */
export function assumptionOptions(assumptions: readonly Assumption[]): string {
  return [...new Set(assumptions.map((a) => a.option))].join(' ');
}
