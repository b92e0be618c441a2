import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { parseModelText } from '../../../src/core/text/parser.js';
import { printModel } from '../../../src/core/text/printer.js';
import { testCases } from '../../helpers/testdata.js';
import { canonicalModel } from './canonical.js';

const corpus = testCases().map((c) => ({ name: c.name, model: decodeModel(readFileSync(c.model)) }));

test('print --full, parse, encode reproduces every libonnx-testdata model', () => {
  assert.ok(corpus.length > 1000, `expected the full corpus, found ${corpus.length}`);
  const failures: string[] = [];
  for (const { name, model } of corpus) {
    const { text, elided } = printModel(model, { full: true });
    const parsed = parseModelText(text);
    const error = parsed.diagnostics.find((d) => d.severity === 'error');
    if (error || !parsed.model) {
      failures.push(`${name}: ${error?.line}:${error?.column} ${error?.message}`);
      continue;
    }
    assert.equal(elided, 0, `${name}: --full elides nothing`);
    const again = decodeModel(encodeModel(parsed.model));
    try {
      assert.deepEqual(canonicalModel(again), canonicalModel(model));
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split('\n').slice(0, 12).join(' | ')}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('the elided view parses back with elided tensors compared by type and shape', () => {
  let elidedModels = 0;
  const failures: string[] = [];
  for (const { name, model } of corpus) {
    const printed = printModel(model, { elideAbove: 32 });
    const parsed = parseModelText(printed.text);
    if (!parsed.model || parsed.diagnostics.some((d) => d.severity === 'error')) {
      failures.push(`${name}: ${parsed.diagnostics[0]?.message}`);
      continue;
    }
    assert.equal(parsed.elided.length, printed.elided, `${name}: every elided tensor is marked`);
    if (printed.elided) elidedModels++;
    const elided = new Set(parsed.elided.map((e) => e.name));
    try {
      assert.deepEqual(canonicalModel(parsed.model, { elided }), canonicalModel(model, { elided }));
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split('\n').slice(0, 12).join(' | ')}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(elidedModels > 20, `some models have tensors above the threshold (found ${elidedModels})`);
});

test('generated exporter-style models (scoped names, Constant weights, subgraph-free shape chains) round trip', async () => {
  const { generateTransformer } = await import('../../../bench/generate/transformer.js');
  const { generateCnn } = await import('../../../bench/generate/cnn.js');
  const { generateMlp } = await import('../../../bench/generate/mlp.js');
  const models = [
    generateTransformer({ layers: 2, hidden: 32, heads: 4, vocab: 64 }),
    generateTransformer({ layers: 1, hidden: 16, heads: 2, vocab: 32, constantWeights: true }),
    generateCnn(),
    generateMlp(),
  ];
  // As stored: hand-built messages hold float attributes as doubles until encoded.
  for (const model of models.map((m) => decodeModel(encodeModel(m)))) {
    const parsed = parseModelText(printModel(model, { full: true }).text);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(canonicalModel(decodeModel(encodeModel(parsed.model!))), canonicalModel(model));
  }
});
