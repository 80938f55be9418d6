// The LogQL lexer: turns a query into chevrotain tokens exactly as Loki's lex.go on top of Go's
// text/scanner does (positions, durations/bytes after numbers, function tokens, ranges, errors).
// It never parses and never throws: the first lexical error is returned with the tokens before it.
import { createTokenInstance, type IToken } from 'chevrotain';
import { parseGoDuration } from '../../model/time.js';
import { FUNCTION_TEXT, KEYWORD_TEXT, T, type TokenName } from './tokens.js';
import { parseHumanBytes } from './numbers.js';

/** What Loki's lexer hands the parser with a token (its `lval`). */
export type TokenValue =
  | { kind: 'string'; value: string }
  | { kind: 'duration'; value: bigint }
  | { kind: 'bytes'; value: number }
  | { kind: 'text'; value: string };

/** Position Loki reports for an error at a token: line 0 when the lexer read ahead with Next(). */
export interface ErrorPosition {
  line: number;
  col: number;
}

export interface LexedToken extends IToken {
  payload: { value: TokenValue; pos: ErrorPosition };
}

export interface LexError {
  message: string;
  pos: ErrorPosition;
}

export interface LexResult {
  /** Tokens up to (not including) the first lexical error. */
  tokens: LexedToken[];
  error?: LexError;
  /** Where Loki reports an error at the end of input. */
  endPos: ErrorPosition;
}

const GO_WHITESPACE = new Set(['\t', '\n', '\r', ' ']);
const DURATION_RUNES = new Set(['n', 'u', 'µ', 'm', 's', 'h', 'd', 'w', 'y']);
const BYTES_RUNES = new Set(['B', 'i', 'k', 'K', 'M', 'G', 'T', 'P']);
const PARSER_FLAGS = new Set(['--strict', '--keep-empty']);

// Unicode classes with ASCII fast paths (the lexer runs these per character).
const isDecimal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAsciiLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && (isAsciiLetter(c) || (c > '\x7f' && /\p{L}/u.test(c)));
const isDigitRune = (c: string | undefined): boolean => isDecimal(c) || (c !== undefined && c > '\x7f' && /\p{Nd}/u.test(c));
const isNumberRune = (c: string | undefined): boolean => isDecimal(c) || (c !== undefined && c > '\x7f' && /\p{N}/u.test(c));
const isSpaceRune = (c: string | undefined): boolean =>
  c !== undefined &&
  (c === ' ' || (c >= '\t' && c <= '\r') || (c > '\x7f' && /^[\u0085\u00a0\p{Zs}\u2028\u2029]$/u.test(c)));
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isIdentRune = (c: string | undefined, first: boolean): boolean =>
  c === '_' || isLetter(c) || (!first && isDigitRune(c));

/** Go's %q for a single rune. */
function quoteRune(c: string): string {
  return c === "'" ? "'\\''" : `'${c}'`;
}

function litName(prefix: string): string {
  switch (prefix) {
    case 'x':
      return 'hexadecimal literal';
    case 'o':
    case '0':
      return 'octal literal';
    case 'b':
      return 'binary literal';
    default:
      return 'decimal literal';
  }
}

/** Index of the first misplaced '_' in a Go number literal, or -1 (text/scanner invalidSep). */
function invalidSep(x: string): number {
  let x1 = ' ';
  let d = '.';
  let i = 0;
  if (x.length >= 2 && x[0] === '0') {
    x1 = x[1].toLowerCase();
    if (x1 === 'x' || x1 === 'o' || x1 === 'b') {
      d = '0';
      i = 2;
    }
  }
  for (; i < x.length; i++) {
    const p = d;
    d = x[i];
    if (d === '_') {
      if (p !== '0') return i;
    } else if (isDecimal(d) || (x1 === 'x' && isHex(d))) {
      d = '0';
    } else {
      if (p === '_') return i - 1;
      d = '.';
    }
  }
  return d === '_' ? x.length - 1 : -1;
}

