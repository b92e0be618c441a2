import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx } from '../../../src/core/model/proto.js';
import { tensorType } from '../../../src/core/transforms/graphEdit.js';
import type { Dim } from '../../../src/core/model/types.js';
import { generateCnn } from '../../../bench/generate/index.js';
import { tempDir } from '../../helpers/models.js';
import { onnxShapes } from '../../helpers/shapeConformance.js';
import { testCases } from '../../helpers/testdata.js';
import { i64, model, node, valueInfo } from '../transforms/foldModels.js';
import { runCli as cli } from '../../helpers/cli.js';


interface InfoValue { name: string; graph: string[]; kind: string; type: string; shape: Dim[] | null; source: string }
interface Info { shapes: { values: number; knownRank: number; fullyKnown: number; inferred: number }; values: InfoValue[] }

test('info --json: a ResNet-style export without value_info gets every intermediate shape, marked inferred and equal to onnx\'s', () => {
  const dir = tempDir();
  const path = join(dir, 'resnetish.onnx');
  const cnn = generateCnn({ blocks: [1, 1], channels: 8 });
  writeFileSync(path, encodeModel(cnn));
  const run = cli('info', path, '--json');
  assert.equal(run.status, 0, run.stderr);
  const info = JSON.parse(run.stdout) as Info;
  const outputs = info.values.filter((v) => v.kind === 'node_output');
  const nodeOutputs = cnn.graph!.node!.flatMap((n) => n.output ?? []).filter(Boolean);
  assert.equal(outputs.length, nodeOutputs.length);
  // Only the graph output is declared; all the others come from inference.
  assert.deepEqual(info.shapes, { values: nodeOutputs.length, knownRank: nodeOutputs.length, fullyKnown: nodeOutputs.length, inferred: nodeOutputs.length - 1 });
  assert.deepEqual(outputs.filter((v) => v.source === 'declared').map((v) => v.name), cnn.graph!.output!.map((o) => o.name));
  assert.deepEqual(info.values.find((v) => v.kind === 'input'), { name: 'input', graph: [], kind: 'input', type: 'float', shape: ['batch_size', 3, 32, 32], source: 'declared' });
  const theirs = onnxShapes([path])[0].graphs[0].values;
  for (const v of outputs) assert.deepEqual(v.shape, theirs[v.name], v.name);
  assert.match(cli('info', path).stdout, new RegExp(`Shapes: +${nodeOutputs.length} of ${nodeOutputs.length} node outputs fully known`));
});

test('info --json: the bundled sample shows all of its intermediate shapes, symbolic ones included', () => {
  const info = JSON.parse(cli('info', 'test/fixtures/sample.onnx', '--json').stdout) as Info;
  assert.equal(info.shapes.fullyKnown, info.shapes.values);
  assert.ok(info.shapes.values > 200);
  const gather = info.values.find((v) => v.name === '/model/embed_tokens/Gather_output_0');
  assert.deepEqual(gather, { name: '/model/embed_tokens/Gather_output_0', graph: [], kind: 'node_output', type: 'float', shape: ['batch_size', 'sequence_length', 32], source: 'inferred' });
});

test('info --json: a declaration that says all stays declared; inference fills the dims one leaves open; subgraph values are listed', () => {
  const dir = tempDir();
  const path = join(dir, 'declared.onnx');
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, ['N', 6])],
    output: [valueInfo('y', DataType.FLOAT, ['N', 2, 3])],
    valueInfo: [valueInfo('r', DataType.FLOAT, ['N', 6]), onnx.ValueInfoProto.create({ name: 's', type: tensorType(DataType.FLOAT, [null, 2, 3]) })],
    initializer: [i64('shape', [3], [0, 2, 3])],
    node: [node('Relu', ['x'], ['r']), node('Reshape', ['r', 'shape'], ['s']), node('Identity', ['s'], ['y'])],
  });
  writeFileSync(path, encodeModel(m));
  const info = JSON.parse(cli('info', path, '--json').stdout) as Info;
  const by = new Map(info.values.map((v) => [v.name, v]));
  assert.deepEqual([by.get('r')!.shape, by.get('r')!.source], [['N', 6], 'declared']);
  assert.deepEqual([by.get('s')!.shape, by.get('s')!.source], [['N', 2, 3], 'inferred']);

  const loop = JSON.parse(cli('info', testCases().find((c) => c.name === 'node/test_loop11')!.model, '--json').stdout) as Info;
  assert.ok(loop.values.some((v) => v.graph.length === 2 && v.graph[1] === 'body'), 'values inside the Loop body');
});

test('info on a model whose nodes inference cannot follow still answers, with those values unknown', () => {
  const dir = tempDir();
  const path = join(dir, 'odd.onnx');
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 3])],
    output: [valueInfo('y', DataType.FLOAT)],
    node: [
      node('Transpose', ['x'], ['t'], { perm: [0, 1, 2, 7] }),
      node('Unsqueeze', ['t', 'missing_axes'], ['u']),
      node('SomethingNew', ['u'], ['y']),
    ],
  });
  writeFileSync(path, encodeModel(m));
  const run = cli('info', path, '--json');
  assert.equal(run.status, 0, run.stderr);
  const info = JSON.parse(run.stdout) as Info;
  assert.deepEqual(info.values.filter((v) => v.kind === 'node_output').map((v) => [v.name, v.shape]), [['t', null], ['u', null], ['y', null]]);
  assert.deepEqual(decodeModel(readFileSync(path)), decodeModel(encodeModel(m)), 'the file is left as it was');
});
