// Renaming a value (everywhere it is defined, read, declared or captured) and renaming a node.
import type { GraphProto, ModelProto } from '../model/proto.js';
import { subgraphsOf } from '../model/walk.js';
import { definedNames } from '../model/graphQueries.js';
import { copyWith, graphAt, updateGraph } from './cow.js';
import { EditRefused } from './errors.js';
import { nodeText, resolveNode } from './nodeRef.js';
import type { ModelEdit, NodeRef } from './types.js';
import type { RawEdit } from './rawEdit.js';

type RenameValue = Extract<ModelEdit, { kind: 'renameValue' }>;

/** Every value name of a graph and its subgraphs (node names are a namespace of their own). */
function valueNames(graph: GraphProto, into = new Set<string>()): Set<string> {
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) if (v.name) into.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) into.add(t.name);
  for (const s of graph.sparseInitializer ?? []) if (s.values?.name) into.add(s.values.name);
  for (const node of graph.node ?? []) {
    for (const n of [...(node.input ?? []), ...(node.output ?? [])]) if (n) into.add(n);
    for (const sub of subgraphsOf(node)) valueNames(sub.graph, into);
  }
  return into;
}

/**
 * Renames reads of `from` in a graph that does not define it: node inputs, outputs, and the captures of
 * nested graphs that do not define it either. Only changed objects are copied.
 */
function renameReads(graph: GraphProto, from: string, to: string): GraphProto {
  let nodes = graph.node;
  (graph.node ?? []).forEach((node, i) => {
    let changed = node;
    if (node.input?.includes(from)) changed = copyWith(changed, { input: node.input.map((n) => (n === from ? to : n)) });
    if ((node.attribute ?? []).some((a) => a.g || a.graphs?.length)) {
      const attribute = (node.attribute ?? []).map((a) => {
        if (a.g) {
          const g = renameIn(a.g, from, to, true);
          return g === a.g ? a : copyWith(a, { g });
        }
        if (a.graphs?.length) {
          const graphs = a.graphs.map((g) => renameIn(g, from, to, true));
          return graphs.every((g, j) => g === a.graphs![j]) ? a : copyWith(a, { graphs });
        }
        return a;
      });
      if (attribute.some((a, j) => a !== node.attribute![j])) changed = copyWith(changed, { attribute });
    }
    if (changed !== node) {
      nodes = nodes === graph.node ? [...(graph.node ?? [])] : nodes;
      nodes![i] = changed;
    }
  });
  return nodes === graph.node ? graph : copyWith(graph, { node: nodes });
}

/** `from` renamed in `graph`; a nested graph (`nested`) that defines `from` itself shadows it: untouched. */
export function renameIn(graph: GraphProto, from: string, to: string, nested: boolean): GraphProto {
  if (nested && definedNames(graph).has(from)) return graph;
  let result = renameReads(graph, from, to);
  const rename = <T extends { name?: string | null }>(list: T[] | null | undefined): T[] | undefined =>
    list?.some((v) => v.name === from) ? list.map((v) => (v.name === from ? copyWith(v, { name: to } as Partial<T>) : v)) : undefined;
  const patch: Partial<GraphProto> = {};
  const inputs = rename(graph.input);
  if (inputs) patch.input = inputs;
  const outputs = rename(result.output);
  if (outputs) patch.output = outputs;
  const valueInfo = rename(graph.valueInfo);
  if (valueInfo) patch.valueInfo = valueInfo;
  const initializers = rename(graph.initializer);
  if (initializers) patch.initializer = initializers;
  if (graph.sparseInitializer?.some((s) => s.values?.name === from)) {
    patch.sparseInitializer = graph.sparseInitializer.map((s) => (s.values?.name === from ? copyWith(s, { values: copyWith(s.values!, { name: to }) }) : s));
  }
  if ((result.node ?? []).some((n) => n.output?.includes(from))) {
    patch.node = (result.node ?? []).map((n) => (n.output?.includes(from) ? copyWith(n, { output: n.output.map((o) => (o === from ? to : o)) }) : n));
  }
  if (Object.keys(patch).length) result = copyWith(result, patch);
  return result;
}

function valueRole(graph: GraphProto, name: string, main: boolean): string {
  if (main && graph.output?.some((o) => o.name === name)) return 'output';
  if (main && graph.input?.some((o) => o.name === name) && !graph.initializer?.some((t) => t.name === name)) return 'input';
  if (graph.initializer?.some((t) => t.name === name)) return 'initializer';
  return 'value';
}

export function renameValue(model: ModelProto, edit: RenameValue): RawEdit {
  const { from, to } = edit;
  if (!to.trim()) throw new EditRefused('A value needs a non-empty name.');
  if (from === to) throw new EditRefused(`'${from}' already has that name.`);
  const graph = graphAt(model, edit.graph);
  const defined = definedNames(graph);
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  if (!defined.has(from)) {
    if (outputs.has(from) || valueNames(graph).has(from)) throw new EditRefused(`'${from}' is defined in an enclosing graph; rename it there.`);
    throw new EditRefused(`No value named '${from}' in this graph.`);
  }
  if (valueNames(model.graph!).has(to)) throw new EditRefused(`The name '${to}' is already used in this model; choose another.`);
  const role = valueRole(graph, from, !edit.graph);
  const result = updateGraph(model, edit.graph, (g) => renameIn(g, from, to, false));
  return { model: result, label: `Rename ${role} '${from}' to '${to}'` };
}

export function renameNode(model: ModelProto, edit: { node: NodeRef; to: string }): RawEdit {
  const graph = graphAt(model, edit.node.graph);
  const resolved = resolveNode(graph, edit.node);
  if (resolved.node.name === edit.to) throw new EditRefused(`The node already has the name '${edit.to}'.`);
  if (edit.to && (graph.node ?? []).some((n) => n.name === edit.to)) throw new EditRefused(`Another node in this graph is named '${edit.to}'; choose another name.`);
  const before = nodeText(resolved);
  const result = updateGraph(model, edit.node.graph, (g) => copyWith(g, { node: g.node!.map((n, i) => (i === resolved.index ? copyWith(n, { name: edit.to || undefined }) : n)) }));
  return { model: result, label: edit.to ? `Rename ${before} to '${edit.to}'` : `Clear the name of ${before}` };
}
