// `onnx-lens check` against the oracle, Debian's onnx.checker.check_model(model, full_check=True), on
// every libonnx-testdata model, our generated models, the committed fixtures and the checker's own
// hostile and valid models: the verdicts (errors or none) must agree, except for the models listed in
// test/conformance/checker-differences.json with the reason. A listed model on which both agree fails
// the test too, and so does a listed verdict that is not ours, so the list stays exact.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateCnn, generateMlp, generateTransformer, writeExternalDataModel } from '../../../bench/generate/index.js';
import { sampleModel } from '../../../bench/generate/sample.js';
import { checkModel, hasErrors } from '../../../src/core/check/index.js';
import { encodeModel, readModelFile } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { testCases } from '../../helpers/testdata.js';
import { writeCases } from './checkerModels.js';

interface Differences {
  oracle: string;
  reasons: Record<string, string>;
  models: Record<string, { ours: 'error' | 'valid'; reason: string }>;
}

const differencesPath = fileURLToPath(new URL('../../conformance/checker-differences.json', import.meta.url));
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const dir = tempDir('onnx-lens-check-conformance-');
after(() => rmSync(dir, { recursive: true, force: true }));

function writeModel(name: string, model: ModelProto): string {
  const folder = join(dir, 'generated', name);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'model.onnx');
  writeFileSync(path, encodeModel(model));
  return path;
}

/** Every model of the comparison, by a stable name. */
function corpus(): Map<string, string> {
  const models = new Map<string, string>();
  for (const c of testCases()) models.set(`testdata/${c.name}`, c.model);
  models.set('fixtures/sample', join(fixtures, 'sample.onnx'));
  for (const name of readdirSync(join(fixtures, 'exported'), { withFileTypes: true })) {
    if (name.isDirectory()) models.set(`fixtures/exported/${name.name}`, join(fixtures, 'exported', name.name, 'model.onnx'));
  }
  const small = { layers: 2, hidden: 32, heads: 4, vocab: 64, maxPositions: 16 };
  const generated: Record<string, ModelProto> = {
    mlp: generateMlp(),
    'mlp-node-metadata': generateMlp({ nodeMetadata: true }),
    cnn: generateCnn({ blocks: [1, 1], channels: 8, imageSize: 16, classes: 10 }),
    'cnn-constant-weights': generateCnn({ blocks: [1, 1], channels: 8, imageSize: 16, classes: 10, constantWeights: true }),
    transformer: generateTransformer(small),
    'transformer-node-metadata': generateTransformer({ ...small, nodeMetadata: true }),
    'transformer-constant-vectors': generateTransformer({ ...small, constantWeights: 'vectors' }),
    sample: sampleModel(),
    linear: linearModel(),
  };
  for (const [name, model] of Object.entries(generated)) models.set(`generated/${name}`, writeModel(name, model));
  const external = join(dir, 'generated', 'external-data');
  mkdirSync(external, { recursive: true });
  models.set('generated/external-data', writeExternalDataModel(external, { layers: 2, width: 16, seed: 3 }).modelPath);
  for (const [name, path] of writeCases(join(dir, 'checker'))) models.set(`checker/${name}`, path);
  return models;
}

/**
 * onnx.checker on many files in one Python process. Each model is loaded first (a path would make
 * check_model rewrite the file) without its external data, from its own folder, so that the checker
 * looks for external files beside the model as it does for a path. '' when valid, else the first line.
 */
function onnxVerdicts(paths: string[]): Record<string, string> {
  const list = join(dir, 'models.json');
  writeFileSync(list, JSON.stringify(paths));
  const code = [
    'import sys, os, json, onnx',
    'out = {}',
    'for p in json.load(open(sys.argv[1])):',
    '    try:',
    '        os.chdir(os.path.dirname(p))',
    '        m = onnx.load(p, load_external_data=False)',
    '        onnx.checker.check_model(m, full_check=True)',
    "        out[p] = ''",
    '    except Exception as e:',
    '        out[p] = (str(e).strip().splitlines() or [type(e).__name__])[0]',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(runPython(code, [list])) as Record<string, string>;
}

test('check agrees with onnx.checker (full_check) on every model, except the listed differences', { timeout: 10 * 60_000 }, async (t) => {
  const differences = JSON.parse(readFileSync(differencesPath, 'utf8')) as Differences;
  for (const [name, entry] of Object.entries(differences.models)) {
    assert.ok(entry.reason in differences.reasons, `${name}: reason '${entry.reason}' is not described in checker-differences.json`);
  }
  const models = corpus();
  assert.ok(models.size > 1100, `expected the full corpus, found ${models.size} models`);
  const oracle = onnxVerdicts([...models.values()]);

  const unlisted: string[] = [];
  const wrongVerdict: string[] = [];
  const agreeing: string[] = [];
  let bothValid = 0;
  let bothError = 0;
  for (const [name, path] of models) {
    const { model } = await readModelFile(path);
    const problems = checkModel(model, { modelDir: dirname(path) });
    const ours = hasErrors(problems) ? 'error' : 'valid';
    const theirs = oracle[path] === undefined ? undefined : oracle[path] ? 'error' : 'valid';
    assert.ok(theirs, `onnx.checker gave no verdict on ${name}`);
    const listed = differences.models[name];
    const firstError = problems.find((p) => p.severity === 'error')?.message ?? '';
    if (ours === theirs) {
      if (ours === 'valid') bothValid++;
      else bothError++;
      if (listed) agreeing.push(`${name}: both say ${ours}`);
    } else if (!listed) {
      unlisted.push(`${name}: ours ${ours}${firstError ? ` (${firstError})` : ''}, onnx ${theirs}${oracle[path] ? ` (${oracle[path]})` : ''}`);
    } else if (listed.ours !== ours) {
      wrongVerdict.push(`${name}: listed as ours=${listed.ours}, is ${ours}`);
    }
  }
  const used = new Set(Object.values(differences.models).map((e) => e.reason));
  const unusedReasons = Object.keys(differences.reasons).filter((r) => !used.has(r));
  t.diagnostic(`${models.size} models: ${bothValid} valid and ${bothError} invalid for both, ${Object.keys(differences.models).length} listed differences`);
  for (const reason of used) {
    t.diagnostic(`difference, ${reason}: ${Object.values(differences.models).filter((e) => e.reason === reason).length}`);
  }
  // One comparison, so that a failure shows everything that is wrong with the list at once.
  assert.deepEqual(
    { unlisted, wrongVerdict, agreeing, unusedReasons },
    { unlisted: [], wrongVerdict: [], agreeing: [], unusedReasons: [] },
    'unlisted: verdicts that differ from onnx.checker and are not in checker-differences.json; wrongVerdict: listed with a verdict that is not ours; agreeing: listed, but both agree now (remove them); unusedReasons: reasons no listed model uses',
  );
  assert.ok(bothError >= 40, `the hostile models and the three invalid testdata models are rejected by both (${bothError})`);
});
