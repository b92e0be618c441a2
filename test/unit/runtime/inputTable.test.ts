// The inputs table of the test-run view and the sizes a command asks for: built from what the resolver
// fed and assumed, or from the declared inputs when a spec does not resolve; files tied to the inputs
// they name.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataType } from '../../../src/core/model/proto.js';
import { resolveInputs } from '../../../src/core/runtime/inputResolve.js';
import type { InputSpec } from '../../../src/core/runtime/inputSpec.js';
import { withDim } from '../../../src/core/runtime/inputSpecEdit.js';
import { declaredTable, filesByInput, inputsNamedBy, resolvedTable, unknownDims } from '../../../src/core/runtime/inputTable.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { linearModel, tempDir } from '../../helpers/models.js';
import { audioModel, tokensModel, unshapedModel } from './inputModels.js';

const audio = audioModel();
const tokens = tokensModel();

test('each axis says its key, its fed size and why it was assumed; an assumed scalar value says why', () => {
  const table = resolvedTable(audio, {}, resolveInputs(audio));
  const [input, sr] = table.rows;
  assert.equal(input.name, 'input');
  assert.deepEqual(input.axes.map((a) => [a.key, a.size, a.declared]), [['input[0]', 1, null], ['input[1]', 130, null]]);
  assert.equal(input.axes[0].assumed, 'unknown');
  assert.match(input.axes[1].assumed!, /at least 65 for Pad '\/rate_16k\/Pad'/);
  assert.equal(input.source, 'generated');
  assert.equal(sr.dtype, 'int64');
  assert.deepEqual(sr.axes, []);
  assert.equal(sr.value, '16000');
  assert.match(sr.assumedValue!, /compared with 16000 by Equal/);
  assert.deepEqual(table.assumptions.map((a) => a.subject), ['input[0]', 'input[1]', 'sr']);
  // Given sizes and values are not marked.
  const given = resolvedTable(audio, { shapes: { input: [2, 400] }, values: { sr: 16000 } }, resolveInputs(audio, { shapes: { input: [2, 400] }, values: { sr: 16000 } }));
  assert.deepEqual(given.rows[0].axes.map((a) => [a.size, a.assumed]), [[2, undefined], [400, undefined]]);
  assert.deepEqual([given.rows[1].source, given.rows[1].assumedValue], ['value', undefined]);
  // Fixed axes have no key; a symbol is its own key.
  const linear = linearModel(4, 3);
  const rows = resolvedTable(linear, { dims: { N: 6 } }, resolveInputs(linear, { dims: { N: 6 } })).rows;
  assert.deepEqual(rows[0].axes, [{ size: 6, declared: 'N', key: 'N' }, { size: 4, declared: 4, key: undefined }]);
});

test('a spec that does not resolve still gives the declared inputs, sized as far as the spec says', () => {
  const table = declaredTable(audio, { dims: { 'input[1]': 512 }, values: { sr: 'fast' } }, "--value sr: 'fast' is not a whole number.");
  assert.equal(table.summary, "--value sr: 'fast' is not a whole number.");
  assert.deepEqual(table.rows.map((r) => [r.name, r.dtype, r.source, r.value]), [['input', 'float', 'generated', undefined], ['sr', 'int64', 'value', 'fast']]);
  assert.deepEqual(table.rows[0].axes, [{ declared: null, key: 'input[0]' }, { size: 512, declared: null, key: 'input[1]' }]);
  // An input the model declares no shape for has no axes until a whole shape gives them.
  assert.deepEqual(declaredTable(unshapedModel(), { shapes: { x: [2, 3] } }, '').rows[0].axes, [{ size: 2, declared: null, key: undefined }, { size: 3, declared: null, key: undefined }]);
});

test('the sizes to ask for are those nothing in the model gives; an answer also sizes the dims tied to it', () => {
  assert.deepEqual(unknownDims(resolveInputs(audio)), [{ key: 'input[0]', value: 1, uses: ['input[0]'] }]);
  assert.deepEqual(unknownDims(resolveInputs(audio, withDim({}, 'input[0]', 1))), []);
  // mask[0] is tied to tokens[0]: once tokens[0] is given, only it was asked.
  assert.deepEqual(unknownDims(resolveInputs(tokens)).map((d) => d.key), ['tokens[0]', 'mask[0]']);
  const answered = withDim({}, 'tokens[0]', 3);
  assert.deepEqual(unknownDims(resolveInputs(tokens, answered)), []);
  assert.deepEqual(resolveInputs(tokens, answered).dataSets[0].inputs.mask.dims, [3, 16]);
  // A symbol shared by inputs is asked once, with its uses.
  const linear = linearModel(4, 3);
  assert.deepEqual(unknownDims(resolveInputs(linear)), [{ key: 'N', value: 1, uses: ['X[0]'] }]);
  // Inputs fed from files are not asked about.
  const dir = tempDir();
  const file = join(dir, 'X.npy');
  writeFileSync(file, encodeNpy({ dtype: DataType.FLOAT, dims: [2, 4], data: new Float32Array(8) }));
  assert.deepEqual(unknownDims(resolveInputs(linear, { files: [file] })), []);
});

test('files are tied to the inputs they name; folders and unnamed files are shared, except for a model with one input', () => {
  const dir = tempDir();
  const npy = (name: string, dims: number[]) => {
    const path = join(dir, name);
    writeFileSync(path, encodeNpy({ dtype: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) }));
    return path;
  };
  const tokensFile = npy('tokens.npy', [2, 64]);
  const unnamed = npy('data.npy', [2, 16]);
  const json = join(dir, 'mask.json');
  writeFileSync(json, JSON.stringify({ mask: [[0, 1]], other: 1 }));
  const folder = join(dir, 'set');
  mkdirSync(folder);
  assert.deepEqual(inputsNamedBy(tokensFile, tokens), ['tokens']);
  assert.deepEqual(inputsNamedBy(unnamed, tokens), []);
  assert.deepEqual(inputsNamedBy(json, tokens), ['mask']);
  assert.deepEqual(inputsNamedBy(join(dir, 'missing.npy'), tokens), []);
  const { byInput, shared } = filesByInput([tokensFile, unnamed, json, folder], tokens);
  assert.deepEqual([...byInput], [['tokens', tokensFile], ['mask', json]]);
  assert.deepEqual(shared, [unnamed, folder]);
  // With one input, an unnamed tensor file can only feed it.
  const linear = linearModel(4, 3);
  assert.deepEqual([...filesByInput([unnamed], linear).byInput], [['X', unnamed]]);
  // The table marks the file of a file-fed input.
  const spec: InputSpec = { files: [tokensFile] };
  const rows = resolvedTable(tokens, spec, resolveInputs(tokens, spec)).rows;
  assert.deepEqual(rows.map((r) => [r.name, r.source, r.file]), [['tokens', 'file', tokensFile], ['mask', 'generated', undefined]]);
  assert.deepEqual(rows[0].axes.map((a) => [a.size, a.assumed]), [[2, undefined], [64, undefined]]);
});
