// The input specification chosen for each model (in the test-run view's inputs table, or answered when
// a command asked for a size), remembered in workspace state so that the next run, and the verification
// of fold, prune and quantize on that model, feed the same inputs.
import type * as vscode from 'vscode';
import type { InputSpec } from '../core/runtime/inputSpec.js';
import { readInputSpec } from '../core/runtime/inputSpecEdit.js';

const key = (model: vscode.Uri) => `onnxLens.inputSpec:${model.toString()}`;

export class InputChoices {
  constructor(private readonly state: vscode.Memento) {}

  /** The remembered spec of a model; undefined when none is (or what is stored is not a spec). */
  get(model: vscode.Uri): InputSpec | undefined {
    const stored = this.state.get<unknown>(key(model));
    if (stored === undefined) return undefined;
    try {
      return readInputSpec(stored);
    } catch {
      return undefined;
    }
  }

  set(model: vscode.Uri, spec: InputSpec): Thenable<void> {
    return this.state.update(key(model), spec);
  }
}
