import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { nodeHasSubgraphs, nodeMetadataValue } from '../../../src/core/model/lazyDecode.js';
import { subgraphsOf, walkModel } from '../../../src/core/model/walk.js';
import { copyModel } from '../../../src/core/model/copyModel.js';
import { AttributeType, DataType, onnx } from '../../../src/core/model/proto.js';
import { UserError } from '../../../src/core/errors.js';
import { testCases } from '../../helpers/testdata.js';

const exportedDir = join(import.meta.dirname, '..', '..', 'fixtures', 'exported');

function exportedFixtures(): string[] {
  return readdirSync(exportedDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(exportedDir, e.name, 'model.onnx'));
}

test('every libonnx-testdata model decodes and encodes back to the same bytes', () => {
  const cases = testCases();
  assert.ok(cases.length > 1000, `expected the full corpus, found ${cases.length} models`);
  const different: string[] = [];
  for (const c of cases) {
    const bytes = readFileSync(c.model);
    const again = encodeModel(decodeModel(bytes));
    if (Buffer.compare(Buffer.from(again), bytes) !== 0) different.push(c.name);
  }
  assert.deepEqual(different, []);
});

test('bad input is one clear UserError', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(), /empty/],
    ['png', png, /PNG image/],
    ['truncated', readFileSync(testCases()[0].model).subarray(0, 40), /truncated or corrupt|no graph/],
    ['garbage', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /Not a valid ONNX model|Not an ONNX model/],
  ];
  for (const [name, bytes, pattern] of cases) {
    assert.throws(() => decodeModel(bytes), (error: unknown) => {
      assert.ok(error instanceof UserError, `${name}: expected a UserError`);
      assert.match(error.message, pattern, name);
      assert.ok(!error.message.includes('\n'), `${name}: one line`);
      return true;
    });
  }
});

function dropEmptyLists(_key: string, value: unknown): unknown {
  return Array.isArray(value) && value.length === 0 ? undefined : value;
}

test('the lazy decoder gives what the generated decoder gives, on every corpus model and the exported fixtures', () => {
  const files = [...testCases().map((c) => c.model), ...exportedFixtures()];
  const different: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    const ours = decodeModel(bytes);
    const generated = onnx.ModelProto.decode(bytes);
    // Own enumerable fields and their values (lazy metadata read through its accessor), and the bytes.
    // An empty list counts as absent: the lazy decoder leaves absent lists to the prototype's default.
    try {
      assert.deepStrictEqual(JSON.parse(JSON.stringify(ours, dropEmptyLists)), JSON.parse(JSON.stringify(generated, dropEmptyLists)));
      assert.deepStrictEqual(onnx.ModelProto.encode(ours).finish(), onnx.ModelProto.encode(generated).finish());
    } catch {
      different.push(file);
    }
  }
  assert.deepEqual(different, []);
});

test('node metadata stays bytes until read, and reads, spreads, writes and lookups see the same entries', () => {
  const bytes = readFileSync(join(exportedDir, 'transformer_dynamo', 'model.onnx'));
  const generated = onnx.ModelProto.decode(bytes).graph!.node!;
  const nodes = decodeModel(bytes).graph!.node!;
  const withMetadata = generated.findIndex((n) => (n.metadataProps?.length ?? 0) > 1);
  assert.ok(withMetadata >= 0, 'the fixture has node metadata');
  const node = nodes[withMetadata];
  const expected = generated[withMetadata].metadataProps!;
  assert.ok(node instanceof onnx.NodeProto);
  assert.ok(Object.prototype.hasOwnProperty.call(node, 'metadataProps'));
  // Looked up straight from the bytes, without making the list.
  assert.equal(nodeMetadataValue(node, 'namespace'), expected.find((p) => p.key === 'namespace')?.value);
  assert.equal(nodeMetadataValue(node, 'no such key'), undefined);
  const copy = { ...node };
  assert.deepStrictEqual(JSON.parse(JSON.stringify(copy.metadataProps)), JSON.parse(JSON.stringify(expected)));
  assert.equal(node.metadataProps, node.metadataProps, 'decoded once');
  node.metadataProps = [onnx.StringStringEntryProto.create({ key: 'namespace', value: 'changed' })];
  assert.equal(nodeMetadataValue(node, 'namespace'), 'changed');
  const again = onnx.NodeProto.decode(onnx.NodeProto.encode(node).finish());
  assert.deepEqual(again.metadataProps.map((p) => [p.key, p.value]), [['namespace', 'changed']]);
});

