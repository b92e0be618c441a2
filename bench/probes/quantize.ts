// Child process: quantizes one model file to another, as a user's command does: read, decode, quantize
// the fp32 weights, encode, write. Prints {ms, weightMB, mbPerSecond, stepMbPerSecond, rssKB}: throughput
// over the fp32 weight bytes that were quantized, file to file (the Python peer is timed the same way),
// and of the in-memory quantize step alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { resolveOptions, type QuantizeFormat, type QuantizeMode } from '../../src/core/transforms/quantize/options.js';
import { quantizeModel } from '../../src/core/transforms/quantize/quantizeModel.js';

async function main(): Promise<void> {
  const [path, out, mode, bitsText, format] = process.argv.slice(2);
  const options = resolveOptions({
    mode: mode as QuantizeMode,
    ...(bitsText ? { bits: Number(bitsText) as 4 | 8 } : {}),
    ...(format ? { format: format as QuantizeFormat } : {}),
  });
  const started = performance.now();
  const model = decodeModel(readFileSync(path));
  const stepStarted = performance.now();
  const outcome = quantizeModel(model, options);
  const stepMs = performance.now() - stepStarted;
  writeFileSync(out, encodeModel(outcome.model));
  const ms = performance.now() - started;
  const weightMB = outcome.quantizedWeightBytes / 2 ** 20;
  console.log(JSON.stringify({ ms, weightMB, mbPerSecond: weightMB / (ms / 1000), stepMbPerSecond: weightMB / (stepMs / 1000), rssKB: process.resourceUsage().maxRSS }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
