// Child process: simplify one model, by us file to file (fold + clean-up + rewrites, onnxruntime evaluating
// what our own kernels leave in its child process; 'ours-verified' is the whole `onnx-lens simplify`
// pipeline with checks and verification) or by onnxruntime's own optimizer at level 'basic' (its fusions included) or
// 'extended' (contrib ops, for information), written through optimizedModelFilePath.
// Prints {ms, nodesBefore, nodes}: node counts over every graph, subgraphs included.
import { readModelFile } from '../../src/core/model/decode.js';
import { ExternalDataReader } from '../../src/core/model/externalData.js';
import type { ModelProto } from '../../src/core/model/proto.js';
import { RuntimeClient } from '../../src/core/runtime/client.js';
import { optimizeWithOnnxruntime } from '../../src/core/transforms/foldRun.js';
import { countOps, totalNodes } from '../../src/core/transforms/report.js';
import { simplifyWithReport } from '../../src/core/transforms/simplify/simplifyReport.js';
import { simplifyTransform } from '../../src/core/transforms/simplify/simplifyTransform.js';
import { defaultSizeLimitBytes } from '../../src/core/transforms/fold.js';
import { transformFile } from '../../src/core/transforms/transformFile.js';
import { fileToFile, verificationInputs, warmRuntime, wholeCommand } from './optimizerRun.js';

async function main(): Promise<void> {
  const [engine, path] = process.argv.slice(2);
  const client = RuntimeClient.start({ timeoutMs: 600_000 });
  const external = ExternalDataReader.forModel(path);
  try {
    const { model } = await readModelFile(path);
    const nodesBefore = totalNodes(countOps(model));
    if (engine === 'ours') {
      await warmRuntime(client);
      const simplify = async (m: ModelProto) => (await simplifyWithReport(m, {}, { client, external })).model;
      const { ms, result } = await fileToFile(path, simplify);
      // Again in the same process: our code compiled and warm, as in the editor after its first command.
      const warmMs = (await fileToFile(path, simplify)).ms;
      console.log(JSON.stringify({ ms, warmMs, nodesBefore, nodes: totalNodes(countOps(result)) }));
    } else if (engine === 'ours-verified') {
      await warmRuntime(client);
      let nodes = 0;
      const ms = await wholeCommand(async (output) => {
        const run = await transformFile(simplifyTransform, { input: path, output, options: { keep: [], sizeLimitBytes: defaultSizeLimitBytes }, client, inputs: verificationInputs(path) });
        if (!run.report.verification?.ran || !run.report.verification.pass) throw new Error(`verification did not pass: ${run.report.verification?.problem ?? 'outputs differ'}`);
        nodes = totalNodes(countOps(run.model));
      });
      console.log(JSON.stringify({ ms, nodesBefore, nodes }));
    } else {
      const optimized = await optimizeWithOnnxruntime(client, path, engine === 'ort-extended' ? 'extended' : 'basic');
      console.log(JSON.stringify({ ms: optimized.timeMs, nodesBefore, nodes: totalNodes(optimized.nodes) }));
    }
  } finally {
    external.close();
    client.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
