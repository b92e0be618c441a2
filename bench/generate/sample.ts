// The bundled sample model (test/fixtures/sample.onnx): a two-layer transformer language model small
// enough to commit (about 210 KB), with the exporter's scoped names and shape chains. IR 8 / opset 17 and no
// node metadata, so that Debian's onnx.checker 1.12 accepts it and everything derived from it.
import type { ModelProto } from '../../src/core/model/proto.js';
import { generateTransformer } from './transformer.js';

export const sampleOptions = { layers: 2, hidden: 32, heads: 4, ffn: 128, vocab: 256, maxPositions: 64, seed: 42 } as const;

export function sampleModel(): ModelProto {
  return generateTransformer(sampleOptions);
}
