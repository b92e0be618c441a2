// Open Inference Protocol (KServe v2) tensor datatypes and the ONNX element types they carry.
import { DataType } from '../model/proto.js';

const table: ReadonlyArray<readonly [string, number]> = [
  ['BOOL', DataType.BOOL], ['UINT8', DataType.UINT8], ['UINT16', DataType.UINT16], ['UINT32', DataType.UINT32],
  ['UINT64', DataType.UINT64], ['INT8', DataType.INT8], ['INT16', DataType.INT16], ['INT32', DataType.INT32],
  ['INT64', DataType.INT64], ['FP16', DataType.FLOAT16], ['FP32', DataType.FLOAT], ['FP64', DataType.DOUBLE],
  ['BYTES', DataType.STRING],
];
const byName = new Map(table);
const byType = new Map(table.map(([name, type]) => [type, name]));

/** The protocol's datatype for an ONNX element type; undefined where the protocol has none (bfloat16, int4...). */
export function protocolDatatype(elemType: number): string | undefined {
  return byType.get(elemType);
}

export function onnxElementType(datatype: string): number | undefined {
  return byName.get(datatype);
}

/** Bytes per element in the binary tensor data extension; 0 for BYTES (length-prefixed). */
export function elementBytes(datatype: string): number {
  switch (datatype) {
    case 'BOOL': case 'UINT8': case 'INT8': return 1;
    case 'UINT16': case 'INT16': case 'FP16': return 2;
    case 'UINT32': case 'INT32': case 'FP32': return 4;
    case 'UINT64': case 'INT64': case 'FP64': return 8;
    default: return 0;
  }
}
