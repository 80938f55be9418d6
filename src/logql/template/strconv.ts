// Go strconv and unicode/utf8 behaviour the template engine needs: number literals (base prefixes,
// underscores), quoting and unquoting with Go escapes, UTF-8 byte views of JS strings. Pure; no I/O.

const PRINTABLE_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const ASCII_RE = /^[\x00-\x7f]*$/;

/** Go unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(r: number): boolean {
  if (r < 0x7f) return r >= 0x20;
  if (r < 0xa1) return false;
  if (r >= 0xd800 && r < 0xe000) return false;
  return PRINTABLE_RE.test(String.fromCodePoint(r));
}

export function isAscii(s: string): boolean {
  return ASCII_RE.test(s);
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of a JS string (lone surrogates become U+FFFD, as Go would have stored them). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Length of a string in UTF-8 bytes (Go's len). */
export function utf8Length(s: string): number {
  if (isAscii(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Decodes UTF-8 the way Go ranges over a string: every byte that does not start a valid sequence
 * becomes one U+FFFD (what Loki's JSON encoder emits for broken bytes).
 */
export function decodeUtf8(b: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      let j = i + 1;
      while (j < b.length && b[j] < 0x80) j++;
      out += String.fromCharCode(...b.subarray(i, Math.min(j, i + 8192)));
      i = Math.min(j, i + 8192);
      continue;
    }
    let need = 0;
    let r = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      r = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      r = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      r = c & 0x07;
      min = 0x10000;
    }
    let ok = need > 0 && i + need < b.length;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const cc = b[i + k];
        if (cc === undefined || (cc & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        r = (r << 6) | (cc & 0x3f);
      }
    }
    if (ok && (r < min || r > 0x10ffff || (r >= 0xd800 && r < 0xe000))) ok = false;
    if (ok) {
      out += String.fromCodePoint(r);
      i += need + 1;
    } else {
      out += '\ufffd';
      i += 1;
    }
  }
  return out;
}

/** Go's s[from:to] on the UTF-8 bytes of s. */
export function byteSlice(s: string, from: number, to: number): string {
  if (isAscii(s)) return s.slice(from, to);
  return decodeUtf8(utf8Bytes(s).subarray(from, to));
}

// ---------------------------------------------------------------------------------------------
// Quoting

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(r: number, quote: number, asciiOnly: boolean): string {
  if (r === quote || r === 0x5c) return '\\' + String.fromCodePoint(r);
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) return String.fromCodePoint(r);
  switch (r) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000)) r = 0xfffd;
  if (r < 0x10000) return '\\u' + hex(r, 4);
  return '\\U' + hex(r, 8);
}

/** strconv.Quote (asciiOnly: strconv.QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, 0x22, asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune (asciiOnly: strconv.QuoteRuneToASCII). */
export function goQuoteRune(r: number, asciiOnly = false): string {
  if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000) || r < 0) r = 0xfffd;
  return "'" + escapeRune(r, 0x27, asciiOnly) + "'";
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r === 0xfeff || r === 0x60 || r === 0xfffd) return false;
    if ((r < 0x20 && r !== 0x09) || r === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Unquoting

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

export interface UnquotedChar {
  value: number;
  /** False for \x and octal escapes: the value is one raw byte. */
  multibyte: boolean;
  /** Index in s after the character. */
  next: number;
}

/** strconv.UnquoteChar on s starting at index i; undefined on ErrSyntax. */
export function unquoteChar(s: string, i: number, quote: number): UnquotedChar | undefined {
  if (i >= s.length) return undefined;
  const c = s.charCodeAt(i);
  if (c === quote && (quote === 0x27 || quote === 0x22)) return undefined;
  if (c >= 0x80) {
    const r = s.codePointAt(i)!;
    return { value: r, multibyte: true, next: i + (r > 0xffff ? 2 : 1) };
  }
  if (c !== 0x5c) return { value: c, multibyte: false, next: i + 1 };
  if (i + 1 >= s.length) return undefined;
  const e = s[i + 1];
  let j = i + 2;
  switch (e) {
    case 'a':
      return { value: 7, multibyte: false, next: j };
    case 'b':
      return { value: 8, multibyte: false, next: j };
    case 'f':
      return { value: 12, multibyte: false, next: j };
    case 'n':
      return { value: 10, multibyte: false, next: j };
    case 'r':
      return { value: 13, multibyte: false, next: j };
    case 't':
      return { value: 9, multibyte: false, next: j };
    case 'v':
      return { value: 11, multibyte: false, next: j };
    case '\\':
      return { value: 0x5c, multibyte: false, next: j };
    case "'":
    case '"':
      if (e.charCodeAt(0) !== quote) return undefined;
      return { value: e.charCodeAt(0), multibyte: false, next: j };
    case 'x':
    case 'u':
    case 'U': {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      if (j + n > s.length) return undefined;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const x = unhex(s.charCodeAt(j + k));
        if (x < 0) return undefined;
        v = v * 16 + x;
      }
      j += n;
      if (e === 'x') return { value: v, multibyte: false, next: j };
      if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return undefined;
      return { value: v, multibyte: true, next: j };
    }
    default: {
      const d0 = e.charCodeAt(0) - 0x30;
      if (d0 < 0 || d0 > 7) return undefined;
      if (j + 2 > s.length) return undefined;
      let v = d0;
      for (let k = 0; k < 2; k++) {
        const x = s.charCodeAt(j + k) - 0x30;
        if (x < 0 || x > 7) return undefined;
        v = (v << 3) | x;
      }
      if (v > 255) return undefined;
      return { value: v, multibyte: false, next: j + 2 };
    }
  }
}

