// A lenient JSON scanner with the behaviour and error texts of the jsonparser library Loki uses:
// object iteration with callbacks, path lookup, string unescaping. Works in place on the line; no I/O.
import {
  type KeyTable,
  MALFORMED_ARRAY,
  MALFORMED_JSON,
  MALFORMED_OBJECT,
  MALFORMED_STRING,
  memberRecords,
  RECORD_INTS,
  releaseRecords,
  scannedBase,
  scanPlain,
  UNKNOWN_VALUE_TYPE,
} from './json-scan-wasm.js';

export const enum JsonType {
  String,
  Number,
  Object,
  Array,
  Boolean,
  Null,
}

export const JSON_ERRORS = {
  malformedJson: 'Malformed JSON error',
  malformedObject: "Value looks like object, but can't find closing '}' symbol",
  malformedArray: "Value is array, but can't find closing ']' symbol",
  malformedString: `Value is string, but can't find closing '"' symbol`,
  malformedValue: "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol",
  unknownValueType: 'Unknown value type',
  malformedStringEscape: 'Encountered an invalid escape sequence in a string',
} as const;

/** A value found in the text: [start, end) of its raw text (strings without their quotes). */
export interface JsonValue {
  type: JsonType;
  start: number;
  end: number;
  /** Index just past the value in the text (past the closing quote for strings). */
  next: number;
}

/** Callback of objectEach: return an error text to stop iterating with that error. */
export type ObjectEachCallback = (key: string, value: JsonValue) => string | undefined;

/**
 * Callback of objectEachKey: the key is s[keyStart, keyEnd), or `unescaped` when its raw text holds
 * escapes. Return an error text to stop iterating with that error.
 */
export type ObjectKeyCallback = (keyStart: number, keyEnd: number, unescaped: string | undefined, value: JsonValue) => string | undefined;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index of the next non-whitespace character at or after i, or -1. */
function nextToken(s: string, i: number, end: number): number {
  for (; i < end; i++) if (!isWs(s.charCodeAt(i))) return i;
  return -1;
}

/** Whether the string scanned by the last stringEnd call contains escapes (avoids a tuple per call). */
let lastStringEscaped = false;

/** The text whose first backslash was looked up last, and where it is (-1: none). */
let backslashText = '';
let backslashAt = -1;

/** Index of the first backslash of `s`, or -1 (remembered for the text scanned last). */
function firstBackslash(s: string): number {
  if (s !== backslashText) {
    backslashText = s;
    backslashAt = s.indexOf('\\');
  }
  return backslashAt;
}

/** From just after an opening quote: index just past the closing quote, or -1. Sets lastStringEscaped. */
function stringEnd(s: string, i: number, end: number): number {
  // No backslash before the next quote: that quote closes the string (found natively).
  const quote = s.indexOf('"', i);
  if (quote >= 0 && quote < end) {
    const bs = firstBackslash(s);
    if (bs < 0 || bs > quote) {
      lastStringEscaped = false;
      return quote + 1;
    }
  }
  let escaped = false;
  for (let k = i; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22) {
      lastStringEscaped = escaped;
      if (!escaped) return k + 1;
      let j = k - 1;
      for (;;) {
        if (j < i || s.charCodeAt(j) !== 0x5c) return k + 1;
        j--;
        if (j < i || s.charCodeAt(j) !== 0x5c) break;
        j--;
      }
    } else if (c === 0x5c) escaped = true;
  }
  lastStringEscaped = escaped;
  return -1;
}

/** From an opening bracket: index just past its matching close, or -1. */
function blockEnd(s: string, i: number, end: number, open: number, close: number): number {
  let level = 0;
  for (let k = i; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22) {
      const se = stringEnd(s, k + 1, end);
      if (se < 0) return -1;
      k = se - 1;
    } else if (c === open) level++;
    else if (c === close) {
      level--;
      if (level === 0) return k + 1;
    }
  }
  return -1;
}

function tokenEnd(s: string, i: number, end: number): number {
  for (let k = i; k < end; k++) {
    const c = s.charCodeAt(k);
    if (isWs(c) || c === 0x2c || c === 0x7d || c === 0x5d) return k;
  }
  return end;
}

