// float32 values as JSON text: the shortest decimal that reads back to the same float32, written straight
// into bytes. JSON.stringify writes a float32 widened to a double with up to 17 digits (0.1f becomes
// 0.10000000149011612) through an array of numbers and a string: for a model's outputs that was most of a
// JSON answer's time, and twice the bytes. At most 9 significant digits always suffice for a float32.

const pow10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const DIGIT_0 = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;
const PLUS = 0x2b;
const E = 0x65;

/** Bytes one value can take: sign and 21 digits (up to 1e21 JavaScript writes every digit); commas on top. */
const maxValueBytes = 22;

/** |v| rounded to `digits` significant digits is m × 10^-scale; |scale| <= 22, so the power of ten is exact. */
function mantissa(a: number, exponent: number, digits: number): number {
  const scale = digits - 1 - exponent;
  return Math.round(scale >= 0 ? a * pow10[scale] : a / pow10[-scale]);
}

/** m × 10^-scale as a double, correctly rounded (an exact power of ten, one rounding): what a reader parses. */
function valueOf(m: number, scale: number): number {
  return scale >= 0 ? m / pow10[scale] : m * pow10[-scale];
}

function digitCount(m: number): number {
  let n = 1;
  while (m >= pow10[n]) n++;
  return n;
}

/** Writes the digits of m (an integer > 0) ending just before `end`. */
function writeDigits(out: Uint8Array, end: number, m: number): void {
  let at = end;
  do {
    const q = Math.floor(m / 10);
    out[--at] = DIGIT_0 + (m - q * 10);
    m = q;
  } while (m > 0);
}

/** Writes ASCII text (the slow path's). */
function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** Shortest text through toPrecision, for magnitudes outside the fast path (subnormals, huge values). */
function slowText(v: number): string {
  for (let p = 1; p < 9; p++) {
    const text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(Number(v.toPrecision(9)));
}

/**
 * Writes a finite float32 value `v` (as read from a Float32Array) at `at` and returns where it ends; the
 * text is what JavaScript would print for that decimal (0 and -0 both as 0, as JSON.stringify writes them).
 */
function writeFloat32(out: Uint8Array, at: number, v: number): number {
  if (v === 0) {
    out[at] = DIGIT_0;
    return at + 1;
  }
  const a = v < 0 ? -v : v;
  // log10 may be off by one next to powers of ten: the round-trip check keeps the result right.
  const exponent = Math.floor(Math.log10(a));
  // Every digit count from 1 to 9 must scale by an exact power of ten.
  if (exponent < -14 || exponent > 22) return writeAscii(out, at, slowText(v));
  // Fewest digits that read back; more digits never read back worse, so a binary search finds them.
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(valueOf(mantissa(a, exponent, mid), mid - 1 - exponent)) === a) hi = mid;
    else lo = mid + 1;
  }
  let m = mantissa(a, exponent, lo);
  let scale = lo - 1 - exponent;
  if (Math.fround(valueOf(m, scale)) !== a) return writeAscii(out, at, slowText(v));
  while (m % 10 === 0) {
    m /= 10;
    scale--;
  }
  if (v < 0) out[at++] = MINUS;
  const count = digitCount(m);
  const point = count - scale; // digits before the decimal point
  const power = point - 1; // the exponent of scientific notation
  if (power < -6 || power >= 21) {
    // d[.ddd]e±x, as JavaScript writes very small and very large numbers.
    writeDigits(out, at + count + (count > 1 ? 1 : 0), m);
    if (count > 1) {
      out[at] = out[at + 1];
      out[at + 1] = DOT;
      at += count + 1;
    } else at += 1;
    out[at++] = E;
    out[at++] = power < 0 ? MINUS : PLUS;
    const magnitude = power < 0 ? -power : power;
    const width = digitCount(magnitude);
    writeDigits(out, at + width, magnitude);
    return at + width;
  }
  if (scale <= 0) {
    writeDigits(out, at + count, m);
    at += count;
    for (let i = 0; i < -scale; i++) out[at++] = DIGIT_0;
    return at;
  }
  if (point > 0) {
    // ddd.ddd: the digits, then the fraction's shifted one place right for the point.
    writeDigits(out, at + count + 1, m);
    for (let i = 0; i < point; i++) out[at + i] = out[at + i + 1];
    out[at + point] = DOT;
    return at + count + 1;
  }
  out[at++] = DIGIT_0;
  out[at++] = DOT;
  for (let i = 0; i < -point; i++) out[at++] = DIGIT_0;
  writeDigits(out, at + count, m);
  return at + count;
}

/** One float32 value as text (finite values). */
export function float32Text(v: number): string {
  const out = new Uint8Array(maxValueBytes);
  return Buffer.from(out.buffer, 0, writeFloat32(out, 0, Math.fround(v))).toString('latin1');
}

/** A Float32Array as the bytes of a JSON array; NaN and infinities, which JSON cannot hold, as null. */
export function float32ArrayJson(values: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(2 + values.length * (maxValueBytes + 1));
  let at = 0;
  out[at++] = 0x5b; // [
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ,
    const v = values[i];
    at = v - v === 0 ? writeFloat32(out, at, v) : writeAscii(out, at, 'null');
  }
  out[at++] = 0x5d; // ]
  return out.subarray(0, at);
}
