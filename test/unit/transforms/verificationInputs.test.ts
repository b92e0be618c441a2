// The inputs a transform verifies on (and calibrates with) come from the one input resolver: what the user
// gave is checked before anything is written, generated sets repeat with their seeds, the report's inputs
// line names what was assumed, and a model whose inputs cannot be generated is still transformed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { resolveInputs } from '../../../src/core/runtime/inputResolve.js';
import { encodeNpy } from '../../../src/core/runtime/npy.js';
import { mergeInputChoice, prepareInputs } from '../../../src/core/transforms/verificationInputs.js';
import { tempDir } from '../../helpers/models.js';
import { audioModel, tokensModel } from '../runtime/inputModels.js';

const tokens = tokensModel();

test('generated sets follow the spec, one seed each; the first is what run feeds; the source names the assumptions', () => {
  const spec = { dims: { 'tokens[0]': 2 }, distribution: 'uniform' as const, seed: 5 };
  const { sets, source } = prepareInputs(tokens, { ...spec, count: 3 })();
  assert.equal(sets.length, 3);
  assert.deepEqual(sets.map((s) => [s.tokens.dims, s.mask.dims]), Array(3).fill([[2, 64], [2, 16]]));
  assert.deepEqual(Array.from(sets[0].tokens.data as Float32Array), Array.from(resolveInputs(tokens, spec).dataSets[0].inputs.tokens.data as Float32Array));
  assert.notDeepEqual(Array.from(sets[1].tokens.data as Float32Array), Array.from(sets[0].tokens.data as Float32Array));
  assert.equal(source, "3 generated input sets: generated (uniform, seed 5); --dims tokens[0]=2 (seeds 5 to 7); assumed: tokens[1] = 64 (MatMul '/proj/MatMul' fixes it at 64), mask[0] = 2 (the graph makes it equal to tokens[0]), mask[1] = 16 (Add '/proj/Add' fixes it at 16)");
  // Values and whole shapes are fed as given: the audio model's sample rate and length.
  const audio = prepareInputs(audioModel(), { shapes: { input: [1, 300] }, values: { sr: 16000 } })();
  assert.deepEqual(audio.sets[0].input.dims, [1, 300]);
  assert.deepEqual(Array.from(audio.sets[0].sr.data as BigInt64Array), [16000n]);
  assert.equal(audio.source, '1 generated input set: generated (normal, seed 0); --shape input=1x300 --value sr=16000');
});

test('files feed what they name; inputs they do not hold are generated, and the source says so', () => {
  const dir = tempDir();
  const file = join(dir, 'tokens.npy');
  writeFileSync(file, encodeNpy({ dtype: DataType.FLOAT, dims: [3, 64], data: new Float32Array(192).fill(0.5) }));
  const mixed = prepareInputs(tokens, { files: [file] })();
  assert.deepEqual(mixed.sets[0].tokens.dims, [3, 64]);
  assert.deepEqual(mixed.sets[0].mask.dims, [3, 16], 'mask[0] follows the file\'s tokens[0]');
  assert.match(mixed.source, /^tokens\.npy from .*tokens\.npy; assumed: mask\[0\] = 3 \(the graph makes it equal to tokens\[0\]\), mask\[1\] = 16/);
  const maskFile = join(dir, 'mask.npy');
  writeFileSync(maskFile, encodeNpy({ dtype: DataType.FLOAT, dims: [3, 16], data: new Float32Array(48) }));
  assert.equal(prepareInputs(tokens, { files: [file, maskFile] })().source, `${file}, ${maskFile}`);
});

test('what the user gave is checked at once; sets the model cannot have generated fail only when used', () => {
  const early = (choice: Parameters<typeof prepareInputs>[1], pattern: RegExp) => assert.throws(() => prepareInputs(tokens, choice), (e: unknown) => e instanceof UserError && pattern.test(e.message));
  early({ dims: { batch: 2 } }, /--dims names no dimension 'batch': the model's free dimensions are tokens\[0\], tokens\[1\], mask\[0\], mask\[1\]/);
  early({ shapes: { tokens: [2] } }, /--shape tokens=2: input 'tokens' has rank 2/);
  early({ files: ['/nowhere/tokens.npy'] }, /No such file or folder: \/nowhere\/tokens\.npy/);
  early({ values: { mask: 'x' } }, /--value mask/);
  const sequence = onnx.ModelProto.create({
    irVersion: toLong(8), opsetImport: [{ domain: '', version: toLong(17) }],
    graph: {
      name: 'g', node: [{ opType: 'SequenceLength', input: ['s'], output: ['n'] }],
      input: [{ name: 's', type: { sequenceType: { elemType: { tensorType: { elemType: DataType.FLOAT } } } } }],
      output: [{ name: 'n', type: { tensorType: { elemType: DataType.INT64, shape: { dim: [] } } } }],
    },
  });
  const later = prepareInputs(sequence, {});
  assert.throws(() => later(), (e: unknown) => e instanceof UserError && /Input 's' is a sequence/.test(e.message));
});

test('the host\'s choice and the transform\'s own merge: files once, sizes from both, the host\'s values and shapes kept', () => {
  assert.deepEqual(mergeInputChoice({ dims: { N: 2 }, values: { sr: 8000 }, shapes: { x: [1, 2] }, distribution: 'ones' }, { files: ['cal'], count: 8, dims: { M: 3 } }),
    { files: ['cal'], dims: { M: 3, N: 2 }, values: { sr: 8000 }, shapes: { x: [1, 2] }, distribution: 'ones', count: 8, seed: undefined });
  assert.throws(() => mergeInputChoice({ files: ['a'] }, { files: ['b'] }), /Give the input sets once/);
});
