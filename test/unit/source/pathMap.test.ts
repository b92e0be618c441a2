// Mapping an exporter's paths to files here: prefix maps first, then the longest path suffix among the
// workspace's files, then the path itself when it exists; installed packages' frames flagged.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import { applyPrefixMaps, commonSuffix, fileNameOf, mapSourcePath } from '../../../src/core/source/pathMap.js';
import { nodeSources } from '../../../src/core/source/nodeSources.js';

const ws = '/home/dev/project';

test('suffix match: the candidate sharing the most trailing segments wins', () => {
  const candidates = [`${ws}/make-exported-fixtures.py`, `${ws}/scripts/make-exported-fixtures.py`, `${ws}/old/tools/make-exported-fixtures.py`];
  assert.deepEqual(mapSourcePath('/src/onnx-lens/scripts/make-exported-fixtures.py', { candidates }), {
    found: true, path: `${ws}/scripts/make-exported-fixtures.py`, via: 'suffix', sitePackages: false,
  });
  assert.equal(commonSuffix('/a/b/c.py', 'x/b/c.py'), 2);
  assert.equal(commonSuffix('C:\\w\\b\\c.py', '/b/c.py'), 2);
});

test('suffix match: a tie goes to the path nearer the root; a relative frame path matches too', () => {
  const candidates = [`${ws}/deep/er/model.py`, `${ws}/model.py`];
  const mapped = mapSourcePath('/train/model.py', { candidates });
  assert.ok(mapped.found && mapped.path === `${ws}/model.py`);
  const relative = mapSourcePath('torch/fx/passes/runtime_assert.py', { candidates: [`${ws}/vendor/torch/fx/passes/runtime_assert.py`] });
  assert.ok(relative.found && relative.via === 'suffix');
});

test('prefix map applies first, by whole segments, the longest prefix winning', () => {
  const prefixMaps = [{ from: '/src', to: '/elsewhere' }, { from: '/src/onnx-lens/', to: ws }];
  assert.equal(applyPrefixMaps('/src/onnx-lens/scripts/x.py', prefixMaps), `${ws}/scripts/x.py`);
  assert.equal(applyPrefixMaps('/src/onnx-lensx/y.py', prefixMaps), '/elsewhere/onnx-lensx/y.py');
  assert.equal(applyPrefixMaps('/other/y.py', prefixMaps), undefined);
  // The suffix rule alone would pick `/mirror/train/main.py`, which shares more segments.
  const candidates = [`${ws}/main.py`, `/mirror/train/main.py`];
  const mapped = mapSourcePath('/job/train/main.py', { candidates, prefixMaps: [{ from: '/job/train', to: ws }] });
  assert.deepEqual(mapped, { found: true, path: `${ws}/main.py`, via: 'prefix', sitePackages: false });
});

test('no match: a one-line reason, and generated code never maps', () => {
  const missing = mapSourcePath('/src/onnx-lens/model.py', { candidates: [`${ws}/train.py`] });
  assert.deepEqual(missing, { found: false, reason: '/src/onnx-lens/model.py is not in the workspace', sitePackages: false });
  const viaMap = mapSourcePath('/job/model.py', { candidates: [], prefixMaps: [{ from: '/job', to: ws }] });
  assert.ok(!viaMap.found && viaMap.reason.includes(`mapped to ${ws}/model.py, which does not exist`));
  const generated = mapSourcePath('<eval_with_key>.43', { candidates: [`${ws}/<eval_with_key>.43`], exists: () => true });
  assert.ok(!generated.found && generated.reason.includes('generated'));
});

test('site-packages: flagged; opens the installed file when it exists; never a user file of the same name', () => {
  const frame = '/opt/venv/lib/python3.11/site-packages/torch/nn/modules/linear.py';
  const userFile = mapSourcePath(frame, { candidates: [`${ws}/linear.py`, `${ws}/nn/modules/linear.py`] });
  assert.deepEqual(userFile, { found: false, reason: `${frame} is not in the workspace`, sitePackages: true });
  const vendored = mapSourcePath(frame, { candidates: [`${ws}/.venv/lib/python3.12/site-packages/torch/nn/modules/linear.py`] });
  assert.ok(vendored.found && vendored.via === 'suffix' && vendored.sitePackages);
  const local = mapSourcePath(frame, { candidates: [], exists: (p) => p === frame });
  assert.deepEqual(local, { found: true, path: frame, via: 'local', sitePackages: true });
});

test('the dynamo fixture\'s own frames map to the committed script in this repository', () => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
  const model = decodeModel(readFileSync(`${repo}/test/fixtures/exported/cnn_dynamo/model.onnx`));
  const frame = nodeSources(model)[0].frames[0];
  const candidates = [`${repo}/scripts/${fileNameOf(frame.file)}`].filter(existsSync);
  const mapped = mapSourcePath(frame.file, { candidates, exists: existsSync });
  assert.ok(mapped.found, JSON.stringify(mapped));
  assert.equal(mapped.path, `${repo}/scripts/make-exported-fixtures.py`);
  assert.equal(readFileSync(mapped.path, 'utf8').split('\n')[frame.line - 1].trim(), frame.code);
});
