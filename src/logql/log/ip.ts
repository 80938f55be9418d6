// The ip("...") matcher of line and label filters: a single address, CIDR or range (Go netip /
// netipx parsing rules), and Loki's scan for addresses inside arbitrary text. Pure; no I/O.
import { goQuote } from '../../model/labels.js';

interface Addr {
  bits: 32 | 128;
  value: bigint;
  zone: string;
}

type IpMatcher =
  | { kind: 'addr'; addr: Addr }
  | { kind: 'prefix'; addr: Addr; len: number }
  | { kind: 'range'; from: Addr; to: Addr };

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
    if (tail.includes('::')) return undefined;
  }
  const groups = (part: string): bigint[] | undefined => {
    if (part === '') return [];
    const fields = part.split(':');
    const out: bigint[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (i === fields.length - 1 && f.includes('.')) {
        const v4 = parseIPv4(f);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return undefined;
      out.push(BigInt(parseInt(f, 16)));
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  if (dbl >= 0 && head.includes('.')) return undefined;
  const total = h.length + t.length;
  if (dbl < 0 ? total !== 8 : total > 7) return undefined;
  const all = [...h, ...new Array<bigint>(8 - total).fill(0n), ...t];
  let v = 0n;
  for (const g of all) v = (v << 16n) | g;
  return v;
}

/** Go netip.ParseAddr. */
export function parseAddr(s: string): Addr | undefined {
  if (s.includes(':')) {
    let zone = '';
    let a = s;
    const pct = s.indexOf('%');
    if (pct >= 0) {
      zone = s.slice(pct + 1);
      if (zone === '') return undefined;
      a = s.slice(0, pct);
    }
    const v = parseIPv6(a);
    return v === undefined ? undefined : { bits: 128, value: v, zone };
  }
  const v = parseIPv4(s);
  return v === undefined ? undefined : { bits: 32, value: v, zone: '' };
}

function compareAddr(a: Addr, b: Addr): number {
  if (a.bits !== b.bits) return a.bits - b.bits;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0;
}

function parseMatcher(pattern: string): IpMatcher | undefined {
  const addr = parseAddr(pattern);
  if (addr) return { kind: 'addr', addr };
  const slash = pattern.lastIndexOf('/');
  if (slash >= 0) {
    const a = parseAddr(pattern.slice(0, slash));
    const bits = pattern.slice(slash + 1);
    if (a && a.zone === '' && /^(0|[1-9][0-9]*)$/.test(bits) && Number(bits) <= a.bits) return { kind: 'prefix', addr: a, len: Number(bits) };
  }
  const dash = pattern.indexOf('-');
  if (dash >= 0) {
    const from = parseAddr(pattern.slice(0, dash));
    const to = parseAddr(pattern.slice(dash + 1));
    if (from && to) {
      const f = { ...from, zone: '' };
      const t = { ...to, zone: '' };
      if (f.bits === t.bits && compareAddr(t, f) >= 0) return { kind: 'range', from: f, to: t };
    }
  }
  return undefined;
}

function matches(m: IpMatcher, ip: Addr): boolean {
  switch (m.kind) {
    case 'addr':
      return compareAddr(m.addr, ip) === 0;
    case 'prefix': {
      if (ip.zone !== '' || ip.bits !== m.addr.bits) return false;
      const shift = BigInt(m.addr.bits - m.len);
      return (ip.value ^ m.addr.value) >> shift === 0n;
    }
    case 'range':
      return ip.zone === '' && compareAddr(m.from, ip) <= 0 && compareAddr(m.to, ip) >= 0;
  }
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const inV4Charset = (c: number): boolean => isDigit(c) || c === 0x2e;
const inV6Charset = (c: number): boolean => isHex(c) || c === 0x3a || c === 0x2e;
const COLON = 0x3a;

/** A compiled ip("...") pattern. Throws Loki's error text when the pattern is not an IP, CIDR or range. */
export class IpFilter {
  private readonly matcher: IpMatcher;

  constructor(pattern: string) {
    const m = parseMatcher(pattern);
    if (!m) throw new Error(`ip: invalid pattern: ${goQuote(pattern)}`);
    this.matcher = m;
  }

  /** True when some IPv4/IPv6 address found in the text matches (Loki's byte-wise scan). */
  matchesText(text: string): boolean {
    if (text.length === 0) return false;
    const b = Buffer.from(text, 'utf8');
    const n = b.length;
    const tryAt = (start: number, inCharset: (c: number) => boolean): number => {
      let end = start;
      while (end < n && inCharset(b[end])) end++;
      const ip = parseAddr(b.toString('latin1', start, end));
      if (ip && matches(this.matcher, ip)) return -1;
      return end - start;
    };
    for (let i = 0; i < n; i++) {
      if (i + 3 < n && isDigit(b[i]) && (b[i + 1] === 0x2e || b[i + 2] === 0x2e || b[i + 3] === 0x2e)) {
        const len = tryAt(i, inV4Charset);
        if (len < 0) return true;
        i += len;
        continue;
      }
      if (
        i + 4 < n &&
        ((b[i] === COLON && b[i + 1] === COLON && isHex(b[i + 2])) ||
          (isHex(b[i]) && b[i + 1] === COLON) ||
          (isHex(b[i]) && isHex(b[i + 1]) && b[i + 2] === COLON) ||
          (isHex(b[i]) && isHex(b[i + 1]) && isHex(b[i + 2]) && b[i + 3] === COLON) ||
          (isHex(b[i]) && isHex(b[i + 1]) && isHex(b[i + 2]) && isHex(b[i + 3]) && b[i + 4] === COLON))
      ) {
        const len = tryAt(i, inV6Charset);
        if (len < 0) return true;
        i += len;
      }
    }
    return false;
  }
}
