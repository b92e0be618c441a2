// Debian's libonnx-testdata, every case, through the same test run as `onnx-lens run --inputs` (one
// long-lived onnxruntime child), against the recorded expected outputs. Failures must be listed in
// test/conformance/known-failures.json with the reason the classifier finds; a listed case that passes
// fails the test too, so the list stays honest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readModelFile } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { testRun } from '../../../src/core/runtime/testRun.js';
import { categories, classify, environmentDependent, type Category, type Outcome } from '../../conformance/classify.js';
import { testCases } from '../../helpers/testdata.js';

const list = JSON.parse(readFileSync(new URL('../../conformance/known-failures.json', import.meta.url), 'utf8')) as {
  reasons: Record<Category, string>;
  cases: Record<string, Category>;
};
const knownFailures = list.cases;

async function runCase(client: RuntimeClient, dir: string, modelPath: string): Promise<{ outcome: Outcome; model?: ModelProto }> {
  let model: ModelProto | undefined;
  try {
    model = (await readModelFile(modelPath)).model;
    const dataSets = testDataSetDirs(dir).map((d) => readTestDataSet(d, model!));
    const report = await testRun(client, modelPath, { dataSets, decoded: model, tolerance: { rtol: 1e-3, atol: 1e-4 }, warmup: 0, iterations: 0 });
    if (report.pass === undefined) return { outcome: { kind: 'error', message: 'no expected outputs to compare with' }, model };
    if (report.pass) return { outcome: { kind: 'pass' }, model };
    const failed = report.dataSets.flatMap((d) => d.outputs).map((o) => o.comparison).filter((c) => c && !c.pass);
    return {
      outcome: {
        kind: 'mismatch',
        maxAbsError: Math.max(...failed.map((c) => (Number.isNaN(c!.maxAbsError) ? Infinity : c!.maxAbsError))),
        strings: failed.some((c) => c!.dtype === 'string'),
      },
      model,
    };
  } catch (error) {
    return { outcome: { kind: 'error', message: error instanceof Error ? error.message : String(error) }, model };
  }
}

test('libonnx-testdata conformance: every case passes or is a known failure with its reason', { timeout: 15 * 60_000 }, async (t) => {
  const cases = testCases();
  assert.ok(cases.length > 1000, `expected the full corpus, found ${cases.length} cases`);
  assert.deepEqual(Object.keys(list.reasons).sort(), [...categories].sort(), 'every reason category is described in known-failures.json');
  for (const category of Object.values(knownFailures)) assert.ok(categories.includes(category), `unknown category '${category}' in known-failures.json`);
  const client = RuntimeClient.start({ timeoutMs: 120_000 });
  const unexpected: string[] = [];
  const nowPassing: string[] = [];
  const wrongReason: string[] = [];
  const byCategory = new Map<string, number>();
  let passed = 0;
  try {
    for (const c of cases) {
      const { outcome, model } = await runCase(client, c.dir, c.model);
      const listed = knownFailures[c.name];
      if (outcome.kind === 'pass') {
        passed++;
        if (listed && !environmentDependent.has(listed)) nowPassing.push(`${c.name} (listed as ${listed})`);
        continue;
      }
      const found = classify(outcome, model);
      const detail = outcome.kind === 'error' ? outcome.message.slice(0, 200) : `outputs differ, max abs error ${outcome.maxAbsError}`;
      if (!listed) unexpected.push(`${c.name}: ${found}: ${detail}`);
      else if (listed !== found) wrongReason.push(`${c.name}: listed as ${listed}, fails as ${found}: ${detail}`);
      else byCategory.set(listed, (byCategory.get(listed) ?? 0) + 1);
    }
  } finally {
    client.dispose();
  }
  t.diagnostic(`${cases.length} cases: ${passed} pass, ${cases.length - passed} fail`);
  for (const [category, n] of [...byCategory].sort((a, b) => b[1] - a[1])) t.diagnostic(`known failure, ${category} (${list.reasons[category as Category]}): ${n}`);
  assert.deepEqual(unexpected, [], 'cases that fail and are not in known-failures.json');
  assert.deepEqual(wrongReason, [], 'known failures that now fail for another reason');
  assert.deepEqual(nowPassing, [], 'cases in known-failures.json that pass now: remove them from the list');
});
