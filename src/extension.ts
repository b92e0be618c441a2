// Activation: wiring only. Each feature registers itself from its own module.
import * as vscode from 'vscode';
import { ModelEditorProvider } from './editor/modelEditorProvider.js';
import { registerTextLanguage } from './language/index.js';
import { registerTransformCommands } from './commands/transforms.js';
import { registerTestRunCommands } from './commands/testRun.js';
import { SharedRuntime } from './services/sharedRuntime.js';
import type { HostServices } from './services/hostServices.js';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ONNX Lens', { log: true });
  const runtime = new SharedRuntime(log);
  const services: HostServices = { context, log, runtime };
  context.subscriptions.push(log, runtime, ModelEditorProvider.register(context, log));
  context.subscriptions.push(registerTextLanguage(context, log));
  context.subscriptions.push(registerTransformCommands(services));
  context.subscriptions.push(registerTestRunCommands(context, log));
}

export function deactivate(): void {}
