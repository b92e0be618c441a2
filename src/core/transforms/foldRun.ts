// Folding in memory as the benchmark and the tests run it (the editor and the CLI go through
// transformFile), and what the benchmark compares us with: onnxruntime's own 'basic' optimizer writing
// its optimized graph.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneLine } from '../errors.js';
import { decodeModel } from '../model/decode.js';
import type { ExternalDataReader } from '../model/externalData.js';
import type { ModelProto } from '../model/proto.js';
import type { RuntimeClient } from '../runtime/client.js';
import type { GraphOptimizationLevel } from '../runtime/settings.js';
import { defaultSizeLimitBytes, type FoldStats } from './fold.js';
import { foldTransform } from './foldTransform.js';
import { countOps, type TransformReport } from './report.js';
import { applyTransform, memoryContext } from './transformFile.js';

export interface FoldRunOptions {
  client: RuntimeClient;
  sizeLimitBytes?: number;
  external?: ExternalDataReader;
  signal?: AbortSignal;
}

/** Folds a model in memory and builds the report (no file, no verification). */
export async function foldWithReport(model: ModelProto, options: FoldRunOptions): Promise<{ model: ModelProto; stats: FoldStats; report: TransformReport }> {
  const request = { sizeLimitBytes: options.sizeLimitBytes ?? defaultSizeLimitBytes };
  const ctx = memoryContext(foldTransform, model, request, { client: options.client, external: options.external, signal: options.signal });
  const { model: folded, report } = await applyTransform(foldTransform, model, request, ctx);
  return { model: folded, stats: report.details, report };
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
