// Type, shape and statistics of a tensor: what hovers and the results view show instead of the values.
import { dataTypeName } from '../model/dataTypes.js';
import { tensorStats } from '../model/stats.js';
import { toFloat64, type TensorArray } from '../model/tensorValues.js';
import type { ValueSummary } from './workerProtocol.js';

export function summarizeArray(array: TensorArray): ValueSummary {
  const strings = Array.isArray(array.data);
  const stats = tensorStats(strings ? [] : toFloat64(array));
  if (strings) stats.count = array.data.length;
  return { dtype: dataTypeName(array.dtype), shape: array.dims, stats };
}
