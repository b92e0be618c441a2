// ModelProto decoding that is cheaper for graphs of many nodes, with the same result types as the
// generated decoder. The model and each graph are walked field by field: nodes, their attributes and
// tensors (initializers, attribute tensors) are read here, every other field is handed to the generated
// decoder, which merges that one field into the message. Two differences from the generated decoder, both
// invisible to readers and to encoding:
// - A node, attribute or tensor gets a repeated field's list only when the bytes hold that field; an absent
//   one reads as the generated prototype's shared frozen empty list (graphs keep their own lists, which
//   edits and transforms push into). A 50k-node model otherwise carries half a million empty lists.
// - A node's attributes (unless one holds a graph) and metadata_props (the PyTorch exporter writes three
//   long strings per node) stay bytes until read.
// raw_data is a view of the decoded bytes, as the generated decoder makes it.
import protobuf from 'protobufjs/minimal.js';
import { UserError } from '../errors.js';
import { onnx, type GraphProto, type Long, type ModelProto, type NodeProto, type StringStringEntryProto } from './proto.js';

type Reader = protobuf.Reader;

/** Where a lazy node keeps its undecoded fields: non-enumerable, so spreads and deep equality ignore it. */
const pendingFields = Symbol('pendingFields');

/**
 * A lazy node's own bytes, [start, end) of `buf`: its attributes and metadata entries are found there again
 * when first read, and kept here from then on. A field is undefined while it is still bytes, null when the
 * node's own property holds it (one small record per node, with a fixed shape).
 */
class PendingFields {
  constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
    public attribute: onnx.AttributeProto[] | null | undefined,
    public metadataProps: StringStringEntryProto[] | null | undefined,
  ) {}
}

type LazyNode = onnx.NodeProto & { [pendingFields]?: PendingFields };

/** Calls `visit` with a reader positioned in each field `tag` of a pending node, and the field's end. */
function forEachField(pending: PendingFields, tag: number, visit: (reader: Reader, end: number) => boolean | void): void {
  const reader = protobuf.Reader.create(pending.buf);
  reader.pos = pending.start;
  reader.len = pending.end;
  while (reader.pos < pending.end) {
    const found = reader.uint32();
    if (found !== tag) {
      reader.skipType(found & 7);
      continue;
    }
    const length = reader.uint32();
    const end = reader.pos + length;
    if (visit(reader, end)) return;
    reader.pos = end;
    reader.len = pending.end;
  }
}

/**
 * Opening checked only the outer framing of these bytes: damage inside them shows when they are read, as
 * the same one-sentence error an open gives, not a bare RangeError in whatever code asked.
 */
function readPending<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`Not a valid ONNX model: a node's ${what} are truncated or corrupt (${reason}).`, { cause: error });
  }
}

function decodeMetadata(pending: PendingFields): StringStringEntryProto[] {
  const list: StringStringEntryProto[] = [];
  readPending('metadata entries', () => forEachField(pending, 74, (reader, end) => {
    list.push(onnx.StringStringEntryProto.decode(reader, end - reader.pos));
  }));
  return list;
}

function decodeLazyAttributes(pending: PendingFields): onnx.AttributeProto[] {
  const list: onnx.AttributeProto[] = [];
  // Lazy attributes hold no graphs (see decodeNode), so the depth below them stays small.
  const names = new Names();
  readPending('attributes', () => forEachField(pending, 42, (reader, end) => {
    list.push(decodeAttribute(reader, end, 2, names));
  }));
  return list;
}

// One getter/setter pair per field for every lazy node, so that V8 shares their object shape. A value set
// replaces the bytes for good (undefined as null, which reads as absent just the same). Never removed or
// replaced (not configurable), so that the record says for certain what the node holds (nodeHasSubgraphs).
const metadataAccessor: PropertyDescriptor = {
  get(this: LazyNode): StringStringEntryProto[] | null {
    const pending = this[pendingFields]!;
    if (pending.metadataProps === undefined) pending.metadataProps = decodeMetadata(pending);
    return pending.metadataProps;
  },
  set(this: LazyNode, value: StringStringEntryProto[] | null | undefined) {
    this[pendingFields]!.metadataProps = value ?? null;
  },
  enumerable: true,
  configurable: false,
};

