// How close a quantized model's outputs are to the original's over several input sets: max abs error,
// cosine similarity over all values, and top-1 agreement for outputs that look like class scores.
import { formatDims } from '../../format.js';
import { dataTypeName } from '../../model/dataTypes.js';
import { DataType, type ModelProto } from '../../model/proto.js';
import { fromFloat64, toFloat64, type TensorArray } from '../../model/tensorValues.js';
import type { QuantizeOptions } from './options.js';

export interface OutputAccuracy {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  maxAbsError: number;
  /** Over every value of every input set; NaN for non-float outputs. */
  cosine: number;
  /** Share of rows whose arg-max agrees, for [rows, classes] outputs; undefined otherwise. */
  top1?: number;
  problem?: string;
}

/** Minimum cosine per mode: what the tests hold the product to and the report calls pass. */
export function accuracyBudget(options: QuantizeOptions): number {
  if (options.mode === 'fp16') return 0.999;
  return options.bits === 4 ? 0.95 : 0.99;
}

const floatTypes = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

/** Feeds for a model whose float inputs became float16 (fp16 mode without float32 I/O). */
export function adaptFeeds(feeds: Record<string, TensorArray>, model: ModelProto): Record<string, TensorArray> {
  const declared = new Map((model.graph?.input ?? []).map((v) => [v.name ?? '', v.type?.tensorType?.elemType ?? 0]));
  const out: Record<string, TensorArray> = {};
  for (const [name, array] of Object.entries(feeds)) {
    const want = declared.get(name);
    out[name] = want && want !== array.dtype && floatTypes.has(want) && floatTypes.has(array.dtype)
      ? { dtype: want, dims: array.dims, data: fromFloat64(want, toFloat64(array)) }
      : array;
  }
  return out;
}

export function accuracy(expected: Array<Record<string, TensorArray>>, actual: Array<Record<string, TensorArray>>): OutputAccuracy[] {
  const names = Object.keys(expected[0] ?? {});
  return names.map((name) => {
    const first = expected[0][name];
    const base = { name, dtype: dataTypeName(first.dtype), shape: first.dims };
    let maxAbs = 0, dot = 0, ee = 0, aa = 0, count = 0, rows = 0, agree = 0;
    const numeric = floatTypes.has(first.dtype);
    const classes = first.dims.length === 2 && first.dims[1] > 1 ? first.dims[1] : 0;
    for (let s = 0; s < expected.length; s++) {
      const e = expected[s][name];
      const a = actual[s]?.[name];
      if (!a) return { ...base, count, maxAbsError: NaN, cosine: NaN, problem: 'missing from the quantized model\'s outputs' };
      if (a.dims.length !== e.dims.length || a.dims.some((d, i) => d !== e.dims[i])) {
        return { ...base, count, maxAbsError: NaN, cosine: NaN, problem: `shape ${formatDims(a.dims)} instead of ${formatDims(e.dims)}` };
      }
      const ev = toFloat64(e);
      const av = toFloat64(a);
      for (let i = 0; i < ev.length; i++) {
        const x = ev[i], y = av[i];
        const d = Math.abs(x - y);
        if (d > maxAbs) maxAbs = d;
        else if (d !== d && (x === x) !== (y === y)) maxAbs = Infinity;
        dot += x * y;
        ee += x * x;
        aa += y * y;
      }
      count += ev.length;
      if (classes) {
        for (let r = 0; r < ev.length / classes; r++) {
          let be = 0, ba = 0;
          for (let c = 1; c < classes; c++) {
            if (ev[r * classes + c] > ev[r * classes + be]) be = c;
            if (av[r * classes + c] > av[r * classes + ba]) ba = c;
          }
          rows++;
          if (be === ba) agree++;
        }
      }
    }
    const cosine = !numeric ? NaN : ee === 0 && aa === 0 ? 1 : dot / Math.sqrt(ee * aa);
    return { ...base, count, maxAbsError: maxAbs, cosine, ...(classes ? { top1: agree / Math.max(1, rows) } : {}) };
  });
}
