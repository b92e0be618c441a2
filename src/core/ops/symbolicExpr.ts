// Integer polynomials over dimension symbols, with floor division, Max and Min as opaque atoms: the
// arithmetic shape inference does on symbolic dims (`8*s0`, `s1 + 1`, `floor((H + 1)/2)`). The text
// form follows sympy's printing, which onnxruntime's symbolic shape inference and PyTorch's exporters
// write into dim_param, so that their expressions read back as expressions. Equal expressions print
// equal text: terms merged and ordered, ceiling written as floor, common factors cancelled.

/** A product of atoms (sorted, repeated for powers) times an integer. */
interface Term {
  readonly atoms: readonly string[];
  readonly coef: number;
}

/** Beyond this many terms or characters an expression is not worth carrying: it becomes unknown. */
const maxTerms = 12;
export const maxExprText = 160;

const key = (atoms: readonly string[]) => atoms.join('\u0000');

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

export class SymExpr {
  private textCache?: string;

  /** Terms merged, without zero coefficients, in canonical order. */
  private constructor(readonly terms: readonly Term[]) {}

  static constant(n: number): SymExpr {
    return new SymExpr(n === 0 ? [] : [{ atoms: [], coef: n }]);
  }

  static atom(name: string): SymExpr {
    return new SymExpr([{ atoms: [name], coef: 1 }]);
  }

  /** Undefined when a coefficient leaves the safe integers or the expression grows too large. */
  private static of(terms: Term[]): SymExpr | undefined {
    const merged = new Map<string, Term>();
    for (const t of terms) {
      const k = key(t.atoms);
      const prev = merged.get(k);
      const coef = (prev?.coef ?? 0) + t.coef;
      if (!Number.isSafeInteger(coef)) return undefined;
      merged.set(k, { atoms: t.atoms, coef });
    }
    const kept = [...merged.values()].filter((t) => t.coef !== 0);
    if (kept.length > maxTerms) return undefined;
    kept.sort((a, b) => b.atoms.length - a.atoms.length || (key(a.atoms) < key(b.atoms) ? -1 : key(a.atoms) > key(b.atoms) ? 1 : 0));
    return new SymExpr(kept);
  }

  get isConstant(): boolean {
    return this.terms.every((t) => t.atoms.length === 0);
  }

  /** The value of a constant expression, else undefined. */
  get value(): number | undefined {
    if (!this.isConstant) return undefined;
    return this.terms[0]?.coef ?? 0;
  }

  /** The atom when the expression is exactly one symbol. */
  get soleAtom(): string | undefined {
    const t = this.terms[0];
    return this.terms.length === 1 && t.coef === 1 && t.atoms.length === 1 ? t.atoms[0] : undefined;
  }

  equals(other: SymExpr): boolean {
    return this.text === other.text;
  }

  add(other: SymExpr): SymExpr | undefined {
    return SymExpr.of([...this.terms, ...other.terms]);
  }

  neg(): SymExpr {
    return new SymExpr(this.terms.map((t) => ({ atoms: t.atoms, coef: -t.coef })));
  }

  sub(other: SymExpr): SymExpr | undefined {
    return this.add(other.neg());
  }

  mul(other: SymExpr): SymExpr | undefined {
    const terms: Term[] = [];
    for (const a of this.terms) {
      for (const b of other.terms) {
        const coef = a.coef * b.coef;
        if (!Number.isSafeInteger(coef)) return undefined;
        terms.push({ atoms: [...a.atoms, ...b.atoms].sort(), coef });
      }
    }
    return SymExpr.of(terms);
  }

