// onnxruntime's first session in a process pays for setting onnxruntime up (its environment and kernel
// registries): 0.1–0.2 s, several times what a small model's own session takes. The child (the only
// importer of this module) pays it on a one-node model as soon as it starts, while its parent is still busy
// elsewhere.
import * as ort from 'onnxruntime-node';
import { DataType, onnx, toLong } from '../model/proto.js';

/** y = Identity(x), x: float[1]. */
function warmUpModel(): Uint8Array {
  const value = (name: string) => ({ name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: toLong(1) }] } } } });
  return onnx.ModelProto.encode(new onnx.ModelProto({
    irVersion: toLong(8),
    opsetImport: [{ domain: '', version: toLong(17) }],
    graph: { name: 'warm_up', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [value('x')], output: [value('y')] },
  })).finish();
}

/** Creates, runs and releases a session of the one-node model. */
export async function warmUp(): Promise<void> {
  try {
    const session = await ort.InferenceSession.create(warmUpModel(), { executionProviders: ['cpu'], logSeverityLevel: 3 });
    try {
      await session.run({ x: new ort.Tensor('float32', Float32Array.of(0), [1]) });
    } finally {
      await session.release();
    }
  } catch {
    // Whatever is wrong with onnxruntime, the first real request reports it in onnxruntime's own words.
  }
}
