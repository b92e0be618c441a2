// onnx's own parser as an independent reader of our text, over all of libonnx-testdata and the
// real-exporter fixtures: Debian's onnx 1.12 must read every --strict text into the same graph, and a
// newer onnx (when ONNX_LENS_NEW_ONNX_PYTHON names a Python that has one) the default text and the
// --strict text. A text an oracle cannot read must be explained by newerSyntax.ts (from the model
// alone), and the printer must say so at the top of exactly those texts.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { printModel, type PrintedModel } from '../../../src/core/text/printer.js';
import { canonicalModel, type CanonicalOptions } from './canonical.js';
import { textCorpus } from './corpus.js';
import { unreadableBy112, unreadableByNewest } from './newerSyntax.js';
import { newOnnxPython, onnxVersion, oracleParse, withModelNames, type OracleAnswer } from './oracle.js';

const corpus = textCorpus();
const full = corpus.map((c) => printModel(c.model, { full: true }));
const strict = corpus.map((c) => printModel(c.model, { full: true, strict: true }));

interface Reading {
  label: string;
  printed: PrintedModel[];
  answers: OracleAnswer[];
  /** Why this oracle cannot read a model's text (empty: it must read it into the same graph). */
  reasons: (model: ModelProto) => Set<string>;
  /** Whether the printer's own list of what the oracle cannot read is checked against `reasons`. */
  declared: boolean;
  options: CanonicalOptions;
}

/** Compares every answer with its model; returns how many read into the same graph. */
function judge(t: TestContext, r: Reading): number {
  let same = 0;
  const skipped = new Map<string, number>();
  const failures: string[] = [];
  r.answers.forEach((answer, i) => {
    const { name, model } = corpus[i];
    const reasons = r.reasons(model);
    const said = r.printed[i].unreadable;
    if (r.declared && reasons.size && !said.length) failures.push(`${name}: holds ${[...reasons].join(', ')}, but its text does not say so`);
    if (r.declared && !reasons.size && said.length) failures.push(`${name}: its text says onnx cannot read ${said.join(', ')}, but nothing in the model stops it`);
    if (reasons.size) {
      for (const reason of reasons) skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
      return;
    }
    if (!answer.ok) {
      failures.push(`${name}: rejected: ${answer.error}`);
      return;
    }
    const read = withModelNames(decodeModel(answer.model), r.printed[i].renames);
    try {
      // As stored: the comparison is with the model decoded from its bytes.
      assert.deepEqual(canonicalModel(read, r.options), canonicalModel(decodeModel(encodeModel(model)), r.options));
      same++;
    } catch (e) {
      failures.push(`${name}: read differently: ${(e as Error).message.split('\n').slice(0, 10).join(' | ')}`);
    }
  });
  const skippedModels = r.answers.length - same - failures.length;
  t.diagnostic(`${r.label}: ${same} of ${r.answers.length} texts read into the same graph; ${skippedModels} skipped, holding what this parser cannot read:`);
  for (const [reason, count] of [...skipped].sort((a, b) => b[1] - a[1])) t.diagnostic(`  ${count} ${reason}`);
  assert.deepEqual(failures, [], r.label);
  return same;
}

// Node names are #@ lines (strict text) and doc strings and metadata always are: onnx skips comments.
const strictOptions: CanonicalOptions = { withoutNodeNames: true, withoutAnnotations: true, trimTrailingEmpty: true };

test('onnx.parser 1.12 (Debian) reads the --strict text of every model into the same graph', (t) => {
  assert.ok(corpus.length > 1080, `the whole corpus and the exported fixtures (${corpus.length})`);
  const renamed = strict.filter((p) => p.renames.size).length;
  t.diagnostic(`${renamed} texts rename names that are not identifiers (#@ rename lines)`);
  assert.ok(renamed > 100, 'exporter names are renamed in many texts');
  const same = judge(t, {
    label: 'onnx.parser 1.12, --strict text', printed: strict, answers: oracleParse(strict.map((p) => p.text)),
    reasons: unreadableBy112, declared: true, options: strictOptions,
  });
  assert.ok(same > 1000, `most of the corpus is checked by the oracle (${same})`);
  for (const name of ['exported/detector_opset11_constants', 'exported/transformer_dynamo', 'exported/cnn_torchscript']) {
    assert.equal(strict[corpus.findIndex((c) => c.name === name)].unreadable.length, 0, `${name} is read by onnx 1.12`);
  }
});

const newer = newOnnxPython();
test('a newer onnx.parser reads the default text and the --strict text into the same graph', {
  skip: newer ? false : 'ONNX_LENS_NEW_ONNX_PYTHON names no Python with a newer onnx (CI has only Debian\'s 1.12)',
}, (t) => {
  const python = newer as string;
  const version = onnxVersion(python);
  assert.ok(/^1\.(1[3-9]|[2-9]\d)\./.test(version), `${python} has onnx ${version}, not newer than 1.12`);
  const all = full.map((p) => p.text).concat(strict.map((p) => p.text));
  const answers = oracleParse(all, python);
  const sameFull = judge(t, {
    label: `onnx.parser ${version}, default text`, printed: full, answers: answers.slice(0, full.length),
    reasons: (m) => unreadableByNewest(m, { strict: false }), declared: true, options: { withoutAnnotations: true },
  });
  const sameStrict = judge(t, {
    label: `onnx.parser ${version}, --strict text`, printed: strict, answers: answers.slice(full.length),
    reasons: (m) => unreadableByNewest(m, { strict: true }), declared: false, options: strictOptions,
  });
  assert.ok(sameFull > 1000 && sameStrict > 1000, `most of the corpus is checked (${sameFull}, ${sameStrict})`);
});