  /** floor(this / other) for integer-valued atoms; exact quotients where the division is exact. */
  floorDiv(other: SymExpr): SymExpr | undefined {
    const k = other.value;
    if (k === 0) return undefined;
    if (k !== undefined) {
      if (k < 0) return this.neg().floorDiv(SymExpr.constant(-k));
      if (k === 1) return this;
      // floor((k*P + R)/k) = P + floor(R/k) for integer P, with every coefficient of R in [0, k).
      const whole: Term[] = [];
      const rest: Term[] = [];
      for (const t of this.terms) {
        const q = Math.floor(t.coef / k);
        const r = t.coef - q * k;
        if (q) whole.push({ atoms: t.atoms, coef: q });
        if (r) rest.push({ atoms: t.atoms, coef: r });
      }
      const p = SymExpr.of(whole);
      if (!p) return undefined;
      if (rest.every((t) => t.atoms.length === 0)) return p;
      const nested = nestedFloor(rest);
      if (nested) {
        // floor((floor(q/a) + c)/k) = floor((q + c*a)/(a*k)) for integers: one floor, not two.
        const inner = nested.q.add(SymExpr.constant(nested.c * nested.a))?.floorDiv(SymExpr.constant(nested.a * k));
        return inner && p.add(inner);
      }
      const g = rest.reduce((n, t) => gcd(n, t.coef), k);
      const r = SymExpr.of(rest.map((t) => ({ atoms: t.atoms, coef: t.coef / g })));
      if (!r) return undefined;
      const atom = `floor(${r.factorText()}/${k / g})`;
      return atom.length > maxExprText ? undefined : p.add(SymExpr.atom(atom));
    }
    if (this.equals(other)) return SymExpr.constant(1);
    if (this.terms.length === 0) return this;
    const exact = this.divideByMonomial(other);
    if (exact) return exact;
    const g = [...this.terms, ...other.terms].reduce((n, t) => gcd(n, t.coef), 0);
    const num = g > 1 ? this.scaledDown(g) : this;
    const den = g > 1 ? other.scaledDown(g) : other;
    const single = den.terms.length === 1 && den.terms[0].coef === 1 && den.terms[0].atoms.length === 1;
    const atom = `floor(${num.factorText()}/${single ? den.text : `(${den.text})`})`;
    return atom.length > maxExprText ? undefined : SymExpr.atom(atom);
  }

  private scaledDown(g: number): SymExpr {
    return new SymExpr(this.terms.map((t) => ({ atoms: t.atoms, coef: t.coef / g })));
  }

  /** ceiling(this / other), written as floor((this + other - 1)/other) so that both forms print alike. */
  ceilDiv(other: SymExpr): SymExpr | undefined {
    const k = other.value;
    if (k === 0) return undefined;
    if (k !== undefined && k < 0) return this.neg().ceilDiv(other.neg());
    if (k === undefined) {
      if (this.equals(other)) return SymExpr.constant(1);
      const exact = this.divideByMonomial(other);
      if (exact) return exact;
    }
    return this.add(other)?.sub(SymExpr.constant(1))?.floorDiv(other);
  }

  mod(other: SymExpr): SymExpr | undefined {
    const q = this.floorDiv(other);
    const qk = q ? other.mul(q) : undefined;
    return qk ? this.sub(qk) : undefined;
  }

  max(other: SymExpr): SymExpr | undefined {
    return this.extreme(other, 'Max');
  }

  min(other: SymExpr): SymExpr | undefined {
    return this.extreme(other, 'Min');
  }

  private extreme(other: SymExpr, name: 'Max' | 'Min'): SymExpr | undefined {
    const d = this.sub(other);
    if (!d) return undefined;
    if (provablyNonNegative(d)) return name === 'Max' ? this : other;
    if (provablyNonNegative(d.neg())) return name === 'Max' ? other : this;
    const args = [this.text, other.text].sort();
    const atom = `${name}(${args.join(', ')})`;
    return atom.length > maxExprText ? undefined : SymExpr.atom(atom);
  }

  /** this / other when other is one term dividing every term of this. */
  private divideByMonomial(other: SymExpr): SymExpr | undefined {
    if (other.terms.length !== 1) return undefined;
    const d = other.terms[0];
    const terms: Term[] = [];
    for (const t of this.terms) {
      if (t.coef % d.coef !== 0) return undefined;
      const atoms = [...t.atoms];
      for (const a of d.atoms) {
        const i = atoms.indexOf(a);
        if (i < 0) return undefined;
        atoms.splice(i, 1);
      }
      terms.push({ atoms, coef: t.coef / d.coef });
    }
    return SymExpr.of(terms);
  }

