// Static quantization inside If/Loop/Scan bodies: calibration observes the body values (threaded out of
// a copy of the model, nestedValues.ts), the body's MatMul/Gemm/Conv get QDQ pairs and int8 weights,
// weights held in Constant nodes included, and the result runs in onnxruntime close to the original.
// A branch no calibration set takes has no range: its nodes stay float, and the report says which.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { decodeModel, encodeModel, readModelFile } from '../../../src/core/model/decode.js';
import { DataType, type GraphProto, type ModelProto } from '../../../src/core/model/proto.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { adaptFeeds, compareRuns, type Feeds } from '../../../src/core/transforms/compareRuns.js';
import { calibrate } from '../../../src/core/transforms/quantize/calibrate.js';
import { exposeValues } from '../../../src/core/transforms/quantize/nestedValues.js';
import { resolveOptions } from '../../../src/core/transforms/quantize/options.js';
import { calibrationTargets, quantizeModel, type QuantizeOutcome } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { cloneModel } from '../../../src/core/transforms/graphEdit.js';
import { bool, f32, i64, model, node, valueInfo } from '../transforms/foldModels.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'exported');
const options = resolveOptions({ mode: 'static' });

const w = (name: string, rows: number, cols: number, seed: number) => f32(name, [rows, cols], Array.from({ length: rows * cols }, (_, i) => 0.3 * Math.sin(i * 0.37 + seed)));

/**
 * H = X·W_main; If(cond): then T = H·W_then (a Constant-node weight), else E = Gemm(Relu(H), W_else, B_else);
 * Loop twice: h = tanh(h·W_body); Scan over the rows of H: y = row·W_scan (W_scan outer, read only there).
 */
function nestedModel(): ModelProto {
  const thenBranch: GraphProto = {
    name: 'then',
    node: [node('Constant', [], ['W_then'], { value: w('', 16, 16, 1) }), node('MatMul', ['H', 'W_then'], ['T'], {}, 'then_matmul')],
    output: [valueInfo('T', DataType.FLOAT, [2, 16])],
  };
  const elseBranch: GraphProto = {
    name: 'else',
    node: [node('Relu', ['H'], ['HR']), node('Gemm', ['HR', 'W_else', 'B_else'], ['E'], {}, 'else_gemm')],
    initializer: [w('W_else', 16, 16, 2), f32('B_else', [16], Array.from({ length: 16 }, (_, i) => 0.01 * i))],
    output: [valueInfo('E', DataType.FLOAT, [2, 16])],
  };
  const loopBody: GraphProto = {
    name: 'loop_body',
    input: [valueInfo('i', DataType.INT64, []), valueInfo('c_in', DataType.BOOL, []), valueInfo('h_in', DataType.FLOAT, [2, 16])],
    node: [node('Identity', ['c_in'], ['c_out']), node('MatMul', ['h_in', 'W_body'], ['h_mm'], {}, 'loop_matmul'), node('Tanh', ['h_mm'], ['h_out'])],
    initializer: [w('W_body', 16, 16, 3)],
    output: [valueInfo('c_out', DataType.BOOL, []), valueInfo('h_out', DataType.FLOAT, [2, 16])],
  };
  const scanBody: GraphProto = {
    name: 'scan_body',
    input: [valueInfo('s_in', DataType.FLOAT, [16]), valueInfo('row', DataType.FLOAT, [16])],
    node: [node('Add', ['s_in', 'row'], ['s_out']), node('MatMul', ['s_out', 'W_scan'], ['y'], {}, 'scan_matmul')],
    output: [valueInfo('s_out', DataType.FLOAT, [16]), valueInfo('y', DataType.FLOAT, [16])],
  };
  return model({
    node: [
      node('MatMul', ['X', 'W_main'], ['H'], {}, 'main_matmul'),
      node('If', ['cond'], ['branch'], { then_branch: thenBranch, else_branch: elseBranch }, 'if'),
      node('Loop', ['trips', '', 'H'], ['looped'], { body: loopBody }, 'loop'),
      node('Scan', ['S0', 'H'], ['s_final', 'scanned'], { body: scanBody, num_scan_inputs: 1 }, 'scan'),
    ],
    initializer: [w('W_main', 16, 16, 0), w('W_scan', 16, 16, 4), f32('S0', [16], new Array<number>(16).fill(0)), i64('trips', [], [2])],
    input: [valueInfo('X', DataType.FLOAT, [2, 16]), valueInfo('cond', DataType.BOOL, [])],
    output: [valueInfo('branch', DataType.FLOAT, [2, 16]), valueInfo('looped', DataType.FLOAT, [2, 16]), valueInfo('s_final', DataType.FLOAT, [16]), valueInfo('scanned', DataType.FLOAT, [2, 16])],
  });
}

const sets = (conds: boolean[]): Feeds[] => conds.map((c, s) => ({
  X: { dtype: DataType.FLOAT, dims: [2, 16], data: Float32Array.from({ length: 32 }, (_, i) => Math.cos(i * 0.9 + s)) },
  cond: { dtype: DataType.BOOL, dims: [], data: bool('', c).rawData! },
}));

