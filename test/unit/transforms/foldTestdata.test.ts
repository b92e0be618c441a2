// Folding every libonnx-testdata model that onnxruntime can run: the folded model gives the same outputs
// on the case's own inputs (1e-5, integers exactly) and passes onnx.checker. Models onnxruntime cannot
// run in the first place are counted by reason, not hidden.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { oneLine } from '../../../src/core/errors.js';
import { encodeModel, readModelFile } from '../../../src/core/model/decode.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareOutputs } from '../../../src/core/runtime/compare.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { foldConstants } from '../../../src/core/transforms/fold.js';
import { foldTolerance, runtimeEvaluator } from '../../../src/core/transforms/foldTransform.js';
import { countOps, totalNodes } from '../../../src/core/transforms/report.js';
import { tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { testCases } from '../../helpers/testdata.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-fold-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** First words of a reason, so that similar failures group together. */
function reasonKey(message: string): string {
  return message.replace(/'[^']*'|"[^"]*"|\d+/g, '…').slice(0, 120);
}

/** onnx.checker over many files in one Python process: {path: message} for the failures. */
function checkAll(paths: string[]): Record<string, string> {
  const list = join(dir, 'check-list.txt');
  writeFileSync(list, paths.join('\n'));
  const code = [
    'import sys, json, onnx',
    'bad = {}',
    'for p in open(sys.argv[1]).read().split("\\n"):',
    '    if not p: continue',
    '    try:',
    '        onnx.checker.check_model(onnx.load(p), full_check=True)',
    '    except Exception as e:',
    '        bad[p] = (str(e).splitlines() or [type(e).__name__])[0]',
    'print(json.dumps(bad))',
  ].join('\n');
  return JSON.parse(runPython(code, [list])) as Record<string, string>;
}

test('folding every libonnx-testdata model keeps its outputs and passes onnx.checker', { timeout: 30 * 60_000 }, async (t) => {
  const cases = testCases();
  const skipped = new Map<string, string[]>();
  const skip = (reason: string, name: string) => skipped.set(reasonKey(reason), [...(skipped.get(reasonKey(reason)) ?? []), name]);
  const failures: string[] = [];
  const written: Array<{ name: string; original: string; folded: string }> = [];
  let folded = 0;
  let changed = 0;
  let nodesBefore = 0;
  let nodesAfter = 0;
  for (const [index, c] of cases.entries()) {
    const { model, bytes } = await readModelFile(c.model);
    const sets = testDataSetDirs(c.dir);
    if (sets.length === 0) {
      skip('no test data set', c.name);
      continue;
    }
    let expected;
    let inputs;
    try {
      inputs = readTestDataSet(sets[0], model).inputs;
      expected = await client.run(bytes, inputs);
    } catch (error) {
      skip(`onnxruntime cannot run the original: ${oneLine(error)}`, c.name);
      continue;
    }
    let result;
    try {
      result = await foldConstants(model, { evaluate: runtimeEvaluator(client) });
    } catch (error) {
      failures.push(`${c.name}: fold threw ${oneLine(error)}`);
      continue;
    }
    folded++;
    const foldedBytes = encodeModel(result.model);
    const before = totalNodes(countOps(model));
    const afterCount = totalNodes(countOps(result.model));
    nodesBefore += before;
    nodesAfter += afterCount;
    if (afterCount !== before || result.stats.valuesReplaced > 0) changed++;
    let actual;
    try {
      actual = await client.run(foldedBytes, inputs);
    } catch (error) {
      failures.push(`${c.name}: the folded model does not run: ${oneLine(error)}`);
      continue;
    }
    const bad = compareOutputs(expected, actual, foldTolerance).filter((r) => !r.pass);
    if (bad.length) failures.push(`${c.name}: ${bad.map((b) => `${b.name} ${b.problem ?? `max abs error ${b.maxAbsError}`}`).join('; ')}`);
    const original = join(dir, `${index}-original.onnx`);
    const foldedPath = join(dir, `${index}-folded.onnx`);
    writeFileSync(original, bytes);
    writeFileSync(foldedPath, foldedBytes);
    written.push({ name: c.name, original, folded: foldedPath });
  }

  // The checker judges the folded model only where it accepts the original (Debian's onnx 1.12 does not
  // know the newest opsets); those are counted.
  const verdicts = checkAll(written.flatMap((w) => [w.original, w.folded]));
  let checked = 0;
  let checkerSkipped = 0;
  for (const w of written) {
    if (verdicts[w.original]) {
      checkerSkipped++;
      continue;
    }
    checked++;
    if (verdicts[w.folded]) failures.push(`${w.name}: onnx.checker rejects the folded model: ${verdicts[w.folded]}`);
  }

  const skippedTotal = [...skipped.values()].reduce((n, l) => n + l.length, 0);
  t.diagnostic(`${cases.length} models: ${folded} folded (${changed} changed, nodes ${nodesBefore} -> ${nodesAfter}), ${skippedTotal} skipped because onnxruntime cannot run the original`);
  for (const [reason, names] of [...skipped].sort((a, b) => b[1].length - a[1].length)) t.diagnostic(`  skipped ${names.length}: ${reason} (e.g. ${names[0]})`);
  t.diagnostic(`onnx.checker: ${checked} folded models checked, ${checkerSkipped} not checked because the checker rejects the original too`);
  assert.equal(folded + skippedTotal + failures.filter((f) => f.includes('fold threw')).length, cases.length, 'every model is accounted for');
  assert.ok(folded > 900, `expected most of the corpus to run, got ${folded}`);
  assert.ok(changed > 50, `expected folding to change many models, got ${changed}`);
  assert.deepEqual(failures, []);
});
