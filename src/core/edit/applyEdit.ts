// One entry point for every edit: run it copy-on-write, validate the result, label it.
import type { ModelProto } from '../model/proto.js';
import { EditRefused } from './errors.js';
import { setDocString, setMetadata, setModelVersion, setProducer } from './modelInfo.js';
import { renameNode, renameValue } from './names.js';
import { removeAttribute, setAttribute } from './attributes.js';
import { removeDeadCodeEdit } from './deadCode.js';
import { deleteNode } from './deleteNode.js';
import { replaceInitializer } from './initializers.js';
import { exposeOutput, removeOutput, setBatchDim, setInputDtype, setShape } from './signature.js';
import type { RawEdit } from './rawEdit.js';
import type { ApplyOptions, EditResult, ModelEdit } from './types.js';
import { validateEdit } from './validate.js';

function run(model: ModelProto, edit: ModelEdit): RawEdit {
  switch (edit.kind) {
    case 'renameValue': return renameValue(model, edit);
    case 'renameNode': return renameNode(model, edit);
    case 'setMetadata': return setMetadata(model, edit);
    case 'setDocString': return setDocString(model, edit);
    case 'setProducer': return setProducer(model, edit);
    case 'setModelVersion': return setModelVersion(model, edit);
    case 'setShape': return setShape(model, edit);
    case 'setBatchDim': return setBatchDim(model, edit);
    case 'setInputDtype': return setInputDtype(model, edit);
    case 'exposeOutput': return exposeOutput(model, edit);
    case 'removeOutput': return removeOutput(model, edit);
    case 'removeDeadCode': return removeDeadCodeEdit(model);
    case 'deleteNode': return deleteNode(model, edit);
    case 'setAttribute': return setAttribute(model, edit);
    case 'removeAttribute': return removeAttribute(model, edit);
    case 'replaceInitializer': return replaceInitializer(model, edit);
    default: throw new EditRefused(`Unknown edit '${(edit as { kind: string }).kind}'.`);
  }
}

/**
 * Applies one edit. The input model is never changed; the result shares what the edit left alone.
 * Throws EditRefused (one line, nothing changed) when the edit names something absent or would make
 * the model invalid, EditNeedsConfirmation when it needs the user's yes first.
 */
export function applyEdit(model: ModelProto, edit: ModelEdit, options: ApplyOptions = {}): EditResult {
  const raw = run(model, edit);
  if (options.validate === false) return { model: raw.model, label: raw.label, warnings: raw.notes ?? [], problems: [], followUp: raw.followUp };
  const checked = validateEdit(model, raw.model, { modelDir: options.modelDir, baseline: options.baseline, shapes: raw.shapes });
  return { model: raw.model, label: raw.label, warnings: [...(raw.notes ?? []), ...checked.warnings], problems: checked.problems, followUp: raw.followUp };
}
