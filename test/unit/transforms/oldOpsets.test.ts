// What fold, simplify and prune write is valid at the model's own opset and IR version, or they raise it
// through the opset converter and say so: on every libonnx-testdata model of opset 6 to 9 the results pass
// the checker at the source's opset; a graph output folded into a Constant of int64 (which Constant holds
// from opset 9 on) raises an opset-7 or -8 model to 9; sparse storage raises an IR-3 model to IR 6.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { checkModel } from '../../../src/core/check/checkModel.js';
import type { Problem } from '../../../src/core/check/problem.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import { DataType, int64ToNumber, type ModelProto } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { foldTransform } from '../../../src/core/transforms/foldTransform.js';
import { pruneTransform } from '../../../src/core/transforms/pruneTransform.js';
import { simplifyTransform } from '../../../src/core/transforms/simplify/simplifyTransform.js';
import type { AnyTransform } from '../../../src/core/transforms/transform.js';
import { applyTransform, memoryContext, transformFile } from '../../../src/core/transforms/transformFile.js';
import { tempDir } from '../../helpers/models.js';
import { testCases } from '../../helpers/testdata.js';
import { f32, model, node, seq, valueInfo } from './foldModels.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
const dir = tempDir('onnx-lens-old-opsets-');
after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const key = (p: Problem) => `${p.rule}|${p.message}`;
const errors = (m: ModelProto, modelDir?: string) => checkModel(m, { modelDir, runtime: false }).filter((p) => p.severity === 'error');

test('fold and simplify on every libonnx-testdata model of opset 6 to 9: the result passes the checker at the source\'s own opset', async () => {
  const transforms = [foldTransform, simplifyTransform] as AnyTransform[];
  let compared = 0;
  const added: string[] = [];
  for (const c of testCases()) {
    const source = decodeModel(readFileSync(c.model));
    const opset = defaultOpset(source);
    if (opset < 6 || opset > 9) continue;
    const before = new Set(errors(source, dirname(c.model)).map(key));
    for (const transform of transforms) {
      const options = transform.resolve({ keep: [] });
      const { model: result } = await applyTransform(transform, source, options, memoryContext(transform, source, options, { client, baseDir: dirname(c.model) }));
      assert.equal(defaultOpset(result), opset, `${transform.name} ${c.name}`);
      for (const p of errors(result, dirname(c.model))) if (!before.has(key(p))) added.push(`${transform.name} ${c.name}: ${p.rule}: ${p.message}`);
      compared++;
    }
  }
  assert.ok(compared >= 2 * 190, `${compared} results`);
  assert.deepEqual(added, []);
});

/** y = Relu(x) and s = Shape(x): folding makes s a Constant node (an initializer cannot be a graph output). */
const shapeOutput = (opset: number) => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 4])],
    output: [valueInfo('y', DataType.FLOAT, [2, 4]), valueInfo('s', DataType.INT64, [2])],
    node: [node('Relu', ['x'], ['y']), node('Shape', ['x'], ['s'])],
  }, opset, 3);
  m.metadataProps = [];
  return m;
};

for (const transform of [foldTransform, simplifyTransform] as AnyTransform[]) {
  test(`${transform.name}: a graph output folded into a Constant of int64 raises opset 7 and 8 to 9 through the converter, verified; opset 9 stays`, async () => {
    for (const opset of [7, 8, 9]) {
      const input = join(dir, `shape-${transform.name}-${opset}.onnx`);
      writeFileSync(input, encodeModel(shapeOutput(opset)));
      assert.deepEqual(errors(shapeOutput(opset)), []);
      const output = join(dir, `shape-${transform.name}-${opset}.out.onnx`);
      const { report } = await transformFile(transform, { input, output, options: transform.resolve({ keep: [] }), client });
      assert.equal(report.verification?.status, 'pass', `${opset}: ${report.verification?.problem}`);
      const written = decodeModel(readFileSync(output));
      assert.deepEqual(written.graph!.node!.map((n) => n.opType), ['Relu', 'Constant']);
      assert.deepEqual(errors(written), []);
      const raised = report.notes.filter((n) => n.startsWith('Raised the opset'));
      assert.equal(defaultOpset(written), 9);
      assert.deepEqual(raised, opset < 9 ? [`Raised the opset from ${opset} to 9 for Constant nodes holding int64, which Constant takes from opset 9 on.`] : []);
    }
  });
}

test('prune --sparse-storage on an IR-3 model raises the IR version to 6 (sparse_initializer), verified; dense storage leaves it at 3', async () => {
  const m = model({
    input: [valueInfo('x', DataType.FLOAT, [2, 16]), valueInfo('w', DataType.FLOAT, [16, 16])],
    output: [valueInfo('y', DataType.FLOAT, [2, 16])],
    initializer: [f32('w', [16, 16], seq(256))],
    node: [node('MatMul', ['x', 'w'], ['y'])],
  }, 7, 3);
  m.metadataProps = [];
  const input = join(dir, 'matmul-ir3.onnx');
  writeFileSync(input, encodeModel(m));
  for (const sparseStorage of [true, false]) {
    const output = join(dir, `matmul-ir3.${sparseStorage}.onnx`);
    const options = pruneTransform.resolve({ sparsity: 0.7, pattern: undefined, 'per-layer': false, outputs: [], inputs: [], exclude: [], 'sparse-storage': sparseStorage });
    const { report } = await transformFile(pruneTransform, { input, output, options, client, minCosine: 0.5 });
    assert.equal(report.verification?.status, 'pass', report.verification?.problem);
    const written = decodeModel(readFileSync(output));
    assert.equal(written.graph!.sparseInitializer?.length ?? 0, sparseStorage ? 1 : 0);
    assert.equal(int64ToNumber(written.irVersion), sparseStorage ? 6 : 3);
    assert.equal(defaultOpset(written), 7);
    assert.deepEqual(errors(written), []);
    assert.equal(report.notes.includes('Raised the IR version from 3 to 6, the first with sparse_initializer.'), sparseStorage);
  }
});
