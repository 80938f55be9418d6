// String → number conversions used by label filters and unwrap, with Go's exact semantics and error
// texts (strconv.ParseFloat, time.ParseDuration, go-humanize ParseBytes). Pure; never throws.
import { goQuote } from '../../model/labels.js';

/** A conversion result: the value, or the Go error text when the input is not accepted. */
export type Converted = { ok: true; value: number } | { ok: false; error: string };

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F]_?)*))?[pP]([+-]?\d+)$/;

function parseFloatError(s: string, reason: string): Converted {
  return { ok: false, error: `strconv.ParseFloat: parsing ${goQuote(s)}: ${reason}` };
}

/** Go strconv.ParseFloat(s, 64). */
export function parseGoFloat(s: string): Converted {
  if (DECIMAL_FLOAT.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return parseFloatError(s, 'value out of range');
    return { ok: true, value: v };
  }
  const lower = s.toLowerCase();
  const unsigned = lower[0] === '+' || lower[0] === '-' ? lower.slice(1) : lower;
  if (unsigned === 'inf' || unsigned === 'infinity') return { ok: true, value: lower[0] === '-' ? -Infinity : Infinity };
  if (lower === 'nan') return { ok: true, value: NaN };
  const hex = HEX_FLOAT.exec(s);
  if (hex && (hex[2].replace(/_/g, '') !== '' || (hex[3] ?? '').replace(/_/g, '') !== '')) {
    const intPart = hex[2].replace(/_/g, '');
    const fracPart = (hex[3] ?? '').replace(/_/g, '');
    let mantissa = 0;
    for (const d of intPart + fracPart) mantissa = mantissa * 16 + parseInt(d, 16);
    const v = mantissa * Math.pow(2, Number(hex[4]) - 4 * fracPart.length) * (hex[1] === '-' ? -1 : 1);
    if (!Number.isFinite(v)) return parseFloatError(s, 'value out of range');
    return { ok: true, value: v };
  }
  return parseFloatError(s, 'invalid syntax');
}

/** Go time package's quote(): non-ASCII and control bytes as \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_DURATION = (1n << 63n) - 1n;

/** Nanoseconds of the units a one-number duration may end with, by the unit's last char and length. */
function simpleUnitNanos(s: string, end: number): [unit: number, length: number] | undefined {
  const last = s.charCodeAt(end - 1);
  const before = end >= 2 ? s.charCodeAt(end - 2) : 0;
  switch (last) {
    case 0x73: // s
      if (before === 0x6d) return [1e6, 2]; // ms
      if (before === 0x6e) return [1, 2]; // ns
      if (before === 0x75 || before === 0xb5 || before === 0x3bc) return [1e3, 2]; // us µs μs
      return [1e9, 1];
    case 0x6d: // m
      return [6e10, 1];
    case 0x68: // h
      return [3.6e12, 1];
    default:
      return undefined;
  }
}

/**
 * The common `<digits>[.<digits>]<unit>` form, computed in doubles exactly as Go does (the whole
 * part times the unit, plus the fraction scaled in float64); undefined for any other form or when
 * the result is not an exact double.
 */
export function parseSimpleDurationNanos(s: string): number | undefined {
  const end = s.length;
  const unit = end > 1 ? simpleUnitNanos(s, end) : undefined;
  if (unit === undefined) return undefined;
  const numberEnd = end - unit[1];
  let i = 0;
  let whole = 0;
  for (; i < numberEnd; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
  }
  if (i === 0 || i > 15) return undefined;
  let fraction = 0;
  let scale = 1;
  if (i < numberEnd) {
    if (s.charCodeAt(i) !== 0x2e || numberEnd - i - 1 > 9) return undefined;
    for (i++; i < numberEnd; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      fraction = fraction * 10 + c;
      scale *= 10;
    }
  }
  const part = whole * unit[0];
  const total = part + (fraction > 0 ? Math.trunc(fraction * (unit[0] / scale)) : 0);
  return Number.isSafeInteger(part) && Number.isSafeInteger(total) ? total : undefined;
}

