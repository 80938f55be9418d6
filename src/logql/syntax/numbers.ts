// Go's number and size texts as LogQL sees them: strconv.ParseFloat/Atoi, fmt's %v/%f and
// FormatFloat('f', -1) for float64, go-humanize's ParseBytes/Bytes. Pure functions, no parsing of queries.

export type FloatResult = { ok: true; value: number } | { ok: false; value: number; reason: string };

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64); `reason` is Go's error text when it fails. */
export function parseGoFloat(s: string): FloatResult {
  const fail = (reason: string, value = 0): FloatResult => ({
    ok: false,
    value,
    reason: `strconv.ParseFloat: parsing ${JSON.stringify(s)}: ${reason}`,
  });
  const special = SPECIAL_RE.exec(s);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return { ok: true, value: NaN };
    return { ok: true, value: special[1] === '-' ? -Infinity : Infinity };
  }
  let value: number;
  const hex = HEX_RE.exec(s);
  if (hex) {
    const [, sign, intPart, frac = '', exp] = hex;
    if (intPart === '' && frac === '') return fail('invalid syntax');
    const mantissa = parseInt(intPart + frac || '0', 16);
    value = mantissa * Math.pow(2, Number(exp) - 4 * frac.length);
    if (sign === '-') value = -value;
  } else if (DECIMAL_RE.test(s)) {
    value = Number(s);
  } else {
    return fail('invalid syntax');
  }
  if (!Number.isFinite(value)) return fail('value out of range', value);
  return { ok: true, value };
}

/** strconv.Atoi: a base-10 int64 with optional sign; undefined when invalid. */
export function parseGoInt(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return Number(v);
}

/** Shortest round-trip digits and decimal exponent of a finite non-zero |v|: v = 0.d1d2… × 10^dp. */
function shortestDigits(v: number): { digits: string; dp: number } {
  const [mant, exp] = Math.abs(v).toExponential().split('e');
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, dp: Number(exp) + 1 };
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

/** strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function formatGoFloatF(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { digits, dp } = shortestDigits(v);
  const sign = v < 0 ? '-' : '';
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= digits.length) return sign + digits + '0'.repeat(dp - digits.length);
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** fmt.Sprint(float64) (%v, i.e. %g with shortest digits): `1e+06`, `0.5`, `100000`, `-Inf`. */
export function formatGoFloatV(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { digits, dp } = shortestDigits(v);
  const exp = dp - 1;
  if (exp < -4 || exp >= 6) {
    const sign = v < 0 ? '-' : '';
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return formatGoFloatF(v);
}

/** fmt.Sprintf("%f", v): six decimals. */
export function formatGoFloatFixed6(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (Math.abs(v) >= 1e21) return formatGoFloatF(Math.round(v)) + '.000000';
  return v.toFixed(6);
}

const BYTE_SIZES: Readonly<Record<string, number>> = {
  b: 1, '': 1,
  kib: 1024, ki: 1024, kb: 1000, k: 1000,
  mib: 1024 ** 2, mi: 1024 ** 2, mb: 1e6, m: 1e6,
  gib: 1024 ** 3, gi: 1024 ** 3, gb: 1e9, g: 1e9,
  tib: 1024 ** 4, ti: 1024 ** 4, tb: 1e12, t: 1e12,
  pib: 1024 ** 5, pi: 1024 ** 5, pb: 1e15, p: 1e15,
  eib: 1024 ** 6, ei: 1024 ** 6, eb: 1e18, e: 1e18,
};

/** go-humanize ParseBytes: `1.5KiB` → 1536, `10GB` → 1e10; undefined when invalid or too large. */
export function parseHumanBytes(s: string): number | undefined {
  let i = 0;
  const chars = [...s];
  while (i < chars.length && (/\p{Nd}/u.test(chars[i]) || chars[i] === '.' || chars[i] === ',')) i++;
  const num = chars.slice(0, i).join('').replaceAll(',', '');
  const f = parseGoFloat(num);
  if (!f.ok) return undefined;
  const unit = BYTE_SIZES[chars.slice(i).join('').trim().toLowerCase()];
  if (unit === undefined) return undefined;
  const v = f.value * unit;
  if (v >= 18446744073709551615) return undefined;
  return Math.floor(v);
}

const SI_SUFFIXES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** go-humanize Bytes (SI) with the space removed: 1536 → `1.5kB`, 20 → `20B`. */
export function formatHumanBytes(n: number): string {
  if (n < 10) return `${n}B`;
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / Math.pow(1000, e)) * 10 + 0.5) / 10;
  return (val < 10 ? val.toFixed(1) : val.toFixed(0)) + SI_SUFFIXES[e];
}
