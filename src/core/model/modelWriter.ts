// Encoding a model without copying its weights more than once. protobufjs 8 writes straight into one
// buffer and reserves a single byte for each sub-message's length: closing a sub-message longer than 127
// bytes moves everything written since, so a weight's bytes were copied into the buffer and then moved
// again by its TensorProto, its GraphProto, and by every doubling of the buffer. Here a large bytes field is
// only referenced while encoding; lengths count it, and the buffer holds the small rest. The bytes are the
// same as protobufjs's own encoding (tested on every corpus model).
import protobuf from 'protobufjs/minimal.js';
import { onnx, type ModelProto } from './proto.js';

/** Bytes fields at least this long are referenced, not copied, while encoding. */
const referencedBytes = 4096;

interface Chunk {
  /** Where the bytes belong in the buffer (after their length prefix). */
  at: number;
  bytes: Uint8Array;
}

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

class ChunkWriter extends protobuf.BufferWriter {
  readonly chunks: Chunk[] = [];

  constructor() {
    super();
    this.buf = protobuf.BufferWriter.alloc(1 << 16);
  }

  override bytes(value: Uint8Array | string): protobuf.Writer {
    if (typeof value === 'string' || value.length < referencedBytes) return super.bytes(value);
    this.uint32(value.length);
    this.chunks.push({ at: this.pos, bytes: value });
    return this;
  }

  /** protobufjs's ldelim, with the referenced bytes counted in the length and kept in place when content moves. */
  override ldelim(): protobuf.Writer {
    const lenPos = this.states?.pop();
    if (lenPos === undefined) throw new Error('ldelim without fork');
    let first = this.chunks.length;
    let referenced = 0;
    while (first > 0 && this.chunks[first - 1].at > lenPos) referenced += this.chunks[--first].bytes.length;
    const length = this.pos - lenPos - 1 + referenced;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      if (this.pos + extra > this.buf.length) {
        const grown = protobuf.BufferWriter.alloc(Math.max(this.buf.length * 2, this.pos + extra));
        grown.set(this.buf.subarray(0, this.pos));
        this.buf = grown;
        this.view = null;
      }
      this.buf.copyWithin(lenPos + 1 + extra, lenPos + 1, this.pos);
      this.pos += extra;
      for (let i = first; i < this.chunks.length; i++) this.chunks[i].at += extra;
    }
    let v = length;
    let p = lenPos;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
    return this;
  }

  /** The encoding as parts in order: pieces of the buffer and the referenced bytes between them. */
  parts(): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let from = 0;
    for (const chunk of this.chunks) {
      if (chunk.at > from) parts.push(this.buf.subarray(from, chunk.at));
      parts.push(chunk.bytes);
      from = chunk.at;
    }
    if (this.pos > from) parts.push(this.buf.subarray(from, this.pos));
    return parts;
  }
}

/** A model's encoding as parts (views of its own weights among them), for writing without joining them. */
export function encodeModelParts(model: ModelProto): Uint8Array[] {
  const writer = new ChunkWriter();
  onnx.ModelProto.encode(model, writer);
  return writer.parts();
}

/** A model's encoding in one buffer: each weight byte is copied once. */
export function encodeModelBytes(model: ModelProto): Uint8Array {
  const parts = encodeModelParts(model);
  // Never from Node's shared pool: the buffer may be sent whole to the runtime process.
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(Buffer.allocUnsafeSlow(total).buffer, 0, total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
