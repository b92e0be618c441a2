// ModelProto -> ONNX textual syntax (the grammar of the ONNX docs' "ONNX Textual Syntax"), with a
// source map of every name, node, graph and function. Tensors with more elements than `elideAbove`
// are written as `{...}` (type and shape kept); `full` writes every value so the text parses back
// to the same model. The text is what the newest onnx.parser reads wherever its syntax allows; what it
// cannot read is listed at the top. `strict` writes only what onnx 1.12's parser reads too (see
// readerNotes.ts, plainNames.ts). What the syntax has no place for goes into `#@` lines (annotations.ts).
import { dataTypeName } from '../model/dataTypes.js';
import { externalLocation, isExternal } from '../model/externalData.js';
import {
  AttributeType, DataType, int64ToBigInt, int64ToNumber,
  type AttributeProto, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type TypeProto,
  type ValueInfoProto, type onnx,
} from '../model/proto.js';
import { elementCount, tensorDims, tensorToArray } from '../model/tensorValues.js';
import { annotationsOf, formatAnnotation, type Annotatable } from './annotations.js';
import { isPlainName, plainNameMap } from './plainNames.js';
import { LeftOut, noteAttribute112, noteValues112, ReaderNotes, Unreadable } from './readerNotes.js';
import { shapeNotes, type ShapeNotes } from './shapeNotes.js';
import { emptySourceMap, shiftSourceMap, type NameRole, type TextSourceMap } from './sourceMap.js';
import {
  asFloatLiteral, attributeTypeName, float32Text, float64Text, isPlainIdentifier, quoteName, quoteString,
} from './syntax.js';

export interface PrintOptions {
  /** Tensors with more elements are shown by type and shape only. Default 32. */
  elideAbove?: number;
  /** Every value, whatever its size (overrides elideAbove). */
  full?: boolean;
  /** Only what onnx 1.12's parser reads too: names renamed to identifiers, node names in `#@` lines. */
  strict?: boolean;
  /** A comment after each node with the output shapes inference finds beyond the declared ones. Default true. */
  inferredShapes?: boolean;
}

export interface PrintedModel {
  text: string;
  map: TextSourceMap;
  /** Tensors written as `{...}`. */
  elided: number;
  /** Why onnx's parser (1.12 when strict, else the newest) cannot read the text as written; empty when it can. */
  unreadable: string[];
  /** Model name -> the identifier that stands for it (strict only). */
  renames: ReadonlyMap<string, string>;
}

/** Where a name stands decides whether onnx's parser reads it quoted. */
type NamePosition = 'value' | 'dim' | 'graph' | 'subgraph' | 'tensor' | 'label' | 'function';

const indentUnit = '  ';
const valuesPerLine = 16;
const decoder = new TextDecoder();

const bytesText = (b: Uint8Array | null | undefined): string => decoder.decode(b ?? new Uint8Array());

class Writer {
  private readonly parts: string[] = [];
  offset = 0;
  readonly map: TextSourceMap = emptySourceMap();
  elided = 0;
  readonly notes = new ReaderNotes();

  constructor(
    readonly elideAbove: number,
    readonly strict: boolean,
    readonly renames: ReadonlyMap<string, string>,
    readonly shapes?: ShapeNotes,
  ) {}

  /** A name as written here: renamed in strict text, else plain or quoted (noting where onnx reads no quotes). */
  nameText(name: string, position: NamePosition): string {
    if (this.strict) {
      const renamed = this.renames.get(name);
      if (renamed !== undefined && position !== 'function' && (name !== '' || position === 'graph' || position === 'subgraph')) return renamed;
      if (position === 'function' && !isPlainName(name)) this.notes.cannotRead(Unreadable.functionNames, name);
      return quoteName(name);
    }
    const written = quoteName(name);
    if (written !== name && position === 'tensor') this.notes.cannotRead(Unreadable.attributeTensorNames, name);
    if (written !== name && position === 'subgraph') this.notes.cannotRead(Unreadable.subgraphNames, name);
    return written;
  }

