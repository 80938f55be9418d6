// Label sets: canonical sorted form, Prometheus-style printing ({a="b", c="d"}), parsing of the
// label strings clients push, and stable fingerprints. Pure: no I/O.

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set sorted by name with unique names. */
export type Labels = readonly Label[];

export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/** Sorts by name (byte order, as Go's sort.Strings) without changing the input. */
export function sortLabels(ls: readonly Label[]): Labels {
  return [...ls].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function labelsFromRecord(rec: Record<string, string>): Labels {
  return sortLabels(Object.entries(rec).map(([name, value]) => ({ name, value })));
}

export function labelsToRecord(ls: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) out[l.name] = l.value;
  return out;
}

export function getLabel(ls: Labels, name: string): string | undefined {
  for (const l of ls) if (l.name === name) return l.value;
  return undefined;
}

/** Go strconv.Quote: printable runes kept, control characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad || (c >= 0xd800 && c < 0xe000))
      out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Prometheus labels.String(): {a="b", c="d"}; the input must already be sorted. */
export function labelsString(ls: Labels): string {
  let out = '{';
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) out += ', ';
    out += ls[i].name + '=' + goQuote(ls[i].value);
  }
  return out + '}';
}

export class LabelParseError extends Error {}

/**
 * Parses a pushed stream label string like `{a="b", c="d"}` (Prometheus metric syntax without a
 * metric name). Errors read like Prometheus' parser: `1:2: parse error: unexpected character inside braces: '0'`.
 * Duplicate names are returned as given (the validator reports them); the result is sorted.
 */
export function parseLabels(input: string): Labels {
  const out: Label[] = [];
  let i = 0;
  const n = input.length;
  const fail = (pos: number, msg: string): never => {
    throw new LabelParseError(`1:${pos + 1}: parse error: ${msg}`);
  };
  const skipWs = (): void => {
    while (i < n && (input[i] === ' ' || input[i] === '\t' || input[i] === '\n' || input[i] === '\r')) i++;
  };
  skipWs();
  if (input[i] !== '{') {
    if (i >= n) fail(i, 'unexpected end of input');
    fail(i, `unexpected character: '${input[i]}'`);
  }
  i++;
  for (;;) {
    skipWs();
    if (i >= n) fail(i, 'unexpected end of input inside braces');
    if (input[i] === '}') {
      i++;
      break;
    }
    const start = i;
    if (!/[a-zA-Z_]/.test(input[i])) fail(i, `unexpected character inside braces: '${input[i]}'`);
    while (i < n && /[a-zA-Z0-9_]/.test(input[i])) i++;
    const name = input.slice(start, i);
    skipWs();
    if (input[i] !== '=') {
      if (i >= n) fail(i, 'unexpected end of input inside braces');
      if (input[i] === '!' || input[i] === '~')
        fail(start, `unexpected label matching operator in label set, expected "="`);
      fail(i, `unexpected character inside braces: '${input[i]}'`);
    }
    i++;
    skipWs();
    const q = input[i];
    if (q !== '"' && q !== "'" && q !== '`') {
      if (i >= n) fail(i, 'unexpected end of input inside braces');
      fail(i, `unexpected character inside braces: '${input[i]}'`);
    }
    const [value, next] = readQuoted(input, i, fail);
    i = next;
    out.push({ name, value });
    skipWs();
    if (input[i] === ',') {
      i++;
      continue;
    }
    if (input[i] === '}') {
      i++;
      break;
    }
    if (i >= n) fail(i, 'unexpected end of input inside braces');
    fail(i, `unexpected character inside braces: '${input[i]}'`);
  }
  skipWs();
  if (i < n) fail(i, `unexpected character: '${input[i]}'`);
  return sortLabels(out);
}

function readQuoted(s: string, start: number, fail: (pos: number, msg: string) => never): [string, number] {
  const q = s[start];
  let i = start + 1;
  let out = '';
  while (i < s.length && s[i] !== q) {
    if (s[i] === '\\' && q !== '`') {
      const e = s[i + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
      if (e in simple) {
        out += simple[e];
        i += 2;
        continue;
      }
      const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hexLen) {
        const hex = s.slice(i + 2, i + 2 + hexLen);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLen) fail(i, 'invalid escape sequence');
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 2 + hexLen;
        continue;
      }
      if (e !== undefined && /[0-7]/.test(e)) {
        const oct = s.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(oct)) fail(i, 'invalid escape sequence');
        out += String.fromCharCode(parseInt(oct, 8));
        i += 4;
        continue;
      }
      fail(i, 'unknown escape sequence');
    }
    if (s[i] === '\n' && q !== '`') fail(i, 'unterminated quoted string');
    out += s[i];
    i++;
  }
  if (i >= s.length) fail(start, 'unterminated quoted string');
  return [out, i + 1];
}

/** Two labels sets are equal when names and values match in order. */
export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  return true;
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/**
 * Stable 64-bit fingerprint of a sorted label set: FNV-1a 64 over name 0xff value 0xff ...,
 * as 16 lower-case hex digits. Persisted in object keys and the index, so it must never change.
 */
export function fingerprint(ls: Labels): string {
  let h = FNV64_OFFSET;
  const step = (bytes: Uint8Array): void => {
    for (let i = 0; i < bytes.length; i++) {
      h ^= BigInt(bytes[i]);
      h = (h * FNV64_PRIME) & MASK64;
    }
  };
  const sep = new Uint8Array([0xff]);
  for (const l of ls) {
    step(encoder.encode(l.name));
    step(sep);
    step(encoder.encode(l.value));
    step(sep);
  }
  return h.toString(16).padStart(16, '0');
}
