// Runtime tensor capture: a temporary copy of the model whose intermediate values are graph outputs, run
// once (the child returns type, shape and statistics per value, not the values), plus per-node time from
// onnxruntime's profiler.
import { dirname } from 'node:path';
import { encodeModel } from '../model/decode.js';
import { onnx, type ModelProto, type ValueInfoProto } from '../model/proto.js';
import type { TensorArray } from '../model/tensorValues.js';
import { subgraphsOf } from '../model/walk.js';
import type { NodeTime, RuntimeClient, ValueSummary } from './client.js';
import { ortCanReturn } from './ortTensors.js';
import { summarizeArray } from './summaries.js';
import type { SessionSettings } from './settings.js';

export interface CaptureOptions {
  /** The model file: its folder holds any external data the copy still refers to. */
  modelPath?: string;
  settings?: SessionSettings;
  signal?: AbortSignal;
  /** Profiled runs for per-node times (0: no profile). */
  profileRuns?: number;
}

export interface CaptureResult {
  /** Type, shape and statistics of every value onnxruntime returned: inputs, intermediates, outputs. */
  values: Record<string, ValueSummary>;
  /** Values inside subgraphs (If/Loop/Scan bodies): ONNX cannot make them graph outputs. */
  subgraphValues: number;
  /** Intermediate values left out, with why. */
  skipped: Array<{ name: string; reason: string }>;
  /** Kernel time per node over `profileRuns` runs of an unoptimized profiled session (names match the graph's nodes). */
  nodeTimes: NodeTime[];
  profileRuns: number;
}

/** The model with every top-level intermediate value added as a graph output (typed when value_info knows it). */
export function withIntermediateOutputs(model: ModelProto, typedOnly = false): { model: ModelProto; added: string[]; untyped: string[]; subgraphValues: number } {
  const graph = model.graph ?? {};
  const known = new Map<string, ValueInfoProto>();
  for (const info of graph.valueInfo ?? []) if (info.name) known.set(info.name, info);
  const taken = new Set([...(graph.output ?? []).map((o) => o.name ?? ''), ...(graph.input ?? []).map((i) => i.name ?? '')]);
  for (const t of graph.initializer ?? []) taken.add(t.name ?? '');
  const added: ValueInfoProto[] = [];
  const untyped: string[] = [];
  let subgraphValues = 0;
  const countSubgraph = (g: onnx.IGraphProto) => {
    for (const node of g.node ?? []) {
      subgraphValues += (node.output ?? []).filter(Boolean).length;
      for (const sub of subgraphsOf(node)) countSubgraph(sub.graph);
    }
  };
  for (const node of graph.node ?? []) {
    for (const sub of subgraphsOf(node)) countSubgraph(sub.graph);
    for (const name of node.output ?? []) {
      if (!name || taken.has(name)) continue;
      taken.add(name);
      const info = known.get(name);
      if (info?.type) added.push(info);
      else if (typedOnly) untyped.push(name);
      else {
        untyped.push(name);
        added.push(new onnx.ValueInfoProto({ name }));
      }
    }
  }
  const copy: ModelProto = { ...model, graph: { ...graph, output: [...(graph.output ?? []), ...added] } };
  return { model: copy, added: added.map((a) => a.name ?? ''), untyped, subgraphValues };
}

export async function captureRuntimeValues(client: RuntimeClient, model: ModelProto, feeds: Record<string, TensorArray>, options: CaptureOptions = {}): Promise<CaptureResult> {
  const baseDir = options.modelPath ? dirname(options.modelPath) : undefined;
  // Unoptimized: the values are those of the graph's own nodes, and onnxruntime 1.30's extended
  // optimizations crash (SIGSEGV) on some graphs whose intermediates are all outputs.
  const settings: SessionSettings = { ...options.settings, graphOptimizationLevel: 'disabled', optimizedModelFilePath: undefined };
  const open = (m: ModelProto) => client.open(encodeModel(m), { settings, signal: options.signal, baseDir });
  const skipped: CaptureResult['skipped'] = [];
  let copy = withIntermediateOutputs(model);
  let session;
  try {
    session = await open(copy.model);
  } catch (error) {
    // onnxruntime infers the types of untyped outputs; where it cannot, keep only the typed ones.
    if (!copy.untyped.length) throw error;
    copy = withIntermediateOutputs(model, true);
    session = await open(copy.model);
    for (const name of copy.untyped) skipped.push({ name, reason: 'its type is unknown and onnxruntime would not infer it' });
  }
  let values: Record<string, ValueSummary>;
  try {
    const fetch: string[] = [];
    for (const m of session.outputs) {
      if (!m.isTensor) skipped.push({ name: m.name, reason: 'not a tensor (sequence, map or optional)' });
      else if (!ortCanReturn(m.type)) skipped.push({ name: m.name, reason: `${m.type} values cannot be returned by onnxruntime-node` });
      else fetch.push(m.name);
    }
    values = (await session.summarize(feeds, { outputs: fetch, signal: options.signal })).values;
  } finally {
    await session.close().catch(() => undefined);
  }
  for (const [name, array] of Object.entries(feeds)) {
    if (values[name]) continue;
    values[name] = summarizeArray(array);
  }
  const profileRuns = options.profileRuns ?? 3;
  let nodeTimes: NodeTime[] = [];
  if (profileRuns > 0) {
    // Unoptimized too, so that profiled names are the graph's own node names (optimization fuses and renames nodes).
    const profiled = await client.open(options.modelPath ?? encodeModel(model), { settings, profile: true, signal: options.signal });
    let closed = false;
    try {
      await profiled.time(feeds, { warmup: 0, iterations: profileRuns, signal: options.signal });
      nodeTimes = (await profiled.close()).nodeTimes ?? [];
      closed = true;
    } finally {
      if (!closed) await profiled.close().catch(() => undefined);
    }
  }
  return { values, subgraphValues: copy.subgraphValues, skipped, nodeTimes, profileRuns };
}
