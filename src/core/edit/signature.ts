// The main graph's signature: input and output shapes, the batch dim, an input's element type, and
// which values are graph outputs.
import { dataTypeByName, dataTypeName } from '../model/dataTypes.js';
import { formatDims } from '../format.js';
import { onnx, type GraphProto, type ModelProto, type TypeProto, type ValueInfoProto } from '../model/proto.js';
import { shapeOf, type Dim } from '../model/types.js';
import { copyWith } from './cow.js';
import { deadCodeFollowUp, removeDeadCode } from './deadCode.js';
import { EditRefused } from './errors.js';
import type { RawEdit } from './rawEdit.js';
import { computedTypes, typeProtoOf } from './shapeConflicts.js';
import type { EditDim, ModelEdit } from './types.js';

type Edit<K extends ModelEdit['kind']> = Extract<ModelEdit, { kind: K }>;

function mainGraph(model: ModelProto): GraphProto {
  if (!model.graph) throw new EditRefused('The model has no graph.');
  return model.graph;
}

/** Graph inputs the caller feeds (not initializers listed as inputs). */
function fedInputs(graph: GraphProto): ValueInfoProto[] {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  return (graph.input ?? []).filter((v) => !initializers.has(v.name));
}

function checkDims(dims: EditDim[]): void {
  for (const d of dims) {
    if (typeof d === 'number' && (!Number.isSafeInteger(d) || d < 0)) throw new EditRefused(`A dim must be a whole number of 0 or more, a name, or unknown; ${d} is none of these.`);
    if (typeof d === 'string' && !/^[A-Za-z_][\w.\-/:]*$/.test(d)) throw new EditRefused(`'${d}' is not a usable dim name: start with a letter or _, no spaces.`);
  }
}

function dimProto(d: EditDim): onnx.TensorShapeProto.IDimension {
  return typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {};
}

/** The same tensor type with another shape (a shape proto of its own; the old one is shared elsewhere). */
function withShape(type: TypeProto, dims: EditDim[]): TypeProto {
  const tensor = type.tensorType!;
  return copyWith(type, { tensorType: copyWith(tensor, { shape: { dim: dims.map(dimProto) } }) });
}

function tensorDims(v: ValueInfoProto, what: string): Dim[] | undefined {
  if (!v.type?.tensorType) throw new EditRefused(`${what} '${v.name ?? ''}' is not a tensor; only tensor shapes can be set.`);
  return shapeOf(v.type.tensorType.shape);
}

function replaceInfo(list: ValueInfoProto[] | null | undefined, name: string, update: (v: ValueInfoProto) => ValueInfoProto): ValueInfoProto[] | undefined {
  if (!list?.some((v) => v.name === name)) return undefined;
  return list.map((v) => (v.name === name ? update(v) : v));
}

export function setShape(model: ModelProto, edit: Edit<'setShape'>): RawEdit {
  const graph = mainGraph(model);
  checkDims(edit.dims);
  const input = fedInputs(graph).find((v) => v.name === edit.value);
  const output = (graph.output ?? []).find((v) => v.name === edit.value);
  if (!input && !output) {
    const initializer = graph.initializer?.some((t) => t.name === edit.value);
    throw new EditRefused(initializer ? `'${edit.value}' is an initializer: its shape is its data's (replace the initializer to change it).` : `'${edit.value}' is not an input or output of the main graph.`);
  }
  const what = input ? 'input' : 'output';
  const old = tensorDims((input ?? output)!, input ? 'Input' : 'Output');
  if (old && formatDims(old) === formatDims(edit.dims)) throw new EditRefused(`${what[0].toUpperCase()}${what.slice(1)} '${edit.value}' already has the shape ${formatDims(edit.dims)}.`);
  const update = (v: ValueInfoProto) => copyWith(v, { type: withShape(v.type!, edit.dims) });
  const patch: Partial<GraphProto> = {};
  const inputs = input ? replaceInfo(graph.input, edit.value, update) : undefined;
  if (inputs) patch.input = inputs;
  const outputs = output ? replaceInfo(graph.output, edit.value, update) : undefined;
  if (outputs) patch.output = outputs;
  return { model: copyWith(model, { graph: copyWith(graph, patch) }), label: `Set the shape of ${what} '${edit.value}' to ${formatDims(edit.dims)}`, shapes: true };
}

