// Folding end to end, as the CLI and the editor command run it: fold with onnxruntime as the evaluator,
// then a report with verification (original and folded model on the same random inputs). Also what the
// benchmark compares us with: onnxruntime's own 'basic' optimizer writing its optimized graph.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneLine, UserError } from '../errors.js';
import { decodeModel, encodeModel, readModelFile } from '../model/decode.js';
import { ExternalDataReader } from '../model/externalData.js';
import { assertNotSameFile } from '../model/modelFile.js';
import type { ModelProto } from '../model/proto.js';
import type { RuntimeClient } from '../runtime/client.js';
import type { GraphOptimizationLevel } from '../runtime/settings.js';
import { foldConstants, type Evaluate, type FoldOptions, type FoldStats } from './fold.js';
import { formatBytes } from '../format.js';
import { writeTransformed, baseReport, countOps, verifyModels, type TransformReport } from './report.js';

/** Evaluates temporary models in onnxruntime's child process with graph optimizations off. */
export function runtimeEvaluator(client: RuntimeClient): Evaluate {
  return (model, outputs, signal) =>
    client.run(encodeModel(model), {}, { outputs, signal, settings: { graphOptimizationLevel: 'disabled', intraOpThreads: 1 } });
}

export interface FoldRunOptions extends Omit<FoldOptions, 'evaluate'> {
  client: RuntimeClient;
}

/** Folds and builds the report (without verification: that needs the files, see verifyModels). */
export async function foldWithReport(model: ModelProto, options: FoldRunOptions): Promise<{ model: ModelProto; stats: FoldStats; report: TransformReport }> {
  const started = performance.now();
  const { model: folded, stats } = await foldConstants(model, { ...options, evaluate: runtimeEvaluator(options.client) });
  const timeMs = performance.now() - started;
  const notes: string[] = [];
  notes.push(`${stats.foldedNodes} nodes folded in ${stats.rounds} round${stats.rounds === 1 ? '' : 's'} with ${stats.evaluations} onnxruntime evaluation${stats.evaluations === 1 ? '' : 's'}` +
    ` (${stats.shapeOpsFolded} shape computations resolved from static shapes, ${stats.ifsInlined} constant If replaced by its branch, ${stats.constantsToInitializers} Constant nodes turned into initializers).`);
  const c = stats.cleanup;
  notes.push(`Cleanup removed ${c.deadNodes} dead nodes, ${c.identities} Identity nodes, ${c.duplicates} duplicate nodes (the same op on the same inputs), ${c.initializers} unused initializers and ${c.valueInfo} stale value_info entries.`);
  const limit = options.sizeLimitBytes;
  const grouped = new Map<string, string[]>();
  for (const s of stats.skipped) grouped.set(s.reason, [...(grouped.get(s.reason) ?? []), `${s.node} (${s.opType})`]);
  for (const [reason, nodes] of grouped) {
    const shown = nodes.slice(0, 5).join(', ') + (nodes.length > 5 ? `, and ${nodes.length - 5} more` : '');
    notes.push(`Not folded, ${reason.replace('over the size limit', `over the size limit of ${formatBytes(limit ?? 64 * 2 ** 20)}`)}: ${shown}.`);
  }
  const report: TransformReport = {
    ...baseReport('fold', model, folded),
    timeMs,
    notes,
    details: { rounds: stats.rounds, evaluations: stats.evaluations, foldedNodes: stats.foldedNodes, skipped: stats.skipped, cleanup: stats.cleanup },
  };
  return { model: folded, stats, report };
}

/** Folding's verification standard: 1e-5 for floats, integer and bool outputs exactly. */
export const foldTolerance = { rtol: 1e-5, atol: 1e-5 };

/** Adds the verification of a written result to its report (files, so external data resolves). */
export async function verifyFold(client: RuntimeClient, report: TransformReport, original: string, folded: string, signal?: AbortSignal): Promise<void> {
  report.verification = await verifyModels(client, original, folded, { ...foldTolerance, signal });
}

export interface OrtOptimizeResult {
  /** Session creation with the optimizer, milliseconds (what ORT spends optimizing and loading). */
  timeMs: number;
  model: ModelProto;
  nodes: Record<string, number>;
}

/**
 * The fusions of onnxruntime's 'basic' level (its level-1 rewrite rules and transformers that merge
 * several nodes into one): left out when only folding and clean-up are compared.
 */
export const onnxruntimeBasicFusions = [
  'DivMulFusion', 'FuseReluClip', 'GemmSumFusion', 'GemmTransposeFusion', 'NotWhereFusion', 'ConvAddFusion', 'ConvMulFusion',
  'ConvBNFusion', 'PadFusion', 'MatmulBNFusion', 'LabelEncoderFusion', 'MatMulAddFusion', 'ReshapeFusion', 'GeluFusion', 'LayerNormFusion',
];

/**
 * onnxruntime's own graph optimizer at `level` (default 'basic': constant folding and redundant-node
 * removal, portable), writing its optimized graph through sessionOptions.optimizedModelFilePath, with
 * `disabledOptimizers` left out.
 */
export async function optimizeWithOnnxruntime(client: RuntimeClient, model: Uint8Array | string, level: GraphOptimizationLevel = 'basic', disabledOptimizers: string[] = []): Promise<OrtOptimizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-lens-ort-'));
  try {
    const out = join(dir, 'optimized.onnx');
    const session = await client.open(model, { settings: { graphOptimizationLevel: level, optimizedModelFilePath: out, intraOpThreads: 1, disabledOptimizers } });
    const timeMs = session.createMs;
    await session.close();
    const optimized = decodeModel(readFileSync(out));
    return { timeMs, model: optimized, nodes: countOps(optimized) };
  } catch (error) {
    throw new Error(`onnxruntime's optimizer failed: ${oneLine(error)}`, { cause: error });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FoldFileOptions extends Omit<FoldRunOptions, 'external'> {
  /** Compare original and folded outputs (default true). */
  verify?: boolean;
}

/**
 * Reads `input`, folds, writes `output` atomically (external data of the source is carried over), and
 * verifies the written file against the source. The caller decides about overwriting `output`;
 * writing over `input` is always refused.
 */
export async function foldFile(input: string, output: string, options: FoldFileOptions): Promise<{ report: TransformReport; stats: FoldStats }> {
  assertNotSameFile(input, output);
  const { model, bytes } = await readModelFile(input);
  const external = ExternalDataReader.forModel(input);
  try {
    const { model: folded, stats, report } = await foldWithReport(model, { ...options, external });
    if (options.signal?.aborted) throw new UserError('Folding was cancelled.');
    options.onProgress?.('Writing the folded model');
    writeTransformed(report, folded, input, output, bytes.length);
    if (options.verify !== false) {
      options.onProgress?.('Verifying: original and folded model on the same inputs');
      await verifyFold(options.client, report, input, output, options.signal);
    }
    return { report, stats };
  } finally {
    external.close();
  }
}
