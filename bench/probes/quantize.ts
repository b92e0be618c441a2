// Child process: quantizes one model file to another, as a user's command does: read, decode, quantize
// the fp32 weights, encode, write. Prints {ms, weightMB, mbPerSecond, stepMbPerSecond, threads, rssKB}: throughput
// over the fp32 weight bytes that were quantized, file to file (the Python peer is timed the same way),
// and of the in-memory quantize step alone. The file is read into shared memory, so that the kernels'
// worker threads read the weights where they are; the last argument is the thread count (default one).
import { openSync, readSync, closeSync, fstatSync, writeFileSync } from 'node:fs';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { resolveOptions, type QuantizeFormat, type QuantizeMode } from '../../src/core/transforms/quantize/options.js';
import { quantizeModelAsync } from '../../src/core/transforms/quantize/quantizeModel.js';

function readShared(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(new SharedArrayBuffer(fstatSync(fd).size));
    for (let at = 0; at < bytes.length;) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) throw new Error(`${path} ended early.`);
      at += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

async function main(): Promise<void> {
  const [path, out, mode, bitsText, format, threadsText] = process.argv.slice(2);
  const options = resolveOptions({
    mode: mode as QuantizeMode,
    ...(bitsText ? { bits: Number(bitsText) as 4 | 8 } : {}),
    ...(format ? { format: format as QuantizeFormat } : {}),
  });
  const started = performance.now();
  const model = decodeModel(readShared(path));
  const stepStarted = performance.now();
  const outcome = await quantizeModelAsync(model, options, threadsText ? { threads: Number(threadsText) } : {});
  const stepMs = performance.now() - stepStarted;
  writeFileSync(out, encodeModel(outcome.model));
  const ms = performance.now() - started;
  const weightMB = outcome.quantizedWeightBytes / 2 ** 20;
  console.log(JSON.stringify({ ms, weightMB, mbPerSecond: weightMB / (ms / 1000), stepMbPerSecond: weightMB / (stepMs / 1000), threads: outcome.kernelThreads, rssKB: process.resourceUsage().maxRSS }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