  /** The text, in parentheses when it is a sum (as a factor of a product or a fraction). */
  private factorText(): string {
    const text = this.text;
    return this.terms.length > 1 || (this.terms.length === 1 && this.terms[0].coef < 0) ? `(${text})` : text;
  }

  get text(): string {
    if (this.textCache === undefined) this.textCache = this.render();
    return this.textCache;
  }

  private render(): string {
    if (this.terms.length === 0) return '0';
    let out = '';
    this.terms.forEach((t, i) => {
      const body = termText(t.atoms, Math.abs(t.coef));
      if (i === 0) out = t.coef < 0 ? `-${body}` : body;
      else out += t.coef < 0 ? ` - ${body}` : ` + ${body}`;
    });
    return out;
  }
}

/** The parts of `floor(q/a) + c` when a sum is one floor by a number plus a constant. */
function nestedFloor(terms: readonly Term[]): { q: SymExpr; a: number; c: number } | undefined {
  const symbolic = terms.filter((t) => t.atoms.length > 0);
  if (symbolic.length !== 1 || symbolic[0].coef !== 1 || symbolic[0].atoms.length !== 1) return undefined;
  const call = /^floor\((.*)\)$/.exec(symbolic[0].atoms[0]);
  const parts = call ? splitTopLevel(call[1], '/') : [];
  if (parts.length !== 2) return undefined;
  const q = parseExpr(parts[0].trim());
  const a = parseExpr(parts[1].trim())?.value;
  if (!q || a === undefined || a <= 0 || !Number.isSafeInteger(a)) return undefined;
  return { q, a, c: terms.find((t) => t.atoms.length === 0)?.coef ?? 0 };
}

/**
 * The least value an atom can take, where it follows from its form. Symbols are dims of at least 1, as
 * onnxruntime's symbolic inference takes them (sympy's positive integers).
 */
function atomLowerBound(atom: string): number | undefined {
  const call = /^(floor|Max|Min)\((.*)\)$/.exec(atom);
  if (!call) return 1;
  const args = splitTopLevel(call[2], call[1] === 'floor' ? '/' : ',');
  const strip = (a: string) => a.trim().replace(/^\((.*)\)$/, '$1');
  const bounds = args.map((a) => {
    const e = parseExpr(strip(a));
    return e ? lowerBound(e) : undefined;
  });
  if (call[1] === 'floor') {
    const n = bounds[0];
    const k = args.length === 2 ? parseExpr(strip(args[1]))?.value : undefined;
    if (n === undefined || args.length !== 2) return undefined;
    if (k !== undefined && k > 0) return Math.floor(n / k);
    return n >= 0 ? 0 : undefined;
  }
  const known = bounds.filter((b): b is number => b !== undefined);
  if (call[1] === 'Max') return known.length ? Math.max(...known) : undefined;
  return known.length === bounds.length ? Math.min(...known) : undefined;
}

/** Splits at `sep` outside parentheses. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/** A lower bound from the atoms' bounds where every symbol term has a positive coefficient. */
function lowerBound(e: SymExpr): number | undefined {
  let bound = 0;
  for (const t of e.terms) {
    if (t.atoms.length === 0) {
      bound += t.coef;
      continue;
    }
    if (t.coef < 0) return undefined;
    let least = t.coef;
    for (const a of t.atoms) {
      const lb = atomLowerBound(a);
      if (lb === undefined || lb < 0) return undefined;
      least *= lb;
    }
    bound += least;
  }
  return bound;
}

function provablyNonNegative(e: SymExpr): boolean {
  const lb = lowerBound(e);
  return lb !== undefined && lb >= 0;
}

