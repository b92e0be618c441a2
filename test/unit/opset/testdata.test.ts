// Debian's libonnx-testdata through the converter. The old-opset cases onnxruntime cannot run as they are
// (no kernels below opset 7: 23 pytorch-converted, 11 pytorch-operator) must run and match their expected
// outputs once converted to 7 and to 13; onnx.version_converter to 13 makes 20 of the 23 match. Every
// other case that passes conformance must still pass converted to 13, or be refused with one line (ops
// that do not exist at 13). The converted models pass onnx.checker.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { convertOpset } from '../../../src/core/opset/convert.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareOutputs } from '../../../src/core/runtime/compare.js';
import { readTestDataSet, testDataSetDirs } from '../../../src/core/runtime/testData.js';
import { tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { testCases, type TestCase } from '../../helpers/testdata.js';

const knownFailures = (JSON.parse(readFileSync(new URL('../../conformance/known-failures.json', import.meta.url), 'utf8')) as { cases: Record<string, string> }).cases;
// The pytorch cases below opset 7 (run, compare and conformance upgrade them in memory, so they are no
// longer known failures); the test below keeps those onnxruntime cannot run as they are.
const oldOpset = testCases().filter((c) => c.name.startsWith('pytorch-') && defaultOpset(decodeModel(readFileSync(c.model))) < 7).map((c) => c.name);
const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());
const dir = tempDir('onnx-lens-opset-testdata-');

/** Runs a converted model on every data set of its case; '' when every output matches, else why not. */
async function matches(c: TestCase, source: ModelProto, converted: ModelProto): Promise<string> {
  const bytes = encodeModel(converted);
  for (const d of testDataSetDirs(c.dir)) {
    const set = readTestDataSet(d, source);
    let outputs;
    try {
      outputs = await client.run(bytes, set.inputs);
    } catch (error) {
      return error instanceof Error ? error.message.slice(0, 200) : String(error);
    }
    const failed = compareOutputs(set.expected ?? {}, outputs, { rtol: 1e-3, atol: 1e-4 }).filter((o) => !o.pass);
    if (failed.length > 0) return `outputs differ: ${failed.map((o) => `${o.name} (max abs error ${o.maxAbsError})`).join(', ')}`;
  }
  return '';
}

/** onnx.checker (full check) on written models: path -> '' or the first line of its complaint. */
function check(paths: string[]): Map<string, string> {
  const code = [
    'import sys, onnx',
    'for path in sys.argv[1:]:',
    '    try:',
    '        onnx.checker.check_model(onnx.load(path), full_check=True)',
    "        print(path + '\\t')",
    '    except Exception as e:',
    "        print(path + '\\t' + (str(e).splitlines() or [type(e).__name__])[0])",
  ].join('\n');
  const out = new Map<string, string>();
  for (let i = 0; i < paths.length; i += 200) {
    for (const line of runPython(code, paths.slice(i, i + 200)).split('\n')) {
      if (!line) continue;
      const [path, message] = line.split('\t');
      out.set(path, message ?? '');
    }
  }
  return out;
}

test('old-opset cases onnxruntime cannot run match their expected outputs converted to 7 and to 13', { timeout: 10 * 60_000 }, async () => {
  const cases = testCases().filter((c) => oldOpset.includes(c.name));
  const failures: string[] = [];
  const written: string[] = [];
  const unrunnable: string[] = [];
  for (const c of cases) {
    const source = decodeModel(readFileSync(c.model));
    // Ops whose kernels onnxruntime still has at opset 6 (Relu, Sigmoid...) run as they are.
    if (await matches(c, source, source) === '') continue;
    unrunnable.push(c.name);
    for (const target of [7, 13]) {
      const { model } = convertOpset(source, target);
      const why = await matches(c, source, model);
      if (why) failures.push(`${c.name} at ${target}: ${why}`);
      const file = join(dir, `${c.name.replace('/', '__')}.${target}.onnx`);
      writeFileSync(file, encodeModel(model));
      written.push(file);
    }
  }
  assert.equal(unrunnable.filter((n) => n.startsWith('pytorch-converted/')).length, 23, 'the 23 pytorch-converted cases onnxruntime cannot run as they are');
  assert.equal(unrunnable.filter((n) => n.startsWith('pytorch-operator/')).length, 11, 'the 11 pytorch-operator ones');
  assert.deepEqual(failures, []);
  const verdicts = check(written);
  assert.deepEqual(written.filter((f) => verdicts.get(f)).map((f) => `${f}: ${verdicts.get(f)}`), []);
});

test('every other case that passes conformance still passes converted to 13, or is refused in one line', { timeout: 15 * 60_000 }, async (t) => {
  const cases = testCases();
  assert.ok(cases.length > 1000);
  const failures: string[] = [];
  const refused = new Map<string, number>();
  const written: Array<{ name: string; file: string }> = [];
  let passed = 0;
  for (const c of cases) {
    if (knownFailures[c.name] || oldOpset.includes(c.name) || testDataSetDirs(c.dir).length === 0) continue;
    const source = decodeModel(readFileSync(c.model));
    let model: ModelProto;
    try {
      model = convertOpset(source, 13).model;
    } catch (error) {
      assert.ok(error instanceof UserError, `${c.name}: ${String(error)}`);
      assert.ok(!error.message.includes('\n'));
      const reason = error.message.replace(/.*: /, '').replace(/^(\w+) does not exist before.*/, '$1 is newer than 13');
      refused.set(reason, (refused.get(reason) ?? 0) + 1);
      continue;
    }
    const why = await matches(c, source, model);
    if (why) failures.push(`${c.name}: ${why}`);
    else passed++;
    const file = join(dir, `${c.name.replace('/', '__')}.13.onnx`);
    writeFileSync(file, encodeModel(model));
    written.push({ name: c.name, file });
  }
  t.diagnostic(`${passed} converted to 13 and matched; refused: ${[...refused].map(([r, k]) => `${k} x ${r}`).join('; ')}`);
  assert.deepEqual(failures, []);
  assert.ok(passed >= 900, `only ${passed} cases converted and matched`);
  const verdicts = check(written.map((w) => w.file));
  assert.deepEqual(written.filter((w) => verdicts.get(w.file)).map((w) => `${w.name}: ${verdicts.get(w.file)}`), []);
});
