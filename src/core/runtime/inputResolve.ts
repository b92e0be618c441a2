// The one resolver of the input specification: a model and what the user said (inputSpec.ts) become the
// tensors to feed, every size or value nobody gave is taken from what the model says (inputHints.ts) and
// listed as assumed, and everything the user said is checked against the model's declared inputs, with
// one-line errors in the model's terms.
import { UserError } from '../errors.js';
import { dataTypeByName, dataTypeName } from '../model/dataTypes.js';
import { DataType, type ModelProto, type ValueInfoProto } from '../model/proto.js';
import { elementCount, fromFloat64, toFloat64, type ElementArray, type TensorArray } from '../model/tensorValues.js';
import { valueType, type Dim } from '../model/types.js';
import { dimSymbol, modelHints, type ModelHints } from './inputHints.js';
import type { Assumption, FedInput } from './inputReport.js';
import { checkGeneratable, generateTensor, requiredInputs } from './inputs.js';
import { formatInlineValue, formatInputSpec, formatShape, inlineShape, type InlineValue, type InputSpec } from './inputSpec.js';
import { Random } from './random.js';
import { loadInputSources, missingInputs, type TestDataSet } from './testData.js';

export interface ResolvedInputs {
  /** One data set per test_data_set folder, else one. Each lists what it fed (`fed`). */
  dataSets: TestDataSet[];
  /** Every size and value that was assumed, once each. */
  assumptions: Assumption[];
  /** `generated (normal, seed 0)`, `test_data_set_0 from DIR`. */
  summary: string;
}

interface InputInfo {
  name: string;
  info: ValueInfoProto;
  dtype: number;
  declared?: Dim[];
}

const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
const shapeText = (dims: readonly Dim[]) => `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;

/** A tensor input's element type and declared shape; one-line errors for inputs no tensor can feed. */
function describeInput(info: ValueInfoProto): InputInfo {
  const name = info.name ?? '';
  const type = valueType(info.type);
  if (type.kind !== 'tensor') {
    const what = type.kind === 'unknown' ? 'a value of unknown type' : `${/^[aeiou]/.test(type.kind) ? 'an' : 'a'} ${type.kind} (${type.elemType})`;
    throw new UserError(`Input '${name}' is ${what}; onnxruntime's JavaScript API passes only tensors.`);
  }
  const dtype = dataTypeByName(type.elemType)?.id;
  if (dtype === undefined || dtype === DataType.UNDEFINED) throw new UserError(`Input '${name}' has no element type, so no values can be made for it.`);
  return { name, info, dtype, declared: type.shape };
}

/** Checks a given tensor against the input's declared type and fixed dims. */
function checkGiven(input: InputInfo, array: TensorArray, source: string): void {
  if (array.dtype !== input.dtype) {
    throw new UserError(`Input '${input.name}' is ${dataTypeName(input.dtype)} in the model, but ${source} holds ${dataTypeName(array.dtype)}.`);
  }
  const declared = input.declared;
  if (!declared) return;
  if (declared.length !== array.dims.length) {
    throw new UserError(`Input '${input.name}' has rank ${declared.length} in the model (${shapeText(declared)}), but ${source} has rank ${array.dims.length} ([${array.dims.join(',')}]).`);
  }
  declared.forEach((d, axis) => {
    if (typeof d === 'number' && d >= 0 && d !== array.dims[axis]) {
      throw new UserError(`Input '${input.name}' fixes axis ${axis} at ${d} (${shapeText(declared)}), but ${source} has ${array.dims[axis]} there ([${array.dims.join(',')}]).`);
    }
  });
}

function checkNames(spec: InputSpec, inputs: Map<string, InputInfo>, required: InputInfo[]): void {
  const known = () => `the model's inputs are ${list(required.map((i) => i.name))}`;
  for (const [option, names] of [['--shape', Object.keys(spec.shapes ?? {})], ['--value', Object.keys(spec.values ?? {})]] as const) {
    for (const name of names) if (!inputs.has(name)) throw new UserError(`${option} names no input '${name}': ${known()}.`);
  }
  for (const [name, shape] of Object.entries(spec.shapes ?? {})) {
    const input = inputs.get(name)!;
    const declared = input.declared;
    if (!declared) continue;
    if (declared.length !== shape.length) {
      throw new UserError(`--shape ${name}=${formatShape(shape)}: input '${name}' has rank ${declared.length} (${shapeText(declared)}), not ${shape.length}.`);
    }
    declared.forEach((d, axis) => {
      if (typeof d === 'number' && d >= 0 && d !== shape[axis]) throw new UserError(`--shape ${name}=${formatShape(shape)}: input '${name}' fixes axis ${axis} at ${d} (${shapeText(declared)}), not ${shape[axis]}.`);
    });
  }
}

