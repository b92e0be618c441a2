// Child process: constant folding of one model by us, file to file (fold + cleanup, onnxruntime evaluating
// what our own kernels leave in its child process; 'ours-verified' is the whole `onnx-lens fold` pipeline
// with checks and verification), or by onnxruntime-node's 'basic' optimizer (written through
// optimizedModelFilePath). Engine 'ort' is that optimizer as it ships; 'ort-nofusion' leaves its fusions
// out (see countWithoutFusions).
// Prints {ms, nodesBefore, nodes}.
import { readModelFile } from '../../src/core/model/decode.js';
import type { ModelProto } from '../../src/core/model/proto.js';
import { RuntimeClient } from '../../src/core/runtime/client.js';
import { defaultSizeLimitBytes } from '../../src/core/transforms/fold.js';
import { foldWithReport, onnxruntimeBasicFusions, optimizeWithOnnxruntime } from '../../src/core/transforms/foldRun.js';
import { foldTransform } from '../../src/core/transforms/foldTransform.js';
import { transformFile } from '../../src/core/transforms/transformFile.js';
import { fileToFile, verificationInputs, warmRuntime, wholeCommand } from './optimizerRun.js';

/**
 * Node count of onnxruntime's output with its fusions undone. The fusions that can be switched off by
 * name are; any node of an op type the original never had (LayerNormalization, which onnxruntime 1.30
 * fuses whatever it is told) counts as the original nodes it replaced: those on a path from its inputs
 * to its outputs in the original graph.
 */
function countWithoutFusions(original: ModelProto, optimized: ModelProto): number {
  const nodes = original.graph?.node ?? [];
  const kinds = new Set(nodes.map((n) => `${n.domain ?? ''}:${n.opType}`));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output?.forEach((o) => producer.set(o, i)));
  const absorbed = new Set<number>();
  const fused = (optimized.graph?.node ?? []).filter((n) => !kinds.has(`${n.domain ?? ''}:${n.opType}`));
  for (const node of fused) {
    const inputs = new Set(node.input ?? []);
    // Walk up from the outputs until the fused node's inputs: every node met was folded into it.
    const stack = (node.output ?? []).map((o) => producer.get(o)).filter((i): i is number => i !== undefined);
    const seen = new Set<number>();
    while (stack.length) {
      const i = stack.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      for (const input of nodes[i].input ?? []) {
        const p = producer.get(input);
        if (!inputs.has(input) && p !== undefined) stack.push(p);
      }
    }
    seen.forEach((i) => absorbed.add(i));
  }
  return (optimized.graph?.node?.length ?? 0) - fused.length + absorbed.size;
}

async function main(): Promise<void> {
  const [engine, path] = process.argv.slice(2);
  const client = RuntimeClient.start({ timeoutMs: 600_000 });
  try {
    const { model } = await readModelFile(path);
    const nodesBefore = model.graph?.node?.length ?? 0;
    if (engine === 'ours') {
      await warmRuntime(client);
      const fold = async (m: ModelProto) => (await foldWithReport(m, { client })).model;
      const { ms, result } = await fileToFile(path, fold);
      // Again in the same process: our code compiled and warm, as in the editor after its first command.
      const warmMs = (await fileToFile(path, fold)).ms;
      console.log(JSON.stringify({ ms, warmMs, nodesBefore, nodes: result.graph?.node?.length ?? 0 }));
    } else if (engine === 'ours-verified') {
      await warmRuntime(client);
      let nodes = 0;
      const ms = await wholeCommand(async (output) => {
        const run = await transformFile(foldTransform, { input: path, output, options: { sizeLimitBytes: defaultSizeLimitBytes }, client, inputs: verificationInputs(path) });
        if (!run.report.verification?.ran || !run.report.verification.pass) throw new Error(`verification did not pass: ${run.report.verification?.problem ?? 'outputs differ'}`);
        nodes = run.model.graph?.node?.length ?? 0;
      });
      console.log(JSON.stringify({ ms, nodesBefore, nodes }));
    } else {
      const optimized = await optimizeWithOnnxruntime(client, path, 'basic', engine === 'ort-nofusion' ? onnxruntimeBasicFusions : []);
      const nodes = engine === 'ort-nofusion' ? countWithoutFusions(model, optimized.model) : optimized.model.graph?.node?.length ?? 0;
      console.log(JSON.stringify({ ms: optimized.timeMs, nodesBefore, nodes }));
    }
  } finally {
    client.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
