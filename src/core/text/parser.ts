// ONNX textual syntax -> ModelProto, with a source map and positioned errors. Accepts the grammar of
// the ONNX docs' "ONNX Textual Syntax" (node labels, quoted names, typed function inputs, external
// data) plus what the printer needs to be lossless: typed empty lists, lists of tensors/graphs/types,
// typed attribute references, `{...}` for values elided from a printed model, and `#@` lines
// (annotations.ts): names, doc strings and metadata the syntax has no place for, and the renames of
// --strict text, which are undone here.
import { UserError } from '../errors.js';
import { formatDims } from '../format.js';
import { dataTypeName } from '../model/dataTypes.js';
import {
  AttributeType, DataType, int64ToNumber, onnx, toLong, type ModelProto, type TypeProto,
} from '../model/proto.js';
import { arrayToTensor, elementCount, type ElementArray } from '../model/tensorValues.js';
import { parseAnnotation, type Annotatable, type Annotation } from './annotations.js';
import { tokenize, type RawAnnotation, type Token } from './lexer.js';
import { emptySourceMap, LineIndex, type NameRole, type NodeEntry, type Span, type TextSourceMap } from './sourceMap.js';
import { attributeTypeName, attributeTypeNames, isFloatWord, primTypeNames, typeKeywords } from './syntax.js';

export interface TextDiagnostic {
  /** 1-based, as editors and compilers print them. */
  line: number;
  column: number;
  span: Span;
  message: string;
  severity: 'error' | 'warning';
}

export interface ElidedTensor {
  name: string;
  span: Span;
}

export interface ParseResult {
  /** Undefined when the text has a syntax error. */
  model?: ModelProto;
  /** Filled as far as the parser got, so that a text with an error is still navigable. */
  map: TextSourceMap;
  diagnostics: TextDiagnostic[];
  /** Tensors written as `{...}`: type and shape only, no values. */
  elided: ElidedTensor[];
}

class SyntaxFailure extends Error {
  readonly span: Span;
  constructor(at: Span, message: string) {
    super(message);
    this.span = { start: at.start, end: at.end };
  }
}

/** A text that is not a valid model: the message carries `line:column`. */
export class TextSyntaxError extends UserError {
  constructor(readonly diagnostic: TextDiagnostic) {
    super(`${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`);
  }
}

const describe = (t: Token): string => (t.kind === 'eof' ? 'the end of the text' : t.kind === 'error' ? t.text : `'${t.text}'`);

class Parser {
  private pos = 0;
  readonly map: TextSourceMap = emptySourceMap();
  readonly elided: ElidedTensor[] = [];
  readonly warnings: Array<{ span: Span; message: string }> = [];
  /** Identifier -> the model's name, from the `#@ rename` lines at the top. */
  private readonly renames = new Map<string, string>();
  private readonly usedAnnotations = new Set<RawAnnotation>();

  constructor(private readonly tokens: Token[]) {}

  // ---- #@ lines

  /** The `#@` lines before a token whose field is one of `fields` (others stay for whatever claims them). */
  private annotations(token: Token, fields: ReadonlyArray<Annotation['field']>): Annotation[] {
    const out: Annotation[] = [];
    for (const raw of token.annotations ?? []) {
      if (this.usedAnnotations.has(raw)) continue;
      const a = parseAnnotation(raw.text);
      if (typeof a === 'string') throw new SyntaxFailure(raw, a);
      if (!fields.includes(a.field)) continue;
      this.usedAnnotations.add(raw);
      out.push(a);
    }
    return out;
  }

  /** Doc string and metadata from the `#@` lines before a token; a name too when allowed. */
  private annotate(target: Annotatable, token: Token, withName = false): void {
    for (const a of this.annotations(token, withName ? ['name', 'doc_string', 'metadata_props'] : ['doc_string', 'metadata_props'])) {
      if (a.field === 'name') target.name = a.value;
      else if (a.field === 'doc_string') target.docString = a.value;
      else if (a.field === 'metadata_props') (target.metadataProps ??= []).push(new onnx.StringStringEntryProto({ key: a.key, value: a.value }));
    }
  }

  /** `#@` lines nothing claimed: they would be lost, so they are errors. */
  checkAnnotations(): void {
    for (const t of this.tokens) {
      for (const raw of t.annotations ?? []) {
        if (this.usedAnnotations.has(raw)) continue;
        const a = parseAnnotation(raw.text);
        if (typeof a === 'string') throw new SyntaxFailure(raw, a);
        throw new SyntaxFailure(raw, a.field === 'rename'
          ? '#@ rename lines belong at the top of the text, before anything else.'
          : `This #@ ${a.field} line describes nothing: it goes right before the ${a.field === 'name' ? 'node' : 'node, graph name, value or function'} it belongs to.`);
      }
    }
  }

