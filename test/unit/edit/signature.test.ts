// The signature edits: input and output shapes, the batch dim, an input's dtype, exposing and removing
// outputs (with the dead code removal offered after it).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { applyEdit, EditRefused, type ModelEdit } from '../../../src/core/edit/index.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx, toLong, type ModelProto } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { typeText } from '../../../src/core/model/types.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { linearModel, tempDir, tensorInfo } from '../../helpers/models.js';
import { castModel, checker, feeds, fixture, ifModel, runModel, values } from './editHelpers.js';

const client = RuntimeClient.start();
const dir = tempDir('onnx-lens-edit-signature-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const signature = (m: ModelProto) => ({
  inputs: m.graph!.input!.map((v) => `${v.name}:${typeText(v.type)}`),
  outputs: m.graph!.output!.map((v) => `${v.name}:${typeText(v.type)}`),
});

function refused(model: ModelProto, edit: ModelEdit, message: RegExp): void {
  const bytes = encodeModel(model);
  assert.throws(() => applyEdit(model, edit), (e: Error) => e instanceof EditRefused && message.test(e.message) && !e.message.includes('\n'), `${JSON.stringify(edit)}`);
  assert.deepEqual(encodeModel(model), bytes);
}

test('set an input shape: fixed, symbolic and unknown dims; the model runs with the new shape', async () => {
  const model = linearModel();
  const fixed = applyEdit(model, { kind: 'setShape', value: 'X', dims: [2, 4] });
  assert.equal(fixed.label, "Set the shape of input 'X' to [2,4]");
  assert.deepEqual(signature(fixed.model).inputs, ['X:float[2,4]']);
  const out = await runModel(client, fixed.model, { X: feeds(2).x });
  assert.deepEqual(out.Y.dims, [2, 3]);
  assert.equal(checker(fixed.model, dir), '');
  const open = applyEdit(model, { kind: 'setShape', value: 'X', dims: [null, 'features'] });
  assert.deepEqual(signature(open.model).inputs, ['X:float[?,features]']);
  assert.deepEqual(open.model.graph!.input![0].type!.tensorType!.shape!.dim![0], {}, 'an unknown dim has neither value nor name');
  const output = applyEdit(model, { kind: 'setShape', value: 'Y', dims: ['batch', 3] });
  assert.deepEqual(signature(output.model), { inputs: ['X:float[N,4]'], outputs: ['Y:float[batch,3]'] });
  assert.deepEqual(signature(model), { inputs: ['X:float[N,4]'], outputs: ['Y:float[N,3]'] }, 'the input model is unchanged');
});

