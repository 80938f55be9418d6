// Go's time package as template functions see it: time.Time values (ns since the epoch plus a
// location), reference-layout Format/Parse, LoadLocation (UTC, fixed offsets, IANA via Intl) and
// ParseDuration with Go's error texts. Pure: the only clock read is nowNanos() in now().

import { nowNanos } from '../../model/time.js';
import { goQuote } from './strconv.js';

export interface Zone {
  /** Seconds east of UTC. */
  offset: number;
  /** Abbreviation printed by the MST layout element ("UTC", "CET", "+0530"). */
  abbr: string;
}

export abstract class GoLocation {
  abstract readonly name: string;
  abstract zoneAt(unixSec: number): Zone;
}

class FixedLocation extends GoLocation {
  private readonly zone: Zone;
  constructor(
    readonly name: string,
    abbr: string,
    offset: number,
  ) {
    super();
    this.zone = { offset, abbr };
  }
  zoneAt(): Zone {
    return this.zone;
  }
}

const numericAbbr = (offset: number): string => {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return sign + String(h).padStart(2, '0') + (m ? String(m).padStart(2, '0') : '');
};

class IanaLocation extends GoLocation {
  private readonly parts: Intl.DateTimeFormat;
  private readonly names: Intl.DateTimeFormat[];
  private readonly cache = new Map<number, Zone>();
  constructor(readonly name: string) {
    super();
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    this.names = ['en-US', 'en-GB'].map((l) => new Intl.DateTimeFormat(l, { timeZone: name, timeZoneName: 'short' }));
  }
  zoneAt(unixSec: number): Zone {
    const hourKey = Math.floor(unixSec / 900);
    const hit = this.cache.get(hourKey);
    if (hit) return hit;
    const ms = Math.max(-8.64e15, Math.min(8.64e15, unixSec * 1000));
    const d = new Date(ms);
    const f: Record<string, string> = {};
    for (const p of this.parts.formatToParts(d)) f[p.type] = p.value;
    let year = Number(f.year);
    if (f.era === 'BC' || f.era === 'B') year = 1 - year;
    const wall = daysFromCivil(year, Number(f.month), Number(f.day)) * 86400 + Number(f.hour) * 3600 + Number(f.minute) * 60 + Number(f.second);
    const offset = wall - Math.floor(ms / 1000);
    let abbr = '';
    for (const fmt of this.names) {
      const n = fmt.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (/^[A-Z]{3,5}$/.test(n)) {
        abbr = n;
        break;
      }
    }
    const zone = { offset, abbr: abbr || numericAbbr(offset) };
    if (this.cache.size > 1024) this.cache.clear();
    this.cache.set(hourKey, zone);
    return zone;
  }
}

export const UTC: GoLocation = new FixedLocation('UTC', 'UTC', 0);
/** time.Local: the server's zone; Loki's images run with UTC (no /etc/localtime). */
export const LOCAL: GoLocation = UTC;

const locationCache = new Map<string, GoLocation | null>();

/** time.LoadLocation; undefined when Go would return an error. */
export function loadLocation(name: string): GoLocation | undefined {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  const hit = locationCache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  let loc: GoLocation | null = null;
  if (!name.includes('..') && !name.startsWith('/')) {
    try {
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
      if (resolved === name || resolved.toLowerCase() !== name.toLowerCase()) loc = new IanaLocation(name);
    } catch {
      loc = null;
    }
  }
  if (locationCache.size > 256) locationCache.clear();
  locationCache.set(name, loc);
  return loc ?? undefined;
}

function fixedZone(name: string, offset: number): GoLocation {
  return new FixedLocation(name, name, offset);
}

// ---------------------------------------------------------------------------------------------
// Civil calendar (proleptic Gregorian, any year)

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [y + (m <= 2 ? 1 : 0), m, d];
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function daysIn(month: number, year: number): number {
  if (month === 2 && isLeap(year)) return 29;
  return DAYS_BEFORE[month] - DAYS_BEFORE[month - 1];
}

const NS = 1_000_000_000n;

/** A Go time.Time: an instant (ns since the Unix epoch) and the location it is displayed in. */
export class GoTime {
  constructor(
    readonly unixNs: bigint,
    readonly loc: GoLocation,
  ) {}

