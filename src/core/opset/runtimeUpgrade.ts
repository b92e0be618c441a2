// onnxruntime has no kernels below opset 7: a model older than that is upgraded in memory to the oldest
// opset it runs, and whoever runs it says so ("ran as opset 7: upgraded in memory from opset 6"). The
// file is not changed. A model the converter cannot raise is refused with the converter's reason.
import { UserError } from '../errors.js';
import { defaultOpset } from '../model/graphQueries.js';
import type { ModelProto } from '../model/proto.js';
import { convertOpset, oldestRuntimeOpset } from './convert.js';

export interface RuntimeUpgrade {
  from: number;
  to: number;
  /** Nodes rewritten (most ops need nothing but the new opset import). */
  nodesChanged: number;
}

/** The model as onnxruntime can take it: itself when its opset is new enough, else a converted copy. */
export function upgradeForRuntime(model: ModelProto): { model: ModelProto; upgrade?: RuntimeUpgrade } {
  const from = defaultOpset(model);
  // Without a default-domain import (a training-only model) there is no old opset to raise.
  const imported = (model.opsetImport ?? []).some((o) => !o.domain || o.domain === 'ai.onnx');
  if (from >= oldestRuntimeOpset || !imported || !model.graph) return { model };
  try {
    const converted = convertOpset(model, oldestRuntimeOpset);
    return { model: converted.model, upgrade: { from, to: oldestRuntimeOpset, nodesChanged: converted.changes.length } };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UserError(`onnxruntime runs opset ${oldestRuntimeOpset} and later, and this opset-${from} model cannot be upgraded in memory: ${why}`);
  }
}

/** The sentence a report carries: 'ran as opset 7: upgraded in memory from opset 6 (2 nodes rewritten)'. */
export function upgradeText(upgrade: RuntimeUpgrade, which = ''): string {
  const rewritten = upgrade.nodesChanged ? ` (${upgrade.nodesChanged} node${upgrade.nodesChanged === 1 ? '' : 's'} rewritten)` : '';
  return `${which ? `${which} ` : ''}ran as opset ${upgrade.to}: upgraded in memory from opset ${upgrade.from}${rewritten}`;
}
