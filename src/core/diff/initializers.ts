// Paired initializers: element type, shape, and for different values the numeric difference (max abs,
// cosine, share of changed elements) and the share of zeros on each side. Equal bytes short-cut the rest.
import { dataTypeName } from '../model/dataTypes.js';
import type { ExternalDataReader } from '../model/externalData.js';
import { isExternal } from '../model/externalData.js';
import type { TensorProto } from '../model/proto.js';
import { DataType, onnx } from '../model/proto.js';
import { elementCount, tensorDims, tensorToArray, type TensorArray } from '../model/tensorValues.js';
import { compareTensors, numeric } from '../runtime/compare.js';
import { formatDims } from '../format.js';
import type { InitializerChange } from './types.js';

export interface InitializerReaders {
  a?: ExternalDataReader;
  b?: ExternalDataReader;
}

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  // Word-wise where both views are aligned: weights run to gigabytes.
  if (x.byteOffset % 4 === 0 && y.byteOffset % 4 === 0) {
    const words = x.length >>> 2;
    const u = new Uint32Array(x.buffer, x.byteOffset, words);
    const v = new Uint32Array(y.buffer, y.byteOffset, words);
    for (let i = 0; i < words; i++) if (u[i] !== v[i]) return false;
    for (let i = words * 4; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Same stored values: raw bytes when both have them, else the typed fields in encoded form. */
function sameValues(x: TensorProto, y: TensorProto): boolean | undefined {
  if (isExternal(x) || isExternal(y)) return undefined;
  if (x.rawData?.length && y.rawData?.length) return bytesEqual(x.rawData, y.rawData);
  const body = (t: TensorProto) => onnx.TensorProto.encode({ ...t, name: '', docString: '' }).finish();
  return bytesEqual(body(x), body(y));
}

function zeroShare(array: TensorArray): number {
  const count = elementCount(array.dims);
  if (!count || typeof array.data[0] === 'string') return 0;
  const values = numeric(array);
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros / values.length;
}

function read(t: TensorProto, reader?: ExternalDataReader): TensorArray | undefined {
  try {
    return tensorToArray(t, reader);
  } catch {
    // External data that is missing, or a type we cannot decode: compared by type and shape only.
    return undefined;
  }
}

/** Undefined when both hold the same name, type, shape and values; a rename alone is a change without numbers. */
export function compareInitializers(x: TensorProto, y: TensorProto, readers: InitializerReaders = {}): InitializerChange | undefined {
  const [dx, dy] = [tensorDims(x), tensorDims(y)];
  const sameType = x.dataType === y.dataType;
  const sameShape = formatDims(dx) === formatDims(dy);
  const renamed = (x.name ?? '') !== (y.name ?? '');
  const sparsityOnly = { before: NaN, after: NaN };
  if (sameType && sameShape && sameValues(x, y) === true) return renamed ? { a: x.name ?? '', b: y.name ?? '', sparsity: sparsityOnly } : undefined;
  const [ax, ay] = [read(x, readers.a), read(y, readers.b)];
  const change: InitializerChange = {
    a: x.name ?? '', b: y.name ?? '',
    sparsity: { before: ax ? zeroShare(ax) : NaN, after: ay ? zeroShare(ay) : NaN },
  };
  if (!sameType) change.dtype = { before: dataTypeName(x.dataType ?? 0), after: dataTypeName(y.dataType ?? 0) };
  if (!sameShape) change.shape = { before: formatDims(dx), after: formatDims(dy) };
  if (ax && ay && elementCount(ax.dims) === elementCount(ay.dims) && typeof ax.data[0] !== 'string' && typeof ay.data[0] !== 'string') {
    // Compared as float64 so that a float32 weight and its float16 copy compare too.
    const wide = (t: TensorArray): TensorArray => {
      const data = numeric(t);
      return { dtype: DataType.DOUBLE, dims: [data.length], data };
    };
    const c = compareTensors('', wide(ax), wide(ay), { rtol: 0, atol: 0 });
    if (c.mismatches === 0 && sameType && sameShape) return renamed ? { ...change, sparsity: sparsityOnly } : undefined;
    change.numeric = { maxAbs: c.maxAbsError, cosine: c.cosine, changedShare: c.count ? c.mismatches / c.count : 0 };
  }
  return change;
}