  /** Whole seconds since the epoch (floor). */
  unixSec(): number {
    let s = this.unixNs / NS;
    if (this.unixNs % NS < 0n) s -= 1n;
    return Number(s);
  }

  nanosecond(): number {
    const r = Number(this.unixNs % NS);
    return r < 0 ? r + 1e9 : r;
  }

  fields(): TimeFields {
    const sec = this.unixSec();
    const zone = this.loc.zoneAt(sec);
    const local = sec + zone.offset;
    const days = Math.floor(local / 86400);
    const sod = local - days * 86400;
    const [year, month, day] = civilFromDays(days);
    return {
      year,
      month,
      day,
      hour: Math.floor(sod / 3600),
      minute: Math.floor((sod % 3600) / 60),
      second: sod % 60,
      nsec: this.nanosecond(),
      yday: days - daysFromCivil(year, 1, 1) + 1,
      weekday: (((days + 4) % 7) + 7) % 7,
      offset: zone.offset,
      abbr: zone.abbr,
    };
  }

  in(loc: GoLocation): GoTime {
    return new GoTime(this.unixNs, loc);
  }

  /** Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST". */
  toString(): string {
    return formatTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }

  isZero(): boolean {
    return this.unixNs === ZERO_UNIX_NS;
  }
}

export interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nsec: number;
  yday: number;
  weekday: number;
  offset: number;
  abbr: string;
}

const ZERO_UNIX_NS = -62135596800n * NS;
/** The zero time.Time (January 1, year 1, 00:00:00 UTC), returned by failed parses. */
export const ZERO_TIME = new GoTime(ZERO_UNIX_NS, UTC);

export function timeUnix(sec: bigint, nsec: bigint, loc: GoLocation = LOCAL): GoTime {
  return new GoTime(sec * NS + nsec, loc);
}

export function timeNow(): GoTime {
  return new GoTime(nowNanos(), LOCAL);
}

/** time.Date for in-range fields: wall clock in loc to an instant. */
function dateIn(year: number, month: number, day: number, hour: number, min: number, sec: number, nsec: number, loc: GoLocation): GoTime {
  const wall = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  let offset = loc.zoneAt(wall).offset;
  if (offset !== 0) {
    const second = loc.zoneAt(wall - offset).offset;
    if (second !== offset) offset = second;
  }
  return new GoTime(BigInt(wall - offset) * NS + BigInt(nsec), loc);
}

// ---------------------------------------------------------------------------------------------
// Layouts