export function setBatchDim(model: ModelProto, edit: Edit<'setBatchDim'>): RawEdit {
  const graph = mainGraph(model);
  checkDims([edit.dim]);
  const signature = [...fedInputs(graph), ...(graph.output ?? [])];
  let targets: ValueInfoProto[];
  if (edit.value !== undefined) {
    const v = signature.find((s) => s.name === edit.value);
    if (!v) throw new EditRefused(`'${edit.value}' is not an input or output of the main graph.`);
    targets = [v];
  } else {
    targets = fedInputs(graph).filter((v) => (v.type?.tensorType?.shape?.dim?.length ?? 0) > 0);
    if (targets.length === 0) throw new EditRefused('No graph input has a dim 0 to set.');
  }
  const olds = new Set<string>();
  for (const v of targets) {
    const dims = tensorDims(v, 'Value');
    if (!dims?.length) throw new EditRefused(`'${v.name ?? ''}' has no dim 0 (it is a scalar or of unknown rank).`);
    olds.add(String(dims[0]));
  }
  if (olds.size === 1 && olds.has(String(edit.dim))) throw new EditRefused(`The batch dim is already ${formatDims([edit.dim]).slice(1, -1)}.`);
  // Every input, output and value_info entry whose dim 0 was one of the changed ones follows along.
  const fed = new Set(fedInputs(graph));
  const counts = { input: 0, output: 0 };
  const follow = (list: ValueInfoProto[] | null | undefined, role?: 'input' | 'output'): ValueInfoProto[] | undefined => {
    let any = false;
    const next = (list ?? []).map((v) => {
      if (role === 'input' && !fed.has(v)) return v;
      const dims = v.type?.tensorType ? shapeOf(v.type.tensorType.shape) : undefined;
      if (!dims?.length || !olds.has(String(dims[0])) || String(dims[0]) === String(edit.dim)) return v;
      any = true;
      if (role) counts[role]++;
      return copyWith(v, { type: withShape(v.type!, [edit.dim, ...dims.slice(1)]) });
    });
    return any ? next : undefined;
  };
  const patch: Partial<GraphProto> = {};
  const inputs = follow(graph.input, 'input');
  if (inputs) patch.input = inputs;
  const outputs = follow(graph.output, 'output');
  if (outputs) patch.output = outputs;
  const valueInfo = follow(graph.valueInfo);
  if (valueInfo) patch.valueInfo = valueInfo;
  const what = typeof edit.dim === 'number' ? `fixed at ${edit.dim}` : `dynamic ('${edit.dim}')`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const result = copyWith(model, { graph: copyWith(graph, patch) });
  return {
    model: result,
    label: `Make the batch dim ${what}: ${plural(counts.input, 'input')}, ${plural(counts.output, 'output')}`,
    notes: typeof edit.dim === 'string' ? pinnedBatch(result, edit.dim) : [],
    shapes: true,
  };
}

/** Outputs made dynamic whose dim 0 the ops still compute as a fixed size (a constant shape in the graph). */
function pinnedBatch(model: ModelProto, symbol: string): string[] {
  const computed = computedTypes(model);
  return (model.graph!.output ?? []).flatMap((o) => {
    const declared = shapeOf(o.type?.tensorType?.shape);
    const first = o.name ? computed.get(o.name)?.shape?.[0] : undefined;
    return declared?.[0] === symbol && typeof first === 'number'
      ? [`output '${o.name}' is still computed with dim 0 = ${first} whatever the batch: a constant shape in the graph fixes it`]
      : [];
  });
}

export function setInputDtype(model: ModelProto, edit: Edit<'setInputDtype'>): RawEdit {
  const graph = mainGraph(model);
  const info = dataTypeByName(edit.dtype.toLowerCase());
  if (!info || info.id === 0) throw new EditRefused(`'${edit.dtype}' is not an ONNX element type (float, float16, int64, ...).`);
  const input = fedInputs(graph).find((v) => v.name === edit.input);
  if (!input) throw new EditRefused(`'${edit.input}' is not an input of the main graph.`);
  if (!input.type?.tensorType) throw new EditRefused(`Input '${edit.input}' is not a tensor.`);
  if (input.type.tensorType.elemType === info.id) throw new EditRefused(`Input '${edit.input}' is already ${info.name}.`);
  const from = dataTypeName(input.type.tensorType.elemType ?? 0);
  const update = (v: ValueInfoProto) => copyWith(v, { type: copyWith(v.type!, { tensorType: copyWith(v.type!.tensorType!, { elemType: info.id }) }) });
  const result = copyWith(model, { graph: copyWith(graph, { input: replaceInfo(graph.input, edit.input, update) }) });
  return { model: result, label: `Change input '${edit.input}' from ${from} to ${info.name}`, shapes: true };
}

export function exposeOutput(model: ModelProto, edit: Edit<'exposeOutput'>): RawEdit {
  const graph = mainGraph(model);
  const name = edit.value;
  if ((graph.output ?? []).some((o) => o.name === name)) throw new EditRefused(`'${name}' is already a graph output.`);
  const producer = (graph.node ?? []).find((n) => n.output?.includes(name));
  if (!producer) {
    if ((graph.input ?? []).some((v) => v.name === name) || (graph.initializer ?? []).some((t) => t.name === name)) {
      throw new EditRefused(`'${name}' is an input or initializer, not a value the graph computes; only computed values can be exposed.`);
    }
    throw new EditRefused(`No node of the main graph computes '${name}'.`);
  }
  const declared = (graph.valueInfo ?? []).find((v) => v.name === name)?.type;
  const type = declared?.tensorType?.shape ? declared : typeProtoOf(computedTypes(model).get(name)) ?? declared;
  if (!type) throw new EditRefused(`The type of '${name}' is unknown (shape inference cannot compute it), and a graph output needs one.`);
  const output = new onnx.ValueInfoProto({ name, type });
  return { model: copyWith(model, { graph: copyWith(graph, { output: [...(graph.output ?? []), output] }) }), label: `Expose '${name}' as an output` };
}

export function removeOutput(model: ModelProto, edit: Edit<'removeOutput'>): RawEdit {
  const graph = mainGraph(model);
  const outputs = graph.output ?? [];
  if (!outputs.some((o) => o.name === edit.value)) throw new EditRefused(`'${edit.value}' is not an output of the main graph.`);
  if (outputs.length === 1) throw new EditRefused(`'${edit.value}' is the model's only output; a model needs at least one.`);
  const rest = outputs.filter((o) => o.name !== edit.value);
  const result = copyWith(model, { graph: copyWith(graph, { output: rest }) });
  const label = `Remove output '${edit.value}'`;
  if (edit.removeDeadCode) {
    const cleaned = removeDeadCode(result);
    if (cleaned) return { model: cleaned.model, label: `${label} and ${cleaned.summary}` };
    return { model: result, label };
  }
  return { model: result, label, followUp: deadCodeFollowUp(result, `removing output '${edit.value}'`) };
}
