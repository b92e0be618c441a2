// Models the runtime tests need: one that runs for hours (to time out, cancel or kill mid-run), one that
// runs as long as its input says, and one that passes values of many element types straight through.
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { tensorInfo } from '../../helpers/models.js';

/** y = x + 1 repeated 2^40 times in a Loop: never finishes on its own. */
export function endlessModel(): Uint8Array {
  return loopModel('endless', 2n ** 40n);
}

/** y = x + n, one Loop iteration per 1 added: instant for a small n, endless for 2^40. */
export function countingModel(): Uint8Array {
  return loopModel('counting');
}

/** A Loop adding 1 to x, M times: M an initializer when given, else the int64 scalar input 'n'. */
function loopModel(name: string, tripCount?: bigint): Uint8Array {
  const body = new onnx.GraphProto({
    name: 'body',
    node: [
      { opType: 'Identity', input: ['cond_in'], output: ['cond_out'] },
      { opType: 'Add', input: ['v_in', 'one'], output: ['v_out'] },
    ],
    initializer: [arrayToTensor('one', { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(1) })],
    input: [tensorInfo('i', DataType.INT64, []), tensorInfo('cond_in', DataType.BOOL, []), tensorInfo('v_in', DataType.FLOAT, [1])],
    output: [tensorInfo('cond_out', DataType.BOOL, []), tensorInfo('v_out', DataType.FLOAT, [1])],
  });
  const model = new onnx.ModelProto({
    irVersion: toLong(8),
    opsetImport: [{ domain: '', version: toLong(17) }],
    graph: {
      name,
      node: [{ opType: 'Loop', input: [tripCount ? 'M' : 'n', 'cond', 'x'], output: ['y'], attribute: [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }] }],
      initializer: [
        ...(tripCount ? [arrayToTensor('M', { dtype: DataType.INT64, dims: [], data: BigInt64Array.of(tripCount) })] : []),
        arrayToTensor('cond', { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(1) }),
      ],
      input: [tensorInfo('x', DataType.FLOAT, [1]), ...(tripCount ? [] : [tensorInfo('n', DataType.INT64, [])])],
      output: [tensorInfo('y', DataType.FLOAT, [1])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export const passThroughTypes = [
  DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16,
  DataType.INT32, DataType.UINT32, DataType.INT64, DataType.UINT64, DataType.BOOL, DataType.STRING,
];

/** One Identity per element type: input `in_<type>` -> output `out_<type>`, shape [N, 3]. */
export function passThroughModel(): Uint8Array {
  const model = new onnx.ModelProto({
    irVersion: toLong(10),
    opsetImport: [{ domain: '', version: toLong(21) }],
    graph: {
      name: 'pass_through',
      node: passThroughTypes.map((t) => ({ opType: 'Identity', name: `identity_${t}`, input: [`in_${t}`], output: [`out_${t}`] })),
      input: passThroughTypes.map((t) => tensorInfo(`in_${t}`, t, ['N', 3])),
      output: passThroughTypes.map((t) => tensorInfo(`out_${t}`, t, ['N', 3])),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** float -> QuantizeLinear -> int4 output (onnxruntime-node aborts when it returns int4). */
export function int4OutputModel(): Uint8Array {
  const model = new onnx.ModelProto({
    irVersion: toLong(10),
    opsetImport: [{ domain: '', version: toLong(21) }],
    graph: {
      name: 'int4_output',
      node: [{ opType: 'QuantizeLinear', input: ['x', 'scale', 'zero'], output: ['q'] }, { opType: 'Relu', input: ['x'], output: ['r'] }],
      initializer: [
        arrayToTensor('scale', { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(1) }),
        arrayToTensor('zero', { dtype: DataType.INT4, dims: [], data: Int8Array.of(0) }),
      ],
      input: [tensorInfo('x', DataType.FLOAT, [5])],
      output: [tensorInfo('q', DataType.INT4, [5]), tensorInfo('r', DataType.FLOAT, [5])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
