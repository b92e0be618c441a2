// The model view as it crosses to the webview: columns of numbers and one string table instead of JSON.
// A 50,000-node view is 17 MB of JSON whose stringify, transfer, parse and garbage collection took about
// a second on both sides; as columns it is less than half the size, written and read without a text
// parser. The main graph's nodes, values and groups are columns; everything else (summary, graph list,
// the rare fields of a node or value) is a small JSON part. ECMAScript alone, so the webview can import
// it: the caller brings UTF-8 (TextEncoder/TextDecoder), which the page has but this module may not use.
import type { Dim, GraphView, GroupView, ModelView, NodeView, ValueKind, ValueView } from './viewModelTypes.js';

export type TextEncode = (text: string) => Uint8Array;
export type TextDecode = (bytes: Uint8Array) => string;

/** 'OLV' and the format's version: a reader refuses bytes it does not know. */
const MAGIC = 0x01564c4f;

const kinds: readonly ValueKind[] = ['input', 'initializer', 'constant', 'outer', 'value'];
const kindCode = new Map<string, number>(kinds.map((k, i) => [k, i]));

// Value flags.
const OUTPUT = 1;
const INFERRED = 2;
/** The name is the producer node's name followed by the stored string (`<node>_output_0`). */
const PREFIXED = 4;
const SHAPED = 8;
// Node flags.
const HIDDEN = 1;

/** Fields the columns hold; any other field of a node, value or group travels in the JSON part. */
const nodeColumns = new Set(['name', 'op', 'domain', 'inputs', 'outputs', 'folded', 'group', 'hidden']);
const valueColumns = new Set(['name', 'type', 'shape', 'kind', 'producer', 'consumers', 'output', 'inferred', 'data']);
const groupColumns = new Set(['name', 'path', 'parent', 'size']);

/** The Int32 columns, in the order they are written. */
const columnNames = [
  'nName', 'nOp', 'nDomain', 'nGroup', 'nFlags', 'nInEnd', 'nIn', 'nOutEnd', 'nOut', 'nFoldEnd', 'nFold',
  'vName', 'vType', 'vKind', 'vProducer', 'vFlags', 'vData', 'vConsEnd', 'vCons', 'vDimEnd', 'vDim',
  'gName', 'gPath', 'gParent', 'gSize',
  'stringEnd',
] as const;
type ColumnName = (typeof columnNames)[number];

/** Rare fields by object index: `[index, fields]`. */
type Extras = Array<[number, Record<string, unknown>]>;

interface Meta extends Omit<ModelView, 'main'> {
  main: Omit<GraphView, 'nodes' | 'values' | 'groups'>;
  counts: { nodes: number; values: number; groups: number };
  extras: { nodes: Extras; values: Extras; groups: Extras };
}

/** A growable Int32 list: columns are written before their final size is known. */
class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = x;
  }
  /** Appends `list` when it is a list of Int32s; false (and nothing appended) when it is not. */
  pushInts(list: unknown): boolean {
    if (!Array.isArray(list)) return false;
    const start = this.length;
    for (let i = 0; i < list.length; i++) {
      const x: unknown = list[i];
      if (typeof x !== 'number' || (x | 0) !== x) {
        this.length = start;
        return false;
      }
      this.push(x);
    }
    return true;
  }
  get view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** A dim as one Int32: x >= 0 a size, -1 unknown (null), -2 - k the string k; undefined when it does not fit. */
function dimCode(dim: Dim, strings: (text: string) => number): number | undefined {
  if (dim === null) return -1;
  if (typeof dim === 'string') return -2 - strings(dim);
  return Number.isInteger(dim) && dim >= 0 && dim <= 0x7fffffff ? dim : undefined;
}

/** The fields of `object` the columns do not hold, or undefined when there are none. */
function rest(object: object, columns: ReadonlySet<string>, also?: Record<string, unknown>): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined = also;
  for (const key in object) {
    if (columns.has(key)) continue;
    const value = (object as Record<string, unknown>)[key];
    if (value !== undefined) (extra ??= {})[key] = value;
  }
  return extra;
}

