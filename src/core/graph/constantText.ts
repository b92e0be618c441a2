// The values of small constants as box text (`0.5`, `[1, 2]`), so that a scalar or a short list reads
// in the graph as Netron shows it, without opening the panel. Large or external tensors give nothing.
import { formatNumber } from '../format.js';
import { isExternal } from '../model/externalData.js';
import { DataType, type TensorProto } from '../model/proto.js';
import { elementCount, rawSmallElements, tensorDims, tensorToArray, toFloat64 } from '../model/tensorValues.js';

const bigintText = (v: bigint) => v.toString();

/** Constants with at most this many values show them in the box. */
export const SMALL_CONSTANT = 8;

/**
 * `0.5` for a scalar, `[1, 2]` for a vector, `[1, 2, 3, 4]` (flat, row-major) for a small matrix; undefined
 * when the tensor has more than `max` values, keeps them in an external file, or cannot be read.
 */
export function smallConstantText(tensor: TensorProto, max = SMALL_CONSTANT): string | undefined {
  const dims = tensorDims(tensor);
  const count = elementCount(dims);
  if (count > max || dims.some((d) => d < 0) || isExternal(tensor) || tensor.segment) return undefined;
  if (count === 0) return '[]';
  let items = rawSmallElements(tensor, count, bigintText, formatNumber);
  if (items) return dims.length === 0 ? items[0] : `[${items.join(', ')}]`;
  try {
    const array = tensorToArray(tensor);
    const data = array.data;
    if (Array.isArray(data)) items = data.map((s) => JSON.stringify(s));
    else if (array.dtype === DataType.BOOL) items = Array.from(data as Uint8Array, (b) => (b ? 'true' : 'false'));
    else if (data instanceof BigInt64Array || data instanceof BigUint64Array) items = Array.from(data, (b) => b.toString());
    else if (array.dtype === DataType.COMPLEX64 || array.dtype === DataType.COMPLEX128) return undefined;
    else items = Array.from(toFloat64(array), (x) => formatNumber(x));
  } catch {
    // An unreadable tensor shows its shape only; the panel says what is wrong with it.
    return undefined;
  }
  if (dims.length === 0) return items[0];
  return `[${items.join(', ')}]`;
}