const enum Std {
  None = 0,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

interface Chunk {
  prefix: string;
  std: Std;
  /** Digits of a fractional-second element. */
  digits: number;
  /** '.' or ',' before fractional seconds. */
  sep: string;
  /** The layout text of the element. */
  text: string;
}

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const startsLower = (s: string): boolean => s.length > 0 && s[0] >= 'a' && s[0] <= 'z';
const isDigitAt = (s: string, i: number): boolean => i < s.length && s[i] >= '0' && s[i] <= '9';

/** Go's nextStdChunk: the literal prefix, the next layout element and what follows it. */
function nextChunk(layout: string): { chunk: Chunk; rest: string } {
  const mk = (i: number, std: Std, len: number, digits = 0, sep = ''): { chunk: Chunk; rest: string } => ({
    chunk: { prefix: layout.slice(0, i), std, digits, sep, text: layout.slice(i, i + len) },
    rest: layout.slice(i + len),
  });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const at = (s: string): boolean => layout.startsWith(s, i);
    switch (c) {
      case 'J':
        if (at('Jan')) {
          if (at('January')) return mk(i, Std.LongMonth, 7);
          if (!startsLower(layout.slice(i + 3))) return mk(i, Std.Month, 3);
        }
        break;
      case 'M':
        if (at('Mon')) {
          if (at('Monday')) return mk(i, Std.LongWeekDay, 6);
          if (!startsLower(layout.slice(i + 3))) return mk(i, Std.WeekDay, 3);
        }
        if (at('MST')) return mk(i, Std.TZ, 3);
        break;
      case '0':
        if (i + 1 < layout.length && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          const std = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year][layout.charCodeAt(i + 1) - 49];
          return mk(i, std, 2);
        }
        if (at('002')) return mk(i, Std.ZeroYearDay, 3);
        break;
      case '1':
        if (at('15')) return mk(i, Std.Hour, 2);
        return mk(i, Std.NumMonth, 1);
      case '2':
        if (at('2006')) return mk(i, Std.LongYear, 4);
        return mk(i, Std.Day, 1);
      case '_':
        if (at('_2')) {
          if (at('_2006')) return { chunk: { prefix: layout.slice(0, i + 1), std: Std.LongYear, digits: 0, sep: '', text: '2006' }, rest: layout.slice(i + 5) };
          return mk(i, Std.UnderDay, 2);
        }
        if (at('__2')) return mk(i, Std.UnderYearDay, 3);
        break;
      case '3':
        return mk(i, Std.Hour12, 1);
      case '4':
        return mk(i, Std.Minute, 1);
      case '5':
        return mk(i, Std.Second, 1);
      case 'P':
        if (at('PM')) return mk(i, Std.PM, 2);
        break;
      case 'p':
        if (at('pm')) return mk(i, Std.pm, 2);
        break;
      case '-':
        if (at('-070000')) return mk(i, Std.NumSecondsTz, 7);
        if (at('-07:00:00')) return mk(i, Std.NumColonSecondsTZ, 9);
        if (at('-0700')) return mk(i, Std.NumTZ, 5);
        if (at('-07:00')) return mk(i, Std.NumColonTZ, 6);
        if (at('-07')) return mk(i, Std.NumShortTZ, 3);
        break;
      case 'Z':
        if (at('Z070000')) return mk(i, Std.ISO8601SecondsTZ, 7);
        if (at('Z07:00:00')) return mk(i, Std.ISO8601ColonSecondsTZ, 9);
        if (at('Z0700')) return mk(i, Std.ISO8601TZ, 5);
        if (at('Z07:00')) return mk(i, Std.ISO8601ColonTZ, 6);
        if (at('Z07')) return mk(i, Std.ISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.length && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) return mk(i, ch === '0' ? Std.FracSecond0 : Std.FracSecond9, j - i, j - (i + 1), c);
        }
        break;
    }
  }
  return { chunk: { prefix: layout, std: Std.None, digits: 0, sep: '', text: '' }, rest: '' };
}

const layoutCache = new Map<string, Chunk[]>();

function layoutChunks(layout: string): Chunk[] {
  let chunks = layoutCache.get(layout);
  if (chunks) return chunks;
  chunks = [];
  let rest = layout;
  for (;;) {
    const { chunk, rest: r } = nextChunk(rest);
    chunks.push(chunk);
    if (chunk.std === Std.None) break;
    rest = r;
  }
  if (layoutCache.size > 256) layoutCache.clear();
  layoutCache.set(layout, chunks);
  return chunks;
}

const pad = (n: number, w: number): string => {
  if (n < 0) return '-' + String(-n).padStart(w, '0');
  return String(n).padStart(w, '0');
};

function appendZone(std: Std, offset: number): string {
  const iso = std === Std.ISO8601TZ || std === Std.ISO8601ColonTZ || std === Std.ISO8601SecondsTZ || std === Std.ISO8601ShortTZ || std === Std.ISO8601ColonSecondsTZ;
  if (offset === 0 && iso) return 'Z';
  let zone = Math.trunc(offset / 60);
  let abs = offset;
  let out = '+';
  if (zone < 0) {
    out = '-';
    zone = -zone;
    abs = -abs;
  }
  out += pad(Math.floor(zone / 60), 2);
  const colon = std === Std.ISO8601ColonTZ || std === Std.NumColonTZ || std === Std.ISO8601ColonSecondsTZ || std === Std.NumColonSecondsTZ;
  if (colon) out += ':';
  if (std !== Std.NumShortTZ && std !== Std.ISO8601ShortTZ) out += pad(zone % 60, 2);
  if (std === Std.ISO8601SecondsTZ || std === Std.NumSecondsTz || std === Std.NumColonSecondsTZ || std === Std.ISO8601ColonSecondsTZ) {
    if (std === Std.NumColonSecondsTZ || std === Std.ISO8601ColonSecondsTZ) out += ':';
    out += pad(abs % 60, 2);
  }
  return out;
}

