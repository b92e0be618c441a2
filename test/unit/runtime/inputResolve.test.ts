// The input resolver on generated models that need more than "every free dim is 1", through real
// onnxruntime: the old defaults fail, what the user gives runs, and so do the sizes and values taken from
// what the model says, each listed as assumed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DataType } from '../../../src/core/model/proto.js';
import { toFloat64, type TensorArray } from '../../../src/core/model/tensorValues.js';
import { OnnxRuntimeError, RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareModels } from '../../../src/core/runtime/compare.js';
import { modelHints } from '../../../src/core/runtime/inputHints.js';
import { assumptionText } from '../../../src/core/runtime/inputReport.js';
import { resolveInputs } from '../../../src/core/runtime/inputResolve.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import type { InputSpec } from '../../../src/core/runtime/inputSpec.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { testRun } from '../../../src/core/runtime/testRun.js';
import { tempDir } from '../../helpers/models.js';
import { audioModel, brokenWindowModel, convModel, declaredModel, encode, hugeModel, negativeDimModel, rangeModel, tokensModel, unshapedModel } from './inputModels.js';
import { oneLineUserError } from '../../helpers/oneLine.js';

const client = RuntimeClient.start({ timeoutMs: 60_000 });
after(() => client.dispose());

const audio = audioModel();
const conv = convModel();
const tokens = tokensModel();
const shapes = (feeds: Record<string, TensorArray>) => Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims]));
const assumed = (spec: InputSpec, model = audio) => resolveInputs(model, spec).assumptions.map(assumptionText);

test('the old defaults (every free dim 1, integers at random) fail in onnxruntime on every one of these models', async () => {
  for (const [model, node] of [[audio, /Reshape node\. Name:'\/other_rate\/Reshape'/], [conv, /Conv node/], [tokens, /MatMul node\. Name:'\/proj\/MatMul'/]] as const) {
    const feeds = generateInputs(model);
    assert.ok(Object.values(feeds).every((f) => f.dims.every((d) => d === 1 || d === 3)), JSON.stringify(shapes(feeds)));
    await assert.rejects(client.run(encode(model), feeds), (e) => e instanceof OnnxRuntimeError && node.test(e.detail));
  }
  // With the right sample rate, the all-1 audio fails in the reflect Pad of the branch that works.
  const feeds = { ...generateInputs(audio), sr: { dtype: DataType.INT64, dims: [], data: BigInt64Array.of(16000n) } };
  await assert.rejects(client.run(encode(audio), feeds), (e) => e instanceof OnnxRuntimeError && /Pad reflect requires axis length >= 2/.test(e.detail));
});

test('with nothing given, sizes and values come from the model, are listed as assumed, and the models run', async () => {
  const voice = resolveInputs(audio);
  assert.deepEqual(shapes(voice.dataSets[0].inputs), { input: [1, 130], sr: [] });
  assert.deepEqual(Array.from(voice.dataSets[0].inputs.sr.data as BigInt64Array), [16000n]);
  assert.deepEqual(voice.assumptions.map((a) => [a.subject, a.value, a.kind, a.option]), [
    ['input[0]', 1, 'default', '--shape input=1x130'],
    ['input[1]', 130, 'minimum', '--shape input=1x130'],
    ['sr', 16000, 'hint', '--value sr=16000'],
  ]);
  assert.equal(assumptionText(voice.assumptions[0]), 'input[0] = 1 (unknown; set with --shape input=1x130)');
  assert.match(assumptionText(voice.assumptions[1]), /^input\[1\] = 130 \(unknown; at least 65 for Pad '\/rate_16k\/Pad' with a reflect pad of 64; doubled to 130 so that Conv '\/rate_16k\/stft\/Conv' fits; set with --shape input=1x130\)$/);
  assert.equal(assumptionText(voice.assumptions[2]), "sr = 16000 (compared with 16000 by Equal '/Equal'; set with --value sr=16000)");
  // (130 + 2 * 64 - 256) / 128 + 1 frames.
  assert.deepEqual((await client.run(encode(audio), voice.dataSets[0].inputs)).output.dims, [1, 8, 1]);

  const image = resolveInputs(conv);
  assert.deepEqual(shapes(image.dataSets[0].inputs), { image: [1, 3, 18, 18] });
  assert.deepEqual(image.assumptions.map((a) => [a.subject, a.value, a.kind]), [['batch', 1, 'default'], ['height', 18, 'minimum'], ['width', 18, 'minimum']]);
  assert.match(assumptionText(image.assumptions[1]), /at least 9 for Conv '\/backbone\/Conv' with its 9-wide window; doubled to 18 so that MaxPool '\/backbone\/MaxPool' fits; set with --dims height=18\)$/);
  assert.deepEqual((await client.run(encode(conv), image.dataSets[0].inputs)).features.dims, [1, 4]);

  const tied = resolveInputs(tokens);
  assert.deepEqual(shapes(tied.dataSets[0].inputs), { tokens: [1, 64], mask: [1, 16] });
  assert.deepEqual(tied.assumptions.map(assumptionText), [
    'tokens[0] = 1 (unknown; set with --shape tokens=1x64)',
    "tokens[1] = 64 (MatMul '/proj/MatMul' fixes it at 64; set with --shape tokens=1x64)",
    'mask[0] = 1 (unknown; set with --shape mask=1x16)',
    "mask[1] = 16 (Add '/proj/Add' fixes it at 16; set with --shape mask=1x16)",
  ]);
  assert.deepEqual((await client.run(encode(tokens), tied.dataSets[0].inputs)).y.dims, [1, 16]);
});

