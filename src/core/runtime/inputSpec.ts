// The input specification: what the user said about a model's inputs (whole shapes, symbolic dim sizes,
// inline values, files, how to generate the rest), as plain JSON so that a choice can be remembered and
// handed to run, compare and every transform's verification alike. The parser below reads the CLI's
// spelling of it; inputResolve.ts turns a spec and a model into tensors.
import { UserError } from '../errors.js';

export type Distribution = 'normal' | 'uniform' | 'zeros' | 'ones';
export const distributions: readonly Distribution[] = ['normal', 'uniform', 'zeros', 'ones'];

/**
 * An inline value: a scalar or nested arrays. Leaves are numbers, booleans or strings; a string leaf of a
 * numeric input is read as a number (it keeps int64 values above 2^53 exact, and NaN/inf).
 */
export type InlineValue = number | string | boolean | InlineValue[];

export interface InputSpec {
  /** Whole shapes by input name (every dim, fixed ones included). */
  shapes?: Record<string, number[]>;
  /** Sizes of symbolic dims by symbol, or of one axis as `input[axis]`. */
  dims?: Record<string, number>;
  /** Values by input name, typed by the input's declared element type. */
  values?: Record<string, InlineValue>;
  /** .npy, .npz, .pb, .json files, one folder of them, or an ONNX test-data folder. */
  files?: string[];
  /** How generated inputs are filled (default normal). */
  distribution?: Distribution;
  /** Seed of generated values (default 0). */
  seed?: number;
}

/** `NAME=REST`, split at the first or last '=' (shapes and sizes never hold one; string values may). */
function assignment(text: string, option: string, example: string, last: boolean): [string, string] {
  const at = last ? text.lastIndexOf('=') : text.indexOf('=');
  const name = at > 0 ? text.slice(0, at).trim() : '';
  if (!name) throw new UserError(`${option} takes NAME=VALUE (like ${example}), not '${text}'.`);
  return [name, text.slice(at + 1).trim()];
}

/** `1x3x224x224`, `[1,3,224,224]`, `1,3,224,224`; `[]` is a scalar. */
export function parseShape(text: string, what: string): number[] {
  const inner = text.trim().replace(/^\[(.*)\]$/s, '$1').trim();
  if (inner === '') return [];
  const parts = inner.split(/\s*[x,]\s*/);
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UserError(`${what}: a shape is whole numbers separated by x (like 1x3x224x224), not '${text}'.`);
  return parts.map(Number);
}

/** `--shape NAME=1x3x320x320`. */
export function parseShapeAssignment(text: string): [string, number[]] {
  const [name, shape] = assignment(text, '--shape', 'images=1x3x320x320', true);
  return [name, parseShape(shape, `--shape ${name}`)];
}

/** `N=1, seq=128, input[1]=512`: symbolic dim sizes, separated by commas. */
export function parseDimsAssignments(text: string): Record<string, number> {
  const dims: Record<string, number> = {};
  if (!text.trim()) return dims;
  for (const part of text.split(',')) {
    const match = /^\s*(.+?)\s*=\s*(\d+)\s*$/.exec(part);
    if (!match) throw new UserError(`Dimension sizes are NAME=SIZE pairs separated by commas, not '${part.trim()}'.`);
    dims[match[1]] = Number(match[2]);
  }
  return dims;
}

/** `NAME=16000`, `NAME=[0.5,1,2]`, `NAME=[[1,2],[3,4]]`, `NAME="text"`. */
export function parseValueAssignment(text: string): [string, InlineValue] {
  const [name, value] = assignment(text, '--value', 'sr=16000', false);
  if (value === '') throw new UserError(`--value ${name}= gives no value.`);
  return [name, parseInlineValue(value, `--value ${name}`)];
}

type Token = { kind: '[' | ']' | ','; text: string } | { kind: 'leaf'; value: string | number | boolean };

function tokenize(text: string, what: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:([[\],])|("(?:[^"\\]|\\.)*")|([^[\],\s]+))/gy;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = pattern.exec(text)) !== null) {
    end = pattern.lastIndex;
    if (match[1]) tokens.push({ kind: match[1] as '[' | ']' | ',', text: match[1] });
    else if (match[2]) tokens.push({ kind: 'leaf', value: JSON.parse(match[2]) as string });
    else tokens.push({ kind: 'leaf', value: leaf(match[3]) });
  }
  if (text.slice(end).trim()) throw new UserError(`${what}: cannot read '${text.slice(end).trim()}'.`);
  return tokens;
}

/** Numbers stay numbers unless that would round them (large int64 values stay text). */
function leaf(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (/^[-+]?\d+$/.test(text) && !Number.isSafeInteger(n)) return text;
    return n;
  }
  return text;
}

