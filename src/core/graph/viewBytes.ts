// The model view as it crosses to the webview: UTF-8 JSON bytes, which postMessage moves without turning
// them into a string or an object graph on the way. The view worker encodes, the host decodes for its own
// cache; the webview parses the same way in its own code (its src/ modules may use ECMAScript alone).
import type { ModelView } from './viewModelTypes.js';

/** The view as UTF-8 JSON bytes, in a buffer of their own (so they can be transferred). */
export function encodeModelView(view: ModelView): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(view));
}

/** The view from the bytes `encodeModelView` made. */
export function decodeModelView(bytes: Uint8Array): ModelView {
  return JSON.parse(new TextDecoder().decode(bytes)) as ModelView;
}
