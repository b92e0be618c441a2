// ModelProto decoding that is cheaper for graphs of many nodes, with the same result types as the
// generated decoder. The model and each graph are walked field by field: nodes are read here, every other
// field is handed to the generated decoder, which merges that one field into the message. A node's
// metadata_props (the PyTorch exporter writes three long strings per node) stay bytes until read.
import protobuf from 'protobufjs/minimal.js';
import { onnx, type ModelProto, type NodeProto, type StringStringEntryProto } from './proto.js';

type Reader = protobuf.Reader;

/** Where a lazy node keeps its undecoded metadata entries: non-enumerable, so spreads and deep equality ignore it. */
const pendingMetadata = Symbol('pendingMetadata');

interface PendingMetadata {
  buf: Uint8Array;
  /** [start, end) of each entry's message bytes. */
  ranges: number[];
  value?: StringStringEntryProto[];
}

type LazyNode = onnx.NodeProto & { [pendingMetadata]?: PendingMetadata };

function decodeMetadata(pending: PendingMetadata): StringStringEntryProto[] {
  const reader = protobuf.Reader.create(pending.buf);
  const list: StringStringEntryProto[] = [];
  for (let i = 0; i < pending.ranges.length; i += 2) {
    reader.pos = pending.ranges[i];
    list.push(onnx.StringStringEntryProto.decode(reader, pending.ranges[i + 1] - pending.ranges[i]));
  }
  return list;
}

// One getter/setter pair for every lazy node, so that V8 shares their object shape.
const metadataAccessor: PropertyDescriptor = {
  get(this: LazyNode): StringStringEntryProto[] {
    const pending = this[pendingMetadata]!;
    return (pending.value ??= decodeMetadata(pending));
  },
  set(this: LazyNode, value: StringStringEntryProto[]) {
    this[pendingMetadata]!.value = value;
  },
  enumerable: true,
  configurable: true,
};

/**
 * The value of one metadata entry of a node, read straight from the bytes of a lazy node (no entry
 * objects made); the first entry with that key, as `metadataProps.find` gives.
 */
export function nodeMetadataValue(node: NodeProto, key: string): string | undefined {
  const pending = (node as LazyNode)[pendingMetadata];
  if (!pending || pending.value) {
    const entry = node.metadataProps?.find((p) => p.key === key);
    return entry ? entry.value ?? '' : undefined;
  }
  const reader = protobuf.Reader.create(pending.buf);
  for (let i = 0; i < pending.ranges.length; i += 2) {
    reader.pos = pending.ranges[i];
    const end = pending.ranges[i + 1];
    // Reads stay within the entry, as the generated decoder's do.
    reader.len = end;
    let entryKey = '';
    let value: string | undefined;
    while (reader.pos < end) {
      const tag = reader.uint32();
      if (tag === 10) entryKey = reader.string();
      else if (tag === 18) value = reader.string();
      else reader.skipType(tag & 7);
    }
    if (entryKey === key) return value ?? '';
  }
  return undefined;
}

/** The byte length of the length-delimited field whose tag was just read, checked against the message end. */
function fieldLength(reader: Reader, end: number): number {
  const length = reader.uint32();
  if (reader.pos + length > end) throw new RangeError(`index out of range: ${reader.pos} + ${length} > ${end}`);
  return length;
}

/** Hands the field that starts at `start` (its tag already read) to the generated decoder of `message`. */
function mergeField<T>(reader: Reader, start: number, tag: number, depth: number, message: T, decode: MergeDecode<T>): void {
  reader.skipType(tag & 7, depth, tag >>> 3);
  const fieldEnd = reader.pos;
  reader.pos = start;
  decode(reader, fieldEnd - start, undefined, depth, message);
}

// The generated decoders take these extra arguments, which their typings leave out.
type MergeDecode<T> = (r: Reader, length: number, end: undefined, depth: number, target: T) => T;
const mergeModel = onnx.ModelProto.decode as unknown as MergeDecode<onnx.ModelProto>;
const mergeGraph = onnx.GraphProto.decode as unknown as MergeDecode<onnx.GraphProto>;
const mergeNode = onnx.NodeProto.decode as unknown as MergeDecode<onnx.NodeProto>;
const decodeAttribute = onnx.AttributeProto.decode as unknown as (r: Reader, length: number, end: undefined, depth: number) => onnx.AttributeProto;

