// The model diff in a worker thread: reads both models, pairs them, and posts back the overlay the model
// editor paints and the text summary. One diff per worker; diffInWorker.ts starts it.
import { stat } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { oneLine } from '../errors.js';
import { readModelFile } from '../model/decode.js';
import { ExternalDataReader } from '../model/externalData.js';
import { GraphIndex } from '../model/graphIndex.js';
import { diffJson } from './diffJson.js';
import { diffModels } from './diffModels.js';
import { diffOverlay, firstSideOverlay } from './diffOverlay.js';
import { diffText } from './diffText.js';
import type { DiffWorkerReply, DiffWorkerRequest } from './diffInWorker.js';

async function answer(r: DiffWorkerRequest): Promise<DiffWorkerReply> {
  try {
    const [{ model: a }, { model: b }] = await Promise.all([readModelFile(r.pathA), readModelFile(r.pathB)]);
    const fileBytes = { a: (await stat(r.pathA)).size, b: (await stat(r.pathB)).size };
    const diff = diffModels(a, b, { readers: { a: ExternalDataReader.forModel(r.pathA), b: ExternalDataReader.forModel(r.pathB) }, fileBytes });
    const overlay = diffOverlay(diff.graph, a.graph!, b.graph!, GraphIndex.build(b.graph!).topologicalOrder(), r.otherName);
    // Side by side, the first model gets its own overlay (cheap next to the pairing).
    const firstOverlay = firstSideOverlay(diff.graph, a.graph!, b.graph!, GraphIndex.build(a.graph!).topologicalOrder(), r.secondName);
    const text = diffText(diffJson(diff, { path: r.shownA, graph: a.graph! }, { path: r.shownB, graph: b.graph! }));
    return { overlay, firstOverlay, text, identical: diff.identical };
  } catch (error) {
    return { error: oneLine(error) };
  }
}

const port = parentPort;
if (port) void answer(workerData as DiffWorkerRequest).then((reply) => port.postMessage(reply));