/** Free dims of the required inputs: symbol -> its uses; `input[axis]` names also address named axes. */
function freeSymbols(required: InputInfo[]): Map<string, Array<{ input: string; axis: number }>> {
  const found = new Map<string, Array<{ input: string; axis: number }>>();
  for (const input of required) {
    (input.declared ?? []).forEach((d, axis) => {
      if (typeof d === 'number' && d >= 0) return;
      const symbol = dimSymbol(input.name, axis, d);
      found.set(symbol, [...(found.get(symbol) ?? []), { input: input.name, axis }]);
    });
  }
  return found;
}

function checkDims(spec: InputSpec, inputs: Map<string, InputInfo>, free: Map<string, unknown>): void {
  for (const [name, size] of Object.entries(spec.dims ?? {})) {
    if (!Number.isInteger(size) || size < 0) throw new UserError(`--dims ${name}=${size}: a size is a whole number >= 0.`);
    if (free.has(name)) continue;
    const axisForm = /^(.*)\[(\d+)\]$/.exec(name);
    const input = axisForm ? inputs.get(axisForm[1]) : undefined;
    if (input && axisForm) {
      const axis = Number(axisForm[2]);
      const declared = input.declared;
      if (declared && axis >= declared.length) throw new UserError(`--dims ${name}=${size}: input '${input.name}' has rank ${declared.length} (${shapeText(declared)}).`);
      const d = declared?.[axis];
      if (typeof d === 'number' && d >= 0 && d !== size) throw new UserError(`--dims ${name}=${size}: input '${input.name}' fixes axis ${axis} at ${d} (${shapeText(declared!)}).`);
      continue;
    }
    const symbols = [...free.keys()];
    throw new UserError(`--dims names no dimension '${name}': ${symbols.length ? `the model's free dimensions are ${symbols.join(', ')}` : 'the model has no free dimensions'} (any axis can be set as INPUT[AXIS]=N).`);
  }
}

const integerTypes = new Set<number>([
  DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32, DataType.UINT32, DataType.INT64, DataType.UINT64,
  DataType.INT4, DataType.UINT4, DataType.INT2, DataType.UINT2,
]);

function leafNumber(leaf: InlineValue, what: string): number {
  if (typeof leaf === 'boolean') return leaf ? 1 : 0;
  if (typeof leaf === 'number') return leaf;
  const text = String(leaf).toLowerCase();
  if (text === 'nan') return NaN;
  if (text === 'inf' || text === '+inf' || text === 'infinity') return Infinity;
  if (text === '-inf' || text === '-infinity') return -Infinity;
  const n = Number(leaf);
  if (text.trim() === '' || Number.isNaN(n)) throw new UserError(`${what}: '${String(leaf)}' is not a number.`);
  return n;
}

/** An inline value as a tensor of the input's declared type, shaped by its nesting (or by --shape). */
export function inlineTensor(input: { name: string; dtype: number; declared?: Dim[] }, value: InlineValue, shape?: number[]): TensorArray {
  const what = `--value ${input.name}`;
  let dims = inlineShape(value, what);
  const flat: InlineValue[] = [];
  const collect = (v: InlineValue): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else flat.push(v);
  };
  collect(value);
  if (shape && elementCount(shape) === flat.length) dims = shape;
  // A scalar for an input declared [1] or [1,1]: the one element, in the declared shape.
  else if (dims.length === 0 && input.declared?.length && input.declared.every((d) => d === 1)) dims = input.declared as number[];
  if (flat.length !== elementCount(dims)) throw new UserError(`${what}: ${flat.length} values do not fill the shape [${dims.join(',')}].`);
  const { dtype } = input;
  let data: ElementArray;
  if (dtype === DataType.STRING) {
    data = flat.map((v) => String(v));
  } else if (dtype === DataType.INT64 || dtype === DataType.UINT64) {
    const big = (v: InlineValue) => {
      try {
        return BigInt(typeof v === 'boolean' ? Number(v) : (v as number | string));
      } catch {
        throw new UserError(`${what}: input '${input.name}' is ${dataTypeName(dtype)}, and '${String(v)}' is not a whole number.`);
      }
    };
    const values = flat.map(big);
    const [lo, hi] = dtype === DataType.INT64 ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
    const outside = values.find((v) => v < lo || v > hi);
    if (outside !== undefined) throw new UserError(`${what}: ${outside} does not fit ${dataTypeName(dtype)}.`);
    data = dtype === DataType.INT64 ? BigInt64Array.from(values) : BigUint64Array.from(values);
  } else if (dtype === DataType.COMPLEX64 || dtype === DataType.COMPLEX128) {
    throw new UserError(`${what}: complex values cannot be given inline; use a .npy file.`);
  } else {
    const numbers = flat.map((v) => leafNumber(v, what));
    if (integerTypes.has(dtype) || dtype === DataType.BOOL) {
      const bad = numbers.find((n) => !Number.isInteger(n));
      if (bad !== undefined) throw new UserError(`${what}: input '${input.name}' is ${dataTypeName(dtype)}, and ${bad} is not a whole number.`);
    }
    data = fromFloat64(dtype, dtype === DataType.BOOL ? numbers.map((n) => (n ? 1 : 0)) : numbers);
  }
  return { dtype, dims, data };
}

