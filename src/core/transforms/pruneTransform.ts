// Prune as a transform: structural extraction (keep what computes chosen values), or weight magnitude
// pruning (global, per layer, N:M) with the sparsity reached per tensor and the sparse-storage offer
// (only where onnxruntime loads it). Extraction must reproduce the original's values exactly; weight
// pruning is lossy and is judged by cosine similarity (0.99 unless the caller says otherwise).
import { oneLine, UserError } from '../errors.js';
import { encodeModel } from '../model/decode.js';
import type { ModelProto } from '../model/proto.js';
import { extractSubgraph, type ExtractStats } from './pruneExtract.js';
import { raiseIrForSparse, sparseEstimate, toSparseInitializers, type SparseEstimate } from './pruneSparse.js';
import { pruneWeights, type TensorSparsity } from './pruneWeights.js';
import { formatBytes, formatDims, formatPercent } from '../format.js';
import type { ReportTable } from './report.js';
import type { Transform, TransformContext, TransformResult } from './transform.js';

export type PruneRequest =
  | { kind: 'extract'; outputs: string[]; inputs?: string[] }
  | { kind: 'magnitude'; sparsity: number; scope: 'global' | 'layer'; exclude?: string[] }
  | { kind: 'pattern'; n: number; m: number; exclude?: string[] };

export interface SparseOffer extends SparseEstimate {
  /** onnxruntime loaded the sparse version. */
  loads: boolean;
  problem?: string;
  written: boolean;
}


export function describeRequest(request: PruneRequest): string {
  switch (request.kind) {
    case 'extract': return `structural: outputs ${request.outputs.join(', ')}${request.inputs?.length ? ` from inputs ${request.inputs.join(', ')}` : ''}`;
    case 'magnitude': return `magnitude, ${formatPercent(request.sparsity)} sparsity ${request.scope === 'layer' ? 'per layer' : 'global'}`;
    case 'pattern': return `${request.n}:${request.m} structured`;
  }
}

export interface PruneOptions {
  request: PruneRequest;
  /** Write sparse_initializer where it is smaller (only if onnxruntime loads the result). */
  sparseStorage: boolean;
}

export interface PruneDetails {
  request: PruneRequest;
  extract?: ExtractStats;
  tensors?: TensorSparsity[];
  sparse?: SparseOffer;
}

/** The default acceptance of weight pruning: every float output at least this close in direction. */
export const pruneMinCosine = 0.99;