/** Op types per graph: 'main' and each body by its graph name. */
function opsByGraph(m: ModelProto): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const visit of walkModel(m)) out[visit.graph?.name ?? '?'] = visit.nodes.map((n) => n.opType ?? '').sort();
  return out;
}

async function staticOutcome(original: ModelProto, calibration: Feeds[]): Promise<QuantizeOutcome> {
  const { ranges, skipped } = await calibrate(client, original, calibrationTargets(original, options), calibration, { calibrator: 'minmax', percentile: 99.999 });
  assert.deepEqual(skipped, []);
  return quantizeModel(cloneModel(original), options, { ranges });
}

/** Every float output of `quantized` against `original` on `feeds`: SNR at least `minSnr` dB. */
async function assertClose(label: string, original: ModelProto, quantized: ModelProto, feeds: Feeds[], minSnr: number): Promise<void> {
  const expected = await client.runMany(encodeModel(original), feeds);
  const actual = await client.runMany(encodeModel(quantized), feeds.map((f) => adaptFeeds(f, quantized)));
  const checks = compareRuns(Object.keys(expected[0]), expected, actual, { rtol: 0, atol: 0 });
  assert.ok(checks.length > 0);
  for (const c of checks) {
    assert.equal(c.problem, undefined, `${label}: ${c.name}`);
    if (c.float) assert.ok((c.snrDb ?? 0) >= minSnr, `${label}: ${c.name}: SNR ${c.snrDb} dB`);
  }
}

test('calibration observes values inside If, Loop and Scan bodies', async () => {
  const original = nestedModel();
  const targets = calibrationTargets(original, options);
  assert.deepEqual(targets.sort(), ['E', 'H', 'HR', 'T', 'X', 'h_in', 'h_mm', 's_out', 'y'].sort());
  const copy = cloneModel(original);
  const exposed = exposeValues(copy, targets);
  assert.deepEqual(exposed.skipped, []);
  // Main-graph values are outputs under their own names; body values come out through their node.
  assert.equal(exposed.outputs.get('X'), 'X');
  assert.equal(exposed.outputs.get('H'), 'H');
  const [run] = await client.runMany(encodeModel(copy), sets([true]));
  const ran = await client.runMany(encodeModel(original), sets([true]));
  // The then branch ran: T is observed, E (else) is empty; the Loop stacks both iterations, Scan both rows.
  assert.deepEqual(run[exposed.outputs.get('T')!].dims, [2, 16]);
  assert.deepEqual(run[exposed.outputs.get('E')!].dims, [0]);
  assert.deepEqual(run[exposed.outputs.get('HR')!].dims, [0]);
  assert.deepEqual(run[exposed.outputs.get('h_mm')!].dims, [2, 2, 16]);
  assert.deepEqual(run[exposed.outputs.get('y')!].dims, [2, 16]);
  // The Loop's last h_mm is tanh⁻¹ of the Loop's result: the observed values are the body's real ones.
  const looped = ran[0].looped.data as Float32Array;
  const lastMm = (run[exposed.outputs.get('h_mm')!].data as Float32Array).subarray(32);
  for (let i = 0; i < 32; i++) assert.ok(Math.abs(Math.tanh(lastMm[i]) - looped[i]) < 1e-6);
  assert.deepEqual(run[exposed.outputs.get('y')!].data, ran[0].scanned.data);
});

test('static quantizes MatMul/Gemm in If, Loop and Scan bodies (a Constant-node weight too), close to the original', async () => {
  const original = nestedModel();
  const outcome = await staticOutcome(original, sets([true, false, true, false]));
  assert.equal(outcome.counts.nodes, 5, 'main, then, else, loop and scan');
  assert.equal(outcome.counts.weights, 5);
  assert.equal(outcome.counts.biases, 1, 'B_else');
  const ops = opsByGraph(outcome.model);
  for (const body of ['then', 'else', 'loop_body', 'scan_body']) {
    assert.ok(ops[body].includes('QuantizeLinear') && ops[body].includes('DequantizeLinear'), `${body}: ${ops[body].join(' ')}`);
  }
  // No float weight of rank 2 left at any depth: the Constant W_then became int8 as well.
  for (const visit of walkModel(outcome.model)) {
    for (const t of visit.graph?.initializer ?? []) assert.ok(!(t.dataType === DataType.FLOAT && (t.dims ?? []).length === 2), `${visit.graph?.name}: ${t.name} still float`);
    for (const n of visit.nodes) if (n.opType === 'Constant') assert.notEqual(n.attribute?.[0]?.t?.dataType, DataType.FLOAT, `${visit.graph?.name}: float Constant ${n.output?.[0]}`);
  }
  assert.deepEqual(checkModel(decodeModel(encodeModel(outcome.model))).filter((p) => p.severity === 'error').map((p) => p.message), []);
  await assertClose('nested', original, outcome.model, sets([true, false]), 30);
  assert.ok(!outcome.notes.some((n) => /left in float/.test(n)), outcome.notes.join('\n'));
});

