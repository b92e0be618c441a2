// The one onnxruntime child process of the extension: test run, compare, fold, prune, quantize and
// whatever comes next share it. Started on first use, replaced when the time limit setting changes,
// stopped with the extension.
import * as vscode from 'vscode';
import { RuntimeClient } from '../core/runtime/client.js';

export class SharedRuntime implements vscode.Disposable {
  private client?: RuntimeClient;
  private timeoutMs = 0;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  get(): RuntimeClient {
    const timeoutMs = vscode.workspace.getConfiguration('onnxLens').get<number>('run.timeoutSeconds', 300) * 1000;
    if (!this.client || this.timeoutMs !== timeoutMs) {
      this.client?.dispose();
      this.client = RuntimeClient.start({ timeoutMs, onLog: (line) => this.log.trace(`onnxruntime: ${line}`) });
      this.timeoutMs = timeoutMs;
    }
    return this.client;
  }

  dispose(): void {
    this.client?.dispose();
    this.client = undefined;
  }
}