  // ---- token helpers

  private get next(): Token {
    return this.tokens[this.pos];
  }

  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }

  private advance(): Token {
    const t = this.tokens[this.pos];
    if (t.kind === 'error') throw new SyntaxFailure(t, t.text);
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private is(text: string): boolean {
    const t = this.next;
    return t.kind === 'punct' && t.text === text;
  }

  private accept(text: string): Token | undefined {
    return this.is(text) ? this.advance() : undefined;
  }

  private fail(message: string, token: Token = this.next): never {
    throw new SyntaxFailure(token, message);
  }

  private expect(text: string, what?: string): Token {
    if (this.is(text)) return this.advance();
    if (this.next.kind === 'error') this.fail(this.next.text);
    return this.fail(`Expected '${text}'${what ? ` ${what}` : ''} but found ${describe(this.next)}.`);
  }

  private identifier(what: string): Token {
    if (this.next.kind === 'id') return this.advance();
    return this.fail(`Expected ${what} but found ${describe(this.next)}.`);
  }

  private isQuotable(): boolean {
    return this.next.kind === 'id' || this.next.kind === 'string';
  }

  private quotable(what: string): { text: string; token: Token } {
    const t = this.next;
    if (t.kind === 'id') return { text: this.advance().text, token: t };
    if (t.kind === 'string') return { text: this.advance().value ?? '', token: t };
    return this.fail(`Expected ${what} but found ${describe(t)}.`);
  }

  /** A value, graph, dimension or tensor name: an identifier that a `#@ rename` line maps is read as the model's name. */
  private name(what: string): { text: string; token: Token } {
    const read = this.quotable(what);
    const original = read.token.kind === 'id' ? this.renames.get(read.text) : undefined;
    return original === undefined ? read : { text: original, token: read.token };
  }

  private string(what: string): string {
    if (this.next.kind === 'string') return this.advance().value ?? '';
    return this.fail(`Expected ${what} (a string in double quotes) but found ${describe(this.next)}.`);
  }

  private integer(what: string): bigint {
    const t = this.next;
    if (t.kind === 'int') return BigInt(this.advance().text);
    return this.fail(`Expected ${what} (an integer) but found ${describe(t)}.`);
  }

  private record(name: string, token: Token, role: NameRole, scope: number, node?: number): void {
    this.map.names.push({ name, role, scope, node, span: { start: token.start, end: token.end } });
  }

  // ---- model

  model(): ModelProto {
    const model = new onnx.ModelProto();
    for (const a of this.annotations(this.next, ['rename'])) if (a.field === 'rename') this.renames.set(a.identifier, a.name);
    if (this.accept('<')) {
      do {
        const key = this.identifier('a model property such as ir_version');
        this.expect(':', `after '${key.text}'`);
        switch (key.text) {
          case 'ir_version': model.irVersion = toLong(this.integer('the IR version')); break;
          case 'opset_import': model.opsetImport = this.opsets(); break;
          case 'producer_name': model.producerName = this.string('the producer name'); break;
          case 'producer_version': model.producerVersion = this.string('the producer version'); break;
          case 'domain': model.domain = this.string('the domain'); break;
          case 'model_version': model.modelVersion = toLong(this.integer('the model version')); break;
          case 'doc_string': model.docString = this.string('the doc string'); break;
          case 'metadata_props': model.metadataProps = this.stringPairs(); break;
          default: this.fail(`Unknown model property '${key.text}'.`, key);
        }
      } while (this.accept(','));
      this.expect('>', 'to close the model properties');
    }
    model.graph = this.graph(undefined, undefined);
    while (this.next.kind !== 'eof') model.functions.push(this.function());
    return model;
  }

  private opsets(): onnx.OperatorSetIdProto[] {
    const list: onnx.OperatorSetIdProto[] = [];
    this.expect('[', 'to start the opset list');
    if (!this.accept(']')) {
      do {
        const domain = this.string('an opset domain');
        this.expect(':', 'between opset domain and version');
        list.push(new onnx.OperatorSetIdProto({ domain, version: toLong(this.integer('the opset version')) }));
      } while (this.accept(','));
      this.expect(']', 'to close the opset list');
    }
    return list;
  }

  private stringPairs(): onnx.StringStringEntryProto[] {
    const list: onnx.StringStringEntryProto[] = [];
    this.expect('[');
    if (!this.accept(']')) {
      do {
        const key = this.string('a key');
        this.expect(':');
        list.push(new onnx.StringStringEntryProto({ key, value: this.string('a value') }));
      } while (this.accept(','));
      this.expect(']');
    }
    return list;
  }

  // ---- types

  private nextIsType(): boolean {
    const t = this.next;
    return t.kind === 'id' && (primTypeNames.has(t.text) || typeKeywords.has(t.text));
  }

  private primType(): number {
    const t = this.identifier('an element type such as float');
    const id = primTypeNames.get(t.text);
    if (id === undefined) this.fail(`Unknown element type '${t.text}'.`, t);
    return id;
  }

  private shape(): onnx.TensorShapeProto | undefined {
    if (!this.accept('[')) return new onnx.TensorShapeProto();
    if (this.accept(']')) return undefined;
    const shape = new onnx.TensorShapeProto();
    do {
      const t = this.next;
      if (this.accept('?')) shape.dim.push(new onnx.TensorShapeProto.Dimension());
      else if (t.kind === 'id' || t.kind === 'string') shape.dim.push(new onnx.TensorShapeProto.Dimension({ dimParam: this.name('a dimension').text }));
      else if (t.kind === 'int') shape.dim.push(new onnx.TensorShapeProto.Dimension({ dimValue: toLong(BigInt(this.advance().text)) }));
      else this.fail(`Expected a dimension (a number, a name or '?') but found ${describe(t)}.`);
    } while (this.accept(','));
    this.expect(']', 'to close the shape');
    return shape;
  }

  private type(): onnx.TypeProto {
    const t = this.next;
    if (t.kind === 'id' && primTypeNames.has(t.text)) {
      const elemType = this.primType();
      const shape = this.shape();
      return new onnx.TypeProto({ tensorType: new onnx.TypeProto.Tensor(shape ? { elemType, shape } : { elemType }) });
    }
    const keyword = this.identifier('a type');
    this.expect('(', `after '${keyword.text}'`);
    let type: onnx.TypeProto;
    switch (keyword.text) {
      case 'seq': type = new onnx.TypeProto({ sequenceType: new onnx.TypeProto.Sequence({ elemType: this.type() }) }); break;
      case 'optional': type = new onnx.TypeProto({ optionalType: new onnx.TypeProto.Optional({ elemType: this.type() }) }); break;
      case 'map': {
        const keyType = this.primType();
        this.expect(',', 'between map key and value types');
        type = new onnx.TypeProto({ mapType: new onnx.TypeProto.Map({ keyType, valueType: this.type() }) });
        break;
      }
      case 'sparse_tensor': {
        const elemType = this.primType();
        const shape = this.shape();
        type = new onnx.TypeProto({ sparseTensorType: new onnx.TypeProto.SparseTensor(shape ? { elemType, shape } : { elemType }) });
        break;
      }
      case 'opaque': {
        const parts: string[] = [];
        if (!this.is(')')) {
          const qualified = [this.identifier('an opaque type name').text];
          while (this.accept('.')) qualified.push(this.identifier('a name').text);
          parts.push(qualified.join('.'));
          if (this.accept(',')) parts.push(this.identifier('an opaque type name').text);
        }
        const [domain, name] = parts.length === 2 ? parts : ['', parts[0] ?? ''];
        type = new onnx.TypeProto({ opaqueType: new onnx.TypeProto.Opaque({ domain, name }) });
        break;
      }
      default: return this.fail(`Unknown type '${keyword.text}'.`, keyword);
    }
    this.expect(')', `to close '${keyword.text}('`);
    return type;
  }

  /** `type? name`; returns the value info and the name token. */
  private valueInfo(what: string): { vi: onnx.ValueInfoProto; token: Token } {
    const vi = new onnx.ValueInfoProto();
    this.annotate(vi, this.next);
    if (this.nextIsType()) vi.type = this.type();
    const { text, token } = this.name(what);
    vi.name = text;
    return { vi, token };
  }

  // ---- tensors

  /** Values after `=` for a tensor of the given type: `{...}`, `{v, ...}` or external `[k: v, ...]`. */
  private tensorData(name: string, type: TypeProto, at: Token): onnx.TensorProto {
    const tensorType = type.tensorType;
    if (!tensorType) this.fail(`'${name}' has values, so its type must be a tensor type.`, at);
    const dtype = tensorType.elemType ?? 0;
    const dims = (tensorType.shape?.dim ?? []).map((d) => {
      if (d.dimValue == null) this.fail(`'${name}' has values, so every dimension of its shape must be a number.`, at);
      return int64ToNumber(d.dimValue);
    });
    if (!tensorType.shape) this.fail(`'${name}' has values, so its type needs a shape ('${dataTypeName(dtype)}' for a scalar).`, at);
    if (this.is('[')) {
      this.advance();
      const entries = this.is(']') ? [] : this.pairsUntil(']');
      this.expect(']', 'to close the external data entries');
      return new onnx.TensorProto({
        name, dataType: dtype, dims: dims.map((d) => toLong(d)), dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: entries,
      });
    }
    const open = this.expect('{', `to start the values of '${name}'`);
    if (this.next.kind === 'ellipsis') {
      this.advance();
      const close = this.expect('}', 'after ...');
      const span = { start: open.start, end: close.end };
      this.elided.push({ name, span });
      this.warnings.push({ span, message: `The values of '${name}' are elided: this text cannot become a model until they are written out.` });
      return new onnx.TensorProto({ name, dataType: dtype, dims: dims.map((d) => toLong(d)) });
    }
    const literals: Token[] = [];
    if (!this.is('}')) {
      do {
        const t = this.next;
        if (t.kind === 'int' || t.kind === 'float' || t.kind === 'string' || (t.kind === 'id' && isFloatWord(t.text))) literals.push(this.advance());
        else if (this.is('}')) break;
        else this.fail(`Expected a value of '${name}' but found ${describe(t)}.`);
      } while (this.accept(','));
    }
    const close = this.expect('}', `to close the values of '${name}'`);
    const perElement = dtype === DataType.COMPLEX64 || dtype === DataType.COMPLEX128 ? 2 : 1;
    const expected = elementCount(dims) * perElement;
    if (literals.length !== expected) {
      throw new SyntaxFailure({ start: open.start, end: close.end },
        `'${name}' is ${dataTypeName(dtype)}${formatDims(dims)}, which holds ${expected} value${expected === 1 ? '' : 's'}, but ${literals.length} ${literals.length === 1 ? 'is' : 'are'} given.`);
    }
    return arrayToTensor(name, { dtype, dims, data: this.elementArray(dtype, literals, name) }) as onnx.TensorProto;
  }

  private pairsUntil(close: string): onnx.StringStringEntryProto[] {
    const list: onnx.StringStringEntryProto[] = [];
    do {
      if (this.is(close)) break;
      const key = this.string('a key');
      this.expect(':');
      list.push(new onnx.StringStringEntryProto({ key, value: this.string('a value') }));
    } while (this.accept(','));
    return list;
  }

  private elementArray(dtype: number, literals: Token[], name: string): ElementArray {
    const n = literals.length;
    const numeric = (t: Token): number => {
      if (t.kind === 'string') this.fail(`'${name}' holds numbers, not strings.`, t);
      const w = t.text.toLowerCase().replace(/^-/, '');
      if (w === 'nan') return NaN;
      if (w === 'inf' || w === 'infinity') return t.text.startsWith('-') ? -Infinity : Infinity;
      return Number(t.text);
    };
    const integer = (t: Token, min: bigint, max: bigint): bigint => {
      if (t.kind !== 'int') this.fail(`'${name}' is ${dataTypeName(dtype)}: expected an integer but found ${describe(t)}.`, t);
      const v = BigInt(t.text);
      if (v < min || v > max) this.fail(`${t.text} is out of range for ${dataTypeName(dtype)} (${min} to ${max}).`, t);
      return v;
    };
    const ints = <A extends Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array>(array: A, min: number, max: number): A => {
      for (let i = 0; i < n; i++) array[i] = Number(integer(literals[i], BigInt(min), BigInt(max)));
      return array;
    };
    switch (dtype) {
      case DataType.FLOAT: case DataType.COMPLEX64: return Float32Array.from(literals, numeric);
      case DataType.DOUBLE: case DataType.COMPLEX128: return Float64Array.from(literals, numeric);
      case DataType.STRING: return literals.map((t) => {
        if (t.kind !== 'string') this.fail(`'${name}' holds strings: expected a string in double quotes but found ${describe(t)}.`, t);
        return t.value ?? '';
      });
      case DataType.INT64: return BigInt64Array.from(literals, (t) => integer(t, -(2n ** 63n), 2n ** 63n - 1n));
      case DataType.UINT64: return BigUint64Array.from(literals, (t) => integer(t, 0n, 2n ** 64n - 1n));
      case DataType.INT32: return ints(new Int32Array(n), -(2 ** 31), 2 ** 31 - 1);
      case DataType.UINT32: return ints(new Uint32Array(n), 0, 2 ** 32 - 1);
      case DataType.INT16: return ints(new Int16Array(n), -32768, 32767);
      case DataType.UINT16: case DataType.FLOAT16: case DataType.BFLOAT16: return ints(new Uint16Array(n), 0, 65535);
      case DataType.INT8: return ints(new Int8Array(n), -128, 127);
      case DataType.UINT8: return ints(new Uint8Array(n), 0, 255);
      case DataType.BOOL: return ints(new Uint8Array(n), 0, 1);
      case DataType.INT4: return ints(new Int8Array(n), -8, 7);
      case DataType.UINT4: case DataType.FLOAT4E2M1: return ints(new Uint8Array(n), 0, 15);
      case DataType.INT2: return ints(new Int8Array(n), -2, 1);
      case DataType.UINT2: return ints(new Uint8Array(n), 0, 3);
      case DataType.FLOAT8E4M3FN: case DataType.FLOAT8E4M3FNUZ: case DataType.FLOAT8E5M2: case DataType.FLOAT8E5M2FNUZ: case DataType.FLOAT8E8M0:
        return ints(new Uint8Array(n), 0, 255);
      default: return this.fail(`Values of element type ${dataTypeName(dtype)} cannot be written in text.`, literals[0] ?? this.next);
    }
  }

  // ---- graphs

  private graph(parent: number | undefined, owner: { node: number; attribute: string } | undefined): onnx.GraphProto {
    const graph = new onnx.GraphProto();
    const nameToken = this.next;
    this.annotate(graph, nameToken);
    graph.name = this.name('a graph name').text;
    const scope = this.map.scopes.length;
    const entry = {
      kind: 'graph' as const, name: graph.name, parent, owner, graph,
      span: { start: nameToken.start, end: nameToken.end }, nameSpan: { start: nameToken.start, end: nameToken.end },
    };
    this.map.scopes.push(entry);
    this.expect('(', `to start the inputs of graph '${graph.name}'`);
    if (!this.is(')')) {
      do {
        const { vi, token } = this.valueInfo('an input name');
        graph.input.push(vi);
        this.record(vi.name, token, 'input', scope);
        if (this.accept('=')) {
          graph.initializer.push(this.tensorData(vi.name, vi.type ?? {}, token));
          this.record(vi.name, token, 'initializer', scope);
        }
      } while (this.accept(','));
    }
    this.expect(')', 'to close the graph inputs');
    this.expect('=>', 'between graph inputs and outputs');
    this.expect('(', 'to start the graph outputs');
    if (!this.is(')')) {
      do {
        const { vi, token } = this.valueInfo('an output name');
        graph.output.push(vi);
        this.record(vi.name, token, 'output', scope);
      } while (this.accept(','));
    }
    this.expect(')', 'to close the graph outputs');
    if (this.accept('<')) {
      if (!this.is('>')) {
        do {
          const { vi, token } = this.valueInfo('an initializer or value name');
          if (this.accept('=')) {
            const tensor = this.tensorData(vi.name, vi.type ?? {}, token);
            // The #@ lines before an initializer describe the tensor.
            if (vi.docString) tensor.docString = vi.docString;
            if (vi.metadataProps.length) tensor.metadataProps = vi.metadataProps;
            graph.initializer.push(tensor);
            this.record(vi.name, token, 'initializer', scope);
          } else {
            graph.valueInfo.push(vi);
            this.record(vi.name, token, 'value_info', scope);
          }
        } while (this.accept(','));
      }
      this.expect('>', 'to close the initializers');
    }
    graph.node = this.nodes(scope);
    entry.span.end = this.tokens[this.pos - 1].end;
    return graph;
  }

  private nodes(scope: number): onnx.NodeProto[] {
    this.expect('{', 'to start the nodes');
    const nodes: onnx.NodeProto[] = [];
    while (!this.accept('}')) {
      if (this.next.kind === 'eof') this.fail(`Expected '}' to close the nodes but found the end of the text.`);
      nodes.push(this.node(scope, nodes.length));
    }
    return nodes;
  }

  /** Names separated by commas; an empty entry between commas is an empty (missing) name. */
  private idList(until: string, role: NameRole, scope: number, node: number): string[] {
    const names: string[] = [];
    if (this.is(until)) return names;
    for (;;) {
      if (this.is(',')) names.push('');
      else {
        const { text, token } = this.name(role === 'node_input' ? 'an input name' : 'an output name');
        names.push(text);
        if (text) this.record(text, token, role, scope, node);
      }
      if (!this.accept(',')) break;
      if (this.is(until)) break;
    }
    return names;
  }

  private node(scope: number, index: number): onnx.NodeProto {
    const node = new onnx.NodeProto();
    const first = this.next;
    const key = this.map.nodes.length;
    const entry: NodeEntry = { node, scope, index, span: { start: first.start, end: first.end }, opSpan: { start: first.start, end: first.end } };
    this.map.nodes.push(entry);
    this.annotate(node, first, true);
    if (this.accept('[')) {
      const label = this.next;
      if (node.name) this.fail(`The node has a #@ name line and a [label]: one name is enough.`, first);
      node.name = this.quotable('a node name').text;
      entry.labelSpan = { start: label.start, end: label.end };
      this.expect(']', 'to close the node name');
    }
    node.output = this.idList('=', 'node_output', scope, key);
    this.expect('=', 'after the node outputs');
    const parts: Token[] = [];
    const op = this.next;
    if (op.kind !== 'id' && op.kind !== 'string') this.fail(`Expected an operator name but found ${describe(op)}.`);
    parts.push(this.advance());
    while (this.accept('.')) {
      if (this.next.kind !== 'id' && this.next.kind !== 'string') this.fail(`Expected a name after '.' but found ${describe(this.next)}.`);
      parts.push(this.advance());
    }
    const texts = parts.map((t) => (t.kind === 'string' ? t.value ?? '' : t.text));
    node.opType = texts.pop() ?? '';
    node.domain = texts.join('.');
    entry.opSpan = { start: parts[0].start, end: parts[parts.length - 1].end };
    if (this.accept(':')) node.overload = this.identifier('an overload name').text;
    if (this.is('<')) node.attribute = this.attributes(scope, key);
    this.expect('(', `to start the inputs of ${node.opType}`);
    node.input = this.idList(')', 'node_input', scope, key);
    this.expect(')', `to close the inputs of ${node.opType}`);
    if (!node.attribute.length && this.is('<')) node.attribute = this.attributes(scope, key);
    entry.span.end = this.tokens[this.pos - 1].end;
    return node;
  }

  // ---- attributes

  private attributes(scope: number, node: number): onnx.AttributeProto[] {
    this.expect('<');
    const list: onnx.AttributeProto[] = [];
    do {
      if (this.is('>')) break;
      list.push(this.attribute(scope, node, this.identifier('an attribute name')));
    } while (this.accept(','));
    this.expect('>', 'to close the attributes');
    return list;
  }

  private attribute(scope: number, node: number, nameToken: Token): onnx.AttributeProto {
    const attr = new onnx.AttributeProto({ name: nameToken.text });
    if (this.accept(':')) {
      const t = this.identifier('an attribute type');
      const type = attributeTypeNames.get(t.text);
      if (type === undefined) this.fail(`Unknown attribute type '${t.text}'.`, t);
      attr.type = type;
    }
    this.expect('=', `after attribute '${attr.name}'`);
    const declared = attr.type;
    const open = this.accept('[');
    if (open) {
      const singleton = singletonOf(declared);
      if (declared && singleton === declared) this.fail(`Attribute '${attr.name}' is a single ${attributeTypeName(declared)}, not a list.`, open);
      if (this.is(']') && !declared) this.fail(`An empty list needs its type, as in '${attr.name}: ints = []'.`, open);
      while (!this.is(']')) {
        const start = this.next;
        const item = this.singleValue(new onnx.AttributeProto({ name: attr.name }), singleton, scope, node);
        const listType = listOf(item.type);
        if (!listType) this.fail(`Lists of this kind of value are not allowed in attribute '${attr.name}'.`, start);
        if (attr.type && attr.type !== listType) this.fail(`Attribute '${attr.name}' mixes values of different types.`, start);
        attr.type = listType;
        switch (item.type) {
          case AttributeType.INT: attr.ints.push(item.i); break;
          case AttributeType.FLOAT: attr.floats.push(item.f); break;
          case AttributeType.STRING: attr.strings.push(item.s); break;
          case AttributeType.TENSOR: attr.tensors.push(item.t as onnx.TensorProto); break;
          case AttributeType.GRAPH: attr.graphs.push(item.g as onnx.GraphProto); break;
          case AttributeType.TYPE_PROTO: attr.typeProtos.push(item.tp as onnx.TypeProto); break;
          case AttributeType.SPARSE_TENSOR: attr.sparseTensors.push(item.sparseTensor as onnx.SparseTensorProto); break;
          default: break;
        }
        if (!this.accept(',')) break;
      }
      this.expect(']', `to close the list of attribute '${attr.name}'`);
      return attr;
    }
    return this.singleValue(attr, declared, scope, node);
  }

  private singleValue(attr: onnx.AttributeProto, expected: number, scope: number, node: number): onnx.AttributeProto {
    const t = this.next;
    const mismatch = (found: number): never =>
      this.fail(`Attribute '${attr.name}' is declared ${attributeTypeName(expected)} but its value is a ${attributeTypeName(found)}.`, t);
    const settle = (found: number) => {
      if (expected && expected !== found) mismatch(found);
      attr.type = found;
    };
    if (this.accept('@')) {
      attr.refAttrName = this.quotable('the name of a function attribute').text;
      if (expected) attr.type = expected;
      return attr;
    }
    if (t.kind === 'string') {
      if (expected === AttributeType.GRAPH) {
        attr.g = this.graph(scope, { node, attribute: attr.name });
        attr.type = AttributeType.GRAPH;
        return attr;
      }
      this.advance();
      settle(AttributeType.STRING);
      attr.s = new TextEncoder().encode(t.value ?? '');
      return attr;
    }
    if (t.kind === 'int') {
      this.advance();
      if (expected === AttributeType.FLOAT) {
        attr.type = AttributeType.FLOAT;
        attr.f = Math.fround(Number(t.text));
        return attr;
      }
      settle(AttributeType.INT);
      attr.i = toLong(BigInt(t.text));
      return attr;
    }
    if (t.kind === 'float' || (t.kind === 'id' && isFloatWord(t.text) && !primTypeNames.has(t.text))) {
      this.advance();
      settle(AttributeType.FLOAT);
      const w = t.text.toLowerCase().replace(/^-/, '');
      attr.f = w === 'nan' ? NaN : w.startsWith('inf') ? (t.text.startsWith('-') ? -Infinity : Infinity) : Math.fround(Number(t.text));
      return attr;
    }
    if (t.kind === 'id' && this.nextIsType()) {
      const type = this.type();
      const after = this.next;
      const isTensor = this.is('{') || this.is('=') || after.kind === 'id' || after.kind === 'string';
      if (expected === AttributeType.SPARSE_TENSOR) {
        let name = '';
        if (after.kind === 'id' || after.kind === 'string') name = this.name('a tensor name').text;
        this.accept('=');
        const open = this.expect('{');
        if (this.next.kind !== 'ellipsis') this.fail('Sparse tensor values have no text form; only `{...}` can stand for them.');
        this.advance();
        const close = this.expect('}');
        const span = { start: open.start, end: close.end };
        this.elided.push({ name: attr.name, span });
        this.warnings.push({ span, message: `The sparse tensor of attribute '${attr.name}' is elided: this text cannot become a model.` });
        const dims = (type.tensorType?.shape?.dim ?? []).map((d) => toLong(int64ToNumber(d.dimValue)));
        attr.type = AttributeType.SPARSE_TENSOR;
        attr.sparseTensor = new onnx.SparseTensorProto({ dims, values: new onnx.TensorProto({ name, dataType: type.tensorType?.elemType ?? 0 }) });
        return attr;
      }
      if (isTensor) {
        let name = '';
        if (after.kind === 'id' || after.kind === 'string') name = this.name('a tensor name').text;
        this.accept('=');
        settle(AttributeType.TENSOR);
        attr.t = this.tensorData(name, type, t);
        return attr;
      }
      settle(AttributeType.TYPE_PROTO);
      attr.tp = type;
      return attr;
    }
    if (t.kind === 'id') {
      settle(AttributeType.GRAPH);
      attr.g = this.graph(scope, { node, attribute: attr.name });
      return attr;
    }
    return this.fail(`Expected a value for attribute '${attr.name}' but found ${describe(t)}.`);
  }

  // ---- functions

  private function(): onnx.FunctionProto {
    const fn = new onnx.FunctionProto();
    const start = this.next;
    this.annotate(fn, start);
    if (this.accept('<')) {
      do {
        const key = this.identifier('a function property such as domain');
        this.expect(':', `after '${key.text}'`);
        switch (key.text) {
          case 'domain': fn.domain = this.string('the function domain'); break;
          case 'opset_import': fn.opsetImport = this.opsets(); break;
          case 'doc_string': fn.docString = this.string('the doc string'); break;
          case 'overload': fn.overload = this.string('the overload name'); break;
          default: this.fail(`Unknown function property '${key.text}'.`, key);
        }
      } while (this.accept(','));
      this.expect('>', 'to close the function properties');
    }
    const nameToken = this.next;
    fn.name = this.quotable('a function name').text;
    const scope = this.map.scopes.length;
    const entry = {
      kind: 'function' as const, name: fn.name, fn,
      span: { start: start.start, end: nameToken.end }, nameSpan: { start: nameToken.start, end: nameToken.end },
    };
    this.map.scopes.push(entry);
    if (this.accept('<')) {
      do {
        const name = this.identifier('an attribute name');
        if (this.is(':') || this.is('=')) fn.attributeProto.push(this.attribute(scope, -1, name));
        else fn.attribute.push(name.text);
      } while (this.accept(','));
      this.expect('>', 'to close the function attributes');
    }
    const io = (role: NameRole): string[] => {
      const names: string[] = [];
      this.expect('(', `to start the function ${role}s`);
      if (!this.is(')')) {
        do {
          const { vi, token } = this.valueInfo(`a function ${role} name`);
          names.push(vi.name);
          if (vi.type) fn.valueInfo.push(vi);
          this.record(vi.name, token, role, scope);
        } while (this.accept(','));
      }
      this.expect(')', `to close the function ${role}s`);
      return names;
    };
    fn.input = io('input');
    this.expect('=>', 'between function inputs and outputs');
    fn.output = io('output');
    if (this.accept('<')) {
      if (!this.is('>')) {
        do {
          const { vi, token } = this.valueInfo('a value name');
          fn.valueInfo.push(vi);
          this.record(vi.name, token, 'value_info', scope);
        } while (this.accept(','));
      }
      this.expect('>', 'to close the function value types');
    }
    fn.node = this.nodes(scope);
    entry.span.end = this.tokens[this.pos - 1].end;
    return fn;
  }
}