test('an integer scalar the model gives no hint about is fed 1, listed as assumed', async () => {
  const resolved = resolveInputs(rangeModel(), { seed: 3, distribution: 'uniform' });
  assert.deepEqual(Array.from(resolved.dataSets[0].inputs.steps.data as BigInt64Array), [1n]);
  assert.deepEqual(resolved.assumptions.map(assumptionText), ['steps = 1 (an integer scalar the model gives no hint about; set with --value steps=1)']);
  assert.deepEqual(resolved.dataSets[0].fed!.map((f) => [f.source, f.value, f.assumedValue]), [['generated', '1', true]]);
  assert.deepEqual(Array.from((await client.run(encode(rangeModel()), resolved.dataSets[0].inputs)).counted.data as BigInt64Array), [0n]);
  // An input of unknown rank is fed as a scalar, and that is said too.
  assert.deepEqual(assumed({}, unshapedModel()), ['rank of x = 0 (the model declares no shape, so a scalar is fed; set with --shape x=NxM...)']);
  assert.deepEqual(resolveInputs(unshapedModel(), { shapes: { x: [2, 5] } }).dataSets[0].inputs.x.dims, [2, 5]);
  const given = resolveInputs(rangeModel(), { values: { steps: 4 } });
  assert.deepEqual(given.assumptions, []);
  assert.deepEqual(Array.from((await client.run(encode(rangeModel()), given.dataSets[0].inputs)).counted.data as BigInt64Array), [0n, 1n, 2n, 3n]);
});

test('a window that no input size can fit is left to onnxruntime to report: the guess does not grow for it', async () => {
  const broken = brokenWindowModel();
  assert.deepEqual(assumed({}, broken), ["L = 5 (unknown; at least 5 for Conv '/ConvA' with its 5-wide window; set with --dims L=5)"]);
  const resolved = resolveInputs(broken);
  // onnxruntime refuses the model already when it loads it (its own shape inference sees the negative length).
  await assert.rejects(client.run(encode(broken), resolved.dataSets[0].inputs), (e) => e instanceof OnnxRuntimeError && /Invalid dimension: -2/.test(e.message));
});

test('an exporter\'s declared shapes tie a symbol: y declared [batch, 10] makes features 10', () => {
  const hints = modelHints(declaredModel());
  assert.deepEqual(hints.tied.get(hints.group('features')), { value: 10, reason: "'z' declared as [batch,10]" });
  assert.equal(hints.tied.get(hints.group('batch')), undefined);
  assert.deepEqual(assumed({}, declaredModel()), ['batch = 1 (unknown; set with --dims batch=1)', "features = 10 ('z' declared as [batch,10] fixes it at 10; set with --dims features=10)"]);
});

