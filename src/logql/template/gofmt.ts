// Go's fmt package for template values: Sprint/Sprintln/Sprintf with Go's verbs, flags, width,
// precision, argument indexes and %!verb(...) error forms, and strconv's float formatting.
// Pure string building; never evaluates templates.

import { GoTime } from './gotime.js';
import { canBackquote, goQuote, goQuoteRune, isPrint, utf8Bytes } from './strconv.js';
import { GoInt, GoMap, GoSlice, GoValue, NIL_IFACE, goTypeName } from './values.js';

// ---------------------------------------------------------------------------------------------
// Float formatting (strconv.FormatFloat)

interface Decimal {
  /** Significant digits, no leading or trailing zeros ("" for zero). */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite positive double. */
function exactDecimal(x: number): Decimal {
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  exp -= 1075;
  let s: string;
  let dp: number;
  if (exp >= 0) {
    s = (mant << BigInt(exp)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-exp)).toString();
    dp = s.length + exp;
  }
  return { d: s.replace(/0+$/, ''), dp };
}

/** Shortest digits that round-trip (what Go's 'g'/-1 and JS's Number#toString both produce). */
function shortestDecimal(x: number): Decimal {
  const e = x.toExponential();
  const at = e.indexOf('e');
  const d = (e[0] + (at > 1 ? e.slice(2, at) : '')).replace(/0+$/, '');
  return { d, dp: Number(e.slice(at + 1)) + 1 };
}

/** Rounds to nd digits, half to even on exact ties (Go's decimal.Round). */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const next = a.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) {
    const d = a.d.slice(0, nd).replace(/0+$/, '');
    return { d, dp: d === '' ? 0 : a.dp };
  }
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
}

function fmtE(d: Decimal, prec: number, ch: string): string {
  let out = d.d.length ? d.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const frac = d.d.slice(1, prec + 1);
    out += frac + '0'.repeat(prec - frac.length);
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + ch + sign + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(d: Decimal, prec: number): string {
  let out: string;
  if (d.dp > 0) {
    out = d.d.slice(0, d.dp);
    if (out.length < d.dp) out += '0'.repeat(d.dp - out.length);
  } else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j >= 0 && j < d.d.length ? d.d[j] : '0';
    }
  }
  return out;
}