function singletonOf(type: number): number {
  switch (type) {
    case AttributeType.FLOATS: return AttributeType.FLOAT;
    case AttributeType.INTS: return AttributeType.INT;
    case AttributeType.STRINGS: return AttributeType.STRING;
    case AttributeType.TENSORS: return AttributeType.TENSOR;
    case AttributeType.GRAPHS: return AttributeType.GRAPH;
    case AttributeType.SPARSE_TENSORS: return AttributeType.SPARSE_TENSOR;
    case AttributeType.TYPE_PROTOS: return AttributeType.TYPE_PROTO;
    default: return type;
  }
}

function listOf(type: number | null | undefined): number | undefined {
  switch (type) {
    case AttributeType.FLOAT: return AttributeType.FLOATS;
    case AttributeType.INT: return AttributeType.INTS;
    case AttributeType.STRING: return AttributeType.STRINGS;
    case AttributeType.TENSOR: return AttributeType.TENSORS;
    case AttributeType.GRAPH: return AttributeType.GRAPHS;
    case AttributeType.SPARSE_TENSOR: return AttributeType.SPARSE_TENSORS;
    case AttributeType.TYPE_PROTO: return AttributeType.TYPE_PROTOS;
    default: return undefined;
  }
}

function diagnostic(lines: LineIndex, span: Span, message: string, severity: 'error' | 'warning'): TextDiagnostic {
  const p = lines.position(span.start);
  return { line: p.line + 1, column: p.character + 1, span, message, severity };
}

