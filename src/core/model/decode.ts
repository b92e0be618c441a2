// Bytes to ModelProto and back, with one-sentence errors for anything that is not a model.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { decodeModelProto } from './lazyDecode.js';
import { encodeModelBytes } from './modelWriter.js';
import type { ModelProto } from './proto.js';

const magic: Array<[string, number[]]> = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a ZIP archive (a PyTorch checkpoint or .onnx inside an archive?)', [0x50, 0x4b, 0x03, 0x04]],
  ['a gzip file', [0x1f, 0x8b]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a Python pickle', [0x80]],
];

function sniff(bytes: Uint8Array): string | undefined {
  for (const [what, prefix] of magic) {
    if (bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b)) return what;
  }
  return undefined;
}

/** Decodes an ONNX model; throws UserError with one plain sentence on anything else. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  if (bytes.length === 0) throw new UserError('The file is empty: an ONNX model needs at least a graph.');
  const kind = sniff(bytes);
  if (kind) throw new UserError(`This is ${kind}, not an ONNX model.`);
  let model: ModelProto;
  try {
    model = decodeModelProto(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    throw new UserError(`Not a valid ONNX model: the protobuf data is truncated or corrupt (${reason}).`, { cause: error });
  }
  // Protobuf decoding is lenient: random bytes can decode into a message of unknown fields.
  if (model.graph == null && !Object.prototype.hasOwnProperty.call(model, 'irVersion')) {
    throw new UserError('Not an ONNX model: the file holds no ir_version and no graph.');
  }
  if (model.graph == null) throw new UserError('Not a usable ONNX model: the file holds no graph.');
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return encodeModelBytes(model);
}

/** Reads and decodes a model file; a missing or unreadable file is a UserError too. */
export async function readModelFile(path: string): Promise<{ model: ModelProto; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`No such file: ${path}`);
    if (code === 'EISDIR') throw new UserError(`${path} is a folder, not an ONNX model.`);
    throw new UserError(`Cannot read ${path}: ${code ?? String(error)}`);
  }
  return { model: decodeModel(bytes), bytes };
}
