// Lexical facts of the ONNX textual syntax shared by the printer and the parser: what is a plain
// identifier, which words are types or keywords, how names, strings and numbers are written.
import { allDataTypes } from '../model/dataTypes.js';
import { AttributeType } from '../model/proto.js';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Element type names usable in the text: every known ONNX type except 'undefined'. */
export const primTypeNames: ReadonlyMap<string, number> = new Map(
  allDataTypes.filter((t) => t.id !== 0).map((t) => [t.name, t.id]),
);

/** Words that start a composite type. */
export const typeKeywords = new Set(['seq', 'map', 'optional', 'sparse_tensor', 'opaque']);

/** Special float literals (case-insensitive in the syntax). */
export function isFloatWord(word: string): boolean {
  const w = word.toLowerCase();
  return w === 'nan' || w === 'inf' || w === 'infinity';
}

export function isTypeWord(word: string): boolean {
  return primTypeNames.has(word) || typeKeywords.has(word);
}

export function isPlainIdentifier(text: string): boolean {
  return identifier.test(text);
}

/** A string literal: the syntax's only escape is a backslash before the next character. */
export function quoteString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}

/**
 * A name as written: plain when it is an identifier that cannot be mistaken for a type or a float
 * word, quoted otherwise.
 */
export function quoteName(name: string): string {
  return isPlainIdentifier(name) && !isTypeWord(name) && !isFloatWord(name) ? name : quoteString(name);
}

export const attributeTypeNames: ReadonlyMap<string, number> = new Map([
  ['float', AttributeType.FLOAT], ['int', AttributeType.INT], ['string', AttributeType.STRING],
  ['tensor', AttributeType.TENSOR], ['graph', AttributeType.GRAPH], ['sparse_tensor', AttributeType.SPARSE_TENSOR],
  ['type_proto', AttributeType.TYPE_PROTO], ['floats', AttributeType.FLOATS], ['ints', AttributeType.INTS],
  ['strings', AttributeType.STRINGS], ['tensors', AttributeType.TENSORS], ['graphs', AttributeType.GRAPHS],
  ['sparse_tensors', AttributeType.SPARSE_TENSORS], ['type_protos', AttributeType.TYPE_PROTOS],
]);

export function attributeTypeName(type: number): string {
  for (const [name, id] of attributeTypeNames) if (id === type) return name;
  return 'undefined';
}

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Object.is(value, -0)) return '-0.0';
  return undefined;
}

/** Shortest decimal that reads back as the same float32. */
export function float32Text(value: number): string {
  const s = special(value);
  if (s) return s;
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(value.toPrecision(p));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(value);
}

/** Shortest decimal that reads back as the same float64. */
export function float64Text(value: number): string {
  return special(value) ?? String(value);
}

/** A float that the parser cannot mistake for an integer (attribute values carry their type). */
export function asFloatLiteral(text: string): string {
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}