/** Parses a whole model; never throws for bad text (errors come back as diagnostics). */
export function parseModelText(text: string): ParseResult {
  const parser = new Parser(tokenize(text));
  const lines = new LineIndex(text);
  let model: ModelProto | undefined;
  const diagnostics: TextDiagnostic[] = [];
  try {
    const read = parser.model();
    parser.checkAnnotations();
    model = read;
  } catch (error) {
    if (error instanceof RangeError) {
      // Subgraphs nested thousands deep exhaust the stack: report it like any other error.
      diagnostics.push(diagnostic(lines, { start: 0, end: 0 }, 'The text nests subgraphs too deeply to read.', 'error'));
    } else if (error instanceof SyntaxFailure) {
      diagnostics.push(diagnostic(lines, error.span, error.message, 'error'));
    } else throw error;
  }
  for (const w of parser.warnings) diagnostics.push(diagnostic(lines, w.span, w.message, 'warning'));
  return { model, map: parser.map, diagnostics, elided: parser.elided };
}

/** Parses a model that must be complete: syntax errors and elided values throw TextSyntaxError. */
export function parseModelStrict(text: string): ModelProto {
  const result = parseModelText(text);
  const error = result.diagnostics.find((d) => d.severity === 'error');
  if (error) throw new TextSyntaxError(error);
  if (result.elided.length) {
    const first = result.diagnostics.find((d) => d.severity === 'warning');
    if (first) throw new TextSyntaxError(first);
  }
  return result.model as ModelProto;
}
