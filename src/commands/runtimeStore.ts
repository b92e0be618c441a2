// What the last test run of each model saw at runtime: type, shape and statistics per tensor name, and
// time per node. The graph editor and the text hovers read it; the test run command writes it.
import * as vscode from 'vscode';
import type { TensorStats } from '../core/model/stats.js';
import type { RuntimeOverlay } from '../protocol.js';
import { postToEditors, sessionsFor } from '../editor/editorRegistry.js';

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

const records = new Map<string, RuntimeRecord>();
const changed = new vscode.EventEmitter<vscode.Uri>();

/** Fires with the model's URI whenever its runtime values are replaced or cleared. */
export const onDidChangeRuntimeValues: vscode.Event<vscode.Uri> = changed.event;

/** Type, shape and statistics per tensor name from the model's last test run (empty when none). */
export function getRuntimeValues(uri: vscode.Uri): Map<string, RuntimeValue> {
  return records.get(uri.toString())?.values ?? new Map();
}

/** Per-node kernel time from the last profiled run (empty when none). */
export function getNodeTimes(uri: vscode.Uri): Map<string, RuntimeNodeTime> {
  return records.get(uri.toString())?.nodeTimes ?? new Map();
}

export function getRuntimeRecord(uri: vscode.Uri): RuntimeRecord | undefined {
  return records.get(uri.toString());
}

/** The graph editor's overlay message for this model, or null when nothing was run. */
export function runtimeOverlayFor(uri: vscode.Uri): RuntimeOverlay | null {
  const record = records.get(uri.toString());
  if (!record) return null;
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

export function setRuntimeRecord(uri: vscode.Uri, record: RuntimeRecord): void {
  records.set(uri.toString(), record);
  changed.fire(uri);
  postToEditors(uri, { type: 'runtimeOverlay', overlay: runtimeOverlayFor(uri) });
}

export function clearRuntimeRecord(uri: vscode.Uri): void {
  if (!records.delete(uri.toString())) return;
  changed.fire(uri);
  postToEditors(uri, { type: 'runtimeOverlay', overlay: null });
}

/** A model editor opened after the run gets the overlay once its webview is ready. */
async function sendWhenOpen(uri: vscode.Uri): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const sessions = sessionsFor(uri);
    if (sessions.length) {
      await Promise.all(sessions.map((s) => s.ready));
      if (records.has(uri.toString())) postToEditors(uri, { type: 'runtimeOverlay', overlay: runtimeOverlayFor(uri) });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Keeps open model editors in step; values of a model that changed on disk no longer describe it. */
export function registerRuntimeStore(): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.onnx', true, false, false);
  return vscode.Disposable.from(
    watcher,
    watcher.onDidChange((uri) => clearRuntimeRecord(uri)),
    watcher.onDidDelete((uri) => clearRuntimeRecord(uri)),
    vscode.window.tabGroups.onDidChangeTabs((event) => {
      for (const tab of event.opened) {
        if (tab.input instanceof vscode.TabInputCustom && records.has(tab.input.uri.toString())) void sendWhenOpen(tab.input.uri);
      }
    }),
    changed,
  );
}