test('what the user gives is used as given, and tied dims of other inputs follow it', async () => {
  const voice = resolveInputs(audio, { shapes: { input: [1, 512] }, values: { sr: 16000 } });
  assert.deepEqual(voice.assumptions, []);
  assert.deepEqual(voice.dataSets[0].fed!.map((f) => [f.name, f.source, f.dims, f.value ?? null]), [['input', 'generated', [1, 512], null], ['sr', 'value', [], '16000']]);
  assert.deepEqual((await client.run(encode(audio), voice.dataSets[0].inputs)).output.dims, [1, 8, 4]);
  // The documented INPUT[AXIS] form of --dims, for an unnamed axis.
  assert.deepEqual(shapes(resolveInputs(audio, { dims: { 'input[1]': 300 } }).dataSets[0].inputs).input, [1, 300]);

  const image = resolveInputs(conv, { dims: { batch: 2, height: 32, width: 40 } });
  assert.deepEqual(image.assumptions, []);
  assert.deepEqual((await client.run(encode(conv), image.dataSets[0].inputs)).features.dims, [2, 4]);

  // tokens[0] given as 3: the Add ties mask[0] to it.
  const tied = resolveInputs(tokens, { shapes: { tokens: [3, 64] } });
  assert.deepEqual(shapes(tied.dataSets[0].inputs), { tokens: [3, 64], mask: [3, 16] });
  assert.deepEqual(tied.assumptions.map(assumptionText), [
    'mask[0] = 3 (the graph makes it equal to tokens[0]; set with --shape mask=3x16)',
    "mask[1] = 16 (Add '/proj/Add' fixes it at 16; set with --shape mask=3x16)",
  ]);
  assert.deepEqual((await client.run(encode(tokens), tied.dataSets[0].inputs)).y.dims, [3, 16]);
});

test('inline values are typed by the declared element type and shaped by nesting or --shape', () => {
  const m = tokensModel();
  const flat = resolveInputs(m, { shapes: { tokens: [2, 64] }, values: { tokens: Array.from({ length: 128 }, (_, i) => i / 2) } }).dataSets[0].inputs;
  assert.deepEqual(flat.tokens.dims, [2, 64]);
  assert.ok(flat.tokens.data instanceof Float32Array);
  assert.equal(toFloat64(flat.tokens)[127], 63.5);
  const nested = resolveInputs(m, { values: { mask: [[1, 2], [3, 4]] }, dims: { 'tokens[0]': 2 } }).dataSets[0];
  assert.deepEqual(nested.inputs.mask.dims, [2, 2]);
  assert.equal(nested.fed!.find((f) => f.name === 'mask')!.value, '[1,2,3,4]');
  const big = resolveInputs(audio, { values: { sr: '9007199254740993' }, shapes: { input: [1, 400] } }).dataSets[0].inputs.sr;
  assert.deepEqual(Array.from(big.data as BigInt64Array), [9007199254740993n]);
  assert.throws(() => resolveInputs(audio, { values: { sr: 16000.5 } }), oneLineUserError(/^--value sr: input 'sr' is int64, and '16000\.5' is not a whole number\.$/));
  assert.throws(() => resolveInputs(audio, { values: { sr: [16000, 8000] } }), oneLineUserError(/^Input 'sr' has rank 0 in the model \(\[\]\), but --value sr=\[16000,8000\] has rank 1/));
  const long = Array.from({ length: 100 }, (_, i) => i);
  assert.throws(() => resolveInputs(m, { values: { tokens: long } }), oneLineUserError(/^Input 'tokens' has rank 2 in the model \(\[\?,\?\]\), but --value tokens has rank 1 \(\[100\]\)\.$/));
  assert.throws(() => resolveInputs(m, { values: { tokens: 'abc' } }), oneLineUserError(/^--value tokens: 'abc' is not a number\.$/));
  assert.throws(() => resolveInputs(m, { shapes: { tokens: [2, 64] }, values: { tokens: [1, 2, 3] } }), oneLineUserError(/has rank 2 in the model .* but --value tokens=\[1,2,3\] has rank 1/));
});

