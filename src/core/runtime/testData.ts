// Inputs and expected outputs from files: the ONNX test-data layout (test_data_set_N/input_K.pb and
// output_K.pb), single TensorProto .pb files, NumPy .npy and .npz files (a folder of .npz files that
// each feed every input: one sample each) and JSON.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UserError } from '../errors.js';
import { dataTypeByName } from '../model/dataTypes.js';
import { DataType, onnx, type ModelProto, type ValueInfoProto } from '../model/proto.js';
import { elementCount, fromFloat64, tensorToArray, type ElementArray, type TensorArray } from '../model/tensorValues.js';
import { valueType } from '../model/types.js';
import type { FedInput } from './inputReport.js';
import { requiredInputs } from './inputs.js';
import { parseNpy } from './npy.js';
import { parseNpz } from './npz.js';

export interface TestDataSet {
  /** Folder or file names it came from, for reports. */
  name: string;
  inputs: Record<string, TensorArray>;
  /** Present when the source holds expected outputs (output_K.pb). */
  expected?: Record<string, TensorArray>;
  /** What each input is and where it came from (set by the input resolver, inputResolve.ts). */
  fed?: FedInput[];
}

function read(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `No such file: ${path}` : `Cannot read ${path}: ${code ?? String(error)}`);
  }
}

/** A serialized TensorProto; its name, if any, says which input or output it is. */
export function readTensorPb(path: string): { name: string; array: TensorArray } {
  let tensor: onnx.TensorProto;
  try {
    tensor = onnx.TensorProto.decode(read(path));
  } catch (error) {
    throw new UserError(`${basename(path)} is not a serialized ONNX TensorProto (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`);
  }
  if (!tensor.dataType) throw new UserError(`${basename(path)} holds no tensor (a sequence, map or optional value?): only tensors can be fed.`);
  return { name: tensor.name ?? '', array: tensorToArray(tensor) };
}

const indexOf = (file: string) => Number(/_(\d+)\.pb$/.exec(file)?.[1] ?? NaN);

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && /_\d+\.pb$/.test(f))
    .sort((a, b) => indexOf(a) - indexOf(b))
    .map((f) => join(dir, f));
}

/** Non-tensor values (sequences, maps, optionals) cannot travel through onnxruntime's JS API. */
function checkTensorValue(info: ValueInfoProto | undefined, what: string): void {
  if (!info?.type) return;
  const type = valueType(info.type);
  if (type.kind !== 'tensor') throw new UserError(`${what} '${info.name}' is ${article(type.kind)} ${type.kind} (${type.elemType}); onnxruntime's JavaScript API passes only tensors.`);
}

/** Tensors by name when the name matches, else by position among `infos`. */
function assign(files: string[], infos: ValueInfoProto[], what: string): Record<string, TensorArray> {
  const names = infos.map((i) => i.name ?? '');
  const out: Record<string, TensorArray> = {};
  files.forEach((file, position) => {
    const info = infos[position];
    checkTensorValue(info, what);
    const { name, array } = readTensorPb(file);
    const target = names.includes(name) && name ? name : names[position];
    if (target === undefined) throw new UserError(`${basename(file)} has no matching ${what.toLowerCase()}: the model has ${names.length}.`);
    out[target] = array;
  });
  return out;
}

/** One test_data_set folder: input_K.pb (by name, else in the order of the model's inputs) and output_K.pb. */
export function readTestDataSet(dir: string, model: ModelProto): TestDataSet {
  const inputFiles = numbered(dir, 'input_');
  const outputFiles = numbered(dir, 'output_');
  if (inputFiles.length === 0 && outputFiles.length === 0) throw new UserError(`${dir} holds no input_K.pb or output_K.pb files.`);
  const graph = model.graph ?? {};
  const required = requiredInputs(model);
  // Files beyond the required inputs feed initializer-backed inputs, in declaration order.
  const inputInfos = inputFiles.length > required.length ? graph.input ?? [] : required;
  return {
    name: basename(dir),
    inputs: assign(inputFiles, inputInfos, 'Input'),
    ...(outputFiles.length ? { expected: assign(outputFiles, graph.output ?? [], 'Output') } : {}),
  };
}

