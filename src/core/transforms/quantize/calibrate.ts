// Calibration for static quantization: runs a copy of the model whose graph outputs include the
// activations to observe, one input set at a time, and reduces each observed tensor as it arrives
// (nothing is kept per sample). MinMax: the overall [min, max]. Percentile: a second pass fills a
// histogram over [min, max] per tensor and clips the given share of values from the two tails.
import { UserError } from '../../errors.js';
import { DataType, type ModelProto } from '../../model/proto.js';
import { exposeValues, type Exposed } from './nestedValues.js';
import type { TensorArray } from '../../model/tensorValues.js';
import type { RuntimeClient, RuntimeSession } from '../../runtime/client.js';
import { cloneModel } from '../graphEdit.js';
import { encodeModel } from '../../model/decode.js';
import type { Calibrator } from './options.js';
import type { ActivationRange } from './static.js';

export interface CalibrationOptions {
  calibrator: Calibrator;
  /** Percentage of values kept by the percentile calibrator (99.999: 0.0005% clipped at each end). */
  percentile: number;
  /** Folder the model's external data is relative to. */
  baseDir?: string;
  signal?: AbortSignal;
  /** Called after each input set of each pass. */
  onProgress?: (done: number, total: number) => void;
}

const histogramBins = 2048;

/** A copy of the model that also outputs `names`, those inside If/Loop/Scan bodies too (nestedValues.ts). */
export function observingModel(model: ModelProto, names: string[]): { bytes: Uint8Array } & Exposed {
  const copy = cloneModel(model);
  const exposed = exposeValues(copy, names);
  return { bytes: encodeModel(copy), ...exposed };
}

function floatData(array: TensorArray | undefined): Float32Array | undefined {
  return array && array.dtype === DataType.FLOAT ? (array.data as Float32Array) : undefined;
}

export interface Calibration {
  ranges: Map<string, ActivationRange>;
  /** Values that could not be observed, with why (they stay float). */
  skipped: Exposed['skipped'];
}

export async function calibrate(client: RuntimeClient, model: ModelProto, wanted: string[], feedsList: Array<Record<string, TensorArray>>, options: CalibrationOptions): Promise<Calibration> {
  if (feedsList.length === 0) throw new UserError('Calibration needs at least one set of inputs.');
  const ranges = new Map<string, ActivationRange>();
  if (wanted.length === 0) return { ranges, skipped: [] };
  const observing = observingModel(model, wanted);
  // The graph outputs to read, and the value each one carries (a body value comes out under another name).
  const carried = [...observing.outputs];
  const names = carried.map(([, output]) => output);
  const valueOf = (k: number) => carried[k][0];
  const passes = options.calibrator === 'percentile' ? 2 : 1;
  const total = feedsList.length * passes;
  let done = 0;
  const session: RuntimeSession = await client.open(observing.bytes, { signal: options.signal, baseDir: options.baseDir, settings: { graphOptimizationLevel: 'disabled' } });
  try {
    const mins = new Float64Array(names.length).fill(Infinity);
    const maxs = new Float64Array(names.length).fill(-Infinity);
    for (const feeds of feedsList) {
      const { outputs } = await session.run(feeds, { outputs: names, signal: options.signal });
      names.forEach((name, k) => {
        const data = floatData(outputs[name]);
        if (!data) return;
        let lo = mins[k], hi = maxs[k];
        for (let i = 0; i < data.length; i++) {
          const x = data[i];
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        mins[k] = lo;
        maxs[k] = hi;
      });
      options.onProgress?.(++done, total);
    }
    if (options.calibrator === 'minmax') {
      names.forEach((name, k) => {
        if (mins[k] <= maxs[k] && Number.isFinite(mins[k]) && Number.isFinite(maxs[k])) ranges.set(valueOf(k), { min: mins[k], max: maxs[k] });
      });
      return { ranges, skipped: observing.skipped };
    }
    const histograms = names.map(() => new Float64Array(histogramBins));
    for (const feeds of feedsList) {
      const { outputs } = await session.run(feeds, { outputs: names, signal: options.signal });
      names.forEach((name, k) => {
        const data = floatData(outputs[name]);
        if (!data || !(maxs[k] > mins[k])) return;
        const lo = mins[k];
        const width = (maxs[k] - lo) / histogramBins;
        const h = histograms[k];
        for (let i = 0; i < data.length; i++) {
          const x = data[i];
          if (!(x >= lo)) continue;
          let bin = ((x - lo) / width) | 0;
          if (bin >= histogramBins) bin = histogramBins - 1;
          h[bin]++;
        }
      });
      options.onProgress?.(++done, total);
    }
    names.forEach((name, k) => {
      if (!(mins[k] <= maxs[k]) || !Number.isFinite(mins[k]) || !Number.isFinite(maxs[k])) return;
      ranges.set(valueOf(k), percentileRange(histograms[k], mins[k], maxs[k], options.percentile));
    });
    return { ranges, skipped: observing.skipped };
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** [low, high] cutting (100 - percentile)/2 % of the counted values from each tail of the histogram. */
export function percentileRange(histogram: Float64Array, min: number, max: number, percentile: number): ActivationRange {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i];
  if (total === 0 || !(max > min)) return { min, max };
  const tail = (total * (100 - percentile)) / 200;
  const width = (max - min) / histogram.length;
  let acc = 0;
  let low = 0;
  while (low < histogram.length - 1 && acc + histogram[low] <= tail) acc += histogram[low++];
  acc = 0;
  let high = histogram.length - 1;
  while (high > low && acc + histogram[high] <= tail) acc += histogram[high--];
  return { min: low === 0 ? min : min + low * width, max: high === histogram.length - 1 ? max : min + (high + 1) * width };
}
