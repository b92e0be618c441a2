// One test run, as the CLI and the VS Code command do it: run the model on each input set, describe every
// output, compare with expected outputs and/or another model, and time the session.
import { dirname } from 'node:path';
import { dataTypeName } from '../model/dataTypes.js';
import { encodeModel } from '../model/decode.js';
import { upgradeForRuntime, type RuntimeUpgrade } from '../opset/runtimeUpgrade.js';
import type { ModelProto } from '../model/proto.js';
import { tensorStats, type TensorStats } from '../model/stats.js';
import { toFloat64, type TensorArray } from '../model/tensorValues.js';
import type { RuntimeClient, RuntimeSession } from './client.js';
import { compareOutputs, type OutputComparison, type Tolerance } from './compare.js';
import type { Assumption } from './inputReport.js';
import { latencyStats, type Latency } from './latency.js';
import { inDeclaredOrder } from './outputOrder.js';
import { describeRunFailure } from './runFailure.js';
import { effectiveSettings, type SessionSettings } from './settings.js';
import type { TestDataSet } from './testData.js';

export interface OutputReport {
  name: string;
  dtype: string;
  shape: number[];
  /** Numeric statistics (strings: count only). */
  stats: TensorStats;
  /** The first values, numbers or strings. */
  preview: Array<number | string>;
  /** Against expected outputs (from the data set) or against the other model's output. */
  comparison?: OutputComparison;
}

export interface DataSetReport {
  name: string;
  outputs: OutputReport[];
  /** What the outputs were checked against, if anything. */
  reference?: 'expected outputs' | 'other model';
  /** Undefined when there was nothing to compare with. */
  pass?: boolean;
}

export interface TestRunOptions {
  dataSets: TestDataSet[];
  /** A second model run on the same inputs; its outputs are checked against this model's. */
  compareWith?: Uint8Array | string;
  settings?: SessionSettings;
  tolerance: Tolerance;
  /** 0 iterations: no timing. */
  warmup: number;
  iterations: number;
  signal?: AbortSignal;
  /** Reports the step under way ('Creating session', 'Running test_data_set_0', ...). */
  onProgress?: (step: string) => void;
  /** Sizes and values the input resolver assumed: a failed run names them and the options that set them. */
  assumptions?: Assumption[];
  /**
   * The decoded model, so that a failure can tell the model's node names from onnxruntime's own, and so
   * that a model below opset 7 is upgraded in memory (the report says so).
   */
  decoded?: ModelProto;
  /** The decoded `compareWith`, for the same upgrade. */
  compareDecoded?: ModelProto;
  /** For a model given as bytes: the folder its external data paths are relative to. */
  baseDir?: string;
}

export interface TestRunReport {
  settings: ReturnType<typeof effectiveSettings>;
  dataSets: DataSetReport[];
  latency?: Latency;
  /** Undefined when no output was compared. */
  pass?: boolean;
  /** Set when the model (or the compared one) was below onnxruntime's oldest opset and ran upgraded in memory. */
  upgraded?: RuntimeUpgrade;
  compareUpgraded?: RuntimeUpgrade;
}

/** What onnxruntime opens: the model itself, or its in-memory upgrade (external data still found beside the file). */
function runnable(model: Uint8Array | string, decoded: ModelProto | undefined, baseDir: string | undefined): { data: Uint8Array | string; baseDir?: string; upgrade?: RuntimeUpgrade } {
  if (!decoded) return { data: model, baseDir };
  const { model: upgraded, upgrade } = upgradeForRuntime(decoded);
  if (!upgrade) return { data: model, baseDir };
  return { data: encodeModel(upgraded), baseDir: typeof model === 'string' ? dirname(model) : baseDir, upgrade };
}

export const previewLength = 16;

export function describeOutput(name: string, array: TensorArray): OutputReport {
  const strings = Array.isArray(array.data);
  const values = strings ? new Float64Array(0) : toFloat64(array);
  const stats = tensorStats(values);
  if (strings) stats.count = array.data.length;
  const preview = strings
    ? (array.data as string[]).slice(0, previewLength)
    : Array.from(values.subarray(0, previewLength));
  return { name, dtype: dataTypeName(array.dtype), shape: array.dims, stats, preview };
}

export async function testRun(client: RuntimeClient, model: Uint8Array | string, options: TestRunOptions): Promise<TestRunReport> {
  const { signal } = options;
  const progress = options.onProgress ?? (() => undefined);
  const own = runnable(model, options.decoded, options.baseDir);
  const theirs = options.compareWith === undefined ? undefined : runnable(options.compareWith, options.compareDecoded, options.baseDir);
  if (own.upgrade) progress(`Upgrading opset ${own.upgrade.from} to ${own.upgrade.to} in memory`);
  progress('Creating the onnxruntime session');
  const session = await client.open(own.data, { settings: options.settings, signal, ...(own.baseDir ? { baseDir: own.baseDir } : {}) });
  let other: RuntimeSession | undefined;
  try {
    if (theirs) other = await client.open(theirs.data, { settings: options.settings, signal, ...(theirs.baseDir ? { baseDir: theirs.baseDir } : {}) });
    const dataSets: DataSetReport[] = [];
    const declared = session.outputs.map((o) => o.name);
    for (const set of options.dataSets) {
      progress(`Running ${set.name}`);
      const failure = { fed: set.fed, assumptions: options.assumptions };
      const { outputs } = await session.run(set.inputs, { signal }).catch((e: unknown) => {
        throw describeRunFailure(e, { ...failure, model: options.decoded });
      });
      const reports = Object.entries(outputs).map(([name, array]) => describeOutput(name, array));
      let reference: DataSetReport['reference'];
      let comparisons: OutputComparison[] | undefined;
      if (other) {
        const otherOutputs = (await other.run(set.inputs, { signal }).catch((e: unknown) => {
          throw describeRunFailure(e, { ...failure, which: 'the compared model' });
        })).outputs;
        comparisons = compareOutputs(outputs, otherOutputs, options.tolerance);
        reference = 'other model';
      } else if (set.expected) {
        comparisons = compareOutputs(set.expected, outputs, options.tolerance);
        reference = 'expected outputs';
      }
      for (const c of comparisons ?? []) {
        const report = reports.find((r) => r.name === c.name);
        if (report) report.comparison = c;
        else reports.push({ name: c.name, dtype: c.dtype, shape: c.shape, stats: tensorStats([]), preview: [], comparison: c });
      }
      dataSets.push({ name: set.name, outputs: inDeclaredOrder(reports, declared), reference, pass: comparisons ? comparisons.every((c) => c.pass) : undefined });
    }
    let latency: Latency | undefined;
    if (options.iterations > 0 && options.dataSets.length) {
      progress(`Timing ${options.iterations} runs`);
      const first = options.dataSets[0];
      const times = await session.time(first.inputs, { warmup: options.warmup, iterations: options.iterations, signal }).catch((e: unknown) => {
        throw describeRunFailure(e, { fed: first.fed, assumptions: options.assumptions, model: options.decoded });
      });
      latency = latencyStats(times, session.createMs);
    }
    const compared = dataSets.filter((d) => d.pass !== undefined);
    return {
      settings: effectiveSettings(options.settings),
      dataSets,
      latency,
      pass: compared.length ? compared.every((d) => d.pass) : undefined,
      ...(own.upgrade ? { upgraded: own.upgrade } : {}),
      ...(theirs?.upgrade ? { compareUpgraded: theirs.upgrade } : {}),
    };
  } finally {
    await session.close().catch(() => undefined);
    await other?.close().catch(() => undefined);
  }
}
