// NumPy .npz files (numpy.savez and savez_compressed): a ZIP archive of .npy files, stored or deflated.
// Only what those writers produce is read: the central directory (with ZIP64 sizes), methods 0 and 8.
import { inflateRawSync } from 'node:zlib';
import { UserError } from '../errors.js';
import type { TensorArray } from '../model/tensorValues.js';
import { parseNpy } from './npy.js';

const endOfDirectory = 0x06054b50;
const directoryEntry = 0x02014b50;
const localHeader = 0x04034b50;

/** Arrays of a .npz file by name (`x.npy` -> `x`), in the archive's order. */
export function parseNpz(bytes: Uint8Array, source = 'The .npz file'): Array<{ name: string; array: TensorArray }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new UserError(`${source} is not a readable .npz archive (${why}).`);
  // The end record is 22 bytes plus a comment of up to 65535.
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (view.getUint32(at, true) === endOfDirectory) {
      end = at;
      break;
    }
  }
  if (end < 0) throw bad('no ZIP directory');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const arrays: Array<{ name: string; array: TensorArray }> = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== directoryEntry) throw bad('a damaged directory');
    const method = view.getUint16(at + 10, true);
    let compressed = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let offset = view.getUint32(at + 42, true);
    const fileName = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // ZIP64: 0xFFFFFFFF fields are in the extra block 0x0001, in the order size, compressed, offset.
    const extraStart = at + 46 + nameLength;
    for (let e = extraStart; e + 4 <= extraStart + extraLength;) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 1) {
        let field = e + 4;
        const next = () => {
          const value = Number(view.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (offset === 0xffffffff) offset = next();
      }
      e += 4 + length;
    }
    at = extraStart + extraLength + commentLength;
    if (offset + 30 > bytes.length || view.getUint32(offset, true) !== localHeader) throw bad(`a damaged entry ${fileName}`);
    const dataStart = offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
    if (dataStart + compressed > bytes.length) throw bad(`${fileName} is truncated`);
    const raw = bytes.subarray(dataStart, dataStart + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateRawSync(raw);
      } catch (error) {
        throw bad(`${fileName} does not inflate: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else throw bad(`${fileName} uses compression method ${method}; numpy.savez and savez_compressed use 0 and 8`);
    if (data.length !== size) throw bad(`${fileName} holds ${data.length} bytes, not ${size}`);
    if (!fileName.endsWith('.npy')) continue;
    arrays.push({ name: fileName.slice(0, -4), array: parseNpy(data, `${fileName} in ${source}`) });
  }
  return arrays;
}
