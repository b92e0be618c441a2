// A transform with the bug the result check exists for: it writes an op in a form the model's opset does
// not have yet (Unsqueeze's axes as an input, which came with opset 13, into an opset-11 model). Registered
// only by the tests (cliWithBrokenTransform.ts), never by the registry.
import { DataType, onnx } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import type { Transform } from '../../../src/core/transforms/transform.js';

export const brokenTransform: Transform<Record<string, never>, Record<string, never>, Record<string, never>> = {
  name: 'unsqueeze-too-new',
  title: 'Unsqueeze Too New',
  command: 'onnxLens.test.unsqueezeTooNew',
  summary: 'adds an Unsqueeze in its opset-13 form whatever the model imports (a test of the result check)',
  resultName: 'unsqueezed model',
  options: {},
  resolve: () => ({}),
  outputTag: () => 'unsqueezed',
  describe: () => 'axes as an input',
  run(model) {
    const copy = cloneModel(model);
    const graph = copy.graph!;
    const x = graph.input![0].name!;
    graph.initializer = [...(graph.initializer ?? []), arrayToTensor('axes', { dtype: DataType.INT64, dims: [1], data: BigInt64Array.from([0n]) })];
    graph.node = [...(graph.node ?? []), onnx.NodeProto.create({ name: 'unsqueeze_x', opType: 'Unsqueeze', input: [x, 'axes'], output: ['x_unsqueezed'] })];
    return Promise.resolve({ model: copy, notes: [], details: {} });
  },
  verification: () => ({ criterion: { kind: 'tolerance', rtol: 0, atol: 0 } }),
};
