// Checks made before a model file goes to onnxruntime, where our own words explain the problem better
// than onnxruntime's (`parse_string.h:116 ... Failed to parse value` for a bad external-data offset).
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { byteLength, dataTypeName } from '../model/dataTypes.js';
import { ExternalDataReader, externalLocation, isExternal } from '../model/externalData.js';
import { allTensors } from '../model/modelFile.js';
import { DataType, type ModelProto } from '../model/proto.js';
import { elementCount, tensorDims } from '../model/tensorValues.js';

/**
 * Every external-data reference of `model` (stored at `modelPath`): the location stays in the model's
 * folder, the file exists and holds offset + length bytes, and the length is what the tensor's shape needs.
 */
export function checkExternalData(model: ModelProto, modelPath: string): void {
  const reader = new ExternalDataReader(dirname(modelPath));
  try {
    for (const tensor of allTensors(model)) {
      if (!isExternal(tensor)) continue;
      reader.check(tensor);
      const where = externalLocation(tensor);
      const dims = tensorDims(tensor);
      const dtype = tensor.dataType ?? 0;
      if (where.length === undefined || dtype === DataType.STRING || dims.some((d) => d < 0)) continue;
      const need = byteLength(dtype, elementCount(dims));
      if (where.length !== need) {
        throw new UserError(`Tensor '${tensor.name ?? ''}' takes ${where.length} bytes of '${where.location}' at offset ${where.offset}, `
          + `but ${dataTypeName(dtype)}[${dims.join(',')}] needs ${need}.`);
      }
    }
  } finally {
    reader.close();
  }
}
