// ONNX: Rename Value…, Set Shape…, Delete Node… and the other model edits: each finds its target (the
// argument from the graph's context menu or side panel, else the selection in the graph, else a quick
// pick), asks for the new value with validation while typing, and applies the core edit to the document.
// A refused edit shows its one line and changes nothing; warnings show and the edit stays.
import * as vscode from 'vscode';
import { EditNeedsConfirmation, type AttributeValue, type EditableAttributeType, type ModelEdit } from '../core/edit/index.js';
import { oneLine, UserError } from '../core/errors.js';
import { MAIN_GRAPH, resolveGraph } from '../core/graph/viewModel.js';
import { allDataTypes, dataTypeName } from '../core/model/dataTypes.js';
import { attributeType } from '../core/graph/nodeDetail.js';
import { AttributeType, int64ToNumber, type ModelProto, type NodeProto, type ValueInfoProto } from '../core/model/proto.js';
import { shapeOf } from '../core/model/types.js';
import { opSchema } from '../core/ops/opSchemas.js';
import { checkName, formatAttributeValue, formatShape, parseAttributeValue, parseDim, parseShape } from '../editor/editInputs.js';
import type { EditorSession } from '../editor/editorSession.js';
import { editCommandId } from '../editor/editorSession.js';
import type { EditAction, EditTarget } from '../protocol.js';
import type { HostServices } from '../services/hostServices.js';

interface Context {
  session: EditorSession;
  model: ModelProto;
  target: EditTarget;
}

/** The edit target an argument names: `{ uri, target }` from the side panel, or a graph context menu's context. */
function targetOf(arg: unknown): { uri?: vscode.Uri; target?: EditTarget } {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown>;
  if (a.target && typeof a.target === 'object') return { uri: a.uri instanceof vscode.Uri ? a.uri : undefined, target: a.target as EditTarget };
  // The webview's context menu passes the element's data-vscode-context (see webview/editMenu.ts).
  if (typeof a.webviewSection === 'string') {
    const target: EditTarget = {};
    if (typeof a.graph === 'string') target.graph = a.graph;
    if (typeof a.node === 'number') target.node = a.node;
    if (typeof a.value === 'string') target.value = a.value;
    return { target };
  }
  return {};
}

function graphOf(model: ModelProto, id: string | undefined) {
  const graph = resolveGraph(model, id ?? MAIN_GRAPH);
  if (!graph) throw new UserError('That graph is no longer in the model.');
  return graph;
}

function nodeOf(model: ModelProto, target: EditTarget): NodeProto | undefined {
  return target.node !== undefined ? graphOf(model, target.graph).nodes[target.node] : undefined;
}

function nodeLabel(node: NodeProto, index: number): string {
  return node.name ? `${node.name}` : `${node.opType ?? '?'} #${index}`;
}

const cancelled = Symbol('cancelled');

/** Quick pick over `items`; throws `cancelled` on Escape. */
async function pick<T>(items: Array<vscode.QuickPickItem & { value: T }>, placeHolder: string, title: string): Promise<T> {
  if (!items.length) throw new UserError(`Nothing to choose: ${placeHolder.replace(/^Choose /, 'no ')} in this model.`);
  const chosen = await vscode.window.showQuickPick(items, { placeHolder, title, matchOnDescription: true });
  if (!chosen) throw cancelled;
  return chosen.value;
}

async function input(options: vscode.InputBoxOptions): Promise<string> {
  const text = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (text === undefined) throw cancelled;
  return text;
}

function valueItems(values: readonly ValueInfoProto[], detail?: (v: ValueInfoProto) => string | undefined) {
  return values.map((v) => ({ label: v.name ?? '', description: detail?.(v) ?? describeType(v), value: v.name ?? '' }));
}

function describeType(v: ValueInfoProto): string {
  const tensor = v.type?.tensorType;
  if (!tensor) return '';
  const shape = shapeOf(tensor.shape);
  return `${dataTypeName(tensor.elemType ?? 0)}${shape ? `[${formatShape(shape)}]` : ''}`;
}

function mainInputs(model: ModelProto): ValueInfoProto[] {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  return (model.graph?.input ?? []).filter((v) => !initializers.has(v.name));
}