function setValue(out: JsonValue, type: JsonType, start: number, end: number, next: number): undefined {
  out.type = type;
  out.start = start;
  out.end = end;
  out.next = next;
  return undefined;
}

/** Reads the value at the first token at or after i into `out` (jsonparser's Get); returns an error text. */
export function getValue(s: string, i: number, end: number, out: JsonValue): string | undefined {
  const at = nextToken(s, i, end);
  if (at < 0) return JSON_ERRORS.malformedJson;
  const c = s.charCodeAt(at);
  if (c === 0x22) {
    const se = stringEnd(s, at + 1, end);
    if (se < 0) return JSON_ERRORS.malformedString;
    return setValue(out, JsonType.String, at + 1, se - 1, se);
  }
  if (c === 0x5b) {
    const be = blockEnd(s, at, end, 0x5b, 0x5d);
    if (be < 0) return JSON_ERRORS.malformedArray;
    return setValue(out, JsonType.Array, at, be, be);
  }
  if (c === 0x7b) {
    const be = blockEnd(s, at, end, 0x7b, 0x7d);
    if (be < 0) return JSON_ERRORS.malformedObject;
    return setValue(out, JsonType.Object, at, be, be);
  }
  const te = tokenEnd(s, at, end);
  let type: JsonType;
  switch (s[at]) {
    case 't':
    case 'f':
      if (!isWordAt(s, at, te, 'true') && !isWordAt(s, at, te, 'false')) return JSON_ERRORS.unknownValueType;
      type = JsonType.Boolean;
      break;
    case 'u':
    case 'n':
      if (!isWordAt(s, at, te, 'null')) return JSON_ERRORS.unknownValueType;
      type = JsonType.Null;
      break;
    default:
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2d)) return JSON_ERRORS.unknownValueType;
      type = JsonType.Number;
  }
  return setValue(out, type, at, te, te);
}

const newValue = (): JsonValue => ({ type: JsonType.Null, start: 0, end: 0, next: 0 });

/**
 * Calls cb for each key of the object starting at the first token in [start, end). Values are
 * reported as they are reached, so keys before a syntax error are delivered. Text after the
 * closing brace is ignored. The value object passed to cb is reused for the next key.
 * Returns an error text, or undefined.
 */
export function objectEach(s: string, start: number, end: number, cb: ObjectEachCallback): string | undefined {
  return objectEachKey(s, start, end, (ks, ke, unescaped, v) => cb(unescaped ?? s.slice(ks, ke), v));
}

/** objectEach with keys given as ranges of the text (sliced only by callers that need them). */
export function objectEachKey(s: string, start: number, end: number, cb: ObjectKeyCallback): string | undefined {
  let off = nextToken(s, start, end);
  if (off < 0 || s.charCodeAt(off) !== 0x7b) return JSON_ERRORS.malformedObject;
  off = nextToken(s, off + 1, end);
  if (off < 0) return JSON_ERRORS.malformedJson;
  if (s.charCodeAt(off) === 0x7d) return undefined;
  const v = newValue();
  while (off < end) {
    const c = s.charCodeAt(off);
    if (c === 0x7d) return undefined;
    if (c !== 0x22) return JSON_ERRORS.malformedObject;
    off++;
    const se = stringEnd(s, off, end);
    if (se < 0) return JSON_ERRORS.malformedJson;
    const keyStart = off;
    let unescaped: string | undefined;
    off = se;
    if (lastStringEscaped) {
      unescaped = unescapeJson(s.slice(keyStart, se - 1));
      if (unescaped === undefined) return JSON_ERRORS.malformedStringEscape;
    }
    off = nextToken(s, off, end);
    if (off < 0 || s.charCodeAt(off) !== 0x3a) return JSON_ERRORS.malformedJson;
    const bad = getValue(s, off + 1, end, v);
    if (bad !== undefined) return bad;
    const next = v.next;
    const err = cb(keyStart, se - 1, unescaped, v);
    if (err !== undefined) return err;
    off = nextToken(s, next, end);
    if (off < 0) return JSON_ERRORS.malformedArray;
    const d = s.charCodeAt(off);
    if (d === 0x7d) return undefined;
    if (d !== 0x2c) return JSON_ERRORS.malformedObject;
    off = nextToken(s, off + 1, end);
    if (off < 0) return JSON_ERRORS.malformedArray;
  }
  return JSON_ERRORS.malformedObject;
}

