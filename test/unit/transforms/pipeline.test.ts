// The transform pipeline's own rules, in core: the checker gate refuses only what the checker finds
// errors in (three libonnx-testdata models, which onnx.checker refuses too), verification verdicts (constant references, lossy
// acceptance), the option schema's parsing, the quantize mode table, and the registry's contributions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { DataType } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { foldTransform } from '../../../src/core/transforms/foldTransform.js';
import { parseOptions, type OptionSchema } from '../../../src/core/transforms/optionSchema.js';
import { pruneTransform } from '../../../src/core/transforms/pruneTransform.js';
import { modeSpecs, quantizeModes, resolveOptions, type QuantizeOptions } from '../../../src/core/transforms/quantize/options.js';
import { quantizeTransform } from '../../../src/core/transforms/quantize/quantizeTransform.js';
import { transforms } from '../../../src/core/transforms/registry.js';
import { formatReport, reportSummary, type TransformReport } from '../../../src/core/transforms/report.js';
import { admitSource } from '../../../src/core/transforms/sourceChecks.js';
import { checkModel } from '../../../src/core/check/checkModel.js';
import { applyTransform, memoryContext } from '../../../src/core/transforms/transformFile.js';
import { testCases } from '../../helpers/testdata.js';
import { melSpectrogram, zeroOnGeneratedInputs } from './cases.js';
import { f32, model, node, valueInfo } from './foldModels.js';
import { verifyInMemory } from './verifyHelper.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

test('the checker gate takes every libonnx-testdata model without checker errors and refuses the rest in one line', () => {
  const cases = testCases();
  assert.ok(cases.length > 1000, `${cases.length} cases`);
  const refused = cases.flatMap((c) => {
    try {
      admitSource(c.name, checkModel(decodeModel(readFileSync(c.model)), { modelDir: dirname(c.model) }), () => false);
      return [];
    } catch (error) {
      assert.ok(error instanceof UserError && !error.message.includes('\n'), String(error));
      return [error.message];
    }
  });
  // The three opset-6 exports whose Constant makes an int64 tensor (Constant-1 makes floats only); the
  // conformance test shows onnx.checker refuses them too, and `check --fix` converts them to opset 9.
  const errors = { 'pytorch-converted/test_PixelShuffle': '2 errors', 'pytorch-operator/test_operator_repeat': '1 error', 'pytorch-operator/test_operator_repeat_dim_overflow': '2 errors' };
  assert.deepEqual(refused, Object.entries(errors).map(([name, count]) =>
    `${name} fails the checker (${count}): main graph, node 0 (Constant): Constant-1 cannot produce int64 (T: double, float, float16); opset 9 allows it; run \`onnx-lens check ${name} --fix\` to fix it.`));
});

test('verification: a constant reference is inconclusive when it is all there is, a note when other outputs vary', async () => {
  const allZero = zeroOnGeneratedInputs();
  const options = { sizeLimitBytes: 2 ** 20 };
  const folded = (await applyTransform(foldTransform, allZero, options, memoryContext(foldTransform, allZero, options, { client }))).model;
  const v = await verifyInMemory(client, foldTransform, options, allZero, folded);
  assert.equal(v.status, 'inconclusive');
  assert.ok(v.ran && !v.pass);
  assert.deepEqual(v.constant, ['y (all 0)']);
  assert.match(v.problem!, /every output of the original is constant on these inputs \(y: all 0\).*verify with real inputs/);
  // A second output that varies makes the check worth something; the constant one is still named.
  const both = zeroOnGeneratedInputs();
  both.graph!.output!.push(valueInfo('shifted', DataType.FLOAT, [2, 4]));
  const foldedBoth = (await applyTransform(foldTransform, both, options, memoryContext(foldTransform, both, options, { client }))).model;
  const w = await verifyInMemory(client, foldTransform, options, both, foldedBoth);
  assert.equal(w.status, 'pass', JSON.stringify(w));
  assert.deepEqual(w.constant, ['y (all 0)']);
  const report = { transform: 'fold', nodesBefore: {}, nodesAfter: {}, initializersBefore: { count: 0, bytes: 0 }, initializersAfter: { count: 0, bytes: 0 }, timeMs: 1, diff: { removed: [], added: [], changed: [] }, notes: [] } satisfies TransformReport;
  assert.match(formatReport({ ...report, verification: w }), /constant on these inputs, so it proves little: y \(all 0\); verify with real inputs/);
  assert.match(reportSummary({ ...report, verification: v }), /NOT VERIFIED: every output of the original is constant/);
  assert.match(reportSummary({ ...report, verification: w }), /outputs match the original\.$/);
});

