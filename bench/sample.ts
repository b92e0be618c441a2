// `npm run sample`: regenerates test/fixtures/sample.onnx; the same bytes every time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '../src/core/model/decode.js';
import { sampleModel } from './generate/sample.js';

const path = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'sample.onnx');
const bytes = encodeModel(sampleModel());
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, bytes);
console.log(`Wrote ${relative(process.cwd(), path)} (${bytes.length} bytes, ${sampleModel().graph?.node?.length ?? 0} nodes).`);
