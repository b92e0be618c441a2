// Graph-level behaviour of the rewrites: exclusions, shared weights quantized once, Constant-node
// weights, external data, the MatMulNBits fallback when the opset cannot be raised, float16 fencing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateCnn, generateMlp, generateTransformer, writeExternalDataModel } from '../../../bench/generate/index.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx, toLong, type ModelProto } from '../../../src/core/model/proto.js';
import { arrayToTensor, tensorToArray } from '../../../src/core/model/tensorValues.js';
import { quantizeTensor } from '../../../src/core/transforms/quantize/arithmetic.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import { adaptFeeds, compareRuns } from '../../../src/core/transforms/compareRuns.js';
import { resolveOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeTransform } from '../../../src/core/transforms/quantize/quantizeTransform.js';
import { transformFile } from '../../../src/core/transforms/transformFile.js';
import { quantizeModel, quantizeModelAsync } from '../../../src/core/transforms/quantize/quantizeModel.js';
import { linearModel, tempDir, tensorInfo } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';
import { f32, i64, model, node, valueInfo } from '../transforms/foldModels.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const dir = tempDir('onnx-lens-quantize-rewrites-');

const ops = (m: ModelProto) => (m.graph!.node ?? []).map((n) => n.opType);
const count = (m: ModelProto, op: string) => ops(m).filter((o) => o === op).length;

async function cosine(original: ModelProto, quantized: ModelProto): Promise<number> {
  const feeds = generateInputs(original, { seed: 3, dims: { batch_size: 2, sequence_length: 4 } });
  const [e] = await client.runMany(encodeModel(original), [feeds]);
  const [a] = await client.runMany(encodeModel(quantized), [adaptFeeds(feeds, quantized)]);
  // Float outputs only: integer outputs (TopK indices) have no cosine.
  return Math.min(...compareRuns(Object.keys(e), [e], [a], { rtol: 0, atol: 0 }).filter((x) => x.float).map((x) => x.cosine));
}

test('exclusions by op type and by node name leave those nodes in float', () => {
  const cnn = generateCnn({ blocks: [1, 1], channels: 8, imageSize: 16 });
  const convs = count(cnn, 'Conv');
  const byOp = quantizeModel(decodeModel(encodeModel(cnn)), resolveOptions({ mode: 'dynamic', exclude: ['Conv'] }));
  assert.equal(byOp.counts.Conv, 0);
  assert.equal(byOp.counts.Gemm, 1);
  assert.equal(count(byOp.model, 'Conv'), convs);
  const firstConv = cnn.graph!.node!.find((n) => n.opType === 'Conv')!.name!;
  const byName = quantizeModel(decodeModel(encodeModel(cnn)), resolveOptions({ mode: 'dynamic', exclude: [firstConv] }));
  assert.equal(byName.counts.Conv, convs - 1);
  assert.ok(byName.model.graph!.node!.some((n) => n.name === firstConv && n.opType === 'Conv'));
  assert.ok(!byName.tensors.some((t) => t.node === firstConv));
});

test('a weight shared by two MatMuls is quantized once; Constant-node weights are quantized too', async () => {
  const w = arrayToTensor('W', { dtype: DataType.FLOAT, dims: [32, 16], data: Float32Array.from({ length: 512 }, (_, i) => Math.cos(i)) });
  const model = new onnx.ModelProto({
    irVersion: toLong(8), opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'shared',
      node: [
        { opType: 'Constant', name: 'c', output: ['W2'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { ...w, name: '' } }] },
        { opType: 'MatMul', name: 'a', input: ['X', 'W'], output: ['A'] },
        { opType: 'MatMul', name: 'b', input: ['X', 'W'], output: ['B'] },
        { opType: 'MatMul', name: 'c2', input: ['X', 'W2'], output: ['C'] },
        { opType: 'Sum', name: 's', input: ['A', 'B', 'C'], output: ['Y'] },
      ],
      initializer: [w],
      input: [tensorInfo('X', DataType.FLOAT, [3, 32])],
      output: [tensorInfo('Y', DataType.FLOAT, [3, 16])],
    },
  });
  for (const options of [resolveOptions({ mode: 'weight-only', bits: 4 }), resolveOptions({ mode: 'dynamic' }), resolveOptions({ mode: 'weight-only', bits: 4, format: 'matmulnbits' })]) {
    const outcome = quantizeModel(decodeModel(encodeModel(model)), options);
    assert.equal(outcome.tensors.length, 2, `${options.mode}/${options.format}: W once, W2 once`);
    assert.ok(!outcome.model.graph!.initializer!.some((t) => t.name === 'W'), 'float W removed');
    assert.equal(count(outcome.model, 'Constant'), 0, 'float Constant removed');
    assert.ok(await cosine(model, outcome.model) >= 0.95);
  }
});

