// Real-exporter fixtures (test/fixtures/exported, made by scripts/make-exported-fixtures.py with torch):
// each decodes and encodes back to the same bytes, runs in onnxruntime through our runner and matches
// torch's outputs, holds what it was made to show (dynamic dims, If, reflect Pad, LSTM, weights in
// Constant nodes, dynamo's source metadata), and passes Debian's onnx.checker where that checker knows
// the file's IR version and opset.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { attribute, defaultOpset } from '../../../src/core/model/graphQueries.js';
import { int64ToNumber, type ModelProto, type NodeProto } from '../../../src/core/model/proto.js';
import { toFloat64 } from '../../../src/core/model/tensorValues.js';
import { valueType, type Dim } from '../../../src/core/model/types.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { readTestDataSet, testDataSetDirs, type TestDataSet } from '../../../src/core/runtime/testData.js';
import { testRun } from '../../../src/core/runtime/testRun.js';
import { onnxCheck, runPython } from '../../helpers/python.js';

const root = fileURLToPath(new URL('../../fixtures/exported/', import.meta.url));
const script = fileURLToPath(new URL('../../../scripts/make-exported-fixtures.py', import.meta.url));
/** float32 torch (CPU) against onnxruntime; the largest error seen at generation was below 5e-7. */
const tolerance = { rtol: 1e-4, atol: 1e-5 };
/** Where the script puts the repository in stack-trace paths. */
const repoPrefix = '/src/onnx-lens/';

interface Fixture {
  name: string;
  dir: string;
  path: string;
  bytes: Uint8Array;
  model: ModelProto;
  dataSets: TestDataSet[];
}

function load(name: string): Fixture {
  const dir = join(root, name);
  const path = join(dir, 'model.onnx');
  const bytes = readFileSync(path);
  const model = decodeModel(bytes);
  return { name, dir, path, bytes, model, dataSets: testDataSetDirs(dir).map((d) => readTestDataSet(d, model)) };
}

const names = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const fixtures = names.map(load);
const isDynamo = (f: Fixture) => f.name.endsWith('_dynamo');

const allNodes = (model: ModelProto): NodeProto[] => [...walkModel(model)].flatMap((v) => v.nodes);
const opsOf = (model: ModelProto) => new Set(allNodes(model).map((n) => n.opType ?? ''));
const mainOps = (model: ModelProto) => new Set((model.graph?.node ?? []).map((n) => n.opType ?? ''));
const inputShape = (model: ModelProto, name: string): Dim[] | undefined =>
  valueType((model.graph?.input ?? []).find((i) => i.name === name)?.type).shape;
const meta = (node: NodeProto, key: string) => (node.metadataProps ?? []).find((p) => p.key === key)?.value;