/** The values of a tensor of up to 8 elements, as text. */
function valueText(array: TensorArray): string | undefined {
  const count = elementCount(array.dims);
  if (count > 8) return undefined;
  const items = Array.isArray(array.data)
    ? array.data.map((s) => JSON.stringify(s))
    : array.data instanceof BigInt64Array || array.data instanceof BigUint64Array ? Array.from(array.data, String) : Array.from(toFloat64(array), (v) => String(Number(v.toPrecision(6))));
  return array.dims.length === 0 ? items[0] : `[${items.join(',')}]`;
}

interface Choice {
  value: number;
  /** Undefined: given by the user (spec or data). */
  assumed?: Omit<Assumption, 'subject' | 'value' | 'option'>;
}

/**
 * The tensors to feed `model` for `spec`: files first, inline values, then generated tensors for the rest
 * (sizes from --shape/--dims, then from what the model says; see inputHints.ts). The spec is plain JSON, so
 * a choice remembered by the results view or a transform's verification resolves the same way as the CLI's.
 */
export function resolveInputs(model: ModelProto, spec: InputSpec = {}, cache: { hints?: ModelHints } = {}): ResolvedInputs {
  const required = requiredInputs(model).map(describeInput);
  const inputs = new Map<string, InputInfo>();
  for (const info of model.graph?.input ?? []) {
    const name = info.name ?? '';
    const known = required.find((r) => r.name === name);
    if (known) inputs.set(name, known);
    else if (valueType(info.type).kind === 'tensor') inputs.set(name, describeInput(info));
  }
  checkNames(spec, inputs, required);
  const free = freeSymbols(required);
  checkDims(spec, inputs, free);
  const values = new Map<string, TensorArray>();
  for (const [name, value] of Object.entries(spec.values ?? {})) {
    const input = inputs.get(name)!;
    const array = inlineTensor(input, value, spec.shapes?.[name]);
    const text = formatInlineValue(value);
    checkGiven(input, array, text.length <= 40 ? `--value ${name}=${text}` : `--value ${name}`);
    values.set(name, array);
  }
  const context: SetContext = {
    model, spec, inputs, required, free, values, assumptions: new Map(), hints: () => (cache.hints ??= modelHints(model)),
  };
  const sets: TestDataSet[] = spec.files?.length ? loadInputSources(spec.files, model) : [{ name: 'generated', inputs: {} }];
  const dataSets = sets.map((set) => resolveDataSet(set, context));
  const given = formatInputSpec({ ...spec, files: undefined });
  const source = spec.files?.length
    ? `${sets.map((d) => d.name).join(', ')} from ${spec.files.join(', ')}`
    : `generated (${spec.distribution ?? 'normal'}, seed ${spec.seed ?? 0})`;
  return { dataSets, assumptions: [...context.assumptions.values()], summary: `${source}${given ? `; ${given}` : ''}` };
}

interface SetContext {
  model: ModelProto;
  spec: InputSpec;
  inputs: Map<string, InputInfo>;
  required: InputInfo[];
  free: Map<string, Array<{ input: string; axis: number }>>;
  /** Inline values, as tensors. */
  values: Map<string, TensorArray>;
  /** Collected over every data set, once per subject. */
  assumptions: Map<string, Assumption>;
  hints: () => ModelHints;
}