/** Time.Format with Go's reference layout ("2006-01-02T15:04:05Z07:00"). */
export function formatTime(t: GoTime, layout: string): string {
  const f = t.fields();
  let out = '';
  for (const c of layoutChunks(layout)) {
    out += c.prefix;
    switch (c.std) {
      case Std.None:
        break;
      case Std.Year:
        out += pad(((f.year % 100) + 100) % 100, 2);
        break;
      case Std.LongYear:
        out += pad(f.year, 4);
        break;
      case Std.Month:
        out += LONG_MONTHS[f.month - 1].slice(0, 3);
        break;
      case Std.LongMonth:
        out += LONG_MONTHS[f.month - 1];
        break;
      case Std.NumMonth:
        out += String(f.month);
        break;
      case Std.ZeroMonth:
        out += pad(f.month, 2);
        break;
      case Std.WeekDay:
        out += LONG_DAYS[f.weekday].slice(0, 3);
        break;
      case Std.LongWeekDay:
        out += LONG_DAYS[f.weekday];
        break;
      case Std.Day:
        out += String(f.day);
        break;
      case Std.UnderDay:
        out += (f.day < 10 ? ' ' : '') + String(f.day);
        break;
      case Std.ZeroDay:
        out += pad(f.day, 2);
        break;
      case Std.UnderYearDay:
        out += String(f.yday).padStart(3, ' ');
        break;
      case Std.ZeroYearDay:
        out += pad(f.yday, 3);
        break;
      case Std.Hour:
        out += pad(f.hour, 2);
        break;
      case Std.Hour12:
        out += String(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case Std.ZeroHour12:
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case Std.Minute:
        out += String(f.minute);
        break;
      case Std.ZeroMinute:
        out += pad(f.minute, 2);
        break;
      case Std.Second:
        out += String(f.second);
        break;
      case Std.ZeroSecond:
        out += pad(f.second, 2);
        break;
      case Std.PM:
        out += f.hour >= 12 ? 'PM' : 'AM';
        break;
      case Std.pm:
        out += f.hour >= 12 ? 'pm' : 'am';
        break;
      case Std.TZ:
        if (f.abbr !== '') out += f.abbr;
        else {
          let zone = Math.trunc(f.offset / 60);
          out += zone < 0 ? '-' : '+';
          zone = Math.abs(zone);
          out += pad(Math.floor(zone / 60), 2) + pad(zone % 60, 2);
        }
        break;
      case Std.FracSecond0:
      case Std.FracSecond9: {
        const trim = c.std === Std.FracSecond9;
        if (trim && (c.digits === 0 || f.nsec === 0)) break;
        let frac = pad(f.nsec, 9).slice(0, c.digits);
        if (trim) frac = frac.replace(/0+$/, '');
        if (frac !== '' || !trim) out += c.sep + frac;
        break;
      }
      default:
        out += appendZone(c.std, f.offset);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing (time.ParseInLocation). Errors are reported only as failure: every caller (toDate,
// toDateInZone) discards them and returns the zero time, as Sprig and Loki do.

function getNum(v: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(v, 0)) return undefined;
  if (!isDigitAt(v, 1)) {
    if (fixed) return undefined;
    return [v.charCodeAt(0) - 48, v.slice(1)];
  }
  return [(v.charCodeAt(0) - 48) * 10 + v.charCodeAt(1) - 48, v.slice(2)];
}

function getNum3(v: string, fixed: boolean): [number, string] | undefined {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(v, i); i++) n = n * 10 + v.charCodeAt(i) - 48;
  if (i === 0 || (fixed && i !== 3)) return undefined;
  return [n, v.slice(i)];
}

function cutSpace(s: string): string {
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  return s.slice(i);
}

function skipPrefix(value: string, prefix: string): string | undefined {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') return undefined;
      prefix = cutSpace(prefix);
      value = cutSpace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) return undefined;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

function lookupName(list: string[], v: string): [number, string] | undefined {
  for (let i = 0; i < list.length; i++) {
    const n = list[i];
    if (v.length >= n.length && v.slice(0, n.length).toLowerCase() === n.toLowerCase()) return [i, v.slice(n.length)];
  }
  return undefined;
}

function parseSignedOffset(v: string): number {
  if (v.length === 0 || (v[0] !== '+' && v[0] !== '-')) return 0;
  let i = 1;
  let x = 0;
  while (i < v.length && isDigitAt(v, i)) {
    x = x * 10 + v.charCodeAt(i) - 48;
    i++;
  }
  if (i === 1 || x > 24) return 0;
  return i;
}

function parseTimeZone(v: string): number {
  if (v.length < 3) return 0;
  if (v.startsWith('ChST') || v.startsWith('MeST')) return 4;
  if (v.startsWith('GMT')) {
    const n = parseSignedOffset(v.slice(3));
    return 3 + n;
  }
  if (v[0] === '+' || v[0] === '-') return parseSignedOffset(v);
  let n = 0;
  while (n < 6 && n < v.length && v[n] >= 'A' && v[n] <= 'Z') n++;
  if (n === 5 && v[4] === 'T') return 5;
  if (n === 4 && (v[3] === 'T' || v.startsWith('WITA'))) return 4;
  if (n === 3) return 3;
  return 0;
}

function parseNanoseconds(v: string, nbytes: number): number | undefined {
  if (v[0] !== '.' && v[0] !== ',') return undefined;
  if (nbytes > 10) nbytes = 10;
  const digits = v.slice(1, nbytes);
  if (!/^[0-9]+$/.test(digits)) return undefined;
  return Number(digits) * 10 ** (10 - nbytes);
}

/** time.ParseInLocation; undefined when Go would return an error. */
export function parseTime(layout: string, value: string, defaultLoc: GoLocation): GoTime | undefined {
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let z: GoLocation | undefined;
  let zoneOffset = -1;
  let zoneName = '';
  let pmSet = false;
  let amSet = false;
  const chunks = layoutChunks(layout);
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci];
    const rest = skipPrefix(value, c.prefix);
    if (rest === undefined) return undefined;
    value = rest;
    if (c.std === Std.None) {
      if (value.length !== 0) return undefined;
      break;
    }
    let r: [number, string] | undefined;
    switch (c.std) {
      case Std.Year: {
        if (value.length < 2 || !isDigitAt(value, 0) || !isDigitAt(value, 1)) return undefined;
        const yy = Number(value.slice(0, 2));
        value = value.slice(2);
        year = yy >= 69 ? yy + 1900 : yy + 2000;
        break;
      }
      case Std.LongYear:
        if (value.length < 4 || !/^[0-9]{4}/.test(value)) return undefined;
        year = Number(value.slice(0, 4));
        value = value.slice(4);
        break;
      case Std.Month:
      case Std.LongMonth:
        r = lookupName(c.std === Std.Month ? LONG_MONTHS.map((m) => m.slice(0, 3)) : LONG_MONTHS, value);
        if (!r) return undefined;
        month = r[0] + 1;
        value = r[1];
        break;
      case Std.NumMonth:
      case Std.ZeroMonth:
        r = getNum(value, c.std === Std.ZeroMonth);
        if (!r || r[0] <= 0 || r[0] > 12) return undefined;
        [month, value] = r;
        break;
      case Std.WeekDay:
      case Std.LongWeekDay:
        r = lookupName(c.std === Std.WeekDay ? LONG_DAYS.map((d) => d.slice(0, 3)) : LONG_DAYS, value);
        if (!r) return undefined;
        value = r[1];
        break;
      case Std.Day:
      case Std.UnderDay:
      case Std.ZeroDay:
        if (c.std === Std.UnderDay && value.length > 0 && value[0] === ' ') value = value.slice(1);
        r = getNum(value, c.std === Std.ZeroDay);
        if (!r) return undefined;
        [day, value] = r;
        break;
      case Std.UnderYearDay:
      case Std.ZeroYearDay:
        for (let i = 0; i < 2; i++) if (c.std === Std.UnderYearDay && value.length > 0 && value[0] === ' ') value = value.slice(1);
        r = getNum3(value, c.std === Std.ZeroYearDay);
        if (!r || r[0] < 1 || r[0] > 366) return undefined;
        [yday, value] = r;
        break;
      case Std.Hour:
        r = getNum(value, false);
        if (!r || r[0] < 0 || r[0] >= 24) return undefined;
        [hour, value] = r;
        break;
      case Std.Hour12:
      case Std.ZeroHour12:
        r = getNum(value, c.std === Std.ZeroHour12);
        if (!r || r[0] < 0 || r[0] > 12) return undefined;
        [hour, value] = r;
        break;
      case Std.Minute:
      case Std.ZeroMinute:
        r = getNum(value, c.std === Std.ZeroMinute);
        if (!r || r[0] < 0 || r[0] >= 60) return undefined;
        [min, value] = r;
        break;
      case Std.Second:
      case Std.ZeroSecond: {
        r = getNum(value, c.std === Std.ZeroSecond);
        if (!r || r[0] < 0 || r[0] >= 60) return undefined;
        [sec, value] = r;
        if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
          const next = chunks[ci + 1];
          if (next && (next.std === Std.FracSecond0 || next.std === Std.FracSecond9)) break;
          let n = 2;
          while (n < value.length && isDigitAt(value, n)) n++;
          const ns = parseNanoseconds(value, n);
          if (ns === undefined) return undefined;
          nsec = ns;
          value = value.slice(n);
        }
        break;
      }
      case Std.PM:
      case Std.pm: {
        if (value.length < 2) return undefined;
        const p = value.slice(0, 2);
        value = value.slice(2);
        if (p === (c.std === Std.PM ? 'PM' : 'pm')) pmSet = true;
        else if (p === (c.std === Std.PM ? 'AM' : 'am')) amSet = true;
        else return undefined;
        break;
      }
      case Std.TZ: {
        if (value.startsWith('UTC')) {
          z = UTC;
          value = value.slice(3);
          break;
        }
        const n = parseTimeZone(value);
        if (n === 0) return undefined;
        zoneName = value.slice(0, n);
        value = value.slice(n);
        break;
      }
      case Std.FracSecond0: {
        const ndigit = 1 + c.digits;
        if (value.length < ndigit) return undefined;
        const ns = parseNanoseconds(value, ndigit);
        if (ns === undefined) return undefined;
        nsec = ns;
        value = value.slice(ndigit);
        break;
      }
      case Std.FracSecond9: {
        if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
        let i = 0;
        while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
        const ns = parseNanoseconds(value, 1 + i);
        if (ns === undefined) return undefined;
        nsec = ns;
        value = value.slice(1 + i);
        break;
      }
      default: {
        const iso = c.std >= Std.ISO8601TZ && c.std <= Std.ISO8601ColonSecondsTZ;
        if (iso && value.length >= 1 && value[0] === 'Z') {
          value = value.slice(1);
          z = UTC;
          break;
        }
        let sign: string, hh: string, mm: string, ss: string;
        const colon = c.std === Std.ISO8601ColonTZ || c.std === Std.NumColonTZ;
        const short = c.std === Std.NumShortTZ || c.std === Std.ISO8601ShortTZ;
        const colonSec = c.std === Std.ISO8601ColonSecondsTZ || c.std === Std.NumColonSecondsTZ;
        const secs = c.std === Std.ISO8601SecondsTZ || c.std === Std.NumSecondsTz;
        if (colon) {
          if (value.length < 6 || value[3] !== ':') return undefined;
          [sign, hh, mm, ss, value] = [value[0], value.slice(1, 3), value.slice(4, 6), '00', value.slice(6)];
        } else if (short) {
          if (value.length < 3) return undefined;
          [sign, hh, mm, ss, value] = [value[0], value.slice(1, 3), '00', '00', value.slice(3)];
        } else if (colonSec) {
          if (value.length < 9 || value[3] !== ':' || value[6] !== ':') return undefined;
          [sign, hh, mm, ss, value] = [value[0], value.slice(1, 3), value.slice(4, 6), value.slice(7, 9), value.slice(9)];
        } else if (secs) {
          if (value.length < 7) return undefined;
          [sign, hh, mm, ss, value] = [value[0], value.slice(1, 3), value.slice(3, 5), value.slice(5, 7), value.slice(7)];
        } else {
          if (value.length < 5) return undefined;
          [sign, hh, mm, ss, value] = [value[0], value.slice(1, 3), value.slice(3, 5), '00', value.slice(5)];
        }
        const h = getNum(hh, true);
        const m = getNum(mm, true);
        const s = getNum(ss, true);
        if (!h || !m || !s || h[0] > 24 || m[0] > 60 || s[0] > 60) return undefined;
        zoneOffset = (h[0] * 60 + m[0]) * 60 + s[0];
        if (sign === '-') zoneOffset = -zoneOffset;
        else if (sign !== '+') return undefined;
      }
    }
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    let d = 0;
    let m = 0;
    let yd = yday;
    if (isLeap(year)) {
      if (yd === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yd > 31 + 29) yd--;
    }
    if (m === 0) {
      m = Math.floor(yd / 31) + 1;
      if (DAYS_BEFORE[m] < yd) m++;
      d = yd - DAYS_BEFORE[m - 1];
    }
    if ((month >= 0 && month !== m) || (day >= 0 && day !== d)) return undefined;
    month = m;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) return undefined;
  if (z) return dateIn(year, month, day, hour, min, sec, nsec, z);
  if (zoneOffset !== -1) {
    const t = dateIn(year, month, day, hour, min, sec, nsec, UTC);
    const unixNs = t.unixNs - BigInt(zoneOffset) * NS;
    const zone = defaultLoc.zoneAt(Number(unixNs / NS));
    if (zone.offset === zoneOffset && (zoneName === '' || zone.abbr === zoneName)) return new GoTime(unixNs, defaultLoc);
    return new GoTime(unixNs, fixedZone(zoneName, zoneOffset));
  }
  if (zoneName !== '') {
    const t = dateIn(year, month, day, hour, min, sec, nsec, UTC);
    const zone = defaultLoc.zoneAt(Number(t.unixNs / NS));
    if (zone.abbr === zoneName) return new GoTime(t.unixNs - BigInt(zone.offset) * NS, defaultLoc);
    let offset = 0;
    if (zoneName.length > 3 && zoneName.startsWith('GMT')) offset = Number.parseInt(zoneName.slice(3), 10) * 3600;
    return new GoTime(t.unixNs - BigInt(offset) * NS, fixedZone(zoneName, offset));
  }
  return dateIn(year, month, day, hour, min, sec, nsec, defaultLoc);
}

