// The weights' kernels on worker threads (kernelPool.ts) give the same file as the main thread alone, byte
// for byte, in every mode that uses them, whether the model's bytes are shared memory (read into a
// SharedArrayBuffer, as the bench probe does) or an ordinary buffer (copied to the workers). Models are the
// bench generators' at sizes above the pool's threshold, so the pool really runs (kernelThreads says so).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCnn, generateMlp, generateTransformer } from '../../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { minPoolBytes } from '../../../src/core/transforms/quantize/kernelPool.js';
import { resolveOptions, type QuantizeOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeModel, quantizeModelAsync } from '../../../src/core/transforms/quantize/quantizeModel.js';

const models: Record<string, () => ModelProto> = {
  // About 8 MB of MatMul weights and a 2 MB embedding table.
  transformer: () => generateTransformer({ layers: 2, hidden: 256, heads: 4, vocab: 2000, maxPositions: 32 }),
  // Conv weights, about 9 MB.
  cnn: () => generateCnn({ blocks: [1, 1], channels: 128, imageSize: 16, classes: 10 }),
  // Gemm with transB = 1, about 6 MB.
  mlp: () => generateMlp({ inputs: 1024, hidden: [1024, 512], outputs: 10 }),
};

const cases: Array<{ model: string; options: Partial<QuantizeOptions> & { mode: QuantizeOptions['mode'] } }> = [
  { model: 'transformer', options: { mode: 'dynamic' } },
  { model: 'transformer', options: { mode: 'dynamic', format: 'qdq', perChannel: false } },
  { model: 'transformer', options: { mode: 'weight-only', bits: 4, format: 'matmulnbits' } },
  { model: 'transformer', options: { mode: 'weight-only', bits: 4, format: 'matmulnbits', symmetric: false } },
  { model: 'transformer', options: { mode: 'weight-only', bits: 8, format: 'qdq' } },
  { model: 'transformer', options: { mode: 'weight-only', bits: 4, format: 'qdq', symmetric: false, blockSize: 64 } },
  { model: 'cnn', options: { mode: 'dynamic' } },
  { model: 'cnn', options: { mode: 'dynamic', perChannel: false } },
  { model: 'mlp', options: { mode: 'dynamic' } },
  { model: 'mlp', options: { mode: 'dynamic', format: 'qdq' } },
  { model: 'mlp', options: { mode: 'weight-only', bits: 8, format: 'qdq' } },
];

/** The model's bytes in shared memory, as a file read into a SharedArrayBuffer gives them. */
function shared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

const encoded = new Map<string, Uint8Array>();
function source(name: string): Uint8Array {
  let bytes = encoded.get(name);
  if (!bytes) encoded.set(name, bytes = encodeModel(models[name]()));
  return bytes;
}

for (const c of cases) {
  const label = `${c.model}, ${Object.entries(c.options).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`;
  test(`worker threads write the same bytes as one thread: ${label}`, async () => {
    const options = resolveOptions(c.options);
    const bytes = source(c.model);
    const alone = quantizeModel(decodeModel(bytes), options);
    assert.ok(alone.quantizedWeightBytes >= minPoolBytes, `${alone.quantizedWeightBytes} bytes of weights: too few for the pool`);
    assert.equal(alone.kernelThreads, 1);
    const expected = encodeModel(alone.model);
    for (const [how, input] of [['shared memory', shared(bytes)], ['an ordinary buffer', Buffer.from(bytes)]] as const) {
      const pooled = await quantizeModelAsync(decodeModel(input), options, { threads: 2 });
      assert.equal(pooled.kernelThreads, 2, `${how}: the pool did not run`);
      const actual = encodeModel(pooled.model);
      assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${how}: ${actual.length} bytes differ from the one-thread ${expected.length}`);
      assert.deepEqual(pooled.tensors, alone.tensors);
      // The ordinary buffer's bytes were copied to the workers, never handed over: the source still reads.
      assert.equal(input.byteLength, bytes.length);
    }
    const single = await quantizeModelAsync(decodeModel(bytes), options, { threads: 1 });
    assert.equal(single.kernelThreads, 1);
    assert.ok(Buffer.from(encodeModel(single.model)).equals(Buffer.from(expected)));
  });
}

test('small models stay on the calling thread', async () => {
  const model = generateTransformer({ layers: 1, hidden: 32, heads: 2, vocab: 50, maxPositions: 8 });
  const outcome = await quantizeModelAsync(model, resolveOptions({ mode: 'dynamic' }), { threads: 4 });
  assert.ok(outcome.quantizedWeightBytes < minPoolBytes);
  assert.equal(outcome.kernelThreads, 1);
});

test('cancelling stops the pool with a one-line error', async () => {
  const controller = new AbortController();
  const pending = quantizeModelAsync(decodeModel(source('transformer')), resolveOptions({ mode: 'weight-only', bits: 4 }), { threads: 2, signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, /Quantization was cancelled\./);
});