test('absent lists read as empty, and stay out of spreads, copies and encoding', () => {
  const bytes = readFileSync(join(exportedDir, 'transformer_dynamo', 'model.onnx'));
  const graph = decodeModel(bytes).graph!;
  const generated = onnx.ModelProto.decode(bytes).graph!;
  const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
  const tensor = graph.initializer!.find((t) => t.rawData?.length)!;
  assert.ok(tensor instanceof onnx.TensorProto);
  assert.ok(!own(tensor, 'floatData') && !own(tensor, 'externalData'), 'no own empty lists on a tensor');
  assert.deepEqual(tensor.floatData, []);
  assert.ok(Object.isFrozen(tensor.externalData), 'the shared default cannot be written into by mistake');
  // raw_data is a view of the file's bytes, not a copy.
  assert.equal(tensor.rawData!.buffer, bytes.buffer);
  const attributed = graph.node!.findIndex((n) => n.attribute?.length);
  assert.ok(attributed >= 0, 'the fixture has attributes');
  const attribute = graph.node![attributed].attribute![0];
  assert.ok(attribute instanceof onnx.AttributeProto);
  for (const key of ['floats', 'ints', 'strings', 'tensors', 'graphs', 'sparseTensors', 'typeProtos'] as const) {
    if (!generated.node![attributed].attribute![0][key]?.length) assert.ok(!own(attribute, key), `${key} absent`);
  }
  const bare = graph.node!.findIndex((n) => !n.attribute?.length);
  assert.ok(bare >= 0, 'the fixture has a node without attributes');
  assert.ok(!own(graph.node![bare], 'attribute') && !own(graph.node![bare], 'deviceConfigurations'));
  assert.deepEqual(graph.node![bare].attribute, []);
  // A deep copy keeps the prototype, so the copy reads the same defaults.
  const copied = copyModel({ graph }).graph!;
  assert.deepEqual(copied.initializer![0].externalData, []);
  assert.deepEqual(copied.node![bare].attribute, []);
  // Graphs keep their own lists, which edits push into.
  assert.ok(own(graph, 'sparseInitializer') && !Object.isFrozen(graph.sparseInitializer));
  // A field set later is an own field, encoded as usual.
  const copy = onnx.TensorProto.decode(onnx.TensorProto.encode(tensor).finish());
  assert.deepEqual(copy.floatData, []);
  tensor.floatData = [1.5];
  assert.deepEqual(onnx.TensorProto.decode(onnx.TensorProto.encode(tensor).finish()).floatData, [1.5]);
});

test('attributes stay bytes until read, except where one holds a graph; walks find the subgraphs of every corpus model', () => {
  const files = [...testCases().map((c) => c.model), ...exportedFixtures()];
  let lazy = 0;
  let withGraphs = 0;
  const different: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    const ours = decodeModel(bytes);
    for (const node of ours.graph!.node!) {
      const getter = Object.getOwnPropertyDescriptor(node, 'attribute')?.get;
      if (getter) lazy++;
      // A node whose attributes hold a graph has them as a plain list from the start.
      if (!getter && node.attribute?.some((a) => a.g || a.graphs?.length)) withGraphs++;
    }
    // Walked before any lazy attribute is read: nodeHasSubgraphs answers from what the decoder saw.
    const paths = (m: typeof ours) => [...walkModel(m)].map((v) => `${v.path.join('/')}:${v.nodes.length}`);
    const generated = onnx.ModelProto.decode(bytes);
    if (paths(ours).join('\n') !== paths(generated).join('\n')) different.push(file);
    if (nodeHasSubgraphs(ours.graph!.node![0] ?? {}) !== subgraphsOf(generated.graph!.node![0] ?? {}).length > 0) different.push(`${file} (first node)`);
  }
  assert.deepEqual(different, []);
  assert.ok(lazy > 1000, `lazy nodes seen: ${lazy}`);
  assert.ok(withGraphs > 10, `nodes with graph attributes seen: ${withGraphs}`);
  // Read, written and encoded like a plain list.
  const bytes = readFileSync(join(exportedDir, 'transformer_dynamo', 'model.onnx'));
  const model = decodeModel(bytes);
  const node = model.graph!.node!.find((n) => Object.getOwnPropertyDescriptor(n, 'attribute')?.get)!;
  const expected = onnx.ModelProto.decode(bytes).graph!.node![model.graph!.node!.indexOf(node)].attribute;
  assert.deepStrictEqual(JSON.parse(JSON.stringify(node.attribute, dropEmptyLists)), JSON.parse(JSON.stringify(expected, dropEmptyLists)));
  assert.equal(node.attribute, node.attribute, 'decoded once');
  node.attribute = [onnx.AttributeProto.create({ name: 'added', type: onnx.AttributeProto.AttributeType.INT, i: 7 })];
  const again = onnx.NodeProto.decode(onnx.NodeProto.encode(node).finish());
  assert.deepEqual(again.attribute.map((a) => [a.name, Number(a.i)]), [['added', 7]]);
  assert.deepEqual({ ...node }.attribute, node.attribute);
});

test('damage inside a node\'s attributes, which opening does not read, is the same one-line error when they are read', () => {
  const value = onnx.TensorProto.create({ dataType: DataType.FLOAT, dims: [2], rawData: new Uint8Array(8) });
  const model = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'g', node: [{ opType: 'Constant', output: ['k'], attribute: [{ name: 'value', type: AttributeType.TENSOR, t: value }] }], output: [{ name: 'k' }] },
  });
  const bytes = encodeModel(model);
  // The tensor's raw_data (field 9: tag 0x4a, length 8) claims more bytes than the tensor holds; every
  // enclosing length stays right, so the model opens.
  const at = Buffer.from(bytes).indexOf(Buffer.from([0x4a, 0x08]));
  assert.ok(at > 0);
  bytes[at + 1] = 0x40;
  const node = decodeModel(bytes).graph!.node![0];
  assert.equal(node.opType, 'Constant');
  assert.throws(() => node.attribute, (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /^Not a valid ONNX model: a node's attributes are truncated or corrupt \(.+\)\.$/);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
});
