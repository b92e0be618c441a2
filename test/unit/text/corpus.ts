// The models the text tests read: all of Debian's libonnx-testdata and the committed real-exporter
// fixtures (test/fixtures/exported: torchscript and dynamo exports with exporter names and metadata).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { testCases } from '../../helpers/testdata.js';

export interface CorpusModel {
  name: string;
  model: ModelProto;
}

const exportedRoot = fileURLToPath(new URL('../../fixtures/exported/', import.meta.url));

export function exportedFixtures(): CorpusModel[] {
  return readdirSync(exportedRoot, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    .map((name) => ({ name: `exported/${name}`, model: decodeModel(readFileSync(join(exportedRoot, name, 'model.onnx'))) }));
}

export function textCorpus(): CorpusModel[] {
  return [...testCases().map((c) => ({ name: c.name, model: decodeModel(readFileSync(c.model)) })), ...exportedFixtures()];
}
