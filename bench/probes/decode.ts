// Child process: read + decode + index + summary of one model, as opening it in the editor starts.
// External data is not read. Prints {ms, cpuMs, decodeMs, indexMs, rssKB, nodes} as its last line.
import { readFileSync } from 'node:fs';
import { decodeModel } from '../../src/core/model/decode.js';
import { GraphIndex } from '../../src/core/model/graphIndex.js';
import { summarize } from '../../src/core/model/summary.js';

const path = process.argv[2];
const start = performance.now();
const cpuStart = process.cpuUsage();
const model = decodeModel(readFileSync(path));
const decoded = performance.now();
const index = GraphIndex.build(model.graph ?? {});
const summary = summarize(model);
const end = performance.now();
const cpu = process.cpuUsage(cpuStart);
console.log(JSON.stringify({
  ms: end - start,
  cpuMs: (cpu.user + cpu.system) / 1000,
  decodeMs: decoded - start,
  indexMs: end - decoded,
  rssKB: process.resourceUsage().maxRSS,
  nodes: summary.nodes.total,
  order: index.topologicalOrder().length,
}));
