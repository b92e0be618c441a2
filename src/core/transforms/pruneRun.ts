// Pruning end to end, as the CLI and the editor command run it: the transform, a report with the
// sparsity reached per tensor, the sparse-storage offer (only where onnxruntime loads it), and the
// effect on the outputs against the original on the same inputs.
import { dirname } from 'node:path';
import { oneLine, UserError } from '../errors.js';
import { encodeModel, readModelFile } from '../model/decode.js';
import { ExternalDataReader } from '../model/externalData.js';
import { assertNotSameFile } from '../model/modelFile.js';
import { onnx, type ModelProto } from '../model/proto.js';
import type { TensorArray } from '../model/tensorValues.js';
import type { RuntimeClient } from '../runtime/client.js';
import { compareOutputs } from '../runtime/compare.js';
import { generateInputs } from '../runtime/inputs.js';
import { cloneModel } from './graphEdit.js';
import { extractSubgraph, type ExtractStats } from './pruneExtract.js';
import { sparseEstimate, toSparseInitializers, type SparseEstimate } from './pruneSparse.js';
import { pruneWeights, type TensorSparsity } from './pruneWeights.js';
import { formatBytes, formatDims, formatPercent } from '../format.js';
import { writeTransformed, baseReport, verifyModels, type TransformReport, type Verification } from './report.js';

export type PruneRequest =
  | { kind: 'extract'; outputs: string[]; inputs?: string[] }
  | { kind: 'magnitude'; sparsity: number; scope: 'global' | 'layer'; exclude?: string[] }
  | { kind: 'pattern'; n: number; m: number; exclude?: string[] };

export interface PruneRunOptions {
  client?: RuntimeClient;
  external?: ExternalDataReader;
  /** Folder external data paths are relative to (for loading checks). */
  baseDir?: string;
  /** Write sparse_initializer where it is smaller (only if onnxruntime loads the result). */
  sparseStorage?: boolean;
  signal?: AbortSignal;
}

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

export async function pruneWithReport(model: ModelProto, request: PruneRequest, options: PruneRunOptions = {}): Promise<{ model: ModelProto; report: TransformReport; sparse?: SparseOffer }> {
  const started = performance.now();
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
      ? { sparsity: request.sparsity, scope: request.scope, exclude: request.exclude, external: options.external }
      : { pattern: { n: request.n, m: request.m }, exclude: request.exclude, external: options.external });
    result = r.model;
    tensors = r.tensors;
    if (tensors.length === 0) throw new UserError('No MatMul, Gemm or Conv weight held as a constant was found to prune.');
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
    const estimate = sparseEstimate(result, options.external, new Set(tensors.filter((t) => !t.skipped).map((t) => t.name)));
    if (estimate.candidates.length) {
      sparse = { ...estimate, loads: false, written: false };
      const sparseModel = toSparseInitializers(result, new Set(estimate.candidates.map((c) => c.name)), options.external);
      if (options.client) {
        try {
          const session = await options.client.open(encodeModel(sparseModel), { signal: options.signal, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
          await session.close();
          sparse.loads = true;
        } catch (error) {
          if (options.signal?.aborted) throw error;
          sparse.problem = oneLine(error);
        }
      } else {
        sparse.problem = 'onnxruntime was not available to check that it loads sparse initializers';
      }
      const saving = `${formatBytes(estimate.denseBytes)} -> ${formatBytes(estimate.sparseBytes)} for ${estimate.candidates.length} tensor${estimate.candidates.length === 1 ? '' : 's'}`;
      if (!sparse.loads) {
        notes.push(`Sparse storage would save ${saving}, but it is not offered: ${sparse.problem}.`);
      } else if (options.sparseStorage) {
        result = sparseModel;
        sparse.written = true;
        notes.push(`Written with sparse storage (sparse_initializer, COO with int64 indices): ${saving}; onnxruntime loads it.`);
      } else {
        notes.push(`Sparse storage would make the weights smaller: ${saving} (onnxruntime loads it). Ask for sparse storage to write it.`);
      }
    } else if (options.sparseStorage) {
      notes.push('Sparse storage was asked for, but no pruned tensor is smaller that way at this sparsity; the weights stay dense.');
    }
  }

  const report: TransformReport = {
    ...baseReport('prune', model, result),
    timeMs: performance.now() - started,
    notes,
    details: { request, ...(extract ? { extract } : {}), ...(tensors.length ? { tensors } : {}), ...(sparse ? { sparse } : {}) },
  };
  if (tensors.length) {
    report.tables = [{
      title: 'Sparsity per tensor',
      columns: ['tensor', 'shape', 'zeros before', 'zeros after', 'sparsity'],
      rows: tensors.map((t) => [t.name, formatDims(t.shape), String(t.zerosBefore), String(t.zerosAfter), t.skipped ? `skipped` : formatPercent(t.sparsity)]),
    }];
  }
  return { model: result, report, sparse };
}

