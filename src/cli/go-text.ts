// Text forms logcli's Go runtime produces byte for byte: url.Values.Encode, encoding/json strings
// and MarshalIndent, strconv 'f' floats, go-humanize byte sizes, strings.TrimSpace. Pure; no I/O.

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** Go url.QueryEscape: unreserved kept, space as '+', every other UTF-8 byte as %XX. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go url.Values.Encode: keys sorted bytewise, `k=v` pairs joined with '&'. */
export function encodeGoQuery(params: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...params].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sorted.map(([k, v]) => goQueryEscape(k) + '=' + goQueryEscape(v)).join('&');
}

const HEX = '0123456789abcdef';

/** A JSON string as Go's encoding/json writes it (HTML-safe, \b \f short forms, U+2028/9 escaped). */
export function goJSONString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += '\\ufffd';
      continue;
    }
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26 && c !== 0x2028 && c !== 0x2029) {
      out += s[i];
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      default:
        if (c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16);
        else out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
    }
  }
  return out + '"';
}

/** A JSON value with Go's key order already decided by the caller (Go sorts map keys). */
export type GoJSON = { readonly str: string } | { readonly num: string } | readonly GoJSON[] | ReadonlyMap<string, GoJSON>;

/** Go json.MarshalIndent(v, "", "  ") of an already ordered value. */
export function goJSONIndent(v: GoJSON, depth = 0): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = '  '.repeat(depth + 1);
    return '[\n' + v.map((x) => inner + goJSONIndent(x, depth + 1)).join(',\n') + '\n' + '  '.repeat(depth) + ']';
  }
  if (v instanceof Map) {
    if (v.size === 0) return '{}';
    const inner = '  '.repeat(depth + 1);
    const parts: string[] = [];
    for (const [k, x] of v as ReadonlyMap<string, GoJSON>) parts.push(inner + goJSONString(k) + ': ' + goJSONIndent(x, depth + 1));
    return '{\n' + parts.join(',\n') + '\n' + '  '.repeat(depth) + '}';
  }
  const scalar = v as { str?: string; num?: string };
  return scalar.num !== undefined ? scalar.num : goJSONString(scalar.str ?? '');
}

/** Go strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s[0] === '-';
  const mant = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mant.indexOf('.');
  const digits = mant.replace('.', '');
  const pointAt = (dot < 0 ? mant.length : dot) + exp;
  let out: string;
  if (pointAt <= 0) out = '0.' + '0'.repeat(-pointAt) + digits;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = digits.slice(0, pointAt) + '.' + digits.slice(pointAt);
  return (neg ? '-' : '') + out;
}

/** Go's %.0f: round half to even on exact ties. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const SI_SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** go-humanize Bytes(): SI units with a space ("12 kB", "1.5 MB", "7 B"). */
export function humanizeBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / Math.pow(1000, e)) * 10 + 0.5) / 10;
  const text = val < 10 ? val.toFixed(1) : String(roundHalfEven(val));
  return `${text} ${SI_SIZES[e]}`;
}

const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** Go strings.TrimSpace (Unicode White_Space; unlike String.prototype.trim it keeps U+FEFF). */
export function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, '');
}

/** Go's len(s) for a string: its UTF-8 byte length. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
