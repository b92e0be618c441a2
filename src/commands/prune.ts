// `ONNX: Prune Model...`: structural extraction or weight magnitude pruning into `name.pruned.onnx`,
// chosen with quick picks; sparse storage is offered when it makes the file smaller and onnxruntime
// loads it.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import type { ModelProto } from '../core/model/proto.js';
import { valueNames } from '../core/transforms/pruneExtract.js';
import { describeRequest, parsePattern, parseSparsity, pruneFile, type PruneRequest } from '../core/transforms/pruneRun.js';
import { prunableOps } from '../core/transforms/pruneWeights.js';
import { formatBytes } from '../core/format.js';
import { chooseOutputUri, pickTargetUri, runWithProgress, showError, showTransformResult } from './transformCommon.js';
import type { SharedRuntime } from '../services/sharedRuntime.js';

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
  const nodes = (model.graph?.node ?? []).filter((n) => prunableOps.has(n.opType ?? ''));
  if (nodes.length === 0) throw new UserError('The model has no MatMul, Gemm or Conv node whose weights could be pruned.');
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

export async function pruneModelCommand(arg: unknown, runtime: SharedRuntime, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const source = await pickTargetUri(arg, 'Prune Model');
    if (!source) return;
    const mode = await pickMode();
    if (!mode) return;
    const { model } = await readModelFile(source.fsPath);
    const request = await buildRequest(model, mode);
    if (!request) return;
    const output = await chooseOutputUri(source, 'pruned');
    if (!output) return;
    log.info(`Pruning (${describeRequest(request)}): ${source.fsPath} -> ${output.fsPath}`);
    const title = `Pruning ${basename(source.fsPath)}`;
    let result = await runWithProgress(title, output, ({ report, signal }) => pruneFile(source.fsPath, output.fsPath, request, { client: runtime.get(), signal, onProgress: report }));
    if (!result) return;
    const offer = result.sparse;
    if (offer?.loads && !offer.written) {
      const write = 'Write Sparse Storage';
      const answer = await vscode.window.showInformationMessage(
        `Zeros stored densely do not shrink the file. Sparse storage would make the pruned weights ${formatBytes(offer.denseBytes)} -> ${formatBytes(offer.sparseBytes)}, and onnxruntime loads it.`,
        { modal: true }, write, 'Keep Dense');
      if (answer === write) {
        const sparse = await runWithProgress(title, undefined, ({ report, signal }) =>
          pruneFile(source.fsPath, output.fsPath, request, { client: runtime.get(), sparseStorage: true, signal, onProgress: report }));
        if (sparse) result = sparse;
      }
    }
    await showTransformResult(result.report, output, log);
  } catch (error) {
    showError(error, log, 'Prune Model');
  }
}

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
