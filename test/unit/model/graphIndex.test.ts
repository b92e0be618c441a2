import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import { GraphIndex } from '../../../src/core/model/graphIndex.js';
import { decodedNameIds, nodeHasSubgraphs } from '../../../src/core/model/lazyDecode.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { tensorDims, tensorToArray } from '../../../src/core/model/tensorValues.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { tensorInfo } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';

function checkOrder(index: GraphIndex): void {
  const order = index.topologicalOrder();
  assert.deepEqual([...order].sort((a, b) => a - b), index.nodes.map((_, i) => i), 'a permutation of all nodes');
  const position = new Map(order.map((n, i) => [n, i]));
  index.nodes.forEach((node, i) => {
    for (const input of node.input ?? []) {
      const p = input ? index.producer(input) : undefined;
      if (p && p.index !== i) assert.ok(position.get(p.index)! < position.get(i)!, `${input} is produced before it is used`);
    }
  });
}

test('an unsorted graph with a subgraph capturing an outer value is ordered and indexed', () => {
  const thenBranch = new onnx.GraphProto({
    name: 'then',
    node: [{ opType: 'Identity', input: ['h'], output: ['t_out'] }],
    output: [tensorInfo('t_out', DataType.FLOAT, [2])],
  });
  const elseBranch = new onnx.GraphProto({
    name: 'else',
    node: [{ opType: 'Neg', input: ['X'], output: ['e_out'] }],
    output: [tensorInfo('e_out', DataType.FLOAT, [2])],
  });
  const graph = new onnx.GraphProto({
    node: [
      { opType: 'If', name: 'if', input: ['cond'], output: ['Y'], attribute: [{ name: 'then_branch', type: 5, g: thenBranch }, { name: 'else_branch', type: 5, g: elseBranch }] },
      { opType: 'Relu', name: 'relu', input: ['X'], output: ['h'] },
      { opType: 'Constant', name: 'c', output: ['cond'], attribute: [{ name: 'value_int', type: 2, i: toLong(1) }] },
    ],
    input: [tensorInfo('X', DataType.FLOAT, ['N'])],
    output: [tensorInfo('Y', DataType.FLOAT, ['N'])],
  });
  const index = GraphIndex.build(graph);
  assert.deepEqual(index.topologicalOrder(), [1, 2, 0], 'If waits for relu (captured by then_branch) and the Constant');
  assert.equal(index.producer('h')?.node.name, 'relu');
  assert.deepEqual(index.consumers('h').map((c) => [c.node.name, c.inputIndex]), [['if', -1]]);
  assert.deepEqual(index.consumers('X').map((c) => [c.node.name, c.inputIndex]), [['if', -1], ['relu', 0]], 'file order');
  assert.deepEqual(index.valueType('cond'), { kind: 'tensor', elemType: 'int64', shape: [] });
  assert.ok(index.constantTensor('cond'));
  assert.equal(index.constantTensor('X'), undefined, 'graph inputs are not constants');
  const [thenSub] = index.subgraphs(0);
  assert.deepEqual(thenSub.index.outerValues(), ['h']);
  assert.deepEqual(thenSub.index.valueType('X'), { kind: 'tensor', elemType: 'float', shape: ['N'] }, 'types resolve through the parent');
  assert.ok(thenSub.index.constantTensor('cond'), 'outer constants are visible inside');
});

test('every graph of every libonnx-testdata model gets a valid topological order', () => {
  let graphs = 0;
  for (const c of testCases()) {
    const model = decodeModel(readFileSync(c.model));
    for (const visit of walkModel(model)) {
      if (!visit.graph) continue;
      checkOrder(GraphIndex.build(visit.graph));
      graphs++;
    }
  }
  assert.ok(graphs > 1072);
});

test('producers and consumers agree with a plain scan of the nodes, on the corpus and the exported fixtures', () => {
  const exported = join(import.meta.dirname, '..', '..', 'fixtures', 'exported');
  const files = [...testCases().map((c) => c.model), ...readdirSync(exported, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(exported, e.name, 'model.onnx'))];
  let checked = 0;
  for (const file of files) {
    for (const visit of walkModel(decodeModel(readFileSync(file)))) {
      const graph = visit.graph;
      if (!graph) continue;
      const index = GraphIndex.build(graph);
      const producers = new Map<string, { index: number; outputIndex: number }>();
      const consumers = new Map<string, Array<[number, number]>>();
      graph.node?.forEach((node, n) => {
        node.output?.forEach((name, o) => name && producers.set(name, { index: n, outputIndex: o }));
        node.input?.forEach((name, i) => name && consumers.set(name, [...(consumers.get(name) ?? []), [n, i]]));
      });
      for (const [name, p] of producers) {
        const found = index.producer(name);
        assert.deepEqual(found && { index: found.index, outputIndex: found.outputIndex }, p, `${file}: producer of ${name}`);
        assert.equal(found?.node, graph.node![p.index]);
      }
      for (const [name, list] of consumers) {
        const through = index.consumers(name).filter((c) => c.inputIndex >= 0);
        assert.deepEqual(through.map((c) => [c.index, c.inputIndex]), list, `${file}: consumers of ${name}`);
        assert.ok(through.every((c) => c.node === graph.node![c.index]));
        assert.deepEqual(index.consumerIndices(name), list.map(([n]) => n));
        assert.equal(index.consumerCount(name), index.consumers(name).length);
        checked++;
      }
    }
  }
  assert.ok(checked > 4000, `checked ${checked} values`);
});