const attributeAccessor: PropertyDescriptor = {
  get(this: LazyNode): onnx.AttributeProto[] | null {
    const pending = this[pendingFields]!;
    if (pending.attribute === undefined) pending.attribute = decodeLazyAttributes(pending);
    return pending.attribute;
  },
  set(this: LazyNode, value: onnx.AttributeProto[] | null | undefined) {
    this[pendingFields]!.attribute = value ?? null;
  },
  enumerable: true,
  configurable: false,
};

/**
 * Whether a node holds a graph in an attribute (If, Loop, Scan bodies), without decoding the attributes of
 * a lazy node: those hold none, as the decoder reads a node's attributes at once when one holds a graph.
 */
export function nodeHasSubgraphs(node: NodeProto): boolean {
  // Asked for every node when a model is indexed or walked: no allocation here.
  const pending = (node as LazyNode)[pendingFields];
  if (pending && pending.attribute === undefined) return false;
  for (const attribute of node.attribute ?? []) if (attribute.g || attribute.graphs?.length) return true;
  return false;
}

/**
 * The value of one metadata entry of a node, read straight from the bytes of a lazy node (no entry
 * objects made); the first entry with that key, as `metadataProps.find` gives.
 */
export function nodeMetadataValue(node: NodeProto, key: string): string | undefined {
  const pending = (node as LazyNode)[pendingFields];
  if (!pending || pending.metadataProps !== undefined) {
    const entry = node.metadataProps?.find((p) => p.key === key);
    return entry ? entry.value ?? '' : undefined;
  }
  let found: string | undefined;
  forEachField(pending, 74, (reader, end) => {
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
    if (entryKey !== key) return false;
    found = value ?? '';
    return true;
  });
  return found;
}

/** Whether the attribute in [reader.pos, end) holds a graph (fields g and graphs); leaves the reader at `end`. */
function attributeHoldsGraph(reader: Reader, end: number): boolean {
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 50 || tag === 90) {
      reader.pos = end;
      return true;
    }
    reader.skipType(tag & 7);
  }
  if (reader.pos !== end) throw new RangeError('index out of range');
  return false;
}

/** The byte length of the length-delimited field whose tag was just read, checked against the message end. */
function fieldLength(reader: Reader, end: number): number {
  const length = reader.uint32();
  if (reader.pos + length > end) throw new RangeError(`index out of range: ${reader.pos} + ${length} > ${end}`);
  return length;
}

