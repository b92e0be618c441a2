// Writing models: atomically (temporary file + rename, so a failed write never leaves a half file over
// the user's), with tensor data moved to or from a side file. Protobuf caps a message at 2 GB, so larger
// models always get external data.
import { closeSync, existsSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { encodeModelParts } from './modelWriter.js';
import { ExternalDataReader, isExternal } from './externalData.js';
import { onnx, type ModelProto, type TensorProto } from './proto.js';
import { walkModel } from './walk.js';

const twoGB = 2 ** 31;
/** Headroom under protobuf's 2 GB for everything that is not tensor data. */
const protobufLimit = twoGB - 64 * 2 ** 20;

export interface WriteOptions {
  /**
   * 'keep' (default): tensors stay where they are; tensors that are external in the source are copied
   * into the output's own data file. 'all': every tensor of at least `threshold` bytes goes to the data
   * file. 'none': everything is stored inside the .onnx (fails above 2 GB).
   */
  externalData?: 'keep' | 'all' | 'none';
  /** Name of the data file, relative to the output's folder. Default: `<output name>.data`. */
  location?: string;
  /** Smallest tensor moved out with 'all' (default 1 KiB). */
  threshold?: number;
  /** Folder the model was read from, to resolve its existing external references. */
  sourceDir?: string;
}

export interface WriteResult {
  path: string;
  bytes: number;
  dataFile?: string;
  dataBytes: number;
}

/** Every TensorProto in the model: initializers, sparse parts, Constant values, tensor attributes. */
export function* allTensors(model: ModelProto): Generator<TensorProto> {
  for (const visit of walkModel(model)) {
    if (visit.graph) {
      yield* visit.graph.initializer ?? [];
      for (const s of visit.graph.sparseInitializer ?? []) {
        if (s.values) yield s.values;
        if (s.indices) yield s.indices;
      }
    }
    for (const node of visit.nodes) {
      for (const a of node.attribute ?? []) {
        if (a.t) yield a.t;
        yield* a.tensors ?? [];
      }
    }
  }
}

function rawSize(tensor: TensorProto): number {
  return tensor.rawData?.length ?? 0;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** The same path, or `name-2.onnx`, `name-3.onnx`... when taken. */
export function freeOutputPath(path: string): string {
  if (!existsSync(path)) return path;
  const ext = extname(path);
  const stem = path.slice(0, path.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}${ext}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/** Refuses to write over the model that is being read. */
export function assertNotSameFile(input: string, output: string): void {
  if (!existsSync(output)) return;
  if (realpathSync(input) === realpathSync(output)) throw new UserError('The output would overwrite the input model; choose another output path.');
}

/**
 * Writes `model` to `path`. The model object is not changed: tensors whose storage moves are copied.
 * Both files appear only when complete.
 */
export function writeModelAtomic(path: string, model: ModelProto, options: WriteOptions = {}): WriteResult {
  const mode = options.externalData ?? 'keep';
  const threshold = options.threshold ?? 1024;
  const location = options.location ?? `${basename(path)}.data`;
  const sourceReader = options.sourceDir ? new ExternalDataReader(options.sourceDir) : undefined;
  const tensors = [...allTensors(model)];
  const internalBytes = tensors.reduce((n, t) => n + rawSize(t), 0);
  const hasExternal = tensors.some((t) => isExternal(t));
  let externalize = mode === 'all' || (mode === 'keep' && internalBytes > protobufLimit);
  if (mode === 'none' && internalBytes > protobufLimit) throw new UserError('The model is larger than 2 GB and must be written with external data.');
  const moveThreshold = mode === 'all' ? threshold : internalBytes > protobufLimit ? threshold : Infinity;
  if (externalize === false && !hasExternal) {
    // Written part by part: the weights go from the model's own buffers to the file, never joined in memory.
    return writeSingle(path, encodeModelParts(model));
  }
  externalize ||= hasExternal;

  // Copy-on-write: swap tensor objects for the duration of the encode, then restore them.
  const dataPath = join(dirname(path), location);
  const dataTemp = tempPathFor(dataPath);
  const restore: Array<() => void> = [];
  let dataFd: number | undefined;
  let offset = 0;
  const append = (bytes: Uint8Array): number => {
    dataFd ??= openSync(dataTemp, 'w');
    const pad = (64 - (offset % 64)) % 64;
    if (pad) writeAll(dataFd, new Uint8Array(pad));
    offset += pad;
    const at = offset;
    writeAll(dataFd, bytes);
    offset += bytes.length;
    return at;
  };
  try {
    for (const t of tensors) {
      const external = isExternal(t);
      let bytes: Uint8Array | undefined;
      if (external) {
        if (!sourceReader) throw new UserError(`Tensor '${t.name ?? ''}' refers to external data, but the model's folder is unknown.`);
        bytes = sourceReader.read(t);
        if (mode === 'none') {
          swap(t, { rawData: bytes, externalData: [], dataLocation: 0 }, restore);
          continue;
        }
      } else if (externalize && rawSize(t) >= moveThreshold) {
        bytes = t.rawData!;
      }
      if (!bytes) continue;
      const at = append(bytes);
      swap(t, {
        rawData: new Uint8Array(),
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          new onnx.StringStringEntryProto({ key: 'location', value: location }),
          new onnx.StringStringEntryProto({ key: 'offset', value: String(at) }),
          new onnx.StringStringEntryProto({ key: 'length', value: String(bytes.length) }),
        ],
      }, restore);
    }
    const encoded = encodeModelParts(model);
    if (dataFd !== undefined) {
      fsyncSync(dataFd);
      closeSync(dataFd);
      dataFd = undefined;
      renameSync(dataTemp, dataPath);
    }
    const result = writeSingle(path, encoded);
    return { ...result, dataFile: offset ? dataPath : undefined, dataBytes: offset };
  } finally {
    if (dataFd !== undefined) closeSync(dataFd);
    if (existsSync(dataTemp)) rmSync(dataTemp, { force: true });
    restore.reverse().forEach((undo) => undo());
    sourceReader?.close();
  }
}

function swap(tensor: TensorProto, fields: Partial<TensorProto>, restore: Array<() => void>): void {
  const target = tensor as Record<string, unknown>;
  const saved = Object.keys(fields).map((k) => [k, Object.prototype.hasOwnProperty.call(target, k), target[k]] as const);
  Object.assign(target, fields);
  if (!fields.rawData?.length) delete target.rawData;
  if (!fields.externalData?.length) delete target.externalData;
  if (!fields.dataLocation) delete target.dataLocation;
  restore.push(() => {
    for (const [k, had, value] of saved) {
      if (had) target[k] = value;
      else delete target[k];
    }
  });
}

/** Writes bytes to `path` atomically (a temporary file in the same folder, then a rename). */
export function writeBytesAtomic(path: string, bytes: Uint8Array): WriteResult {
  return writeSingle(path, bytes);
}

function writeSingle(path: string, bytes: Uint8Array | Uint8Array[]): WriteResult {
  const parts = Array.isArray(bytes) ? bytes : [bytes];
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w');
    for (const part of parts) writeAll(fd, part);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot write ${path}: ${code ?? String(error)}`, { cause: error });
  }
  return { path, bytes: parts.reduce((n, p) => n + p.length, 0), dataBytes: 0 };
}
