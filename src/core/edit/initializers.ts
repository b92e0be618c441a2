// Replacing an initializer's value with a NumPy .npy array. The same element type and shape by default;
// another one only when confirmed (the graph input it may also be listed as follows). The new value is
// stored inside the .onnx, even when the old one was external data: the external file is left alone.
import { dataTypeName } from '../model/dataTypes.js';
import { formatDims } from '../format.js';
import { int64ToNumber, type ModelProto, type ValueInfoProto } from '../model/proto.js';
import { arrayToTensor } from '../model/tensorValues.js';
import { parseNpy } from '../runtime/npy.js';
import { copyWith } from './cow.js';
import { EditNeedsConfirmation, EditRefused } from './errors.js';
import type { RawEdit } from './rawEdit.js';
import type { ModelEdit } from './types.js';

type ReplaceInitializer = Extract<ModelEdit, { kind: 'replaceInitializer' }>;

export function replaceInitializer(model: ModelProto, edit: ReplaceInitializer): RawEdit {
  const graph = model.graph;
  if (!graph) throw new EditRefused('The model has no graph.');
  const index = (graph.initializer ?? []).findIndex((t) => t.name === edit.name);
  if (index < 0) {
    const sparse = graph.sparseInitializer?.some((s) => s.values?.name === edit.name);
    throw new EditRefused(sparse ? `'${edit.name}' is a sparse initializer; only dense initializers can be replaced.` : `No initializer named '${edit.name}' in the main graph.`);
  }
  const old = graph.initializer![index];
  const array = parseNpy(edit.npy, 'The .npy file');
  const oldType = `${dataTypeName(old.dataType ?? 0)}${formatDims((old.dims ?? []).map((d) => int64ToNumber(d)))}`;
  const newType = `${dataTypeName(array.dtype)}${formatDims(array.dims)}`;
  const changed = oldType !== newType;
  if (changed && !edit.allowChange) {
    throw new EditNeedsConfirmation(`'${edit.name}' is ${oldType} but the file holds ${newType}. Confirm to change its type.`, { ...edit, allowChange: true }, [edit.name]);
  }
  const tensor = arrayToTensor(edit.name, array);
  if (old.docString) tensor.docString = old.docString;
  const patch: { initializer: typeof graph.initializer; input?: ValueInfoProto[] } = {
    initializer: graph.initializer!.map((t, i) => (i === index ? tensor : t)),
  };
  // An initializer listed as a graph input declares its type there too.
  if (changed && graph.input?.some((v) => v.name === edit.name)) {
    patch.input = graph.input.map((v) => (v.name === edit.name ? copyWith(v, {
      type: { tensorType: { elemType: array.dtype, shape: { dim: array.dims.map((d) => ({ dimValue: d })) } } },
    }) : v));
  }
  return {
    model: copyWith(model, { graph: copyWith(graph, patch) }),
    label: `Replace initializer '${edit.name}'${changed ? ` (${oldType} -> ${newType})` : ` (${newType})`}`,
    shapes: changed,
  };
}
