// Child process: constant folding of one model by us (fold + cleanup, onnxruntime evaluating in its child
// process) or by onnxruntime's 'basic' optimizer (written through optimizedModelFilePath).
// Prints {ms, nodesBefore, nodes}.
import { readModelFile } from '../../src/core/model/decode.js';
import { RuntimeClient } from '../../src/core/runtime/client.js';
import { foldWithReport, optimizeWithOnnxruntime } from '../../src/core/transforms/foldRun.js';

async function main(): Promise<void> {
  const [engine, path] = process.argv.slice(2);
  const client = RuntimeClient.start({ timeoutMs: 600_000 });
  try {
    const { model } = await readModelFile(path);
    const nodesBefore = model.graph?.node?.length ?? 0;
    if (engine === 'ours') {
      const { model: folded, report } = await foldWithReport(model, { client });
      console.log(JSON.stringify({ ms: report.timeMs, nodesBefore, nodes: folded.graph?.node?.length ?? 0 }));
    } else {
      const optimized = await optimizeWithOnnxruntime(client, path, 'basic');
      console.log(JSON.stringify({ ms: optimized.timeMs, nodesBefore, nodes: optimized.model.graph?.node?.length ?? 0 }));
    }
  } finally {
    client.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