test('weights in an external data file are read and the result is written with its own data', async () => {
  const { modelPath } = writeExternalDataModel(join(dir, 'ext'), { layers: 2, width: 64 });
  const output = join(dir, 'ext', 'model.int8.onnx');
  const run = await transformFile(quantizeTransform, { input: modelPath, output, options: { quantize: resolveOptions({ mode: 'dynamic' }), latency: { warmup: 0, iterations: 0 } }, client });
  assert.ok(run.report.verification?.pass, JSON.stringify(run.report.details.accuracy));
  assert.ok(existsSync(output));
  assert.ok(run.report.details.tensors.length >= 2);
  assert.ok(run.report.fileBytesAfter! < run.report.fileBytesBefore!);
});

test('weight-only falls back to MatMulNBits when the opset converter cannot raise the model to 21, and says why', async () => {
  // Scan changed from batched to unbatched scanning at opset 9: the converter refuses to rewrite it.
  const w = arrayToTensor('W', { dtype: DataType.FLOAT, dims: [64, 64], data: Float32Array.from({ length: 4096 }, (_, i) => 0.05 * Math.sin(i * 0.1)) });
  const body = {
    name: 'body',
    node: [{ opType: 'Add', name: 'acc', input: ['s', 'x'], output: ['s_out'] }, { opType: 'Identity', name: 'pass', input: ['x'], output: ['y'] }],
    input: [tensorInfo('s', DataType.FLOAT, [64]), tensorInfo('x', DataType.FLOAT, [64])],
    output: [tensorInfo('s_out', DataType.FLOAT, [64]), tensorInfo('y', DataType.FLOAT, [64])],
  };
  const model = new onnx.ModelProto({
    irVersion: toLong(3), opsetImport: [{ domain: '', version: toLong(8) }],
    graph: {
      name: 'old',
      node: [
        { opType: 'MatMul', name: 'mm', input: ['X', 'W'], output: ['H'] },
        {
          opType: 'Scan', name: 'scan', input: ['', 'S0', 'H'], output: ['S', 'Y'],
          attribute: [
            { name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body },
            { name: 'num_scan_inputs', type: onnx.AttributeProto.AttributeType.INT, i: toLong(1) },
          ],
        },
      ],
      initializer: [w],
      input: [tensorInfo('X', DataType.FLOAT, [2, 3, 64]), tensorInfo('S0', DataType.FLOAT, [2, 64])],
      output: [tensorInfo('S', DataType.FLOAT, [2, 64]), tensorInfo('Y', DataType.FLOAT, [2, 3, 64])],
    },
  });
  const outcome = quantizeModel(decodeModel(encodeModel(model)), resolveOptions({ mode: 'weight-only', bits: 4 }));
  assert.equal(outcome.format, 'matmulnbits');
  assert.equal(defaultOpset(outcome.model), 8);
  assert.equal(count(outcome.model, 'MatMulNBits'), 1);
  assert.match(outcome.notes.join(' '), /MatMulNBits: blocked DequantizeLinear needs opset 21 and cannot convert the model from opset 8 to 21: node 'scan' \(Scan\), opset 8 → 9: Scan changed from batched to unbatched scanning/);
  assert.ok(await cosine(model, outcome.model) >= 0.95);
});

