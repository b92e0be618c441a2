// A transform's options as data: kinds, help text, defaults and the setting VS Code reads instead of
// asking. The CLI builds its parser and its --help from a schema, VS Code its questions; both turn text
// into typed values here, so a value is checked by the same rule wherever it comes from.
import { UserError } from '../errors.js';

interface OptionBase {
  /** One line for --help, lower case, no final period. */
  help: string;
  /** Must be given (the CLI prints the usage otherwise; VS Code asks for it). */
  required?: boolean;
  /** VS Code takes the value from this `onnxLens.*` setting instead of asking. */
  setting?: string;
}

export interface FlagOption extends OptionBase {
  kind: 'flag';
  /** The flag that sets it to false ('asymmetric' for 'symmetric'); neither given leaves it undefined. */
  negation?: string;
}

export interface NumberOption extends OptionBase {
  kind: 'number';
  /** Placeholder in the usage: 'MB', 'N'. */
  value: string;
  integer?: boolean;
  min?: number;
  max?: number;
  default?: number;
  /** How a bad value is described: 'takes megabytes (a number of at least 0)'. */
  expects?: string;
  /** A parser with its own one-line error (0.5 or 50%). */
  parse?: (text: string) => number;
}

export interface EnumOption<V extends string = string> extends OptionBase {
  kind: 'enum';
  values: readonly V[];
  default?: V;
  /** A line per value, for --help. */
  valueHelp?: Readonly<Record<string, string>>;
}

export interface TextOption extends OptionBase {
  kind: 'text';
  value: string;
}

/** Repeatable, and each value may itself be a comma-separated list ('--exclude a,b --exclude c'). */
export interface ListOption extends OptionBase {
  kind: 'list';
  value: string;
  /** Values are taken whole (file names may hold commas). */
  whole?: boolean;
}

export type OptionSpec = FlagOption | NumberOption | EnumOption | TextOption | ListOption;

/** Keys are the CLI names ('size-limit'), in the order --help lists them. */
export type OptionSchema = Record<string, OptionSpec>;

type ValueOf<O> = O extends FlagOption ? boolean | undefined
  : O extends NumberOption ? number | undefined
  : O extends { kind: 'enum'; values: readonly (infer V)[] } ? V | undefined
  : O extends ListOption ? string[]
  : string | undefined;

export type OptionValues<S extends OptionSchema> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** What a parser such as node:util parseArgs hands over: strings, booleans, repeated strings. */
export type RawValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** Values of a repeatable option, each of which may also be a comma-separated list. */
export function commaList(values: ReadonlyArray<string | boolean> | string | undefined): string[] {
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values.filter((v): v is string => typeof v === 'string');
  return list.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function describeNumber(spec: NumberOption): string {
  if (spec.expects) return spec.expects;
  const kind = spec.integer ? 'a whole number' : 'a number';
  const range = spec.min !== undefined && spec.max !== undefined ? ` from ${spec.min} to ${spec.max}`
    : spec.min !== undefined ? ` of at least ${spec.min}` : spec.max !== undefined ? ` of at most ${spec.max}` : '';
  return `must be ${kind}${range}`;
}

/** One option's text as its typed value; a one-line UserError naming the option otherwise. */
export function parseOptionText(name: string, spec: NumberOption, text: string): number;
export function parseOptionText(name: string, spec: EnumOption, text: string): string;
export function parseOptionText(name: string, spec: NumberOption | EnumOption, text: string): number | string;
export function parseOptionText(name: string, spec: NumberOption | EnumOption, text: string): number | string {
  if (spec.kind === 'enum') {
    if (!spec.values.includes(text)) throw new UserError(`--${name} must be one of ${spec.values.join(', ')}, not '${text}'.`);
    return text;
  }
  if (spec.parse) return spec.parse(text);
  const n = text.trim() === '' ? NaN : Number(text);
  const fits = Number.isFinite(n) && (!spec.integer || Number.isInteger(n)) && (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
  if (!fits) throw new UserError(`--${name} ${describeNumber(spec)}, not '${text}'.`);
  return n;
}

function single(name: string, raw: RawValues[string]): string | undefined {
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw new UserError(`--${name} is given more than once.`);
    return typeof raw[0] === 'string' ? raw[0] : undefined;
  }
  return raw;
}

/** Typed values from raw ones; defaults filled in; a UserError for the first bad value. */
export function parseOptions<S extends OptionSchema>(schema: S, raw: RawValues): OptionValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    switch (spec.kind) {
      case 'flag': {
        const on = raw[name] === true;
        const off = spec.negation !== undefined && raw[spec.negation] === true;
        if (on && off) throw new UserError(`Give --${name} or --${spec.negation}, not both.`);
        values[name] = on ? true : off ? false : undefined;
        break;
      }
      case 'number': {
        const text = single(name, raw[name]);
        values[name] = text === undefined ? spec.default : parseOptionText(name, spec, text);
        break;
      }
      case 'enum': {
        const text = single(name, raw[name]);
        values[name] = text === undefined ? spec.default : parseOptionText(name, spec, text);
        break;
      }
      case 'text':
        values[name] = single(name, raw[name]);
        break;
      case 'list': {
        const value = raw[name];
        const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
        values[name] = spec.whole ? list.filter((v): v is string => typeof v === 'string' && v !== '') : commaList(list);
        break;
      }
    }
  }
  return values as OptionValues<S>;
}

/** The names of required options that have no value. */
export function missingRequired(schema: OptionSchema, values: Record<string, unknown>): string[] {
  return Object.entries(schema).filter(([name, spec]) => spec.required && (values[name] === undefined || (Array.isArray(values[name]) && !(values[name] as unknown[]).length))).map(([name]) => name);
}