/** What each fixture was made to show, beyond running. */
const expectations: Record<string, (f: Fixture) => void> = {
  cnn_torchscript: (f) => {
    assert.deepEqual(inputShape(f.model, 'image'), ['batch', 3, 'height', 'width']);
    for (const op of ['Conv', 'MaxPool', 'GlobalAveragePool', 'Gemm']) assert.ok(opsOf(f.model).has(op), op);
  },
  cnn_dynamo: (f) => {
    assert.deepEqual(inputShape(f.model, 'image'), ['batch', 3, 'height', 'width']);
    for (const op of ['Conv', 'MaxPool', 'ReduceMean', 'Gemm']) assert.ok(opsOf(f.model).has(op), op);
  },
  transformer_torchscript: (f) => {
    assert.deepEqual(inputShape(f.model, 'input_ids'), ['batch', 'sequence']);
    for (const op of ['Gather', 'Range', 'LayerNormalization', 'MatMul', 'Softmax', 'Erf']) assert.ok(opsOf(f.model).has(op), op);
  },
  transformer_dynamo: (f) => {
    assert.deepEqual(inputShape(f.model, 'input_ids'), ['batch', 'sequence']);
    for (const op of ['Gather', 'Range', 'LayerNormalization', 'MatMul', 'Softmax', 'Gelu']) assert.ok(opsOf(f.model).has(op), op);
  },
  lstm_torchscript: (f) => {
    assert.deepEqual(inputShape(f.model, 'x'), ['batch', 'sequence', 8]);
    assert.ok(opsOf(f.model).has('LSTM'));
    assert.deepEqual((f.model.graph?.output ?? []).map((o) => o.name), ['y', 'h', 'c']);
  },
  cond_dynamo: (f) => {
    assert.ok(mainOps(f.model).has('If'), 'torch.cond becomes an If in the main graph');
    // One data set per branch: the predicate is the input's sum.
    const sums = f.dataSets.map((s) => toFloat64(s.inputs.x).reduce((a, b) => a + b, 0));
    assert.ok(sums.some((s) => s > 0) && sums.some((s) => s < 0), `sums ${sums.join(', ')}`);
  },
  silero_like_dynamo: (f) => sileroLike(f),
  silero_like_torchscript: (f) => sileroLike(f),
  detector_opset11_constants: (f) => {
    assert.equal(defaultOpset(f.model), 11);
    assert.equal(f.model.graph?.initializer?.length ?? 0, 0, 'weights are held in Constant nodes, not initializers');
    assert.deepEqual(inputShape(f.model, 'x'), ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2']);
    const nodes = f.model.graph?.node ?? [];
    const constants = new Map(nodes.filter((n) => n.opType === 'Constant').map((n) => [n.output?.[0] ?? '', n]));
    const convs = nodes.filter((n) => n.opType === 'Conv');
    assert.ok(convs.length >= 60, `${convs.length} Conv nodes`);
    convs.forEach((conv, k) => {
      assert.equal(conv.input?.[1], `conv2d_${k}.w_0`);
      assert.ok(attribute(constants.get(conv.input![1])!, 'value')?.t, `${conv.input?.[1]} comes from a Constant`);
    });
    assert.ok(nodes.length >= 290, `a deep graph: ${nodes.length} nodes`);
  },
};

function sileroLike(f: Fixture): void {
  assert.deepEqual(inputShape(f.model, 'input'), ['batch', 'time']);
  assert.deepEqual(inputShape(f.model, 'state'), [2, 'batch', 16]);
  assert.deepEqual(valueType((f.model.graph?.input ?? []).find((i) => i.name === 'sr')?.type), { kind: 'tensor', elemType: 'int64', shape: [] });
  assert.ok(mainOps(f.model).has('If'), 'sr selects the branch through an If');
  const pads = allNodes(f.model).filter((n) => n.opType === 'Pad');
  assert.equal(pads.length, 2, 'one Pad per branch');
  for (const pad of pads) assert.equal(new TextDecoder().decode(attribute(pad, 'mode')?.s ?? new Uint8Array()), 'reflect');
  const rates = f.dataSets.map((s) => Number((s.inputs.sr.data as BigInt64Array)[0]));
  assert.deepEqual([...new Set(rates)].sort(), [16000, 8000].sort(), 'both sample rates, so both branches, are run');
}

test('the fixture set: every folder is in the manifest, holds test data and what it was made to show; small', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { fixtures: Record<string, unknown> };
  assert.deepEqual(names, Object.keys(manifest.fixtures).sort());
  assert.deepEqual(names, Object.keys(expectations).sort(), 'every fixture has its expectations here');
  let total = 0;
  for (const f of fixtures) {
    assert.ok(f.dataSets.length > 0 && f.dataSets.every((s) => s.expected), `${f.name}: test data with expected outputs`);
    const opset = defaultOpset(f.model);
    if (f.name.endsWith('_torchscript')) assert.equal(opset, 17, f.name);
    if (isDynamo(f)) assert.ok(opset >= 18, `${f.name}: opset ${opset}`);
    expectations[f.name](f);
    for (const dir of [f.dir, ...testDataSetDirs(f.dir)]) {
      for (const file of readdirSync(dir)) if (statSync(join(dir, file)).isFile()) total += statSync(join(dir, file)).size;
    }
  }
  assert.ok(total < 3 * 1024 * 1024, `${total} bytes`);
});

test('every fixture decodes and encodes back to the same bytes', () => {
  for (const f of fixtures) {
    assert.ok(Buffer.from(encodeModel(f.model)).equals(Buffer.from(f.bytes)), f.name);
  }
});