test('weight-only raises a Softmax over several axes to 21 through the opset converter (its old coerced-2D meaning kept)', async () => {
  // Softmax over axis 1 of a rank-3 input at opset 11 means "flatten from axis 1"; the quantizer's own
  // upgrade refused it, the converter writes it so that it means the same at opset 13 and later.
  const w = arrayToTensor('W', { dtype: DataType.FLOAT, dims: [64, 64], data: Float32Array.from({ length: 4096 }, (_, i) => 0.05 * Math.sin(i * 0.1)) });
  const model = new onnx.ModelProto({
    irVersion: toLong(6), opsetImport: [{ domain: '', version: toLong(11) }],
    graph: {
      name: 'old',
      node: [{ opType: 'MatMul', name: 'mm', input: ['X', 'W'], output: ['H'] }, { opType: 'Softmax', name: 'sm', input: ['H'], output: ['Y'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: toLong(1) }] }],
      initializer: [w],
      input: [tensorInfo('X', DataType.FLOAT, [2, 3, 64])],
      output: [tensorInfo('Y', DataType.FLOAT, [2, 3, 64])],
      valueInfo: [tensorInfo('H', DataType.FLOAT, [2, 3, 64])],
    },
  });
  for (const axis of [1, 2]) {
    const source = decodeModel(encodeModel(model));
    source.graph!.node![1].attribute![0].i = toLong(axis);
    const raised = quantizeModel(decodeModel(encodeModel(source)), resolveOptions({ mode: 'weight-only', bits: 4 }));
    assert.equal(raised.format, 'qdq', `axis ${axis}`);
    assert.equal(defaultOpset(raised.model), 21);
    assert.match(raised.notes.join(' '), /The default opset was raised from 11 to 21/);
    assert.ok(await cosine(source, raised.model) >= 0.95, `axis ${axis}`);
  }
});

test('float16 keeps blocked ops in float32 behind Casts; float32 I/O by default, float16 I/O on request', async () => {
  const base = generateTransformer({ layers: 1, hidden: 32, heads: 2, vocab: 50, maxPositions: 16 });
  // A TopK over the logits: indices must not change with half precision.
  const g = base.graph!;
  const logits = g.output![0].name!;
  g.node!.push({ opType: 'TopK', name: 'topk', input: [logits, 'k'], output: ['top_values', 'top_indices'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: toLong(-1) }] });
  g.initializer!.push(arrayToTensor('k', { dtype: DataType.INT64, dims: [1], data: BigInt64Array.of(3n) }));
  g.output!.push(tensorInfo('top_indices', DataType.INT64, ['batch_size', 'sequence_length', 3]));
  const kept = quantizeModel(decodeModel(encodeModel(base)), resolveOptions({ mode: 'fp16' }));
  const topk = kept.model.graph!.node!.find((n) => n.opType === 'TopK')!;
  const castIn = kept.model.graph!.node!.find((n) => n.output?.[0] === topk.input![0])!;
  assert.equal(castIn.opType, 'Cast', 'TopK reads a Cast back to float32');
  assert.equal(kept.model.graph!.input![0].type!.tensorType!.elemType, DataType.INT64);
  assert.equal(kept.model.graph!.output![0].type!.tensorType!.elemType, DataType.FLOAT);
  assert.ok(kept.counts.keptFloat32 >= 1);
  assert.ok(await cosine(base, kept.model) >= 0.999);
  const halfIo = quantizeModel(decodeModel(encodeModel(base)), resolveOptions({ mode: 'fp16', keepIoFp32: false }));
  assert.equal(halfIo.model.graph!.output![0].type!.tensorType!.elemType, DataType.FLOAT16);
  assert.ok(await cosine(base, halfIo.model) >= 0.999);
  const input = join(dir, 'base.onnx');
  writeFileSync(input, encodeModel(base));
  const written = join(dir, 'half.onnx');
  const run = await transformFile(quantizeTransform, { input, output: written, options: { quantize: resolveOptions({ mode: 'fp16', keepIoFp32: false }), latency: { warmup: 0, iterations: 0 } }, client });
  assert.ok(run.report.verification?.pass, JSON.stringify(run.report.details.accuracy));
  assert.ok(run.report.details.weightRatio >= 1.9, `float16 weights ${run.report.details.weightRatio}x smaller`);
  assert.ok(readFileSync(written).length < encodeModel(base).length);
});

