// Dynamic quantization coverage beyond MatMul/Gemm/Conv: LSTM/GRU W and R weights (DequantizeLinear
// feeding the node, standard ops only) and a weight tied between an embedding Gather and the vocabulary
// head (quantized once). Every result runs in onnxruntime within the int8 budget of the original on the
// same inputs, shrinks, and passes our checker and Debian's onnx.checker.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, type ModelProto } from '../../../src/core/model/proto.js';
import { tensorDims } from '../../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { compareRuns, type Feeds } from '../../../src/core/transforms/compareRuns.js';
import { resolveOptions, type QuantizeOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel, type QuantizeOutcome } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { recurrentModel, tiedEmbeddingModel } from '../../helpers/recurrentModels.js';
import { tempDir } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const dir = tempDir('onnx-lens-quantize-coverage-');
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'exported');

const dynamic = (o: Partial<QuantizeOptions> = {}) => resolveOptions({ mode: 'dynamic', ...o });

/** Quantized weights against their float32 bytes, as generated.test.ts measures them. */
function quantizedRatio(outcome: QuantizeOutcome): number {
  const untouched = outcome.weightBytesBefore - outcome.quantizedWeightBytes;
  return outcome.quantizedWeightBytes / (outcome.weightBytesAfter - untouched);
}

async function assertRunsClose(label: string, original: ModelProto, result: ModelProto, sets: Feeds[], minCosine = 0.99): Promise<void> {
  const e = await client.runMany(encodeModel(original), sets);
  const a = await client.runMany(encodeModel(result), sets);
  const checks = compareRuns(Object.keys(e[0]), e, a, { rtol: 0, atol: 0 });
  assert.ok(checks.length > 0);
  for (const c of checks) {
    assert.equal(c.problem, undefined, `${label}: ${c.name}: ${c.problem}`);
    assert.ok(c.cosine >= minCosine, `${label}: ${c.name}: cosine ${c.cosine}`);
    assert.ok(c.maxAbsError > 0, `${label}: ${c.name} is bit-identical: nothing was quantized`);
  }
}

function assertValid(label: string, m: ModelProto): void {
  const errors = checkModel(decodeModel(encodeModel(m))).filter((p) => p.severity === 'error');
  assert.deepEqual(errors.map((p) => p.message), [], `${label}: our checker`);
  const path = join(dir, `${label.replace(/[^a-z0-9]+/gi, '-')}.onnx`);
  writeFileSync(path, encodeModel(m));
  assert.equal(onnxCheck(path), '', `${label}: onnx.checker`);
}

const ops = (m: ModelProto) => (m.graph!.node ?? []).map((n) => n.opType);

test('LSTM and GRU W and R become int8 behind DequantizeLinear (standard ops), in both formats and granularities', async () => {
  for (const bidirectional of [false, true]) {
    const original = recurrentModel({ bidirectional });
    const sets = [0, 1].map((seed) => generateInputs(original, { seed }));
    // Per channel is the default in dynamic mode; both formats are also run per tensor.
    for (const o of [{ perChannel: false }, { format: 'qdq' as const, perChannel: false }, {}]) {
      const perChannel = o.perChannel ?? true;
      const label = `recurrent bidirectional=${bidirectional} ${JSON.stringify(o)}`;
      const outcome = quantizeModel(decodeModel(encodeModel(original)), dynamic(o));
      assert.equal(outcome.counts['LSTM/GRU/RNN'], 2, label);
      assert.deepEqual(outcome.tensors.filter((t) => t.op === 'LSTM' || t.op === 'GRU').map((t) => t.tensor).sort(), ['gru_R', 'gru_W', 'lstm_R', 'lstm_W'], label);
      const lstm = outcome.model.graph!.node!.find((n) => n.opType === 'LSTM')!;
      for (const slot of [1, 2]) {
        const producer = outcome.model.graph!.node!.find((n) => n.output?.includes(lstm.input![slot]));
        assert.equal(producer?.opType, 'DequantizeLinear', `${label}: LSTM input ${slot}`);
      }
      // Biases, peepholes and the initial state stay float32 inputs of the node.
      for (const name of ['lstm_B', 'lstm_P', 'lstm_h0', 'gru_B']) assert.ok(outcome.model.graph!.initializer!.some((t) => t.name === name && t.dataType === DataType.FLOAT), `${label}: ${name}`);
      assert.ok(!ops(outcome.model).some((op) => op === 'DynamicQuantizeLSTM'), 'no contrib op');
      assert.ok((outcome.model.graph!.node ?? []).every((n) => !n.domain), 'standard domain only');
      const granularity = outcome.tensors.find((t) => t.tensor === 'lstm_W')!.granularity;
      assert.equal(granularity, perChannel && !bidirectional ? 'per channel (axis 1)' : 'per tensor', label);
      assert.ok(quantizedRatio(outcome) >= (perChannel ? 3.2 : 3.9), `${label}: ${quantizedRatio(outcome).toFixed(2)}x`);
      assertValid(label, outcome.model);
      await assertRunsClose(label, original, outcome.model, sets);
    }
  }
});

