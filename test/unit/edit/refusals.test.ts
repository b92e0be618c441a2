// The refusals the per-edit tests do not reach: each says why on one line and changes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdit, EditRefused, type ModelEdit } from '../../../src/core/edit/index.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { AttributeType, DataType, onnx, toLong, type ModelProto } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { linearModel, tensorInfo } from '../../helpers/models.js';
import { castModel, fixture, ifModel } from './editHelpers.js';

function refused(model: ModelProto, edit: ModelEdit, message: string | RegExp): void {
  const bytes = encodeModel(model);
  assert.throws(() => applyEdit(model, edit), (e: Error) => {
    const ok = e instanceof EditRefused && (typeof message === 'string' ? e.message === message : message.test(e.message));
    if (!ok) assert.fail(`${JSON.stringify(edit)}: ${e.message}`);
    return true;
  });
  assert.deepEqual(encodeModel(model), bytes);
}

/** x float[] (a scalar) -> Foo(x, x) (an op of an unknown domain) -> y, then Relu: y's type is unknown. */
function oddModel(): ModelProto {
  return new onnx.ModelProto({
    irVersion: toLong(8),
    opsetImport: [{ domain: '', version: toLong(13) }, { domain: 'com.example', version: toLong(1) }],
    graph: {
      name: 'odd',
      node: [
        { opType: 'Foo', domain: 'com.example', name: 'foo', input: ['x', 'x'], output: ['y'] },
        { opType: 'Relu', name: 'relu', input: ['y'], output: ['z'] },
      ],
      input: [tensorInfo('x', DataType.FLOAT, [])],
      output: [tensorInfo('z', DataType.FLOAT, [])],
      sparseInitializer: [{
        dims: [toLong(4)],
        values: arrayToTensor('S', { dtype: DataType.FLOAT, dims: [1], data: Float32Array.from([1]) }),
        indices: arrayToTensor('S_indices', { dtype: DataType.INT64, dims: [1], data: BigInt64Array.from([2n]) }),
      }],
    },
  });
}

test('names, batch dims and outputs: the rarer refusals', () => {
  const odd = oddModel();
  refused(linearModel(), { kind: 'renameNode', node: { name: 'add' }, to: 'add' }, "The node already has the name 'add'.");
  refused(odd, { kind: 'setBatchDim', dim: 'B' }, 'No graph input has a dim 0 to set.');
  refused(odd, { kind: 'setBatchDim', value: 'x', dim: 'B' }, "'x' has no dim 0 (it is a scalar or of unknown rank).");
  refused(odd, { kind: 'exposeOutput', value: 'y' }, "The type of 'y' is unknown (shape inference cannot compute it), and a graph output needs one.");
  refused(odd, { kind: 'deleteNode', node: { name: 'foo' } }, /^Deleting Foo 'foo' leaves Relu 'relu' without input/);
  refused(odd, { kind: 'deleteNode', node: { name: 'foo' }, confirmDangling: true }, "The type of 'y' is unknown (shape inference cannot compute it), and it would have to become a graph input.");
  refused(odd, { kind: 'replaceInitializer', name: 'S', npy: encodeNpy({ dtype: DataType.FLOAT, dims: [4], data: new Float32Array(4) }) }, "'S' is a sparse initializer; only dense initializers can be replaced.");
});

test('a subgraph node whose result is read and that has two data inputs cannot be deleted there', () => {
  const model = ifModel();
  const then = model.graph!.node![2].attribute![0].g!;
  then.node![0].input = ['x', 'x'];
  refused(model, { kind: 'deleteNode', node: { graph: '/2.then_branch', name: 'then_mul' } },
    "Mul 'then_mul' has 2 data inputs and 1 outputs, and its results are used; in a subgraph only a node with one data input and one output can be deleted.");
});

test('attributes: text where text is due, a new attribute of a type that is not editable, an op without a schema', async () => {
  const { model: cnn } = await fixture('cnn_torchscript');
  refused(cnn, { kind: 'setAttribute', node: { name: '/conv1/Conv' }, attribute: 'auto_pad', value: [1, 2] }, "Attribute 'auto_pad' is a string: give text.");
  refused(cnn, { kind: 'setAttribute', node: { name: '/conv1/Conv' }, attribute: '', value: 1 }, 'An attribute needs a name.');
  const { model: detector } = await fixture('detector_opset11_constants');
  const constant = detector.graph!.node!.find((n) => n.opType === 'Constant')!;
  refused(detector, { kind: 'setAttribute', node: { name: constant.name! }, attribute: 'sparse_value', value: 1 }, "Attribute 'sparse_value' of Constant is a sparse_tensor; only int, float, string and lists of them can be edited.");
  refused(oddModel(), { kind: 'setAttribute', node: { name: 'foo' }, attribute: 'alpha', value: 1 }, "The schema of Foo is unknown, so the type of the new attribute 'alpha' must be given.");
  const typed = applyEdit(oddModel(), { kind: 'setAttribute', node: { name: 'foo' }, attribute: 'alpha', value: 1, type: 'float' });
  assert.deepEqual(typed.model.graph!.node![0].attribute!.map((a) => [a.name, a.type, a.f]), [['alpha', AttributeType.FLOAT, 1]]);
  const strings = applyEdit(oddModel(), { kind: 'setAttribute', node: { name: 'foo' }, attribute: 'tags', value: ['a', 'b'], type: 'strings' });
  assert.deepEqual(strings.model.graph!.node![0].attribute![0].strings!.map((s) => new TextDecoder().decode(s)), ['a', 'b']);
});

test('input dtype of a non-tensor input, shape of a non-tensor value', () => {
  const model = castModel();
  model.graph!.input![0] = new onnx.ValueInfoProto({ name: 'x', type: { sequenceType: { elemType: { tensorType: { elemType: DataType.FLOAT } } } } });
  refused(model, { kind: 'setInputDtype', input: 'x', dtype: 'float16' }, "Input 'x' is not a tensor.");
  refused(model, { kind: 'setShape', value: 'x', dims: [1] }, "Input 'x' is not a tensor; only tensor shapes can be set.");
});