/** Every test_data_set_N folder under a model's test folder, in order. */
export function testDataSetDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^test_data_set_\d+$/.test(e.name))
    .sort((a, b) => Number(a.name.slice(14)) - Number(b.name.slice(14)))
    .map((e) => join(dir, e.name));
}

/** Element type for JSON values: the model's declared input type, else float. */
function declaredType(model: ModelProto, name: string): number {
  const info = (model.graph?.input ?? []).find((i) => i.name === name);
  const type = info ? valueType(info.type) : undefined;
  return (type?.kind === 'tensor' ? dataTypeByName(type.elemType)?.id : undefined) ?? DataType.FLOAT;
}

const numpyNames: Record<string, string> = { float32: 'float', float64: 'double', float16: 'float16', bool_: 'bool' };

function parseDtype(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  const text = String(value);
  const id = dataTypeByName(numpyNames[text] ?? text)?.id;
  if (id === undefined) throw new UserError(`Input '${name}' in the JSON names an unknown dtype '${text}'.`);
  return id;
}

function shapeOfNested(value: unknown): number[] {
  const dims: number[] = [];
  let current = value;
  while (Array.isArray(current)) {
    dims.push(current.length);
    current = current[0];
  }
  return dims;
}

/** Values of a JSON array (nested or flat) as ElementArray of `dtype`; checks that nesting is rectangular. */
function jsonValues(name: string, value: unknown, dtype: number, dims: number[]): ElementArray {
  const flat: unknown[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth === dims.length) {
      if (Array.isArray(v)) throw new UserError(`Input '${name}' in the JSON is not rectangular.`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) throw new UserError(`Input '${name}' in the JSON is not rectangular.`);
    for (const item of v) walk(item, depth + 1);
  };
  const nested = shapeOfNested(value);
  if (Array.isArray(value) && nested.length === 1 && dims.length !== 1 && value.length === elementCount(dims)) flat.push(...value);
  else walk(value, 0);
  if (dtype === DataType.STRING) return flat.map((v) => String(v));
  if (dtype === DataType.INT64 || dtype === DataType.UINT64) {
    // Strings keep int64 values above 2^53 exact.
    const toBig = (v: unknown) => BigInt(typeof v === 'boolean' ? Number(v) : (v as number | string));
    try {
      return dtype === DataType.INT64 ? BigInt64Array.from(flat, toBig) : BigUint64Array.from(flat, toBig);
    } catch {
      throw new UserError(`Input '${name}' in the JSON has values that are not whole numbers.`);
    }
  }
  const numbers = Float64Array.from(flat, (v) => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === 'NaN' || v === 'nan') return NaN;
    if (v === 'Infinity' || v === 'inf') return Infinity;
    if (v === '-Infinity' || v === '-inf') return -Infinity;
    if (typeof v !== 'number') throw new UserError(`Input '${name}' in the JSON has a value that is not a number: ${JSON.stringify(v)}.`);
    return v;
  });
  if (dtype === DataType.COMPLEX64 || dtype === DataType.COMPLEX128) throw new UserError(`Input '${name}': complex values cannot be given in JSON.`);
  return fromFloat64(dtype, numbers);
}

/** `{name: nested arrays}` or `{name: {dtype, shape, data}}`. */
export function parseJsonInputs(text: string, model: ModelProto, source = 'The JSON file'): Record<string, TensorArray> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${source} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UserError(`${source} must hold an object that maps input names to values.`);
  const out: Record<string, TensorArray> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const spec = value as { dtype?: unknown; shape?: unknown; dims?: unknown; data?: unknown };
      const dtype = spec.dtype !== undefined ? parseDtype(spec.dtype, name) : declaredType(model, name);
      const data = spec.data;
      const shape = (spec.shape ?? spec.dims ?? shapeOfNested(data)) as unknown;
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new UserError(`Input '${name}' in the JSON has an invalid shape.`);
      out[name] = { dtype, dims: shape as number[], data: jsonValues(name, data ?? [], dtype, shape as number[]) };
    } else {
      const dtype = declaredType(model, name);
      const dims = shapeOfNested(value);
      out[name] = { dtype, dims, data: jsonValues(name, value, dtype, dims) };
    }
  }
  return out;
}

