// Deleting a node. A node with one data input and one output is bypassed: what read its output reads
// its input. Any other node leaves its consumers dangling; with the user's confirmation its results that
// are still read become main-graph inputs (the caller then feeds them), and graph outputs it computed
// are dropped. What is left computing nothing is offered for removal.
import { capturedNames } from '../model/graphQueries.js';
import { constantNodeTensor } from '../model/tensorValues.js';
import { subgraphsOf } from '../model/walk.js';
import { onnx, type GraphProto, type ModelProto } from '../model/proto.js';
import { copyWith, graphPath, graphSteps, updateGraph } from './cow.js';
import { deadCodeFollowUp } from './deadCode.js';
import { EditNeedsConfirmation, EditRefused } from './errors.js';
import { renameIn } from './names.js';
import { nodeText, resolveNode, type ResolvedNode } from './nodeRef.js';
import type { RawEdit } from './rawEdit.js';
import { computedTypes, sameType, typeProtoOf } from './shapeConflicts.js';
import type { ModelEdit } from './types.js';

type DeleteNode = Extract<ModelEdit, { kind: 'deleteNode' }>;

/** Values that are constants where a graph reads them: initializers and Constant outputs of it and its enclosing graphs. */
function constantNames(path: GraphProto[]): Set<string> {
  const names = new Set<string>();
  for (const graph of path) {
    for (const t of graph.initializer ?? []) names.add(t.name ?? '');
    for (const n of graph.node ?? []) if (constantNodeTensor(n)) for (const o of n.output ?? []) names.add(o);
  }
  return names;
}

/** Where each name is read in a graph: node indices (inputs or subgraph captures). */
function readers(graph: GraphProto, name: string, skip: number): number[] {
  return (graph.node ?? []).flatMap((n, i) => {
    if (i === skip) return [];
    const reads = (n.input ?? []).includes(name) || subgraphsOf(n).some((s) => capturedNames(s.graph).has(name));
    return reads ? [i] : [];
  });
}

function withoutNode(graph: GraphProto, index: number, gone: Set<string>): GraphProto {
  const patch: Partial<GraphProto> = { node: (graph.node ?? []).filter((_, i) => i !== index) };
  if (graph.valueInfo?.some((v) => gone.has(v.name ?? ''))) patch.valueInfo = graph.valueInfo.filter((v) => !gone.has(v.name ?? ''));
  return copyWith(graph, patch);
}

function bypass(model: ModelProto, edit: DeleteNode, graph: GraphProto, target: ResolvedNode, input: string, output: string): RawEdit {
  const text = nodeText(target);
  const isOutput = (graph.output ?? []).some((o) => o.name === output);
  const label = `Delete ${text} (its readers now read '${input}')`;
  if (!isOutput) {
    // Readers of the output read the input instead.
    const result = updateGraph(model, edit.node.graph, (g) => renameIn(withoutNode(g, target.index, new Set([output])), output, input, false));
    return { model: result, label, shapes: true, followUp: deadCodeFollowUp(result, `deleting ${text}`) };
  }
  // The output is a graph output: keep its name (the graph's signature), so the input's producer takes it.
  const producedHere = (graph.node ?? []).some((n, i) => i !== target.index && n.output?.includes(input));
  if (!producedHere || (graph.output ?? []).some((o) => o.name === input)) {
    throw new EditRefused(`${text} computes graph output '${output}' straight from '${input}', which no other node of this graph computes; deleting it would change the graph's outputs.`);
  }
  const result = updateGraph(model, edit.node.graph, (g) => renameIn(withoutNode(g, target.index, new Set([input])), input, output, false));
  return { model: result, label: `Delete ${text} ('${input}' is now named '${output}')`, shapes: true, followUp: deadCodeFollowUp(result, `deleting ${text}`) };
}