  /** A string literal; strict text notes what 1.12 cannot read (it has no escapes). */
  string(text: string): string {
    if (this.strict && /["\\]/.test(text)) this.notes.cannotRead(Unreadable.escapedStrings, text.length > 40 ? `${text.slice(0, 40)}...` : text);
    return quoteString(text);
  }

  /** A type as written; notes what strict text cannot say (onnx 1.12 reads only tensor types in signatures). */
  type(t: TypeProto | null | undefined, signature: boolean): string | undefined {
    const text = typeSyntax(t, (name) => this.nameText(name, 'dim'));
    if (!t || text === undefined) return text;
    const shape = t.tensorType?.shape ?? t.sparseTensorType?.shape;
    if (t.denotation || shape?.dim?.some((d) => d.denotation)) this.notes.leftOut(LeftOut.denotations);
    if (this.strict) {
      if (signature && !t.tensorType) this.notes.cannotRead(Unreadable.nonTensorTypes, text);
      if ((t.tensorType?.elemType ?? 0) > DataType.BFLOAT16) this.notes.cannotRead(Unreadable.newElementTypes, text);
    }
    return text;
  }

  /** `#@` lines before an entity, each followed by a newline and the indent of what follows. */
  annotations(holder: Annotatable, indent: string, options: { name?: boolean; docString?: boolean } = {}): void {
    for (const a of annotationsOf(holder, options)) this.write(`${formatAnnotation(a)}\n${indent}`);
  }

  write(text: string): void {
    this.parts.push(text);
    this.offset += text.length;
  }

  name(name: string, role: NameRole, scope: number, node?: number): void {
    const start = this.offset;
    this.write(this.nameText(name, 'value'));
    this.map.names.push({ name, role, scope, node, span: { start, end: this.offset } });
  }

  text(): string {
    return this.parts.join('');
  }
}

export function printModel(model: ModelProto, options: PrintOptions = {}): PrintedModel {
  const strict = !!options.strict;
  const renames = strict ? plainNameMap(model) : new Map<string, string>();
  const shapes = options.inferredShapes === false ? undefined : shapeNotes(model);
  const w = new Writer(options.full ? Infinity : (options.elideAbove ?? 32), strict, renames, shapes);
  writeHeader(w, modelHeader(w, model), '');
  if (model.graph) writeGraph(w, model.graph, '', undefined, undefined);
  w.write('\n');
  for (const fn of model.functions ?? []) {
    w.write('\n');
    writeFunction(w, fn);
  }
  if (model.trainingInfo?.length) w.notes.leftOut(LeftOut.trainingInfo, model.trainingInfo.length);
  if (model.configuration?.length) w.notes.leftOut(LeftOut.deviceConfigurations, model.configuration.length);
  const header = w.notes.header(strict, renames);
  if (header) shiftSourceMap(w.map, header.length);
  return { text: header + w.text(), map: w.map, elided: w.elided, unreadable: w.notes.reasons, renames };
}

function modelHeader(w: Writer, model: ModelProto): string[] {
  const entries: string[] = [];
  if (model.irVersion != null) entries.push(`ir_version: ${int64ToBigInt(model.irVersion)}`);
  entries.push(`opset_import: ${opsetsText(w, model.opsetImport ?? [])}`);
  if (model.producerName) entries.push(`producer_name: ${w.string(model.producerName)}`);
  if (model.producerVersion) entries.push(`producer_version: ${w.string(model.producerVersion)}`);
  if (model.domain) entries.push(`domain: ${w.string(model.domain)}`);
  if (model.modelVersion != null && int64ToBigInt(model.modelVersion) !== 0n) entries.push(`model_version: ${int64ToBigInt(model.modelVersion)}`);
  if (model.docString) entries.push(`doc_string: ${w.string(model.docString)}`);
  if (model.metadataProps?.length) {
    entries.push(`metadata_props: [${model.metadataProps.map((p) => `${w.string(p.key ?? '')}: ${w.string(p.value ?? '')}`).join(', ')}]`);
  }
  return entries;
}

function opsetsText(w: Writer, opsets: onnx.IOperatorSetIdProto[]): string {
  return `[${opsets.map((o) => `${w.string(o.domain ?? '')} : ${int64ToBigInt(o.version)}`).join(', ')}]`;
}

function writeHeader(w: Writer, entries: string[], indent: string): void {
  if (!entries.length) return;
  w.write(`${indent}<\n${entries.map((e) => `${indent}${indentUnit}${e}`).join(',\n')}\n${indent}>\n`);
}

/** How a symbolic dimension's name is written (strict text renames it). */
type DimName = (name: string) => string;
const quotedDim: DimName = (name) => (isPlainIdentifier(name) ? name : quoteString(name));

export function dimText(d: onnx.TensorShapeProto.IDimension, dimName: DimName = quotedDim): string {
  if (d.dimValue != null) return String(int64ToBigInt(d.dimValue));
  if (d.dimParam) return dimName(d.dimParam);
  return '?';
}

function shapeText(elem: string, shape: onnx.ITensorShapeProto | null | undefined, dimName: DimName): string {
  if (!shape) return `${elem}[]`;
  const dims = shape.dim ?? [];
  return dims.length ? `${elem}[${dims.map((d) => dimText(d, dimName)).join(',')}]` : elem;
}

/** The type as written before a name; undefined when the TypeProto holds nothing the syntax can say. */
export function typeSyntax(type: TypeProto | null | undefined, dimName: DimName = quotedDim): string | undefined {
  if (!type) return undefined;
  if (type.tensorType) return shapeText(dataTypeName(type.tensorType.elemType ?? 0), type.tensorType.shape, dimName);
  if (type.sparseTensorType) return `sparse_tensor(${shapeText(dataTypeName(type.sparseTensorType.elemType ?? 0), type.sparseTensorType.shape, dimName)})`;
  if (type.sequenceType) return wrap('seq', typeSyntax(type.sequenceType.elemType, dimName));
  if (type.optionalType) return wrap('optional', typeSyntax(type.optionalType.elemType, dimName));
  if (type.mapType) {
    const value = typeSyntax(type.mapType.valueType, dimName);
    return value === undefined ? undefined : `map(${dataTypeName(type.mapType.keyType ?? 0)}, ${value})`;
  }
  if (type.opaqueType) {
    const { domain, name } = type.opaqueType;
    return domain ? `opaque(${domain}, ${name ?? ''})` : `opaque(${name ?? ''})`;
  }
  return undefined;
}

function wrap(keyword: string, inner: string | undefined): string | undefined {
  return inner === undefined ? undefined : `${keyword}(${inner})`;
}

function tensorTypeText(t: TensorProto): string {
  const dims = tensorDims(t);
  const elem = dataTypeName(t.dataType ?? 0);
  return dims.length ? `${elem}[${dims.join(',')}]` : elem;
}

function writeValueInfo(w: Writer, vi: ValueInfoProto, role: NameRole, scope: number, indent: string): void {
  w.annotations(vi, indent);
  const type = w.type(vi.type, true);
  if (type) w.write(type + ' ');
  w.name(vi.name ?? '', role, scope);
}

const annotated = (items: Annotatable[]) => items.some((v) => v.docString || v.metadataProps?.length);

/** Entries of a parenthesised or angled list: one line when short, else one per line. */
function writeList<T>(w: Writer, items: T[], open: string, close: string, indent: string, multiline: boolean, each: (item: T, index: number) => void): void {
  w.write(open);
  if (!items.length) {
    w.write(close);
    return;
  }
  if (!multiline) {
    items.forEach((item, i) => {
      if (i) w.write(', ');
      each(item, i);
    });
    w.write(close);
    return;
  }
  const inner = indent + indentUnit;
  items.forEach((item, i) => {
    w.write(i ? `,\n${inner}` : `\n${inner}`);
    each(item, i);
  });
  w.write(`\n${indent}${close}`);
}

function signatureLength(list: ValueInfoProto[]): number {
  return list.reduce((n, v) => n + (v.name?.length ?? 0) + (typeSyntax(v.type)?.length ?? 0) + 3, 0);
}

/** Writes a graph: name, inputs => outputs, initializers and value_info in <...>, nodes in {...}. */
function writeGraph(w: Writer, graph: GraphProto, indent: string, parent: number | undefined, owner: { node: number; attribute: string } | undefined): number {
  const scope = w.map.scopes.length;
  if (annotated([graph])) {
    if (owner) w.write(`\n${indent}`);
    w.annotations(graph, indent);
  }
  if (graph.quantizationAnnotation?.length) w.notes.leftOut(LeftOut.quantizationAnnotations, graph.quantizationAnnotation.length);
  const nameStart = w.offset;
  w.write(w.nameText(graph.name ?? '', owner ? 'subgraph' : 'graph'));
  const entry = {
    kind: 'graph' as const, name: graph.name ?? '', parent, owner, graph,
    span: { start: nameStart, end: nameStart }, nameSpan: { start: nameStart, end: w.offset },
  };
  w.map.scopes.push(entry);
  w.write(' ');
  const inputs = graph.input ?? [];
  const outputs = graph.output ?? [];
  const inner = indent + indentUnit;
  writeList(w, inputs, '(', ')', indent, signatureLength(inputs) > 100 || annotated(inputs), (v) => writeValueInfo(w, v, 'input', scope, inner));
  w.write(' => ');
  writeList(w, outputs, '(', ')', indent, signatureLength(outputs) > 100 || annotated(outputs), (v) => writeValueInfo(w, v, 'output', scope, inner));
  const extras: Array<TensorProto | ValueInfoProto> = [...(graph.initializer ?? []), ...(graph.valueInfo ?? [])];
  const initializerCount = graph.initializer?.length ?? 0;
  if (extras.length) {
    w.write(`\n${indent}`);
    writeList(w, extras, '<', '>', indent, true, (item, index) => {
      if (index < initializerCount) writeInitializer(w, item as TensorProto, scope, inner);
      else writeValueInfo(w, item as ValueInfoProto, 'value_info', scope, inner);
    });
  }
  for (const sparse of graph.sparseInitializer ?? []) {
    // The syntax has no form for sparse initializers: keep them visible as a comment.
    w.notes.cannotRead(Unreadable.sparseTensors, sparse.values?.name ?? '');
    w.write(`\n${indent}# sparse initializer ${quoteName(sparse.values?.name ?? '')}: ${dataTypeName(sparse.values?.dataType ?? 0)}[${(sparse.dims ?? []).map((d) => int64ToNumber(d)).join(',')}] (no text form)`);
  }
  w.write(`\n${indent}{\n`);
  (graph.node ?? []).forEach((node, index) => writeNode(w, node, index, scope, indent + indentUnit));
  w.write(`${indent}}`);
  entry.span.end = w.offset;
  return scope;
}

function writeInitializer(w: Writer, t: TensorProto, scope: number, indent: string): void {
  w.annotations(t, indent);
  w.write(tensorTypeText(t) + ' ');
  w.name(t.name ?? '', 'initializer', scope);
  w.write(' = ');
  writeTensorData(w, t, indent);
}

/** `{values}`, `{...}` when elided, or `[ "location": ... ]` for external data. */
function writeTensorData(w: Writer, t: TensorProto, indent: string): void {
  if (isExternal(t)) {
    if (w.strict) w.notes.cannotRead(Unreadable.externalData, t.name ?? '');
    const entries = (t.externalData ?? []).map((e) => `${w.string(e.key ?? '')}: ${w.string(e.value ?? '')}`);
    if (!entries.length) {
      try {
        entries.push(`"location": ${w.string(externalLocation(t).location)}`);
      } catch {
        // nothing to say beyond the brackets
      }
    }
    w.write(`[${entries.join(', ')}]`);
    return;
  }
  const count = elementCount(tensorDims(t));
  if (count > w.elideAbove) {
    w.elided++;
    w.write('{...}');
    return;
  }
  let values: string[];
  try {
    values = tensorValueTexts(t);
  } catch {
    w.elided++;
    w.write('{...}');
    return;
  }
  if (w.strict) noteValues112(w.notes, t, values);
  if (values.length <= valuesPerLine) {
    w.write(`{${values.join(', ')}}`);
    return;
  }
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += valuesPerLine) lines.push(values.slice(i, i + valuesPerLine).join(', '));
  w.write(`{\n${indent}${indentUnit}${lines.join(`,\n${indent}${indentUnit}`)}\n${indent}}`);
}

/** Each element as the syntax writes it (narrow floats as their bit patterns, complex as pairs). */
export function tensorValueTexts(t: TensorProto): string[] {
  const array = tensorToArray(t);
  const { data, dtype } = array;
  if (Array.isArray(data)) return data.map(quoteString);
  const out = new Array<string>(data.length);
  if (dtype === DataType.FLOAT || dtype === DataType.COMPLEX64) for (let i = 0; i < data.length; i++) out[i] = float32Text(data[i] as number);
  else if (dtype === DataType.DOUBLE || dtype === DataType.COMPLEX128) for (let i = 0; i < data.length; i++) out[i] = float64Text(data[i] as number);
  else for (let i = 0; i < data.length; i++) out[i] = String(data[i]);
  return out;
}

function nodeLabelWanted(w: Writer, node: NodeProto): boolean {
  // onnx 1.12 has no node labels: strict text keeps the name in a #@ line.
  return !!node.name && !w.strict;
}

/**
 * Node inputs/outputs: interior empty names as nothing, leading and trailing ones as "". Strict text
 * leaves trailing ones out (1.12 cannot write them as newer parsers read them; ONNX reads both the same).
 * Returns whether it left any out.
 */
function writeIdList(w: Writer, all: string[], role: NameRole, scope: number, node: number): boolean {
  let end = all.length;
  if (w.strict) while (end > 0 && all[end - 1] === '') end--;
  const names = end < all.length ? all.slice(0, end) : all;
  if (w.strict && names[0] === '') w.notes.cannotRead(Unreadable.leadingEmptyNames);
  names.forEach((name, i) => {
    if (i) w.write(', ');
    if (name === '') {
      if (i === 0 || i === names.length - 1) w.write('""');
      return;
    }
    w.name(name, role, scope, node);
  });
  return end < all.length;
}

function writeNode(w: Writer, node: NodeProto, index: number, scope: number, indent: string): void {
  const key = w.map.nodes.length;
  w.write(indent);
  w.annotations(node, indent, { name: w.strict });
  if (node.deviceConfigurations?.length) w.notes.leftOut(LeftOut.deviceConfigurations, node.deviceConfigurations.length);
  const start = w.offset;
  let labelSpan;
  if (nodeLabelWanted(w, node)) {
    const labelStart = w.offset;
    w.write(`[${w.nameText(node.name ?? '', 'label')}] `);
    labelSpan = { start: labelStart, end: w.offset - 1 };
  }
  const entry = { node, scope, index, span: { start, end: start }, opSpan: { start: 0, end: 0 }, labelSpan };
  w.map.nodes.push(entry);
  let trimmed = writeIdList(w, node.output ?? [], 'node_output', scope, key);
  w.write((node.output?.length ? ' ' : '') + '= ');
  const opStart = w.offset;
  const op = node.opType ?? '';
  const parts = [...(node.domain ? node.domain.split('.') : []), op];
  // onnx's parser reads op types and domains as identifiers only.
  if (!parts.every(isPlainIdentifier)) w.notes.cannotRead(Unreadable.opNames, node.domain ? `${node.domain}.${op}` : op);
  w.write(parts.map((p) => (isPlainIdentifier(p) ? p : quoteString(p))).join('.'));
  entry.opSpan = { start: opStart, end: w.offset };
  if (node.overload) {
    if (w.strict || !isPlainIdentifier(node.overload)) w.notes.cannotRead(Unreadable.overloads, node.overload);
    w.write(`:${node.overload}`);
  }
  const attributes = node.attribute ?? [];
  // Attributes always go before the inputs: the syntax allows both, and one place keeps highlighting simple.
  if (attributes.length) writeAttributes(w, attributes, scope, key, indent);
  w.write('(');
  if (writeIdList(w, node.input ?? [], 'node_input', scope, key)) trimmed = true;
  if (trimmed) w.notes.trailingEmpties++;
  w.write(')');
  entry.span.end = w.offset;
  const graph = w.map.scopes[scope]?.graph;
  const note = graph ? w.shapes?.(graph, node) : undefined;
  if (note) w.write(`  # ${note}`);
  w.write('\n');
}

function writeAttributes(w: Writer, attributes: AttributeProto[], scope: number, node: number, indent: string): void {
  const nested = attributes.some((a) => a.g || a.graphs?.length);
  w.write('<');
  attributes.forEach((a, i) => {
    if (nested) w.write(i ? `,\n${indent}${indentUnit}` : `\n${indent}${indentUnit}`);
    else if (i) w.write(', ');
    writeAttribute(w, a, scope, node, indent + indentUnit);
  });
  w.write(nested ? `\n${indent}>` : '>');
}

function floatsText(values: number[]): string {
  return values.map((v) => asFloatLiteral(float32Text(v))).join(', ');
}

function writeAttribute(w: Writer, a: AttributeProto, scope: number, node: number, indent: string): void {
  const type = a.type ?? AttributeType.UNDEFINED;
  const name = a.name ?? '';
  if (!isPlainIdentifier(name)) w.notes.cannotRead(Unreadable.attributeNames, name);
  if (a.docString) w.notes.leftOut(LeftOut.attributeDocStrings);
  if (w.strict) noteAttribute112(w.notes, a);
  if (a.refAttrName) {
    w.write(`${name}${type ? `: ${attributeTypeName(type)}` : ''} = @${a.refAttrName}`);
    return;
  }
  const annotate = (always: boolean) => w.write(always ? `${name}: ${attributeTypeName(type)} = ` : `${name} = `);
  switch (type) {
    case AttributeType.FLOAT: annotate(false); w.write(asFloatLiteral(float32Text(a.f ?? 0))); return;
    case AttributeType.INT: annotate(false); w.write(String(int64ToBigInt(a.i))); return;
    case AttributeType.STRING: annotate(false); w.write(w.string(bytesText(a.s))); return;
    case AttributeType.FLOATS: annotate(!a.floats?.length); w.write(`[${floatsText(a.floats ?? [])}]`); return;
    case AttributeType.INTS: annotate(!a.ints?.length); w.write(`[${(a.ints ?? []).map((v) => String(int64ToBigInt(v))).join(', ')}]`); return;
    case AttributeType.STRINGS: annotate(!a.strings?.length); w.write(`[${(a.strings ?? []).map((s) => w.string(bytesText(s))).join(', ')}]`); return;
    case AttributeType.TENSOR:
      annotate(false);
      writeAttributeTensor(w, a.t ?? {}, indent);
      return;
    case AttributeType.TENSORS:
      w.notes.cannotRead(Unreadable.attributeLists, name);
      annotate(true);
      w.write('[');
      (a.tensors ?? []).forEach((t, i) => {
        if (i) w.write(', ');
        writeAttributeTensor(w, t, indent);
      });
      w.write(']');
      return;
    case AttributeType.GRAPH: {
      const g = a.g ?? {};
      // A graph value must start with a plain name; others (quoted, or words like `float`) need the type.
      annotate(!w.strict && quoteName(g.name ?? '') !== (g.name ?? ''));
      writeGraph(w, g, indent, scope, { node, attribute: name });
      return;
    }
    case AttributeType.GRAPHS:
      w.notes.cannotRead(Unreadable.attributeLists, name);
      annotate(true);
      w.write('[');
      (a.graphs ?? []).forEach((g, i) => {
        w.write(i ? `,\n${indent}${indentUnit}` : `\n${indent}${indentUnit}`);
        writeGraph(w, g, indent + indentUnit, scope, { node, attribute: name });
      });
      w.write(`\n${indent}]`);
      return;
    case AttributeType.TYPE_PROTO:
      annotate(false);
      w.write(w.type(a.tp, false) ?? 'undefined');
      return;
    case AttributeType.TYPE_PROTOS:
      w.notes.cannotRead(Unreadable.attributeLists, name);
      annotate(true);
      w.write(`[${(a.typeProtos ?? []).map((t) => w.type(t, false) ?? 'undefined').join(', ')}]`);
      return;
    case AttributeType.SPARSE_TENSOR:
    case AttributeType.SPARSE_TENSORS: {
      // No text form exists for sparse tensors: shown by type and shape, like an elided tensor.
      w.notes.cannotRead(Unreadable.sparseTensors, name);
      annotate(true);
      const list = type === AttributeType.SPARSE_TENSOR ? [a.sparseTensor ?? {}] : (a.sparseTensors ?? []);
      const texts = list.map((s) => {
        w.elided++;
        const dims = (s.dims ?? []).map((d) => int64ToNumber(d));
        return `${dataTypeName(s.values?.dataType ?? 0)}${dims.length ? `[${dims.join(',')}]` : ''} {...}`;
      });
      w.write(type === AttributeType.SPARSE_TENSOR ? texts[0] : `[${texts.join(', ')}]`);
      return;
    }
    default:
      w.write(`${name}: undefined = []`);
  }
}

function writeAttributeTensor(w: Writer, t: TensorProto, indent: string): void {
  if (t.docString || t.metadataProps?.length) w.notes.leftOut(LeftOut.attributeTensorNotes);
  w.write(tensorTypeText(t) + ' ');
  if (t.name) w.write(w.nameText(t.name, 'tensor') + ' ');
  writeTensorData(w, t, indent);
}

function writeFunction(w: Writer, fn: FunctionProto): void {
  const header: string[] = [`domain: ${w.string(fn.domain ?? '')}`];
  if (fn.overload) header.push(`overload: ${w.string(fn.overload)}`);
  header.push(`opset_import: ${opsetsText(w, fn.opsetImport ?? [])}`);
  if (fn.docString) header.push(`doc_string: ${w.string(fn.docString)}`);
  if (w.strict && (fn.valueInfo?.length || fn.attributeProto?.length || fn.overload)) w.notes.cannotRead(Unreadable.typedFunctions, fn.name ?? '');
  // The doc string has its place in the header; metadata goes before it.
  w.annotations(fn, '', { docString: false });
  const start = w.offset;
  writeHeader(w, header, '');
  const scope = w.map.scopes.length;
  const nameStart = w.offset;
  w.write(w.nameText(fn.name ?? '', 'function'));
  const entry = { kind: 'function' as const, name: fn.name ?? '', fn, span: { start, end: start }, nameSpan: { start: nameStart, end: w.offset } };
  w.map.scopes.push(entry);
  const attributes: Array<() => void> = [
    ...(fn.attribute ?? []).map((name) => () => {
      if (!isPlainIdentifier(name)) w.notes.cannotRead(Unreadable.attributeNames, name);
      w.write(name);
    }),
    ...(fn.attributeProto ?? []).map((a) => () => writeAttribute(w, a, scope, -1, '')),
  ];
  if (attributes.length) {
    w.write(' <');
    attributes.forEach((write, i) => {
      if (i) w.write(', ');
      write();
    });
    w.write('>');
  }
  const types = new Map((fn.valueInfo ?? []).map((v) => [v.name ?? '', v]));
  const used = new Set<string>();
  const io = (names: string[], role: NameRole) => {
    w.write('(');
    names.forEach((name, i) => {
      if (i) w.write(', ');
      const vi = types.get(name);
      if (vi) w.annotations(vi, '');
      const type = vi ? w.type(vi.type, true) : undefined;
      if (type) {
        w.write(type + ' ');
        used.add(name);
      }
      w.name(name, role, scope);
    });
    w.write(')');
  };
  w.write(' ');
  io(fn.input ?? [], 'input');
  w.write(' => ');
  io(fn.output ?? [], 'output');
  const rest = (fn.valueInfo ?? []).filter((v) => !used.has(v.name ?? ''));
  if (rest.length) {
    w.write('\n');
    writeList(w, rest, '<', '>', '', true, (v) => writeValueInfo(w, v, 'value_info', scope, indentUnit));
  }
  w.write('\n{\n');
  (fn.node ?? []).forEach((node, index) => writeNode(w, node, index, scope, indentUnit));
  w.write('}\n');
  entry.span.end = w.offset - 1;
}