test('an index adopts the decoder\'s name numbers; an index built after an edit sees new names, an earlier one does not', () => {
  const exported = join(import.meta.dirname, '..', '..', 'fixtures', 'exported', 'transformer_dynamo', 'model.onnx');
  const graph = decodeModel(readFileSync(exported)).graph!;
  assert.ok(decodedNameIds(graph)?.size, 'the decoder numbered the names');
  const before = GraphIndex.build(graph);
  const last = graph.node!.length - 1;
  const output = graph.node![last].output![0];
  graph.node!.push(new onnx.NodeProto({ opType: 'Relu', name: 'added', input: [output], output: ['added_out'] }));
  graph.node!.push(new onnx.NodeProto({ opType: 'Neg', name: 'reader', input: ['added_out'], output: ['read_out'] }));
  const after = GraphIndex.build(graph);
  // The new index knows the names the edit added, and the new reader of an old value.
  assert.equal(after.producer('added_out')?.index, last + 1);
  assert.deepEqual(after.consumerIndices('added_out'), [last + 2]);
  assert.ok(after.consumerIndices(output).includes(last + 1));
  // The earlier index answers as it was built, for old and new names alike.
  assert.equal(before.producer('added_out'), undefined);
  assert.deepEqual(before.consumers('added_out'), []);
  assert.equal(before.consumerCount('read_out'), 0);
  assert.ok(!before.consumerIndices(output).includes(last + 1));
  assert.equal(before.producer(output)?.index, last);
  // Built again before the first answers again: both stay right.
  assert.equal(GraphIndex.build(graph).producer('read_out')?.index, last + 2);
  assert.equal(before.producer('read_out'), undefined);
});

test('initializer and Constant types are derived when asked: a declaration wins over an initializer, an initializer over a Constant', () => {
  const graph = new onnx.GraphProto({
    input: [tensorInfo('w', DataType.FLOAT, [5])],
    initializer: [
      new onnx.TensorProto({ name: 'w', dataType: DataType.FLOAT, dims: [toLong(2)], floatData: [1, 2] }),
      new onnx.TensorProto({ name: 'c', dataType: DataType.INT64, dims: [toLong(3)], int64Data: [toLong(1), toLong(2), toLong(3)] }),
    ],
    node: [
      { opType: 'Constant', output: ['c'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: DataType.FLOAT, dims: [toLong(4)], floatData: [0, 0, 0, 0] } }] },
      { opType: 'Constant', output: ['k'], attribute: [{ name: 'value_ints', type: onnx.AttributeProto.AttributeType.INTS, ints: [toLong(1), toLong(2)] }] },
      { opType: 'Constant', output: ['v'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: DataType.DOUBLE, dims: [toLong(2), toLong(3)], doubleData: [0, 0, 0, 0, 0, 0] } }] },
    ],
  });
  const index = GraphIndex.build(graph);
  assert.deepEqual(index.valueType('w'), { kind: 'tensor', elemType: 'float', shape: [5] });
  assert.deepEqual(index.valueType('c'), { kind: 'tensor', elemType: 'int64', shape: [3] });
  assert.deepEqual(index.valueType('k'), { kind: 'tensor', elemType: 'int64', shape: [2] });
  assert.deepEqual(index.valueType('v'), { kind: 'tensor', elemType: 'double', shape: [2, 3] });
  assert.equal(index.valueType('v'), index.valueType('v'), 'worked out once');
  assert.equal(index.valueType('nothing'), undefined);
});

test('lookups by value id and per-slot ids answer as the lookups by name, on the corpus and the exported fixtures', () => {
  const exported = join(import.meta.dirname, '..', '..', 'fixtures', 'exported');
  const files = [...testCases().map((c) => c.model), ...readdirSync(exported, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(exported, e.name, 'model.onnx'))];
  let slots = 0;
  let constants = 0;
  for (const file of files) {
    for (const visit of walkModel(decodeModel(readFileSync(file)))) {
      const graph = visit.graph;
      if (!graph) continue;
      const index = GraphIndex.build(graph);
      graph.node?.forEach((node, n) => {
        assert.equal(index.hasSubgraphs(n), nodeHasSubgraphs(node), `${file}: node ${n} holds subgraphs`);
        for (const [list, slotId] of [[node.input ?? [], index.inputId.bind(index)], [node.output ?? [], index.outputId.bind(index)]] as const) {
          list.forEach((name, slot) => {
            const id = slotId(n, slot);
            slots++;
            if (!name) return assert.equal(id, -1, `${file}: empty slot ${slot} of node ${n}`);
            assert.equal(id, index.valueId(name), `${file}: ${name} in slot ${slot} of node ${n}`);
            assert.ok(id >= 0 && id < index.valueCount);
            assert.equal(index.producerOfId(id), index.producer(name)?.index ?? -1, `${file}: producer of ${name}`);
            assert.deepEqual(index.consumerIndicesOfId(id), index.consumerIndices(name), `${file}: consumers of ${name}`);
            assert.equal(index.consumerCountOfId(id), index.consumerCount(name));
            assert.deepEqual(index.valueTypeOfId(name, id), index.valueType(name), `${file}: type of ${name}`);
          });
        }
      });
      // constantValue reads as constantTensor does, without the copy.
      for (const node of graph.node ?? []) {
        const name = node.output?.[0];
        if (node.opType !== 'Constant' || !name) continue;
        const copy = index.constantTensor(name);
        const value = index.constantValue(name);
        assert.equal(value === undefined, copy === undefined, `${file}: ${name}`);
        if (!copy || !value) continue;
        assert.equal(value.dataType, copy.dataType);
        assert.deepEqual(tensorDims(value), tensorDims(copy));
        assert.deepEqual(tensorToArray(value).data, tensorToArray(copy).data, `${file}: elements of ${name}`);
        constants++;
      }
    }
  }
  assert.equal(GraphIndex.build({}).valueId('missing'), -1);
  assert.ok(slots > 5000 && constants > 100, `checked ${slots} slots and ${constants} constants`);
});