/** The texts of json-scan-wasm's result codes (undefined for OK: the object closed). */
const PLAIN_SCAN_RESULTS: (string | undefined)[] = [];
PLAIN_SCAN_RESULTS[MALFORMED_JSON] = JSON_ERRORS.malformedJson;
PLAIN_SCAN_RESULTS[MALFORMED_OBJECT] = JSON_ERRORS.malformedObject;
PLAIN_SCAN_RESULTS[MALFORMED_ARRAY] = JSON_ERRORS.malformedArray;
PLAIN_SCAN_RESULTS[MALFORMED_STRING] = JSON_ERRORS.malformedString;
PLAIN_SCAN_RESULTS[UNKNOWN_VALUE_TYPE] = JSON_ERRORS.unknownValueType;

/**
 * objectEachKey for text known to hold no backslash and no whitespace but spaces (a printable ASCII
 * line without `\\`): every quote opens or closes a string. The members are found by WebAssembly
 * (json-scan-wasm.ts) before any is handed to `cb`, or by objectEachKeyPlainJs without it; either
 * way the callbacks, values and error texts are objectEachKey's on such text. With `keys` (a hinted
 * parse at the top level) members the json stage's callback passes over at once may be left out.
 */
export function objectEachKeyPlain(s: string, start: number, end: number, cb: ObjectKeyCallback, keys?: KeyTable): string | undefined {
  const r = scanPlain(s, start, end, keys);
  if (r < 0) return objectEachKeyPlainJs(s, start, end, cb);
  const base = scannedBase;
  const n = r >>> 4;
  const v = newValue();
  try {
    for (let k = 0; k < n; k++) {
      const rec = memberRecords();
      const i = (base + k) * RECORD_INTS;
      v.type = rec[i + 2] as JsonType;
      v.start = rec[i + 3];
      v.end = rec[i + 4];
      v.next = rec[i + 5];
      const err = cb(rec[i], rec[i + 1], undefined, v);
      if (err !== undefined) return err;
    }
    return PLAIN_SCAN_RESULTS[r & 15];
  } finally {
    releaseRecords(base);
  }
}

/**
 * objectEachKeyPlain's loop in JavaScript: string ends are found natively. Kept apart from
 * objectEachKey on purpose: one function with a `plain` switch ran hinted json 3-7% slower.
 */
export function objectEachKeyPlainJs(s: string, start: number, end: number, cb: ObjectKeyCallback): string | undefined {
  let off = nextSpaceless(s, start, end);
  if (off < 0 || s.charCodeAt(off) !== 0x7b) return JSON_ERRORS.malformedObject;
  off = nextSpaceless(s, off + 1, end);
  if (off < 0) return JSON_ERRORS.malformedJson;
  if (s.charCodeAt(off) === 0x7d) return undefined;
  const v = newValue();
  while (off < end) {
    const c = s.charCodeAt(off);
    if (c === 0x7d) return undefined;
    if (c !== 0x22) return JSON_ERRORS.malformedObject;
    const keyStart = off + 1;
    const keyEnd = quoteAt(s, keyStart, end);
    if (keyEnd < 0) return JSON_ERRORS.malformedJson;
    off = nextSpaceless(s, keyEnd + 1, end);
    if (off < 0 || s.charCodeAt(off) !== 0x3a) return JSON_ERRORS.malformedJson;
    off = nextSpaceless(s, off + 1, end);
    if (off >= 0 && s.charCodeAt(off) === 0x22) {
      const close = quoteAt(s, off + 1, end);
      if (close < 0) return JSON_ERRORS.malformedString;
      setValue(v, JsonType.String, off + 1, close, close + 1);
    } else {
      const bad = getValue(s, off < 0 ? end : off, end, v);
      if (bad !== undefined) return bad;
    }
    const next = v.next;
    const err = cb(keyStart, keyEnd, undefined, v);
    if (err !== undefined) return err;
    off = nextSpaceless(s, next, end);
    if (off < 0) return JSON_ERRORS.malformedArray;
    const d = s.charCodeAt(off);
    if (d === 0x7d) return undefined;
    if (d !== 0x2c) return JSON_ERRORS.malformedObject;
    off = nextSpaceless(s, off + 1, end);
    if (off < 0) return JSON_ERRORS.malformedArray;
  }
  return JSON_ERRORS.malformedObject;
}

