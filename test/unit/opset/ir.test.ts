// IR versions: raised to what the target opset needs going up, lowered to the target's own going down where
// the content allows it (IR 3 lists initializers as graph inputs), refused with the reason where it does not.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { DataType, int64ToNumber, onnx } from '../../../src/core/model/proto.js';
import { convertOpset } from '../../../src/core/opset/convert.js';
import { irBlocker, maxOpsetFor, minIrVersion } from '../../../src/core/opset/irVersion.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { F, inputsFor, maxDifference, model, n, run, tensor, values } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 60_000 });
after(() => client.dispose());

const linear = () => model(13, {
  inputs: [['X', F, [2, 4]]], outputs: [['Y', F, [2, 3]]],
  initializers: [tensor('W', F, [4, 3], values(12, 3)), tensor('B', F, [3], values(3, 4))],
  nodes: [n('MatMul', ['X', 'W'], ['XW']), n('Add', ['XW', 'B'], ['Y'])],
});

test('the IR version table follows the onnx releases', () => {
  assert.deepEqual([1, 8, 9, 10, 11, 12, 13, 14, 15, 18, 19, 21, 23, 24, 25, 26].map(minIrVersion), [3, 3, 4, 5, 6, 7, 7, 7, 8, 8, 9, 10, 11, 12, 13, 13]);
  assert.deepEqual([3, 4, 7, 8, 10, 13].map(maxOpsetFor), [8, 9, 14, 18, 22, 26]);
});

test('going up raises the IR version to what the opset needs', () => {
  const m = model(6, { inputs: [['X', F, [2]]], outputs: [['Y', F, [2]]], nodes: [n('Relu', ['X'], ['Y'])] }, 3);
  const r = convertOpset(m, 13);
  assert.deepEqual(r.irVersion, { from: 3, to: 7 });
  assert.equal(int64ToNumber(r.model.irVersion), 7);
});

test('going down to opset 8 writes IR 3 with the initializers listed as graph inputs, and onnxruntime runs it', async () => {
  const m = linear();
  const r = convertOpset(m, 8);
  assert.deepEqual(r.irVersion, { from: 7, to: 3 });
  assert.deepEqual(r.model.graph!.input!.map((v) => v.name), ['X', 'W', 'B']);
  assert.match(r.notes.join(), /2 initializers listed as graph inputs/);
  const feeds = inputsFor(m);
  assert.ok(maxDifference(await run(client, m, feeds), await run(client, r.model, feeds)) <= 1e-6);
});

test('an explicit IR version is written where the content allows it and refused with the reason where not', () => {
  assert.equal(int64ToNumber(convertOpset(linear(), 13, { irVersion: 8 }).model.irVersion), 8);
  const refusal = (f: () => unknown, reason: RegExp) => assert.throws(f, (e: unknown) => e instanceof UserError && reason.test(e.message) && !e.message.includes('\n'));
  refusal(() => convertOpset(linear(), 13, { irVersion: 6 }), /^Cannot write IR version 6: opset 13 needs IR version 7 or later\.$/);
  refusal(() => convertOpset(linear(), 13, { irVersion: 14 }), /IR version 14 is newer than onnxruntime-node reads \(13\)/);
  refusal(() => convertOpset(linear(), 13, { irVersion: 2 }), /IR versions below 3 have no opset imports/);
  const float8 = linear();
  float8.graph!.initializer!.push(onnx.TensorProto.create({ name: 'unused8', dataType: DataType.FLOAT8E4M3FN, dims: [2], rawData: new Uint8Array(2) }));
  refusal(() => convertOpset(float8, 13, { irVersion: 8 }), /element type float8e4m3fn needs IR version 9 or later/);
  const withFunction = linear();
  withFunction.irVersion = 8;
  withFunction.functions = [{ name: 'f', domain: 'local', input: ['a'], output: ['b'], node: [n('Relu', ['a'], ['b'])], opsetImport: [{ domain: '', version: 13 }] }];
  refusal(() => convertOpset(withFunction, 13, { irVersion: 7 }), /model-local functions need IR version 8 or later/);
  // The same content sets how far going down lowers the IR version by itself.
  assert.equal(int64ToNumber(convertOpset(withFunction, 11).model.irVersion), 8);
  assert.equal(irBlocker(withFunction, 8, 11), undefined);
});

test('node metadata is dropped below IR 10, with a note', () => {
  const m = model(21, { inputs: [['X', F, [2]]], outputs: [['Y', F, [2]]], nodes: [n('Relu', ['X'], ['Y'])] });
  m.graph!.node![0].metadataProps = [{ key: 'pkg.torch.onnx.stack_trace', value: 'x' }];
  const r = convertOpset(m, 17);
  assert.equal(int64ToNumber(r.model.irVersion), 8);
  assert.equal(r.model.graph!.node![0].metadataProps?.length ?? 0, 0);
  assert.match(r.notes.join(), /metadata_props .* dropped/);
  assert.equal(m.graph!.node![0].metadataProps!.length, 1, 'the source keeps its metadata');
});

test('attribute forms are kept across an IR change (a Reshape at opset 4 written as IR 3)', () => {
  const m = model(13, { inputs: [['X', F, [2, 6]]], outputs: [['Y', F, [3, 4]]], initializers: [tensor('S', DataType.INT64, [2], [3, 4])], nodes: [n('Reshape', ['X', 'S'], ['Y'])] });
  const r = convertOpset(m, 4);
  assert.equal(int64ToNumber(r.model.irVersion), 3);
  const shape = r.model.graph!.node![0].attribute!.find((x) => x.name === 'shape')!;
  assert.deepEqual(shape.ints!.map(Number), [3, 4]);
  assert.ok(!r.model.graph!.initializer!.some((t) => t.name === 'S'), 'the shape initializer no longer used is dropped');
});
