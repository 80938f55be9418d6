// Go's strings, net/url, encoding/base64 and text/template escapers, rune- and byte-exact where Go
// is, for the template functions. Pure string functions; failures throw FuncCallError with Go's text.

import { FuncCallError } from './errors.js';
import { decodeUtf8, goQuote, isAscii, isPrint, utf8Bytes } from './strconv.js';

const GO_SPACE_RE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** unicode.IsSpace. */
function isGoSpace(ch: string): boolean {
  return GO_SPACE_RE.test(ch);
}

/** strings.TrimSpace. */
export function trimSpace(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && isGoSpace(s[i])) i++;
  while (j > i && isGoSpace(s[j - 1])) j--;
  return s.slice(i, j);
}

function cutsetHas(cutset: string, s: string, i: number): number {
  const r = s.codePointAt(i)!;
  const w = r > 0xffff ? 2 : 1;
  return cutset.includes(s.slice(i, i + w)) ? w : 0;
}

/** strings.TrimLeft: drops leading runes contained in cutset. */
export function trimLeft(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  let i = 0;
  for (;;) {
    if (i >= s.length) break;
    const w = cutsetHas(cutset, s, i);
    if (w === 0) break;
    i += w;
  }
  return s.slice(i);
}

/** strings.TrimRight: drops trailing runes contained in cutset. */
export function trimRight(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  let j = s.length;
  while (j > 0) {
    const c = s.charCodeAt(j - 1);
    const w = c >= 0xdc00 && c < 0xe000 && j >= 2 && s.charCodeAt(j - 2) >= 0xd800 && s.charCodeAt(j - 2) < 0xdc00 ? 2 : 1;
    if (!cutset.includes(s.slice(j - w, j))) break;
    j -= w;
  }
  return s.slice(0, j);
}

/** strings.Trim. */
export function trim(s: string, cutset: string): string {
  return trimRight(trimLeft(s, cutset), cutset);
}

export function trimPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

export function trimSuffix(s: string, suffix: string): string {
  return suffix !== '' && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

/** strings.Replace(s, old, new, n); n < 0 replaces all. */
export function replace(s: string, old: string, nu: string, n: number): string {
  if (old === nu || n === 0) return s;
  if (old !== '') {
    if (n < 0) return s.split(old).join(nu);
    let out = '';
    let start = 0;
    for (let i = 0; i < n; i++) {
      const j = s.indexOf(old, start);
      if (j < 0) break;
      out += s.slice(start, j) + nu;
      start = j + old.length;
    }
    return out + s.slice(start);
  }
  const runes = [...s];
  const m = runes.length + 1;
  if (n < 0 || m < n) n = m;
  let out = '';
  for (let i = 0; i < n; i++) out += (i > 0 ? runes[i - 1] : '') + nu;
  return out + runes.slice(n - 1).join('');
}

/** strings.Repeat; panics (here: throws) on a negative count, as Go does. */
export function repeat(s: string, count: number): string {
  if (count < 0) throw new FuncCallError('strings: negative Repeat count');
  return s.repeat(count);
}

function mapRunes(s: string, upper: boolean): string {
  if (isAscii(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    if (ch === '\u0130' && !upper) {
      out += 'i';
      continue;
    }
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

/** strings.ToUpper (Unicode simple case mapping, rune by rune). */
export function toUpper(s: string): string {
  return mapRunes(s, true);
}

/** strings.ToLower. */
export function toLower(s: string): string {
  return mapRunes(s, false);
}

const LETTER_DIGIT_RE = /[\p{L}\p{Nd}]/u;

function isSeparator(ch: string): boolean {
  const r = ch.codePointAt(0)!;
  if (r <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (LETTER_DIGIT_RE.test(ch)) return false;
  return isGoSpace(ch);
}

/** strings.Title: upper-cases the first letter of every word. */
export function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? toUpper(ch) : ch;
    prev = ch;
  }
  return out;
}

const HEX = '0123456789ABCDEF';

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += '+';
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

const isHexByte = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** url.QueryUnescape; throws `invalid URL escape "%zz"`. */
export function queryUnescape(s: string): string {
  const b = utf8Bytes(s);
  const out: number[] = [];
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c === 0x25) {
      if (i + 2 >= b.length || !isHexByte(b[i + 1]) || !isHexByte(b[i + 2])) {
        const bad = decodeUtf8(b.subarray(i, Math.min(i + 3, b.length)));
        throw new FuncCallError(`invalid URL escape ${goQuote(bad)}`);
      }
      out.push(Number.parseInt(String.fromCharCode(b[i + 1], b[i + 2]), 16));
      i += 3;
    } else {
      out.push(c === 0x2b ? 0x20 : c);
      i++;
    }
  }
  return decodeUtf8(Uint8Array.from(out));
}

/** template.HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case '\0':
        return '\ufffd';
      case '"':
        return '&#34;';
      case "'":
        return '&#39;';
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      default:
        return '&gt;';
    }
  });
}

/** template.JSEscapeString. */
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (r < 0x20) out += '\\u00' + HEX[r >> 4] + HEX[r & 15];
    else if (r < 0x80 || isPrint(r)) out += ch;
    else out += '\\u' + r.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

export function base64Encode(s: string): string {
  return Buffer.from(utf8Bytes(s)).toString('base64');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_MAP = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_MAP[B64.charCodeAt(i)] = i;

/** base64.StdEncoding.DecodeString as Sprig's b64dec uses it: the decoded text, or the error text. */
export function base64Decode(s: string): string {
  const src = utf8Bytes(s);
  const dst: number[] = [];
  const corrupt = (at: number): string => `illegal base64 data at input byte ${at}`;
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing = -1;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return decodeUtf8(Uint8Array.from(dst));
        return corrupt(si - j);
      }
      const inb = src[si++];
      const out = B64_MAP[inb];
      if (out >= 0) {
        dbuf[j] = out;
        continue;
      }
      if (inb === 0x0a || inb === 0x0d) {
        j--;
        continue;
      }
      if (inb !== 0x3d) return corrupt(si - 1);
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) dst.push(bytes[k]);
    if (trailing >= 0) return corrupt(trailing);
    if (dlen < 4) break;
  }
  return decodeUtf8(Uint8Array.from(dst));
}
