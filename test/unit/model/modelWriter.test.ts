// The weight-referencing encoder writes exactly protobufjs's bytes: weights whose length prefixes take 2, 3
// and 4 bytes, nested at every depth (a Constant's attribute, an If body, a body inside a body), on the
// real exported fixtures, and through the atomic file writer.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel, encodeModel, readModelFile } from '../../../src/core/model/decode.js';
import { writeModelAtomic } from '../../../src/core/model/modelFile.js';
import { encodeModelParts } from '../../../src/core/model/modelWriter.js';
import { AttributeType, DataType, onnx, type GraphProto, type ModelProto } from '../../../src/core/model/proto.js';
import { tempDir, tensorInfo } from '../../helpers/models.js';

function weight(name: string, bytes: number, seed: number): onnx.TensorProto {
  const raw = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) raw[i] = (i * 31 + seed) & 0xff;
  return onnx.TensorProto.create({ name, dataType: DataType.UINT8, dims: [bytes], rawData: raw });
}

/** y = x + every weight's first element, the weights spread over a Constant, an If and a nested If. */
function nestedModel(): ModelProto {
  const sizes = [100, 5_000, 20_000, 3_000_000];
  const branch = (name: string, inner?: GraphProto): GraphProto => onnx.GraphProto.create({
    name,
    initializer: sizes.map((n, i) => weight(`${name}_w${i}`, n, i)),
    node: inner
      ? [{ opType: 'If', input: ['c'], output: [`${name}_out`], attribute: [
        { name: 'then_branch', type: AttributeType.GRAPH, g: inner },
        { name: 'else_branch', type: AttributeType.GRAPH, g: onnx.GraphProto.create({ name: `${name}_else`, node: [{ opType: 'Identity', input: [`${name}_w0`], output: [`${name}_e`] }], output: [tensorInfo(`${name}_e`, DataType.UINT8, [100])] }) },
      ] }]
      : [{ opType: 'Identity', input: [`${name}_w0`], output: [`${name}_out`] }],
    output: [tensorInfo(`${name}_out`, DataType.UINT8, [100])],
  });
  return onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'nested',
      input: [tensorInfo('c', DataType.BOOL, [])],
      initializer: sizes.map((n, i) => weight(`w${i}`, n, 10 + i)),
      node: [
        { opType: 'Constant', output: ['k'], attribute: [{ name: 'value', type: AttributeType.TENSOR, t: weight('', 20_000, 7) }] },
        { opType: 'If', input: ['c'], output: ['y'], attribute: [
          { name: 'then_branch', type: AttributeType.GRAPH, g: branch('outer', branch('inner')) },
          { name: 'else_branch', type: AttributeType.GRAPH, g: branch('other') },
        ] },
      ],
      output: [tensorInfo('y', DataType.UINT8, [100])],
    },
  });
}

const joined = (parts: Uint8Array[]) => Buffer.concat(parts);

test('nested weights of every length-prefix size encode to protobufjs bytes, and decode back', () => {
  const model = nestedModel();
  const expected = Buffer.from(onnx.ModelProto.encode(model).finish());
  const parts = encodeModelParts(model);
  assert.ok(parts.length > 20, `weights are referenced, not copied (${parts.length} parts)`);
  assert.ok(joined(parts).equals(expected));
  assert.ok(Buffer.from(encodeModel(model)).equals(expected));
  assert.ok(Buffer.from(encodeModel(decodeModel(expected))).equals(expected));
});

test('the exported fixtures encode to their own file bytes, and the atomic writer writes them', async () => {
  const root = 'test/fixtures/exported';
  const dir = tempDir();
  for (const name of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    const { model, bytes } = await readModelFile(join(root, name, 'model.onnx'));
    const expected = Buffer.from(onnx.ModelProto.encode(model).finish());
    assert.ok(joined(encodeModelParts(model)).equals(expected), name);
    assert.ok(Buffer.from(bytes).equals(expected), `${name} is protobufjs's canonical encoding`);
    const out = join(dir, `${name}.onnx`);
    const written = writeModelAtomic(out, model);
    assert.equal(written.bytes, expected.length, name);
    assert.ok(readFileSync(out).equals(expected), name);
  }
});