export function deleteNode(model: ModelProto, edit: DeleteNode): RawEdit {
  const path = graphPath(model, edit.node.graph);
  const graph = path.at(-1)!;
  const target = resolveNode(graph, edit.node);
  const { node } = target;
  const text = nodeText(target);
  const constants = constantNames(path);
  const given = (node.input ?? []).filter((i) => i);
  // Constant inputs (a Reshape's shape) do not count, unless the node reads nothing else (Identity of a weight).
  const variable = given.filter((i) => !constants.has(i));
  const data = variable.length ? variable : given;
  const outputs = (node.output ?? []).filter((o) => o);
  // Bypassed only when the output can stand for the input: same element type, rank and sizes.
  if (data.length === 1 && outputs.length === 1 && subgraphsOf(node).length === 0) {
    const types = computedTypes(model, graph);
    if (sameType(types.get(data[0]), types.get(outputs[0]))) return bypass(model, edit, graph, target, data[0], outputs[0]);
  }
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name));
  const stillRead = outputs.filter((o) => readers(graph, o, target.index).length > 0);
  const droppedOutputs = outputs.filter((o) => graphOutputs.has(o));
  const consumers = [...new Set(stillRead.flatMap((o) => readers(graph, o, target.index)))].map((i) => nodeText({ index: i, node: graph.node![i] }));
  const gone = new Set(outputs);
  if (stillRead.length === 0 && droppedOutputs.length === 0) {
    const result = updateGraph(model, edit.node.graph, (g) => withoutNode(g, target.index, gone));
    return { model: result, label: `Delete ${text}`, shapes: true, followUp: deadCodeFollowUp(result, `deleting ${text}`) };
  }
  if (graphSteps(edit.node.graph).length > 0) {
    throw new EditRefused(`${text} has ${data.length} data inputs and ${outputs.length} outputs, and its results are used; in a subgraph only a node with one data input and one output can be deleted.`);
  }
  if (droppedOutputs.length >= (graph.output ?? []).length) throw new EditRefused(`${text} computes every output of the model; deleting it would leave the model without outputs.`);
  const dangling = [...consumers, ...droppedOutputs.map((o) => `graph output '${o}'`)];
  if (!edit.confirmDangling) {
    const inputsText = stillRead.length ? `its results ${stillRead.map((o) => `'${o}'`).join(', ')} become graph inputs` : '';
    const outputsText = droppedOutputs.length ? `graph output${droppedOutputs.length === 1 ? '' : 's'} ${droppedOutputs.map((o) => `'${o}'`).join(', ')} ${droppedOutputs.length === 1 ? 'is' : 'are'} removed` : '';
    throw new EditNeedsConfirmation(
      `Deleting ${text} leaves ${dangling.join(', ')} without input: ${[inputsText, outputsText].filter(Boolean).join(' and ')}. Confirm to delete it.`,
      { ...edit, confirmDangling: true }, dangling);
  }
  const types = computedTypes(model);
  const declared = new Map([...(graph.valueInfo ?? []), ...(graph.output ?? [])].map((v) => [v.name, v.type]));
  const newInputs = stillRead.map((name) => {
    const type = declared.get(name)?.tensorType?.shape ? declared.get(name)! : typeProtoOf(types.get(name)) ?? declared.get(name);
    if (!type) throw new EditRefused(`The type of '${name}' is unknown (shape inference cannot compute it), and it would have to become a graph input.`);
    return new onnx.ValueInfoProto({ name, type });
  });
  const result = copyWith(model, {
    graph: copyWith(withoutNode(graph, target.index, new Set(outputs.filter((o) => !stillRead.includes(o)))), {
      input: [...(graph.input ?? []), ...newInputs],
      output: (graph.output ?? []).filter((o) => !droppedOutputs.includes(o.name ?? '')),
    }),
  });
  const parts = [stillRead.length ? `${stillRead.map((o) => `'${o}'`).join(', ')} now graph input${stillRead.length === 1 ? '' : 's'}` : '', droppedOutputs.length ? `output${droppedOutputs.length === 1 ? '' : 's'} ${droppedOutputs.map((o) => `'${o}'`).join(', ')} removed` : ''].filter(Boolean);
  return { model: result, label: `Delete ${text} (${parts.join('; ')})`, shapes: true, followUp: deadCodeFollowUp(result, `deleting ${text}`) };
}
