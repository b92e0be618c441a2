// Activation: wiring only. The host services are created here once; each feature registers itself
// from its own module with the services it needs.
import * as vscode from 'vscode';
import { EditorRegistry } from './editor/editorRegistry.js';
import { ModelEditorProvider } from './editor/modelEditorProvider.js';
import { registerTextLanguage } from './language/index.js';
import { registerTransformCommands } from './commands/transforms.js';
import { registerTestRunCommands } from './commands/testRun.js';
import { InputChoices } from './services/inputChoices.js';
import { registerProblems } from './commands/problems.js';
import { registerServeCommands } from './commands/serve.js';
import { registerSourceLinks, sourcesCache } from './commands/sourceLinks.js';
import { registerSourceGutter } from './commands/sourceGutter.js';
import { registerModuleTree } from './commands/moduleTree.js';
import { registerDiffCommands } from './commands/diff.js';
import { registerEditCommands } from './commands/editCommands.js';
import { RuntimeRecords } from './services/runtimeRecords.js';
import { SharedRuntime } from './services/sharedRuntime.js';
import type { HostServices } from './services/hostServices.js';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ONNX Lens', { log: true });
  const runtime = new SharedRuntime(log);
  const editors = new EditorRegistry();
  const runtimeRecords = new RuntimeRecords(editors);
  const inputChoices = new InputChoices(context.workspaceState);
  const services: HostServices = { context, log, runtime, editors, runtimeRecords, inputChoices };
  context.subscriptions.push(log, runtime, editors, runtimeRecords);
  context.subscriptions.push(ModelEditorProvider.register(services));
  context.subscriptions.push(registerTextLanguage(services));
  context.subscriptions.push(registerTransformCommands(services));
  context.subscriptions.push(registerTestRunCommands(services));
  context.subscriptions.push(registerProblems(services));
  context.subscriptions.push(registerServeCommands(services));
  const sourcesOf = sourcesCache();
  context.subscriptions.push(registerSourceLinks(services, sourcesOf));
  context.subscriptions.push(registerSourceGutter(services, sourcesOf, context.extensionUri));
  context.subscriptions.push(registerModuleTree(services));
  context.subscriptions.push(registerDiffCommands(services));
  context.subscriptions.push(registerEditCommands(services));
}

export function deactivate(): void {}
