// Child process: the extension host's part of opening a model in the editor: read, decode and build the
// view model the webview draws, serialized as it crosses postMessage. Writes it to a file for the page.
// Prints {ms, rssKB, nodes}.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { buildModelView } from '../../src/core/graph/viewModel.js';
import { decodeModel } from '../../src/core/model/decode.js';

const [modelPath, outPath] = process.argv.slice(2);
const start = performance.now();
const view = buildModelView(decodeModel(readFileSync(modelPath)), basename(modelPath));
const json = JSON.stringify(view.main);
const ms = performance.now() - start;
writeFileSync(outPath, json);
console.log(JSON.stringify({ ms, rssKB: process.resourceUsage().maxRSS, nodes: view.main.nodes.length }));
