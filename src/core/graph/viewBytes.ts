// The model view as it crosses to the webview (viewWire.ts: columns and a string table), which
// postMessage moves without turning it into a string or an object graph on the way. The view worker
// encodes, the host decodes for its own cache; the webview reads the same format with its own TextDecoder.
import type { ModelView } from './viewModelTypes.js';
import { readModelView, writeModelView } from './viewWire.js';

/** The view as bytes, in a buffer of their own (so they can be transferred). */
export function encodeModelView(view: ModelView): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  return writeModelView(view, (text) => encoder.encode(text));
}

/** The view from the bytes `encodeModelView` made. */
export function decodeModelView(bytes: Uint8Array): ModelView {
  const decoder = new TextDecoder();
  return readModelView(bytes, (part) => decoder.decode(part));
}
