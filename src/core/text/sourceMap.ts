// Where things are in an ONNX text: every occurrence of a value name, every node and op type, every
// graph and function. Built by the printer while it writes and by the parser while it reads, so
// that hover, navigation and the outline work the same on printed models and on .onnxtxt files.
import type { FunctionProto, GraphProto, NodeProto } from '../model/proto.js';

/** Half-open character range [start, end) in the text. */
export interface Span {
  start: number;
  end: number;
}

export type NameRole =
  | 'input' // graph or function input declaration
  | 'output' // graph or function output declaration
  | 'initializer'
  | 'value_info'
  | 'node_output' // a node defines the value
  | 'node_input'; // a node uses the value

export interface NameOccurrence {
  name: string;
  span: Span;
  role: NameRole;
  /** Index into TextSourceMap.scopes. */
  scope: number;
  /** Index into TextSourceMap.nodes for node_input/node_output. */
  node?: number;
}

export interface NodeEntry {
  node: NodeProto;
  scope: number;
  /** Position in its graph's node list. */
  index: number;
  /** From the label (or the first output) to the closing parenthesis or attribute list. */
  span: Span;
  opSpan: Span;
  labelSpan?: Span;
}

export interface ScopeEntry {
  kind: 'graph' | 'function';
  name: string;
  /** Enclosing scope for subgraphs; undefined for the main graph and functions. */
  parent?: number;
  /** Node (index into nodes) and attribute that hold this subgraph. */
  owner?: { node: number; attribute: string };
  graph?: GraphProto;
  fn?: FunctionProto;
  span: Span;
  nameSpan: Span;
}

export interface TextSourceMap {
  names: NameOccurrence[];
  nodes: NodeEntry[];
  scopes: ScopeEntry[];
}

export function emptySourceMap(): TextSourceMap {
  return { names: [], nodes: [], scopes: [] };
}

export interface Position {
  /** 0-based. */
  line: number;
  /** 0-based, in UTF-16 code units (what editors count). */
  character: number;
}

/** Offset <-> line/character conversion for one text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }

  offset(position: Position): number {
    const line = Math.max(0, Math.min(position.line, this.starts.length - 1));
    return Math.min(this.starts[line] + position.character, this.text.length);
  }
}

/** The name occurrence under an offset (end inclusive, so a cursor right after a name counts). */
export function nameAt(map: TextSourceMap, offset: number): NameOccurrence | undefined {
  // Occurrences are recorded in text order: binary search for the last one starting at or before offset.
  const names = map.names;
  let lo = 0;
  let hi = names.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (names[mid].span.start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  while (found > 0 && names[found - 1].span.start === names[found].span.start) found--;
  const hit = found >= 0 ? names[found] : undefined;
  return hit && offset <= hit.span.end ? hit : undefined;
}

const nameIndexes = new WeakMap<TextSourceMap, { size: number; byName: Map<string, NameOccurrence[]> }>();

/** Every occurrence of a name, through an index built on first use. */
export function occurrencesNamed(map: TextSourceMap, name: string): NameOccurrence[] {
  let index = nameIndexes.get(map);
  if (!index || index.size !== map.names.length) {
    const byName = new Map<string, NameOccurrence[]>();
    for (const n of map.names) {
      let list = byName.get(n.name);
      if (!list) byName.set(n.name, (list = []));
      list.push(n);
    }
    index = { size: map.names.length, byName };
    nameIndexes.set(map, index);
  }
  return index.byName.get(name) ?? [];
}

/** The innermost node whose span holds the offset. */
export function nodeAt(map: TextSourceMap, offset: number): NodeEntry | undefined {
  let best: NodeEntry | undefined;
  for (const n of map.nodes) {
    if (n.span.start <= offset && offset <= n.span.end && (!best || n.span.end - n.span.start < best.span.end - best.span.start)) best = n;
  }
  return best;
}

export function opAt(map: TextSourceMap, offset: number): NodeEntry | undefined {
  return map.nodes.find((n) => n.opSpan.start <= offset && offset <= n.opSpan.end);
}

const definingRoles: ReadonlySet<NameRole> = new Set(['input', 'initializer', 'node_output']);

/**
 * Where a name used in `scope` is defined: in that scope, else in the enclosing ones (subgraphs see
 * their parents' values). Node outputs, inputs and initializers define; value_info only annotates.
 */
export function definitionsOf(map: TextSourceMap, name: string, scope: number): NameOccurrence[] {
  for (let s: number | undefined = scope; s !== undefined; s = map.scopes[s].parent) {
    const found = occurrencesNamed(map, name).filter((n) => n.scope === s && definingRoles.has(n.role));
    if (found.length) return found;
  }
  return [];
}

/** The scope that defines `name` as seen from `scope`, or `scope` itself when nothing does. */
export function definingScope(map: TextSourceMap, name: string, scope: number): number {
  return definitionsOf(map, name, scope)[0]?.scope ?? scope;
}

/** Every use of the value `name` defined in (or visible from) `scope`, including uses in nested subgraphs. */
export function usesOf(map: TextSourceMap, name: string, scope: number): NameOccurrence[] {
  const home = definingScope(map, name, scope);
  return occurrencesNamed(map, name).filter((n) => (n.role === 'node_input' || n.role === 'output') && definingScope(map, name, n.scope) === home);
}

/** Every occurrence of the same value (declarations, definitions and uses). */
export function occurrencesOf(map: TextSourceMap, name: string, scope: number): NameOccurrence[] {
  const home = definingScope(map, name, scope);
  return occurrencesNamed(map, name).filter((n) => definingScope(map, name, n.scope) === home);
}

/** Moves every span by `delta` characters (the printer puts its header before what it mapped). */
export function shiftSourceMap(map: TextSourceMap, delta: number): void {
  const shift = (s: Span) => {
    s.start += delta;
    s.end += delta;
  };
  for (const n of map.names) shift(n.span);
  for (const n of map.nodes) {
    shift(n.span);
    shift(n.opSpan);
    if (n.labelSpan) shift(n.labelSpan);
  }
  for (const s of map.scopes) {
    shift(s.span);
    shift(s.nameSpan);
  }
}
