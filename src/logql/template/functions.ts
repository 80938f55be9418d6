// The functions LogQL templates may call: Loki's own (pkg/logql/log/fmt.go) and its Sprig allow-list,
// with Go parameter types and Go/Sprig behaviour (argument order, casts, error texts). Also the
// methods of time.Time reachable as fields. Pure except now(), which reads the clock.

import { decimalFold, DecimalOp } from './decimal.js';
import { FuncCallError } from './errors.js';
import {
  base64Decode,
  base64Encode,
  queryEscape,
  queryUnescape,
  repeat,
  replace,
  title,
  toLower,
  toUpper,
  trim,
  trimLeft,
  trimPrefix,
  trimRight,
  trimSpace,
  trimSuffix,
} from './gostrings.js';
import { countMatches, goRegex, replaceAll } from './goregex.js';
import {
  GoTime,
  LOCAL,
  UTC,
  ZERO_TIME,
  durationSeconds,
  formatTime,
  loadLocation,
  parseDuration,
  parseTime,
  timeNow,
  timeUnix,
} from './gotime.js';
import type { FuncDef, ParamType } from './signatures.js';
import { byteSlice, numErrorText, parseFloat64, parseInt64, utf8Length } from './strconv.js';
import { GoInt, GoMap, GoSlice, GoValue, fromJsonValue } from './values.js';

// ---------------------------------------------------------------------------------------------
// spf13/cast conversions used by Sprig's math

const MIN_INT64 = -(1n << 63n);

/** cast's trimZeroDecimal: "12.00" → "12", "12.50" unchanged. */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** Go's int64(f) conversion (amd64: out-of-range and NaN give the minimum int64). */
function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || Math.abs(f) >= 2 ** 63) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/** cast.ToInt64 (errors become 0). */
function toInt64(v: GoValue): bigint {
  switch (typeof v) {
    case 'string': {
      const n = parseInt64(trimZeroDecimal(v), true);
      return typeof n === 'bigint' ? n : 0n;
    }
    case 'number':
      return floatToInt64(v);
    case 'boolean':
      return v ? 1n : 0n;
  }
  if (v instanceof GoInt) return v.v;
  return 0n;
}

/** cast.ToFloat64 (errors become 0). */
function toFloat64(v: GoValue): number {
  switch (typeof v) {
    case 'string': {
      const f = parseFloat64(v);
      return typeof f === 'number' ? f : 0;
    }
    case 'number':
      return v;
    case 'boolean':
      return v ? 1 : 0;
  }
  if (v instanceof GoInt) return Number(v.v);
  return 0;
}

const int64 = (v: bigint): GoInt => new GoInt('int64', BigInt.asIntN(64, v));
const int = (v: bigint | number): GoInt => new GoInt('int', BigInt.asIntN(64, BigInt(v)));

function intDivide(a: bigint, b: bigint, mod: boolean): GoInt {
  if (b === 0n) throw new FuncCallError('runtime error: integer divide by zero');
  return int64(mod ? a % b : a / b);
}

/** Sprig's empty(): zero values, empty strings/collections and nil. */
function isEmpty(v: GoValue): boolean {
  switch (typeof v) {
    case 'undefined':
    case 'symbol':
      return true;
    case 'string':
      return v === '';
    case 'number':
      return v === 0;
    case 'boolean':
      return !v;
  }
  if (v instanceof GoInt) return v.v === 0n;
  if (v instanceof GoSlice) return v.items.length === 0;
  if (v instanceof GoMap) return v.size() === 0;
  return false;
}

