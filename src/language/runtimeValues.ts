// What the last test run of a model saw, for hovers in its text view.
import type * as vscode from 'vscode';
import { getRuntimeRecord } from '../commands/runtimeStore.js';
import type { RuntimeCapture } from '../core/text/describe.js';

export function runtimeValuesFor(modelUri: vscode.Uri): RuntimeCapture | undefined {
  const record = getRuntimeRecord(modelUri);
  return record ? { values: record.values, intermediates: record.intermediates } : undefined;
}