/** .npy and .pb files named after inputs map by name; the rest in the order of the model's inputs. */
function readFiles(files: string[], model: ModelProto): Record<string, TensorArray> {
  const required = requiredInputs(model).map((i) => i.name ?? '');
  const all = (model.graph?.input ?? []).map((i) => i.name ?? '');
  const out: Record<string, TensorArray> = {};
  const unnamed: TensorArray[] = [];
  for (const file of files) {
    const ext = extname(file).toLowerCase();
    if (ext === '.json') {
      Object.assign(out, parseJsonInputs(new TextDecoder().decode(read(file)), model, basename(file)));
      continue;
    }
    if (ext === '.npz') {
      for (const entry of parseNpz(read(file), basename(file))) {
        if (all.includes(entry.name)) out[entry.name] = entry.array;
        else unnamed.push(entry.array);
      }
      continue;
    }
    let name: string;
    let array: TensorArray;
    if (ext === '.npy') {
      array = parseNpy(read(file), basename(file));
      name = basename(file, extname(file));
    } else if (ext === '.pb') {
      ({ name, array } = readTensorPb(file));
    } else {
      throw new UserError(`${basename(file)}: input files must be .pb (TensorProto), .npy, .npz or .json.`);
    }
    if (all.includes(name)) out[name] = array;
    else unnamed.push(array);
  }
  const free = required.filter((n) => !(n in out));
  if (unnamed.length > free.length) throw new UserError(`${unnamed.length} input files do not name an input of the model, and only ${free.length} inputs are left to feed.`);
  unnamed.forEach((array, i) => (out[free[i]] = array));
  return out;
}

/**
 * Several .npz files that each feed every required input are one sample each (a calibration folder),
 * not one set whose later files would overwrite the earlier ones' values.
 */
function npzSamples(files: string[], model: ModelProto): TestDataSet[] | undefined {
  if (files.length < 2 || !files.every((f) => extname(f).toLowerCase() === '.npz')) return undefined;
  const sets = files.map((f) => ({ name: basename(f), inputs: readFiles([f], model) }));
  return sets.every((s) => !missingInputs(s.inputs, model)) ? sets : undefined;
}

/**
 * Inputs (and expected outputs) from what the user pointed at: a model test folder with test_data_set_N
 * folders (every set), one test_data_set folder, a folder of .npy/.npz/.pb/.json files, or such files.
 */
export function loadInputSources(paths: string[], model: ModelProto): TestDataSet[] {
  if (paths.length === 1 && isDir(paths[0])) {
    const dir = paths[0];
    const sets = testDataSetDirs(dir);
    if (sets.length) return sets.map((d) => readTestDataSet(d, model));
    if (readdirSync(dir).some((f) => /^(input|output)_\d+\.pb$/.test(f))) return [readTestDataSet(dir, model)];
    const files = readdirSync(dir).filter((f) => /\.(npy|npz|json|pb)$/i.test(f)).sort().map((f) => join(dir, f));
    if (!files.length) throw new UserError(`${dir} holds no test_data_set folders and no .pb, .npy, .npz or .json files.`);
    const samples = npzSamples(files, model);
    if (samples) return samples;
    return [{ name: basename(dir), inputs: readFiles(files, model) }];
  }
  for (const p of paths) if (isDir(p)) throw new UserError(`Give one folder or several files, not both (${basename(p)} is a folder).`);
  return [{ name: paths.map((p) => basename(p)).join(', '), inputs: readFiles(paths, model) }];
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw new UserError(`No such file or folder: ${path}`);
  }
}

/** Inputs the model needs that a source does not provide, as one sentence. */
export function missingInputs(inputs: Record<string, TensorArray>, model: ModelProto): string | undefined {
  const missing = requiredInputs(model).map((i) => i.name ?? '').filter((n) => n && !(n in inputs));
  if (!missing.length) return undefined;
  return `No values for input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')}.`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
