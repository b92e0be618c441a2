// Activation: wiring only. Each feature registers itself from its own module.
import * as vscode from 'vscode';
import { ModelEditorProvider } from './editor/modelEditorProvider.js';
import { registerTextLanguage } from './language/index.js';
import { registerTransformCommands } from './commands/transforms.js';
import { registerQuantizeCommands } from './commands/quantize.js';
import { registerTestRunCommands } from './commands/testRun.js';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ONNX Lens', { log: true });
  context.subscriptions.push(log, ModelEditorProvider.register(context, log));
  context.subscriptions.push(registerTextLanguage(context, log));
  context.subscriptions.push(registerTransformCommands(context, log));
  context.subscriptions.push(registerQuantizeCommands(context, log));
  context.subscriptions.push(registerTestRunCommands(context, log));
}

export function deactivate(): void {}