/** The value a command acts on: the target's value, one of the target node's outputs, or a pick. */
async function valueFor(ctx: Context, candidates: Array<vscode.QuickPickItem & { value: string }>, placeHolder: string, title: string): Promise<string> {
  const names = new Set(candidates.map((c) => c.value));
  if (ctx.target.value !== undefined && names.has(ctx.target.value)) return ctx.target.value;
  const node = nodeOf(ctx.model, ctx.target);
  const ofNode = candidates.filter((c) => node && ((node.output ?? []).includes(c.value) || (node.input ?? []).includes(c.value)));
  if (ofNode.length === 1) return ofNode[0].value;
  return pick(ofNode.length ? ofNode : candidates, placeHolder, title);
}

/** The node a command acts on: the target's node, or a pick among the main graph's nodes. */
async function nodeFor(ctx: Context, title: string): Promise<{ graph: string; index: number; node: NodeProto }> {
  const graph = ctx.target.graph ?? MAIN_GRAPH;
  const node = nodeOf(ctx.model, ctx.target);
  if (node && ctx.target.node !== undefined) return { graph, index: ctx.target.node, node };
  const nodes = graphOf(ctx.model, MAIN_GRAPH).nodes;
  const index = await pick(nodes.map((n, i) => ({ label: nodeLabel(n, i), description: n.opType ?? '', value: i })), 'Choose a node', title);
  return { graph: MAIN_GRAPH, index, node: nodes[index] };
}

/** ONNX attribute type name -> the editable type, for the types an edit can write. */
const editableTypes: Record<number, EditableAttributeType> = {
  [AttributeType.INT]: 'int', [AttributeType.FLOAT]: 'float', [AttributeType.STRING]: 'string',
  [AttributeType.INTS]: 'ints', [AttributeType.FLOATS]: 'floats', [AttributeType.STRINGS]: 'strings',
};
const schemaTypes: Record<string, EditableAttributeType> = { INT: 'int', FLOAT: 'float', STRING: 'string', INTS: 'ints', FLOATS: 'floats', STRINGS: 'strings' };

function attributeValue(a: NonNullable<NodeProto['attribute']>[number]): AttributeValue | undefined {
  const text = (b: Uint8Array | string | null | undefined) => (typeof b === 'string' ? b : new TextDecoder().decode(b ?? new Uint8Array()));
  switch (attributeType(a)) {
    case AttributeType.INT: return int64ToNumber(a.i);
    case AttributeType.FLOAT: return a.f ?? 0;
    case AttributeType.STRING: return text(a.s);
    case AttributeType.INTS: return (a.ints ?? []).map((i) => int64ToNumber(i));
    case AttributeType.FLOATS: return [...(a.floats ?? [])];
    case AttributeType.STRINGS: return (a.strings ?? []).map(text);
    default: return undefined;
  }
}

function opsetOf(model: ModelProto, domain: string | null | undefined): number {
  const entry = (model.opsetImport ?? []).find((o) => (o.domain ?? '') === (domain ?? '') || (!o.domain && domain === 'ai.onnx'));
  return Number(entry?.version ?? 0);
}

