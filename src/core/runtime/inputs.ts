// Inputs made up from a model's declared input types: symbolic dims from the caller (default 1),
// values from a seeded PRNG so that runs repeat exactly. The input resolver (inputResolve.ts) builds on
// this with the sizes and values the model implies, and reports what it assumed.
import { UserError } from '../errors.js';
import { byteLength, dataTypeByName, dataTypeName } from '../model/dataTypes.js';
import { DataType, type ModelProto, type ValueInfoProto } from '../model/proto.js';
import { elementCount, fromFloat64, type ElementArray, type TensorArray } from '../model/tensorValues.js';
import { valueType, type Dim } from '../model/types.js';
import { parseDimsAssignments, type Distribution } from './inputSpec.js';
import { Random } from './random.js';

export type { Distribution } from './inputSpec.js';

export interface GenerateOptions {
  /** normal: mean 0, std 1; uniform: [0, 1). Integers and bools have their own ranges (see integerRange). */
  distribution?: Distribution;
  /** Sizes for symbolic dims by name, and for unnamed dynamic dims as `input[axis]`. */
  dims?: Record<string, number>;
  seed?: number;
}

/** A dimension the user has to choose: a symbol shared by inputs, or an unnamed dynamic axis. */
export interface FreeDim {
  /** The symbol, or `input[axis]` for an unnamed one. */
  name: string;
  /** Where it appears: `input[axis]` for each use. */
  uses: string[];
}

export const defaultDimSize = 1;

/** Graph inputs the caller must feed (initializer-backed inputs are optional overrides in IR >= 4). */
export function requiredInputs(model: ModelProto): ValueInfoProto[] {
  const graph = model.graph ?? {};
  const initialized = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  for (const sparse of graph.sparseInitializer ?? []) initialized.add(sparse.values?.name ?? '');
  return (graph.input ?? []).filter((input) => !initialized.has(input.name ?? ''));
}

export function freeDims(model: ModelProto): FreeDim[] {
  const found = new Map<string, FreeDim>();
  for (const input of requiredInputs(model)) {
    const type = valueType(input.type);
    (type.shape ?? []).forEach((dim, axis) => {
      if (typeof dim === 'number') return;
      const use = `${input.name}[${axis}]`;
      const name = dim ?? use;
      const entry = found.get(name) ?? { name, uses: [] };
      entry.uses.push(use);
      found.set(name, entry);
    });
  }
  return [...found.values()];
}

/** Concrete dims of one input. */
export function resolveDims(inputName: string, shape: Dim[] | undefined, dims: Record<string, number> = {}): number[] {
  return (shape ?? []).map((dim, axis) => {
    if (typeof dim === 'number') return dim;
    const size = dims[dim ?? `${inputName}[${axis}]`] ?? dims[`${inputName}[${axis}]`] ?? defaultDimSize;
    if (!Number.isInteger(size) || size < 0) throw new UserError(`Dimension '${dim ?? `${inputName}[${axis}]`}' must be a whole number, not ${size}.`);
    return size;
  });
}

/** Generated inputs larger than this are refused (one IPC message carries them; Node caps typed arrays). */
export const maxGeneratedBytes = 2 ** 31;

/** `4 TiB`, `512 MiB`, `12 bytes`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** Refuses dims that cannot be allocated, in the model's terms (input, dims, bytes). `free`: some axes are the user's to set. */
export function checkGeneratable(name: string, dtype: number, dims: readonly number[], free = true): void {
  const negative = dims.findIndex((d) => !Number.isInteger(d) || d < 0);
  if (negative >= 0) {
    throw new UserError(`Input '${name}' is declared with size ${dims[negative]} at axis ${negative} ([${dims.join(',')}]), which is not a size; `
      + `give its shape with --shape ${name}=${dims.map((d) => (Number.isInteger(d) && d >= 0 ? d : 'N')).join('x')}.`);
  }
  const count = dims.reduce((n, d) => n * d, 1);
  const bytes = dtype === DataType.STRING ? count : byteLength(dtype, count);
  if (bytes > maxGeneratedBytes) {
    throw new UserError(`Input '${name}' would be ${dataTypeName(dtype)}[${dims.join(',')}]: ${count} elements, ${formatBytes(bytes)}, `
      + `more than the ${formatBytes(maxGeneratedBytes)} generated for one input${free ? `; give a smaller shape (--shape ${name}=...)` : ' (the model fixes every axis)'}.`);
  }
}

