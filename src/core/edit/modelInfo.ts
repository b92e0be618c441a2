// Model-level fields: metadata_props, doc strings, producer, model version.
import { onnx, toLong, type ModelProto } from '../model/proto.js';
import { copyWith, graphAt, updateGraph } from './cow.js';
import { EditRefused } from './errors.js';
import { nodeText, resolveNode } from './nodeRef.js';
import type { ModelEdit } from './types.js';
import type { RawEdit } from './rawEdit.js';

type Edit<K extends ModelEdit['kind']> = Extract<ModelEdit, { kind: K }>;

export function setMetadata(model: ModelProto, edit: Edit<'setMetadata'>): RawEdit {
  if (!edit.key) throw new EditRefused('A metadata entry needs a non-empty key.');
  const props = model.metadataProps ?? [];
  const at = props.findIndex((p) => p.key === edit.key);
  if (edit.value === null) {
    if (at < 0) throw new EditRefused(`The model has no metadata entry '${edit.key}'.`);
    const rest = props.filter((p) => p.key !== edit.key);
    return { model: copyWith(model, { metadataProps: rest.length ? rest : undefined }), label: `Remove metadata '${edit.key}'` };
  }
  if (at >= 0 && props[at].value === edit.value) throw new EditRefused(`Metadata '${edit.key}' already has that value.`);
  const entry = new onnx.StringStringEntryProto({ key: edit.key, value: edit.value });
  const next = at >= 0 ? props.map((p, i) => (i === at ? entry : p)) : [...props, entry];
  return { model: copyWith(model, { metadataProps: next }), label: `${at >= 0 ? 'Set' : 'Add'} metadata '${edit.key}'` };
}

export function setDocString(model: ModelProto, edit: Edit<'setDocString'>): RawEdit {
  const text = edit.text || undefined;
  if (edit.target === 'model') return { model: copyWith(model, { docString: text }), label: 'Set the model doc string' };
  if (edit.target === 'graph') return { model: updateGraph(model, undefined, (g) => copyWith(g, { docString: text })), label: 'Set the graph doc string' };
  if (!edit.node) throw new EditRefused('A node doc string needs the node.');
  const ref = edit.node;
  const resolved = resolveNode(graphAt(model, ref.graph), ref);
  const result = updateGraph(model, ref.graph, (g) => copyWith(g, { node: g.node!.map((n, i) => (i === resolved.index ? copyWith(n, { docString: text }) : n)) }));
  return { model: result, label: `Set the doc string of ${nodeText(resolved)}` };
}

export function setProducer(model: ModelProto, edit: Edit<'setProducer'>): RawEdit {
  const label = `Set the producer to '${edit.name}${edit.version ? ` ${edit.version}` : ''}'`;
  return { model: copyWith(model, { producerName: edit.name || undefined, producerVersion: edit.version || undefined }), label };
}

export function setModelVersion(model: ModelProto, edit: Edit<'setModelVersion'>): RawEdit {
  if (!Number.isSafeInteger(edit.version) || edit.version < 0) throw new EditRefused(`The model version must be a whole number of 0 or more, not ${edit.version}.`);
  return { model: copyWith(model, { modelVersion: toLong(edit.version) }), label: `Set the model version to ${edit.version}` };
}