function round(a: GoValue, places: bigint, roundOn: number): number {
  const val = toFloat64(a);
  const pow = Math.pow(10, Number(places));
  const digit = pow * val;
  const div = digit - Math.trunc(digit);
  return (div >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

// ---------------------------------------------------------------------------------------------
// go-humanize ParseBytes (Loki's `bytes`)

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  kb: 1e3,
  mib: 1024 ** 2,
  mb: 1e6,
  gib: 1024 ** 3,
  gb: 1e9,
  tib: 1024 ** 4,
  tb: 1e12,
  pib: 1024 ** 5,
  pb: 1e15,
  eib: 1024 ** 6,
  eb: 1e18,
  '': 1,
  ki: 1024,
  k: 1e3,
  mi: 1024 ** 2,
  m: 1e6,
  gi: 1024 ** 3,
  g: 1e9,
  ti: 1024 ** 4,
  t: 1e12,
  pi: 1024 ** 5,
  p: 1e15,
  ei: 1024 ** 6,
  e: 1e18,
};

function parseBytes(s: string): number {
  let lastDigit = 0;
  let hasComma = false;
  for (const c of s) {
    if (!((c >= '0' && c <= '9') || c === '.' || c === ',')) break;
    if (c === ',') hasComma = true;
    lastDigit++;
  }
  let num = s.slice(0, lastDigit);
  if (hasComma) num = num.replace(/,/g, '');
  const f = parseFloat64(num);
  if (typeof f !== 'number') throw new FuncCallError(numErrorText('ParseFloat', num, f));
  const extra = toLower(trimSpace(s.slice(lastDigit)));
  if (!Object.hasOwn(BYTE_UNITS, extra)) throw new FuncCallError(`unhandled size name: ${extra}`);
  const v = f * BYTE_UNITS[extra];
  if (v >= 2 ** 64) throw new FuncCallError(`too large: ${s}`);
  return Math.trunc(v);
}

// ---------------------------------------------------------------------------------------------
// Loki's own helpers

function unixToTime(epoch: string): GoTime {
  const i = parseInt64(epoch, false);
  if (typeof i !== 'bigint') throw new FuncCallError(`unable to parse time '${epoch}': ${numErrorText('ParseInt', epoch, i)}`);
  switch (utf8Length(epoch)) {
    case 5:
      return timeUnix(BigInt.asIntN(64, i * 86400n), 0n);
    case 10:
      return timeUnix(i, 0n);
    case 13:
      return timeUnix(0n, BigInt.asIntN(64, i * 1_000_000n));
    case 16:
      return timeUnix(0n, BigInt.asIntN(64, i * 1000n));
    case 19:
      return timeUnix(0n, i);
  }
  throw new FuncCallError(`unable to parse time '${epoch}': %!w(<nil>)`);
}

function align(count: bigint, src: string, left: boolean): string {
  const runes = [...src];
  const l = runes.length;
  if (count < 0n || count === BigInt(l)) return src;
  const c = Number(count);
  if (c > l) return left ? src + ' '.repeat(c - l) : ' '.repeat(c - l) + src;
  return left ? runes.slice(0, c).join('') : runes.slice(l - c).join('');
}

/** Sprig's byte-based trunc. */
function truncate(c: bigint, s: string): string {
  const len = BigInt(utf8Length(s));
  if (c < 0n && len + c > 0n) return byteSlice(s, Number(len + c), Number(len));
  if (c >= 0n && len > c) return byteSlice(s, 0, Number(c));
  return s;
}

/** Sprig's byte-based substr, including Go's slice-bounds panics. */
function substring(start: bigint, end: bigint, s: string): string {
  const len = BigInt(utf8Length(s));
  if (start < 0n) {
    if (end < 0n) throw new FuncCallError(`runtime error: slice bounds out of range [:${end}]`);
    if (end > len) throw new FuncCallError(`runtime error: slice bounds out of range [:${end}] with length ${len}`);
    return byteSlice(s, 0, Number(end));
  }
  if (end < 0n || end > len) {
    if (start > len) throw new FuncCallError(`runtime error: slice bounds out of range [${start}:${len}]`);
    return byteSlice(s, Number(start), Number(len));
  }
  if (start > end) throw new FuncCallError(`runtime error: slice bounds out of range [${start}:${end}]`);
  return byteSlice(s, Number(start), Number(end));
}

function indent(spaces: bigint, v: string): string {
  const pad = repeat(' ', Number(spaces));
  return pad + v.split('\n').join('\n' + pad);
}

/** Sprig's dateInZone(fmt, date, "Local"): times, or int seconds; anything else formats now. */
function date(layout: string, d: GoValue): string {
  let t: GoTime;
  if (d instanceof GoTime) t = d;
  else if (d instanceof GoInt && (d.type === 'int' || d.type === 'int64')) t = timeUnix(d.v, 0n);
  else t = timeNow();
  return formatTime(t.in(LOCAL), layout);
}

const str = (v: GoValue): string => v as string;
const num = (v: GoValue): bigint => (v as GoInt).v;
const time = (v: GoValue): GoTime => v as GoTime;

function decimalFn(op: DecimalOp, first: boolean): FuncDef {
  return first
    ? { params: ['any', 'any'], variadic: true, fn: (a) => decimalFold(toFloat64(a[0]), a.slice(1).map(toFloat64), op) }
    : { params: ['any'], variadic: true, fn: (a) => decimalFold(0, a.map(toFloat64), op) };
}

const S1: readonly ParamType[] = ['string'];
const S2: readonly ParamType[] = ['string', 'string'];
const S3: readonly ParamType[] = ['string', 'string', 'string'];
const IS: readonly ParamType[] = ['int', 'string'];

/** Loki's functionMap plus the Sprig allow-list (pkg/logql/log/fmt.go). */
export const FUNCTIONS: Record<string, FuncDef> = {
  // Loki's own, Go strings argument order.
  ToLower: { params: S1, fn: (a) => toLower(str(a[0])) },
  ToUpper: { params: S1, fn: (a) => toUpper(str(a[0])) },
  Replace: { params: ['string', 'string', 'string', 'int'], fn: (a) => replace(str(a[0]), str(a[1]), str(a[2]), Number(num(a[3]))) },
  Trim: { params: S2, fn: (a) => trim(str(a[0]), str(a[1])) },
  TrimLeft: { params: S2, fn: (a) => trimLeft(str(a[0]), str(a[1])) },
  TrimRight: { params: S2, fn: (a) => trimRight(str(a[0]), str(a[1])) },
  TrimPrefix: { params: S2, fn: (a) => trimPrefix(str(a[0]), str(a[1])) },
  TrimSuffix: { params: S2, fn: (a) => trimSuffix(str(a[0]), str(a[1])) },
  TrimSpace: { params: S1, fn: (a) => trimSpace(str(a[0])) },
  regexReplaceAll: { params: S3, fn: (a) => replaceAll(goRegex(str(a[0])), str(a[1]), str(a[2]), false) },
  regexReplaceAllLiteral: { params: S3, fn: (a) => replaceAll(goRegex(str(a[0])), str(a[1]), str(a[2]), true) },
  count: { params: S2, fn: (a) => int(countMatches(goRegex(str(a[0])), str(a[1]))) },
  urldecode: { params: S1, fn: (a) => queryUnescape(str(a[0])) },
  urlencode: { params: S1, fn: (a) => queryEscape(str(a[0])) },
  bytes: { params: S1, fn: (a) => parseBytes(str(a[0])) },
  duration: { params: S1, fn: (a) => durationFn(str(a[0])) },
  duration_seconds: { params: S1, fn: (a) => durationFn(str(a[0])) },
  unixEpochMillis: { params: ['time'], fn: (a) => floorDiv(time(a[0]).unixNs, 1_000_000n).toString() },
  unixEpochNanos: { params: ['time'], fn: (a) => BigInt.asIntN(64, time(a[0]).unixNs).toString() },
  toDateInZone: {
    params: S3,
    fn: (a) => parseTime(str(a[0]), str(a[2]), loadLocation(str(a[1])) ?? UTC) ?? ZERO_TIME,
  },
  unixToTime: { params: S1, fn: (a) => unixToTime(str(a[0])) },
  alignLeft: { params: IS, fn: (a) => align(num(a[0]), str(a[1]), true) },
  alignRight: { params: IS, fn: (a) => align(num(a[0]), str(a[1]), false) },
  __line__: { params: [], fn: (_a, ctx) => ctx.line },
  __timestamp__: { params: [], fn: (_a, ctx) => new GoTime(ctx.ts, LOCAL) },

  // Sprig (subject last, so they pipe well).
  b64enc: { params: S1, fn: (a) => base64Encode(str(a[0])) },
  b64dec: { params: S1, fn: (a) => base64Decode(str(a[0])) },
  lower: { params: S1, fn: (a) => toLower(str(a[0])) },
  upper: { params: S1, fn: (a) => toUpper(str(a[0])) },
  title: { params: S1, fn: (a) => title(str(a[0])) },
  trunc: { params: IS, fn: (a) => truncate(num(a[0]), str(a[1])) },
  substr: { params: ['int', 'int', 'string'], fn: (a) => substring(num(a[0]), num(a[1]), str(a[2])) },
  contains: { params: S2, fn: (a) => str(a[1]).includes(str(a[0])) },
  hasPrefix: { params: S2, fn: (a) => str(a[1]).startsWith(str(a[0])) },
  hasSuffix: { params: S2, fn: (a) => str(a[1]).endsWith(str(a[0])) },
  indent: { params: IS, fn: (a) => indent(num(a[0]), str(a[1])) },
  nindent: { params: IS, fn: (a) => '\n' + indent(num(a[0]), str(a[1])) },
  replace: { params: S3, fn: (a) => replace(str(a[2]), str(a[0]), str(a[1]), -1) },
  repeat: { params: IS, fn: (a) => repeat(str(a[1]), Number(num(a[0]))) },
  trim: { params: S1, fn: (a) => trimSpace(str(a[0])) },
  trimAll: { params: S2, fn: (a) => trim(str(a[1]), str(a[0])) },
  trimSuffix: { params: S2, fn: (a) => trimSuffix(str(a[1]), str(a[0])) },
  trimPrefix: { params: S2, fn: (a) => trimPrefix(str(a[1]), str(a[0])) },
  int: { params: ['any'], fn: (a) => int(toInt64(a[0])) },
  float64: { params: ['any'], fn: (a) => toFloat64(a[0]) },
  add: { params: ['any'], variadic: true, fn: (a) => int64(a.reduce<bigint>((s, v) => s + toInt64(v), 0n)) },
  sub: { params: ['any', 'any'], fn: (a) => int64(toInt64(a[0]) - toInt64(a[1])) },
  mul: { params: ['any', 'any'], variadic: true, fn: (a) => int64(a.slice(1).reduce<bigint>((s, v) => BigInt.asIntN(64, s * toInt64(v)), toInt64(a[0]))) },
  div: { params: ['any', 'any'], fn: (a) => intDivide(toInt64(a[0]), toInt64(a[1]), false) },
  mod: { params: ['any', 'any'], fn: (a) => intDivide(toInt64(a[0]), toInt64(a[1]), true) },
  addf: decimalFn('add', false),
  subf: decimalFn('sub', true),
  mulf: decimalFn('mul', true),
  divf: decimalFn('div', true),
  max: { params: ['any', 'any'], variadic: true, fn: (a) => int64(a.slice(1).reduce<bigint>((m, v) => (toInt64(v) > m ? toInt64(v) : m), toInt64(a[0]))) },
  min: { params: ['any', 'any'], variadic: true, fn: (a) => int64(a.slice(1).reduce<bigint>((m, v) => (toInt64(v) < m ? toInt64(v) : m), toInt64(a[0]))) },
  maxf: { params: ['any', 'any'], variadic: true, fn: (a) => a.slice(1).reduce<number>((m, v) => Math.max(m, toFloat64(v)), toFloat64(a[0])) },
  minf: { params: ['any', 'any'], variadic: true, fn: (a) => a.slice(1).reduce<number>((m, v) => Math.min(m, toFloat64(v)), toFloat64(a[0])) },
  ceil: { params: ['any'], fn: (a) => Math.ceil(toFloat64(a[0])) },
  floor: { params: ['any'], fn: (a) => Math.floor(toFloat64(a[0])) },
  round: { params: ['any', 'int', 'float64'], variadic: true, fn: (a) => round(a[0], num(a[1]), a.length > 2 ? (a[2] as number) : 0.5) },
  fromJson: { params: S1, returnsInterface: true, fn: (a) => fromJson(str(a[0])) },
  date: { params: ['string', 'any'], fn: (a) => date(str(a[0]), a[1]) },
  toDate: { params: S2, fn: (a) => parseTime(str(a[0]), str(a[1]), LOCAL) ?? ZERO_TIME },
  now: { params: [], fn: () => timeNow() },
  unixEpoch: { params: ['time'], fn: (a) => String(time(a[0]).unixSec()) },
  default: { params: ['any', 'any'], variadic: true, returnsInterface: true, fn: (a) => (a.length < 2 || isEmpty(a[1]) ? a[0] : a[1]) },
};

function durationFn(s: string): number {
  const d = parseDuration(s);
  if ('error' in d) throw new FuncCallError(d.error);
  return durationSeconds(d.ns);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function fromJson(s: string): GoValue {
  try {
    return fromJsonValue(JSON.parse(s));
  } catch {
    return undefined;
  }
}

/** Methods of time.Time callable as `.Method` on a time value. */
export const TIME_METHODS: Record<string, (t: GoTime) => FuncDef> = {
  Unix: (t) => ({ params: [], fn: () => int64(BigInt(t.unixSec())) }),
  UnixMilli: (t) => ({ params: [], fn: () => int64(floorDiv(t.unixNs, 1_000_000n)) }),
  UnixMicro: (t) => ({ params: [], fn: () => int64(floorDiv(t.unixNs, 1000n)) }),
  UnixNano: (t) => ({ params: [], fn: () => int64(t.unixNs) }),
  Year: (t) => ({ params: [], fn: () => int(t.fields().year) }),
  Day: (t) => ({ params: [], fn: () => int(t.fields().day) }),
  YearDay: (t) => ({ params: [], fn: () => int(t.fields().yday) }),
  Hour: (t) => ({ params: [], fn: () => int(t.fields().hour) }),
  Minute: (t) => ({ params: [], fn: () => int(t.fields().minute) }),
  Second: (t) => ({ params: [], fn: () => int(t.fields().second) }),
  Nanosecond: (t) => ({ params: [], fn: () => int(t.nanosecond()) }),
  Format: (t) => ({ params: S1, fn: (a) => formatTime(t, str(a[0])) }),
  String: (t) => ({ params: [], fn: () => t.toString() }),
  UTC: (t) => ({ params: [], fn: () => t.in(UTC) }),
  Local: (t) => ({ params: [], fn: () => t.in(LOCAL) }),
  IsZero: (t) => ({ params: [], fn: () => t.isZero() }),
};