// A node as the generated constructor makes it (own empty lists), minus the metadata list, which
// decodeNode adds last either as a plain list or as the lazy accessor.
interface LeanNodeConstructor {
  new (): onnx.NodeProto;
}
const LeanNode = function (this: onnx.NodeProto) {
  this.input = [];
  this.output = [];
  this.attribute = [];
  this.deviceConfigurations = [];
} as unknown as LeanNodeConstructor;
LeanNode.prototype = onnx.NodeProto.prototype;

/**
 * What decoding one graph's nodes shares. `names`: one string object per distinct value name and op
 * type (a name is written once as an output and again for each input that reads it, and the copies would
 * all stay alive with the model). The other lists are reused per node and copied out at their exact size:
 * a list grown by push keeps room for 16 items, which for 50,000 nodes is megabytes of empty slots.
 */
interface NodeScratch {
  names: Map<string, string>;
  input: string[];
  output: string[];
  metadata: number[];
}

type Names = Map<string, string>;

function intern(names: Names, text: string): string {
  const known = names.get(text);
  if (known !== undefined) return known;
  names.set(text, text);
  return text;
}

function decodeNode(reader: Reader, end: number, depth: number, scratch: NodeScratch): onnx.NodeProto {
  // Reads within the node stop at its end, as in the generated decoder.
  const outerLen = reader.len;
  reader.len = end;
  const node = new LeanNode();
  const { names, input, output, metadata } = scratch;
  input.length = 0;
  output.length = 0;
  metadata.length = 0;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    switch (tag) {
      case 10: input.push(intern(names, reader.string())); continue;
      case 18: output.push(intern(names, reader.string())); continue;
      case 26: node.name = reader.string(); continue;
      case 34: node.opType = intern(names, reader.string()); continue;
      case 42: {
        const length = fieldLength(reader, end);
        node.attribute.push(decodeAttribute(reader, length, undefined, depth + 1));
        continue;
      }
      case 50: node.docString = reader.string(); continue;
      case 58: node.domain = reader.string(); continue;
      case 66: node.overload = reader.string(); continue;
      case 74: {
        const length = fieldLength(reader, end);
        metadata.push(reader.pos, reader.pos + length);
        reader.pos += length;
        continue;
      }
      default:
        mergeField(reader, start, tag, depth, node, mergeNode);
    }
  }
  if (reader.pos !== end) throw new RangeError('index out of range');
  reader.len = outerLen;
  if (input.length) node.input = input.slice();
  if (output.length) node.output = output.slice();
  if (metadata.length) {
    Object.defineProperty(node, pendingMetadata, { value: { buf: reader.buf, ranges: metadata.slice() } satisfies PendingMetadata, writable: true });
    Object.defineProperty(node, 'metadataProps', metadataAccessor);
  } else {
    node.metadataProps = [];
  }
  return node;
}

function decodeGraph(reader: Reader, end: number, depth: number): onnx.GraphProto {
  if (depth > protobuf.Reader.recursionLimit) throw new Error('max depth exceeded');
  const outerLen = reader.len;
  reader.len = end;
  const graph = new onnx.GraphProto();
  const scratch: NodeScratch = { names: new Map(), input: [], output: [], metadata: [] };
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag === 10) {
      const length = fieldLength(reader, end);
      graph.node.push(decodeNode(reader, reader.pos + length, depth + 1, scratch));
    } else {
      mergeField(reader, start, tag, depth, graph, mergeGraph);
    }
  }
  if (reader.pos !== end) throw new RangeError('index out of range');
  reader.len = outerLen;
  return graph;
}

/** Decodes a ModelProto as onnx.ModelProto.decode does; throws what it throws on bad bytes. */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const reader = protobuf.Reader.create(bytes);
  const end = reader.len;
  const model = new onnx.ModelProto();
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag === 58) {
      const length = fieldLength(reader, end);
      model.graph = decodeGraph(reader, reader.pos + length, 1);
    } else {
      mergeField(reader, start, tag, 0, model, mergeModel);
    }
  }
  return model;
}
