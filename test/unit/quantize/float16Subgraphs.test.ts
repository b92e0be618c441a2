// Float16 inside If/Loop/Scan bodies: weights the bodies hold or capture from the outer graph become
// float16, values a body captures by name are fenced with Casts inside the body where their type differs,
// and the result loads and runs in onnxruntime within float16 tolerance of the original, passes our
// checker, and holds no float32 weight anywhere.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { allTensors } from '../../../src/core/model/modelFile.js';
import { DataType, type ModelProto } from '../../../src/core/model/proto.js';
import { tensorByteSize } from '../../../src/core/model/summary.js';
import { elementCount, tensorDims } from '../../../src/core/model/tensorValues.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { adaptFeeds, compareRuns, type Feeds } from '../../../src/core/transforms/compareRuns.js';
import { resolveOptions, type QuantizeOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { quantizeLoadable } from '../../../src/core/transforms/quantize/quantizeTransform.js';
import { bool, f32, i64, model, node, seq, valueInfo } from '../transforms/foldModels.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'exported');

/** Bytes of tensors of one element type, at every depth (initializers and Constant nodes). */
function bytesOf(m: ModelProto, dtype: number, minElements = 1): number {
  let n = 0;
  for (const t of allTensors(m)) if (t.dataType === dtype && elementCount(tensorDims(t)) >= minElements) n += tensorByteSize(t);
  return n;
}

function errors(m: ModelProto): string[] {
  return checkModel(decodeModel(encodeModel(m))).filter((p) => p.severity === 'error').map((p) => `${p.rule}: ${p.message}`);
}

/** Runs both models on the sets; every float output stays within float16 tolerance. */
async function assertClose(label: string, original: ModelProto, converted: ModelProto, sets: Feeds[]): Promise<void> {
  const expected = await client.runMany(encodeModel(original), sets);
  const actual = await client.runMany(encodeModel(converted), sets.map((s) => adaptFeeds(s, converted)));
  const checks = compareRuns(Object.keys(expected[0]), expected, actual, { rtol: 2e-2, atol: 2e-2 });
  assert.ok(checks.length > 0, `${label}: no outputs compared`);
  for (const c of checks) {
    assert.equal(c.problem, undefined, `${label}: ${c.name}: ${c.problem}`);
    assert.ok(c.pass, `${label}: ${c.name}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}`);
    if (c.float) assert.ok(c.cosine >= 0.999, `${label}: ${c.name}: cosine ${c.cosine}`);
  }
}

const half = (o: Partial<QuantizeOptions> = {}) => resolveOptions({ mode: 'fp16', ...o });

/**
 * Main: H = X·W_main, Xtop = TopK(X) (kept float32). If(cond): then returns H·W_outer + a Constant-node
 * bias, TopK of that value inside the body (kept), and Identity(Xtop) (a float32 value captured by name);
 * else returns Identity(H) (a float16 value captured by name), TopK(H) and Xtop·Cs. Loop: h = tanh(h·W_body
 * + B_outer) twice, B_outer read only inside the body. Scan over the rows of H with a running sum times W_scan.
 */
function nestedModel(): ModelProto {
  const w = (name: string, n: number, seed: number) => f32(name, [n, 16], Array.from({ length: n * 16 }, (_, i) => 0.3 * Math.sin(i * 0.37 + seed)));
  const thenBranch = {
    name: 'then',
    node: [
      node('MatMul', ['H', 'W_outer'], ['T0']),
      node('Constant', [], ['C_then'], { value: f32('', [16], seq(16, 0.05)) }),
      node('Add', ['T0', 'C_then'], ['T']),
      node('TopK', ['T', 'k'], ['T_top', 'T_idx'], { axis: -1 }),
      node('Identity', ['Xtop'], ['Xtop_then']),
    ],
    output: [valueInfo('T', DataType.FLOAT, [2, 16]), valueInfo('T_top', DataType.FLOAT, [2, 4]), valueInfo('Xtop_then', DataType.FLOAT, [2, 4])],
  };
  const elseBranch = {
    name: 'else',
    node: [
      node('TopK', ['H', 'k'], ['H_top', 'H_idx'], { axis: -1 }),
      node('Mul', ['Xtop', 'Cs'], ['Xs']),
      node('Identity', ['H'], ['H_else']),
    ],
    initializer: [f32('Cs', [4], [0.5, -1, 2, 1.5])],
    output: [valueInfo('H_else', DataType.FLOAT, [2, 16]), valueInfo('H_top', DataType.FLOAT, [2, 4]), valueInfo('Xs', DataType.FLOAT, [2, 4])],
  };
  const loopBody = {
    name: 'loop_body',
    input: [valueInfo('i', DataType.INT64, []), valueInfo('c_in', DataType.BOOL, []), valueInfo('h_in', DataType.FLOAT, [2, 16])],
    node: [node('Identity', ['c_in'], ['c_out']), node('MatMul', ['h_in', 'W_body'], ['h_mm']), node('Add', ['h_mm', 'B_outer'], ['h_b']), node('Tanh', ['h_b'], ['h_out'])],
    initializer: [w('W_body', 16, 3)],
    output: [valueInfo('c_out', DataType.BOOL, []), valueInfo('h_out', DataType.FLOAT, [2, 16])],
  };
  const scanBody = {
    name: 'scan_body',
    input: [valueInfo('s_in', DataType.FLOAT, [16]), valueInfo('row', DataType.FLOAT, [16])],
    node: [node('Add', ['s_in', 'row'], ['s_out']), node('Mul', ['s_out', 'W_scan'], ['y'])],
    output: [valueInfo('s_out', DataType.FLOAT, [16]), valueInfo('y', DataType.FLOAT, [16])],
  };
  return model({
    node: [
      node('MatMul', ['X', 'W_main'], ['H']),
      node('TopK', ['X', 'k'], ['Xtop', 'Xidx'], { axis: -1 }),
      node('If', ['cond'], ['o1', 'o2', 'o3'], { then_branch: thenBranch, else_branch: elseBranch }),
      node('Loop', ['trips', '', 'H'], ['looped'], { body: loopBody }),
      node('Scan', ['S0', 'H'], ['s_final', 'scanned'], { body: scanBody, num_scan_inputs: 1 }),
    ],
    initializer: [w('W_main', 16, 0), w('W_outer', 16, 1), f32('B_outer', [16], seq(16, 0.02)), f32('W_scan', [16], seq(16, 0.03)), f32('S0', [16], seq(16, 0.01)), i64('trips', [], [2]), i64('k', [1], [4])],
    input: [valueInfo('X', DataType.FLOAT, [2, 16]), valueInfo('cond', DataType.BOOL, [])],
    output: [
      valueInfo('o1', DataType.FLOAT, [2, 16]), valueInfo('o2', DataType.FLOAT, [2, 4]), valueInfo('o3', DataType.FLOAT, [2, 4]),
      valueInfo('looped', DataType.FLOAT, [2, 16]), valueInfo('s_final', DataType.FLOAT, [16]), valueInfo('scanned', DataType.FLOAT, [2, 16]),
    ],
  });
}

const nestedSets = (): Feeds[] => [true, false].map((c) => ({
  X: { dtype: DataType.FLOAT, dims: [2, 16], data: Float32Array.from({ length: 32 }, (_, i) => Math.cos(i * 0.9)) },
  cond: { dtype: DataType.BOOL, dims: [], data: bool('', c).rawData! },
}));

test('float16 converts If, Loop and Scan bodies: their weights, Constant nodes and outputs, captured values fenced inside', async () => {
  const original = nestedModel();
  for (const keepIoFp32 of [true, false]) {
    const label = `keepIoFp32 ${keepIoFp32}`;
    const outcome = quantizeModel(decodeModel(encodeModel(original)), half({ keepIoFp32 }));
    // No float32 weight left at any depth: W_outer and B_outer (read only inside bodies), W_body, Cs, the Constant.
    assert.equal(bytesOf(outcome.model, DataType.FLOAT), 0, `${label}: float32 tensors left`);
    assert.equal(bytesOf(outcome.model, DataType.FLOAT16) * 2, bytesOf(original, DataType.FLOAT), `${label}: every float32 byte halved`);
    assert.ok(outcome.counts.weights >= 7, `${label}: weights ${outcome.counts.weights}`);
    // The If's kept TopKs read Casts to float32 inside their bodies; the float32 Xtop leaves the then body through a Cast.
    const ifNode = outcome.model.graph!.node!.find((n) => n.opType === 'If')!;
    const [thenG, elseG] = ['then_branch', 'else_branch'].map((a) => ifNode.attribute!.find((x) => x.name === a)!.g!);
    const producer = (g: typeof thenG, name: string) => g.node!.find((n) => n.output!.includes(name));
    const identity = producer(thenG, thenG.output![2].name!)!;
    assert.equal(producer(thenG, identity.input![0])?.opType, 'Cast', 'captured float32 Xtop cast to float16 inside the then body');
    assert.equal(producer(elseG, elseG.node!.find((n) => n.opType === 'TopK')!.input![0])?.opType, 'Cast', 'captured float16 H cast to float32 for the kept TopK');
    for (const g of [thenG, elseG]) for (const o of g.output!) assert.equal(o.type!.tensorType!.elemType, DataType.FLOAT16, `${label}: ${g.name} output ${o.name}`);
    assert.deepEqual(errors(outcome.model), [], `${label}: checker`);
    await assertClose(label, original, outcome.model, nestedSets());
  }
});

test('float16 with the If kept in float32: its bodies stay float32 and what they capture is cast back inside them', async () => {
  const original = nestedModel();
  const outcome = quantizeModel(decodeModel(encodeModel(original)), half({ keepFp32Ops: ['If'] }));
  const ifNode = outcome.model.graph!.node!.find((n) => n.opType === 'If')!;
  const thenG = ifNode.attribute!.find((x) => x.name === 'then_branch')!.g!;
  const mm = thenG.node!.find((n) => n.opType === 'MatMul')!;
  const cast = thenG.node!.find((n) => n.output![0] === mm.input![0]);
  assert.equal(cast?.opType, 'Cast', 'the float16 H is cast to float32 inside the kept body');
  for (const o of thenG.output!) assert.equal(o.type!.tensorType!.elemType, DataType.FLOAT);
  // W_outer is read only by the kept body: it stays float32; the Loop and Scan bodies are converted.
  assert.ok(outcome.model.graph!.initializer!.some((t) => t.name === 'W_outer' && t.dataType === DataType.FLOAT));
  assert.ok(outcome.model.graph!.initializer!.some((t) => t.name === 'B_outer' && t.dataType === DataType.FLOAT16));
  assert.deepEqual(errors(outcome.model), []);
  await assertClose('If kept', original, outcome.model, nestedSets());
});

for (const name of ['silero_like_torchscript', 'silero_like_dynamo', 'cond_dynamo']) {
  test(`float16 on the exported ${name}: runs on its data sets, weights in the bodies converted, checker clean`, async () => {
    const dir = join(fixtures, name);
    const { readFileSync } = await import('node:fs');
    const original = decodeModel(readFileSync(join(dir, 'model.onnx')));
    const sets = testDataSetDirs(dir).map((d) => readTestDataSet(d, original).inputs);
    assert.ok(sets.length >= 2);
    const bodyNodes = [...walkModel(original)].filter((v) => v.path.length > 0).reduce((n, v) => n + v.nodes.length, 0);
    assert.ok(bodyNodes > 0, `${name} has If bodies`);
    const outcome = quantizeModel(decodeModel(encodeModel(original)), half());
    // Weights (more than one element) are all float16: half their float32 bytes.
    assert.equal(bytesOf(outcome.model, DataType.FLOAT, 2), 0, `${name}: float32 weights left`);
    const ratio = bytesOf(original, DataType.FLOAT, 2) / bytesOf(outcome.model, DataType.FLOAT16, 2);
    // Slightly over 2x where the result drops an initializer nothing reads (silero_like_dynamo's val_7_2).
    assert.ok(ratio > 1.95 && ratio < 2.1, `${name}: weights ${ratio.toFixed(2)}x smaller`);
    // These weights are a few kB beside the graph and (dynamo) stack-trace metadata, and the boundary Casts
    // add a few nodes: the file shrinks, by less than half.
    assert.ok(encodeModel(outcome.model).length < encodeModel(original).length, `${name}: the file shrinks`);
    assert.deepEqual(errors(outcome.model), [], `${name}: checker`);
    await assertClose(name, original, outcome.model, sets);
  });
}

test('float16 on the exported LSTM, through the pipeline\'s loadable pass: the LSTM and the moves around it stay float32', async () => {
  const dir = join(fixtures, 'lstm_torchscript');
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(join(dir, 'model.onnx'));
  const original = decodeModel(bytes);
  const sets = testDataSetDirs(dir).map((d) => readTestDataSet(d, original).inputs);
  const outcome = await quantizeLoadable(client, bytes, half(), {}, dir);
  const g = outcome.model.graph!;
  const lstm = g.node!.find((n) => n.opType === 'LSTM')!;
  // The LSTM reads its transposed input straight from the float32 graph input, and its output is moved
  // (Squeeze, Transpose) in float32 before the one Cast in front of the float16 MatMul.
  assert.equal(g.node!.find((n) => n.output![0] === lstm.input![0])?.opType, 'Transpose');
  const matmul = g.node!.find((n) => n.opType === 'MatMul')!;
  const cast = g.node!.find((n) => n.output![0] === matmul.input![0])!;
  assert.equal(cast.opType, 'Cast');
  assert.equal(g.node!.find((n) => n.output![0] === cast.input![0])?.opType, 'Transpose');
  for (const name of ['onnx::LSTM_109', 'onnx::LSTM_110', 'onnx::LSTM_111']) assert.equal(g.initializer!.find((t) => t.name === name)?.dataType, DataType.FLOAT, name);
  assert.equal(g.initializer!.find((t) => t.name === 'onnx::MatMul_112')?.dataType, DataType.FLOAT16);
  assert.deepEqual(errors(outcome.model), []);
  await assertClose('lstm', original, outcome.model, sets);
});