test('the async pass (used by the command) gives the same result as the sync one and stops when cancelled', async () => {
  const model = generateTransformer({ layers: 2, hidden: 256, heads: 4, vocab: 1000 });
  const bytes = encodeModel(model);
  const outcome = await quantizeModelAsync(decodeModel(bytes), resolveOptions({ mode: 'weight-only', bits: 4 }));
  assert.ok(outcome.counts.MatMul > 0);
  const sync = quantizeModel(decodeModel(bytes), resolveOptions({ mode: 'weight-only', bits: 4 }));
  assert.deepEqual(outcome.counts, sync.counts);
  assert.deepEqual(outcome.tensors, sync.tensors);
  assert.deepEqual(encodeModel(outcome.model), encodeModel(sync.model));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(quantizeModelAsync(decodeModel(bytes), resolveOptions({ mode: 'dynamic' }), { signal: controller.signal }), /cancelled/);
});

test('weight-only covers Gemm (blocks along its K axis, transB or not) in the qdq format; MatMulNBits says why it cannot', () => {
  const mlp = generateMlp({ inputs: 64, hidden: [64], outputs: 8 });
  const outcome = quantizeModel(decodeModel(encodeModel(mlp)), resolveOptions({ mode: 'weight-only', bits: 4 }));
  assert.equal(outcome.counts.Gemm, 2);
  const dq = outcome.model.graph!.node!.filter((n) => n.opType === 'DequantizeLinear');
  // The exporter writes Linear as Gemm(transB = 1): weight [N, K], so K is axis 1.
  assert.ok(dq.length === 2 && dq.every((n) => n.attribute!.some((a) => a.name === 'axis' && Number(a.i) === 1)));
  assert.throws(() => quantizeModel(decodeModel(encodeModel(mlp)), resolveOptions({ mode: 'weight-only', format: 'matmulnbits' })), /MatMulNBits replaces MatMul only: use the qdq format/);
});

test('a weight that an excluded node inside a subgraph still captures is kept', async () => {
  const w = arrayToTensor('W', { dtype: DataType.FLOAT, dims: [32, 32], data: Float32Array.from({ length: 1024 }, (_, i) => 0.1 * Math.sin(i)) });
  const branch = (name: string, op: string) => ({ name, node: [{ opType: op, name: `${name}_mm`, input: op === 'MatMul' ? ['H', 'W'] : ['H'], output: [`${name}_out`] }], output: [tensorInfo(`${name}_out`, DataType.FLOAT, [2, 32])] });
  const model = new onnx.ModelProto({
    irVersion: toLong(8), opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'nested',
      node: [
        { opType: 'MatMul', name: 'top', input: ['X', 'W'], output: ['H'] },
        { opType: 'If', name: 'if', input: ['cond'], output: ['Y'], attribute: [
          { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('then', 'MatMul') },
          { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('else', 'Relu') },
        ] },
      ],
      initializer: [w],
      input: [tensorInfo('X', DataType.FLOAT, [2, 32]), tensorInfo('cond', DataType.BOOL, [])],
      output: [tensorInfo('Y', DataType.FLOAT, [2, 32])],
    },
  });
  const outcome = quantizeModel(decodeModel(encodeModel(model)), resolveOptions({ mode: 'dynamic', exclude: ['then_mm'] }));
  assert.equal(outcome.counts.MatMul, 1);
  assert.ok(outcome.model.graph!.initializer!.some((t) => t.name === 'W'), 'the float W stays for the branch');
  const feeds = { X: { dtype: DataType.FLOAT, dims: [2, 32], data: Float32Array.from({ length: 64 }, (_, i) => Math.cos(i)) }, cond: { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(1) } };
  const [e] = await client.runMany(encodeModel(model), [feeds]);
  const [a] = await client.runMany(encodeModel(outcome.model), [feeds]);
  assert.ok(compareRuns(Object.keys(e), [e], [a], { rtol: 0, atol: 0 })[0].cosine >= 0.99);
});

