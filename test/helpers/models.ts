// Small models built in tests with the core API.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, onnx, toLong } from '../../src/core/model/proto.js';
import { arrayToTensor } from '../../src/core/model/tensorValues.js';

export function tempDir(prefix = 'onnx-lens-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tensorInfo(name: string, elemType: number, dims: Array<number | string>): onnx.ValueInfoProto {
  return new onnx.ValueInfoProto({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: toLong(d) } : { dimParam: d })) } } },
  });
}

/** Y = X @ W + B with float weights of the given size: a model ORT and onnx.checker both accept. */
export function linearModel(inFeatures = 4, outFeatures = 3, seed = 1): onnx.ModelProto {
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const w = Float32Array.from({ length: inFeatures * outFeatures }, random);
  const b = Float32Array.from({ length: outFeatures }, random);
  return new onnx.ModelProto({
    irVersion: toLong(8),
    producerName: 'onnx-lens-test',
    opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'linear',
      node: [
        { opType: 'MatMul', name: 'matmul', input: ['X', 'W'], output: ['XW'] },
        { opType: 'Add', name: 'add', input: ['XW', 'B'], output: ['Y'] },
      ],
      initializer: [
        arrayToTensor('W', { dtype: DataType.FLOAT, dims: [inFeatures, outFeatures], data: w }),
        arrayToTensor('B', { dtype: DataType.FLOAT, dims: [outFeatures], data: b }),
      ],
      input: [tensorInfo('X', DataType.FLOAT, ['N', inFeatures])],
      output: [tensorInfo('Y', DataType.FLOAT, ['N', outFeatures])],
    },
  });
}
