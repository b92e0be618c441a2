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
import type { ApplyOptions, BatchResult, EditResult, ModelEdit } from './types.js';
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
  const checked = validateEdit(model, raw.model, { modelDir: options.modelDir, baseline: options.baseline, shapes: raw.shapes });
  return { model: raw.model, label: raw.label, warnings: [...(raw.notes ?? []), ...checked.warnings], problems: checked.problems, followUp: raw.followUp };
}

/**
 * Applies edits in order as one change, validated once at the end against the input model: the states
 * in between may be invalid (widening a layer replaces a weight, then its bias, then the output's shape).
 * `followUps` applies each edit's follow-up (dead code after a removed output) right after it.
 */
export function applyEdits(model: ModelProto, edits: readonly ModelEdit[], options: ApplyOptions & { followUps?: boolean } = {}): BatchResult {
  let current = model;
  let shapes = false;
  const steps: BatchResult['steps'] = [];
  const queue = [...edits];
  for (let edit = queue.shift(); edit; edit = queue.shift()) {
    const raw = run(current, edit);
    current = raw.model;
    shapes ||= raw.shapes === true;
    steps.push({ label: raw.label, notes: raw.notes ?? [], followUp: raw.followUp });
    if (raw.followUp && options.followUps) queue.unshift(raw.followUp.edit);
  }
  const checked = validateEdit(model, current, { modelDir: options.modelDir, baseline: options.baseline, shapes });
  return { model: current, steps, warnings: checked.warnings, problems: checked.problems };
}