const PROM_UNITS: ReadonlyArray<[string, number, bigint]> = [
  ['y', 1, 365n * 24n * 3600n * 1_000_000_000n],
  ['w', 2, 7n * 24n * 3600n * 1_000_000_000n],
  ['d', 3, 24n * 3600n * 1_000_000_000n],
  ['h', 4, 3600n * 1_000_000_000n],
  ['m', 5, 60n * 1_000_000_000n],
  ['s', 6, 1_000_000_000n],
  ['ms', 7, 1_000_000n],
];
const MAX_INT64 = 9223372036854775807n;

/** Prometheus model.ParseDuration with its error texts. */
export function parsePromDurationStrict(s: string): { ok: true; value: bigint } | { ok: false; error: string } {
  if (s === '0') return { ok: true, value: 0n };
  if (s === '') return { ok: false, error: 'empty duration string' };
  const q = JSON.stringify(s);
  const invalid = { ok: false as const, error: `not a valid duration string: ${q}` };
  let rest = s;
  let total = 0n;
  let lastPos = 0;
  while (rest !== '') {
    const num = /^[0-9]*/.exec(rest)![0];
    if (num === '') return invalid;
    const v = BigInt(num);
    if (v > 18446744073709551615n) return invalid;
    rest = rest.slice(num.length);
    const unit = /^[^0-9]*/.exec(rest)![0];
    if (unit === '') return invalid;
    rest = rest.slice(unit.length);
    const u = PROM_UNITS.find(([name]) => name === unit);
    if (!u) return { ok: false, error: `unknown unit ${JSON.stringify(unit)} in duration ${q}` };
    if (u[1] <= lastPos) return invalid;
    lastPos = u[1];
    if (v > (1n << 63n) / u[2]) return { ok: false, error: 'duration out of range' };
    total += v * u[2];
    if (total > MAX_INT64) return { ok: false, error: 'duration out of range' };
  }
  return { ok: true, value: total };
}

/** Loki's parseDuration: Prometheus units first, then Go's time.ParseDuration. */
function parseLokiDuration(s: string): bigint | undefined {
  const prom = parsePromDurationStrict(s);
  if (prom.ok) return prom.value;
  const go = parseGoDuration(s);
  if (go === undefined || go > MAX_INT64 || go < -MAX_INT64 - 1n) return undefined;
  return go;
}