test(`every fixture runs in onnxruntime and matches torch's outputs (rtol ${tolerance.rtol}, atol ${tolerance.atol})`, { timeout: 300_000 }, async (t) => {
  const client = RuntimeClient.start({ timeoutMs: 120_000 });
  try {
    for (const f of fixtures) {
      const report = await testRun(client, f.path, { dataSets: f.dataSets, tolerance, warmup: 0, iterations: 0 });
      const outputs = (f.model.graph?.output ?? []).map((o) => o.name);
      for (const set of report.dataSets) {
        assert.equal(set.reference, 'expected outputs', `${f.name} ${set.name}`);
        assert.deepEqual(set.outputs.map((o) => o.name).sort(), [...outputs].sort(), `${f.name} ${set.name}: every output`);
        for (const o of set.outputs) {
          const c = o.comparison;
          assert.ok(c?.pass, `${f.name} ${set.name} ${o.name}: ${c?.problem ?? `max abs error ${c?.maxAbsError}, ${c?.mismatches} of ${c?.count} differ`}`);
        }
      }
      assert.equal(report.pass, true, f.name);
      const worst = Math.max(...report.dataSets.flatMap((d) => d.outputs.map((o) => o.comparison?.maxAbsError ?? 0)));
      t.diagnostic(`${f.name}: ${report.dataSets.length} data sets, max abs error ${worst.toExponential(2)}`);
    }
  } finally {
    client.dispose();
  }
});

test('dynamo exports carry source metadata whose frames point at lines of the script; torchscript ones carry none', () => {
  const lines = readFileSync(script, 'utf8').split('\n');
  const frame = /File "([^"]+)", line (\d+), in (\S+)\n {4}(.*)/g;
  for (const f of fixtures) {
    const nodes = allNodes(f.model);
    if (!isDynamo(f)) {
      assert.ok(nodes.every((n) => !meta(n, 'pkg.torch.onnx.stack_trace')), f.name);
      continue;
    }
    let ours = 0;
    for (const node of nodes) {
      const trace = meta(node, 'pkg.torch.onnx.stack_trace');
      assert.ok(trace, `${f.name}: ${node.name} has a stack trace`);
      assert.ok(meta(node, 'pkg.torch.onnx.name_scopes') && meta(node, 'pkg.torch.onnx.class_hierarchy'), `${f.name}: ${node.name} has its module path`);
      for (const [, file, line, , code] of trace.matchAll(frame)) {
        // No machine path: absolute paths were given neutral prefixes by the script.
        if (file.startsWith('/')) assert.match(file, /^\/(src\/onnx-lens|opt\/venv|usr\/local)\//, `${f.name}: ${file}`);
        if (file !== `${repoPrefix}scripts/make-exported-fixtures.py`) continue;
        ours++;
        assert.equal(lines[Number(line) - 1]?.trim(), code.trim(),
          `${f.name}: line ${line} of the script differs from the trace; regenerate the fixtures after editing the script`);
      }
    }
    assert.ok(ours > 0, `${f.name}: frames in the script`);
  }
});

test("Debian's onnx.checker accepts every fixture whose IR version and opset it knows", { timeout: 120_000 }, (t) => {
  const [maxIr, maxOpset] = JSON.parse(runPython('import json, onnx; print(json.dumps([onnx.IR_VERSION, onnx.defs.onnx_opset_version()]))')) as number[];
  const skipped: string[] = [];
  let checked = 0;
  for (const f of fixtures) {
    const ir = int64ToNumber(f.model.irVersion);
    const opset = defaultOpset(f.model);
    if (ir > maxIr || opset > maxOpset) {
      skipped.push(`${f.name} (IR ${ir}, opset ${opset})`);
      continue;
    }
    assert.equal(onnxCheck(f.path), '', f.name);
    checked++;
  }
  t.diagnostic(`onnx.checker (IR <= ${maxIr}, opset <= ${maxOpset}): ${checked} checked, ${skipped.length} skipped as newer than it knows: ${skipped.join(', ')}`);
  assert.ok(checked >= fixtures.filter((f) => !isDynamo(f)).length, 'the torchscript exports (opset 17 and 11) are all checked');
});
