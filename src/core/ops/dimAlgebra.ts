// Arithmetic on dims as shapes carry them (a number, a symbol's text, or null for unknown). Symbols go
// through SymExpr; a result that equals one of the operands keeps that operand's own text, so that a
// dim_param passes through unchanged. One instance per inference run, or one shared by the inference
// runs of one transform (folding and rewriting infer the same dims again every round): it caches what it
// has parsed and the results of symbolic operations, which depend on their operands alone.
import type { Dim } from '../model/types.js';
import { evaluateExpr, maxExprText, parseExpr, SymExpr } from './symbolicExpr.js';

type Binary = (a: SymExpr, b: SymExpr) => SymExpr | undefined;

/** The names onnx and onnxruntime give a dim they cannot compute: unk__0, unk__1, ... */
export const freshSymbolPattern = /\bunk__\d+\b/g;

export class DimAlgebra {
  private readonly parsed = new Map<string, SymExpr>();
  private readonly results = new Map<string, Dim | boolean | undefined>();
  private readonly reserved = new Set<string>();
  private nextFresh = 0;

  /** Names the model already uses for dims: fresh symbols never take one of them. */
  reserve(names: Iterable<string>): void {
    for (const name of names) for (const m of name.matchAll(freshSymbolPattern)) this.reserved.add(m[0]);
  }

  /**
   * A new symbol for a size inference cannot compute (a NonZero count, a Range of unknown length, two
   * If branches that differ): values that share it share that size, as onnx's and onnxruntime's do.
   */
  fresh(): string {
    let name: string;
    do name = `unk__${this.nextFresh++}`;
    while (this.reserved.has(name));
    this.reserved.add(name);
    return name;
  }

  expr(d: Dim | undefined): SymExpr | undefined {
    if (d === null || d === undefined) return undefined;
    if (typeof d === 'number') return Number.isSafeInteger(d) ? SymExpr.constant(d) : undefined;
    let e = this.parsed.get(d);
    if (!e) {
      // A dim_param that is not an expression is one opaque symbol, whatever characters it holds.
      e = parseExpr(d) ?? SymExpr.atom(d);
      this.parsed.set(d, e);
    }
    return e;
  }

  /** Back to a dim: a number, an operand's own text where the result is that operand, else canonical text. */
  dim(e: SymExpr | undefined, ...operands: Dim[]): Dim {
    if (!e) return null;
    const v = e.value;
    if (v !== undefined) return v;
    for (const o of operands) if (typeof o === 'string' && this.expr(o)!.equals(e)) return o;
    const text = e.soleAtom ?? e.text;
    return text.length > maxExprText ? null : text;
  }

  /** A symbolic operation's result, computed once per operator and operands. */
  private memo<T extends Dim | boolean | undefined>(op: string, a: Dim | undefined, b: Dim | undefined, compute: () => T): T {
    // Symbols are marked so that a dim_param spelled 'null' or '3' stays apart from null and 3.
    const key = `${op}\u0000${typeof a === 'string' ? `s${a}` : String(a)}\u0000${typeof b === 'string' ? `s${b}` : String(b)}`;
    if (this.results.has(key)) return this.results.get(key) as T;
    const result = compute();
    this.results.set(key, result);
    return result;
  }

  private binary(op: string, a: Dim | undefined, b: Dim | undefined, numeric: (x: number, y: number) => number | undefined, symbolic: Binary): Dim {
    if (typeof a === 'number' && typeof b === 'number') {
      const r = numeric(a, b);
      // -0 is 0 for a size.
      return r === undefined || !Number.isFinite(r) ? null : r + 0;
    }
    return this.memo(op, a, b, () => {
      const x = this.expr(a);
      const y = this.expr(b);
      return x && y ? this.dim(symbolic(x, y), a ?? null, b ?? null) : null;
    });
  }

  add(a: Dim | undefined, b: Dim | undefined): Dim {
    return this.binary('add', a, b, (x, y) => x + y, (x, y) => x.add(y));
  }

  sub(a: Dim | undefined, b: Dim | undefined): Dim {
    return this.binary('sub', a, b, (x, y) => x - y, (x, y) => x.sub(y));
  }

  mul(a: Dim | undefined, b: Dim | undefined): Dim {
    // 0 times anything, even unknown, is 0.
    if (a === 0 || b === 0) return 0;
    return this.binary('mul', a, b, (x, y) => x * y, (x, y) => x.mul(y));
  }

  floorDiv(a: Dim | undefined, b: Dim | undefined): Dim {
    return this.binary('floorDiv', a, b, (x, y) => (y === 0 ? undefined : Math.floor(x / y)), (x, y) => x.floorDiv(y));
  }

  ceilDiv(a: Dim | undefined, b: Dim | undefined): Dim {
    return this.binary('ceilDiv', a, b, (x, y) => (y === 0 ? undefined : Math.ceil(x / y)), (x, y) => x.ceilDiv(y));
  }

  /** A quotient known to be exact (a Reshape's -1): numbers must divide; symbols divide as they can. */
  exactDiv(a: Dim | undefined, b: Dim | undefined): Dim {
    if (typeof a === 'number' && typeof b === 'number') return b !== 0 && a % b === 0 ? a / b : null;
    return this.floorDiv(a, b);
  }

  mod(a: Dim | undefined, b: Dim | undefined): Dim {
    return this.binary('mod', a, b, (x, y) => (y === 0 ? undefined : x - y * Math.floor(x / y)), (x, y) => x.mod(y));
  }

  max(a: Dim | undefined, b: Dim | undefined): Dim {
    return this.binary('max', a, b, (x, y) => Math.max(x, y), (x, y) => x.max(y));
  }

  min(a: Dim | undefined, b: Dim | undefined): Dim {
    return this.binary('min', a, b, (x, y) => Math.min(x, y), (x, y) => x.min(y));
  }

  product(dims: readonly Dim[]): Dim {
    if (dims.includes(0)) return 0;
    return dims.reduce<Dim>((p, d) => this.mul(p, d), 1);
  }

  sum(dims: readonly Dim[]): Dim {
    return dims.reduce<Dim>((s, d) => this.add(s, d), 0);
  }

  /** The size a dim takes once its symbols have sizes (`--dims batch=8`); undefined if one is missing. */
  evaluate(d: Dim | undefined, sizes: ReadonlyMap<string, number>): number | undefined {
    if (typeof d === 'number') return d;
    const e = this.expr(d);
    return e ? evaluateExpr(e, (name) => sizes.get(name)) : undefined;
  }

  /** True or false where it is certain, undefined where it depends on the symbols. */
  equal(a: Dim | undefined, b: Dim | undefined): boolean | undefined {
    if (typeof a === 'number' && typeof b === 'number') return a === b;
    if (a === b && a !== null && a !== undefined) return true;
    return this.memo('equal', a, b, () => {
      const x = this.expr(a);
      const y = this.expr(b);
      if (!x || !y) return undefined;
      const d = x.sub(y);
      if (!d) return undefined;
      const v = d.value;
      return v === undefined ? undefined : v === 0;
    });
  }
}
