// The extension host's services, created once in activate() and handed to every feature that needs
// them. Nothing in src/ keeps mutable state at module level.
import type * as vscode from 'vscode';
import type { EditorRegistry } from '../editor/editorRegistry.js';
import type { InputChoices } from './inputChoices.js';
import type { RuntimeRecords } from './runtimeRecords.js';
import type { SharedRuntime } from './sharedRuntime.js';

export interface HostServices {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** The one onnxruntime child process. */
  readonly runtime: SharedRuntime;
  /** The open model editors. */
  readonly editors: EditorRegistry;
  /** The last test run of each model, shown by the graph editors and the text hovers. */
  readonly runtimeRecords: RuntimeRecords;
  /** The input specification remembered per model (test runs and transform verification). */
  readonly inputChoices: InputChoices;
}