test('MatMulNBits B, scales and zero points hold exactly the block-wise codes of W, transposed, across chunk edges and a partial last block', () => {
  // K = 71: blocks of 32, 32 and a partial 7 (odd, so the last byte of a 4-bit blob is half pad).
  // N = 300: two chunks of columns (256 + 44). Some columns hold Inf and NaN.
  const [K, N] = [71, 300];
  for (const [bits, symmetric, blockSize] of [[4, true, 32], [4, false, 32], [8, true, 32], [8, false, 64]] as const) {
    const model = linearModel(K, N, 7);
    const w = model.graph!.initializer![0];
    const values = new Float32Array(new Uint8Array(w.rawData!).buffer);
    values[5] = Infinity;
    values[3 * N + 17] = NaN;
    w.rawData = new Uint8Array(values.buffer);
    const outcome = quantizeModel(decodeModel(encodeModel(model)), resolveOptions({ mode: 'weight-only', bits, symmetric, blockSize, format: 'matmulnbits' }));
    const init = (suffix: string) => outcome.model.graph!.initializer!.find((t) => t.name === `W_${suffix}`);
    const b = tensorToArray(init('quantized')!).data as Uint8Array;
    const scales = tensorToArray(init('scales')!).data as Float32Array;
    const zp = init('zero_points') ? tensorToArray(init('zero_points')!).data as Uint8Array : undefined;
    const type = bits === 4 ? (symmetric ? 'int4' : 'uint4') : (symmetric ? 'int8' : 'uint8');
    const want = quantizeTensor(values, [K, N], { type, symmetric, granularity: { kind: 'block', axis: 0, blockSize } });
    const blocks = Math.ceil(K / blockSize);
    const blob = (blockSize * bits) / 8;
    const offset = symmetric ? 2 ** (bits - 1) : 0;
    const nibble = (bytes: Uint8Array, at: number, k: number) => bits === 8 ? bytes[at + k] : (bytes[at + (k >> 1)] >> ((k & 1) * 4)) & 0x0f;
    for (let n = 0; n < N; n++) {
      for (let blk = 0; blk < blocks; blk++) {
        const g = blk * N + n;
        assert.equal(scales[n * blocks + blk], want.scales[g], `scale of column ${n}, block ${blk}`);
        const perRow = Math.ceil((blocks * bits) / 8);
        const zero = zp ? nibble(zp, n * perRow, blk) : offset;
        assert.equal(zero, want.zeroPoints[g] + offset, `zero point of column ${n}, block ${blk}`);
        for (let j = 0; j < blockSize; j++) {
          const k = blk * blockSize + j;
          const code = nibble(b, (n * blocks + blk) * blob, j);
          // Rows past K are padding: the zero point, which dequantizes to 0.
          assert.equal(code, k < K ? want.values[k * N + n] + offset : zero, `${bits} bits, symmetric ${symmetric}: W[${k}, ${n}]`);
        }
      }
    }
  }
});