test('a branch no calibration set takes stays float, and the note names its values', async () => {
  const original = nestedModel();
  const outcome = await staticOutcome(original, sets([true, true]));
  assert.equal(outcome.counts.nodes, 4, 'the else Gemm was never run');
  assert.ok(!opsByGraph(outcome.model).else.includes('DequantizeLinear'));
  assert.ok(outcome.notes.includes('1 value(s) had no calibrated range and were left in float (inside a body: no calibration set ran it): HR.'), outcome.notes.join('\n'));
  await assertClose('then only', original, outcome.model, sets([true, false]), 30);
});

/** The fixture's data sets, and more float inputs around them (integer inputs as the sets have them). */
function fixtureSets(dir: string, source: ModelProto): { calibration: Feeds[]; heldOut: Feeds[] } {
  const data = testDataSetDirs(dir).map((d) => readTestDataSet(d, source).inputs);
  const calibration = data.flatMap((set, k) => [1, 2, 3].map((seed) => {
    const generated = generateInputs(source, { seed: seed + 10 * k, dims: {} });
    const out: Feeds = {};
    for (const [name, array] of Object.entries(set)) {
      out[name] = array.data instanceof Float32Array ? { ...generated[name], dims: array.dims, data: Float32Array.from(array.data, (x, i) => x * (0.8 + 0.1 * seed) + 0.01 * Math.sin(i + seed)) } : array;
    }
    return out;
  }));
  return { calibration, heldOut: data };
}

for (const [name, nested] of [['cond_dynamo', 2], ['silero_like_dynamo', 4], ['silero_like_torchscript', 4]] as const) {
  test(`static on ${name}: the nodes inside its If bodies are quantized, verified on its data sets`, async () => {
    const dir = join(fixtures, name);
    const { model: source } = await readModelFile(join(dir, 'model.onnx'));
    const { calibration, heldOut } = fixtureSets(dir, source);
    const outcome = await staticOutcome(source, calibration);
    // Every Conv/MatMul/Gemm inside a body reads its activation and its weight through DequantizeLinear.
    const inBodies = { nodes: 0, quantized: 0 };
    for (const visit of walkModel(outcome.model)) {
      if (visit.path.length === 0) continue;
      const producer = (value: string | undefined) => visit.nodes.find((n) => n.output?.includes(value ?? ''))?.opType;
      for (const n of visit.nodes.filter((x) => ['Conv', 'MatMul', 'Gemm'].includes(x.opType ?? ''))) {
        inBodies.nodes++;
        if (producer(n.input?.[0]) === 'DequantizeLinear' && producer(n.input?.[1]) === 'DequantizeLinear') inBodies.quantized++;
      }
    }
    assert.deepEqual(inBodies, { nodes: nested, quantized: nested }, name);
    assert.deepEqual(checkModel(decodeModel(encodeModel(outcome.model))).filter((p) => p.severity === 'error').map((p) => p.message), []);
    await assertClose(name, source, outcome.model, heldOut, 25);
  });
}

test('a Relu alone after a quantized Conv is folded into its QuantizeLinear (uint8, zero point 0); int8 activations keep it', async () => {
  const dir = join(fixtures, 'cnn_dynamo');
  const { model: source } = await readModelFile(join(dir, 'model.onnx'));
  const { calibration, heldOut } = fixtureSets(dir, source);
  const outcome = await staticOutcome(source, calibration);
  const ops = (m: ModelProto) => (m.graph!.node ?? []).map((n) => n.opType ?? '');
  assert.equal(ops(source).filter((o) => o === 'Relu').length, 2);
  assert.equal(ops(outcome.model).filter((o) => o === 'Relu').length, 0);
  assert.ok(outcome.notes.includes('2 Relu node(s) after a quantized node were folded into its QuantizeLinear (zero point 0 clamps as the Relu did).'), outcome.notes.join('\n'));
  // The Relus' outputs are now DequantizeLinear outputs of a uint8 pair with zero point 0.
  for (const relu of source.graph!.node!.filter((n) => n.opType === 'Relu')) {
    const dq = outcome.model.graph!.node!.find((n) => n.output![0] === relu.output![0])!;
    assert.equal(dq.opType, 'DequantizeLinear');
    const zp = outcome.model.graph!.initializer!.find((t) => t.name === dq.input![2])!;
    assert.equal(zp.dataType, DataType.UINT8);
    assert.deepEqual([...(zp.rawData ?? [])], [0]);
  }
  assert.deepEqual(checkModel(decodeModel(encodeModel(outcome.model))).filter((p) => p.severity === 'error').map((p) => p.message), []);
  await assertClose('relu folded', source, outcome.model, heldOut, 30);
  const symmetric = quantizeModel(cloneModel(source), { ...options, symmetric: true }, { ranges: (await calibrate(client, source, calibrationTargets(source, options), calibration, { calibrator: 'minmax', percentile: 99.999 })).ranges });
  assert.equal(ops(symmetric.model).filter((o) => o === 'Relu').length, 2, 'int8 activations: zero point 0 does not clamp');
});
