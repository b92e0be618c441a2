// Values captured by the last test run of a model, for hovers. The test-run feature keeps them.
import type * as vscode from 'vscode';
import type { TensorArray } from '../core/model/tensorValues.js';

export function runtimeValuesFor(modelUri: vscode.Uri): ReadonlyMap<string, TensorArray> | undefined {
  void modelUri;
  return undefined;
}