test('dynamic and weight-only modes quantize MatMuls inside If and Loop bodies, with weights from the body or from outside', async () => {
  // Mostly positive weights and inputs: sums without heavy cancellation, so int4's error stays small against them.
  const w = (name: string, seed: number) => f32(name, [16, 16], Array.from({ length: 256 }, (_, i) => 0.1 + 0.3 * Math.sin(i * 0.7 + seed)));
  const thenBranch = { name: 'then', node: [node('MatMul', ['H', 'W_outer'], ['T'])], output: [valueInfo('T', DataType.FLOAT, [2, 16])] };
  const elseBranch = { name: 'else', node: [node('MatMul', ['H', 'W_else'], ['E'])], initializer: [w('W_else', 2)], output: [valueInfo('E', DataType.FLOAT, [2, 16])] };
  const body = {
    name: 'body',
    input: [valueInfo('i', DataType.INT64, []), valueInfo('c_in', DataType.BOOL, []), valueInfo('h_in', DataType.FLOAT, [2, 16])],
    node: [node('Identity', ['c_in'], ['c_out']), node('MatMul', ['h_in', 'W_body'], ['h_mm']), node('Tanh', ['h_mm'], ['h_out'])],
    initializer: [w('W_body', 3)],
    output: [valueInfo('c_out', DataType.BOOL, []), valueInfo('h_out', DataType.FLOAT, [2, 16])],
  };
  const original = model({
    node: [
      node('MatMul', ['X', 'W_main'], ['H']),
      node('If', ['cond'], ['branch'], { then_branch: thenBranch, else_branch: elseBranch }),
      node('Loop', ['trips', '', 'H'], ['looped'], { body }),
    ],
    initializer: [w('W_main', 0), w('W_outer', 1), i64('trips', [], [2])],
    input: [valueInfo('X', DataType.FLOAT, [2, 16]), valueInfo('cond', DataType.BOOL, [])],
    output: [valueInfo('branch', DataType.FLOAT, [2, 16]), valueInfo('looped', DataType.FLOAT, [2, 16])],
  });
  const subgraphOps = (m: ModelProto) => m.graph!.node!.filter((n) => n.opType === 'If' || n.opType === 'Loop')
    .flatMap((n) => n.attribute!.flatMap((a) => a.g?.node ?? []).map((x) => x.opType));
  const feedsFor = (cond: boolean) => ({
    X: { dtype: DataType.FLOAT, dims: [2, 16], data: Float32Array.from({ length: 32 }, (_, i) => 0.5 + 0.5 * Math.cos(i)) },
    cond: { dtype: DataType.BOOL, dims: [], data: Uint8Array.of(cond ? 1 : 0) },
  });
  for (const [label, options, op] of [
    ['dynamic', resolveOptions({ mode: 'dynamic' }), 'MatMulInteger'],
    ['dynamic qdq', resolveOptions({ mode: 'dynamic', format: 'qdq' }), 'DequantizeLinear'],
    ['int4 qdq', resolveOptions({ mode: 'weight-only', bits: 4 }), 'DequantizeLinear'],
    ['int4 MatMulNBits', resolveOptions({ mode: 'weight-only', bits: 4, format: 'matmulnbits' }), 'MatMulNBits'],
  ] as const) {
    const outcome = quantizeModel(decodeModel(encodeModel(original)), options);
    const ops = subgraphOps(outcome.model);
    assert.equal(ops.filter((o) => o === op).length >= 3, true, `${label}: ${op} in the then, else and loop bodies (${ops.join(' ')})`);
    if (op !== 'DequantizeLinear') assert.ok(!ops.includes('MatMul'), `${label}: no float MatMul left in a body`);
    assert.equal(outcome.tensors.filter((t) => t.role === 'weight').length, 4, `${label}: W_main, W_outer, W_else and W_body`);
    // The float weights are gone wherever they were: the main graph's and the bodies' own.
    const initializers = [...outcome.model.graph!.initializer!, ...outcome.model.graph!.node!.flatMap((n) => n.attribute!.flatMap((a) => a.g?.initializer ?? []))];
    assert.deepEqual(initializers.filter((t) => /^W_[a-z]+$/.test(t.name ?? '')).map((t) => t.name), [], `${label}: float weights left`);
    assert.doesNotMatch(outcome.notes.join(' '), /left in float/);
    for (const cond of [true, false]) {
      const feeds = feedsFor(cond);
      const [e] = await client.runMany(encodeModel(original), [feeds]);
      const [a] = await client.runMany(encodeModel(outcome.model), [feeds]);
      for (const x of compareRuns(Object.keys(e), [e], [a], { rtol: 0, atol: 0 })) assert.ok(x.cosine > 0.99, `${label}, cond ${cond}, ${x.name}: cosine ${x.cosine}`);
    }
    if (label.startsWith('dynamic')) {
      const path = join(dir, `nested-${label.replace(' ', '-')}.onnx`);
      writeFileSync(path, encodeModel(outcome.model));
      assert.equal(onnxCheck(path), '', `${label}: onnx.checker`);
    }
  }
});

test('MatMulNBits codes stay in range when a block is all subnormal (its scale rounds far from max|x| / 7)', () => {
  const model = linearModel(32, 4, 3);
  // 9 units of the smallest subnormal: 9 / 7 units rounds to a scale of 1 unit, so 9 would not fit int4.
  const values = Float32Array.from({ length: 128 }, (_, i) => (i % 4 === 0 ? 9 : i % 3) * 2 ** -149 * (i % 2 ? -1 : 1));
  model.graph!.initializer![0].rawData = new Uint8Array(values.buffer);
  const outcome = quantizeModel(decodeModel(encodeModel(model)), resolveOptions({ mode: 'weight-only', bits: 4, format: 'matmulnbits' }));
  const b = tensorToArray(outcome.model.graph!.initializer!.find((t) => t.name === 'W_quantized')!).data as Uint8Array;
  const want = quantizeTensor(values, [32, 4], { type: 'int4', symmetric: true, granularity: { kind: 'block', axis: 0, blockSize: 32 } });
  for (let n = 0; n < 4; n++) {
    for (let k = 0; k < 32; k++) {
      const code = (b[n * 16 + (k >> 1)] >> ((k & 1) * 4)) & 0x0f;
      assert.equal(code, want.values[k * 4 + n] + 8, `W[${k}, ${n}]`);
    }
  }
});
