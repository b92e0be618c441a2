import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { testCases } from '../../helpers/testdata.js';
import { runCli as cli } from '../../helpers/cli.js';


test('info --json reports the documented keys, checked against Debian onnx for a model with a subgraph', () => {
  const loop = testCases().find((c) => c.name === 'node/test_loop11')!;
  const run = cli('info', loop.model, '--json');
  assert.equal(run.status, 0, run.stderr);
  const info = JSON.parse(run.stdout);
  for (const key of ['irVersion', 'producer', 'opsets', 'inputs', 'outputs', 'nodes', 'initializers', 'subgraphs', 'ops']) assert.ok(key in info, key);
  const expected = JSON.parse(runPython(`
import sys, json, onnx
m = onnx.load(sys.argv[1])
def count(g):
    n = len(g.node); s = 0
    for node in g.node:
        for a in node.attribute:
            for sub in ([a.g] if a.HasField('g') else []) + list(a.graphs):
                c, k = count(sub); n += c; s += 1 + k
    return n, s
total, subgraphs = count(m.graph)
inits = {i.name for i in m.graph.initializer}
print(json.dumps({'ir': m.ir_version, 'top': len(m.graph.node), 'total': total, 'subgraphs': subgraphs,
  'opsets': {(o.domain or 'ai.onnx'): o.version for o in m.opset_import},
  'inputs': [i.name for i in m.graph.input if i.name not in inits], 'outputs': [o.name for o in m.graph.output]}))
`, [loop.model]));
  assert.equal(info.irVersion, expected.ir);
  assert.deepEqual(info.nodes, { top: expected.top, total: expected.total });
  assert.equal(info.subgraphs, expected.subgraphs);
  assert.ok(expected.subgraphs > 0);
  assert.deepEqual(info.opsets, expected.opsets);
  assert.deepEqual(info.inputs.map((i: { name: string }) => i.name), expected.inputs);
  assert.deepEqual(info.outputs.map((o: { name: string }) => o.name), expected.outputs);
});

test('info keeps symbolic dims by name and leaves initializer inputs out', () => {
  const dir = tempDir();
  const model = linearModel(4, 3);
  model.graph!.input!.push({ name: 'W', type: { tensorType: { elemType: 1 } } });
  writeFileSync(join(dir, 'm.onnx'), encodeModel(model));
  const info = JSON.parse(cli('info', join(dir, 'm.onnx'), '--json').stdout);
  assert.deepEqual(info.inputs, [{ name: 'X', type: 'float', shape: ['N', 4] }]);
  assert.deepEqual(info.initializers, { count: 2, bytes: 4 * 3 * 4 + 3 * 4 });
  assert.deepEqual(info.ops, { MatMul: 1, Add: 1 });
  assert.match(cli('info', join(dir, 'm.onnx')).stdout, /X: float\[N,4\]/);
});

test('bad input exits non-zero with one clear line, no stack trace, and writes nothing', () => {
  const dir = tempDir();
  const good = readFileSync(testCases()[0].model);
  const files: Record<string, Uint8Array> = {
    'empty.onnx': new Uint8Array(),
    'truncated.onnx': good.subarray(0, Math.floor(good.length / 2)),
    'random.onnx': Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24),
    'image.onnx': Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const before = readdirSync(dir).sort();
  for (const name of [...Object.keys(files), 'missing.onnx']) {
    for (const args of [['info', join(dir, name)], ['convert', join(dir, name), '-o', join(dir, `${name}.out`)]]) {
      const run = cli(...args);
      assert.equal(run.status, 2, `${args.join(' ')}: exit code`);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${name}: one line, got ${run.stderr}`);
      assert.match(lines[0], /^onnx-lens: /);
      assert.doesNotMatch(run.stderr, /\bat .*\.(ts|js):\d+/, 'no stack trace');
    }
  }
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written');
  assert.equal(cli('bogus').status, 2);
  assert.equal(cli('--help').status, 0);
});