/** Where the length-delimited field whose tag was just read ends (its length read and checked). */
function fieldEnd(reader: Reader, end: number): number {
  const length = fieldLength(reader, end);
  return reader.pos + length;
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
const mergeAttribute = onnx.AttributeProto.decode as unknown as MergeDecode<onnx.AttributeProto>;
const mergeTensor = onnx.TensorProto.decode as unknown as MergeDecode<onnx.TensorProto>;

/**
 * Constructors of messages without own lists (see the top of this file): the generated prototypes hold
 * every field's default, and the generated decoder replaces a default list by an own one before it adds.
 */
function leanConstructor<T>(prototype: T): new () => T {
  const Lean = function () {} as unknown as new () => T;
  Lean.prototype = prototype;
  return Lean;
}
const LeanNode = leanConstructor(onnx.NodeProto.prototype);
const LeanAttribute = leanConstructor(onnx.AttributeProto.prototype);
const LeanTensor = leanConstructor(onnx.TensorProto.prototype);

/**
 * One string object per distinct value name, op type and attribute name of a graph (a name is written once
 * as an output and again for each input that reads it, and the copies would all stay alive with the
 * model), numbered in the order first seen. The numbers stay with the decoded graph for its index.
 */
class Names {
  readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  intern(text: string): string {
    const id = this.ids.get(text);
    if (id !== undefined) return this.texts[id];
    this.ids.set(text, this.texts.length);
    this.texts.push(text);
    return text;
  }
}

/** Where a decoded graph keeps its names' numbers: non-enumerable, so copies and encoding never see it. */
const valueIds = Symbol('valueIds');

/**
 * The numbers the decoder gave a graph's names (every node input and output among them), for GraphIndex to
 * key its arrays by without building a second map of the same names. The index adds names it finds new.
 */
export function decodedNameIds(graph: GraphProto): Map<string, number> | undefined {
  return (graph as GraphProto & { [valueIds]?: Map<string, number> })[valueIds];
}

/**
 * What decoding one graph's nodes shares: the names, and lists reused per node and copied out at their
 * exact size (a list grown by push keeps room for 16 items, which for 50,000 nodes is megabytes of empty slots).
 */
interface NodeScratch {
  names: Names;
  input: string[];
  output: string[];
  attribute: onnx.AttributeProto[];
}

/** `names`: given for initializers, whose names are node inputs too (one string for both). */
function decodeTensor(reader: Reader, end: number, depth: number, names?: Names): onnx.TensorProto {
  if (depth > protobuf.Reader.recursionLimit) throw new Error('max depth exceeded');
  const outerLen = reader.len;
  reader.len = end;
  const tensor = new LeanTensor();
  let dims: Long[] | undefined;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    switch (tag) {
      // Dims, unpacked (as onnx.proto's proto2 writes them) or packed; Long, as the generated decoder makes them.
      case 8: (dims ??= []).push(reader.int64() as unknown as Long); continue;
      case 10: reader.int64s((dims ??= [])); continue;
      case 16: tensor.dataType = reader.int32(); continue;
      case 66: tensor.name = names ? names.intern(reader.string()) : reader.string(); continue;
      case 74: tensor.rawData = reader.bytes(); continue;
      default: mergeField(reader, start, tag, depth, tensor, mergeTensor);
    }
  }
  if (reader.pos !== end) throw new RangeError('index out of range');
  reader.len = outerLen;
  // At its exact size: a list filled by push keeps room for 16.
  if (dims) tensor.dims = dims.slice();
  return tensor;
}

const attributeTypes = onnx.AttributeProto.AttributeType as unknown as Record<number, string | undefined>;

function decodeAttribute(reader: Reader, end: number, depth: number, names: Names): onnx.AttributeProto {
  if (depth > protobuf.Reader.recursionLimit) throw new Error('max depth exceeded');
  const outerLen = reader.len;
  reader.len = end;
  const attribute = new LeanAttribute();
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    switch (tag) {
      case 10: attribute.name = names.intern(reader.string()); continue;
      case 21: attribute.f = reader.float(); continue;
      case 160: {
        // An enum: a value the schema does not know stays an unknown field, as the generated decoder keeps it.
        const afterTag = reader.pos;
        const value = reader.int32();
        if (attributeTypes[value] !== undefined) {
          attribute.type = value;
          continue;
        }
        reader.pos = afterTag;
        break;
      }
      case 42:
        // A repeated singular message merges into the first: the generated decoder does that.
        if (attribute.t) break;
        attribute.t = decodeTensor(reader, fieldEnd(reader, end), depth + 1);
        continue;
      case 50:
        if (attribute.g) break;
        attribute.g = decodeGraph(reader, fieldEnd(reader, end), depth + 1);
        continue;
      case 82: {
        const tensor = decodeTensor(reader, fieldEnd(reader, end), depth + 1);
        if (attribute.tensors?.length) attribute.tensors.push(tensor);
        else attribute.tensors = [tensor];
        continue;
      }
      case 90: {
        const graph = decodeGraph(reader, fieldEnd(reader, end), depth + 1);
        if (attribute.graphs?.length) attribute.graphs.push(graph);
        else attribute.graphs = [graph];
        continue;
      }
    }
    mergeField(reader, start, tag, depth, attribute, mergeAttribute);
  }
  if (reader.pos !== end) throw new RangeError('index out of range');
  reader.len = outerLen;
  return attribute;
}

