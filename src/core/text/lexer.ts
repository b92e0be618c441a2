// Tokens of the ONNX textual syntax. Whitespace and `#` comments separate tokens; `=>` is one token
// only when written without a space, as in the ONNX parser. `#@` comments (annotations.ts) go with the
// token that follows them.
export type TokenKind = 'id' | 'string' | 'int' | 'float' | 'punct' | 'ellipsis' | 'eof' | 'error';

/** A `#@` comment: the text after the mark, and where the whole line comment is. */
export interface RawAnnotation {
  text: string;
  start: number;
  end: number;
}

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Decoded value of a string literal. */
  value?: string;
  start: number;
  end: number;
  /** `#@` comments right before this token. */
  annotations?: RawAnnotation[];
}

const punctuation = new Set(['<', '>', '(', ')', '[', ']', '{', '}', ',', '=', ':', '@', '.', '?']);

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdPart = (c: string) => isIdStart(c) || isDigit(c);

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pending: RawAnnotation[] | undefined;
  const push = (t: Token) => {
    if (pending) {
      t.annotations = pending;
      pending = undefined;
    }
    tokens.push(t);
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') {
      const start = i;
      while (i < n && text[i] !== '\n') i++;
      if (text[start + 1] === '@') (pending ??= []).push({ text: text.slice(start + 2, i).replace(/\r$/, ''), start, end: i });
      continue;
    }
    const start = i;
    if (isIdStart(c)) {
      while (i < n && isIdPart(text[i])) i++;
      push({ kind: 'id', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === '"') {
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const ch = text[i];
        if (ch === '"') {
          closed = true;
          i++;
          break;
        }
        if (ch === '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      if (!closed) {
        push({ kind: 'error', text: 'Unterminated string literal.', start, end: n });
        break;
      }
      push({ kind: 'string', text: text.slice(start, i), value, start, end: i });
      continue;
    }
    if (isDigit(c) || (c === '-' && i + 1 < n && (isDigit(text[i + 1]) || isIdStart(text[i + 1])))) {
      if (c === '-' && !isDigit(text[i + 1])) {
        // -inf, -nan, -infinity
        let j = i + 1;
        while (j < n && isIdPart(text[j])) j++;
        const word = text.slice(i + 1, j).toLowerCase();
        if (word === 'inf' || word === 'infinity' || word === 'nan') {
          push({ kind: 'float', text: text.slice(i, j), start, end: j });
          i = j;
          continue;
        }
        push({ kind: 'punct', text: '-', start, end: i + 1 });
        i++;
        continue;
      }
      if (c === '-') i++;
      let isFloat = false;
      while (i < n && isDigit(text[i])) i++;
      if (text[i] === '.' && !(text[i + 1] === '.' && text[i + 2] === '.')) {
        isFloat = true;
        i++;
        while (i < n && isDigit(text[i])) i++;
      }
      if (text[i] === 'e' || text[i] === 'E') {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (isDigit(text[j] ?? '')) {
          isFloat = true;
          while (j < n && isDigit(text[j])) j++;
          i = j;
        }
      }
      push({ kind: isFloat ? 'float' : 'int', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === '.' && text[i + 1] === '.' && text[i + 2] === '.') {
      push({ kind: 'ellipsis', text: '...', start, end: i + 3 });
      i += 3;
      continue;
    }
    if (c === '=' && text[i + 1] === '>') {
      push({ kind: 'punct', text: '=>', start, end: i + 2 });
      i += 2;
      continue;
    }
    if (punctuation.has(c)) {
      push({ kind: 'punct', text: c, start, end: i + 1 });
      i++;
      continue;
    }
    push({ kind: 'error', text: `Unexpected character '${c}'.`, start, end: i + 1 });
    i++;
  }
  push({ kind: 'eof', text: '', start: n, end: n });
  return tokens;
}