async function prune(model: ModelProto, { request, sparseStorage }: PruneOptions, ctx: TransformContext): Promise<TransformResult<PruneDetails>> {
  ctx.progress('Pruning');
  const notes: string[] = [`Pruning: ${describeRequest(request)}.`];
  let result: ModelProto;
  let tensors: TensorSparsity[] = [];
  let extract: ExtractStats | undefined;
  if (request.kind === 'extract') {
    const r = extractSubgraph(model, request);
    result = r.model;
    extract = r.stats;
    if (r.stats.inputsKept.length) notes.push(`The chosen outputs still need the original input${r.stats.inputsKept.length > 1 ? 's' : ''} ${r.stats.inputsKept.join(', ')}, kept as input${r.stats.inputsKept.length > 1 ? 's' : ''}.`);
    if (r.stats.inputsRemoved.length) notes.push(`Inputs removed: ${r.stats.inputsRemoved.join(', ')}.`);
    if (r.stats.outputsRemoved.length) notes.push(`Outputs removed: ${r.stats.outputsRemoved.join(', ')}.`);
  } else {
    const r = pruneWeights(model, request.kind === 'magnitude'
      ? { sparsity: request.sparsity, scope: request.scope, exclude: request.exclude, external: ctx.external }
      : { pattern: { n: request.n, m: request.m }, exclude: request.exclude, external: ctx.external });
    result = r.model;
    tensors = r.tensors;
    if (tensors.length === 0) throw new UserError('No MatMul, Gemm, Conv or LSTM/GRU/RNN weight held as a constant was found to prune.');
    if (r.excluded.length) notes.push(`Excluded: ${r.excluded.join(', ')}.`);
    const pruned = tensors.filter((t) => !t.skipped);
    const elements = pruned.reduce((n, t) => n + t.elements, 0);
    const zeros = pruned.reduce((n, t) => n + t.zerosAfter, 0);
    notes.push(`${pruned.length} weight tensor${pruned.length === 1 ? '' : 's'} pruned: ${zeros} of ${elements} weights are zero (${formatPercent(elements ? zeros / elements : 0)}).`);
    for (const t of tensors.filter((x) => x.skipped)) notes.push(`Left alone: ${t.name}, because ${t.skipped}.`);
    const dead = pruned.filter((t) => t.elements > 0 && t.zerosAfter === t.elements);
    if (dead.length) notes.push(`Every weight of ${dead.map((t) => t.name).join(', ')} is now zero: a global threshold removes whole layers whose weights are small; per-layer sparsity avoids that.`);
    notes.push('Zeros stored densely do not make the file smaller: each zero still takes the bytes of any other value. Only sparse storage (or compression) shrinks it.');
  }

  let sparse: SparseOffer | undefined;
  if (request.kind !== 'extract') {
    // Sparse initializers are offered for the main graph's tensors; a body's stay dense.
    const estimate = sparseEstimate(result, ctx.external, new Set(tensors.filter((t) => !t.skipped && !t.graph).map((t) => t.name)));
    if (estimate.candidates.length) {
      sparse = { ...estimate, loads: false, written: false };
      const { model: sparseModel, note: irNote } = raiseIrForSparse(toSparseInitializers(result, new Set(estimate.candidates.map((c) => c.name)), ctx.external));
      try {
        const session = await ctx.client.open(encodeModel(sparseModel), { signal: ctx.signal, ...(ctx.baseDir ? { baseDir: ctx.baseDir } : {}) });
        await session.close();
        sparse.loads = true;
      } catch (error) {
        if (ctx.signal?.aborted) throw error;
        sparse.problem = oneLine(error);
      }
      const saving = `${formatBytes(estimate.denseBytes)} -> ${formatBytes(estimate.sparseBytes)} for ${estimate.candidates.length} tensor${estimate.candidates.length === 1 ? '' : 's'}`;
      if (!sparse.loads) {
        notes.push(`Sparse storage would save ${saving}, but it is not offered: ${sparse.problem}.`);
      } else if (sparseStorage) {
        result = sparseModel;
        sparse.written = true;
        notes.push(`Written with sparse storage (sparse_initializer, COO with int64 indices): ${saving}; onnxruntime loads it.`);
        if (irNote) notes.push(irNote);
      } else {
        notes.push(`Sparse storage would make the weights smaller: ${saving} (onnxruntime loads it). Ask for sparse storage to write it.`);
      }
    } else if (sparseStorage) {
      notes.push('Sparse storage was asked for, but no pruned tensor is smaller that way at this sparsity; the weights stay dense.');
    }
  }

  const tables: ReportTable[] = tensors.length ? [{
    title: 'Sparsity per tensor',
    columns: ['tensor', 'shape', 'zeros before', 'zeros after', 'sparsity'],
    rows: tensors.map((t) => [t.graph ? `${t.name} (in ${t.graph})` : t.name, formatDims(t.shape), String(t.zerosBefore), String(t.zerosAfter), t.skipped ? `skipped` : formatPercent(t.sparsity)]),
  }] : [];
  return { model: result, notes, tables, details: { request, ...(extract ? { extract } : {}), ...(tensors.length ? { tensors } : {}), ...(sparse ? { sparse } : {}) } };
}

/** Parses '2:4' into {n, m}. */
export function parsePattern(text: string): { n: number; m: number } {
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UserError(`The pattern must look like N:M (for example 2:4), not '${text}'.`);
  return { n: Number(match[1]), m: Number(match[2]) };
}