/** Each command: what it asks, then the edit (or undefined when there is nothing to do). */
const actions: Record<EditAction, (ctx: Context) => Promise<ModelEdit | undefined>> = {
  async renameValue(ctx) {
    const graph = graphOf(ctx.model, ctx.target.graph);
    const names = new Set<string>();
    for (const v of graph.graph?.input ?? []) if (v.name) names.add(v.name);
    for (const v of graph.fn?.input ?? []) if (v) names.add(v);
    for (const n of graph.nodes) for (const o of n.output ?? []) if (o) names.add(o);
    for (const t of graph.initializers) if (t.name) names.add(t.name);
    const from = await valueFor(ctx, [...names].map((n) => ({ label: n, value: n })), 'Choose the value to rename', 'Rename Value');
    const to = await input({ title: `Rename Value '${from}'`, value: from, prompt: 'New name: every use is renamed too.', validateInput: (t) => checkName(t, from) });
    return { kind: 'renameValue', graph: ctx.target.graph, from, to };
  },
  async renameNode(ctx) {
    const { graph, index, node } = await nodeFor(ctx, 'Rename Node');
    const old = node.name ?? '';
    const to = await input({ title: `Rename Node '${nodeLabel(node, index)}'`, value: old, prompt: 'New node name.', validateInput: (t) => checkName(t, old) });
    return { kind: 'renameNode', node: { graph, index }, to };
  },
  async setShape(ctx) {
    const values = [...mainInputs(ctx.model), ...(ctx.model.graph?.output ?? [])];
    const name = await valueFor(ctx, valueItems(values), 'Choose an input or output', 'Set Shape');
    const current = values.find((v) => v.name === name);
    const shape = shapeOf(current?.type?.tensorType?.shape);
    const text = await input({
      title: `Set Shape of '${name}'`, value: formatShape(shape),
      prompt: 'Dimensions separated by commas: a size (3), a name (batch) or ? for unknown. Empty: a scalar.',
      validateInput: (t) => { const r = parseShape(t); return 'error' in r ? r.error : undefined; },
    });
    const parsed = parseShape(text);
    return 'error' in parsed ? undefined : { kind: 'setShape', value: name, dims: parsed.value };
  },
  async batchDim(ctx) {
    const inputs = mainInputs(ctx.model);
    const all = '\u0000all';
    const choices = [{ label: 'All inputs', description: 'and every input and output with the same first dimension', value: all }, ...valueItems(inputs)];
    const chosen = ctx.target.value && inputs.some((v) => v.name === ctx.target.value) ? ctx.target.value : await pick(choices, 'Whose batch dimension', 'Batch Dimension');
    const first = (chosen === all ? inputs[0] : inputs.find((v) => v.name === chosen))?.type?.tensorType?.shape;
    const dim0 = shapeOf(first)?.[0];
    const kind = await pick([
      { label: 'Dynamic', description: 'a named dimension, such as batch', value: 'dynamic' as const },
      { label: 'Fixed', description: 'a size, such as 1', value: 'fixed' as const },
    ], `The first dimension is ${dim0 === undefined ? 'not declared' : formatShape([dim0])} now`, 'Make Batch Dimension Dynamic or Fixed');
    const text = await input({
      title: kind === 'dynamic' ? 'Batch Dimension Name' : 'Batch Size',
      value: kind === 'dynamic' ? (typeof dim0 === 'string' ? dim0 : 'batch') : (typeof dim0 === 'number' ? String(dim0) : '1'),
      validateInput: (t) => {
        const r = parseDim(t);
        if ('error' in r) return r.error;
        if (kind === 'dynamic' && typeof r.value !== 'string') return 'A dynamic dimension has a name, such as batch.';
        if (kind === 'fixed' && typeof r.value !== 'number') return 'A fixed dimension is a size, such as 1.';
        return undefined;
      },
    });
    const dim = parseDim(text);
    if ('error' in dim || dim.value === null) return undefined;
    return { kind: 'setBatchDim', value: chosen === all ? undefined : chosen, dim: dim.value };
  },
  async inputType(ctx) {
    const inputs = mainInputs(ctx.model);
    const name = await valueFor(ctx, valueItems(inputs), 'Choose an input', 'Change Input Type');
    const current = dataTypeName(inputs.find((v) => v.name === name)?.type?.tensorType?.elemType ?? 0);
    const types = allDataTypes.filter((t) => t.name !== 'undefined' && t.name !== current);
    const dtype = await pick(types.map((t) => ({ label: t.name, description: t.ort ?? '', value: t.name })), `Now ${current}: choose the new element type`, `Change Type of '${name}'`);
    return { kind: 'setInputDtype', input: name, dtype };
  },
  async exposeOutput(ctx) {
    const outputs = new Set((ctx.model.graph?.output ?? []).map((v) => v.name));
    const made = (ctx.model.graph?.node ?? []).flatMap((n) => (n.output ?? []).filter((o) => o && !outputs.has(o)));
    const value = await valueFor(ctx, made.map((n) => ({ label: n, value: n })), 'Choose a value to make a graph output', 'Expose as Output');
    return { kind: 'exposeOutput', value };
  },
  async removeOutput(ctx) {
    const value = await valueFor(ctx, valueItems(ctx.model.graph?.output ?? []), 'Choose the output to remove', 'Remove Output');
    return { kind: 'removeOutput', value };
  },
  async deleteNode(ctx) {
    const { graph, index } = await nodeFor(ctx, 'Delete Node');
    return { kind: 'deleteNode', node: { graph, index } };
  },
  async editAttribute(ctx) {
    const { graph, index, node } = await nodeFor(ctx, 'Edit Attribute');
    const schema = opSchema(node.domain, node.opType ?? '', opsetOf(ctx.model, node.domain));
    const present = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
    const items: Array<vscode.QuickPickItem & { value: string }> = [...present.values()]
      .filter((a) => editableTypes[attributeType(a)] !== undefined)
      .map((a) => ({ label: a.name ?? '', description: formatAttributeValue(attributeValue(a) ?? ''), value: a.name ?? '' }));
    for (const [name, s] of schema?.attributes ?? []) {
      if (!present.has(name) && schemaTypes[s.type]) items.push({ label: name, description: `not set${s.required ? ' (required)' : ''}`, value: name });
    }
    const attribute = ctx.target.attribute && items.some((i) => i.value === ctx.target.attribute) ? ctx.target.attribute : await pick(items, 'Choose an attribute', `Edit Attribute of '${nodeLabel(node, index)}'`);
    const existing = present.get(attribute);
    const type = (existing ? editableTypes[attributeType(existing)] : undefined) ?? schemaTypes[schema?.attributes.get(attribute)?.type ?? ''];
    if (!type) throw new UserError(`Attribute '${attribute}' is not an int, float or string (list): it cannot be edited here.`);
    const current = existing ? attributeValue(existing) : undefined;
    const text = await input({
      title: `${nodeLabel(node, index)}.${attribute} (${type})`, value: current !== undefined ? formatAttributeValue(current) : '',
      prompt: type.endsWith('s') && type !== 'string' ? 'Values separated by commas.' : undefined,
      validateInput: (t) => { const r = parseAttributeValue(t, type); return 'error' in r ? r.error : undefined; },
    });
    const value = parseAttributeValue(text, type);
    if ('error' in value) return undefined;
    return { kind: 'setAttribute', node: { graph, index }, attribute, value: value.value, type: existing ? undefined : type };
  },
  async editMetadata(ctx) {
    const props = ctx.model.metadataProps ?? [];
    type Choice = { what: 'entry' | 'producer' | 'version' | 'doc'; key?: string };
    const key = ctx.target.metadataKey;
    const chosen: Choice = key !== undefined
      ? key === '@producer' ? { what: 'producer' } : key === '@version' ? { what: 'version' } : key === '@doc' ? { what: 'doc' } : key === '@new' ? { what: 'entry' } : { what: 'entry', key }
      : await pick<Choice>([
        ...props.map((p) => ({ label: p.key ?? '', description: p.value ?? '', value: { what: 'entry', key: p.key ?? '' } as Choice })),
        { label: '$(add) New metadata entry…', value: { what: 'entry' } },
        { label: 'Producer', description: `${ctx.model.producerName ?? ''} ${ctx.model.producerVersion ?? ''}`.trim(), value: { what: 'producer' } },
        { label: 'Model version', description: String(ctx.model.modelVersion ?? 0), value: { what: 'version' } },
        { label: 'Doc string', description: ctx.model.docString ?? '', value: { what: 'doc' } },
      ], 'Choose what to edit', 'Edit Metadata');
    if (chosen.what === 'producer') {
      const name = await input({ title: 'Producer name', value: ctx.model.producerName ?? '' });
      const version = await input({ title: 'Producer version', value: ctx.model.producerVersion ?? '' });
      return { kind: 'setProducer', name, version };
    }
    if (chosen.what === 'version') {
      const text = await input({ title: 'Model version', value: String(ctx.model.modelVersion ?? 0), validateInput: (t) => (/^\d+$/.test(t.trim()) ? undefined : 'The model version is a whole number.') });
      return { kind: 'setModelVersion', version: Number(text.trim()) };
    }
    if (chosen.what === 'doc') return { kind: 'setDocString', target: 'model', text: await input({ title: 'Model doc string', value: ctx.model.docString ?? '' }) };
    const entryKey = chosen.key ?? (await input({ title: 'New metadata key', validateInput: (t) => (t.trim() === '' ? 'A key cannot be empty.' : props.some((p) => p.key === t) ? 'That key exists: choose it to edit its value.' : undefined) }));
    const old = props.find((p) => p.key === entryKey)?.value;
    const value = await input({ title: `Metadata '${entryKey}'`, value: old ?? '', prompt: old !== undefined ? 'Empty removes the entry.' : undefined });
    return { kind: 'setMetadata', key: entryKey, value: value === '' && old !== undefined ? null : value };
  },
  async replaceInitializer(ctx) {
    const initializers = ctx.model.graph?.initializer ?? [];
    const items = initializers.map((t) => ({ label: t.name ?? '', description: `${dataTypeName(t.dataType ?? 0)}[${(t.dims ?? []).map(Number).join(',')}]`, value: t.name ?? '' }));
    const name = await valueFor(ctx, items, 'Choose the initializer to replace', 'Replace Initializer');
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'NumPy array': ['npy'] }, title: `Replace '${name}' from .npy`, defaultUri: vscode.Uri.joinPath(ctx.session.uri, '..') });
    if (!files?.length) throw cancelled;
    return { kind: 'replaceInitializer', name, npy: await vscode.workspace.fs.readFile(files[0]) };
  },
};