/** Go strconv-style unquoting of a "…" or `…` literal (Prometheus strutil.Unquote). */
export function unquoteGo(text: string): string | undefined {
  if (text.length < 2) return undefined;
  const quote = text[0];
  if (quote !== text[text.length - 1]) return undefined;
  const body = text.slice(1, -1);
  if (quote === '`') return body.includes('`') ? undefined : body;
  if (quote !== '"' && quote !== "'") return undefined;
  if (body.includes('\n')) return undefined;
  if (!body.includes('\\') && !body.includes(quote)) return body;
  const bytes: number[] = [];
  const pushString = (s: string): void => {
    for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
  };
  const chars = [...body];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i++];
    if (c === quote) return undefined;
    if (c !== '\\') {
      pushString(c);
      continue;
    }
    if (i >= chars.length) return undefined;
    const e = chars[i++];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e in simple) {
      pushString(simple[e]);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = chars.slice(i, i + n).join('');
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
      i += n;
      const v = parseInt(hex, 16);
      if (e === 'x') bytes.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return undefined;
        pushString(String.fromCodePoint(v));
      }
    } else if (e >= '0' && e <= '7') {
      const oct = e + chars.slice(i, i + 2).join('');
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      i += 2;
      const v = parseInt(oct, 8);
      if (v > 255) return undefined;
      bytes.push(v);
    } else if (e === "'" || e === '"') {
      if (e !== quote) return undefined;
      pushString(e);
    } else {
      return undefined;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Scans a whole query the way Loki's lexer feeds its parser. */
export function lex(input: string): LexResult {
  const cs = [...input];
  const n = cs.length;
  // Line starts (character indexes) for Go's 1-based line/column of a character.
  const lineStarts = [0];
  for (let i = 0; i < n; i++) if (cs[i] === '\n') lineStarts.push(i + 1);
  const lineIndex = (i: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const lineOf = (i: number): number => lineIndex(i) + 1;
  const colOf = (i: number): number => i - lineStarts[lineIndex(i)] + 1;
  // UTF-16 offsets of character indexes (identical when the input has no astral characters).
  const astral = n !== input.length;
  const offsets: number[] = [];
  if (astral) {
    let off = 0;
    for (let i = 0; i < n; i++) {
      offsets.push(off);
      off += cs[i].length;
    }
    offsets.push(off);
  }
  const offsetOf = (i: number): number => (astral ? offsets[i] : i);
  const textOf = (start: number, end: number): string => input.slice(offsetOf(start), offsetOf(end));
  const endPos: ErrorPosition = n === 0 ? { line: 0, col: 0 } : { line: lineOf(n), col: colOf(n) };
  const tokens: LexedToken[] = [];
  let pos = cs[0] === '\ufeff' ? 1 : 0;
  // The scanner's one-rune lookahead at the start of a Scan (the rune right after the last consumed one).
  let lookaheadAtScan = pos;

  const push = (name: TokenName, start: number, end: number, value: TokenValue, readAhead: boolean): void => {
    const line = lineOf(start);
    const col = colOf(start);
    const tok = createTokenInstance(T[name], textOf(start, end), offsetOf(start), offsetOf(end) - 1, line, line, col, col) as LexedToken;
    tok.payload = { value, pos: { line: readAhead ? 0 : line, col } };
    tokens.push(tok);
  };

  for (;;) {
    lookaheadAtScan = pos;
    while (pos < n && GO_WHITESPACE.has(cs[pos])) pos++;
    if (pos >= n) return { tokens, endPos };
    const start = pos;
    const at: ErrorPosition = { line: lineOf(start), col: colOf(start) };
    const fail = (message: string, readAhead = false): LexResult => ({
      tokens,
      endPos,
      error: { message, pos: readAhead ? { line: 0, col: at.col } : at },
    });
    const c = cs[pos];
    if (c === '\0') return fail('invalid character NUL');
    if (/[\ud800-\udfff]/.test(c)) return fail('invalid UTF-8 encoding');

    if (isIdentRune(c, true)) {
      pos++;
      while (pos < n && isIdentRune(cs[pos], false)) pos++;
      const text = textOf(start, pos);
      const lower = text.toLowerCase();
      const fn = FUNCTION_TEXT[lower];
      if (fn !== undefined) {
        push(isFunctionCall(cs, pos) ? fn : 'IDENTIFIER', start, pos, { kind: 'text', value: text }, false);
        continue;
      }
      const kw = KEYWORD_TEXT[lower];
      push(kw ?? 'IDENTIFIER', start, pos, { kind: 'text', value: text }, false);
      continue;
    }

    if (isDecimal(c) || (c === '.' && isDecimal(cs[pos + 1]))) {
      const scanned = scanNumber(cs, pos, c === '.', !isSpaceRune(cs[lookaheadAtScan]));
      if (scanned.error) return fail(scanned.error);
      pos = scanned.end;
      const text = textOf(start, pos);
      const suffix = (accept: (r: string) => boolean): number => {
        let j = pos;
        while (j < n && !isSpaceRune(cs[j]) && (isNumberRune(cs[j]) || accept(cs[j]) || cs[j] === '.')) j++;
        return j;
      };
      const durEnd = suffix((r) => DURATION_RUNES.has(r));
      if (durEnd > pos) {
        const d = parseLokiDuration(text + textOf(pos, durEnd));
        if (d !== undefined) {
          pos = durEnd;
          push('DURATION', start, pos, { kind: 'duration', value: d }, true);
          continue;
        }
      }
      const bytesEnd = suffix((r) => BYTES_RUNES.has(r));
      if (bytesEnd > pos) {
        const b = parseHumanBytes(text + textOf(pos, bytesEnd));
        if (b !== undefined) {
          pos = bytesEnd;
          push('BYTES', start, pos, { kind: 'bytes', value: b }, true);
          continue;
        }
      }
      push('NUMBER', start, pos, { kind: 'text', value: text }, false);
      continue;
    }

    if (c === '"' || c === "'") {
      const scanned = scanQuoted(cs, pos, c);
      if (scanned.error) return fail(scanned.error);
      pos = scanned.end;
      const text = textOf(start, pos);
      if (c === "'") {
        push('IDENTIFIER', start, pos, { kind: 'text', value: text }, false);
        continue;
      }
      const value = unquoteGo(text);
      if (value === undefined) return fail('invalid syntax');
      push('STRING', start, pos, { kind: 'string', value }, false);
      continue;
    }

    if (c === '`') {
      let j = pos + 1;
      while (j < n && cs[j] !== '`') j++;
      if (j >= n) return fail('literal not terminated');
      pos = j + 1;
      const text = textOf(start, pos);
      push('STRING', start, pos, { kind: 'string', value: text.slice(1, -1) }, false);
      continue;
    }

    if (c === '#') {
      pos++;
      while (pos < n && cs[pos] !== '\n') pos++;
      if (pos < n) pos++;
      continue;
    }

    if (c === '[') {
      let j = pos + 1;
      while (j < n && cs[j] !== ']') j++;
      if (j >= n) return fail("missing closing ']' in duration", true);
      const d = parsePromDurationStrict(textOf(pos + 1, j));
      if (!d.ok) return fail(d.error, true);
      pos = j + 1;
      push('RANGE', start, pos, { kind: 'duration', value: d.value }, true);
      continue;
    }

    if (c === '-') {
      if (cs[pos + 1] === '-') {
        let j = pos + 1;
        while (j < n && (isLetter(cs[j]) || cs[j] === '-')) j++;
        const flag = textOf(pos, j);
        if (PARSER_FLAGS.has(flag)) {
          pos = j;
          push('PARSER_FLAG', start, pos, { kind: 'text', value: flag }, true);
          continue;
        }
      }
      let j = pos + 1;
      while (j < n && !isSpaceRune(cs[j]) && (isNumberRune(cs[j]) || DURATION_RUNES.has(cs[j]) || cs[j] === '.')) j++;
      if (j > pos + 1) {
        const d = parseLokiDuration(textOf(pos, j));
        if (d !== undefined) {
          pos = j;
          push('DURATION', start, pos, { kind: 'duration', value: d }, true);
          continue;
        }
      }
    }

    const two = c + (cs[pos + 1] ?? '');
    const twoTok = KEYWORD_TEXT[two];
    if (twoTok !== undefined && two.length === 2) {
      pos += 2;
      push(twoTok, start, pos, { kind: 'text', value: two }, true);
      continue;
    }
    pos++;
    push(KEYWORD_TEXT[c] ?? 'IDENTIFIER', start, pos, { kind: 'text', value: c }, false);
  }
}

/** Loki's isFunction: after spaces, `(` follows, or `by`/`without` then spaces and `(`. */
function isFunctionCall(cs: string[], from: number): boolean {
  let i = from;
  while (i < cs.length && isSpaceRune(cs[i])) i++;
  if (cs[i] === '(') return true;
  const word = (w: string): boolean => cs.slice(i, i + w.length).join('').toLowerCase() === w;
  for (const w of ['by', 'without']) {
    if (word(w)) {
      let j = i + w.length;
      while (j < cs.length && isSpaceRune(cs[j])) j++;
      return cs[j] === '(';
    }
  }
  return false;
}

/** Go text/scanner scanNumber: end index, or the scanner's error. */
function scanNumber(
  cs: string[],
  start: number,
  seenDotAtStart: boolean,
  binaryPrefixAllowed: boolean,
): { end: number; error?: string } {
  let i = start;
  let base = 10;
  let prefix = '';
  let digsep = 0;
  let invalid = '';
  let isFloat = false;
  let seenDot = seenDotAtStart;
  const digits = (b: number): void => {
    if (b <= 10) {
      const max = String.fromCharCode(48 + b);
      while (isDecimal(cs[i]) || cs[i] === '_') {
        if (cs[i] === '_') digsep |= 2;
        else {
          digsep |= 1;
          if (cs[i] >= max && invalid === '') invalid = cs[i];
        }
        i++;
      }
    } else {
      while (isHex(cs[i]) || cs[i] === '_') {
        digsep |= cs[i] === '_' ? 2 : 1;
        i++;
      }
    }
  };
  if (seenDot) i++;
  else {
    if (cs[i] === '0') {
      i++;
      const l = cs[i]?.toLowerCase();
      if (l === 'x') {
        i++;
        base = 16;
        prefix = 'x';
      } else if (l === 'o') {
        i++;
        base = 8;
        prefix = 'o';
      } else if (l === 'b' && binaryPrefixAllowed) {
        i++;
        base = 2;
        prefix = 'b';
      } else {
        base = 8;
        prefix = '0';
        digsep = 1;
      }
    }
    digits(base);
    if (cs[i] === '.') {
      i++;
      seenDot = true;
    }
  }
  let error: string | undefined;
  const report = (msg: string): void => {
    if (error === undefined) error = msg;
  };
  if (seenDot) {
    isFloat = true;
    if (prefix === 'o' || prefix === 'b') report('invalid radix point in ' + litName(prefix));
    digits(base);
  }
  if ((digsep & 1) === 0) report(litName(prefix) + ' has no digits');
  const e = cs[i]?.toLowerCase();
  if (e === 'e' || e === 'p') {
    if (e === 'e' && prefix !== '' && prefix !== '0') report(`${quoteRune(cs[i])} exponent requires decimal mantissa`);
    if (e === 'p' && prefix !== 'x') report(`${quoteRune(cs[i])} exponent requires hexadecimal mantissa`);
    i++;
    isFloat = true;
    if (cs[i] === '+' || cs[i] === '-') i++;
    const before = digsep;
    digsep = 0;
    digits(10);
    if ((digsep & 1) === 0) report('exponent has no digits');
    digsep |= before;
  } else if (prefix === 'x' && isFloat) {
    report("hexadecimal mantissa requires a 'p' exponent");
  }
  if (!isFloat && invalid !== '') report(`invalid digit ${quoteRune(invalid)} in ${litName(prefix)}`);
  if ((digsep & 2) !== 0 && invalidSep(cs.slice(start, i).join('')) >= 0) report("'_' must separate successive digits");
  return { end: i, error };
}

/** Go text/scanner scanString/scanChar: end index (after the closing quote) or the first error. */
function scanQuoted(cs: string[], start: number, quote: string): { end: number; error?: string } {
  let i = start + 1;
  let count = 0;
  let error: string | undefined;
  for (;;) {
    const c = cs[i];
    if (c === quote) break;
    if (c === undefined || c === '\n') return { end: i, error: error ?? 'literal not terminated' };
    if (c === '\\') {
      i++;
      const e = cs[i];
      if (e !== undefined && 'abfnrtv\\'.includes(e)) i++;
      else if (e === quote) i++;
      else if (e !== undefined && e >= '0' && e <= '7') i = scanEscapeDigits(cs, i, 8, 3, () => (error ??= 'invalid char escape'));
      else if (e === 'x') i = scanEscapeDigits(cs, i + 1, 16, 2, () => (error ??= 'invalid char escape'));
      else if (e === 'u') i = scanEscapeDigits(cs, i + 1, 16, 4, () => (error ??= 'invalid char escape'));
      else if (e === 'U') i = scanEscapeDigits(cs, i + 1, 16, 8, () => (error ??= 'invalid char escape'));
      else error ??= 'invalid char escape';
    } else i++;
    count++;
  }
  if (quote === "'" && count !== 1) error ??= 'invalid char literal';
  return { end: i + 1, error };
}

function scanEscapeDigits(cs: string[], from: number, base: number, count: number, onError: () => void): number {
  let i = from;
  let left = count;
  while (left > 0 && cs[i] !== undefined && parseInt(cs[i], 16) < base && /^[0-9a-fA-F]$/.test(cs[i])) {
    i++;
    left--;
  }
  if (left > 0) onError();
  return i;
}
