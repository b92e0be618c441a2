// What the last test run of each model saw at runtime: type, shape and statistics per tensor name, and
// time per node. The test run writes it; the graph editors show it as an overlay and the text hovers
// read it. The one place that holds it: an editor gets the overlay when its webview becomes ready.
import * as vscode from 'vscode';
import type { TensorStats } from '../core/model/stats.js';
import type { EditorRegistry } from '../editor/editorRegistry.js';
import type { RuntimeOverlay } from '../protocol.js';

export interface RuntimeValue {
  dtype: string;
  shape: number[];
  stats: TensorStats;
}

export interface RuntimeNodeTime {
  opType: string;
  /** Kernel time per run, in milliseconds. */
  msPerRun: number;
}

export interface RuntimeRecord {
  values: Map<string, RuntimeValue>;
  nodeTimes: Map<string, RuntimeNodeTime>;
  /** True when intermediates were captured; false when only inputs and outputs are known. */
  intermediates: boolean;
  capturedAt: Date;
}

export class RuntimeRecords implements vscode.Disposable {
  private readonly records = new Map<string, RuntimeRecord>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[];
  /** Fires with the model whose record was set or cleared. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly editors: EditorRegistry) {
    // Values of a model that changed on disk no longer describe it.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.onnx', true, false, false);
    this.disposables = [
      watcher,
      watcher.onDidChange((uri) => this.clear(uri)),
      watcher.onDidDelete((uri) => this.clear(uri)),
      // A webview loads (again) when its editor opens or its hidden tab is shown: it starts without an overlay.
      editors.onDidBecomeReady((session) => {
        const overlay = this.overlayFor(session.uri);
        if (overlay) session.post({ type: 'runtimeOverlay', overlay });
      }),
    ];
  }

  /** The model's last test run, if any. */
  get(uri: vscode.Uri): RuntimeRecord | undefined {
    return this.records.get(uri.toString());
  }

  set(uri: vscode.Uri, record: RuntimeRecord): void {
    this.records.set(uri.toString(), record);
    this.postToLive(uri, this.overlayFor(uri) ?? null);
    this.changed.fire(uri);
  }

  clear(uri: vscode.Uri): void {
    if (!this.records.delete(uri.toString())) return;
    this.postToLive(uri, null);
    this.changed.fire(uri);
  }

  /** The graph editor's overlay for this model, or undefined when nothing was run. */
  private overlayFor(uri: vscode.Uri): RuntimeOverlay | undefined {
    const record = this.get(uri);
    if (!record) return undefined;
    const overlay: RuntimeOverlay = { values: {} };
    for (const [name, v] of record.values) {
      overlay.values[name] = { dtype: v.dtype, shape: v.shape, stats: { min: v.stats.min, max: v.stats.max, mean: v.stats.mean, std: v.stats.std, nan: v.stats.nan, inf: v.stats.inf } };
    }
    if (record.nodeTimes.size) {
      overlay.nodeTimesUs = {};
      for (const [name, t] of record.nodeTimes) overlay.nodeTimesUs[name] = t.msPerRun * 1000;
    }
    return overlay;
  }

  /** Editors whose webview is not live get the overlay when it becomes ready, so each gets it once. */
  private postToLive(uri: vscode.Uri, overlay: RuntimeOverlay | null): void {
    const live = this.editors.sessionsFor(uri).filter((s) => s.isLive);
    for (const session of live) session.post({ type: 'runtimeOverlay', overlay });
  }

  dispose(): void {
    this.records.clear();
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
