// Outputs of the original and of the result over several input sets, one comparison per output: the
// element rules of compareTensors per set, and over all sets together the cosine similarity, SNR, the
// max error against the reference's range and its spread (compare.ts), whether the original's values are
// all the same (a check that proves little), and top-1 agreement for class-like outputs.
import { DataType, type ModelProto } from '../model/proto.js';
import { fromFloat64, toFloat64, type TensorArray } from '../model/tensorValues.js';
import { addSignal, classCount, compareTensors, emptySums, numeric, rangeError, snrDb, spread, top1Agreement, type OutputComparison, type Tolerance } from '../runtime/compare.js';

export interface OutputCheck extends OutputComparison {
  /** A floating-point output: what a lossy transform is judged on. */
  float: boolean;
  /** Every value of the original's output, over every set, is the same (at least two values). */
  constant: boolean;
  /** Its value when constant, as text. */
  constantValue?: string;
  /** Share of rows whose arg-max agrees, for class-like float outputs (classCount in compare.ts). */
  top1?: number;
  /** Float outputs: 10·log10(Σref²/Σ(ref-result)²) over every set, in dB (Infinity when exact). */
  snrDb?: number;
  /** Float outputs: max abs error over the reference's range (max - min); NaN when the reference is constant. */
  rangeError?: number;
  /** Float outputs: the reference's standard deviation over its RMS (0 constant, 1 zero mean). */
  spread?: number;
  /** How a lossy rule judged it: 'PASS by SNR 41.2 dB ≥ 30'. */
  decided?: string;
}

export type Feeds = Record<string, TensorArray>;

const floatTypes = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

/** Feeds for a model whose float inputs changed type (float16 without float32 I/O). */
export function adaptFeeds(feeds: Feeds, model: ModelProto): Feeds {
  const declared = new Map((model.graph?.input ?? []).map((v) => [v.name ?? '', v.type?.tensorType?.elemType ?? 0]));
  const out: Feeds = {};
  for (const [name, array] of Object.entries(feeds)) {
    const want = declared.get(name);
    out[name] = want && want !== array.dtype && floatTypes.has(want) && floatTypes.has(array.dtype)
      ? { dtype: want, dims: array.dims, data: fromFloat64(want, toFloat64(array)) }
      : array;
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/** The one value every element of every set has, or undefined. */
function constantValue(arrays: TensorArray[]): string | undefined {
  const total = arrays.reduce((n, a) => n + a.data.length, 0);
  if (total < 2) return undefined;
  const first = arrays.find((a) => a.data.length > 0)!.data[0];
  for (const a of arrays) for (let i = 0; i < a.data.length; i++) if (!sameValue(a.data[i], first)) return undefined;
  return typeof first === 'string' ? JSON.stringify(first) : String(first);
}

function failed(name: string, array: TensorArray | undefined, base: OutputComparison | undefined, problem: string): OutputCheck {
  const count = base?.count ?? 0;
  return {
    name, dtype: base?.dtype ?? '?', shape: base?.shape ?? array?.dims ?? [], maxAbsError: NaN, maxRelError: NaN, cosine: NaN,
    mismatches: count, count, pass: false, problem, float: array ? floatTypes.has(array.dtype) : false, constant: false,
  };
}

/**
 * One check per name in `names`, over every set: expected[s] are the original's outputs, actual[s] the
 * result's on the same inputs. Elements are judged by `tolerance` (integers exactly); `pass` says so.
 * `classHints` names the outputs the model marks as class scores (classHinted in compare.ts).
 */
export function compareRuns(names: string[], expected: Feeds[], actual: Feeds[], tolerance: Tolerance, classHints: ReadonlySet<string> = new Set()): OutputCheck[] {
  return names.map((name) => {
    let maxAbs = 0, maxRel = 0, mismatches = 0, count = 0, dot = 0, ee = 0, aa = 0, rows = 0, agree = 0;
    const sums = emptySums();
    let first: OutputComparison | undefined;
    const references: TensorArray[] = [];
    for (let s = 0; s < expected.length; s++) {
      const e = expected[s][name];
      const given = actual[s]?.[name];
      if (!e) return failed(name, given, first, 'not among the original model\'s outputs');
      if (!given) return failed(name, e, first, 'missing from the result\'s outputs');
      // A float output that changed precision (float16 I/O) is compared by value.
      const a = given.dtype !== e.dtype && floatTypes.has(given.dtype) && floatTypes.has(e.dtype)
        ? { dtype: e.dtype, dims: given.dims, data: fromFloat64(e.dtype, toFloat64(given)) }
        : given;
      const c = compareTensors(name, e, a, tolerance);
      if (c.problem) return { ...c, float: floatTypes.has(e.dtype), constant: false };
      first ??= c;
      references.push(e);
      maxAbs = Math.max(maxAbs, c.maxAbsError);
      maxRel = Math.max(maxRel, c.maxRelError);
      mismatches += c.mismatches;
      count += c.count;
      if (Array.isArray(e.data)) continue;
      const ev = numeric(e);
      const av = numeric(a);
      for (let i = 0; i < ev.length; i++) {
        const x = ev[i], y = av[i];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        dot += x * y;
        ee += x * x;
        aa += y * y;
      }
      if (!floatTypes.has(e.dtype)) continue;
      addSignal(sums, ev, av);
      const top1 = top1Agreement(ev, av, classCount(e.dims, classHints.has(name)));
      rows += top1.rows;
      agree += top1.agree;
    }
    if (!first) return failed(name, undefined, undefined, 'no input sets were compared');
    const textual = references.some((r) => Array.isArray(r.data));
    const cosine = textual ? NaN : ee === 0 && aa === 0 ? 1 : ee === 0 || aa === 0 ? 0 : dot / Math.sqrt(ee * aa);
    const value = constantValue(references);
    const float = floatTypes.has(references[0].dtype);
    return {
      ...first, maxAbsError: maxAbs, maxRelError: maxRel, cosine, mismatches, count, pass: mismatches === 0,
      float, constant: value !== undefined, ...(value !== undefined ? { constantValue: value } : {}),
      ...(rows ? { top1: agree / rows } : {}),
      ...(float && sums.count ? { snrDb: snrDb(sums), rangeError: rangeError(sums), spread: spread(sums) } : {}),
    };
  });
}
