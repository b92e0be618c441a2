// The transform report's diff on a real torchscript export: a copy is unchanged, and a change in any
// attribute kind (float, int, ints) or an input is listed as a changed node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyModel } from '../../../src/core/model/copyModel.js';
import { readModelFile } from '../../../src/core/model/decode.js';
import { Long, type ModelProto, type NodeProto } from '../../../src/core/model/proto.js';
import { diffModels } from '../../../src/core/transforms/report.js';

const fixture = 'test/fixtures/exported/cnn_torchscript/model.onnx';

function nodeNamed(model: ModelProto, name: string): NodeProto {
  const node = model.graph?.node?.find((n) => n.name === name);
  assert.ok(node, `${name} is in the fixture`);
  return node;
}

function attributeOf(node: NodeProto, name: string) {
  const attribute = node.attribute?.find((a) => a.name === name);
  assert.ok(attribute, `${node.name} has ${name}`);
  return attribute;
}

test('an in-memory copy of a real export is unchanged', async () => {
  const { model } = await readModelFile(fixture);
  assert.deepEqual(diffModels(model, copyModel(model)), { removed: [], added: [], changed: [] });
});

test('a changed float, int or ints attribute, or a rewired input, is a changed node', async () => {
  const { model } = await readModelFile(fixture);
  const cases: Array<[string, (m: ModelProto) => void]> = [
    ['/fc/Gemm', (m) => { attributeOf(nodeNamed(m, '/fc/Gemm'), 'alpha').f = 0.5; }],
    ['/Flatten', (m) => { attributeOf(nodeNamed(m, '/Flatten'), 'axis').i = Long.fromNumber(2); }],
    ['/conv2/Conv', (m) => { attributeOf(nodeNamed(m, '/conv2/Conv'), 'pads').ints = [0, 0, 0, 0]; }],
    ['/Relu_1', (m) => { const n = nodeNamed(m, '/Relu_1'); n.input = [nodeNamed(m, '/Relu').output![0]]; }],
  ];
  for (const [name, change] of cases) {
    const edited = copyModel(model);
    change(edited);
    const diff = diffModels(model, edited);
    assert.deepEqual(diff.changed.map((c) => c.split(' (')[0]), [`node ${name}`], name);
    assert.deepEqual([diff.added, diff.removed], [[], []], name);
  }
});
