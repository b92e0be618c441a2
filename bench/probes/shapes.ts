// Child process: our shape inference over the models listed (one path per line) in the file given.
// The models are decoded first; only inference is timed. Prints {ms, models} as its last line.
import { readFileSync } from 'node:fs';
import { decodeModel } from '../../src/core/model/decode.js';
import { inferModelShapes } from '../../src/core/ops/modelShapes.js';

const paths = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const models = paths.map((p) => decodeModel(readFileSync(p)));
const start = performance.now();
for (const model of models) inferModelShapes(model);
console.log(JSON.stringify({ ms: performance.now() - start, models: models.length }));
