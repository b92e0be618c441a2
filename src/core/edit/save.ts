// Saving an edited model: atomically, and without touching its external data files. Saved beside the
// source (Save, or Save As in the same folder), the model keeps its external references as they are, so
// only the .onnx is written; saved elsewhere, the external tensors are copied into the new file's own
// data file (`<name>.data`) so that the copy is complete. An initializer an edit replaced is stored
// inside the .onnx.
import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { encodeModel } from '../model/decode.js';
import { isExternal } from '../model/externalData.js';
import { allTensors, writeBytesAtomic, writeModelAtomic, type WriteResult } from '../model/modelFile.js';
import type { ModelProto } from '../model/proto.js';

export interface SaveOptions {
  /** The folder the model was read from: its external references resolve there. */
  sourceDir?: string;
}

function sameFolder(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
}

export function saveEditedModel(path: string, model: ModelProto, options: SaveOptions = {}): WriteResult {
  const tensors = [...allTensors(model)];
  const external = tensors.some((t) => isExternal(t));
  if (!external) return writeModelAtomic(path, model, { externalData: 'keep' });
  if (!options.sourceDir) throw new UserError('The model refers to external data, but the folder it was read from is unknown.');
  if (sameFolder(dirname(path), options.sourceDir)) {
    const inline = tensors.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
    if (inline > 2 ** 31 - 64 * 2 ** 20) throw new UserError('The edited model holds more than 2 GB inside the .onnx; save it with external data (onnx-lens convert).');
    return writeBytesAtomic(path, encodeModel(model));
  }
  return writeModelAtomic(path, model, { externalData: 'keep', sourceDir: options.sourceDir });
}