test('lossy verification: weight pruning is judged by its minimum cosine, extraction exactly', async () => {
  const mel = melSpectrogram();
  const request = { kind: 'magnitude' as const, sparsity: 0.5, scope: 'global' as const };
  const options = { request, sparseStorage: false };
  const { model: pruned } = await applyTransform(pruneTransform, mel, options, memoryContext(pruneTransform, mel, options, { client }));
  const v = await verifyInMemory(client, pruneTransform, options, mel, pruned, { dims: { batch: 4 } });
  assert.equal(v.status, 'fail');
  assert.equal(v.minCosine, 0.99);
  const [c] = v.comparisons;
  assert.ok(c.float && c.cosine < 0.99 && !c.pass, JSON.stringify(c));
  assert.match(reportSummary({ ...{ transform: 'prune', nodesBefore: {}, nodesAfter: {}, initializersBefore: { count: 0, bytes: 0 }, initializersAfter: { count: 0, bytes: 0 }, timeMs: 1, diff: { removed: [], added: [], changed: [] }, notes: [] }, verification: v }), /cosine 0\.\d+ \(at least 0\.99 wanted\): BELOW THE ACCEPTANCE CRITERION/);
  // A lighter touch on a model with slack passes: 10% of the smallest weights of a wide linear layer.
  const wide = model({
    input: [valueInfo('x', DataType.FLOAT, [4, 64])], output: [valueInfo('y', DataType.FLOAT, [4, 8])],
    initializer: [f32('w', [64, 8], Array.from({ length: 512 }, (_, i) => Math.sin(i * 1.7) * (i % 9 === 0 ? 1 : 0.02)))],
    node: [node('MatMul', ['x', 'w'], ['y'])],
  });
  const light = { request: { kind: 'magnitude' as const, sparsity: 0.1, scope: 'layer' as const }, sparseStorage: false };
  const { model: lightly } = await applyTransform(pruneTransform, wide, light, memoryContext(pruneTransform, wide, light, { client }));
  const ok = await verifyInMemory(client, pruneTransform, light, wide, lightly);
  assert.equal(ok.status, 'pass', JSON.stringify(ok.comparisons));
  assert.ok(ok.comparisons[0].cosine >= 0.99 && ok.comparisons[0].maxAbsError > 0);
});

test('the option schema parses text into typed values with one-line errors naming the option', () => {
  const schema = {
    size: { kind: 'number', value: 'N', integer: true, min: 1, help: 'a size' },
    mode: { kind: 'enum', values: ['a', 'b'], default: 'a', help: 'a mode' },
    sym: { kind: 'flag', negation: 'asym', help: 'symmetric' },
    names: { kind: 'list', value: 'A,B', help: 'names' },
    files: { kind: 'list', value: 'F', whole: true, help: 'files' },
  } satisfies OptionSchema;
  assert.deepEqual(parseOptions(schema, { size: '3', sym: true, names: ['a,b', 'c'], files: ['x,y.pb'] }), { size: 3, mode: 'a', sym: true, names: ['a', 'b', 'c'], files: ['x,y.pb'] });
  assert.deepEqual(parseOptions(schema, { asym: true, mode: 'b' }), { size: undefined, mode: 'b', sym: false, names: [], files: [] });
  const cases: Array<[Record<string, string | boolean | string[]>, RegExp]> = [
    [{ size: '0' }, /^--size must be a whole number of at least 1, not '0'\.$/],
    [{ size: '2.5' }, /^--size must be a whole number of at least 1, not '2\.5'\.$/],
    [{ mode: 'c' }, /^--mode must be one of a, b, not 'c'\.$/],
    [{ sym: true, asym: true }, /^Give --sym or --asym, not both\.$/],
  ];
  for (const [raw, pattern] of cases) assert.throws(() => parseOptions(schema, raw), (e: unknown) => e instanceof UserError && pattern.test(e.message), JSON.stringify(raw));
});

