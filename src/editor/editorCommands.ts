// Commands of the model editor: export the drawn graph as SVG or PNG, show the log.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import type { EditorRegistry } from './editorRegistry.js';

export function registerEditorCommands(log: vscode.LogOutputChannel, editors: EditorRegistry): vscode.Disposable {
  const sessionFor = (uri: unknown) => (uri instanceof vscode.Uri ? editors.sessionsFor(uri)[0] : undefined) ?? editors.active();
  const exportAs = (format: 'svg' | 'png') => async (uri?: unknown) => {
    const session = sessionFor(uri);
    if (!session) {
      void vscode.window.showInformationMessage('Open an ONNX model in the model editor to export its graph.');
      return;
    }
    try {
      await session.export(format);
    } catch (error) {
      log.error(`Export as ${format.toUpperCase()} failed: ${oneLine(error)}`);
      void vscode.window.showErrorMessage(`Export failed: ${oneLine(error)}`);
    }
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('onnxLens.exportSvg', exportAs('svg')),
    vscode.commands.registerCommand('onnxLens.exportPng', exportAs('png')),
    vscode.commands.registerCommand('onnxLens.showLog', () => log.show()),
  );
}
