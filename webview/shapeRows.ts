// A value's type as the file declares it and as shape inference gives it, each said or said missing:
// for the hover tooltip and the side panel. Plain text; the callers put it in through textContent.
import { formatDims } from '../src/core/format.js';
import type { Dim, ShapeProvenance, ValueKind } from '../src/core/graph/viewModelTypes.js';

/** Lines: a key (may be '') and its text. */
export type Rows = Array<[string, string]>;

interface Typed extends ShapeProvenance {
  type: string;
  shape?: Dim[];
  kind?: ValueKind;
}

const none = 'none (not in the file)';

/**
 * `declared` and `inferred` rows; one `type` row for a weight or constant (its tensor says its shape).
 * `inferenceRan`: shape inference ran on the value's graph (else nothing can be said of it).
 */
export function shapeRows(value: Typed, inferenceRan: boolean): Rows {
  const text = (shape: Dim[] | null | undefined) => `${value.type || '?'}${shape ? formatDims(shape) : ' (rank unknown)'}`;
  if (value.kind === 'initializer' || value.kind === 'constant') return [['type', text(value.shape)]];
  if (value.inferred) return [['declared', value.declared === undefined ? none : text(value.declared)], ['inferred', text(value.shape)]];
  const declared: [string, string] = ['declared', value.type ? text(value.shape) : none];
  if (!inferenceRan) return [declared, ['inferred', 'none (shape inference did not run)']];
  if (!value.type) return [declared, ['inferred', 'none (shape inference cannot tell)']];
  if (value.inference === undefined) return [declared, ['inferred', 'the same']];
  return [declared, ['inferred', value.inference === null ? 'rank unknown' : text(value.inference)]];
}
