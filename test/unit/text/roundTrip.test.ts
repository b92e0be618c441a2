import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { parseModelText } from '../../../src/core/text/parser.js';
import { printModel } from '../../../src/core/text/printer.js';
import { canonicalModel, type CanonicalOptions } from './canonical.js';
import { exportedFixtures, textCorpus } from './corpus.js';

const corpus = textCorpus();

/**
 * Prints every model, parses the text back and compares (doc strings and metadata included), then
 * prints what was parsed: the same text again, character for character.
 */
function roundTrip(strict: boolean, options: CanonicalOptions): { failures: string[]; reprinted: number } {
  const failures: string[] = [];
  let reprinted = 0;
  for (const { name, model } of corpus) {
    const printed = printModel(model, { full: true, strict });
    const parsed = parseModelText(printed.text);
    const error = parsed.diagnostics.find((d) => d.severity === 'error');
    if (error || !parsed.model) {
      failures.push(`${name}: ${error?.line}:${error?.column} ${error?.message}`);
      continue;
    }
    assert.equal(printed.elided, 0, `${name}: --full elides nothing`);
    const again = decodeModel(encodeModel(parsed.model));
    try {
      assert.deepEqual(canonicalModel(again, options), canonicalModel(model, options));
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split('\n').slice(0, 12).join(' | ')}`);
      continue;
    }
    // Strict text that left out trailing empty names says so in its header; the parsed model has none to leave out.
    if (strict && printed.text.includes('# Missing trailing inputs or outputs')) continue;
    if (printModel(again, { full: true, strict }).text !== printed.text) failures.push(`${name}: printing the parsed model gives another text`);
    else reprinted++;
  }
  return { failures, reprinted };
}

test('print --full, parse, encode reproduces every libonnx-testdata model and exported fixture, and prints the same text again', () => {
  assert.ok(corpus.length > 1080, `expected the full corpus and the fixtures, found ${corpus.length}`);
  const { failures, reprinted } = roundTrip(false, {});
  assert.deepEqual(failures, []);
  assert.equal(reprinted, corpus.length);
});

test('--strict text parses back to the same model: renames undone, node names, doc strings and metadata from #@ lines', () => {
  const { failures, reprinted } = roundTrip(true, { trimTrailingEmpty: true });
  assert.deepEqual(failures, []);
  assert.ok(reprinted >= corpus.length - 2, `all but the texts that leave out trailing empty names print again the same (${reprinted})`);
});

/** metadata_props entries of nodes, graphs, values, initializers and functions. */
function metadataCount(model: ModelProto): { nodes: number; all: number } {
  let nodes = 0;
  let all = 0;
  for (const visit of walkModel(model)) {
    for (const node of visit.nodes) nodes += node.metadataProps?.length ?? 0;
    const g = visit.graph;
    if (g) {
      for (const x of [g, ...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? []), ...(g.initializer ?? [])]) all += x.metadataProps?.length ?? 0;
    }
  }
  for (const f of model.functions ?? []) all += f.metadataProps?.length ?? 0;
  return { nodes, all: all + nodes };
}

test('metadata_props of the dynamo exports survive text and parse, default and --strict', () => {
  const dynamo = exportedFixtures().filter((f) => f.name.endsWith('_dynamo'));
  assert.equal(dynamo.length, 4);
  for (const { name, model } of dynamo) {
    const before = metadataCount(model);
    assert.ok(before.nodes > 0, `${name} has node metadata`);
    for (const strict of [false, true]) {
      const parsed = parseModelText(printModel(model, { full: true, strict }).text).model;
      assert.ok(parsed, name);
      assert.deepEqual(metadataCount(decodeModel(encodeModel(parsed))), before, `${name}${strict ? ' --strict' : ''}`);
    }
  }
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
