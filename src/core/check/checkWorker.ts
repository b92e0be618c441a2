// The model checker in a worker thread, so that a large model is checked without holding up the
// extension host: it reads and decodes the model itself (from a path, or from bytes it was given),
// checks it, and posts the problems back. One check per worker; checkInWorker.ts starts it.
import { parentPort, workerData } from 'node:worker_threads';
import { oneLine } from '../errors.js';
import { decodeModel, readModelFile } from '../model/decode.js';
import { checkModel } from './checkModel.js';
import type { CheckWorkerReply, CheckWorkerRequest } from './checkInWorker.js';

async function answer(request: CheckWorkerRequest): Promise<CheckWorkerReply> {
  try {
    const model = request.bytes ? decodeModel(request.bytes) : (await readModelFile(request.path ?? '')).model;
    return { problems: checkModel(model, { modelDir: request.modelDir, maxProblems: request.maxProblems }) };
  } catch (error) {
    return { error: oneLine(error) };
  }
}

const port = parentPort;
if (port) void answer(workerData as CheckWorkerRequest).then((reply) => port.postMessage(reply));
