import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ModelProto } from '../../../src/core/model/proto.js';
import type { Dim } from '../../../src/core/model/types.js';
import type { TensorArray } from '../../../src/core/model/tensorValues.js';
import { DimAlgebra } from '../../../src/core/ops/dimAlgebra.js';
import { inferModelShapes, isKnownDim, modelSymbols } from '../../../src/core/ops/modelShapes.js';
import { captureRuntimeValues } from '../../../src/core/runtime/capture.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { generateInputs } from '../../../src/core/runtime/inputs.js';
import { generateCnn, generateTransformer } from '../../../bench/generate/index.js';
import { shapeCases, type ShapeCase } from './shapeModels.js';

const client = RuntimeClient.start({ timeoutMs: 120_000 });
after(() => client.dispose());

interface Checked {
  /** Node outputs onnxruntime reported a shape for. */
  compared: number;
  /** Node outputs with a dim or the rank unknown to inference. */
  partial: string[];
  wrong: string[];
}

/**
 * Infers the model's shapes, runs it once per binding of its symbols, and checks every symbolic dim
 * against the shape onnxruntime gives each top-level value (expressions evaluated with the binding).
 */
async function checkAgainstRuntime(model: ModelProto, bindings: Array<Record<string, number>>, extraFeeds?: ShapeCase['feeds']): Promise<Checked> {
  const types = inferModelShapes(model).get(model.graph!)!;
  const dims = new DimAlgebra();
  const outputs = (model.graph!.node ?? []).flatMap((n) => n.output ?? []).filter(Boolean);
  const fileSymbols = modelSymbols(model);
  // A fresh unk__N symbol names a size inference does not know.
  const known = (d: Dim) => isKnownDim(d, fileSymbols);
  const partial = outputs.filter((name) => {
    const shape = types.get(name)?.shape;
    return !shape || !shape.every(known);
  });
  const wrong: string[] = [];
  let compared = 0;
  for (const [run, binding] of bindings.entries()) {
    const feeds: Record<string, TensorArray> = { ...generateInputs(model, { dims: binding, seed: run + 1 }), ...(extraFeeds?.(binding, run) ?? {}) };
    const captured = await captureRuntimeValues(client, model, feeds, { profileRuns: 0 });
    const sizes = new Map(Object.entries(binding));
    // Values that share a fresh symbol must share that size at run time.
    const freshSizes = new Map<string, { size: number; at: string }>();
    for (const name of outputs) {
      const actual = captured.values[name]?.shape;
      if (!actual) continue;
      compared++;
      const ours = types.get(name)?.shape;
      if (!ours) continue;
      const evaluated = ours.map((d) => (!known(d) ? null : dims.evaluate(d, sizes) ?? `unevaluable ${d}`));
      const bad = ours.length !== actual.length || evaluated.some((d, i) => d !== null && d !== actual[i]);
      ours.forEach((d, i) => {
        if (typeof d !== 'string' || known(d) || !/^unk__\d+$/.test(d) || actual[i] === undefined) return;
        const seen = freshSizes.get(d);
        if (seen && seen.size !== actual[i]) wrong.push(`${d} is ${seen.size} in ${seen.at} and ${actual[i]} in ${name} with ${JSON.stringify(binding)}`);
        else if (!seen) freshSizes.set(d, { size: actual[i], at: name });
      });
      if (bad) wrong.push(`${name}: inferred [${ours.join(', ')}] = [${evaluated.join(', ')}] with ${JSON.stringify(binding)}, onnxruntime [${actual.join(', ')}]`);
    }
  }
  return { compared, partial, wrong };
}

for (const c of shapeCases()) {
  test(`symbolic shapes match onnxruntime's on every value: ${c.name}`, async () => {
    const result = await checkAgainstRuntime(c.model, c.bindings, c.feeds);
    assert.deepEqual(result.wrong, []);
    assert.ok(result.compared > 0);
    assert.deepEqual(result.partial.sort(), Object.keys(c.partial ?? {}).sort(), 'values whose shape stays partly unknown');
    const types = inferModelShapes(c.model).get(c.model.graph!)!;
    for (const [name, shape] of Object.entries(c.expect ?? {})) assert.deepEqual(types.get(name)?.shape, shape, name);
  });
}

test('a ResNet-style export without value_info: every intermediate shape known, with symbolic batch and image size', async () => {
  const model = generateCnn({ blocks: [1, 1], channels: 8, imageSize: 32, classes: 10 });
  assert.equal(model.graph!.valueInfo?.length ?? 0, 0, 'the generator writes no value_info, like a torchscript export');
  const input = model.graph!.input![0].type!.tensorType!.shape!.dim!;
  input[2] = { dimParam: 'height' };
  input[3] = { dimParam: 'width' };
  const result = await checkAgainstRuntime(model, [{ batch_size: 1, height: 32, width: 32 }, { batch_size: 2, height: 41, width: 27 }]);
  assert.deepEqual(result.wrong, []);
  assert.deepEqual(result.partial, []);
  const types = inferModelShapes(model).get(model.graph!)!;
  const stem = model.graph!.node!.find((n) => n.opType === 'MaxPool')!.output![0];
  assert.deepEqual(types.get(stem)?.shape, ['batch_size', 8, 'floor((height + 1)/2)', 'floor((width + 1)/2)']);
});

test('a generated transformer: the Shape -> Reshape chains of its attention resolve to symbols onnxruntime confirms', async () => {
  const model = generateTransformer({ layers: 2, hidden: 32, heads: 4, vocab: 50, seed: 3 });
  const result = await checkAgainstRuntime(model, [{ batch_size: 1, sequence_length: 7 }, { batch_size: 2, sequence_length: 12 }]);
  assert.deepEqual(result.wrong, []);
  assert.deepEqual(result.partial, []);
  assert.ok(result.compared > 100);
});
