// How numbers reach people: the CLI, the reports, the hovers, the panel and the results view all write
// bytes, counts, measurements, durations, shapes, percentages and ratios through these functions, so one
// quantity reads the same everywhere. Plain string code: no DOM and no Node (the webview imports it too).

/** Significant digits of a statistic or a measurement. */
const summaryDigits = 4;
/** Significant digits of a tensor's own values: about float32's precision. */
const valueDigits = 7;
/** Significant digits of a cosine similarity, whose news is in how many nines follow "0.". */
const cosineDigits = 6;

/**
 * A real number to `digits` significant digits, trailing zeros dropped. Integers below 1e15 are written
 * whole; magnitudes under 1e-3 or from 1e5 on in exponent form (`1.5e-7`, `2.31e+9`).
 */
export function formatNumber(x: number, digits = summaryDigits): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  // Whole digits beyond the precision are kept rather than shown as zeros (12346, not 12350).
  if (a >= 10 ** digits) return String(Math.round(x));
  return String(Number(x.toPrecision(digits)));
}

/** One element of a tensor, precise enough to tell float32 neighbours apart in most cases. */
export function formatValue(x: number): string {
  return formatNumber(x, valueDigits);
}

export function formatCosine(cosine: number): string {
  return formatNumber(cosine, cosineDigits);
}

/**
 * A count with thousands separators: 1,234,567. Integers are grouped here: the first toLocaleString in a
 * page loads ICU's number data, about 75 ms of the editor's first paint.
 */
export function formatCount(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(n < 0 ? -n : n);
  let text = digits.slice(0, digits.length % 3 || 3);
  for (let i = text.length; i < digits.length; i += 3) text += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${text}` : text;
}

const byteUnits = ['KiB', 'MiB', 'GiB', 'TiB'];

/** Up to three significant digits, trailing zeros dropped: 1.5, 12.3, 512. */
const threeDigits = (v: number) => String(Number(v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)));

/** Binary units: `512 B`, `1.5 KiB`, `12.3 MiB`, `2.25 GiB`; `exact` adds the byte count after sizes of 1 KiB and more. */
export function formatBytes(n: number, options: { exact?: boolean } = {}): string {
  if (!(Math.abs(n) >= 1024)) return `${n} B`;
  let v = Math.abs(n) / 1024;
  let u = 0;
  while (u < byteUnits.length - 1 && Number(threeDigits(v)) >= 1024) {
    v /= 1024;
    u++;
  }
  const text = `${n < 0 ? '-' : ''}${threeDigits(v)} ${byteUnits[u]}`;
  return options.exact ? `${text} (${formatCount(n)} bytes)` : text;
}

/** A duration given in milliseconds: `850 µs`, `12.35 ms`, `1.5 s`. */
export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a !== 0 && a < 1) return `${formatNumber(ms * 1000)} µs`;
  if (a < 1000 || !Number.isFinite(a)) return `${formatNumber(ms)} ms`;
  return `${formatNumber(ms / 1000)} s`;
}

/** A fraction as a percentage with one decimal: 0.9 -> `90.0%`. */
export function formatPercent(fraction: number): string {
  const p = 100 * fraction;
  return `${Number.isFinite(p) ? p.toFixed(1) : formatNumber(p)}%`;
}

/** A ratio with two decimals: `3.98x` (`inf` and `NaN` bare). */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : formatNumber(ratio);
}

/** A shape as ONNX writes it: `[N,3,224,224]`, `?` for a dimension nothing names, `?` alone for an unknown rank. */
export function formatDims(dims: ReadonlyArray<number | bigint | string | null> | undefined): string {
  if (!dims) return '?';
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