test('the torchscript LSTM fixture shrinks about 3x as a whole, and matches on its data sets', async () => {
  const fixture = join(fixtures, 'lstm_torchscript');
  const original = decodeModel(readFileSync(join(fixture, 'model.onnx')));
  const sets = testDataSetDirs(fixture).map((d) => readTestDataSet(d, original).inputs);
  // W, R and the head are int8; the LSTM bias (128 floats) and the head's bias stay float32. Per tensor
  // about 3x; per channel (the default) adds a scale and zero point per gate row of these small matrices.
  for (const [o, least] of [[{ perChannel: false }, 3], [{}, 2.4]] as const) {
    const outcome = quantizeModel(decodeModel(encodeModel(original)), dynamic(o));
    assert.equal(outcome.counts['LSTM/GRU/RNN'], 1);
    assert.equal(outcome.counts.MatMul, 1);
    const ratio = outcome.weightBytesBefore / outcome.weightBytesAfter;
    assert.ok(ratio >= least, `${JSON.stringify(o)}: weights ${ratio.toFixed(2)}x smaller`);
    assertValid('lstm fixture', outcome.model);
    await assertRunsClose('lstm fixture', original, outcome.model, sets);
  }
});

/** ids spread over the whole vocabulary. */
function tiedSets(m: ModelProto, vocab: number): Feeds[] {
  const dims = m.graph!.input![0].type!.tensorType!.shape!.dim!.length === 1 ? [6] : [2, 3];
  return [1, 2].map((seed) => ({ ids: { dtype: DataType.INT64, dims, data: BigInt64Array.from({ length: 6 }, (_, i) => BigInt((i * 41 * seed + 7) % vocab)) } }));
}

test('a weight tied between an embedding Gather and the vocabulary head is quantized once', async () => {
  const vocab = 256, width = 64;
  for (const head of ['transpose', 'gemm'] as const) {
    const original = tiedEmbeddingModel({ vocab, width, head });
    for (const o of [{ perChannel: false }, { format: 'qdq' as const }, {}]) {
      const label = `tied ${head} ${JSON.stringify(o)}`;
      const outcome = quantizeModel(decodeModel(encodeModel(original)), dynamic(o));
      const g = outcome.model.graph!;
      // One int8 table [vocab, width], no float one left, and no Transpose of the float table.
      const tables = g.initializer!.filter((t) => tensorDims(t).join() === `${vocab},${width}`);
      assert.deepEqual(tables.map((t) => t.dataType), [DataType.INT8], `${label}: ${tables.map((t) => `${t.name}:${t.dataType}`).join(' ')}`);
      assert.ok(!g.node!.some((n) => n.opType === 'Transpose' && n.input![0] === 'wte'), `${label}: Transpose of the float table left`);
      assert.equal(outcome.counts.Gather, 1, label);
      assert.equal(outcome.counts.MatMul + outcome.counts.Gemm, 2, label);
      assert.equal(outcome.tensors.filter((t) => t.tensor === 'wte').length, 1, `${label}: wte recorded once`);
      // Everything quantized is int8: about 4x (per tensor; W_mlp per channel adds its scales).
      const ratio = outcome.weightBytesBefore / outcome.weightBytesAfter;
      assert.ok(ratio >= 3.8, `${label}: weights ${ratio.toFixed(2)}x smaller`);
      if (o.perChannel ?? true) assert.match(outcome.notes.join(' '), /share their weight with an embedding Gather: quantized once, per tensor/, label);
      assertValid(label, outcome.model);
      await assertRunsClose(label, original, outcome.model, tiedSets(original, vocab));
    }
  }
});

test('a MatMul through a Transpose of its own weight (no Gather) is quantized per channel of the weight\'s rows', async () => {
  const original = tiedEmbeddingModel({ vocab: 128, width: 64 });
  // Untie: the embedding reads a copy, so the head's weight is its own.
  const g = original.graph!;
  g.initializer!.push({ ...g.initializer![0], name: 'wte_embed' });
  g.node![0].input![0] = 'wte_embed';
  const outcome = quantizeModel(decodeModel(encodeModel(original)), dynamic({ perChannel: true }));
  const head = outcome.tensors.find((t) => t.tensor === 'wte')!;
  assert.equal(head.granularity, 'per channel (axis 0)');
  assert.equal(head.groups, 128);
  assert.doesNotMatch(outcome.notes.join(' '), /share their weight/);
  assertValid('untied transpose', outcome.model);
  await assertRunsClose('untied transpose', original, outcome.model, tiedSets(original, 128));
});