test('one-line errors name the input, the axis and what the model declares', () => {
  assert.throws(() => resolveInputs(audio, { dims: { foo: 1280 } }), oneLineUserError(/^--dims names no dimension 'foo': the model's free dimensions are input\[0\], input\[1\] \(any axis can be set as INPUT\[AXIS\]=N\)\.$/));
  assert.throws(() => resolveInputs(conv, { dims: { foo: 1280 } }), oneLineUserError(/the model's free dimensions are batch, height, width/));
  assert.throws(() => resolveInputs(conv, { dims: { 'image[1]': 4 } }), oneLineUserError(/^--dims image\[1\]=4: input 'image' fixes axis 1 at 3 \(\[batch,3,height,width\]\)\.$/));
  assert.throws(() => resolveInputs(conv, { dims: { 'image[7]': 4 } }), oneLineUserError(/^--dims image\[7\]=4: input 'image' has rank 4/));
  assert.throws(() => resolveInputs(audio, { shapes: { inp: [1, 3] } }), oneLineUserError(/^--shape names no input 'inp': the model's inputs are 'input', 'sr'\.$/));
  assert.throws(() => resolveInputs(audio, { values: { rate: 1 } }), oneLineUserError(/^--value names no input 'rate'/));
  assert.throws(() => resolveInputs(audio, { shapes: { input: [1, 3, 4] } }), oneLineUserError(/^--shape input=1x3x4: input 'input' has rank 2 \(\[\?,\?\]\), not 3\.$/));
  assert.throws(() => resolveInputs(conv, { shapes: { image: [1, 4, 20, 20] } }), oneLineUserError(/^--shape image=1x4x20x20: input 'image' fixes axis 1 at 3 \(\[batch,3,height,width\]\), not 4\.$/));
  // Raw JavaScript errors never: a 4 TiB input and a negative declared dim are explained in the model's terms.
  assert.throws(() => resolveInputs(hugeModel()), oneLineUserError(/^Input 'big' would be float\[1048576,1048576\]: 1099511627776 elements, 4 TiB, more than the 2 GiB generated for one input \(the model fixes every axis\)\.$/));
  assert.throws(() => generateInputs(hugeModel()), oneLineUserError(/^Input 'big' would be float\[1048576,1048576\]/));
  assert.throws(() => resolveInputs(conv, { dims: { height: 1 << 16, width: 1 << 16 } }), oneLineUserError(/^Input 'image' would be float\[1,3,65536,65536\]: 12884901888 elements, 48 GiB, more than the 2 GiB generated for one input; give a smaller shape \(--shape image=\.\.\.\)\.$/));
  assert.throws(() => resolveInputs(negativeDimModel()), oneLineUserError(/^Input 'x' is declared with size -1 at axis 0 \(\[-1,3\]\), which is not a size; give its shape with --shape x=Nx3\.$/));
  assert.throws(() => generateInputs(negativeDimModel()), oneLineUserError(/^Input 'x' is declared with size -1 at axis 0/));
  assert.deepEqual(shapes(resolveInputs(negativeDimModel(), { shapes: { x: [2, 3] } }).dataSets[0].inputs), { x: [2, 3] });
});

test('files, inline values and generated inputs mix; a file is checked against the declared input', async () => {
  const dir = tempDir();
  const samples = { dtype: DataType.FLOAT, dims: [1, 640], data: Float32Array.from({ length: 640 }, (_, i) => Math.sin(i / 10)) };
  writeFileSync(join(dir, 'input.npy'), encodeNpy(samples));
  const resolved = resolveInputs(audio, { files: [join(dir, 'input.npy')], values: { sr: 16000 } });
  assert.deepEqual(resolved.assumptions, []);
  assert.deepEqual(resolved.dataSets[0].fed!.map((f) => [f.name, f.source, f.from]), [['input', 'file', 'input.npy'], ['sr', 'value', 'inline']]);
  assert.deepEqual((await client.run(encode(audio), resolved.dataSets[0].inputs)).output.dims, [1, 8, 5]);
  // The file fixes the audio; the sample rate is still taken from the model.
  assert.deepEqual(resolveInputs(audio, { files: [join(dir, 'input.npy')] }).assumptions.map((a) => a.subject), ['sr']);
  writeFileSync(join(dir, 'doubles.npy'), encodeNpy({ dtype: DataType.DOUBLE, dims: [1, 4], data: new Float64Array(4) }));
  assert.throws(() => resolveInputs(audio, { files: [join(dir, 'doubles.npy')] }), oneLineUserError(/^Input 'input' is float in the model, but doubles\.npy holds double\.$/));
  writeFileSync(join(dir, 'image.npy'), encodeNpy({ dtype: DataType.FLOAT, dims: [1, 4, 8, 8], data: new Float32Array(256) }));
  assert.throws(() => resolveInputs(conv, { files: [join(dir, 'image.npy')] }), oneLineUserError(/^Input 'image' fixes axis 1 at 3 \(\[batch,3,height,width\]\), but image\.npy has 4 there \(\[1,4,8,8\]\)\.$/));
  assert.throws(() => resolveInputs(audio, { files: [join(dir, 'input.npy')], values: { input: [[1, 2]] } }), oneLineUserError(/^Input 'input' is given twice: by input\.npy and by --value\.$/));
  assert.throws(() => resolveInputs(audio, { files: [join(dir, 'input.npy')], shapes: { input: [1, 64] } }), oneLineUserError(/^--shape input=1x64, but input\.npy holds input as \[1,640\]\.$/));
});

test('a failed run names the node, its op, what was fed (assumed sizes marked) and the options to set them', async () => {
  const resolved = resolveInputs(audio, { values: { sr: 8000 } });
  const error = await testRun(client, encode(audio), { dataSets: resolved.dataSets, assumptions: resolved.assumptions, decoded: audio, tolerance: { rtol: 0, atol: 0 }, warmup: 0, iterations: 0 })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof OnnxRuntimeError);
  assert.equal(error.message, "onnxruntime failed in Reshape node '/other_rate/Reshape' (inside If '/If'): The input tensor cannot be reshaped to the requested shape. "
    + 'Input shape:{1,130}, requested shape:{1,1,99991}. Fed: input float[1,130] (input[0], input[1] assumed), sr int64[] = 8000. '
    + 'Sizes or values were assumed; set them with --shape input=1x130.');
  assert.match(error.detail, /^Non-zero status code returned while running If node\. Name:'\/If' Status Message: Non-zero status code returned while running Reshape node.*reshape_helper\.h/);
  // All given: no hint; and a node that onnxruntime's optimizer made is said to be one.
  const given = resolveInputs(conv, { dims: { batch: 1, height: 4, width: 4 } });
  const fused = await testRun(client, encode(conv), { dataSets: given.dataSets, decoded: conv, tolerance: { rtol: 0, atol: 0 }, warmup: 0, iterations: 0 }).then(() => undefined, (e: unknown) => e);
  assert.ok(fused instanceof OnnxRuntimeError);
  assert.match(fused.message, /^onnxruntime failed in Conv node '[^']+'(, a node of onnxruntime's optimized graph \(--optimization disabled keeps the model's names\))?: Invalid input shape: \{4,4\}\. Fed: image float\[1,3,4,4\]\.$/);
  const plain = await testRun(client, encode(conv), { dataSets: given.dataSets, decoded: conv, settings: { graphOptimizationLevel: 'disabled' }, tolerance: { rtol: 0, atol: 0 }, warmup: 0, iterations: 0 })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(plain instanceof OnnxRuntimeError);
  assert.equal(plain.message, "onnxruntime failed in Conv node '/backbone/Conv': Invalid input shape: {4,4}. Fed: image float[1,3,4,4].");
});

test('results follow the model\'s declared output order (integer-like names too), in runs and comparisons', async () => {
  const model = declaredModel();
  const resolved = resolveInputs(model, { dims: { batch: 2 } });
  const report = await testRun(client, encode(model), { dataSets: resolved.dataSets, compareWith: encode(model), tolerance: { rtol: 0, atol: 0 }, warmup: 0, iterations: 0 });
  assert.deepEqual(report.dataSets[0].outputs.map((o) => o.name), ['z', '7', '3']);
  assert.equal(report.pass, true);
  const compared = await compareModels(client, encode(model), encode(model), { rtol: 0, atol: 0, spec: { dims: { batch: 2 } } });
  assert.deepEqual(compared.comparisons.map((c) => c.name), ['z', '7', '3']);
  assert.deepEqual(compared.assumptions.map((a) => a.subject), ['features']);
  assert.deepEqual(compared.inputs.x.dims, [2, 10]);
});
