// The edits the test-run view's inputs table makes to an input specification, and the check of a spec
// that comes back from the webview or from workspace state; the edited spec resolves as the user meant.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { resolveInputs } from '../../../src/core/runtime/inputResolve.js';
import type { InputSpec } from '../../../src/core/runtime/inputSpec.js';
import { readInputSpec, withDim, withDimSize, withDistribution, withFiles, withShape, withValue } from '../../../src/core/runtime/inputSpecEdit.js';
import { audioModel, tokensModel } from './inputModels.js';

const shapeOf = (spec: InputSpec, model = tokensModel()) => Object.fromEntries(Object.entries(resolveInputs(model, spec).dataSets[0].inputs).map(([k, v]) => [k, v.dims]));

test('a size goes to dims under its key, or into the whole shape when the input has one; the original is left alone', () => {
  const spec: InputSpec = { dims: { 'mask[1]': 16 } };
  const edited = withDimSize(spec, 'tokens', 0, 'tokens[0]', 5);
  assert.deepEqual(edited, { dims: { 'mask[1]': 16, 'tokens[0]': 5 } });
  assert.deepEqual(spec, { dims: { 'mask[1]': 16 } });
  // A whole shape wins over dims in the resolver, so it is the one edited.
  const shaped = withDimSize({ shapes: { tokens: [2, 64] } }, 'tokens', 0, 'tokens[0]', 7);
  assert.deepEqual(shaped, { shapes: { tokens: [7, 64] } });
  assert.deepEqual(withDim({}, 'N', 3), { dims: { N: 3 } });
  // The resolver feeds what the table set, and the tied mask follows it.
  assert.deepEqual(shapeOf(edited), { tokens: [5, 64], mask: [5, 16] });
  assert.deepEqual(shapeOf(shaped), { tokens: [7, 64], mask: [7, 16] });
});

test('values, shapes, files and the distribution are set and removed without leaving empty maps', () => {
  const valued = withValue({}, 'sr', 8000);
  assert.deepEqual(valued, { values: { sr: 8000 } });
  assert.deepEqual(withValue(valued, 'sr', undefined), {});
  assert.deepEqual(withShape({}, 'x', [1, 3]), { shapes: { x: [1, 3] } });
  assert.deepEqual(withShape({ shapes: { x: [1, 3] } }, 'x', undefined), {});
  const files = withFiles({ files: ['a.npy'] }, { add: ['b.npy', 'a.npy'] });
  assert.deepEqual(files, { files: ['a.npy', 'b.npy'] });
  assert.deepEqual(withFiles(files, { remove: ['a.npy', 'b.npy'] }), {});
  assert.deepEqual(withDistribution({ dims: { N: 2 } }, 'zeros'), { dims: { N: 2 }, distribution: 'zeros' });
  // An edited sample rate is what the resolver feeds, no longer assumed.
  const resolved = resolveInputs(audioModel(), withValue({}, 'sr', 8000));
  assert.deepEqual(Array.from(resolved.dataSets[0].inputs.sr.data as BigInt64Array), [8000n]);
  assert.ok(!resolved.assumptions.some((a) => a.subject === 'sr'), JSON.stringify(resolved.assumptions));
});

test('a spec from outside is checked field by field; unknown fields are dropped', () => {
  const spec = { shapes: { x: [1, 3] }, dims: { N: 2 }, values: { sr: 16000, v: [[1, 2], [3, 4]] }, files: ['/a.npy'], distribution: 'uniform', seed: 3, extra: 'x' };
  assert.deepEqual(readInputSpec(JSON.parse(JSON.stringify(spec))), { shapes: { x: [1, 3] }, dims: { N: 2 }, values: { sr: 16000, v: [[1, 2], [3, 4]] }, files: ['/a.npy'], distribution: 'uniform', seed: 3 });
  assert.deepEqual(readInputSpec({}), {});
  const bad: Array<[unknown, RegExp]> = [
    [null, /not an object/],
    [[1], /not an object/],
    [{ shapes: { x: [1, -2] } }, /shape of input 'x' is not a list of whole numbers/],
    [{ shapes: [] }, /shapes are not a map/],
    [{ dims: { N: 1.5 } }, /size of 'N' is not a whole number/],
    [{ values: { v: [[1, 2], [3]] } }, /not rectangular/],
    [{ values: { v: { a: 1 } } }, /value of input 'v' is not a number/],
    [{ files: [''] }, /files are not a list of paths/],
    [{ distribution: 'gauss' }, /distribution must be one of normal, uniform, zeros, ones/],
    [{ seed: -1 }, /seed is not a whole number/],
  ];
  for (const [value, pattern] of bad) {
    assert.throws(() => readInputSpec(value), (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n'), JSON.stringify(value));
  }
});
