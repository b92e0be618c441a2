// Model edits: the public surface for the editor and the CLI.
export { applyEdit, applyEdits } from './applyEdit.js';
export { attributeText, parseAttributeValue } from './attributes.js';
export { EditNeedsConfirmation, EditRefused } from './errors.js';
export { saveEditedModel, type SaveOptions } from './save.js';
export type { ApplyOptions, AttributeValue, BatchResult, EditableAttributeType, EditDim, EditKind, EditResult, FollowUp, GraphId, ModelEdit, NodeRef } from './types.js';
