import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import { GraphIndex } from '../../../src/core/model/graphIndex.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
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
