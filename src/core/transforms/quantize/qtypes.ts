// Quantized element types as ONNX TensorProto data types.
import { DataType } from '../../model/proto.js';
import type { QuantType } from './arithmetic.js';

export const DataTypeOfQuant: Record<QuantType, number> = {
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  uint4: DataType.UINT4,
  int4: DataType.INT4,
};
