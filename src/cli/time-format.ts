// Times as logcli prints and parses them: RFC3339 in Local or UTC, Go's time.Time.String(), the `log`
// prefix, time.Parse(RFC3339Nano) with Go's errors. Pure apart from the process time zone.
import { goQuote } from '../model/labels.js';
import { NS_PER_MS, NS_PER_SECOND, type Nanos } from '../model/time.js';

export type TimeZone = 'Local' | 'UTC';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

interface ZonedTime {
  /** The wall clock in the zone, read through the getUTC* accessors. */
  wall: Date;
  offsetMinutes: number;
  frac: bigint;
}

function zoned(ns: Nanos, tz: TimeZone): ZonedTime {
  let secs = ns / NS_PER_SECOND;
  let frac = ns % NS_PER_SECOND;
  if (frac < 0n) {
    frac += NS_PER_SECOND;
    secs -= 1n;
  }
  const ms = Number(secs) * 1000;
  const offsetMinutes = tz === 'UTC' ? 0 : -new Date(ms).getTimezoneOffset();
  return { wall: new Date(ms + offsetMinutes * 60_000), offsetMinutes, frac };
}

function wallText(d: Date, sep: string): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${sep}${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}`;
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

function fraction(frac: bigint): string {
  return frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
}

/** Go time.RFC3339 ("2006-01-02T15:04:05Z07:00"): seconds only, "Z" for a zero offset. */
export function formatRFC3339In(ns: Nanos, tz: TimeZone): string {
  const z = zoned(ns, tz);
  return wallText(z.wall, 'T') + (z.offsetMinutes === 0 ? 'Z' : offsetText(z.offsetMinutes, true));
}

/** Go time.RFC3339Nano, as encoding/json writes a time.Time: trailing fraction zeros trimmed. */
export function formatRFC3339NanoIn(ns: Nanos, tz: TimeZone): string {
  const z = zoned(ns, tz);
  return wallText(z.wall, 'T') + fraction(z.frac) + (z.offsetMinutes === 0 ? 'Z' : offsetText(z.offsetMinutes, true));
}

/** Go time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST". */
export function formatGoTimeString(ns: Nanos, tz: TimeZone): string {
  const z = zoned(ns, tz);
  return `${wallText(z.wall, ' ')}${fraction(z.frac)} ${offsetText(z.offsetMinutes, false)} ${zoneName(ns, tz, z.offsetMinutes)}`;
}

function zoneName(ns: Nanos, tz: TimeZone, offsetMinutes: number): string {
  if (tz === 'UTC') return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(new Date(Number(ns / NS_PER_MS)))
    .find((p) => p.type === 'timeZoneName')?.value;
  if (part === undefined || /^GMT[+-]/.test(part)) return offsetText(offsetMinutes, false);
  return part === 'GMT' && offsetMinutes === 0 ? 'UTC' : part;
}

/** The prefix Go's standard logger writes: local "2006/01/02 15:04:05". */
export function goLogTimestamp(d: Date): string {
  return `${pad(d.getFullYear(), 4)}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const RFC3339_NANO_LAYOUT = '2006-01-02T15:04:05.999999999Z07:00';

export class TimeParseError extends Error {}

function cannotParse(value: string, rest: string, elem: string): TimeParseError {
  return new TimeParseError(`parsing time ${goQuote(value)} as ${goQuote(RFC3339_NANO_LAYOUT)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`);
}

function outOfRange(value: string, what: string): TimeParseError {
  return new TimeParseError(`parsing time ${goQuote(value)}: ${what} out of range`);
}

const isDigit = (s: string, i: number): boolean => i < s.length && s[i] >= '0' && s[i] <= '9';

/** Milliseconds since the epoch of a UTC civil time (years below 100 included, unlike Date.UTC). */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function daysIn(month: number, year: number): number {
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/**
 * Go time.Parse(time.RFC3339Nano, s) as logcli's --from/--to/--now use it; the error text is
 * Go's ("parsing time ... cannot parse ... as ..." or "... month out of range").
 */
export function parseRFC3339NanoFlag(value: string): Nanos {
  let rest = value;
  const num = (width: number, elem: string): number => {
    for (let i = 0; i < width; i++) if (!isDigit(rest, i)) throw cannotParse(value, rest, elem);
    const n = Number(rest.slice(0, width));
    rest = rest.slice(width);
    return n;
  };
  const literal = (text: string): void => {
    if (!rest.startsWith(text)) throw cannotParse(value, rest, text);
    rest = rest.slice(text.length);
  };
  const year = num(4, '2006');
  literal('-');
  const month = num(2, '01');
  if (month < 1 || month > 12) throw outOfRange(value, 'month');
  literal('-');
  const day = num(2, '02');
  if (day > 31) throw outOfRange(value, 'day');
  literal('T');
  const hour = num(2, '15');
  if (hour > 23) throw outOfRange(value, 'hour');
  literal(':');
  const minute = num(2, '04');
  if (minute > 59) throw outOfRange(value, 'minute');
  literal(':');
  const second = num(2, '05');
  if (second > 59) throw outOfRange(value, 'second');
  let frac = 0n;
  if (rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && isDigit(rest, 1)) {
    let i = 1;
    while (isDigit(rest, i)) i++;
    frac = BigInt(rest.slice(1, Math.min(i, 10)).padEnd(9, '0'));
    rest = rest.slice(i);
  }
  let offsetMinutes = 0;
  if (rest.startsWith('Z')) rest = rest.slice(1);
  else {
    if (rest.length < 6 || rest[3] !== ':' || (rest[0] !== '+' && rest[0] !== '-') || !isDigit(rest, 1) || !isDigit(rest, 2) || !isDigit(rest, 4) || !isDigit(rest, 5))
      throw cannotParse(value, rest, 'Z07:00');
    const hh = Number(rest.slice(1, 3));
    const mm = Number(rest.slice(4, 6));
    if (hh > 24) throw outOfRange(value, 'time zone offset hour');
    if (mm > 60) throw outOfRange(value, 'time zone offset minute');
    offsetMinutes = (rest[0] === '-' ? -1 : 1) * (hh * 60 + mm);
    rest = rest.slice(6);
  }
  if (rest.length > 0) throw new TimeParseError(`parsing time ${goQuote(value)}: extra text: ${goQuote(rest)}`);
  if (day < 1 || day > daysIn(month, year)) throw outOfRange(value, 'day');
  const ms = utcMillis(year, month, day, hour, minute, second) - offsetMinutes * 60_000;
  return BigInt(ms) * NS_PER_MS + frac;
}
