// Shared by the edit tests: fixtures, generated models with subgraphs, onnxruntime runs of a model in
// memory, and Debian's onnx.checker on an edited model.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '../../../src/core/model/decode.js';
import { readModelFile } from '../../../src/core/model/decode.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import { AttributeType, DataType, int64ToNumber, onnx, toLong, type ModelProto } from '../../../src/core/model/proto.js';
import { arrayToTensor, toFloat64, type TensorArray } from '../../../src/core/model/tensorValues.js';
import type { RuntimeClient } from '../../../src/core/runtime/client.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { tensorInfo } from '../../helpers/models.js';
import { onnxCheck, runPython } from '../../helpers/python.js';

export const fixturesDir = fileURLToPath(new URL('../../fixtures/exported/', import.meta.url));

export async function fixture(name: string): Promise<{ path: string; model: ModelProto; bytes: Uint8Array; inputs: Record<string, TensorArray> }> {
  const path = join(fixturesDir, name, 'model.onnx');
  const { model, bytes } = await readModelFile(path);
  const [first] = testDataSetDirs(join(fixturesDir, name));
  return { path, model, bytes, inputs: readTestDataSet(first, model).inputs };
}

export async function runModel(client: RuntimeClient, model: ModelProto, feeds: Record<string, TensorArray>): Promise<Record<string, TensorArray>> {
  return client.run(encodeModel(model), feeds);
}

export function values(array: TensorArray): number[] {
  return [...toFloat64(array)];
}

let limits: [number, number] | undefined;

/** Debian's onnx.checker on a model: '' when valid; undefined when the model is newer than it knows. */
export function checker(model: ModelProto, dir: string, name = 'checked.onnx'): string | undefined {
  limits ??= JSON.parse(runPython('import json, onnx; print(json.dumps([onnx.IR_VERSION, onnx.defs.onnx_opset_version()]))')) as [number, number];
  if (int64ToNumber(model.irVersion) > limits[0] || defaultOpset(model) > limits[1]) return undefined;
  const path = join(dir, name);
  writeFileSync(path, encodeModel(model));
  return onnxCheck(path);
}

/**
 * y = If(sum(x) > 0) then x * 2 + b else x - b: both branches read x and b from the main graph
 * (captures), and the else branch defines its own 'scaled' (a name the then branch also uses).
 */
export function ifModel(): ModelProto {
  const b = arrayToTensor('b', { dtype: DataType.FLOAT, dims: [4], data: Float32Array.from([0.5, -1, 2, 0.25]) });
  const two = arrayToTensor('two', { dtype: DataType.FLOAT, dims: [], data: Float32Array.from([2]) });
  const zero = arrayToTensor('zero', { dtype: DataType.FLOAT, dims: [], data: Float32Array.from([0]) });
  const out = (name: string) => tensorInfo(name, DataType.FLOAT, ['N', 4]);
  const thenBranch = new onnx.GraphProto({
    name: 'then',
    node: [
      { opType: 'Mul', name: 'then_mul', input: ['x', 'two'], output: ['scaled'] },
      { opType: 'Add', name: 'then_add', input: ['scaled', 'b'], output: ['then_out'] },
    ],
    output: [out('then_out')],
  });
  const elseBranch = new onnx.GraphProto({
    name: 'else',
    node: [{ opType: 'Sub', name: 'else_sub', input: ['x', 'b'], output: ['else_out'] }],
    output: [out('else_out')],
  });
  return new onnx.ModelProto({
    irVersion: toLong(8),
    producerName: 'onnx-lens-test',
    opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'cond',
      node: [
        { opType: 'ReduceSum', name: 'sum', input: ['x'], output: ['total'], attribute: [{ name: 'keepdims', type: AttributeType.INT, i: toLong(0) }] },
        { opType: 'Greater', name: 'positive', input: ['total', 'zero'], output: ['cond'] },
        {
          opType: 'If', name: 'branch', input: ['cond'], output: ['y'],
          attribute: [
            { name: 'then_branch', type: AttributeType.GRAPH, g: thenBranch },
            { name: 'else_branch', type: AttributeType.GRAPH, g: elseBranch },
          ],
        },
        { opType: 'Relu', name: 'relu', input: ['y'], output: ['z'] },
      ],
      initializer: [b, two, zero],
      input: [tensorInfo('x', DataType.FLOAT, ['N', 4])],
      output: [out('z')],
    },
  });
}

/** x float[N,4] -> Cast(to float) -> Relu -> y: Cast takes any input type. */
export function castModel(): ModelProto {
  return new onnx.ModelProto({
    irVersion: toLong(8),
    opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'cast',
      node: [
        { opType: 'Cast', name: 'cast', input: ['x'], output: ['xf'], attribute: [{ name: 'to', type: AttributeType.INT, i: toLong(DataType.FLOAT) }] },
        { opType: 'Relu', name: 'relu', input: ['xf'], output: ['y'] },
      ],
      input: [tensorInfo('x', DataType.FLOAT, ['N', 4])],
      output: [tensorInfo('y', DataType.FLOAT, ['N', 4])],
    },
  });
}

export function feeds(n = 2, columns = 4): Record<string, TensorArray> {
  return { x: { dtype: DataType.FLOAT, dims: [n, columns], data: Float32Array.from({ length: n * columns }, (_, i) => (i % 3) - 0.75 + i * 0.1) } };
}