function termText(atoms: readonly string[], coef: number): string {
  const factors: string[] = [];
  if (coef !== 1 || atoms.length === 0) factors.push(String(coef));
  for (let i = 0; i < atoms.length;) {
    let j = i;
    while (j < atoms.length && atoms[j] === atoms[i]) j++;
    factors.push(j - i > 1 ? `${atoms[i]}**${j - i}` : atoms[i]);
    i = j;
  }
  return factors.join('*');
}

// ---- Reading expressions back ----------------------------------------------------------------------

type Token = { kind: 'num'; value: number } | { kind: 'id'; name: string } | { kind: 'op'; op: string };

/**
 * Names as exporters write them. A hyphen between name characters (`batch-size`) is part of the name:
 * a subtraction has spaces around it, as sympy prints it (`s0 - 1`).
 */
const identifier = /^[A-Za-z_][A-Za-z0-9_]*(?:[-.:][A-Za-z0-9_]+)*/;
const operators = ['**', '//', '+', '-', '*', '/', '(', ')', ','];

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ') {
      i++;
      continue;
    }
    const num = /^[0-9]+/.exec(text.slice(i));
    if (num) {
      const value = Number(num[0]);
      if (!Number.isSafeInteger(value)) return undefined;
      tokens.push({ kind: 'num', value });
      i += num[0].length;
      if (identifier.test(text.slice(i))) return undefined;
      continue;
    }
    const id = identifier.exec(text.slice(i));
    if (id) {
      tokens.push({ kind: 'id', name: id[0] });
      i += id[0].length;
      continue;
    }
    const op = operators.find((o) => text.startsWith(o, i));
    if (!op) return undefined;
    tokens.push({ kind: 'op', op });
    i += op.length;
  }
  return tokens;
}

/** A parsed form; true division stays a node so that floor(a/b) reads as one floor division. */
type Ast =
  | { kind: 'expr'; e: SymExpr }
  | { kind: 'div'; a: Ast; b: Ast };

