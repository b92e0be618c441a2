// What the printer tells the reader at the top of a text: which parts onnx's own parser (the newest, or
// 1.12 for --strict text) cannot read as written, what the model holds that no text form keeps, and the
// names --strict text renames. Collected while printing; written as `#` comments, plus the `#@ rename`
// lines that onnx-lens parse reads back.
import { AttributeType, DataType, type AttributeProto, type TensorProto } from '../model/proto.js';
import { formatAnnotation } from './annotations.js';

/** Why onnx's parser cannot read part of a text. Each is one line of the header. */
export const Unreadable = {
  attributeTensorNames: 'tensor names inside attributes that are not identifiers (onnx\'s syntax has no quoted form there)',
  subgraphNames: 'subgraph names that are not identifiers (a quoted name there reads as a string)',
  opNames: 'op types or domains that are not identifiers',
  attributeNames: 'attribute names that are not identifiers',
  overloads: 'node overloads',
  attributeLists: 'attributes holding lists of tensors, graphs, sparse tensors or types',
  sparseTensors: 'sparse tensors (no text form; shown as comments or {...})',
  functionNames: 'function names that are not identifiers',
  // onnx 1.12 only (--strict)
  leadingEmptyNames: 'a missing (empty) first input or output of a node',
  newElementTypes: 'element types newer than onnx 1.12 (float8, int4, ...)',
  valueTypes: 'values of float16, bfloat16, complex or newer element types',
  nonTensorTypes: 'sequence, map, optional or sparse types of inputs, outputs or values',
  typeAttributes: 'attributes holding types',
  emptyLists: 'attributes holding empty lists',
  specialFloats: 'nan or inf values',
  escapedStrings: 'strings holding a double quote or a backslash',
  externalData: 'tensors stored in external data files',
  typedFunctions: 'functions with typed inputs or outputs, value types, attribute defaults or overloads',
} as const;

/** Parts of a model that no text form keeps. */
export const LeftOut = {
  quantizationAnnotations: 'quantization annotations',
  trainingInfo: 'training info',
  deviceConfigurations: 'device configurations',
  attributeDocStrings: 'doc strings of attributes',
  attributeTensorNotes: 'doc strings and metadata of tensors inside attributes',
  denotations: 'type and dimension denotations',
} as const;

export class ReaderNotes {
  private readonly unreadable = new Map<string, { count: number; example?: string }>();
  private readonly absent = new Map<string, number>();
  trailingEmpties = 0;

  cannotRead(reason: string, example?: string): void {
    const entry = this.unreadable.get(reason);
    if (entry) entry.count++;
    else this.unreadable.set(reason, { count: 1, example });
  }

  leftOut(what: string, count = 1): void {
    this.absent.set(what, (this.absent.get(what) ?? 0) + count);
  }

  /** The reasons, in the order first met. */
  get reasons(): string[] {
    return [...this.unreadable.keys()];
  }

  /** The `#` lines (and `#@ rename` lines) that go before the model; '' when there is nothing to say. */
  header(strict: boolean, renames: ReadonlyMap<string, string>): string {
    const lines: string[] = [];
    if (strict) {
      lines.push('# Written for onnx 1.12\'s parser (onnx-lens text --strict): names are plain identifiers, node names,');
      lines.push('# doc strings and metadata are in #@ comment lines, which onnx-lens parse reads back.');
      if (renames.size) {
        lines.push(`# ${renames.size} name${renames.size === 1 ? ' is' : 's are'} renamed; each #@ rename line gives the model's name for an identifier.`);
      }
      if (this.trailingEmpties) {
        lines.push(`# Missing trailing inputs or outputs of ${this.trailingEmpties} node${this.trailingEmpties === 1 ? '' : 's'} are left out, which ONNX reads the same.`);
      }
    }
    if (this.unreadable.size) {
      lines.push(strict
        ? '# onnx 1.12\'s parser cannot read this text as written (onnx-lens parse can):'
        : '# onnx\'s own parser cannot read this text as written (onnx-lens parse can):');
      for (const [reason, { count, example }] of this.unreadable) {
        lines.push(`#   ${reason}: ${count}${example !== undefined ? `, first ${JSON.stringify(example)}` : ''}`);
      }
    }
    if (this.absent.size) {
      lines.push(`# Not in this text (no text form): ${[...this.absent].map(([what, n]) => `${what} (${n})`).join(', ')}.`);
    }
    for (const [name, identifier] of renames) lines.push(formatAnnotation({ field: 'rename', identifier, name }));
    return lines.length ? lines.join('\n') + '\n' : '';
  }
}

/** Element types whose values onnx 1.12's parser reads (its TensorProto value switch). */
const valueTypes112: ReadonlySet<number> = new Set([
  DataType.FLOAT, DataType.UINT8, DataType.INT8, DataType.UINT16, DataType.INT16, DataType.INT32, DataType.INT64,
  DataType.STRING, DataType.BOOL, DataType.DOUBLE, DataType.UINT32, DataType.UINT64,
]);

/** What onnx 1.12 cannot read in a tensor's values, as the printer wrote them. */
export function noteValues112(notes: ReaderNotes, t: TensorProto, values: string[]): void {
  const name = t.name ?? '';
  if (!valueTypes112.has(t.dataType ?? 0)) notes.cannotRead(Unreadable.valueTypes, name);
  else if (t.dataType === DataType.STRING) {
    // The printer escapes exactly the characters 1.12 cannot read (it has no escapes).
    if (values.some((v) => v.includes('\\'))) notes.cannotRead(Unreadable.escapedStrings, name);
  } else if (values.some((v) => /nan|inf/.test(v))) notes.cannotRead(Unreadable.specialFloats, name);
}

/** What onnx 1.12 cannot read in an attribute (values inside tensors are checked where they are written). */
export function noteAttribute112(notes: ReaderNotes, a: AttributeProto): void {
  const lists: number[] = [AttributeType.FLOATS, AttributeType.INTS, AttributeType.STRINGS];
  if (lists.includes(a.type ?? 0) && !(a.floats?.length || a.ints?.length || a.strings?.length)) notes.cannotRead(Unreadable.emptyLists, a.name ?? '');
  if ((a.type === AttributeType.FLOAT && !Number.isFinite(a.f ?? 0)) || (a.type === AttributeType.FLOATS && a.floats?.some((f) => !Number.isFinite(f)))) {
    notes.cannotRead(Unreadable.specialFloats, a.name ?? '');
  }
  if (a.type === AttributeType.TYPE_PROTO) notes.cannotRead(Unreadable.typeAttributes, a.name ?? '');
}
