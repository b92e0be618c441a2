// One model as text for `git diff` (git's textconv): the ONNX text of the model with tensors elided, then
// one line per initializer with its type, shape and a digest of its values, so that a changed weight shows
// as a changed line instead of hiding behind `{...}`.
import { createHash } from 'node:crypto';
import { dataTypeName } from '../model/dataTypes.js';
import type { ExternalDataReader } from '../model/externalData.js';
import { isExternal } from '../model/externalData.js';
import { onnx, type ModelProto, type TensorProto } from '../model/proto.js';
import { tensorDims, tensorToArray } from '../model/tensorValues.js';
import { walkModel } from '../model/walk.js';
import { printModel } from '../text/printer.js';

function digest(t: TensorProto, reader?: ExternalDataReader): string {
  const hash = createHash('sha256');
  if (isExternal(t)) {
    if (!reader) return 'external';
    try {
      const array = tensorToArray(t, reader);
      const data = array.data;
      if (Array.isArray(data)) hash.update(data.join('\u0000'));
      else hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch {
      return 'external (unreadable)';
    }
  } else if (t.rawData?.length) hash.update(t.rawData);
  else hash.update(onnx.TensorProto.encode({ ...t, name: '', docString: '' }).finish());
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

export function textconv(model: ModelProto, reader?: ExternalDataReader): string {
  const { text } = printModel(model, { elideAbove: 8 });
  const lines = [text.trimEnd(), '', '# initializer digests'];
  for (const visit of walkModel(model)) {
    const where = visit.path.length ? ` (in ${visit.path.join('/')})` : '';
    for (const t of visit.graph?.initializer ?? []) {
      lines.push(`# ${t.name}${where}: ${dataTypeName(t.dataType ?? 0)}[${tensorDims(t).join(',')}] ${digest(t, reader)}`);
    }
  }
  return lines.join('\n') + '\n';
}
