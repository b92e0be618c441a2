// Our shape inference beside onnx.shape_inference.infer_shapes(model, data_prop=True) of Debian's
// python3-onnx, value by value, on every libonnx-testdata model (as shipped, and with every intermediate
// declaration taken away so that both have to infer), on our generated models and the test fixtures.
// A model where we know less than onnx or disagree with it fails the test unless it is listed, with the
// reason, in test/conformance/shape-inference-exceptions.json; a listed model that no longer needs to
// be fails it too.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { generateCnn, generateMlp, generateTransformer } from '../../../bench/generate/index.js';
import { compareShapes, declaredSymbols, onnxShapes, ourShapes, withoutIntermediateShapes } from '../../helpers/shapeConformance.js';
import { tempDir } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';
import { shapeCases } from './shapeModels.js';

const exceptions = JSON.parse(readFileSync(new URL('../../conformance/shape-inference-exceptions.json', import.meta.url), 'utf8')) as { models: Record<string, string> };

function corpus(): Array<{ name: string; model: ModelProto }> {
  const models: Array<{ name: string; model: ModelProto }> = [];
  for (const c of testCases()) {
    const model = decodeModel(readFileSync(c.model));
    models.push({ name: c.name, model }, { name: `${c.name} (no value_info)`, model: withoutIntermediateShapes(model) });
  }
  const fixture = decodeModel(readFileSync(new URL('../../fixtures/sample.onnx', import.meta.url)));
  models.push({ name: 'fixtures/sample.onnx', model: fixture });
  const generated: Array<[string, ModelProto]> = [
    ['generated/transformer', generateTransformer({ layers: 2, hidden: 32, heads: 4, vocab: 50, seed: 1 })],
    ['generated/transformer-dynamo', generateTransformer({ layers: 1, hidden: 32, heads: 2, vocab: 50, seed: 2, nodeMetadata: true, constantWeights: 'vectors' })],
    ['generated/cnn', generateCnn({ blocks: [1, 1], channels: 8 })],
    ['generated/mlp', generateMlp({ inputs: 16, hidden: [8], outputs: 4 })],
    ...shapeCases().map((c): [string, ModelProto] => [`shape case/${c.name}`, c.model]),
  ];
  for (const [name, model] of generated) models.push({ name, model });
  return models;
}

test('on every model we know at least what onnx infer_shapes(data_prop=True) knows, and agree wherever both know a dim', (t) => {
  const models = corpus();
  const dir = tempDir('onnx-lens-shapes-');
  const paths = models.map((m, i) => {
    const path = join(dir, `${i}.onnx`);
    writeFileSync(path, encodeModel(m.model));
    return path;
  });
  const theirs = onnxShapes(paths);
  const short = new Map<string, string>();
  const totals = { values: 0, oursRank: 0, oursFull: 0, onnxRank: 0, onnxFull: 0, oursFullReported: 0, onnxFullReported: 0 };
  models.forEach((m, i) => {
    const c = compareShapes(ourShapes(m.model), theirs[i], declaredSymbols(m.model));
    totals.values += c.values;
    totals.oursRank += c.ours.knownRank;
    totals.oursFull += c.ours.fullyKnown;
    totals.onnxRank += c.onnx.knownRank;
    totals.onnxFull += c.onnx.fullyKnown;
    totals.oursFullReported += c.oursWithFreshSymbols.fullyKnown;
    totals.onnxFullReported += c.onnxWithFreshSymbols.fullyKnown;
    // Counting fresh unk__N symbols as onnx does, we name at least as many dims as it does too.
    if (c.oursWithFreshSymbols.fullyKnown < c.onnxWithFreshSymbols.fullyKnown) c.lessKnown.push(`${c.onnxWithFreshSymbols.fullyKnown} values with every dim named by onnx, ${c.oursWithFreshSymbols.fullyKnown} by us`);
    const problems = [...c.lessKnown.map((l) => `knows less: ${l}`), ...c.disagree.map((l) => `disagrees: ${l}`)];
    if (problems.length) short.set(m.name, problems.slice(0, 3).join('; '));
  });
  t.diagnostic(`${models.length} models, ${totals.values} node outputs: known rank ours ${totals.oursRank}, onnx ${totals.onnxRank}; fully known ours ${totals.oursFull}, onnx ${totals.onnxFull}; counting fresh unk__N symbols as known, ours ${totals.oursFullReported}, onnx ${totals.onnxFullReported}`);
  const unexplained = [...short].filter(([name]) => !(name in exceptions.models)).map(([name, why]) => `${name}: ${why}`);
  const stale = Object.keys(exceptions.models).filter((name) => !short.has(name) && models.some((m) => m.name === name));
  const unknown = Object.keys(exceptions.models).filter((name) => !models.some((m) => m.name === name));
  assert.deepEqual(unexplained, [], 'models where ours knows less than onnx or disagrees, not listed in shape-inference-exceptions.json');
  assert.deepEqual(stale, [], 'listed in shape-inference-exceptions.json but no longer short of onnx');
  assert.deepEqual(unknown, [], 'listed in shape-inference-exceptions.json but not in the corpus');
  assert.ok(totals.oursFull >= totals.onnxFull, 'ours knows at least as much in total');
  assert.ok(models.length > 2000);
});
