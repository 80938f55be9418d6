// Nanosecond timestamps as bigint (a JS number cannot hold ns since 1970 exactly), and the
// Go-compatible text forms Loki prints. Pure: no I/O, no clocks except nowNanos().

export type Nanos = bigint;

export const NS_PER_MS = 1_000_000n;
export const NS_PER_SECOND = 1_000_000_000n;

const hrBase = process.hrtime.bigint();
const wallBase = BigInt(Date.now()) * NS_PER_MS;

/** The current time in nanoseconds: wall clock at start plus a monotonic offset. */
export function nowNanos(): Nanos {
  return wallBase + (process.hrtime.bigint() - hrBase);
}

export function fromMillis(ms: number): Nanos {
  return BigInt(Math.trunc(ms)) * NS_PER_MS;
}

export function toMillis(ns: Nanos): number {
  return Number(ns / NS_PER_MS);
}

/** Seconds as a float number (loses sub-µs precision; for display and sample times only). */
export function toSecondsFloat(ns: Nanos): number {
  return Number(ns / NS_PER_MS) / 1000 + Number(ns % NS_PER_MS) / 1e9;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function splitDate(ns: Nanos): { d: Date; frac: bigint } {
  let secs = ns / NS_PER_SECOND;
  let frac = ns % NS_PER_SECOND;
  if (frac < 0n) {
    frac += NS_PER_SECOND;
    secs -= 1n;
  }
  return { d: new Date(Number(secs) * 1000), frac };
}

function datePart(d: Date, sep: string): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${sep}${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}`;
}

/** Go's fractional-second form with trailing zeros trimmed (".5", ".000000001"), empty when zero. */
function trimmedFraction(frac: bigint): string {
  if (frac === 0n) return '';
  return '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
}

/** Go time.RFC3339 in UTC: "2026-11-23T13:34:26Z" (fraction dropped). */
export function formatRFC3339(ns: Nanos): string {
  return datePart(splitDate(ns).d, 'T') + 'Z';
}

/** Go time.RFC3339Nano in UTC: "2026-11-23T13:34:26.462000536Z" (trailing zeros trimmed). */
export function formatRFC3339Nano(ns: Nanos): string {
  const { d, frac } = splitDate(ns);
  return datePart(d, 'T') + trimmedFraction(frac) + 'Z';
}

/** Go time.Time.String() in UTC: "2026-11-23 13:34:26.462000536 +0000 UTC". */
export function formatGoTime(ns: Nanos): string {
  const { d, frac } = splitDate(ns);
  return datePart(d, ' ') + trimmedFraction(frac) + ' +0000 UTC';
}

const RFC3339_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses RFC3339 / RFC3339Nano into ns; returns undefined when the text is not such a time. */
export function parseRFC3339(s: string): Nanos | undefined {
  const m = RFC3339_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, fr, , sign, oh, om] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), min = Number(mi), sec = Number(se);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) return undefined;
  let ms = Date.UTC(Number(y), month - 1, day, hour, min, sec);
  if (sign) {
    const off = (Number(oh) * 60 + Number(om)) * 60_000;
    ms += sign === '+' ? -off : off;
  }
  const frac = fr ? BigInt(fr.padEnd(9, '0')) : 0n;
  return BigInt(ms) * NS_PER_MS + frac;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go time.ParseDuration → ns (bigint); undefined when invalid. Accepts "1h2m3.5s", "-5ms", "0". */
export function parseGoDuration(s: string): Nanos | undefined {
  if (s === '') return undefined;
  let i = 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    i = 1;
  }
  if (s.slice(i) === '0') return 0n;
  if (i >= s.length) return undefined;
  let total = 0n;
  const re = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (i < s.length) {
    const m = re.exec(s.slice(i));
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const unit = BigInt(DURATION_UNITS[m[3]]);
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    i += m[0].length;
  }
  return neg ? -total : total;
}

const PROM_UNITS: Record<string, bigint> = {
  y: 365n * 24n * 3600n * NS_PER_SECOND,
  w: 7n * 24n * 3600n * NS_PER_SECOND,
  d: 24n * 3600n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  s: NS_PER_SECOND,
  ms: NS_PER_MS,
};

/** Prometheus model.ParseDuration (units y w d h m s ms, in that order, no fractions) → ns. */
export function parsePromDuration(s: string): Nanos | undefined {
  if (s === '0') return 0n;
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(s);
  if (!m || s === '') return undefined;
  const keys = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let total = 0n;
  for (let k = 0; k < keys.length; k++) if (m[k + 1] !== undefined) total += BigInt(m[k + 1]) * PROM_UNITS[keys[k]];
  return total;
}

/** Prometheus model.Duration.String(): "1h30m", "5m", "0s", "1d", "1w", "100ms". */
export function formatPromDuration(ns: Nanos): string {
  let ms = ns / NS_PER_MS;
  if (ms === 0n) return '0s';
  let out = '';
  if (ms < 0n) {
    out = '-';
    ms = -ms;
  }
  const f = (unit: string, mult: bigint, exact: boolean): void => {
    if (exact && ms % mult !== 0n) return;
    const v = ms / mult;
    ms -= v * mult;
    if (v > 0n) out += `${v}${unit}`;
  };
  f('y', 365n * 86_400_000n, true);
  f('w', 7n * 86_400_000n, true);
  f('d', 86_400_000n, false);
  f('h', 3_600_000n, false);
  f('m', 60_000n, false);
  f('s', 1000n, false);
  f('ms', 1n, false);
  return out;
}

/** Go time.Duration.String(): "1h0m0s", "1.5s", "500ms", "0s". */
export function formatGoDuration(ns: Nanos): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < NS_PER_SECOND) {
    const [unit, div] = u < 1000n ? ['ns', 1n] : u < NS_PER_MS ? ['µs', 1000n] : ['ms', NS_PER_MS];
    out = fracString(u, div) + unit;
  } else {
    const h = u / (3600n * NS_PER_SECOND);
    u -= h * 3600n * NS_PER_SECOND;
    const m = u / (60n * NS_PER_SECOND);
    u -= m * 60n * NS_PER_SECOND;
    const s = fracString(u, NS_PER_SECOND) + 's';
    out = h > 0n ? `${h}h${m}m${s}` : m > 0n ? `${m}m${s}` : s;
  }
  return (neg ? '-' : '') + out;
}

function fracString(v: bigint, div: bigint): string {
  const whole = v / div;
  const rest = v % div;
  if (rest === 0n) return whole.toString();
  const digits = div.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