/** Applies `edit`, asking first where the core says it needs a yes, then offering its follow-up. */
async function apply(session: EditorSession, edit: ModelEdit, log: vscode.LogOutputChannel): Promise<void> {
  let result;
  try {
    result = session.document.edit(edit);
  } catch (error) {
    if (error instanceof EditNeedsConfirmation) {
      const yes = 'Continue';
      const detail = error.items.length ? `${error.items.slice(0, 20).join('\n')}${error.items.length > 20 ? `\n… and ${error.items.length - 20} more` : ''}` : undefined;
      if ((await vscode.window.showWarningMessage(error.message, { modal: true, detail }, yes)) === yes) await apply(session, error.confirmed, log);
      return;
    }
    if (!(error instanceof UserError)) log.error(`Edit ${edit.kind} failed: ${error instanceof Error ? error.stack : String(error)}`);
    void vscode.window.showErrorMessage(oneLine(error));
    return;
  }
  if (result.warnings.length) void vscode.window.showWarningMessage(`${result.label}: ${result.warnings[0]}${result.warnings.length > 1 ? ` (and ${result.warnings.length - 1} more warnings, see the log)` : ''}`);
  for (const w of result.warnings) log.warn(`${result.label}: ${w}`);
  const followUp = result.followUp;
  if (followUp) {
    const yes = 'Remove';
    const detail = followUp.items.slice(0, 20).join('\n');
    if ((await vscode.window.showInformationMessage(followUp.prompt, { modal: true, detail }, yes)) === yes) await apply(session, followUp.edit, log);
  }
}

export function registerEditCommands({ editors, log }: HostServices): vscode.Disposable {
  const run = (action: EditAction) => async (arg?: unknown) => {
    const { uri, target } = targetOf(arg);
    const session = (uri ? editors.sessionsFor(uri)[0] : undefined) ?? editors.active();
    if (!session) {
      void vscode.window.showInformationMessage('Open an ONNX model in the model editor to edit it.');
      return;
    }
    const model = session.document.model;
    if (!model) {
      void vscode.window.showErrorMessage(session.document.error ?? 'The model could not be read.');
      return;
    }
    try {
      const edit = await actions[action]({ session, model, target: target ?? session.selection ?? {} });
      // The model may have changed while the user typed (another edit, a reload): the edit names values, so it still applies or is refused.
      if (edit) await apply(session, edit, log);
    } catch (error) {
      if (error === cancelled) return;
      if (!(error instanceof UserError)) log.error(`${action} failed: ${error instanceof Error ? error.stack : String(error)}`);
      void vscode.window.showErrorMessage(oneLine(error));
    }
  };
  return vscode.Disposable.from(...(Object.keys(actions) as EditAction[]).map((action) => vscode.commands.registerCommand(editCommandId(action), run(action))));
}