/** The view as bytes in a buffer of their own (so they can be transferred). */
export function writeModelView(view: ModelView, encodeText: TextEncode): Uint8Array<ArrayBuffer> {
  const { nodes, values, groups, ...graphRest } = view.main;
  const col = Object.fromEntries(columnNames.map((name) => [name, new Ints()])) as Record<ColumnName, Ints>;
  const stringIds = new Map<string, number>();
  const strings: string[] = [];
  /** Strings that repeat (ops, types, name endings) are stored once. */
  const sid = (text: string): number => {
    let id = stringIds.get(text);
    if (id === undefined) {
      id = strings.length;
      strings.push(text);
      stringIds.set(text, id);
    }
    return id;
  };
  /** Names, nearly all different: looking them up would cost more than storing the few repeats. */
  const raw = (text: string): number => strings.push(text) - 1;
  const extras: Meta['extras'] = { nodes: [], values: [], groups: [] };

  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    let moved: Record<string, unknown> | undefined;
    const strs = typeof node.name === 'string' && typeof node.op === 'string' && typeof node.domain === 'string';
    col.nName.push(strs ? raw(node.name) : -1);
    col.nOp.push(strs ? sid(node.op) : -1);
    col.nDomain.push(strs ? sid(node.domain) : -1);
    if (!strs) moved = { name: node.name, op: node.op, domain: node.domain };
    col.nGroup.push(node.group | 0);
    if ((node.group | 0) !== node.group) (moved ??= {}).group = node.group;
    col.nFlags.push(node.hidden === true ? HIDDEN : 0);
    if (node.hidden !== undefined && node.hidden !== true) (moved ??= {}).hidden = node.hidden;
    if (!col.nIn.pushInts(node.inputs)) (moved ??= {}).inputs = node.inputs;
    col.nInEnd.push(col.nIn.length);
    if (!col.nOut.pushInts(node.outputs)) (moved ??= {}).outputs = node.outputs;
    col.nOutEnd.push(col.nOut.length);
    if (!col.nFold.pushInts(node.folded)) (moved ??= {}).folded = node.folded;
    col.nFoldEnd.push(col.nFold.length);
    const extra = rest(node, nodeColumns, moved);
    if (extra) extras.nodes.push([n, extra]);
  }

  for (let v = 0; v < values.length; v++) {
    const value = values[v];
    let moved: Record<string, unknown> | undefined;
    let flags = 0;
    const producer = value.producer;
    const intProducer = (producer | 0) === producer;
    col.vProducer.push(intProducer ? producer : -1);
    if (!intProducer) moved = { producer };
    // Most values are named after the node that makes them: only the rest of the name is stored.
    const maker = intProducer && producer >= 0 && producer < nodes.length ? nodes[producer].name : undefined;
    if (typeof value.name !== 'string') {
      col.vName.push(-1);
      (moved ??= {}).name = value.name;
    } else if (typeof maker === 'string' && maker.length > 0 && value.name.startsWith(maker)) {
      flags |= PREFIXED;
      col.vName.push(sid(value.name.slice(maker.length)));
    } else col.vName.push(raw(value.name));
    if (typeof value.type === 'string') col.vType.push(sid(value.type));
    else {
      col.vType.push(-1);
      (moved ??= {}).type = value.type;
    }
    const kind = kindCode.get(value.kind);
    col.vKind.push(kind ?? -1);
    if (kind === undefined) (moved ??= {}).kind = value.kind;
    if (value.output === true) flags |= OUTPUT;
    else if (value.output !== undefined) (moved ??= {}).output = value.output;
    if (value.inferred === true) flags |= INFERRED;
    else if (value.inferred !== undefined) (moved ??= {}).inferred = value.inferred;
    if (typeof value.data === 'string') col.vData.push(sid(value.data));
    else {
      col.vData.push(-1);
      if (value.data !== undefined) (moved ??= {}).data = value.data;
    }
    if (!col.vCons.pushInts(value.consumers)) (moved ??= {}).consumers = value.consumers;
    col.vConsEnd.push(col.vCons.length);
    const shape = value.shape;
    if (Array.isArray(shape)) {
      const start = col.vDim.length;
      let fits = true;
      for (let i = 0; i < shape.length && fits; i++) {
        const code = dimCode(shape[i], sid);
        if (code === undefined) fits = false;
        else col.vDim.push(code);
      }
      if (fits) flags |= SHAPED;
      else {
        col.vDim.length = start;
        (moved ??= {}).shape = shape;
      }
    } else if (shape !== undefined) (moved ??= {}).shape = shape;
    col.vDimEnd.push(col.vDim.length);
    col.vFlags.push(flags);
    const extra = rest(value, valueColumns, moved);
    if (extra) extras.values.push([v, extra]);
  }

  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    const fits = typeof group.name === 'string' && typeof group.path === 'string' && (group.parent | 0) === group.parent && (group.size | 0) === group.size;
    col.gName.push(fits ? sid(group.name) : -1);
    col.gPath.push(fits ? raw(group.path) : -1);
    col.gParent.push(fits ? group.parent : -1);
    col.gSize.push(fits ? group.size : 0);
    const extra = rest(group, groupColumns, fits ? undefined : { name: group.name, path: group.path, parent: group.parent, size: group.size });
    if (extra) extras.groups.push([g, extra]);
  }

  // String ends in UTF-16 units of the joined text: the reader decodes it once and slices it.
  let end = 0;
  for (let i = 0; i < strings.length; i++) col.stringEnd.push((end += strings[i].length));
  const meta: Meta = { ...view, main: graphRest, counts: { nodes: nodes.length, values: values.length, groups: groups.length }, extras };
  const metaBytes = encodeText(JSON.stringify(meta));
  const textBytes = encodeText(strings.join(''));

  // Header: magic, then [offset, length] of the JSON part, the text and each column; sections 4-aligned.
  const sections: Uint8Array[] = [metaBytes, textBytes, ...columnNames.map((name) => new Uint8Array(col[name].view.buffer, 0, col[name].length * 4))];
  const header = 4 + 8 * sections.length;
  let size = header;
  const offsets: number[] = [];
  for (const section of sections) {
    size = (size + 3) & ~3;
    offsets.push(size);
    size += section.byteLength;
  }
  const out = new Uint8Array(size);
  const head = new DataView(out.buffer);
  head.setUint32(0, MAGIC, true);
  sections.forEach((section, i) => {
    head.setUint32(4 + 8 * i, offsets[i], true);
    head.setUint32(8 + 8 * i, section.byteLength, true);
    out.set(section, offsets[i]);
  });
  return out;
}