/**
 * Value range [lo, hi) for generated integers: 8-bit types cover their whole range (images, quantized
 * data); wider ones are usually indices, ids or lengths, so they stay small and non-negative.
 */
export function integerRange(dtype: number): [number, number] | undefined {
  switch (dtype) {
    case DataType.INT8: return [-128, 128];
    case DataType.UINT8: return [0, 256];
    case DataType.INT4: return [-8, 8];
    case DataType.UINT4: return [0, 16];
    case DataType.INT2: return [-2, 2];
    case DataType.UINT2: return [0, 4];
    case DataType.INT16: case DataType.UINT16: case DataType.INT32: case DataType.UINT32:
    case DataType.INT64: case DataType.UINT64:
      return [0, 10];
    case DataType.BOOL: return [0, 2];
    default: return undefined;
  }
}

function fill(count: number, distribution: Distribution, sample: () => number): Float64Array {
  const values = new Float64Array(count);
  if (distribution === 'ones') values.fill(1);
  else if (distribution !== 'zeros') for (let i = 0; i < count; i++) values[i] = sample();
  return values;
}

export function generateTensor(dtype: number, dims: number[], distribution: Distribution, random: Random): TensorArray {
  const count = elementCount(dims);
  if (dtype === DataType.STRING) {
    const words = Array.from({ length: count }, () => {
      if (distribution === 'zeros') return '';
      if (distribution === 'ones') return 'a';
      return Array.from({ length: random.int(1, 9) }, () => String.fromCharCode(random.int(97, 123))).join('');
    });
    return { dtype, dims, data: words };
  }
  const range = integerRange(dtype);
  const sampleFloat = distribution === 'uniform' ? () => random.next() : () => random.normal();
  if (range) return { dtype, dims, data: fromFloat64(dtype, fill(count, distribution, () => random.int(range[0], range[1]))) };
  if (dtype === DataType.COMPLEX64 || dtype === DataType.COMPLEX128) {
    const values = fill(2 * count, distribution, sampleFloat);
    // ones: 1 + 0i
    if (distribution === 'ones') for (let i = 1; i < values.length; i += 2) values[i] = 0;
    const data: ElementArray = dtype === DataType.COMPLEX64 ? Float32Array.from(values) : values;
    return { dtype, dims, data };
  }
  return { dtype, dims, data: fromFloat64(dtype, fill(count, distribution, sampleFloat)) };
}

/** One tensor per required graph input, from its declared element type and shape. */
export function generateInputs(model: ModelProto, options: GenerateOptions = {}): Record<string, TensorArray> {
  const random = new Random(options.seed ?? 0);
  const distribution = options.distribution ?? 'normal';
  const feeds: Record<string, TensorArray> = {};
  for (const input of requiredInputs(model)) {
    const name = input.name ?? '';
    const type = valueType(input.type);
    if (type.kind !== 'tensor') {
      throw new UserError(`Input '${name}' is ${type.kind === 'unknown' ? 'a value of unknown type' : `${article(type.kind)} ${type.kind}`}; only tensor inputs can be generated.`);
    }
    const dtype = dataTypeByName(type.elemType)?.id;
    if (dtype === undefined || dtype === DataType.UNDEFINED) throw new UserError(`Input '${name}' has no element type, so no values can be made for it.`);
    const dims = resolveDims(name, type.shape, options.dims);
    checkGeneratable(name, dtype, dims, !(type.shape ?? []).every((d) => typeof d === 'number'));
    feeds[name] = generateTensor(dtype, dims, distribution, random);
  }
  return feeds;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** `N=1, seq=128` -> {N: 1, seq: 128}: how the CLI and the command take symbolic dimension sizes. */
export function parseDimAssignments(text: string | undefined): Record<string, number> {
  return parseDimsAssignments(text ?? '');
}

export function formatDimAssignments(dims: Record<string, number>): string {
  return Object.entries(dims).map(([name, size]) => `${name}=${size}`).join(', ');
}

