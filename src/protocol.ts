// Messages between the extension host and the model editor's webview. Imported by both sides.
import type { ModelSummary } from './core/model/summary.js';

/** Host -> webview. */
export type HostMessage =
  | { type: 'model'; fileName: string; summary: ModelSummary }
  | { type: 'error'; fileName: string; message: string };

/** Webview -> host. */
export type WebviewMessage =
  | { type: 'ready' };