/** One data set: its files' tensors, the inline values, and generated tensors for every other required input. */
function resolveDataSet(set: TestDataSet, context: SetContext): TestDataSet {
  const { spec, inputs, required, assumptions } = context;
  const fed = new Map<string, FedInput>();
  const feeds: Record<string, TensorArray> = {};
  for (const [name, array] of Object.entries(set.inputs)) {
    const input = inputs.get(name);
    if (context.values.has(name)) throw new UserError(`Input '${name}' is given twice: by ${set.name} and by --value.`);
    if (input) checkGiven(input, array, set.name);
    const shape = spec.shapes?.[name];
    if (shape && (shape.length !== array.dims.length || shape.some((d, i) => d !== array.dims[i]))) {
      throw new UserError(`--shape ${name}=${formatShape(shape)}, but ${set.name} holds ${name} as [${array.dims.join(',')}].`);
    }
    feeds[name] = array;
    fed.set(name, { name, dtype: dataTypeName(array.dtype), dims: array.dims, declared: input?.declared, source: 'file', from: set.name, assumedAxes: [], value: valueText(array) });
  }
  for (const [name, array] of context.values) {
    feeds[name] = array;
    fed.set(name, { name, dtype: dataTypeName(array.dtype), dims: array.dims, declared: inputs.get(name)?.declared, source: 'value', from: 'inline', assumedAxes: [], value: valueText(array) });
  }
  // A test data set with expected outputs is complete or wrong: generated inputs would make the comparison meaningless.
  if (set.expected) {
    const missing = missingInputs(feeds, context.model);
    if (missing) throw new UserError(`${set.name}: ${missing}`);
  }
  const toGenerate = required.filter((input) => !(input.name in feeds));
  const dims = chooseDims(toGenerate, feeds, spec, context.free, context.hints);
  const distribution = spec.distribution ?? 'normal';
  const random = new Random(spec.seed ?? 0);
  for (const input of toGenerate) {
    const chosen = dims.get(input.name)!;
    const shape = chosen.map((c) => c.value);
    checkGeneratable(input.name, input.dtype, shape, !(input.declared ?? []).every((d) => typeof d === 'number' && d >= 0));
    chosen.forEach((c, axis) => {
      const d = input.declared?.[axis] ?? null;
      const symbol = dimSymbol(input.name, axis, d);
      const option = typeof d === 'string' && d ? `--dims ${symbol}=${c.value}` : `--shape ${input.name}=${formatShape(shape)}`;
      if (c.assumed && !assumptions.has(symbol)) assumptions.set(symbol, { subject: symbol, value: c.value, ...c.assumed, option });
    });
    const rank = `rank of ${input.name}`;
    if (!input.declared && !spec.shapes?.[input.name] && !assumptions.has(rank)) {
      assumptions.set(rank, { subject: rank, value: 0, kind: 'default', reason: 'the model declares no shape, so a scalar is fed', option: `--shape ${input.name}=NxM...` });
    }
    const scalar = scalarChoice(input, shape, context.hints);
    if (scalar && !assumptions.has(input.name)) {
      assumptions.set(input.name, { subject: input.name, value: scalar.value, kind: scalar.kind, reason: scalar.reason, option: `--value ${input.name}=${scalar.value}` });
    }
    feeds[input.name] = scalar
      ? { dtype: input.dtype, dims: shape, data: fromFloat64(input.dtype, new Array<number>(elementCount(shape)).fill(scalar.value)) }
      : generateTensor(input.dtype, shape, distribution, random);
    fed.set(input.name, {
      name: input.name, dtype: dataTypeName(input.dtype), dims: shape, declared: input.declared, source: 'generated',
      from: scalar ? (scalar.kind === 'hint' ? 'a value the model compares it with' : 'the default for integer scalars') : distribution,
      assumedAxes: chosen.flatMap((c, axis) => (c.assumed ? [axis] : [])),
      ...(scalar ? { value: String(scalar.value), assumedValue: true } : {}),
    });
  }
  // Inputs in the model's order, then anything else the files held.
  const ordered = [...new Set([...inputs.keys(), ...Object.keys(feeds)])].filter((n) => n in feeds);
  return { ...set, inputs: Object.fromEntries(ordered.map((n) => [n, feeds[n]])), fed: ordered.map((n) => fed.get(n)!) };
}

/** An integer scalar nobody gave: the value the model compares it with, else 1. */
function scalarChoice(input: InputInfo, shape: number[], hints: () => ModelHints): { value: number; kind: 'hint' | 'default'; reason: string } | undefined {
  if (!integerTypes.has(input.dtype) || elementCount(shape) !== 1 || shape.length > 1) return undefined;
  const hint = hints().scalars.get(input.name);
  if (hint) return { value: hint.value, kind: 'hint', reason: hint.reason };
  return { value: 1, kind: 'default', reason: 'an integer scalar the model gives no hint about' };
}