/** Index of the first quote in s[i, end), or -1. */
function quoteAt(s: string, i: number, end: number): number {
  const q = s.indexOf('"', i);
  return q < end ? q : -1;
}

/** nextToken for text whose only whitespace is the space. */
function nextSpaceless(s: string, i: number, end: number): number {
  for (; i < end; i++) if (s.charCodeAt(i) !== 0x20) return i;
  return -1;
}

/** The index-th element of the array starting at the first token in [start, end), if present. */
function arrayElement(s: string, start: number, end: number, index: number): JsonValue | undefined {
  let off = nextToken(s, start, end);
  if (off < 0 || s.charCodeAt(off) !== 0x5b) return undefined;
  off = nextToken(s, off + 1, end);
  if (off < 0 || s.charCodeAt(off) === 0x5d) return undefined;
  const v = newValue();
  for (let i = 0; ; i++) {
    if (getValue(s, off, end, v) !== undefined) return undefined;
    if (i === index) return v;
    off = nextToken(s, v.next, end);
    if (off < 0 || s.charCodeAt(off) !== 0x2c) return undefined;
    off++;
  }
}

/** A path step: an object key or an array index. */
export type JsonPathStep = string | number;

/** Follows a path from the value at the start of the text; undefined when any step is missing. */
export function lookupPath(s: string, path: readonly JsonPathStep[]): JsonValue | undefined {
  const root = newValue();
  if (getValue(s, 0, s.length, root) !== undefined) return undefined;
  let cur: JsonValue = root;
  for (const step of path) {
    let found: JsonValue | undefined;
    if (typeof step === 'number') {
      if (cur.type !== JsonType.Array) return undefined;
      found = arrayElement(s, cur.start, cur.end, step);
    } else {
      if (cur.type !== JsonType.Object) return undefined;
      objectEach(s, cur.start, cur.end, (key, v) => {
        if (key !== step) return undefined;
        found = { ...v };
        return 'found';
      });
    }
    if (!found) return undefined;
    cur = found;
  }
  return cur;
}

function hex4(s: string, i: number): number {
  if (i + 4 > s.length) return -1;
  let r = 0;
  for (let k = i; k < i + 4; k++) {
    const c = s.charCodeAt(k);
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (v < 0) return -1;
    r = r * 16 + v;
  }
  return r;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** jsonparser.Unescape of a string's raw contents; undefined for an invalid escape. */
export function unescapeJson(raw: string): string | undefined {
  let i = raw.indexOf('\\');
  if (i < 0) return raw;
  let out = raw.slice(0, i);
  while (i < raw.length) {
    const c = raw[i];
    if (c !== '\\') {
      const next = raw.indexOf('\\', i);
      const stop = next < 0 ? raw.length : next;
      out += raw.slice(i, stop);
      i = stop;
      continue;
    }
    const e = raw[i + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (e !== 'u') return undefined;
    const r = hex4(raw, i + 2);
    if (r < 0) return undefined;
    if (r < 0xd800 || r > 0xdfff) {
      out += String.fromCharCode(r);
      i += 6;
      continue;
    }
    if (raw[i + 6] !== '\\' || raw[i + 7] !== 'u') return undefined;
    const r2 = hex4(raw, i + 8);
    if (r2 < 0xdc00) return undefined;
    out += String.fromCodePoint((((r - 0xd800) << 10) | (r2 - 0xdc00)) + 0x10000);
    i += 12;
  }
  return out;
}

/** Whether the token s[at, te) is exactly `w`. */
function isWordAt(s: string, at: number, te: number, w: string): boolean {
  return te - at === w.length && s.startsWith(w, at);
}
