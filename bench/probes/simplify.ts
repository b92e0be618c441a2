// Child process: simplify one model, by us (fold + clean-up + rewrites, onnxruntime evaluating constants in
// its child process) or by onnxruntime's own optimizer at level 'basic' (its fusions included) or
// 'extended' (contrib ops, for information), written through optimizedModelFilePath.
// Prints {ms, nodesBefore, nodes}: node counts over every graph, subgraphs included.
import { readModelFile } from '../../src/core/model/decode.js';
import { ExternalDataReader } from '../../src/core/model/externalData.js';
import { RuntimeClient } from '../../src/core/runtime/client.js';
import { optimizeWithOnnxruntime } from '../../src/core/transforms/foldRun.js';
import { countOps, totalNodes } from '../../src/core/transforms/report.js';
import { simplifyWithReport } from '../../src/core/transforms/simplify/simplifyReport.js';

async function main(): Promise<void> {
  const [engine, path] = process.argv.slice(2);
  const client = RuntimeClient.start({ timeoutMs: 600_000 });
  const external = ExternalDataReader.forModel(path);
  try {
    const { model } = await readModelFile(path);
    const nodesBefore = totalNodes(countOps(model));
    if (engine === 'ours') {
      // onnxruntime loaded in its child before the clock starts, as the peer's figure (session creation)
      // also leaves out starting the process and loading the library; the extension's runtime child runs anyway.
      await client.info();
      const { model: simplified, report } = await simplifyWithReport(model, {}, { client, external });
      console.log(JSON.stringify({ ms: report.timeMs, nodesBefore, nodes: totalNodes(countOps(simplified)) }));
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
