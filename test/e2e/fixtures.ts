// Files the scenarios put into their workspaces, made at run time.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import type { ModelProto, ValueInfoProto } from '../../src/core/model/proto.js';
import { summarize, type ModelSummary } from '../../src/core/model/summary.js';

/** Markup that would run script if any view put model strings into HTML. */
export const hostileName = '<img src=x onerror=alert(1)>';
export const hostileOutput = '<script>alert(2)</script>';

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A real 2x2 RGB PNG image (what a user gets by renaming a picture to .onnx). */
export function pngImage(): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

function floatValue(name: string, dims: number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

/** A valid model whose node, input and output names are HTML/script markup. */
export function hostileNamesModel(): Uint8Array {
  const model: ModelProto = {
    irVersion: 8,
    producerName: 'onnx-lens e2e',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'hostile names',
      node: [{ opType: 'Relu', name: hostileName, input: [hostileName], output: [hostileOutput] }],
      input: [floatValue(hostileName, [1, 4])],
      output: [floatValue(hostileOutput, [1, 4])],
    },
  };
  return encodeModel(model);
}

/** What the editor should show for a model file: its summary, computed by the core. */
export function summaryOf(path: string): ModelSummary {
  return summarize(decodeModel(readFileSync(path)));
}