/**
 * The effect on the outputs. Weight pruning: both models on the same generated inputs. Extraction: the
 * original, with the chosen values exposed as outputs, yields the values that feed the extracted model;
 * its outputs must equal the original's values exactly (same kernels, same inputs).
 */
export async function verifyPrune(
  client: RuntimeClient, originalModel: ModelProto, pruned: Uint8Array | string, request: PruneRequest,
  options: { original?: Uint8Array | string; baseDir?: string; signal?: AbortSignal } = {},
): Promise<Verification> {
  const { signal, baseDir } = options;
  if (request.kind !== 'extract') {
    const v = await verifyModels(client, options.original ?? encodeModel(originalModel), pruned, { rtol: 0, atol: 0, seed: 0, signal });
    return { ...v, informational: true, tolerance: 'informational: pruning changes outputs on purpose', pass: v.ran && v.comparisons.every((c) => !c.problem) };
  }
  const tolerance = 'extracted values equal the original model\'s exactly';
  const run = async (model: Uint8Array | string, feeds: Record<string, TensorArray>): Promise<Record<string, TensorArray>> => {
    const session = await client.open(model, { signal, ...(baseDir ? { baseDir } : {}) });
    try {
      const needed = Object.fromEntries(session.inputs.map((i) => [i.name, feeds[i.name]]));
      return (await session.run(needed, { signal })).outputs;
    } finally {
      await session.close().catch(() => undefined);
    }
  };
  try {
    const feeds = generateInputs(originalModel, { seed: 0 });
    const wanted = [...new Set([...(request.inputs ?? []), ...request.outputs])];
    const exposed = cloneModel(originalModel);
    const declared = new Set((exposed.graph!.output ?? []).map((o) => o.name));
    for (const name of wanted) if (!declared.has(name)) exposed.graph!.output!.push(onnx.ValueInfoProto.create({ name }));
    const expected = await run(encodeModel(exposed), feeds);
    const extractedFeeds: Record<string, TensorArray> = { ...feeds };
    for (const name of request.inputs ?? []) extractedFeeds[name] = expected[name];
    const actual = await run(pruned, extractedFeeds);
    const expectedOutputs = Object.fromEntries(request.outputs.map((o) => [o, expected[o]]));
    const comparisons = compareOutputs(expectedOutputs, actual, { rtol: 0, atol: 0 });
    return { ran: true, pass: comparisons.every((c) => c.pass), tolerance, comparisons };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { ran: false, pass: false, tolerance, comparisons: [], problem: oneLine(error) };
  }
}

export interface PruneFileOptions {
  client: RuntimeClient;
  sparseStorage?: boolean;
  verify?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** Reads `input`, prunes, writes `output` atomically and measures the effect on the outputs. */
export async function pruneFile(input: string, output: string, request: PruneRequest, options: PruneFileOptions): Promise<{ report: TransformReport; sparse?: SparseOffer }> {
  assertNotSameFile(input, output);
  const { model, bytes } = await readModelFile(input);
  const external = ExternalDataReader.forModel(input);
  try {
    options.onProgress?.('Pruning');
    const { model: pruned, report, sparse } = await pruneWithReport(model, request, {
      client: options.client, external, baseDir: dirname(input), sparseStorage: options.sparseStorage, signal: options.signal,
    });
    if (options.signal?.aborted) throw new UserError('Pruning was cancelled.');
    options.onProgress?.('Writing the pruned model');
    writeTransformed(report, pruned, input, output, bytes.length);
    if (options.verify !== false) {
      options.onProgress?.('Running original and pruned model on the same inputs');
      report.verification = await verifyPrune(options.client, model, output, request, { original: input, baseDir: dirname(input), signal: options.signal });
    }
    return { report, sparse };
  } finally {
    external.close();
  }
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
