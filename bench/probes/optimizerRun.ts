// Shared by the fold and simplify probes: our side of an optimizer figure, file to file as a user's
// command runs it. onnxruntime is loaded in its child and has created one session before the clock starts,
// as the Python peer has imported onnxruntime (which initializes it) before its clock starts.
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InputChoice } from '../../src/core/transforms/verificationInputs.js';
import { encodeModel, readModelFile } from '../../src/core/model/decode.js';
import { encodeModelParts } from '../../src/core/model/modelWriter.js';
import { DataType, onnx, type ModelProto } from '../../src/core/model/proto.js';
import type { RuntimeClient } from '../../src/core/runtime/client.js';

/** onnxruntime initialized in the child: its first session pays the library's one-time set-up. */
export async function warmRuntime(client: RuntimeClient): Promise<void> {
  await client.info();
  const model = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'warm', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } } } }],
    },
  });
  await client.run(encodeModel(model), { x: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(1) } });
}

/**
 * Times `optimize` file to file: read and decode the source, optimize, encode and write the result
 * (without verification), or `whole` (the command's own pipeline, verification included). Milliseconds and
 * the result's model.
 */
export async function fileToFile(path: string, optimize: (model: ModelProto) => Promise<ModelProto>): Promise<{ ms: number; result: ModelProto }> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-lens-bench-'));
  try {
    const started = performance.now();
    const { model } = await readModelFile(path);
    const result = await optimize(model);
    // Part by part, as the command writes it (without its fsync and rename: the peer does neither).
    const fd = openSync(join(dir, 'optimized.onnx'), 'w');
    try {
      for (const part of encodeModelParts(result)) for (let done = 0; done < part.length;) done += writeSync(fd, part, done);
    } finally {
      closeSync(fd);
    }
    return { ms: performance.now() - started, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Times a whole transform command's pipeline (read, check, transform, check, write, verify) to a temporary file. */
export async function wholeCommand(run: (output: string) => Promise<unknown>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-lens-bench-'));
  try {
    const started = performance.now();
    await run(join(dir, 'optimized.onnx'));
    return performance.now() - started;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The inputs verification runs on: a fixture's own first test data set where the model has one (models
 * like the silero-like ones need real values: a reflect Pad rejects one generated sample), else generated.
 */
export function verificationInputs(path: string): InputChoice | undefined {
  const data = join(dirname(path), 'test_data_set_0');
  return existsSync(data) ? { files: [data] } : undefined;
}
