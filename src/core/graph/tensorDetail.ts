// A tensor's facts for the side panel, computed on demand in the host: storage, statistics with a
// histogram, and its values one page at a time. Recently inspected tensors stay decoded for paging.
import { oneLine, UserError } from '../errors.js';
import { formatValue } from '../format.js';
import { dataTypeName } from '../model/dataTypes.js';
import { externalLocation, isExternal, type ExternalDataReader } from '../model/externalData.js';
import { DataType, type ModelProto, type TensorProto } from '../model/proto.js';
import { tensorStats } from '../model/stats.js';
import { tensorByteSize } from '../model/summary.js';
import { constantNodeTensor, elementCount, sparseToDense, tensorDims, tensorToArray, toFloat64, type TensorArray } from '../model/tensorValues.js';
import { isConstantNode, resolveGraph, type GraphSource } from './viewModel.js';
import type { TensorDetail, TensorRef, TensorStatsView } from './viewModelTypes.js';

/** Largest page of values one request returns. */
export const MAX_PAGE = 1000;
/** Above this many elements statistics are taken over an evenly spaced sample. */
const STATS_SAMPLE = 16_000_000;

/** Finds the TensorProto a reference names: initializer or Constant output (here or in an enclosing graph), or a node's tensor attribute. */
export function findTensor(model: ModelProto, ref: TensorRef): TensorProto {
  const source = resolveGraph(model, ref.graph);
  if (!source) throw new UserError('That graph is no longer in the model.');
  if (ref.node !== undefined) {
    const node = source.nodes[ref.node];
    const attribute = node?.attribute?.find((a) => a.name === ref.attribute);
    if (!attribute?.t) throw new UserError(`Node #${ref.node} has no tensor attribute '${ref.attribute ?? ''}'.`);
    return attribute.t;
  }
  const name = ref.name ?? '';
  for (let s: GraphSource | undefined = source; s; s = s.parent) {
    const initializer = s.initializers.find((t) => t.name === name);
    if (initializer) return initializer;
    const sparse = s.graph?.sparseInitializer?.find((t) => t.values?.name === name);
    if (sparse) return sparseToDense(sparse, name);
    const constant = s.nodes.find((n) => isConstantNode(n) && n.output?.[0] === name);
    if (constant) {
      const tensor = constantNodeTensor(constant);
      if (tensor) return tensor;
    }
  }
  throw new UserError(`'${name}' is not a constant tensor; its values exist only when the model runs.`);
}

function storageOf(tensor: TensorProto): Pick<TensorDetail, 'storage' | 'external'> {
  if (isExternal(tensor)) {
    const where = externalLocation(tensor);
    return { storage: 'external', external: { location: where.location, offset: where.offset, length: where.length } };
  }
  if (tensor.rawData?.length) return { storage: 'raw' };
  const typed = (tensor.floatData?.length ?? 0) + (tensor.int32Data?.length ?? 0) + (tensor.int64Data?.length ?? 0) + (tensor.doubleData?.length ?? 0) + (tensor.uint64Data?.length ?? 0) + (tensor.stringData?.length ?? 0);
  return { storage: typed ? 'typed' : 'empty' };
}

function valueText(array: TensorArray, numeric: Float64Array | undefined, i: number): string {
  const data = array.data;
  if (Array.isArray(data)) return JSON.stringify(data[i]);
  if (array.dtype === DataType.BOOL) return data[i] ? 'true' : 'false';
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return data[i].toString();
  if (array.dtype === DataType.COMPLEX64 || array.dtype === DataType.COMPLEX128) {
    const re = Number(data[2 * i]);
    const im = Number(data[2 * i + 1]);
    return `${formatValue(re)}${im < 0 ? '-' : '+'}${formatValue(Math.abs(im))}i`;
  }
  const v = numeric ? numeric[i] : Number(data[i]);
  return formatValue(v);
}

interface Decoded {
  array: TensorArray;
  numeric?: Float64Array;
  stats?: TensorStatsView;
}

/** Reads tensors for one model; keeps the last few decoded so that paging does not decode again. */
export class TensorInspector {
  private readonly cache = new Map<string, Decoded | { error: string }>();

  constructor(private readonly model: ModelProto, private readonly external?: ExternalDataReader) {}

  detail(ref: TensorRef, offset = 0, count = 100): TensorDetail {
    const tensor = findTensor(this.model, ref);
    const dims = tensorDims(tensor);
    const total = elementCount(dims);
    const detail: TensorDetail = {
      name: tensor.name || ref.name || ref.attribute || '',
      dtype: dataTypeName(tensor.dataType ?? 0),
      dims,
      count: total,
      bytes: tensorByteSize(tensor),
      ...storageOf(tensor),
      preview: { offset, values: [] },
    };
    const decoded = this.decode(ref, tensor);
    if ('error' in decoded) {
      detail.error = decoded.error;
      return detail;
    }
    detail.stats = decoded.stats;
    const start = Math.max(0, Math.min(Math.floor(offset), total));
    const end = Math.min(total, start + Math.max(0, Math.min(MAX_PAGE, Math.floor(count))));
    detail.preview = { offset: start, values: [] };
    for (let i = start; i < end; i++) detail.preview.values.push(valueText(decoded.array, decoded.numeric, i));
    return detail;
  }

  private decode(ref: TensorRef, tensor: TensorProto): Decoded | { error: string } {
    const key = JSON.stringify([ref.graph, ref.name ?? null, ref.node ?? null, ref.attribute ?? null]);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    let entry: Decoded | { error: string };
    try {
      const array = tensorToArray(tensor, this.external);
      const decoded: Decoded = { array };
      // Statistics are over the real part for complex types: toFloat64 gives one number per element.
      if (!Array.isArray(array.data)) {
        const numeric = toFloat64(array);
        decoded.numeric = numeric;
        decoded.stats = { ...tensorStats(sample(numeric)), count: numeric.length };
      }
      entry = decoded;
    } catch (error) {
      entry = { error: oneLine(error) };
    }
    this.cache.set(key, entry);
    while (this.cache.size > 8) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }
}

function sample(values: Float64Array): Float64Array {
  if (values.length <= STATS_SAMPLE) return values;
  const stride = values.length / STATS_SAMPLE;
  const out = new Float64Array(STATS_SAMPLE);
  for (let i = 0; i < STATS_SAMPLE; i++) out[i] = values[Math.floor(i * stride)];
  return out;
}
