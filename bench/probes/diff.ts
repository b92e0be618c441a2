// Child process: read and decode two models, then (mode 'diff') diff them as `onnx-lens diff` does.
// Prints {ms, decodeMs, diffMs, paired} as its last line.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { diffModels } from '../../src/core/diff/diffModels.js';
import { decodeModel } from '../../src/core/model/decode.js';

// As the CLI sets it (src/cli.ts): both sides decode with the same young generation.
setFlagsFromString('--max-semi-space-size=64');
const [pathA, pathB, mode] = process.argv.slice(2);
const start = performance.now();
const a = decodeModel(readFileSync(pathA));
const b = decodeModel(readFileSync(pathB));
const decoded = performance.now();
const paired = mode === 'diff' ? diffModels(a, b).graph.counts.paired : 0;
const end = performance.now();
console.log(JSON.stringify({ ms: end - start, decodeMs: decoded - start, diffMs: end - decoded, paired }));
