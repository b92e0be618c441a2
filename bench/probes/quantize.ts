// Child process: quantizes one model's fp32 weights in memory (no onnxruntime involved) in one mode and
// prints {ms, mbPerSecond, weightMB}: throughput over the fp32 weight bytes that were quantized.
import { readModelFile } from '../../src/core/model/decode.js';
import { resolveOptions, type QuantizeMode } from '../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../src/core/transforms/quantize/quantizeModel.js';

async function main(): Promise<void> {
  const [path, mode, bitsText] = process.argv.slice(2);
  const { model } = await readModelFile(path);
  const options = resolveOptions({ mode: mode as QuantizeMode, ...(bitsText ? { bits: Number(bitsText) as 4 | 8 } : {}) });
  const outcome = quantizeModel(model, options);
  const weightMB = outcome.quantizedWeightBytes / 2 ** 20;
  console.log(JSON.stringify({ ms: outcome.ms, weightMB, mbPerSecond: weightMB / (outcome.ms / 1000), rssKB: process.resourceUsage().maxRSS }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