/** Sizes of every axis of the inputs to generate. */
function chooseDims(
  toGenerate: InputInfo[], given: Record<string, TensorArray>, spec: InputSpec,
  free: Map<string, Array<{ input: string; axis: number }>>, hints: () => ModelHints,
): Map<string, Choice[]> {
  // Sizes the user gave: --dims, --shape, and the dims of given tensors (files, values), by symbol.
  const known = new Map<string, { value: number; from: string }>();
  for (const [symbol, uses] of free) {
    for (const { input, axis } of uses) {
      const array = given[input];
      const shape = spec.shapes?.[input];
      if (array && array.dims.length > axis) known.set(symbol, { value: array.dims[axis], from: `${input}[${axis}]` });
      else if (shape && !known.has(symbol)) known.set(symbol, { value: shape[axis], from: `${input}[${axis}]` });
    }
  }
  for (const [name, size] of Object.entries(spec.dims ?? {})) if (free.has(name)) known.set(name, { value: size, from: name });

  const choices = new Map<string, Choice[]>();
  const decided = new Map<string, Choice>();
  const adjustable: string[] = [];
  const choose = (symbol: string): Choice => {
    const done = decided.get(symbol);
    if (done) return done;
    let choice: Choice;
    const user = known.get(symbol);
    if (user) choice = { value: user.value };
    else {
      const h = hints();
      const group = h.group(symbol);
      const partner = [...known.entries()].find(([other]) => other !== symbol && free.has(other) && h.group(other) === group);
      const tied = h.tied.get(group);
      const minimum = h.minimum.get(group);
      if (partner) choice = { value: partner[1].value, assumed: { kind: 'tied', reason: `the graph makes it equal to ${partner[1].from}` } };
      else if (tied) choice = { value: tied.value, assumed: { kind: 'tied', reason: `${tied.reason} fixes it at ${tied.value}` } };
      else if (minimum && minimum.value > 1) {
        choice = { value: minimum.value, assumed: { kind: 'minimum', reason: `unknown; at least ${minimum.value} for ${minimum.reason}` } };
        adjustable.push(symbol);
      } else choice = { value: 1, assumed: { kind: 'default', reason: 'unknown' } };
    }
    decided.set(symbol, choice);
    return choice;
  };
  for (const input of toGenerate) {
    const shape = spec.shapes?.[input.name];
    if (shape) {
      choices.set(input.name, shape.map((value) => ({ value })));
      continue;
    }
    choices.set(input.name, (input.declared ?? []).map((d, axis) => {
      const byAxis = spec.dims?.[`${input.name}[${axis}]`];
      if (byAxis !== undefined) return { value: byAxis };
      if (typeof d === 'number' && d >= 0) return { value: d };
      const symbol = dimSymbol(input.name, axis, d);
      if (typeof d === 'number' && !known.has(symbol)) return { value: d };
      return choose(symbol);
    }));
  }
  if (adjustable.length) growToFit(adjustable, decided, choices, toGenerate, given, hints());
  return choices;
}

/** A window downstream of stride-2 layers needs the input doubled once per layer; 12 doublings cover any real network. */
const maxDoublings = 12;

/**
 * A window that fits the input may still not fit after the layers before it (a stride-2 Conv halves the
 * axis): double the sizes chosen as minimums until every window and reflect pad of the graph fits.
 */
function growToFit(
  adjustable: string[], decided: Map<string, Choice>, choices: Map<string, Choice[]>, toGenerate: InputInfo[],
  given: Record<string, TensorArray>, hints: ModelHints,
): void {
  const shapes = () => {
    const map = new Map<string, number[]>();
    for (const [name, array] of Object.entries(given)) map.set(name, array.dims);
    for (const input of toGenerate) map.set(input.name, choices.get(input.name)!.map((c) => c.value));
    return map;
  };
  let misfit = hints.misfit(shapes());
  for (let round = 0; misfit && round < maxDoublings; round++) {
    const before = adjustable.map((symbol) => ({ ...decided.get(symbol)! }));
    for (const symbol of adjustable) {
      const choice = decided.get(symbol)!;
      choice.value *= 2;
      choice.assumed = { kind: 'minimum', reason: `${choice.assumed!.reason.replace(/; doubled to .*$/, '')}; doubled to ${choice.value} so that ${misfit.node} fits` };
    }
    const next = hints.misfit(shapes());
    // The same misfit after doubling does not depend on these sizes (a fixed shape too small): leave it to onnxruntime to say.
    if (next && next.node === misfit.node && next.have === misfit.have) {
      adjustable.forEach((symbol, i) => Object.assign(decided.get(symbol)!, before[i]));
      return;
    }
    misfit = next;
  }
}