/** Go time.ParseDuration: nanoseconds, or Go's error text. */
export function parseGoDurationNanos(orig: string): { ok: true; value: bigint } | { ok: false; error: string } {
  const simple = parseSimpleDurationNanos(orig);
  if (simple !== undefined) return { ok: true, value: BigInt(simple) };
  const invalid = { ok: false as const, error: `time: invalid duration ${timeQuote(orig)}` };
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, value: 0n };
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid;
    let i = 0;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    const intDigits = s.slice(0, i);
    let fracDigits = '';
    let post = false;
    if (s[i] === '.') {
      i++;
      const start = i;
      while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
      fracDigits = s.slice(start, i);
      post = i > start;
    }
    if (intDigits === '' && !post) return invalid;
    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !(s[i] >= '0' && s[i] <= '9')) i++;
    if (i === unitStart) return { ok: false, error: `time: missing unit in duration ${timeQuote(orig)}` };
    const u = s.slice(unitStart, i);
    const unit = DURATION_UNITS[u];
    if (unit === undefined) return { ok: false, error: `time: unknown unit ${timeQuote(u)} in duration ${timeQuote(orig)}` };
    const v = intDigits === '' ? 0n : BigInt(intDigits);
    if (v > (1n << 63n) / unit) return invalid;
    let part = v * unit;
    if (fracDigits !== '') {
      // Go accumulates the fraction while it fits in 63 bits and scales it in float64.
      let f = 0n;
      let scale = 1;
      for (const d of fracDigits) {
        if (f > MAX_DURATION / 10n) break;
        const y = f * 10n + BigInt(d.charCodeAt(0) - 48);
        if (y > 1n << 63n) break;
        f = y;
        scale *= 10;
      }
      if (f > 0n) part += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (part > 1n << 63n) return invalid;
    }
    total += part;
    if (total > 1n << 63n) return invalid;
    s = s.slice(i);
  }
  if (neg) return { ok: true, value: -total };
  if (total > MAX_DURATION) return invalid;
  return { ok: true, value: total };
}

/** Go time.Duration.Seconds() of a nanosecond count. */
export function nanosToSeconds(ns: bigint): number {
  const sec = ns / 1_000_000_000n;
  const nsec = ns % 1_000_000_000n;
  return Number(sec) + Number(nsec) / 1e9;
}

/** A duration in seconds (unwrap duration()/duration_seconds()). */
export function parseGoDurationSeconds(s: string): Converted {
  const d = parseGoDurationNanos(s);
  return d.ok ? { ok: true, value: nanosToSeconds(d.value) } : d;
}

const BYTE_SIZES: Record<string, number> = {
  b: 1,
  kib: 1024,
  kb: 1000,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
  eib: 1024 ** 6,
  eb: 1000 ** 6,
  '': 1,
  ki: 1024,
  k: 1000,
  mi: 1024 ** 2,
  m: 1000 ** 2,
  gi: 1024 ** 3,
  g: 1000 ** 3,
  ti: 1024 ** 4,
  t: 1000 ** 4,
  pi: 1024 ** 5,
  p: 1000 ** 5,
  ei: 1024 ** 6,
  e: 1000 ** 6,
};

/** go-humanize ParseBytes ("42 MB", "1.5KiB", "10"): a byte count (uint64 truncation), or its error. */
export function parseHumanBytes(s: string): Converted {
  let end = 0;
  let hasComma = false;
  for (const ch of s) {
    if (!(/\p{Nd}/u.test(ch) || ch === '.' || ch === ',')) break;
    if (ch === ',') hasComma = true;
    end += ch.length;
  }
  const num = hasComma ? s.slice(0, end).replace(/,/g, '') : s.slice(0, end);
  const f = parseGoFloat(num);
  if (!f.ok) return f;
  const extra = s.slice(end).trim().toLowerCase();
  const m = BYTE_SIZES[extra];
  if (m === undefined) return { ok: false, error: `unhandled size name: ${extra}` };
  const v = f.value * m;
  if (v >= 18446744073709551615) return { ok: false, error: `too large: ${s}` };
  return { ok: true, value: Math.trunc(v) };
}
