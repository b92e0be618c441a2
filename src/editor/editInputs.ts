// What the user types into the edit prompts, read into edit values: shapes (`N,3,224,224`, `?` for
// unknown), attribute values by type, names. Each reader returns the value or one line saying what is
// wrong, which the input box shows while the user types. No vscode: unit-tested on its own.
import type { AttributeValue, EditableAttributeType, EditDim } from '../core/edit/index.js';

export type Parsed<T> = { value: T } | { error: string };

const symbol = /^[A-Za-z_][A-Za-z0-9_.:\-/]*$/;

/** One dimension: a size (0 or more), a symbol such as `batch`, or `?` for unknown. */
export function parseDim(text: string): Parsed<EditDim> {
  const t = text.trim();
  if (t === '?' || t === '') return t === '?' ? { value: null } : { error: 'A dimension is empty: write a size, a name or ?.' };
  if (/^\d+$/.test(t)) return { value: Number(t) };
  if (/^-\d+$/.test(t)) return { error: `'${t}' is negative: a size is 0 or more.` };
  if (symbol.test(t)) return { value: t };
  return { error: `'${t}' is not a size, a name or ?.` };
}

/** A shape, dims separated by commas (or ×, x between sizes): `N,3,224,224`; empty: a scalar. */
export function parseShape(text: string): Parsed<EditDim[]> {
  const t = text.trim().replace(/^\[|\]$/g, '').trim();
  if (t === '') return { value: [] };
  const dims: EditDim[] = [];
  for (const part of t.split(/\s*[,×]\s*/)) {
    const dim = parseDim(part);
    if ('error' in dim) return dim;
    dims.push(dim.value);
  }
  return { value: dims };
}

export function formatDim(dim: EditDim | undefined): string {
  return dim === null || dim === undefined ? '?' : String(dim);
}

export function formatShape(dims: readonly EditDim[] | undefined): string {
  return (dims ?? []).map(formatDim).join(',');
}

function parseNumber(text: string, integer: boolean): Parsed<number> {
  const t = text.trim();
  const value = Number(t);
  if (t === '' || !Number.isFinite(value)) return { error: `'${t}' is not a number.` };
  if (integer && !Number.isInteger(value)) return { error: `'${t}' is not an integer.` };
  return { value };
}

/** An attribute value as typed: `int`, `float`, a `string` as is, lists comma separated (`[1, 2]` or `1,2`). */
export function parseAttributeValue(text: string, type: EditableAttributeType): Parsed<AttributeValue> {
  if (type === 'string') return { value: text };
  if (type === 'int' || type === 'float') return parseNumber(text, type === 'int');
  const inner = text.trim().replace(/^\[|\]$/g, '').trim();
  const parts = inner === '' ? [] : inner.split(/\s*,\s*/);
  if (type === 'strings') return { value: parts.map((p) => p.replace(/^(['"])(.*)\1$/, '$2')) };
  const values: number[] = [];
  for (const part of parts) {
    const n = parseNumber(part, type === 'ints');
    if ('error' in n) return n;
    values.push(n.value);
  }
  return { value: values };
}

export function formatAttributeValue(value: AttributeValue): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** A new name for a value or node: not empty, no surrounding spaces, different from the old one. */
export function checkName(text: string, old: string): string | undefined {
  if (text === '') return 'A name cannot be empty.';
  if (text.trim() !== text) return 'A name cannot start or end with a space.';
  if (text === old) return 'That is the current name.';
  return undefined;
}
