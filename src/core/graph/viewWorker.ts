// The editor's opening of a model in a worker thread: decodes the bytes it was given, infers shapes,
// builds the model view and posts it back as view bytes (viewWire.ts), with the file's bytes, both transferred (no
// copy). A file that does not decode is answered with its one-line reason. One model per worker;
// viewInWorker.ts starts it.
import { parentPort, workerData } from 'node:worker_threads';
import { oneLine } from '../errors.js';
import { decodeModel } from '../model/decode.js';
import { ModelShapes } from './shapeSources.js';
import { encodeModelView } from './viewBytes.js';
import { ownedBytes, type ViewWorkerReply, type ViewWorkerRequest } from './viewInWorker.js';
import { buildModelView } from './viewModel.js';

function answer(request: ViewWorkerRequest): ViewWorkerReply {
  try {
    const model = decodeModel(request.bytes);
    const shapes = new ModelShapes(model);
    const view = buildModelView(model, request.fileName, shapes);
    return { view: ownedBytes(encodeModelView(view)), bytes: request.bytes, nodes: view.main.nodes.length, groups: view.main.groups.length, shapesError: shapes.error };
  } catch (error) {
    return { error: oneLine(error) };
  }
}

const port = parentPort;
if (port) {
  const reply = answer(workerData as ViewWorkerRequest);
  port.postMessage(reply, 'error' in reply ? [] : [reply.view.buffer as ArrayBuffer, reply.bytes.buffer as ArrayBuffer]);
}
