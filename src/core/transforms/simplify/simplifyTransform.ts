// Simplify Model as a transform: fold + clean-up + the portable rewrites (standard ONNX ops only), each
// rewrite listed in the report with its count; verified as equivalent to the source within 1e-4 relative
// (fused weights round differently), integer outputs exactly.
import { formatBytes } from '../../format.js';
import { raiseOpsetForConstants } from '../constantOpset.js';
import { defaultSizeLimitBytes } from '../fold.js';
import type { Transform } from '../transform.js';
import { simplifyModel, simplifyTolerance, type SimplifyStats } from './simplify.js';
import { simplifyNotes, simplifyTable } from './simplifyReport.js';

const options = {
  keep: { kind: 'list', value: 'NAME,...', help: 'values or nodes that stay in the graph under their names (graph inputs and outputs always do)' },
  'size-limit': {
    kind: 'number', value: 'MB', min: 0, default: defaultSizeLimitBytes / 2 ** 20, setting: 'fold.sizeLimitMB',
    expects: 'takes megabytes (a number of at least 0)', help: 'folded constants larger than this stay computed at run time',
  },
} as const;

export interface SimplifyRequest {
  keep: string[];
  sizeLimitBytes: number;
}

export const simplifyTransform: Transform<typeof options, SimplifyRequest, SimplifyStats> = {
  name: 'simplify',
  title: 'Simplify Model',
  command: 'onnxLens.simplifyModel',
  summary: 'fold, clean up and fuse (Conv+BatchNormalization, MatMul+Add, LayerNormalization...) into standard ONNX ops, verified in onnxruntime',
  resultName: 'simplified model',
  options,
  resolve: (values) => ({ keep: values.keep, sizeLimitBytes: (values['size-limit'] ?? defaultSizeLimitBytes / 2 ** 20) * 2 ** 20 }),
  outputTag: () => 'simplified',
  describe: (o) => `size limit ${formatBytes(o.sizeLimitBytes)}${o.keep.length ? `, keeping ${o.keep.join(', ')}` : ''}`,
  async run(model, o, ctx) {
    const { model: simplified, stats } = await simplifyModel(model, { keep: o.keep, sizeLimitBytes: o.sizeLimitBytes }, ctx);
    // Its folding makes a graph output a Constant node, which an old opset may not allow for its type.
    const raised = raiseOpsetForConstants(simplified, 'Simplifying');
    return { model: raised.model, notes: [...simplifyNotes(stats, o.sizeLimitBytes), ...(raised.note ? [raised.note] : [])], tables: [simplifyTable(stats)], details: stats };
  },
  verification: () => ({ criterion: { kind: 'tolerance', ...simplifyTolerance } }),
  headline: (report) => `${report.details.rewrites.reduce((n, r) => n + r.count, 0)} rewrites`,
};
