// The extension host's services, created once in activate() and handed to every feature that needs
// them. Nothing in src/ keeps mutable state at module level.
import type * as vscode from 'vscode';
import type { SharedRuntime } from './sharedRuntime.js';

export interface HostServices {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly runtime: SharedRuntime;
}
