// Fold Constants as a transform: everything computable ahead of time evaluated by onnxruntime (graph
// optimizations off) and stored as initializers, then the clean-up; verified as equivalent to the source.
import { encodeModel } from '../model/decode.js';
import { raiseOpsetForConstants } from './constantOpset.js';
import type { RuntimeClient } from '../runtime/client.js';
import { defaultSizeLimitBytes, foldConstants, type Evaluate, type FoldStats } from './fold.js';
import { formatBytes } from '../format.js';
import type { Transform } from './transform.js';

/** Evaluates temporary models in onnxruntime's child process with graph optimizations off. */
export function runtimeEvaluator(client: RuntimeClient): Evaluate {
  return (model, outputs, signal) =>
    client.run(encodeModel(model), {}, { outputs, signal, settings: { graphOptimizationLevel: 'disabled', intraOpThreads: 1 } });
}

/** Folding's verification standard: 1e-5 for floats, integer and bool outputs exactly. */
export const foldTolerance = { rtol: 1e-5, atol: 1e-5 };

const options = {
  'size-limit': {
    kind: 'number', value: 'MB', min: 0, default: defaultSizeLimitBytes / 2 ** 20, setting: 'fold.sizeLimitMB',
    expects: 'takes megabytes (a number of at least 0)', help: 'folded constants larger than this stay computed at run time',
  },
} as const;

export interface FoldRequest {
  sizeLimitBytes: number;
}

function foldNotes(stats: FoldStats, limit: number): string[] {
  const notes = [
    `${stats.foldedNodes} nodes folded in ${stats.rounds} round${stats.rounds === 1 ? '' : 's'} with ${stats.evaluations} onnxruntime evaluation${stats.evaluations === 1 ? '' : 's'}` +
    ` (${stats.computedHere} small values computed without onnxruntime,` +
    ` ${stats.shapeOpsFolded} shape computations resolved from static shapes, ${stats.ifsInlined} constant If replaced by its branch, ${stats.constantsToInitializers} Constant nodes turned into initializers).`,
  ];
  const c = stats.cleanup;
  notes.push(`Cleanup removed ${c.deadNodes} dead nodes, ${c.identities} Identity nodes, ${c.duplicates} duplicate nodes (the same op on the same inputs), ${c.initializers} unused initializers and ${c.valueInfo} stale value_info entries.`);
  const grouped = new Map<string, string[]>();
  for (const s of stats.skipped) grouped.set(s.reason, [...(grouped.get(s.reason) ?? []), `${s.node} (${s.opType})`]);
  for (const [reason, nodes] of grouped) {
    const shown = nodes.slice(0, 5).join(', ') + (nodes.length > 5 ? `, and ${nodes.length - 5} more` : '');
    notes.push(`Not folded, ${reason.replace('over the size limit', `over the size limit of ${formatBytes(limit)}`)}: ${shown}.`);
  }
  return notes;
}

export const foldTransform: Transform<typeof options, FoldRequest, FoldStats> = {
  name: 'fold',
  title: 'Fold Constants',
  command: 'onnxLens.foldConstants',
  summary: 'fold constants and clean up (dead nodes, unused initializers, Identity) to a new file, verified in onnxruntime',
  resultName: 'folded model',
  options,
  resolve: (values) => ({ sizeLimitBytes: (values['size-limit'] ?? defaultSizeLimitBytes / 2 ** 20) * 2 ** 20 }),
  outputTag: () => 'folded',
  describe: (o) => `size limit ${formatBytes(o.sizeLimitBytes)}`,
  async run(model, o, ctx) {
    const { model: folded, stats } = await foldConstants(model, {
      evaluate: runtimeEvaluator(ctx.client), sizeLimitBytes: o.sizeLimitBytes, external: ctx.external, signal: ctx.signal, onProgress: ctx.progress,
    });
    // A folded graph output is a Constant node, which an old opset may not allow for its type.
    const raised = raiseOpsetForConstants(folded, 'Folding');
    return { model: raised.model, notes: [...foldNotes(stats, o.sizeLimitBytes), ...(raised.note ? [raised.note] : [])], details: stats };
  },
  verification: () => ({ criterion: { kind: 'tolerance', ...foldTolerance } }),
};
