// Registers the transform commands (fold, prune) with one shared onnxruntime child process.
import * as vscode from 'vscode';
import { foldConstantsCommand } from './fold.js';
import { pruneModelCommand } from './prune.js';
import { registerReportDocuments, SharedRuntime } from './transformCommon.js';

export function registerTransformCommands(_context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const runtime = new SharedRuntime(log);
  return vscode.Disposable.from(
    runtime,
    registerReportDocuments(),
    vscode.commands.registerCommand('onnxLens.foldConstants', (arg?: unknown) => foldConstantsCommand(arg, runtime, log)),
    vscode.commands.registerCommand('onnxLens.pruneModel', (arg?: unknown) => pruneModelCommand(arg, runtime, log)),
  );
}