function fmtHexFloat(x: number, prec: number, upper: boolean): string {
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  exp -= 1023;
  if (mant === 0n) exp = 0;
  const bit60 = 1n << 60n;
  mant <<= 8n;
  while (mant !== 0n && (mant & bit60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (bit60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  let out = '0x' + ((mant >> 60n) & 1n).toString();
  mant = BigInt.asUintN(64, mant << 4n);
  const digit = (): string => {
    const d = ((mant >> 60n) & 15n).toString(16);
    mant = BigInt.asUintN(64, mant << 4n);
    return d;
  };
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) out += digit();
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digit();
  }
  out += 'p' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  return upper ? out.toUpperCase() : out;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f g G x X b. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const sign = neg ? '-' : '';
  if (fmt === 'x' || fmt === 'X') return sign + fmtHexFloat(a, prec, fmt === 'X');
  if (fmt === 'b') {
    f64.setFloat64(0, a);
    const bits = f64.getBigUint64(0);
    let exp = Number((bits >> 52n) & 0x7ffn);
    let mant = bits & ((1n << 52n) - 1n);
    if (exp === 0) exp = 1;
    else mant |= 1n << 52n;
    exp -= 1075;
    return sign + mant.toString() + 'p' + (exp < 0 ? '-' : '+') + Math.abs(exp);
  }
  const shortest = prec < 0;
  if ((fmt === 'g' || fmt === 'G') && prec === 0) prec = 1;
  let d: Decimal;
  if (a === 0) d = { d: '', dp: 0 };
  else if (shortest) d = shortestDecimal(a);
  else {
    const exact = exactDecimal(a);
    if (fmt === 'e' || fmt === 'E') d = roundDecimal(exact, prec + 1);
    else if (fmt === 'f') d = roundDecimal(exact, exact.dp + prec);
    else d = roundDecimal(exact, prec);
  }
  if (shortest) {
    if (fmt === 'e' || fmt === 'E') prec = Math.max(d.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(d.d.length - d.dp, 0);
    else prec = d.d.length;
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return sign + fmtE(d, prec, fmt);
    case 'f':
      return sign + fmtF(d, prec);
    default: {
      let eprec = prec;
      if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.d.length) prec = d.d.length;
        return sign + fmtE(d, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > d.dp) prec = d.d.length;
      return sign + fmtF(d, Math.max(prec - d.dp, 0));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The printer (fmt's pp and fmt types)

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';

class Printer {
  buf = '';
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;
  erroring = false;

  clearFlags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  private writePadding(n: number): void {
    if (n > 0) this.buf += (this.zero && !this.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  private truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    let i = 0;
    for (const ch of s) {
      if (n-- <= 0) return s.slice(0, i);
      i += ch.length;
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(goQuote(s, this.plus));
  }

  private fmtSx(s: string, digits: string): void {
    const b = utf8Bytes(s);
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = '';
    if (this.sharp) out += '0' + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += '0' + digits[16];
      }
      out += digits[b[i] >> 4] + digits[b[i] & 15];
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  private fmtInteger(v: bigint, base: number, signed: boolean, verb: string, digits: string): void {
    const negative = signed && v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = u.toString(base);
    if (digits === UDIGITS) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8 && s[0] !== '0') s = '0' + s;
      else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.plus) s = '+' + s;
    else if (this.space) s = ' ' + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  private fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  private fmtFloat(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb === 'F' ? 'f' : verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
      let tail = '';
      let body = num;
      const m = /[eEpP]/.exec(body.slice(1));
      if (m && !((verb === 'x' || verb === 'X') && (m[0] === 'e' || m[0] === 'E'))) {
        tail = body.slice(m.index + 1);
        body = body.slice(0, m.index + 1);
      }
      let hasDot = false;
      for (let i = 1; i < body.length; i++) {
        if (body[i] === '.') hasDot = true;
        else digits--;
      }
      if (!hasDot) {
        if (body.length === 2 && body[1] === '0') digits--;
        body += '.';
      }
      while (digits > 0) {
        body += '0';
        digits--;
      }
      num = body + tail;
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private badVerb(verb: string, arg: GoValue): void {
    this.erroring = true;
    this.buf += '%!' + verb + '(';
    if (arg === undefined || arg === NIL_IFACE) this.buf += '<nil>';
    else {
      this.buf += goTypeName(arg) + '=';
      this.printArg(arg, 'v', 0);
    }
    this.buf += ')';
    this.erroring = false;
  }

  printArg(arg: GoValue, verb: string, depth: number): void {
    if (arg === undefined || arg === NIL_IFACE) {
      if (depth > 0 || verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(goTypeName(arg));
      return;
    }
    if (verb === 'p') {
      this.badVerb(verb, arg);
      return;
    }
    switch (typeof arg) {
      case 'boolean':
        if (verb === 't' || verb === 'v') this.pad(arg ? 'true' : 'false');
        else this.badVerb(verb, arg);
        return;
      case 'number':
        switch (verb) {
          case 'v':
            this.fmtFloat(arg, 'g', -1);
            return;
          case 'b':
          case 'g':
          case 'G':
          case 'x':
          case 'X':
            this.fmtFloat(arg, verb, -1);
            return;
          case 'f':
          case 'e':
          case 'E':
          case 'F':
            this.fmtFloat(arg, verb, 6);
            return;
        }
        this.badVerb(verb, arg);
        return;
      case 'string':
        switch (verb) {
          case 'v':
            if (this.sharpV) this.fmtQ(arg);
            else this.fmtS(arg);
            return;
          case 's':
            this.fmtS(arg);
            return;
          case 'x':
            this.fmtSx(arg, LDIGITS);
            return;
          case 'X':
            this.fmtSx(arg, UDIGITS);
            return;
          case 'q':
            this.fmtQ(arg);
            return;
        }
        this.badVerb(verb, arg);
        return;
    }
    if (arg instanceof GoInt) {
      const signed = arg.type !== 'uint8';
      switch (verb) {
        case 'v':
        case 'd':
          this.fmtInteger(arg.v, 10, signed, verb, LDIGITS);
          return;
        case 'b':
          this.fmtInteger(arg.v, 2, signed, verb, LDIGITS);
          return;
        case 'o':
        case 'O':
          this.fmtInteger(arg.v, 8, signed, verb, LDIGITS);
          return;
        case 'x':
          this.fmtInteger(arg.v, 16, signed, verb, LDIGITS);
          return;
        case 'X':
          this.fmtInteger(arg.v, 16, signed, verb, UDIGITS);
          return;
        case 'c': {
          const r = arg.v < 0n || arg.v > 0x10ffffn || (arg.v >= 0xd800n && arg.v < 0xe000n) ? 0xfffd : Number(arg.v);
          this.pad(String.fromCodePoint(r));
          return;
        }
        case 'q': {
          const r = arg.v < 0n || arg.v > 0x10ffffn ? 0xfffd : Number(arg.v);
          this.pad(goQuoteRune(r, this.plus));
          return;
        }
        case 'U':
          this.fmtUnicode(arg.v < 0n ? arg.v + (1n << 64n) : arg.v);
          return;
      }
      this.badVerb(verb, arg);
      return;
    }
    if (arg instanceof GoTime) {
      if (!this.erroring && (verb === 'v' || verb === 's' || verb === 'x' || verb === 'X' || verb === 'q')) {
        this.printArg(arg.toString(), verb, depth);
        return;
      }
      this.buf += '%!' + verb + '(time.Time=' + arg.toString() + ')';
      return;
    }
    if (arg instanceof GoSlice) {
      this.buf += '[';
      arg.items.forEach((item, i) => {
        if (i > 0) this.buf += ' ';
        this.printArg(item, verb, depth + 1);
      });
      this.buf += ']';
      return;
    }
    this.printMap(arg, verb, depth);
  }

  private printMap(m: GoMap, verb: string, depth: number): void {
    this.buf += 'map[';
    m.keys().forEach((k, i) => {
      if (i > 0) this.buf += ' ';
      this.printArg(k, verb, depth + 1);
      this.buf += ':';
      this.printArg(m.get(k), verb, depth + 1);
    });
    this.buf += ']';
  }
}

function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const TOO_LARGE = 1e6;

/** The printf state machine (fmt's doPrintf); one instance is reused, as formatting never nests. */
class FormatState extends Printer {
  private format = '';
  private args: readonly GoValue[] = [];
  private argNum = 0;
  private reordered = false;
  private goodArgNum = true;
  private i = 0;

  private parseNum(end: number): [number, boolean] {
    const s = this.format;
    if (this.i >= end) return [0, false];
    let num = 0;
    let isNum = false;
    for (; this.i < end && s.charCodeAt(this.i) >= 48 && s.charCodeAt(this.i) <= 57; this.i++) {
      if (num > TOO_LARGE) {
        this.i = end;
        return [0, false];
      }
      num = num * 10 + s.charCodeAt(this.i) - 48;
      isNum = true;
    }
    return [num, isNum];
  }

  /** argNumber: an explicit [n] index; reports whether one was found. */
  private argNumber(): boolean {
    const s = this.format;
    const start = this.i;
    if (start >= s.length || s[start] !== '[') return false;
    this.reordered = true;
    let width = 1;
    let ok = false;
    let index = 0;
    if (s.length - start >= 3) {
      const close = s.indexOf(']', start + 1);
      if (close >= 0) {
        width = close + 1 - start;
        this.i = start + 1;
        const [n, isNum] = this.parseNum(close);
        if (isNum && this.i === close) {
          ok = true;
          index = n - 1;
        }
      }
    }
    this.i = start + width;
    if (ok && index >= 0 && index < this.args.length) {
      this.argNum = index;
      return true;
    }
    this.goodArgNum = false;
    return ok;
  }

  private intFromArg(): [number, boolean] {
    if (this.argNum >= this.args.length) return [0, false];
    const arg = this.args[this.argNum++];
    if (arg instanceof GoInt && arg.v <= 1000000n && arg.v >= -1000000n) return [Number(arg.v), true];
    return [0, false];
  }

  run(format: string, a: readonly GoValue[]): string {
    this.buf = '';
    this.format = format;
    this.args = a;
    this.argNum = 0;
    this.reordered = false;
    const end = format.length;
    let afterIndex = false;
    this.i = 0;
    while (this.i < end) {
      this.goodArgNum = true;
      const lasti = this.i;
      const pct = format.indexOf('%', this.i);
      this.i = pct < 0 ? end : pct;
      if (this.i > lasti) this.buf += format.slice(lasti, this.i);
      if (this.i >= end) break;
      this.i++;
      this.clearFlags();
      let simple = false;
      for (; this.i < end; this.i++) {
        const c = format[this.i];
        if (c === '#') this.sharp = true;
        else if (c === '0') this.zero = true;
        else if (c === '+') this.plus = true;
        else if (c === '-') this.minus = true;
        else if (c === ' ') this.space = true;
        else {
          if (c >= 'a' && c <= 'z' && this.argNum < a.length) {
            this.verbFlags(c);
            this.printArg(a[this.argNum++], c, 0);
            this.i++;
            simple = true;
          }
          break;
        }
      }
      if (simple) continue;

      afterIndex = this.argNumber();
      if (this.i < end && format[this.i] === '*') {
        this.i++;
        [this.wid, this.widPresent] = this.intFromArg();
        if (!this.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent] = this.parseNum(end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (this.i + 1 < end && format[this.i] === '.') {
        this.i++;
        if (afterIndex) this.goodArgNum = false;
        afterIndex = this.argNumber();
        if (this.i < end && format[this.i] === '*') {
          this.i++;
          [this.prec, this.precPresent] = this.intFromArg();
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.prec, this.precPresent] = this.parseNum(end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) afterIndex = this.argNumber();
      if (this.i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(this.i)!);
      this.i += verb.length;
      if (verb === '%') this.buf += '%';
      else if (!this.goodArgNum) this.buf += '%!' + verb + '(BADINDEX)';
      else if (this.argNum >= a.length) this.buf += '%!' + verb + '(MISSING)';
      else {
        this.verbFlags(verb);
        this.printArg(a[this.argNum++], verb, 0);
      }
    }
    if (!this.reordered && this.argNum < a.length) {
      this.clearFlags();
      this.buf += '%!(EXTRA ';
      for (let k = this.argNum; k < a.length; k++) {
        const arg = a[k];
        if (k > this.argNum) this.buf += ', ';
        if (arg === undefined || arg === NIL_IFACE) this.buf += '<nil>';
        else {
          this.buf += goTypeName(arg) + '=';
          this.printArg(arg, 'v', 0);
        }
      }
      this.buf += ')';
    }
    const out = this.buf;
    this.buf = '';
    this.args = [];
    return out;
  }

  /** %v moves the # and + flags to their Go-syntax / field-name forms. */
  private verbFlags(verb: string): void {
    if (verb === 'v') {
      this.sharpV = this.sharp;
      this.sharp = false;
      this.plusV = this.plus;
      this.plus = false;
    }
  }
}

const printer = new FormatState();

/** fmt.Sprint: operands formatted with %v, a space between two operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  printer.buf = '';
  printer.clearFlags();
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) printer.buf += ' ';
    printer.printArg(arg, 'v', 0);
    prevString = isString;
  }
  const out = printer.buf;
  printer.buf = '';
  return out;
}

/** fmt.Sprintln: operands separated by spaces, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  printer.buf = '';
  printer.clearFlags();
  for (let i = 0; i < args.length; i++) {
    if (i > 0) printer.buf += ' ';
    printer.printArg(args[i], 'v', 0);
  }
  const out = printer.buf + '\n';
  printer.buf = '';
  return out;
}

/** %v of one value (fmt.Fprint of a single operand). */
export function formatValue(v: GoValue): string {
  if (typeof v === 'string') return v;
  printer.buf = '';
  printer.clearFlags();
  printer.printArg(v, 'v', 0);
  const out = printer.buf;
  printer.buf = '';
  return out;
}

/** fmt.Sprintf with Go's verbs, flags, width/precision (also *), [n] indexes and error forms. */
export function sprintf(format: string, a: readonly GoValue[]): string {
  return printer.run(format, a);
}
