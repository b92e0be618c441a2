// Structural pruning, as Polygraphy's `surgeon extract` and onnx.utils.Extractor: the subgraph that
// computes chosen outputs from chosen inputs. Chosen values become the graph's inputs and outputs with
// their types; everything the outputs do not need goes (nodes, initializers, inputs, value_info).
import { UserError } from '../errors.js';
import { onnx, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from '../model/proto.js';
import { constantNodeTensor } from '../model/tensorValues.js';
import { cleanupModel } from './cleanup.js';
import { cloneModel, tensorType } from './graphEdit.js';
import { defaultOpset, definedNames, initializersOverridable, nodeReads } from '../model/graphQueries.js';
import { inferShapes, type InferredType } from '../ops/shapeInference.js';

export interface ExtractOptions {
  /** Values the new graph returns (at least one). */
  outputs: string[];
  /** Values that become graph inputs; the original inputs stay where the outputs still need them. */
  inputs?: string[];
}

export interface ExtractStats {
  nodesKept: number;
  nodesRemoved: number;
  /** Original graph inputs that the chosen outputs still need, kept as inputs. */
  inputsKept: string[];
  inputsRemoved: string[];
  outputsRemoved: string[];
}

/** Every value name of the main graph a user can choose, in graph order (inputs, node outputs). */
export function valueNames(model: ModelProto): string[] {
  const graph = model.graph ?? {};
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (n: string | null | undefined) => {
    if (n && !seen.has(n)) {
      seen.add(n);
      names.push(n);
    }
  };
  for (const v of graph.input ?? []) add(v.name);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) add(o);
  return names;
}

function typedInfo(name: string, graph: GraphProto, types: Map<string, InferredType>): ValueInfoProto {
  const declared = [...(graph.valueInfo ?? []), ...(graph.output ?? []), ...(graph.input ?? [])].find((v) => v.name === name && v.type);
  const inferred = types.get(name);
  if (inferred?.elemType) return onnx.ValueInfoProto.create({ name, type: tensorType(inferred.elemType, inferred.shape) });
  if (declared) return onnx.ValueInfoProto.create({ name, type: declared.type });
  return onnx.ValueInfoProto.create({ name });
}

export function extractSubgraph(model: ModelProto, options: ExtractOptions): { model: ModelProto; stats: ExtractStats } {
  const outputs = [...new Set(options.outputs.filter((o) => o))];
  const inputs = [...new Set((options.inputs ?? []).filter((i) => i))];
  if (outputs.length === 0) throw new UserError('Choose at least one output to extract.');
  const copy = cloneModel(model);
  const graph = copy.graph!;
  const defined = definedNames(graph);
  for (const name of [...outputs, ...inputs]) if (!defined.has(name)) throw new UserError(`The main graph has no value named '${name}'.`);
  for (const name of outputs) if (inputs.includes(name)) throw new UserError(`'${name}' cannot be both an input and an output of the extracted graph.`);

  const constants = new Map<string, onnx.ITensorProto>();
  const overridable = initializersOverridable(copy);
  const inputSet = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  for (const t of graph.initializer ?? []) if (t.name && !(overridable && inputSet.has(t.name))) constants.set(t.name, t);
  for (const n of graph.node ?? []) {
    const t = n.opType === 'Constant' ? constantNodeTensor(n) : undefined;
    if (t && n.output?.[0]) constants.set(n.output[0], t);
  }
  const types = inferShapes(graph, { opset: defaultOpset(copy), constant: (name) => constants.get(name) });

  const producer = new Map<string, NodeProto>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const chosen = new Set(inputs);
  const keptNodes = new Set<NodeProto>();
  const reached = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    if (chosen.has(name)) continue;
    const node = producer.get(name);
    if (node && !keptNodes.has(node)) {
      keptNodes.add(node);
      stack.push(...nodeReads(node));
    }
  }
  for (const node of keptNodes) {
    const clash = (node.output ?? []).find((o) => chosen.has(o));
    if (clash) {
      throw new UserError(`'${clash}' cannot become an input: the chosen outputs also need other results of the node that computes it (${node.name || node.opType}).`);
    }
  }
  const unusedInputs = inputs.filter((i) => !reached.has(i));
  if (unusedInputs.length) throw new UserError(`The chosen outputs do not depend on ${unusedInputs.map((i) => `'${i}'`).join(', ')}; choose inputs on their path.`);

  const originalInputs = (graph.input ?? []).map((v) => v.name ?? '');
  const keptOriginal = (graph.input ?? []).filter((v) => v.name && reached.has(v.name) && !chosen.has(v.name));
  const newInputs: ValueInfoProto[] = inputs.map((name) => {
    const info = typedInfo(name, graph, types);
    if (!info.type?.tensorType?.elemType && !info.type?.sequenceType && !info.type?.optionalType) {
      throw new UserError(`The type of '${name}' is unknown, so it cannot become an input; run shape inference on the model first.`);
    }
    return info;
  });
  const before = graph.node?.length ?? 0;
  graph.node = (graph.node ?? []).filter((n) => keptNodes.has(n));
  graph.input = [...newInputs, ...keptOriginal];
  graph.initializer = (graph.initializer ?? []).filter((t) => t.name && reached.has(t.name) && !chosen.has(t.name));
  graph.sparseInitializer = (graph.sparseInitializer ?? []).filter((s) => s.values?.name && reached.has(s.values.name) && !chosen.has(s.values.name));
  const originalOutputs = (graph.output ?? []).map((o) => o.name ?? '');
  graph.output = outputs.map((name) => {
    const declared = (graph.output ?? []).find((o) => o.name === name && o.type);
    return declared ?? typedInfo(name, graph, types);
  });
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => v.name && reached.has(v.name) && !chosen.has(v.name) && !outputs.includes(v.name));
  cleanupModel(copy, { identities: false, duplicates: false });
  const keptInputNames = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  return {
    model: copy,
    stats: {
      nodesKept: graph.node.length,
      nodesRemoved: before - graph.node.length,
      inputsKept: keptOriginal.map((v) => v.name ?? ''),
      inputsRemoved: originalInputs.filter((n) => !keptInputNames.has(n)),
      outputsRemoved: originalOutputs.filter((n) => !outputs.includes(n)),
    },
  };
}
