// Tensors: a known element type, exactly one value field and the right one for the type, as many
// values (or raw bytes) as the dims say, and external data that stays in the model's folder and exists.
import { statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { byteLength, dataTypeName } from '../model/dataTypes.js';
import { externalLocation, resolveInside } from '../model/externalData.js';
import { DataType, int64ToNumber, type SparseTensorProto, type TensorProto } from '../model/proto.js';
import { dataTypeMinIr } from './model.js';
import type { CheckContext } from './context.js';
import type { ProblemLocation } from './problem.js';
import { isKnownDataType } from './types.js';

/** The typed field that holds a data type's values, and how many entries n elements take. */
function typedField(dataType: number): { field: keyof TensorProto & string; label: string; count: (n: number) => number } | undefined {
  const same = (n: number) => n;
  switch (dataType) {
    case DataType.FLOAT: return { field: 'floatData', label: 'float_data', count: same };
    case DataType.COMPLEX64: return { field: 'floatData', label: 'float_data', count: (n) => 2 * n };
    case DataType.DOUBLE: return { field: 'doubleData', label: 'double_data', count: same };
    case DataType.COMPLEX128: return { field: 'doubleData', label: 'double_data', count: (n) => 2 * n };
    case DataType.INT64: return { field: 'int64Data', label: 'int64_data', count: same };
    case DataType.UINT32:
    case DataType.UINT64: return { field: 'uint64Data', label: 'uint64_data', count: same };
    case DataType.STRING: return { field: 'stringData', label: 'string_data', count: same };
    case DataType.UINT4:
    case DataType.INT4:
    case DataType.FLOAT4E2M1: return { field: 'int32Data', label: 'int32_data', count: (n) => Math.ceil(n / 2) };
    case DataType.UINT2:
    case DataType.INT2: return { field: 'int32Data', label: 'int32_data', count: (n) => Math.ceil(n / 4) };
    default: return isKnownDataType(dataType) ? { field: 'int32Data', label: 'int32_data', count: same } : undefined;
  }
}

const valueFields: Array<[keyof TensorProto & string, string]> = [
  ['floatData', 'float_data'], ['int32Data', 'int32_data'], ['stringData', 'string_data'], ['int64Data', 'int64_data'],
  ['rawData', 'raw_data'], ['doubleData', 'double_data'], ['uint64Data', 'uint64_data'],
];

function fieldLength(tensor: TensorProto, field: keyof TensorProto & string): number {
  const value = tensor[field] as { length?: number } | null | undefined;
  return value?.length ?? 0;
}

export function checkTensor(ctx: CheckContext, tensor: TensorProto, at: ProblemLocation): void {
  const name = tensor.name ?? '';
  const where: ProblemLocation = name ? { ...at, value: name } : at;
  const label = name ? `tensor '${name}'` : 'a tensor';
  const dataType = tensor.dataType ?? DataType.UNDEFINED;
  if (dataType === DataType.UNDEFINED) {
    ctx.report('error', 'tensor-data-type', where, `${label} has no data type`);
    return;
  }
  if (!isKnownDataType(dataType)) {
    ctx.report('error', 'tensor-data-type', where, `${label} has unknown data type ${dataType}`);
    return;
  }
  const minIr = dataTypeMinIr.get(dataType);
  if (minIr) ctx.requireIr(minIr, `${dataTypeName(dataType)} tensors`, where);
  if (tensor.metadataProps?.length) ctx.requireIr(10, 'metadata_props on tensors', where);

  let elements = 1;
  for (const d of tensor.dims ?? []) {
    const n = int64ToNumber(d);
    if (n < 0) {
      ctx.report('error', 'tensor-dims', where, `${label} has a negative dimension (${n})`);
      return;
    }
    elements *= n;
  }
  const present = valueFields.filter(([field]) => fieldLength(tensor, field) > 0);

  if (tensor.dataLocation === 1) {
    if (present.length) ctx.report('error', 'tensor-data', where, `${label} is stored externally but also holds ${present[0][1]}`);
    checkExternal(ctx, tensor, where, label, byteLength(dataType, elements));
    return;
  }
  if (elements === 0) {
    if (present.length) ctx.report('error', 'tensor-data', where, `${label} has no elements but holds ${present.map((p) => p[1]).join(' and ')}`);
    return;
  }
  if (present.length !== 1) {
    ctx.report('error', 'tensor-data', where, present.length === 0
      ? `${label} holds no values (${elements} expected)`
      : `${label} holds values in more than one field (${present.map((p) => p[1]).join(', ')})`);
    return;
  }
  const [field, fieldLabel] = present[0];
  if (field === 'rawData') {
    if (dataType === DataType.STRING) {
      ctx.report('error', 'tensor-data', where, `${label} holds strings in raw_data; strings go in string_data`);
      return;
    }
    const expected = byteLength(dataType, elements);
    const actual = fieldLength(tensor, 'rawData');
    if (actual !== expected) {
      ctx.report('error', 'tensor-size', where, `${label}: raw_data holds ${actual} bytes, but ${elements} ${dataTypeName(dataType)} values take ${expected}`);
    }
    return;
  }
  const typed = typedField(dataType)!;
  if (field !== typed.field) {
    ctx.report('error', 'tensor-data', where, `${label}: ${dataTypeName(dataType)} values belong in ${typed.label}, not ${fieldLabel}`);
    return;
  }
  const expected = typed.count(elements);
  const actual = fieldLength(tensor, field);
  if (actual !== expected) {
    ctx.report('error', 'tensor-size', where, `${label}: ${fieldLabel} holds ${actual} value${actual === 1 ? '' : 's'}, but ${elements} ${dataTypeName(dataType)} values need ${expected}`);
  }
}

function checkExternal(ctx: CheckContext, tensor: TensorProto, where: ProblemLocation, label: string, expectedBytes: number): void {
  let location: ReturnType<typeof externalLocation>;
  try {
    location = externalLocation(tensor);
  } catch (error) {
    ctx.report('error', 'external-data', where, error instanceof UserError ? error.message : `${label} has unreadable external data entries`);
    return;
  }
  const normalized = location.location.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[a-zA-Z]:\//.test(normalized) || normalized.split('/').includes('..')) {
    ctx.report('error', 'external-data', where, `${label}: external data location '${location.location}' leaves the model's folder`);
    return;
  }
  if (location.length !== undefined && location.length !== expectedBytes) {
    ctx.report('error', 'tensor-size', where, `${label}: external data length is ${location.length} bytes, but its dims and type take ${expectedBytes}`);
  }
  if (ctx.modelDir === undefined) return;
  let size: number;
  try {
    size = statSync(resolveInside(ctx.modelDir, location.location)).size;
  } catch (error) {
    ctx.report('error', 'external-data', where, error instanceof UserError ? error.message : `${label}: external data file '${location.location}' cannot be read`);
    return;
  }
  const end = location.offset + (location.length ?? expectedBytes);
  if (end > size) {
    ctx.report('error', 'external-data', where, `${label}: external data file '${location.location}' is too short (needs ${end} bytes, has ${size})`);
  }
}

