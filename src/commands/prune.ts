// `ONNX: Prune Model...`'s questions: structural extraction or weight magnitude pruning, chosen with
// quick picks; after the run, sparse storage is offered when it makes the file smaller and onnxruntime
// loads it. The runner does the rest.
import * as vscode from 'vscode';
import { UserError } from '../core/errors.js';
import type { ModelProto } from '../core/model/proto.js';
import { valueNames } from '../core/transforms/pruneExtract.js';
import { parsePattern, parseSparsity, type PruneDetails, type PruneOptions, type PruneRequest } from '../core/transforms/pruneTransform.js';
import { prunableNodes } from '../core/transforms/pruneWeights.js';
import { formatBytes } from '../core/format.js';
import type { TransformUi } from './transformRunner.js';

type Mode = 'extract' | 'global' | 'layer' | 'pattern';

async function pickMode(): Promise<Mode | undefined> {
  const items: Array<vscode.QuickPickItem & { mode: Mode }> = [
    { mode: 'extract', label: '$(type-hierarchy) Extract Subgraph...', detail: 'Keep only what computes chosen outputs from chosen inputs; everything else is removed.' },
    { mode: 'global', label: '$(filter) Magnitude Pruning, Global', detail: 'Zero the smallest MatMul/Gemm/Conv weights of the whole model to a target sparsity.' },
    { mode: 'layer', label: '$(filter) Magnitude Pruning, Per Layer', detail: 'Each weight tensor reaches the target sparsity by itself.' },
    { mode: 'pattern', label: '$(symbol-array) N:M Structured Sparsity (2:4)...', detail: 'Keep N of every M consecutive weights along the input channels, as sparse tensor cores expect.' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Prune Model', placeHolder: 'How should the model be pruned?' });
  return picked?.mode;
}

async function pickValues(model: ModelProto, title: string, placeHolder: string, preselect: Set<string>, required: boolean): Promise<string[] | undefined> {
  const graph = model.graph!;
  const producers = new Map<string, string>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) producers.set(o, `${n.opType}${n.name ? ` ${n.name}` : ''}`);
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const items = valueNames(model).map((name) => ({
    label: name,
    description: inputs.has(name) ? 'graph input' : outputs.has(name) ? 'graph output' : undefined,
    detail: producers.has(name) ? `from ${producers.get(name)}` : undefined,
    picked: preselect.has(name),
  }));
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder, canPickMany: true, matchOnDescription: true, matchOnDetail: true });
    if (!picked) return undefined;
    if (picked.length || !required) return picked.map((p) => p.label);
    void vscode.window.showWarningMessage('Choose at least one output.');
  }
}

async function pickExclusions(model: ModelProto): Promise<string[] | undefined> {
  const nodes = prunableNodes(model);
  if (nodes.length === 0) throw new UserError('The model has no MatMul, Gemm, Conv or LSTM/GRU/RNN node whose weights could be pruned.');
  const types = [...new Set(nodes.map((n) => n.opType ?? ''))].sort();
  const items: vscode.QuickPickItem[] = [
    { label: 'Op types', kind: vscode.QuickPickItemKind.Separator },
    ...types.map((t) => ({ label: t, description: `every ${t} (${nodes.filter((n) => n.opType === t).length})` })),
    { label: 'Nodes', kind: vscode.QuickPickItemKind.Separator },
    ...nodes.filter((n) => n.name).map((n) => ({ label: n.name!, description: n.opType ?? '' })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Prune Model: exclusions', placeHolder: 'Leave these untouched (choose none to prune every weight), then press Enter', canPickMany: true, matchOnDescription: true,
  });
  return picked?.map((p) => p.label);
}

async function buildRequest(model: ModelProto, mode: Mode): Promise<PruneRequest | undefined> {
  if (mode === 'extract') {
    const current = new Set((model.graph?.output ?? []).map((o) => o.name ?? ''));
    const outputs = await pickValues(model, 'Extract Subgraph: outputs', 'Values the extracted model returns', current, true);
    if (!outputs) return undefined;
    const inputs = await pickValues(model, 'Extract Subgraph: inputs', 'Values that become inputs (none: keep the original inputs the outputs need)', new Set(), false);
    if (!inputs) return undefined;
    return { kind: 'extract', outputs, inputs };
  }
  if (mode === 'pattern') {
    const text = await vscode.window.showInputBox({
      title: 'N:M Structured Sparsity', prompt: 'Keep N of every M weights along the input channels', value: '2:4',
      validateInput: validateWith(parsePattern),
    });
    if (!text) return undefined;
    const exclude = await pickExclusions(model);
    if (!exclude) return undefined;
    return { kind: 'pattern', ...parsePattern(text), exclude };
  }
  const text = await vscode.window.showInputBox({
    title: `Magnitude Pruning, ${mode === 'global' ? 'Global' : 'Per Layer'}`, prompt: 'Target sparsity: the share of weights set to zero (0.5 or 50%)', value: '50%',
    validateInput: validateWith(parseSparsity),
  });
  if (!text) return undefined;
  const exclude = await pickExclusions(model);
  if (!exclude) return undefined;
  return { kind: 'magnitude', sparsity: parseSparsity(text), scope: mode, exclude };
}

export const pruneUi: TransformUi<PruneOptions, PruneDetails> = {
  async ask({ model }) {
    const mode = await pickMode();
    if (!mode) return undefined;
    const request = await buildRequest(await model(), mode);
    return request && { request, sparseStorage: false };
  },
  async again(report, options) {
    const offer = report.details.sparse;
    if (!offer?.loads || offer.written) return undefined;
    const write = 'Write Sparse Storage';
    const answer = await vscode.window.showInformationMessage(
      `Zeros stored densely do not shrink the file. Sparse storage would make the pruned weights ${formatBytes(offer.denseBytes)} -> ${formatBytes(offer.sparseBytes)}, and onnxruntime loads it.`,
      { modal: true }, write, 'Keep Dense');
    return answer === write ? { ...options, sparseStorage: true } : undefined;
  },
};

/** An input box validator from a parser: its error message, or nothing when the text parses. */
function validateWith(parse: (text: string) => unknown): (text: string) => string | undefined {
  return (text) => {
    try {
      parse(text);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}
