// Values inside If/Loop/Scan bodies, made observable for calibration: onnxruntime returns main-graph
// outputs only, so each body value is threaded out through the node that holds the body, level by level.
// - If: the branch outputs the value (through an Identity), the other branch an empty float tensor, and the
//   If a new output: a run that takes the other branch observes nothing for it;
// - Loop and Scan: the body outputs it as one more scan output, and the node returns it stacked over the
//   iterations (all iterations observed at once).
// Done on a copy used only for calibration; the names observed are the body's own, so the ranges apply
// to the body's values in the model being quantized.
import { AttributeType, DataType, onnx, type GraphProto, type ModelProto, type NodeProto } from '../../model/proto.js';
import { subgraphsOf } from '../../model/walk.js';
import { allNames } from '../../model/graphQueries.js';
import { NameAllocator } from '../graphEdit.js';

/** One level from a graph into a body: the node holding it, and which attribute. */
interface Step {
  node: NodeProto;
  attribute: string;
  graph: GraphProto;
}

export interface Exposed {
  /** Observed value -> the main-graph output that carries it. */
  outputs: Map<string, string>;
  /** Values that cannot be observed, with why. */
  skipped: Array<{ name: string; why: string }>;
}

const floatInfo = (name: string) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DataType.FLOAT } } });

/** Where each value is defined: the steps from the main graph to its graph ([] for the main graph). */
function definitions(graph: GraphProto, steps: Step[], into: Map<string, Step[] | 'ambiguous'>): void {
  const define = (name: string | null | undefined) => {
    if (!name) return;
    into.set(name, into.has(name) ? 'ambiguous' : steps);
  };
  for (const i of graph.input ?? []) define(i.name);
  for (const t of graph.initializer ?? []) define(t.name);
  for (const node of graph.node ?? []) {
    for (const o of node.output ?? []) define(o);
    for (const sub of subgraphsOf(node)) definitions(sub.graph, [...steps, { node, attribute: sub.attribute, graph: sub.graph }], into);
  }
}

/** Threads `name` out of `step`'s body; returns the name it has in the graph holding the node. */
function exposeStep(step: Step, name: string, names: NameAllocator): string {
  const { node, graph } = step;
  const inner = names.fresh(`${name}_observed`);
  graph.node = [...(graph.node ?? []), onnx.NodeProto.create({ opType: 'Identity', input: [name], output: [inner], name: inner })];
  graph.output = [...(graph.output ?? []), floatInfo(inner)];
  if (node.opType === 'If') {
    const other = subgraphsOf(node).find((s) => s.graph !== graph)!.graph;
    const empty = names.fresh(`${name}_not_taken`);
    const value = onnx.TensorProto.create({ dataType: DataType.FLOAT, dims: [0] });
    other.node = [...(other.node ?? []), onnx.NodeProto.create({ opType: 'Constant', output: [empty], name: empty, attribute: [onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: value })] })];
    other.output = [...(other.output ?? []), floatInfo(empty)];
  } else if (node.opType === 'Scan') {
    // The list attributes, where given, hold one entry per scan output.
    for (const a of node.attribute ?? []) {
      if (a.name === 'scan_output_axes' || a.name === 'scan_output_directions') a.ints = [...(a.ints ?? []), 0];
    }
  }
  const outer = names.fresh(`${name}_observed`);
  node.output = [...(node.output ?? []), outer];
  return outer;
}

/**
 * Adds main-graph outputs to `model` (in place: a calibration copy) for `wanted` values at any depth.
 * Bodies of other ops than If, Loop and Scan are not entered; a name defined twice is not observed.
 */
export function exposeValues(model: ModelProto, wanted: readonly string[]): Exposed {
  const graph = model.graph!;
  const defs = new Map<string, Step[] | 'ambiguous'>();
  definitions(graph, [], defs);
  const names = new NameAllocator(allNames(model));
  const outputs = new Map<string, string>();
  const skipped: Exposed['skipped'] = [];
  const existing = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  for (const name of wanted) {
    const steps = defs.get(name);
    if (steps === 'ambiguous') {
      skipped.push({ name, why: 'the name is defined in more than one graph' });
      continue;
    }
    if (!steps) {
      skipped.push({ name, why: 'no graph defines it' });
      continue;
    }
    if (steps.length === 0) {
      if (!existing.has(name)) graph.output = [...(graph.output ?? []), floatInfo(name)];
      existing.add(name);
      outputs.set(name, name);
      continue;
    }
    const other = steps.find((s) => !['If', 'Loop', 'Scan'].includes(s.node.opType ?? '') || (s.node.domain && s.node.domain !== 'ai.onnx'));
    if (other) {
      skipped.push({ name, why: `it is inside a ${other.node.opType} body, which cannot be observed` });
      continue;
    }
    let current = name;
    for (let k = steps.length - 1; k >= 0; k--) current = exposeStep(steps[k], current, names);
    graph.output = [...(graph.output ?? []), floatInfo(current)];
    outputs.set(name, current);
  }
  return { outputs, skipped };
}
