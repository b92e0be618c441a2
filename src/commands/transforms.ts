// Registers one palette command per transform of the core registry, each run by the one runner in the
// extension's shared onnxruntime child. A transform without its own quick picks is asked from its schema.
import * as vscode from 'vscode';
import { transforms } from '../core/transforms/registry.js';
import type { HostServices } from '../services/hostServices.js';
import { convertOpsetUi } from './convertOpset.js';
import { pruneUi } from './prune.js';
import { quantizeUi } from './quantize.js';
import { ReportDocuments } from './reportDocuments.js';
import { schemaUi } from './transformOptions.js';
import { runTransformCommand, type TransformUi } from './transformRunner.js';

/** Transforms whose options deserve more than their schema's questions. */
const customUi: Readonly<Record<string, TransformUi>> = { prune: pruneUi, quantize: quantizeUi, 'convert-opset': convertOpsetUi };

export function registerTransformCommands(services: HostServices): vscode.Disposable {
  const reports = new ReportDocuments();
  return vscode.Disposable.from(
    reports,
    ...transforms.map((transform) => {
      const ui = customUi[transform.name] ?? schemaUi(transform);
      return vscode.commands.registerCommand(transform.command, (arg?: unknown) => runTransformCommand(transform, ui, arg, services, reports));
    }),
  );
}