/** A scalar or nested bracket lists; the nesting must be rectangular. */
export function parseInlineValue(text: string, what: string): InlineValue {
  const tokens = tokenize(text, what);
  let at = 0;
  const read = (): InlineValue => {
    const token = tokens[at++];
    if (!token) throw new UserError(`${what}: the value ends early ('${text}').`);
    if (token.kind === 'leaf') return token.value;
    if (token.kind !== '[') throw new UserError(`${what}: unexpected '${token.text}' in '${text}'.`);
    const items: InlineValue[] = [];
    if (tokens[at]?.kind === ']') {
      at++;
      return items;
    }
    for (;;) {
      items.push(read());
      const next = tokens[at++];
      if (!next) throw new UserError(`${what}: the value ends early ('${text}').`);
      if (next.kind === ']') return items;
      if (next.kind !== ',') throw new UserError(`${what}: expected ',' or ']' in '${text}'.`);
    }
  };
  const value = read();
  if (at !== tokens.length) throw new UserError(`${what}: unexpected text after the value in '${text}'.`);
  inlineShape(value, what);
  return value;
}

/** The dims of a nested value; throws when it is not rectangular. */
export function inlineShape(value: InlineValue, what: string): number[] {
  if (!Array.isArray(value)) return [];
  const dims = [value.length];
  if (value.length === 0) return dims;
  const inner = inlineShape(value[0], what);
  for (const item of value) {
    const shape = inlineShape(item, what);
    if (shape.length !== inner.length || shape.some((d, i) => d !== inner[i])) throw new UserError(`${what}: the nested lists are not rectangular.`);
  }
  return [...dims, ...inner];
}

/** What the CLI options hold before they are read: each repeatable option as its list of texts. */
export interface InputOptionTexts {
  inputs?: string[];
  shape?: string[];
  dims?: string[];
  value?: string[];
  seed?: string;
  distribution?: string;
}

/** The CLI's spelling of the specification, read into a spec; one-line errors for malformed text. */
export function parseInputOptions(texts: InputOptionTexts): InputSpec {
  const spec: InputSpec = {};
  if (texts.inputs?.length) spec.files = [...texts.inputs];
  for (const text of texts.shape ?? []) {
    const [name, shape] = parseShapeAssignment(text);
    if (spec.shapes?.[name]) throw new UserError(`--shape gives input '${name}' twice.`);
    (spec.shapes ??= {})[name] = shape;
  }
  for (const text of texts.dims ?? []) {
    for (const [name, size] of Object.entries(parseDimsAssignments(text))) {
      if (spec.dims?.[name] !== undefined && spec.dims[name] !== size) throw new UserError(`--dims sets '${name}' twice (${spec.dims[name]} and ${size}).`);
      (spec.dims ??= {})[name] = size;
    }
  }
  for (const text of texts.value ?? []) {
    const [name, value] = parseValueAssignment(text);
    if (spec.values && name in spec.values) throw new UserError(`--value gives input '${name}' twice.`);
    (spec.values ??= {})[name] = value;
  }
  if (texts.seed !== undefined) {
    const seed = Number(texts.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UserError(`--seed must be a whole number >= 0, not '${texts.seed}'.`);
    spec.seed = seed;
  }
  if (texts.distribution !== undefined) {
    if (!distributions.includes(texts.distribution as Distribution)) throw new UserError(`--distribution must be one of ${distributions.join(', ')}.`);
    spec.distribution = texts.distribution as Distribution;
  }
  return spec;
}

/** The CLI spelling of a spec (for reports and hints): `--shape x=1x3 --dims N=2 --value sr=16000`. */
export function formatInputSpec(spec: InputSpec): string {
  const parts: string[] = [];
  for (const file of spec.files ?? []) parts.push(`--inputs ${file}`);
  for (const [name, shape] of Object.entries(spec.shapes ?? {})) parts.push(`--shape ${name}=${formatShape(shape)}`);
  const dims = Object.entries(spec.dims ?? {});
  if (dims.length) parts.push(`--dims ${dims.map(([k, v]) => `${k}=${v}`).join(',')}`);
  for (const [name, value] of Object.entries(spec.values ?? {})) parts.push(`--value ${name}=${formatInlineValue(value)}`);
  return parts.join(' ');
}

/** `1x3x224x224`; `[]` for a scalar. */
export function formatShape(dims: readonly number[]): string {
  return dims.length ? dims.join('x') : '[]';
}

export function formatInlineValue(value: InlineValue): string {
  if (Array.isArray(value)) return `[${value.map(formatInlineValue).join(',')}]`;
  if (typeof value === 'string' && !/^[-+]?[\w.]+$/.test(value)) return JSON.stringify(value);
  return String(value);
}
