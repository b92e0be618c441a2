// Weight-only quantization of a tied head (GPT-2 style: the embedding table wte is read by a Gather and,
// transposed, by the vocabulary head). Blocked DequantizeLinear: wte is quantized once and one
// DequantizeLinear feeds both the Gather and the head's Transpose (or a transB Gemm). MatMulNBits: the
// head gets its packed copy and the Gather an int8 one, as MatMulNBits' layout serves no Gather. Either
// way no float table is left and the file shrinks accordingly; the result runs close in onnxruntime.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, type ModelProto } from '../../../src/core/model/proto.js';
import { tensorDims } from '../../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareRuns, type Feeds } from '../../../src/core/transforms/compareRuns.js';
import { resolveOptions, type QuantizeOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { tiedEmbeddingModel } from '../../helpers/recurrentModels.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const vocab = 256, width = 64;
const weightOnly = (o: Partial<QuantizeOptions>) => resolveOptions({ mode: 'weight-only', ...o });

/** ids spread over the whole vocabulary. */
function sets(m: ModelProto): Feeds[] {
  const dims = m.graph!.input![0].type!.tensorType!.shape!.dim!.length === 1 ? [6] : [2, 3];
  return [1, 2].map((seed) => ({ ids: { dtype: DataType.INT64, dims, data: BigInt64Array.from({ length: 6 }, (_, i) => BigInt((i * 41 * seed + 7) % vocab)) } }));
}

async function assertRunsClose(label: string, original: ModelProto, quantized: ModelProto, minSnr: number): Promise<void> {
  const feeds = sets(original);
  const expected = await client.runMany(encodeModel(original), feeds);
  const actual = await client.runMany(encodeModel(quantized), feeds);
  const [c] = compareRuns(['logits'], expected, actual, { rtol: 0, atol: 0 });
  assert.equal(c.problem, undefined, label);
  assert.ok((c.snrDb ?? 0) >= minSnr, `${label}: SNR ${c.snrDb} dB`);
}

function errors(m: ModelProto): string[] {
  return checkModel(decodeModel(encodeModel(m))).filter((p) => p.severity === 'error').map((p) => p.message);
}

/** Tensors of wte's shape [vocab, width] by element type. */
function tables(m: ModelProto): number[] {
  return (m.graph!.initializer ?? []).filter((t) => tensorDims(t).join() === `${vocab},${width}`).map((t) => t.dataType ?? 0);
}

/** Bytes of 4-bit or 8-bit codes plus float scales, blocks of 32 along K: the sizes weight-only writes. */
const blocked = (elements: number, bits: number) => (elements * bits) / 8 + (elements / 32) * 4;

test('blocked DequantizeLinear: a tied table is quantized once and one DequantizeLinear feeds the Gather and the head', async () => {
  for (const head of ['transpose', 'gemm'] as const) {
    for (const bits of [4, 8] as const) {
      const label = `${head} int${bits}`;
      const original = tiedEmbeddingModel({ vocab, width, head });
      const outcome = quantizeModel(decodeModel(encodeModel(original)), weightOnly({ bits, format: 'qdq' }));
      const g = outcome.model.graph!;
      assert.deepEqual(tables(outcome.model), [bits === 4 ? DataType.INT4 : DataType.INT8], label);
      assert.equal(outcome.tensors.filter((t) => t.tensor === 'wte').length, 1, `${label}: wte quantized once`);
      const dq = g.node!.filter((n) => n.opType === 'DequantizeLinear' && n.input![0] === 'wte_quantized');
      assert.equal(dq.length, 1, label);
      const readers = g.node!.filter((n) => n.input!.includes(dq[0].output![0])).map((n) => n.opType).sort();
      assert.deepEqual(readers, head === 'transpose' ? ['Gather', 'Transpose'] : ['Gather', 'Gemm'], label);
      // Everything is codes and scales now: wte and W_mlp, blocks of 32 along K.
      assert.equal(outcome.weightBytesBefore, (vocab * width + width * width) * 4, label);
      assert.equal(outcome.weightBytesAfter, blocked(vocab * width, bits) + blocked(width * width, bits), label);
      assert.match(outcome.notes.join(' '), /1 weight\(s\) shared by an embedding Gather and a MatMul\/Gemm head: quantized once/, label);
      assert.deepEqual(errors(outcome.model), [], label);
      await assertRunsClose(label, original, outcome.model, bits === 4 ? 15 : 35);
    }
  }
});

test('MatMulNBits: the tied head gets its packed copy, the Gather an int8 one, and no float table is left', async () => {
  for (const bits of [4, 8] as const) {
    const label = `matmulnbits int${bits}`;
    const original = tiedEmbeddingModel({ vocab, width, head: 'transpose' });
    const outcome = quantizeModel(decodeModel(encodeModel(original)), weightOnly({ bits, format: 'matmulnbits' }));
    const g = outcome.model.graph!;
    assert.equal(outcome.counts.MatMulNBits, 2, label);
    assert.deepEqual(tables(outcome.model), [DataType.INT8], `${label}: the Gather's int8 table`);
    assert.ok(!g.node!.some((n) => n.opType === 'Transpose' || n.opType === 'MatMul'), `${label}: ${g.node!.map((n) => n.opType).join(' ')}`);
    assert.deepEqual(outcome.tensors.filter((t) => t.tensor === 'wte').map((t) => t.op).sort(), ['Gather', 'MatMulNBits'], label);
    // Packed codes and scales of both MatMulNBits weights, and the int8 table with one scale and zero point.
    assert.equal(outcome.weightBytesAfter, blocked(vocab * width, bits) + blocked(width * width, bits) + vocab * width + 4 + 1, label);
    assert.match(outcome.notes.join(' '), /the head has its packed copy, the Gather an int8 one/, label);
    assert.deepEqual(errors(outcome.model), [], label);
    await assertRunsClose(label, original, outcome.model, bits === 4 ? 15 : 35);
  }
});

test('a table another float node still reads stays float for the Gather as well', async () => {
  const original = tiedEmbeddingModel({ vocab, width, head: 'gemm' });
  // MatMulNBits replaces MatMul only: the transB Gemm head keeps the float table, and so does the Gather.
  const outcome = quantizeModel(decodeModel(encodeModel(original)), weightOnly({ bits: 4, format: 'matmulnbits' }));
  assert.deepEqual(tables(outcome.model), [DataType.FLOAT]);
  assert.equal(outcome.model.graph!.node!.find((n) => n.opType === 'Gather')!.input![0], 'wte');
  assert.match(outcome.notes.join(' '), /1 Gemm node\(s\) stay in float/);
  await assertRunsClose('gemm head, matmulnbits', original, outcome.model, 15);
});