// ---------------------------------------------------------------------------------------------
// Durations

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: NS,
  m: 60n * NS,
  h: 3600n * NS,
};

const MAX_DURATION = (1n << 63n) - 1n;

/** time.ParseDuration: ns, or the error text Go returns. */
export function parseDuration(orig: string): { ns: bigint } | { error: string } {
  const invalid = { error: 'time: invalid duration ' + goQuote(orig) };
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ns: 0n };
  if (s === '') return invalid;
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid;
    let i = 0;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    const pre = i > 0;
    let v = pre ? BigInt(s.slice(0, i)) : 0n;
    if (v > 1n << 63n) return invalid;
    s = s.slice(i);
    let frac = '';
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (j < s.length && s[j] >= '0' && s[j] <= '9') j++;
      post = j > 0;
      frac = s.slice(0, j);
      s = s.slice(j);
    }
    if (!pre && !post) return invalid;
    let u = 0;
    while (u < s.length && !(s[u] === '.' || (s[u] >= '0' && s[u] <= '9'))) u++;
    if (u === 0) return { error: 'time: missing unit in duration ' + goQuote(orig) };
    const unitText = s.slice(0, u);
    s = s.slice(u);
    const unit = UNIT_NS[unitText];
    if (unit === undefined) return { error: 'time: unknown unit ' + goQuote(unitText) + ' in duration ' + goQuote(orig) };
    if (v > (1n << 63n) / unit) return invalid;
    v *= unit;
    const digits = frac.replace(/0+$/, '').slice(0, 18);
    if (digits !== '') {
      v += BigInt(Math.floor(Number(digits) * (Number(unit) / 10 ** digits.length)));
      if (v > 1n << 63n) return invalid;
    }
    d += v;
    if (d > 1n << 63n) return invalid;
  }
  if (neg) return { ns: -d };
  if (d > MAX_DURATION) return invalid;
  return { ns: d };
}

/** Duration.Seconds(). */
export function durationSeconds(ns: bigint): number {
  const sec = ns / NS;
  const rest = ns % NS;
  return Number(sec) + Number(rest) / 1e9;
}
