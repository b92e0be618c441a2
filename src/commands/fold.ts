// `ONNX: Fold Constants`: fold + cleanup into `name.folded.onnx`, verified against the original.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { foldFile } from '../core/transforms/foldRun.js';
import { chooseOutputUri, pickTargetUri, runWithProgress, showError, showTransformResult } from './transformCommon.js';
import type { SharedRuntime } from '../services/sharedRuntime.js';

export async function foldConstantsCommand(arg: unknown, runtime: SharedRuntime, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const source = await pickTargetUri(arg, 'Fold Constants');
    if (!source) return;
    const output = await chooseOutputUri(source, 'folded');
    if (!output) return;
    const limitMB = vscode.workspace.getConfiguration('onnxLens').get<number>('fold.sizeLimitMB', 64);
    log.info(`Folding constants: ${source.fsPath} -> ${output.fsPath} (size limit ${limitMB} MB)`);
    const result = await runWithProgress(`Folding constants in ${basename(source.fsPath)}`, output, ({ report, signal }) =>
      foldFile(source.fsPath, output.fsPath, { client: runtime.get(), sizeLimitBytes: limitMB * 2 ** 20, signal, onProgress: report }));
    if (!result) return;
    await showTransformResult(result.report, output, log);
  } catch (error) {
    showError(error, log, 'Fold Constants');
  }
}
