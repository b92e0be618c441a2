// Child process: the extension host's part of opening a model in the editor, as the extension does it
// (src/editor/modelDocument.ts): read the file, hand its bytes to the view worker (src/core/graph/viewInWorker.ts),
// which decodes them, infers shapes and builds the view model, and get back the view as the bytes the
// webview is posted. `--in-process`: the former path, all of it on this thread (decode, view model, view bytes).
// Writes the view bytes to a file for the page. Prints {ms, busyMs, rssKB, nodes}: `ms` until the view
// bytes are ready to post, `busyMs` the time this (main) thread was busy meanwhile, which is what the
// extension host's other work waits for (performance.eventLoopUtilization).
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeModelView } from '../../src/core/graph/viewBytes.js';
import { viewInWorker } from '../../src/core/graph/viewInWorker.js';
import { buildModelView } from '../../src/core/graph/viewModel.js';
import { decodeModel } from '../../src/core/model/decode.js';

const [modelPath, outPath, mode] = process.argv.slice(2);

async function open(): Promise<{ view: Uint8Array; nodes: number }> {
  const bytes = await readFile(modelPath);
  if (mode === '--in-process') {
    const view = buildModelView(decodeModel(bytes), basename(modelPath));
    return { view: encodeModelView(view), nodes: view.main.nodes.length };
  }
  const opened = await viewInWorker(bytes, basename(modelPath));
  return { view: opened.view, nodes: opened.nodes };
}

async function main(): Promise<void> {
  // Utilization counts from the event loop's start: begin inside it.
  await new Promise((resolve) => setImmediate(resolve));
  const loop = performance.eventLoopUtilization();
  const start = performance.now();
  const { view, nodes } = await open();
  const ms = performance.now() - start;
  const busyMs = performance.eventLoopUtilization(loop).active;
  await writeFile(outPath, view);
  console.log(JSON.stringify({ ms, busyMs, rssKB: process.resourceUsage().maxRSS, nodes }));
}

void main();
