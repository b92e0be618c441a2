// Tensors as the generators write them: values in raw_data, little-endian, dims as numbers.
import { arrayToTensor } from '../../src/core/model/tensorValues.js';
import { DataType, type TensorProto } from '../../src/core/model/proto.js';

export function floatTensor(name: string, dims: number[], data: Float32Array): TensorProto {
  return arrayToTensor(name, { dtype: DataType.FLOAT, dims, data });
}

export function int64Tensor(name: string, dims: number[], values: number[]): TensorProto {
  return arrayToTensor(name, { dtype: DataType.INT64, dims, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
}

export function elementCount(dims: number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}
