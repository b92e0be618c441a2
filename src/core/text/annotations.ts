// `#@` lines: what a model holds that the ONNX textual syntax has no place for (node names in --strict
// text, doc strings and metadata_props of nodes, graphs, values and functions) and the name map of
// --strict text. They are comments, so onnx's own parser skips them; ours reads each one into the
// thing that follows it. Values are JSON strings, so a line never breaks (stack traces hold newlines).
//
//   #@ rename: onnx__Flatten_0 = "onnx::Flatten_0"     (top of the text: this identifier stands for that name)
//   #@ name: "/conv1/Conv"                              (a node's name where no [label] can be written)
//   #@ doc_string: "..."
//   #@ metadata_props: "pkg.torch.onnx.stack_trace": "File \"model.py\", line 3"
import type { StringStringEntryProto } from '../model/proto.js';

export type Annotation =
  | { field: 'rename'; identifier: string; name: string }
  | { field: 'name'; value: string }
  | { field: 'doc_string'; value: string }
  | { field: 'metadata_props'; key: string; value: string };

export const annotationMark = '#@';

// JSON leaves the line and paragraph separators raw; editors break lines there, so they are escaped too.
const json = (s: string) => JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

export function formatAnnotation(a: Annotation): string {
  switch (a.field) {
    case 'rename': return `${annotationMark} rename: ${a.identifier} = ${json(a.name)}`;
    case 'name': return `${annotationMark} name: ${json(a.value)}`;
    case 'doc_string': return `${annotationMark} doc_string: ${json(a.value)}`;
    case 'metadata_props': return `${annotationMark} metadata_props: ${json(a.key)}: ${json(a.value)}`;
  }
}

/** What can carry annotations: nodes, graphs, value infos, tensors and functions share these fields. */
export interface Annotatable {
  name?: string | null;
  docString?: string | null;
  metadataProps?: StringStringEntryProto[] | null;
}

/** The lines an entity needs; its name only when asked (a node without a [label]). */
export function annotationsOf(holder: Annotatable, options: { name?: boolean; docString?: boolean } = {}): Annotation[] {
  const out: Annotation[] = [];
  if (options.name && holder.name) out.push({ field: 'name', value: holder.name });
  if ((options.docString ?? true) && holder.docString) out.push({ field: 'doc_string', value: holder.docString });
  for (const p of holder.metadataProps ?? []) out.push({ field: 'metadata_props', key: p.key ?? '', value: p.value ?? '' });
  return out;
}

const jsonString = '"(?:[^"\\\\]|\\\\.)*"';
const patterns = {
  rename: new RegExp(`^([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(${jsonString})$`, 's'),
  single: new RegExp(`^(${jsonString})$`, 's'),
  pair: new RegExp(`^(${jsonString})\\s*:\\s*(${jsonString})$`, 's'),
};

function decode(literal: string): string {
  return JSON.parse(literal) as string;
}

/** One `#@` line (the text after the mark); a string says what is wrong with it. */
export function parseAnnotation(text: string): Annotation | string {
  const m = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/s.exec(text);
  if (!m) return `A #@ line reads 'field: value' (rename, name, doc_string or metadata_props).`;
  const [, field, rest] = m;
  try {
    switch (field) {
      case 'rename': {
        const r = patterns.rename.exec(rest);
        return r ? { field, identifier: r[1], name: decode(r[2]) } : `A #@ rename line reads 'identifier = "name"'.`;
      }
      case 'name':
      case 'doc_string': {
        const r = patterns.single.exec(rest);
        return r ? { field, value: decode(r[1]) } : `A #@ ${field} line holds one string in double quotes (JSON escapes).`;
      }
      case 'metadata_props': {
        const r = patterns.pair.exec(rest);
        return r ? { field, key: decode(r[1]), value: decode(r[2]) } : `A #@ metadata_props line reads '"key": "value"' (JSON escapes).`;
      }
      default:
        return `Unknown #@ field '${field}' (rename, name, doc_string or metadata_props).`;
    }
  } catch {
    return `A #@ ${field} line has a string with an escape JSON does not know.`;
  }
}
