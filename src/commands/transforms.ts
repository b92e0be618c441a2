// Registers the transform commands (fold, prune); they run in the extension's shared onnxruntime child.
import * as vscode from 'vscode';
import { foldConstantsCommand } from './fold.js';
import { pruneModelCommand } from './prune.js';
import { registerReportDocuments } from './transformCommon.js';
import type { HostServices } from '../services/hostServices.js';

export function registerTransformCommands({ log, runtime }: HostServices): vscode.Disposable {
  return vscode.Disposable.from(
    registerReportDocuments(),
    vscode.commands.registerCommand('onnxLens.foldConstants', (arg?: unknown) => foldConstantsCommand(arg, runtime, log)),
    vscode.commands.registerCommand('onnxLens.pruneModel', (arg?: unknown) => pruneModelCommand(arg, runtime, log)),
  );
}
