// Child process: converts every model listed in a file to one opset with our converter and writes each
// result as <index>.onnx; prints {ms, status} where status[i] is '' for converted, else the refusal.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oneLine } from '../../src/core/errors.js';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { convertOpset } from '../../src/core/opset/convert.js';

const [target, list, outDir] = process.argv.slice(2);
const paths = readFileSync(list, 'utf8').split('\n').filter(Boolean);
mkdirSync(outDir, { recursive: true });
const started = performance.now();
const status = paths.map((path, i) => {
  try {
    const { model } = convertOpset(decodeModel(readFileSync(path)), Number(target));
    writeFileSync(join(outDir, `${i}.onnx`), encodeModel(model));
    return '';
  } catch (error) {
    return oneLine(error);
  }
});
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, status })}\n`);