/** The view from the bytes writeModelView made. Throws on bytes of another format. */
export function readModelView(bytes: Uint8Array, decodeText: TextDecode): ModelView {
  // Columns are read in place, which needs 4-aligned offsets: a view at an odd offset is copied first.
  const data = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const head = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.byteLength < 4 || head.getUint32(0, true) !== MAGIC) throw new Error('The model view is in a format this page does not read.');
  const section = (i: number): Uint8Array => data.subarray(head.getUint32(4 + 8 * i, true), head.getUint32(4 + 8 * i, true) + head.getUint32(8 + 8 * i, true));
  const meta = JSON.parse(decodeText(section(0))) as Meta;
  const text = decodeText(section(1));
  const col = {} as Record<ColumnName, Int32Array>;
  columnNames.forEach((name, i) => {
    const s = section(2 + i);
    col[name] = new Int32Array(s.buffer, s.byteOffset, s.byteLength / 4);
  });
  const ends = col.stringEnd;
  const strings: string[] = new Array(ends.length);
  for (let i = 0, start = 0; i < ends.length; i++) {
    strings[i] = text.slice(start, ends[i]);
    start = ends[i];
  }
  const str = (id: number): string => strings[id];
  const list = (items: Int32Array, ends: Int32Array, i: number): number[] => {
    const start = i === 0 ? 0 : ends[i - 1];
    const end = ends[i];
    const out = new Array<number>(end - start);
    for (let k = start; k < end; k++) out[k - start] = items[k];
    return out;
  };

  const { counts, extras, ...model } = meta;
  const nodes: NodeView[] = new Array(counts.nodes);
  for (let n = 0; n < counts.nodes; n++) {
    const node: NodeView = { name: str(col.nName[n]), op: str(col.nOp[n]), domain: str(col.nDomain[n]), inputs: list(col.nIn, col.nInEnd, n), outputs: list(col.nOut, col.nOutEnd, n), folded: list(col.nFold, col.nFoldEnd, n), group: col.nGroup[n] };
    if (col.nFlags[n] & HIDDEN) node.hidden = true;
    nodes[n] = node;
  }
  for (const [n, fields] of extras.nodes) Object.assign(nodes[n], fields);

  const values: ValueView[] = new Array(counts.values);
  for (let v = 0; v < counts.values; v++) {
    const flags = col.vFlags[v];
    const producer = col.vProducer[v];
    const name = flags & PREFIXED ? nodes[producer].name + str(col.vName[v]) : str(col.vName[v]);
    let shape: Dim[] | undefined;
    if (flags & SHAPED) {
      const start = v === 0 ? 0 : col.vDimEnd[v - 1];
      const end = col.vDimEnd[v];
      shape = new Array<Dim>(end - start);
      for (let k = start; k < end; k++) {
        const code = col.vDim[k];
        shape[k - start] = code >= 0 ? code : code === -1 ? null : str(-2 - code);
      }
    }
    const value: ValueView = shape ? { name, type: str(col.vType[v]), shape, kind: kinds[col.vKind[v]], producer, consumers: list(col.vCons, col.vConsEnd, v) } : { name, type: str(col.vType[v]), kind: kinds[col.vKind[v]], producer, consumers: list(col.vCons, col.vConsEnd, v) };
    if (flags & OUTPUT) value.output = true;
    if (flags & INFERRED) value.inferred = true;
    if (col.vData[v] >= 0) value.data = str(col.vData[v]);
    values[v] = value;
  }
  for (const [v, fields] of extras.values) Object.assign(values[v], fields);

  const groupCount = counts.groups;
  const groups: GroupView[] = new Array(groupCount);
  for (let g = 0; g < groupCount; g++) groups[g] = { name: str(col.gName[g]), path: str(col.gPath[g]), parent: col.gParent[g], size: col.gSize[g] };
  for (const [g, fields] of extras.groups) Object.assign(groups[g], fields);

  return { ...model, main: { ...model.main, nodes, values, groups } } as ModelView;
}
