// ModelProto -> ONNX textual syntax (the grammar of the ONNX docs' "ONNX Textual Syntax"), with a
// source map of every name, node, graph and function. Tensors with more elements than `elideAbove`
// are written as `{...}` (type and shape kept); `full` writes every value so the text parses back
// to the same model.
import { dataTypeName } from '../model/dataTypes.js';
import { externalLocation, isExternal } from '../model/externalData.js';
import {
  AttributeType, DataType, int64ToBigInt, int64ToNumber,
  type AttributeProto, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type TypeProto,
  type ValueInfoProto, type onnx,
} from '../model/proto.js';
import { elementCount, tensorDims, tensorToArray } from '../model/tensorValues.js';
import { shapeNotes, type ShapeNotes } from './shapeNotes.js';
import { emptySourceMap, type NameRole, type TextSourceMap } from './sourceMap.js';
import {
  asFloatLiteral, attributeTypeName, float32Text, float64Text, isPlainIdentifier, quoteName, quoteString,
} from './syntax.js';

export interface PrintOptions {
  /** Tensors with more elements are shown by type and shape only. Default 32. */
  elideAbove?: number;
  /** Every value, whatever its size (overrides elideAbove). */
  full?: boolean;
  /** A comment after each node with the output shapes inference finds beyond the declared ones. Default true. */
  inferredShapes?: boolean;
}

export interface PrintedModel {
  text: string;
  map: TextSourceMap;
  /** Tensors written as `{...}`. */
  elided: number;
}

const indentUnit = '  ';
const valuesPerLine = 16;
const decoder = new TextDecoder();

const bytesText = (b: Uint8Array | null | undefined): string => decoder.decode(b ?? new Uint8Array());

class Writer {
  private readonly parts: string[] = [];
  offset = 0;
  readonly map: TextSourceMap = emptySourceMap();
  elided = 0;

  constructor(readonly elideAbove: number, readonly notes?: ShapeNotes) {}

  write(text: string): void {
    this.parts.push(text);
    this.offset += text.length;
  }

  name(name: string, role: NameRole, scope: number, node?: number): void {
    const start = this.offset;
    this.write(quoteName(name));
    this.map.names.push({ name, role, scope, node, span: { start, end: this.offset } });
  }

  text(): string {
    return this.parts.join('');
  }
}

export function printModel(model: ModelProto, options: PrintOptions = {}): PrintedModel {
  const w = new Writer(options.full ? Infinity : (options.elideAbove ?? 32), options.inferredShapes === false ? undefined : shapeNotes(model));
  writeHeader(w, modelHeader(model), '');
  if (model.graph) writeGraph(w, model.graph, '', undefined, undefined);
  w.write('\n');
  for (const fn of model.functions ?? []) {
    w.write('\n');
    writeFunction(w, fn);
  }
  return { text: w.text(), map: w.map, elided: w.elided };
}

function modelHeader(model: ModelProto): string[] {
  const entries: string[] = [];
  if (model.irVersion != null) entries.push(`ir_version: ${int64ToBigInt(model.irVersion)}`);
  entries.push(`opset_import: ${opsetsText(model.opsetImport ?? [])}`);
  if (model.producerName) entries.push(`producer_name: ${quoteString(model.producerName)}`);
  if (model.producerVersion) entries.push(`producer_version: ${quoteString(model.producerVersion)}`);
  if (model.domain) entries.push(`domain: ${quoteString(model.domain)}`);
  if (model.modelVersion != null && int64ToBigInt(model.modelVersion) !== 0n) entries.push(`model_version: ${int64ToBigInt(model.modelVersion)}`);
  if (model.docString) entries.push(`doc_string: ${quoteString(model.docString)}`);
  if (model.metadataProps?.length) {
    entries.push(`metadata_props: [${model.metadataProps.map((p) => `${quoteString(p.key ?? '')}: ${quoteString(p.value ?? '')}`).join(', ')}]`);
  }
  return entries;
}

function opsetsText(opsets: onnx.IOperatorSetIdProto[]): string {
  return `[${opsets.map((o) => `${quoteString(o.domain ?? '')} : ${int64ToBigInt(o.version)}`).join(', ')}]`;
}

function writeHeader(w: Writer, entries: string[], indent: string): void {
  if (!entries.length) return;
  w.write(`${indent}<\n${entries.map((e) => `${indent}${indentUnit}${e}`).join(',\n')}\n${indent}>\n`);
}

export function dimText(d: onnx.TensorShapeProto.IDimension): string {
  if (d.dimValue != null) return String(int64ToBigInt(d.dimValue));
  if (d.dimParam) return isPlainIdentifier(d.dimParam) ? d.dimParam : quoteString(d.dimParam);
  return '?';
}