function appendUtf8(bytes: number[], r: number): void {
  if (r < 0x80) bytes.push(r);
  else if (r < 0x800) bytes.push(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  else if (r < 0x10000) bytes.push(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  else bytes.push(0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
}

/** strconv.Unquote for "..." and `...` literals; undefined on ErrSyntax ("invalid syntax"). */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s.charCodeAt(0);
  if (q === 0x60) {
    if (s.charCodeAt(s.length - 1) !== 0x60 || s.indexOf('`', 1) !== s.length - 1) return undefined;
    return s.slice(1, -1).replace(/\r/g, '');
  }
  if (q !== 0x22 && q !== 0x27) return undefined;
  if (s.charCodeAt(s.length - 1) !== q) return undefined;
  const body = s.slice(1, -1);
  if (q === 0x22 && body.indexOf('\\') < 0 && body.indexOf('\n') < 0 && body.indexOf('"') < 0) return body;
  const bytes: number[] = [];
  let i = 1;
  const end = s.length - 1;
  let count = 0;
  while (i < end) {
    if (s.charCodeAt(i) === 0x0a) return undefined;
    const u = unquoteChar(s, i, q);
    if (!u) return undefined;
    if (u.value < 0x80 || !u.multibyte) bytes.push(u.value);
    else appendUtf8(bytes, u.value);
    i = u.next;
    count++;
    if (q === 0x27) break;
  }
  if (i !== end || (q === 0x27 && count !== 1)) return undefined;
  return decodeUtf8(Uint8Array.from(bytes));
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Go's underscoreOK: underscores only between digits (a base prefix counts as a digit). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hexa = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hexa = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hexa && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

export type NumError = 'syntax' | 'range';

const MAX_UINT64 = (1n << 64n) - 1n;
const SMALL_DECIMAL_RE = /^[0-9]+$/;

/** strconv.ParseUint(s, base, 64) for base 0 (Go literal prefixes) or 10. */
export function parseUint(s: string, base0: boolean): bigint | NumError {
  if (s === '') return 'syntax';
  if (s.length <= 15 && (s[0] !== '0' || s.length === 1 || !base0) && SMALL_DECIMAL_RE.test(s)) return BigInt(Number(s));
  let base = 10;
  let body = s;
  if (base0 && s[0] === '0') {
    const p = s.length >= 3 ? s[1].toLowerCase() : '';
    if (p === 'b') base = 2;
    else if (p === 'o') base = 8;
    else if (p === 'x') base = 16;
    else base = 8;
    body = base === 8 && p !== 'o' ? s.slice(1) : s.slice(2);
  }
  let n = 0n;
  const b = BigInt(base);
  let underscores = false;
  let overflow = false;
  for (const c of body) {
    if (c === '_' && base0) {
      underscores = true;
      continue;
    }
    let d: number;
    const lc = c.toLowerCase();
    if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
    else if (lc >= 'a' && lc <= 'z' && lc.length === 1) d = lc.charCodeAt(0) - 87;
    else return 'syntax';
    if (d >= base) return 'syntax';
    if (!overflow) {
      n = n * b + BigInt(d);
      if (n > MAX_UINT64) overflow = true;
    }
  }
  if (underscores && !underscoreOK(s)) return 'syntax';
  return overflow ? 'range' : n;
}

/** strconv.ParseInt(s, base, 64). */
export function parseInt64(s: string, base0: boolean): bigint | NumError {
  if (s === '') return 'syntax';
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    body = s.slice(1);
  }
  const u = parseUint(body, base0);
  if (typeof u === 'string') return u;
  if (!neg && u >= 1n << 63n) return 'range';
  if (neg && u > 1n << 63n) return 'range';
  return neg ? -u : u;
}

const DEC_FLOAT_RE = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?$/;
const HEX_FLOAT_RE = /^([+-]?)0[xX]([0-9a-fA-F_]*)\.?([0-9a-fA-F_]*)[pP]([+-]?[0-9][0-9_]*)$/;
const SPECIAL_FLOAT_RE = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64): decimal, hex (0x1.8p3), inf/infinity/nan, Go underscores. */
export function parseFloat64(s: string): number | NumError {
  const sp = SPECIAL_FLOAT_RE.exec(s);
  if (sp) {
    if (sp[2].toLowerCase() === 'nan') return sp[1] === '' ? NaN : 'syntax';
    return sp[1] === '-' ? -Infinity : Infinity;
  }
  let v: number;
  const hx = HEX_FLOAT_RE.exec(s);
  if (hx) {
    const intPart = hx[2].replace(/_/g, '');
    const frac = hx[3].replace(/_/g, '');
    if (intPart === '' && frac === '') return 'syntax';
    if (s.includes('_') && !underscoreOK(s.slice(0, s.search(/[pP]/)))) return 'syntax';
    const mant = BigInt('0x' + (intPart + frac || '0'));
    const exp = Number(hx[4].replace(/_/g, '')) - 4 * frac.length;
    v = Number(mant) * Math.pow(2, exp);
    if (hx[1] === '-') v = -v;
  } else {
    if (!DEC_FLOAT_RE.test(s) || !/[0-9]/.test(s.replace(/[eE].*$/, ''))) return 'syntax';
    if (s.includes('_') && !underscoreOK(s.replace(/[eE].*$/, ''))) return 'syntax';
    v = Number(s.replace(/_/g, ''));
    if (Number.isNaN(v)) return 'syntax';
  }
  if (!Number.isFinite(v)) return 'range';
  return v;
}

/** The text of a strconv.NumError: `strconv.ParseInt: parsing "x": invalid syntax`. */
export function numErrorText(fn: string, input: string, err: NumError): string {
  return `strconv.${fn}: parsing ${goQuote(input)}: ${err === 'syntax' ? 'invalid syntax' : 'value out of range'}`;
}