export function checkSparseTensor(ctx: CheckContext, sparse: SparseTensorProto, at: ProblemLocation): void {
  const values = sparse.values;
  if (!values) {
    ctx.report('error', 'sparse-tensor', at, 'a sparse tensor has no values');
    return;
  }
  const where: ProblemLocation = values.name ? { ...at, value: values.name } : at;
  const label = values.name ? `sparse tensor '${values.name}'` : 'a sparse tensor';
  checkTensor(ctx, values, at);
  const valueDims = (values.dims ?? []).map(int64ToNumber);
  if (valueDims.length !== 1) {
    ctx.report('error', 'sparse-tensor', where, `${label}: values must have rank 1, not ${valueDims.length}`);
    return;
  }
  const dims = (sparse.dims ?? []).map(int64ToNumber);
  if (dims.length === 0) {
    ctx.report('error', 'sparse-tensor', where, `${label} has no dims`);
    return;
  }
  const indices = sparse.indices;
  if (!indices) return;
  checkTensor(ctx, indices, at);
  if (indices.dataType !== DataType.INT64) ctx.report('error', 'sparse-tensor', where, `${label}: indices must be int64`);
  const indexDims = (indices.dims ?? []).map(int64ToNumber);
  const nnz = valueDims[0];
  const ok = (indexDims.length === 1 && indexDims[0] === nnz) || (indexDims.length === 2 && indexDims[0] === nnz && indexDims[1] === dims.length);
  if (!ok) ctx.report('error', 'sparse-tensor', where, `${label}: indices have shape [${indexDims.join(',')}]; ${nnz} values of a rank-${dims.length} tensor need [${nnz}] or [${nnz},${dims.length}]`);
}