function shapeText(elem: string, shape: onnx.ITensorShapeProto | null | undefined): string {
  if (!shape) return `${elem}[]`;
  const dims = shape.dim ?? [];
  return dims.length ? `${elem}[${dims.map(dimText).join(',')}]` : elem;
}

/** The type as written before a name; undefined when the TypeProto holds nothing the syntax can say. */
export function typeSyntax(type: TypeProto | null | undefined): string | undefined {
  if (!type) return undefined;
  if (type.tensorType) return shapeText(dataTypeName(type.tensorType.elemType ?? 0), type.tensorType.shape);
  if (type.sparseTensorType) return `sparse_tensor(${shapeText(dataTypeName(type.sparseTensorType.elemType ?? 0), type.sparseTensorType.shape)})`;
  if (type.sequenceType) return wrap('seq', typeSyntax(type.sequenceType.elemType));
  if (type.optionalType) return wrap('optional', typeSyntax(type.optionalType.elemType));
  if (type.mapType) {
    const value = typeSyntax(type.mapType.valueType);
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

function writeValueInfo(w: Writer, vi: ValueInfoProto, role: NameRole, scope: number): void {
  const type = typeSyntax(vi.type);
  if (type) w.write(type + ' ');
  w.name(vi.name ?? '', role, scope);
}

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
  const start = w.offset;
  const nameStart = w.offset;
  w.write(quoteName(graph.name ?? ''));
  const entry = {
    kind: 'graph' as const, name: graph.name ?? '', parent, owner, graph,
    span: { start, end: start }, nameSpan: { start: nameStart, end: w.offset },
  };
  w.map.scopes.push(entry);
  w.write(' ');
  const inputs = graph.input ?? [];
  const outputs = graph.output ?? [];
  writeList(w, inputs, '(', ')', indent, signatureLength(inputs) > 100, (v) => writeValueInfo(w, v, 'input', scope));
  w.write(' => ');
  writeList(w, outputs, '(', ')', indent, signatureLength(outputs) > 100, (v) => writeValueInfo(w, v, 'output', scope));
  const extras: Array<TensorProto | ValueInfoProto> = [...(graph.initializer ?? []), ...(graph.valueInfo ?? [])];
  const initializerCount = graph.initializer?.length ?? 0;
  if (extras.length) {
    w.write(`\n${indent}`);
    writeList(w, extras, '<', '>', indent, true, (item, index) => {
      if (index < initializerCount) writeInitializer(w, item as TensorProto, scope, indent + indentUnit);
      else writeValueInfo(w, item as ValueInfoProto, 'value_info', scope);
    });
  }
  for (const sparse of graph.sparseInitializer ?? []) {
    // The syntax has no form for sparse initializers: keep them visible as a comment.
    w.write(`\n${indent}# sparse initializer ${quoteName(sparse.values?.name ?? '')}: ${dataTypeName(sparse.values?.dataType ?? 0)}[${(sparse.dims ?? []).map((d) => int64ToNumber(d)).join(',')}] (no text form)`);
  }
  w.write(`\n${indent}{\n`);
  (graph.node ?? []).forEach((node, index) => writeNode(w, node, index, scope, indent + indentUnit));
  w.write(`${indent}}`);
  entry.span.end = w.offset;
  return scope;
}

function writeInitializer(w: Writer, t: TensorProto, scope: number, indent: string): void {
  w.write(tensorTypeText(t) + ' ');
  w.name(t.name ?? '', 'initializer', scope);
  w.write(' = ');
  writeTensorData(w, t, indent);
}

/** `{values}`, `{...}` when elided, or `[ "location": ... ]` for external data. */
function writeTensorData(w: Writer, t: TensorProto, indent: string): void {
  if (isExternal(t)) {
    const entries = (t.externalData ?? []).map((e) => `${quoteString(e.key ?? '')}: ${quoteString(e.value ?? '')}`);
    if (!entries.length) {
      try {
        entries.push(`"location": ${quoteString(externalLocation(t).location)}`);
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

function nodeLabelWanted(node: NodeProto): boolean {
  return !!node.name;
}

/** Node inputs/outputs: interior empty names as nothing, leading and trailing ones as "". */
function writeIdList(w: Writer, names: string[], role: NameRole, scope: number, node: number): void {
  names.forEach((name, i) => {
    if (i) w.write(', ');
    if (name === '') {
      if (i === 0 || i === names.length - 1) w.write('""');
      return;
    }
    w.name(name, role, scope, node);
  });
}

function writeNode(w: Writer, node: NodeProto, index: number, scope: number, indent: string): void {
  const key = w.map.nodes.length;
  w.write(indent);
  const start = w.offset;
  let labelSpan;
  if (nodeLabelWanted(node)) {
    const labelStart = w.offset;
    w.write(`[${quoteName(node.name ?? '')}] `);
    labelSpan = { start: labelStart, end: w.offset - 1 };
  }
  const entry = { node, scope, index, span: { start, end: start }, opSpan: { start: 0, end: 0 }, labelSpan };
  w.map.nodes.push(entry);
  writeIdList(w, node.output ?? [], 'node_output', scope, key);
  w.write((node.output?.length ? ' ' : '') + '= ');
  const opStart = w.offset;
  const domainParts = node.domain ? node.domain.split('.').map((p) => (isPlainIdentifier(p) ? p : quoteString(p))) : [];
  const op = node.opType ?? '';
  w.write([...domainParts, isPlainIdentifier(op) ? op : quoteString(op)].join('.'));
  entry.opSpan = { start: opStart, end: w.offset };
  if (node.overload) w.write(`:${node.overload}`);
  const attributes = node.attribute ?? [];
  // Attributes always go before the inputs: the syntax allows both, and one place keeps highlighting simple.
  if (attributes.length) writeAttributes(w, attributes, scope, key, indent);
  w.write('(');
  writeIdList(w, node.input ?? [], 'node_input', scope, key);
  w.write(')');
  entry.span.end = w.offset;
  const graph = w.map.scopes[scope]?.graph;
  const note = graph ? w.notes?.(graph, node) : undefined;
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
  if (a.refAttrName) {
    w.write(`${name}${type ? `: ${attributeTypeName(type)}` : ''} = @${a.refAttrName}`);
    return;
  }
  const annotate = (always: boolean) => w.write(always ? `${name}: ${attributeTypeName(type)} = ` : `${name} = `);
  switch (type) {
    case AttributeType.FLOAT: annotate(false); w.write(asFloatLiteral(float32Text(a.f ?? 0))); return;
    case AttributeType.INT: annotate(false); w.write(String(int64ToBigInt(a.i))); return;
    case AttributeType.STRING: annotate(false); w.write(quoteString(bytesText(a.s))); return;
    case AttributeType.FLOATS: annotate(!a.floats?.length); w.write(`[${floatsText(a.floats ?? [])}]`); return;
    case AttributeType.INTS: annotate(!a.ints?.length); w.write(`[${(a.ints ?? []).map((v) => String(int64ToBigInt(v))).join(', ')}]`); return;
    case AttributeType.STRINGS: annotate(!a.strings?.length); w.write(`[${(a.strings ?? []).map((s) => quoteString(bytesText(s))).join(', ')}]`); return;
    case AttributeType.TENSOR:
      annotate(false);
      writeAttributeTensor(w, a.t ?? {}, indent);
      return;
    case AttributeType.TENSORS:
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
      annotate(quoteName(g.name ?? '') !== (g.name ?? ''));
      writeGraph(w, g, indent, scope, { node, attribute: name });
      return;
    }
    case AttributeType.GRAPHS:
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
      w.write(typeSyntax(a.tp) ?? 'undefined');
      return;
    case AttributeType.TYPE_PROTOS:
      annotate(true);
      w.write(`[${(a.typeProtos ?? []).map((t) => typeSyntax(t) ?? 'undefined').join(', ')}]`);
      return;
    case AttributeType.SPARSE_TENSOR:
    case AttributeType.SPARSE_TENSORS: {
      // No text form exists for sparse tensors: shown by type and shape, like an elided tensor.
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
  w.write(tensorTypeText(t) + ' ');
  if (t.name) w.write(quoteName(t.name) + ' ');
  writeTensorData(w, t, indent);
}

function writeFunction(w: Writer, fn: FunctionProto): void {
  const header: string[] = [`domain: ${quoteString(fn.domain ?? '')}`];
  if (fn.overload) header.push(`overload: ${quoteString(fn.overload)}`);
  header.push(`opset_import: ${opsetsText(fn.opsetImport ?? [])}`);
  if (fn.docString) header.push(`doc_string: ${quoteString(fn.docString)}`);
  const start = w.offset;
  writeHeader(w, header, '');
  const scope = w.map.scopes.length;
  const nameStart = w.offset;
  w.write(quoteName(fn.name ?? ''));
  const entry = { kind: 'function' as const, name: fn.name ?? '', fn, span: { start, end: start }, nameSpan: { start: nameStart, end: w.offset } };
  w.map.scopes.push(entry);
  const attributes: Array<() => void> = [
    ...(fn.attribute ?? []).map((name) => () => w.write(name)),
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
      const type = vi ? typeSyntax(vi.type) : undefined;
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
    writeList(w, rest, '<', '>', '', true, (v) => writeValueInfo(w, v, 'value_info', scope));
  }
  w.write('\n{\n');
  (fn.node ?? []).forEach((node, index) => writeNode(w, node, index, scope, indentUnit));
  w.write('}\n');
  entry.span.end = w.offset - 1;
}
