// Tensor values stored outside the .onnx file (location/offset/length entries). Files are opened lazily
// and read in place, so opening a model with gigabytes of external weights reads none of them.
// A location may not leave the model's folder: ONNX itself shipped that path traversal (CVE-2024-27318).
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import type { TensorProto } from './proto.js';

export interface ExternalLocation {
  location: string;
  offset: number;
  /** Undefined: to the end of the file. */
  length?: number;
}

export function isExternal(tensor: TensorProto): boolean {
  return tensor.dataLocation === 1 || ((tensor.externalData?.length ?? 0) > 0 && !tensor.rawData?.length);
}

export function externalLocation(tensor: TensorProto): ExternalLocation {
  const entries = new Map((tensor.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new UserError(`Tensor '${tensor.name ?? ''}' is marked external but names no location.`);
  const number = (key: string): number | undefined => {
    const text = entries.get(key);
    if (text === undefined || text === '') return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new UserError(`Tensor '${tensor.name ?? ''}' has an invalid external-data ${key}: ${text}`);
    return n;
  };
  return { location, offset: number('offset') ?? 0, length: number('length') };
}

/** Resolves a location inside `baseDir`, refusing absolute paths, `..` and symlinks that point out. */
export function resolveInside(baseDir: string, location: string): string {
  const normalized = location.replace(/\\/g, '/');
  if (isAbsolute(normalized) || /^[a-zA-Z]:\//.test(normalized) || normalized.split('/').includes('..')) {
    throw new UserError(`External data location '${location}' leaves the model's folder; refused.`);
  }
  const path = join(baseDir, normalized);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new UserError(`External data file '${location}' is missing next to the model.`);
  }
  const realBase = realpathSync(baseDir);
  const rel = relative(realBase, real);
  if (rel === '' || rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel)) {
    throw new UserError(`External data location '${location}' resolves outside the model's folder; refused.`);
  }
  return real;
}

export class ExternalDataReader {
  private readonly handles = new Map<string, { fd: number; size: number }>();

  constructor(readonly baseDir: string) {}

  static forModel(modelPath: string): ExternalDataReader {
    return new ExternalDataReader(dirname(modelPath));
  }

  private handle(location: string): { fd: number; size: number } {
    let handle = this.handles.get(location);
    if (!handle) {
      const path = resolveInside(this.baseDir, location);
      const fd = openSync(path, 'r');
      handle = { fd, size: fstatSync(fd).size };
      this.handles.set(location, handle);
    }
    return handle;
  }

  /** Checks that the tensor's bytes exist without reading them. */
  check(tensor: TensorProto): void {
    const where = externalLocation(tensor);
    const { size } = this.handle(where.location);
    const end = where.offset + (where.length ?? Math.max(0, size - where.offset));
    if (where.offset > size || end > size) {
      throw new UserError(`External data file '${where.location}' is too short for tensor '${tensor.name ?? ''}' (needs ${end} bytes, has ${size}).`);
    }
  }

  read(tensor: TensorProto): Uint8Array {
    this.check(tensor);
    const where = externalLocation(tensor);
    const { fd, size } = this.handle(where.location);
    const length = where.length ?? size - where.offset;
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, bytes, done, length - done, where.offset + done);
      if (n === 0) break;
      done += n;
    }
    return bytes;
  }

  close(): void {
    for (const { fd } of this.handles.values()) closeSync(fd);
    this.handles.clear();
  }
}