test("set shape refusals: a declared output shape or the ops' ranks contradicted, bad dims, non-signature values", async () => {
  const model = linearModel();
  refused(model, { kind: 'setShape', value: 'Y', dims: ['N', 7] }, /^Refused: shapes would not agree \('Y' is declared \[N,7\] but computes \[N,3\]\)\.$/);
  // X[N,4] @ W[4,3]: 5 features cannot meet W's 4 rows.
  refused(model, { kind: 'setShape', value: 'X', dims: ['N', 5] }, /^Refused: shapes would not agree \(the ops can no longer compute the shape of 'XW' \(was \[N,3\]\)/);
  refused(model, { kind: 'setShape', value: 'X', dims: [-1, 4] }, /^A dim must be a whole number of 0 or more, a name, or unknown; -1 is none of these\.$/);
  refused(model, { kind: 'setShape', value: 'X', dims: ['two words', 4] }, /^'two words' is not a usable dim name/);
  refused(model, { kind: 'setShape', value: 'W', dims: [4, 3] }, /^'W' is an initializer: its shape is its data's/);
  refused(model, { kind: 'setShape', value: 'XW', dims: [4, 3] }, /^'XW' is not an input or output of the main graph\.$/);
  refused(model, { kind: 'setShape', value: 'X', dims: ['N', 4] }, /^Input 'X' already has the shape \[N,4\]\.$/);
  const { model: cnn } = await fixture('cnn_torchscript');
  refused(cnn, { kind: 'setShape', value: 'image', dims: [1, 3] }, /^Refused: shapes would not agree \(the ops can no longer compute the shape of '\/conv1\/Conv_output_0' \(was \[batch,8,height,width\]\), and \d+ more\)\.$/);
});

test('batch dim: dynamic on a fixed model and fixed on a dynamic one, outputs following; onnxruntime runs both batch sizes', async () => {
  const { model, inputs } = await fixture('cnn_torchscript');
  const fixed = applyEdit(model, { kind: 'setBatchDim', dim: 2 });
  assert.equal(fixed.label, 'Make the batch dim fixed at 2: 1 input, 1 output');
  assert.deepEqual(signature(fixed.model), { inputs: ['image:float[2,3,height,width]'], outputs: ['logits:float[2,10]'] });
  assert.equal(checker(fixed.model, dir), '');
  const dynamic = applyEdit(fixed.model, { kind: 'setBatchDim', dim: 'B' });
  assert.deepEqual(signature(dynamic.model), { inputs: ['image:float[B,3,height,width]'], outputs: ['logits:float[B,10]'] });
  const image = inputs.image;
  const before = await runModel(client, model, inputs);
  const after = await runModel(client, dynamic.model, inputs);
  assert.deepEqual(values(after.logits), values(before.logits));
  assert.equal(image.dims[0], 2, 'the fixture batch is 2: the fixed model takes it');
  assert.deepEqual(values((await runModel(client, fixed.model, inputs)).logits), values(before.logits));
  refused(fixed.model, { kind: 'setBatchDim', dim: 2 }, /^The batch dim is already 2\.$/);
  refused(model, { kind: 'setBatchDim', value: 'fc.weight', dim: 2 }, /^'fc\.weight' is not an input or output of the main graph\.$/);
});

test('batch dim of one value: the others sharing its dim 0 follow, value_info too', () => {
  const model = ifModel();
  const result = applyEdit(model, { kind: 'setBatchDim', value: 'x', dim: 8 });
  assert.deepEqual(signature(result.model), { inputs: ['x:float[8,4]'], outputs: ['z:float[8,4]'] });
  assert.equal(checker(result.model, dir), '');
});

test('input dtype: allowed where the consumer takes it (Cast), refused where the schema does not (MatMul with float weights)', async () => {
  const model = castModel();
  const result = applyEdit(model, { kind: 'setInputDtype', input: 'x', dtype: 'float16' });
  assert.equal(result.label, "Change input 'x' from float to float16");
  assert.deepEqual(signature(result.model).inputs, ['x:float16[N,4]']);
  assert.equal(checker(result.model, dir), '');
  const halves = Uint16Array.from([0x3c00, 0xc000, 0x3800, 0x0000]); // 1, -2, 0.5, 0
  const out = await runModel(client, result.model, { x: { dtype: DataType.FLOAT16, dims: [1, 4], data: halves } });
  assert.deepEqual(values(out.y), [1, 0, 0.5, 0]);
  const int = applyEdit(model, { kind: 'setInputDtype', input: 'x', dtype: 'INT64' });
  assert.deepEqual(signature(int.model).inputs, ['x:int64[N,4]']);
  refused(linearModel(), { kind: 'setInputDtype', input: 'X', dtype: 'float16' }, /^Refused: the model would be invalid \(main graph, node 0 "matmul" \(MatMul\): .*float16.*\)\.$/);
  refused(model, { kind: 'setInputDtype', input: 'x', dtype: 'float' }, /^Input 'x' is already float\.$/);
  refused(model, { kind: 'setInputDtype', input: 'x', dtype: 'real' }, /^'real' is not an ONNX element type/);
  refused(model, { kind: 'setInputDtype', input: 'y', dtype: 'int8' }, /^'y' is not an input of the main graph\.$/);
  refused(linearModel(), { kind: 'setInputDtype', input: 'W', dtype: 'float16' }, /^'W' is not an input of the main graph\.$/);
});

test('expose an intermediate value: outputs gain it with its inferred type; existing outputs unchanged in onnxruntime', async () => {
  const { model, inputs } = await fixture('cnn_torchscript');
  const result = applyEdit(model, { kind: 'exposeOutput', value: '/Flatten_output_0' });
  assert.equal(result.label, "Expose '/Flatten_output_0' as an output");
  assert.deepEqual(signature(result.model).outputs, ['logits:float[batch,10]', '/Flatten_output_0:float[batch,16]']);
  const before = await runModel(client, model, inputs);
  const after = await runModel(client, result.model, inputs);
  assert.deepEqual(values(after.logits), values(before.logits));
  assert.deepEqual(after['/Flatten_output_0'].dims, [2, 16]);
  assert.equal(checker(result.model, dir), '');
  // The exposed value is what the Gemm reads: logits = flat @ W^T + b.
  const fc = model.graph!.initializer!.find((t) => t.name === 'fc.weight')!;
  assert.ok(fc);
  refused(result.model, { kind: 'exposeOutput', value: '/Flatten_output_0' }, /^'\/Flatten_output_0' is already a graph output\.$/);
  refused(model, { kind: 'exposeOutput', value: 'image' }, /^'image' is an input or initializer, not a value the graph computes/);
  refused(model, { kind: 'exposeOutput', value: 'nothing' }, /^No node of the main graph computes 'nothing'\.$/);
});

test('remove an output: dead code is offered as a follow-up, removed by it or at once with removeDeadCode', async () => {
  const { model, inputs } = await fixture('cnn_torchscript');
  const exposed = applyEdit(model, { kind: 'exposeOutput', value: '/pool/MaxPool_output_0' }).model;
  const removed = applyEdit(exposed, { kind: 'removeOutput', value: 'logits' });
  assert.equal(removed.label, "Remove output 'logits'");
  assert.deepEqual(signature(removed.model).outputs, ['/pool/MaxPool_output_0:float[batch,8,floor(height/2),floor(width/2)]']);
  assert.equal(removed.model.graph!.node!.length, model.graph!.node!.length, 'nodes stay until the follow-up');
  assert.ok(removed.followUp);
  assert.deepEqual(removed.followUp.edit, { kind: 'removeDeadCode' });
  assert.equal(removed.followUp.prompt, "5 dead nodes and 4 unused initializers left after removing output 'logits': remove them?");
  assert.deepEqual(removed.followUp.items, ['/conv2/Conv', '/Relu_1', '/gap/GlobalAveragePool', '/Flatten', '/fc/Gemm', 'fc.weight', 'fc.bias', 'onnx::Conv_31', 'onnx::Conv_32']);
  const cleaned = applyEdit(removed.model, removed.followUp.edit);
  assert.equal(cleaned.label, 'Remove 5 dead nodes and 4 unused initializers');
  assert.deepEqual(cleaned.model.graph!.node!.map((n) => n.name), ['/conv1/Conv', '/Relu', '/pool/MaxPool']);
  const atOnce = applyEdit(exposed, { kind: 'removeOutput', value: 'logits', removeDeadCode: true });
  assert.equal(atOnce.label, "Remove output 'logits' and 5 dead nodes and 4 unused initializers");
  assert.deepEqual(encodeModel(atOnce.model), encodeModel(cleaned.model));
  const before = await runModel(client, exposed, inputs);
  const after = await runModel(client, cleaned.model, inputs);
  assert.deepEqual(values(after['/pool/MaxPool_output_0']), values(before['/pool/MaxPool_output_0']));
  assert.equal(checker(cleaned.model, dir), '');
  refused(cleaned.model, { kind: 'removeDeadCode' }, /^Nothing to remove: every node and initializer feeds an output\.$/);
  refused(model, { kind: 'removeOutput', value: 'logits' }, /^'logits' is the model's only output; a model needs at least one\.$/);
  refused(model, { kind: 'removeOutput', value: 'image' }, /^'image' is not an output of the main graph\.$/);
});

test('a batch made dynamic that a constant Reshape still fixes: kept, with a warning naming the output', async () => {
  const model = new onnx.ModelProto({
    irVersion: toLong(8),
    opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'pinned',
      node: [{ opType: 'Reshape', name: 'flat', input: ['x', 'shape'], output: ['y'] }],
      initializer: [arrayToTensor('shape', { dtype: DataType.INT64, dims: [2], data: BigInt64Array.from([1n, 8n]) })],
      input: [tensorInfo('x', DataType.FLOAT, [1, 2, 4])],
      output: [tensorInfo('y', DataType.FLOAT, [1, 8])],
    },
  });
  const result = applyEdit(model, { kind: 'setBatchDim', dim: 'B' });
  assert.deepEqual(signature(result.model), { inputs: ['x:float[B,2,4]'], outputs: ['y:float[B,8]'] });
  assert.deepEqual(result.warnings, ["output 'y' is still computed with dim 0 = 1 whatever the batch: a constant shape in the graph fixes it"]);
  assert.equal(checker(result.model, dir), '');
});