/** Parses a sparsity given as 0.5 or 50%. */
export function parseSparsity(text: string): number {
  const trimmed = text.trim();
  const value = trimmed.endsWith('%') ? Number(trimmed.slice(0, -1)) / 100 : Number(trimmed);
  if (!Number.isFinite(value) || value < 0 || value >= 1) throw new UserError(`The sparsity must be a fraction from 0 to below 1 (0.5) or a percentage (50%), not '${text}'.`);
  return value;
}

const options = {
  sparsity: { kind: 'number', value: 'S', parse: parseSparsity, help: 'magnitude pruning: this share of the MatMul/Gemm/Conv weights becomes zero (0.5 or 50%)' },
  'per-layer': { kind: 'flag', help: 'with --sparsity: every weight tensor reaches the sparsity by itself (default: one threshold for the whole model)' },
  pattern: { kind: 'text', value: 'N:M', help: 'N:M structured sparsity: keep N of every M weights along the input channels (2:4)' },
  outputs: { kind: 'list', value: 'A,B', help: 'extract the subgraph that computes these values; they become its outputs' },
  inputs: { kind: 'list', value: 'C,D', help: 'with --outputs: values that become the extracted model\'s inputs (default: the original inputs it needs)' },
  exclude: { kind: 'list', value: 'NAME|OP,...', help: 'weight pruning leaves these nodes and op types untouched' },
  'sparse-storage': { kind: 'flag', help: 'write pruned weights as sparse_initializer where that is smaller and onnxruntime loads it' },
} as const;

export const pruneTransform: Transform<typeof options, PruneOptions, PruneDetails> = {
  name: 'prune',
  title: 'Prune Model',
  command: 'onnxLens.pruneModel',
  summary: 'extract a subgraph, or prune weights by magnitude (global, per layer, N:M such as 2:4), to a new file',
  synopsis: '(--sparsity S [--per-layer] | --pattern N:M | --outputs A,B [--inputs C,D])',
  resultName: 'pruned model',
  options,
  lossy: { defaultMinCosine: `${pruneMinCosine} for weight pruning; extraction must match exactly` },
  resolve(v) {
    const modes = [v.sparsity !== undefined, v.pattern !== undefined, v.outputs.length > 0].filter(Boolean).length;
    if (modes !== 1) throw new UserError('Give one of --sparsity, --pattern or --outputs.');
    if (v.outputs.length) {
      if (v.exclude.length || v['per-layer'] || v['sparse-storage']) throw new UserError('--exclude, --per-layer and --sparse-storage apply to weight pruning, not to --outputs.');
      return { request: { kind: 'extract', outputs: v.outputs, inputs: v.inputs }, sparseStorage: false };
    }
    if (v.inputs.length) throw new UserError('--inputs goes with --outputs.');
    const sparseStorage = v['sparse-storage'] ?? false;
    if (v.pattern !== undefined) {
      if (v['per-layer']) throw new UserError('--per-layer goes with --sparsity; an N:M pattern is per group already.');
      return { request: { kind: 'pattern', ...parsePattern(v.pattern), exclude: v.exclude }, sparseStorage };
    }
    return { request: { kind: 'magnitude', sparsity: v.sparsity!, scope: v['per-layer'] ? 'layer' : 'global', exclude: v.exclude }, sparseStorage };
  },
  outputTag: () => 'pruned',
  describe: (o) => describeRequest(o.request),
  run: prune,
  verification({ request }) {
    if (request.kind !== 'extract') {
      return { criterion: { kind: 'cosine', min: pruneMinCosine, why: 'the default acceptance of pruning' } };
    }
    const inputs = request.inputs ?? [];
    return {
      criterion: { kind: 'tolerance', rtol: 0, atol: 0, text: 'extracted values equal the original model\'s exactly' },
      expose: [...new Set([...inputs, ...request.outputs])],
      feedFromOriginal: inputs,
      outputs: request.outputs,
    };
  },
};
