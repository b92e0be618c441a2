// TypeProto and TensorShapeProto in plain form: element type name and dims (numbers or symbols).
import { formatDims } from '../format.js';
import { dataTypeName } from './dataTypes.js';
import { int64ToNumber, type TypeProto, type onnx } from './proto.js';

/** A dimension: a size, a symbol such as "batch", or null when unknown. */
export type Dim = number | string | null;

export interface ValueType {
  /** 'tensor', 'sparse_tensor', 'sequence', 'map', 'optional', 'opaque' or 'unknown'. */
  kind: string;
  /** Element type name for tensors ('float', ...); the full type text otherwise. */
  elemType: string;
  /** Undefined when the rank itself is unknown. */
  shape?: Dim[];
}

export function shapeOf(shape: onnx.ITensorShapeProto | null | undefined): Dim[] | undefined {
  if (!shape) return undefined;
  return (shape.dim ?? []).map((d) => {
    if (d.dimValue != null) return int64ToNumber(d.dimValue);
    if (d.dimParam) return d.dimParam;
    return null;
  });
}

export function valueType(type: TypeProto | onnx.ITypeProto | null | undefined): ValueType {
  if (!type) return { kind: 'unknown', elemType: '?' };
  if (type.tensorType) {
    return { kind: 'tensor', elemType: dataTypeName(type.tensorType.elemType ?? 0), shape: shapeOf(type.tensorType.shape) };
  }
  if (type.sparseTensorType) {
    return { kind: 'sparse_tensor', elemType: dataTypeName(type.sparseTensorType.elemType ?? 0), shape: shapeOf(type.sparseTensorType.shape) };
  }
  return { kind: typeKind(type), elemType: typeText(type) };
}

function typeKind(type: onnx.ITypeProto): string {
  if (type.sequenceType) return 'sequence';
  if (type.mapType) return 'map';
  if (type.optionalType) return 'optional';
  if (type.opaqueType) return 'opaque';
  return 'unknown';
}

/** `float[N,3,224,224]`, `seq(float[?])`, `map(int64, float)`. */
export function typeText(type: onnx.ITypeProto | null | undefined): string {
  if (!type) return '?';
  if (type.tensorType) return `${dataTypeName(type.tensorType.elemType ?? 0)}${type.tensorType.shape ? formatDims(shapeOf(type.tensorType.shape)) : ''}`;
  if (type.sparseTensorType) {
    const t = type.sparseTensorType;
    return `sparse_tensor(${dataTypeName(t.elemType ?? 0)}${t.shape ? formatDims(shapeOf(t.shape)) : ''})`;
  }
  if (type.sequenceType) return `seq(${typeText(type.sequenceType.elemType)})`;
  if (type.mapType) return `map(${dataTypeName(type.mapType.keyType ?? 0)}, ${typeText(type.mapType.valueType)})`;
  if (type.optionalType) return `optional(${typeText(type.optionalType.elemType)})`;
  if (type.opaqueType) return `opaque(${type.opaqueType.domain ?? ''}, ${type.opaqueType.name ?? ''})`;
  return '?';
}