function decodeNode(reader: Reader, end: number, depth: number, scratch: NodeScratch): onnx.NodeProto {
  // Reads within the node stop at its end, as in the generated decoder.
  const nodeStart = reader.pos;
  const outerLen = reader.len;
  reader.len = end;
  const node = new LeanNode();
  const { names, input, output } = scratch;
  input.length = 0;
  output.length = 0;
  let attributes = 0;
  let graphAttribute = false;
  let metadata = false;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    switch (tag) {
      case 10: input.push(names.intern(reader.string())); continue;
      case 18: output.push(names.intern(reader.string())); continue;
      case 26: node.name = reader.string(); continue;
      case 34: node.opType = names.intern(reader.string()); continue;
      case 42: {
        // Checked for a graph now; otherwise read when first asked for (see decodeLazyAttributes).
        const attributeEnd = fieldEnd(reader, end);
        if (graphAttribute) reader.pos = attributeEnd;
        else graphAttribute = attributeHoldsGraph(reader, attributeEnd);
        attributes++;
        continue;
      }
      case 50: node.docString = reader.string(); continue;
      case 58: node.domain = names.intern(reader.string()); continue;
      case 66: node.overload = reader.string(); continue;
      case 74: {
        reader.pos = fieldEnd(reader, end);
        metadata = true;
        continue;
      }
      default:
        mergeField(reader, start, tag, depth, node, mergeNode);
    }
  }
  if (reader.pos !== end) throw new RangeError('index out of range');
  // Input and output lists are always own: code that wires nodes writes into them.
  node.input = input.slice();
  node.output = output.slice();
  if (graphAttribute) {
    // A node with a subgraph is read whole now: indexing walks subgraphs at once anyway.
    const list = scratch.attribute;
    list.length = 0;
    reader.pos = nodeStart;
    while (reader.pos < end) {
      const tag = reader.uint32();
      if (tag === 42) list.push(decodeAttribute(reader, fieldEnd(reader, end), depth + 1, names));
      else reader.skipType(tag & 7, depth, tag >>> 3);
    }
    node.attribute = list.slice();
  }
  reader.len = outerLen;
  const lazyAttributes = attributes > 0 && !graphAttribute;
  if (lazyAttributes || metadata) {
    Object.defineProperty(node, pendingFields, { value: new PendingFields(reader.buf, nodeStart, end, lazyAttributes ? undefined : null, metadata ? undefined : null) });
    if (lazyAttributes) Object.defineProperty(node, 'attribute', attributeAccessor);
    if (metadata) Object.defineProperty(node, 'metadataProps', metadataAccessor);
  }
  return node;
}

function decodeGraph(reader: Reader, end: number, depth: number): onnx.GraphProto {
  if (depth > protobuf.Reader.recursionLimit) throw new Error('max depth exceeded');
  const outerLen = reader.len;
  reader.len = end;
  const graph = new onnx.GraphProto();
  const scratch: NodeScratch = { names: new Names(), input: [], output: [], attribute: [] };
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag === 10) {
      const length = fieldLength(reader, end);
      graph.node.push(decodeNode(reader, reader.pos + length, depth + 1, scratch));
    } else if (tag === 42) {
      const length = fieldLength(reader, end);
      graph.initializer.push(decodeTensor(reader, reader.pos + length, depth + 1, scratch.names));
    } else {
      mergeField(reader, start, tag, depth, graph, mergeGraph);
    }
  }
  if (reader.pos !== end) throw new RangeError('index out of range');
  reader.len = outerLen;
  Object.defineProperty(graph, valueIds, { value: scratch.names.ids });
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