class ExprParser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): SymExpr | undefined {
    const ast = this.sum();
    if (!ast || this.at !== this.tokens.length) return undefined;
    return this.exact(ast);
  }

  private peekOp(): string | undefined {
    const t = this.tokens[this.at];
    return t?.kind === 'op' ? t.op : undefined;
  }

  /** A value as an integer expression: a true division only where it is exact. */
  private exact(ast: Ast): SymExpr | undefined {
    if (ast.kind === 'expr') return ast.e;
    const a = this.exact(ast.a);
    const b = this.exact(ast.b);
    if (!a || !b) return undefined;
    const q = a.floorDiv(b);
    // Exact when q*b gives a back.
    return q && b.mul(q)?.equals(a) ? q : undefined;
  }

  private sum(): Ast | undefined {
    let left = this.product();
    while (left && (this.peekOp() === '+' || this.peekOp() === '-')) {
      const op = this.peekOp();
      this.at++;
      const right = this.product();
      const a = this.exact(left);
      const b = right && this.exact(right);
      if (!a || !b) return undefined;
      const e = op === '+' ? a.add(b) : a.sub(b);
      left = e && { kind: 'expr', e };
    }
    return left;
  }

  private product(): Ast | undefined {
    let left = this.unary();
    while (left && (this.peekOp() === '*' || this.peekOp() === '/' || this.peekOp() === '//')) {
      const op = this.peekOp();
      this.at++;
      const right = this.unary();
      if (!right) return undefined;
      if (op === '/') {
        left = { kind: 'div', a: left, b: right };
        continue;
      }
      const a = this.exact(left);
      const b = this.exact(right);
      if (!a || !b) return undefined;
      const e = op === '*' ? a.mul(b) : a.floorDiv(b);
      left = e && { kind: 'expr', e };
    }
    return left;
  }

  private unary(): Ast | undefined {
    if (this.peekOp() === '-') {
      this.at++;
      const inner = this.unary();
      const e = inner && this.exact(inner);
      return e && { kind: 'expr', e: e.neg() };
    }
    return this.power();
  }

  private power(): Ast | undefined {
    const base = this.primary();
    if (!base || this.peekOp() !== '**') return base;
    this.at++;
    const exponent = this.tokens[this.at++];
    const b = this.exact(base);
    if (!b || exponent?.kind !== 'num' || exponent.value < 1 || exponent.value > 8) return undefined;
    let e: SymExpr | undefined = b;
    for (let i = 1; i < exponent.value && e; i++) e = e.mul(b);
    return e && { kind: 'expr', e };
  }

  private primary(): Ast | undefined {
    const t = this.tokens[this.at++];
    if (!t) return undefined;
    if (t.kind === 'num') return { kind: 'expr', e: SymExpr.constant(t.value) };
    if (t.kind === 'op') {
      if (t.op !== '(') return undefined;
      const inner = this.sum();
      if (this.peekOp() !== ')') return undefined;
      this.at++;
      return inner;
    }
    if (this.peekOp() !== '(') return { kind: 'expr', e: SymExpr.atom(t.name) };
    this.at++;
    const args: Ast[] = [];
    for (;;) {
      const arg = this.sum();
      if (!arg) return undefined;
      args.push(arg);
      const op = this.peekOp();
      this.at++;
      if (op === ')') break;
      if (op !== ',') return undefined;
    }
    return this.call(t.name, args);
  }

  private call(name: string, args: Ast[]): Ast | undefined {
    const wrap = (e: SymExpr | undefined): Ast | undefined => e && { kind: 'expr', e };
    if ((name === 'floor' || name === 'ceiling') && args.length === 1) {
      const arg = args[0];
      if (arg.kind === 'expr') return arg;
      const a = this.exact(arg.a);
      const b = this.exact(arg.b);
      if (!a || !b) return undefined;
      return wrap(name === 'floor' ? a.floorDiv(b) : a.ceilDiv(b));
    }
    const values = args.map((a) => this.exact(a));
    if (values.some((v) => !v)) return undefined;
    const vs = values as SymExpr[];
    if ((name === 'Max' || name === 'Min') && vs.length >= 2) {
      let acc: SymExpr | undefined = vs[0];
      for (const v of vs.slice(1)) acc = acc && (name === 'Max' ? acc.max(v) : acc.min(v));
      return wrap(acc);
    }
    if (name === 'Mod' && vs.length === 2) return wrap(vs[0].mod(vs[1]));
    return undefined;
  }
}

/** Reads an expression written in the text form above (or sympy's); undefined when it is not one. */
export function parseExpr(text: string): SymExpr | undefined {
  if (text.length > maxExprText * 2) return undefined;
  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) return undefined;
  return new ExprParser(tokens).parse();
}

/** An atom's value once its symbols have values (floor, Max and Min atoms computed from their arguments). */
function atomValue(atom: string, symbol: (name: string) => number | undefined): number | undefined {
  const call = /^(floor|Max|Min)\((.*)\)$/.exec(atom);
  if (!call) return symbol(atom);
  const args = splitTopLevel(call[2], call[1] === 'floor' ? '/' : ',').map((a) => {
    const e = parseExpr(a.trim());
    return e ? evaluateExpr(e, symbol) : undefined;
  });
  if (args.some((v) => v === undefined)) return undefined;
  const vs = args as number[];
  if (call[1] === 'floor') return vs.length === 2 && vs[1] !== 0 ? Math.floor(vs[0] / vs[1]) : undefined;
  return call[1] === 'Max' ? Math.max(...vs) : Math.min(...vs);
}

/** The number an expression stands for once its symbols have values; undefined if one is missing. */
export function evaluateExpr(e: SymExpr, symbol: (name: string) => number | undefined): number | undefined {
  let total = 0;
  for (const t of e.terms) {
    let term = t.coef;
    for (const a of t.atoms) {
      const v = atomValue(a, symbol);
      if (v === undefined) return undefined;
      term *= v;
    }
    total += term;
  }
  return total;
}