test('the quantize mode table is what the CLI, the quick picks, the output name and the budget read', () => {
  assert.deepEqual(quantizeTransform.options.mode.values, quantizeModes);
  assert.deepEqual(quantizeModes, ['dynamic', 'static', 'weight-only', 'fp16']);
  const tag = (partial: Partial<QuantizeOptions> & { mode: QuantizeOptions['mode'] }) => {
    const o = resolveOptions(partial);
    return [modeSpecs[o.mode].outputTag(o), modeSpecs[o.mode].minCosine(o)];
  };
  assert.deepEqual(tag({ mode: 'dynamic' }), ['int8', 0.99]);
  assert.deepEqual(tag({ mode: 'static' }), ['qdq', 0.99]);
  assert.deepEqual(tag({ mode: 'weight-only' }), ['int4', 0.95]);
  assert.deepEqual(tag({ mode: 'weight-only', bits: 8 }), ['int8', 0.99]);
  assert.deepEqual(tag({ mode: 'fp16' }), ['fp16', 0.999]);
  // Every answer the quick picks offer resolves, alone and with the mode's defaults.
  for (const mode of quantizeModes) {
    const spec = modeSpecs[mode];
    for (const question of spec.questions) {
      assert.ok(question.choices.length >= 2, `${mode} ${question.title}`);
      for (const choice of question.choices) assert.doesNotThrow(() => resolveOptions({ mode, [question.option]: choice.value }), `${mode} ${question.option}=${String(choice.value)}`);
      assert.ok(question.choices.some((c) => c.value === resolveOptions({ mode })[question.option]), `${mode}: the default ${question.option} is a choice`);
    }
    for (const format of ['qdq', 'integer', 'matmulnbits'] as const) {
      if (spec.formats.includes(format)) assert.equal(resolveOptions({ mode, format }).format, format);
      else assert.throws(() => resolveOptions({ mode, format }), UserError, `${mode} ${format}`);
    }
  }
  assert.throws(() => resolveOptions({ mode: 'dynamic', bits: 4 }), /4-bit weights are available in weight-only mode; dynamic mode uses 8 bits\./);
});

test('every registered transform is a palette command of the ONNX category, offered on .onnx files', () => {
  const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as {
    contributes: { commands: Array<{ command: string; title: string; category?: string }>; menus: Record<string, Array<{ command: string; when?: string }>> };
  };
  assert.deepEqual(transforms.map((t) => t.name), ['fold', 'simplify', 'prune', 'quantize', 'convert-opset']);
  for (const t of transforms) {
    const contributed = manifest.contributes.commands.find((c) => c.command === t.command);
    assert.ok(contributed, `${t.command} is not contributed`);
    assert.equal(contributed.category, 'ONNX');
    assert.ok(contributed.title.startsWith(t.title), `${contributed.title} / ${t.title}`);
    for (const menu of ['commandPalette', 'editor/title', 'explorer/context']) {
      assert.ok(manifest.contributes.menus[menu].some((m) => m.command === t.command && /\.onnx|onnxLens\.modelEditor/.test(m.when ?? '')), `${t.command} in ${menu}`);
    }
  }
});
