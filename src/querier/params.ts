// Query parameter parsing with Loki's rules (pkg/loghttp): timestamps in ns, seconds, float
// seconds or RFC3339; step as float seconds or a duration; limit, direction, since; and the
// range validations with Loki's error texts. Pure; errors are ValidationError (400).
import { ValidationError, type Direction } from '../model/index.js';
import { NS_PER_SECOND, nowNanos, parsePromDuration, parseRFC3339, parseGoDuration } from '../model/time.js';

export type Params = URLSearchParams;

const DEFAULT_SINCE = 3600n * NS_PER_SECOND;

function goParseIntError(value: string): ValidationError {
  return new ValidationError(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
}

/** Loki's parseTimestamp: float seconds (ms precision), ≤10-digit seconds, ns, or RFC3339Nano. */
export function parseTimestamp(value: string | null, def: bigint): bigint {
  if (value === null || value === '') return def;
  if (value.includes('.')) {
    const f = Number(value);
    if (value.trim() !== '' && Number.isFinite(f)) {
      const secs = Math.trunc(f);
      const frac = Math.round((f - secs) * 1000) / 1000;
      return BigInt(secs) * NS_PER_SECOND + BigInt(Math.round(frac * 1e9));
    }
  }
  if (/^[+-]?\d+$/.test(value)) {
    const n = BigInt(value);
    if (n > 9223372036854775807n || n < -9223372036854775808n)
      throw new ValidationError(`strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
    return value.length <= 10 ? n * NS_PER_SECOND : n;
  }
  const t = parseRFC3339(value);
  if (t !== undefined) return t;
  throw goParseIntError(value);
}

/** Prometheus duration or Go duration (for `since`, `delay_for` style parameters). */
export function parseDurationParam(name: string, value: string): bigint {
  const d = parsePromDuration(value) ?? parseGoDuration(value);
  if (d === undefined) throw new ValidationError(`cannot parse ${JSON.stringify(value)} to a valid duration`);
  return d;
}

/** start/end with `since` (default 1h): start = min(end, now) - since unless given. */
export function parseBounds(p: Params, now: bigint = nowNanos()): { start: bigint; end: bigint } {
  const end = parseTimestamp(p.get('end'), now);
  const sinceRaw = p.get('since');
  const since = sinceRaw ? parseDurationParam('since', sinceRaw) : DEFAULT_SINCE;
  const start = parseTimestamp(p.get('start'), (end < now ? end : now) - since);
  return { start, end };
}

/** Loki's step/interval syntax: float seconds or a Prometheus duration. */
export function parseStepValue(value: string): bigint {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    const f = Number(value);
    const ns = f * 1e9;
    if (ns > 9.223372036854776e18 || ns < -9.223372036854776e18)
      throw new ValidationError(`cannot parse ${JSON.stringify(value)} to a valid duration. It overflows int64`);
    return BigInt(Math.round(ns));
  }
  const d = parsePromDuration(value);
  if (d === undefined) throw new ValidationError(`cannot parse ${JSON.stringify(value)} to a valid duration`);
  return d;
}

export function defaultStep(start: bigint, end: bigint): bigint {
  const secs = Math.floor(Number(end - start) / 1e9 / 250);
  return BigInt(Math.max(secs, 1)) * NS_PER_SECOND;
}

export function parseLimit(p: Params, def = 100): number {
  const v = p.get('limit');
  if (v === null || v === '') return def;
  if (!/^[+-]?\d+$/.test(v)) throw new ValidationError(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (n <= 0) throw new ValidationError('limit must be a positive value');
  return n;
}

export function parseDirection(p: Params): Direction {
  const v = p.get('direction');
  if (v === null || v === '') return 'backward';
  const u = v.toUpperCase();
  if (u === 'FORWARD') return 'forward';
  if (u === 'BACKWARD') return 'backward';
  throw new ValidationError(`invalid direction '${v}'`);
}

export interface RangeQueryRequest {
  query: string;
  start: bigint;
  end: bigint;
  step: bigint;
  interval: bigint;
  limit: number;
  direction: Direction;
}

/** Loki's ParseRangeQuery, including its validations. */
export function parseRangeQuery(p: Params, now: bigint = nowNanos()): RangeQueryRequest {
  const { start, end } = parseBounds(p, now);
  if (end < start) throw new ValidationError('end timestamp must not be before or equal to start time');
  const query = p.get('query') ?? '';
  const limit = parseLimit(p);
  const direction = parseDirection(p);
  const stepRaw = p.get('step');
  const step = stepRaw ? parseStepValue(stepRaw) : defaultStep(start, end);
  if (step <= 0n) throw new ValidationError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  if ((end - start) / step > 11000n)
    throw new ValidationError(
      'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter',
    );
  const intervalRaw = p.get('interval');
  const interval = intervalRaw ? parseStepValue(intervalRaw) : 0n;
  if (interval < 0n) throw new ValidationError('interval must be >= 0');
  return { query, start, end, step, interval, limit, direction };
}

export interface InstantQueryRequest {
  query: string;
  ts: bigint;
  limit: number;
  direction: Direction;
}

export function parseInstantQuery(p: Params, now: bigint = nowNanos()): InstantQueryRequest {
  return {
    query: p.get('query') ?? '',
    ts: parseTimestamp(p.get('time'), now),
    limit: parseLimit(p),
    direction: parseDirection(p),
  };
}
