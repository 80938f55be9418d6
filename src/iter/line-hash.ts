// A 53-bit hash of a log line, identical on every ingester and querier, used to recognise the
// replicas of one entry among samples (same series, timestamp and line hash). Pure.

/**
 * Two 32-bit lanes over the line's UTF-16 code units (FNV-1a, and a multiply-xorshift lane) folded
 * into one exact JS number: low + (high & 0x1fffff) · 2^32.
 */
export function lineHash(line: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ line.length, 0x5bd1e995);
  const high = (b ^ (b >>> 13)) >>> 0;
  return (a >>> 0) + (high & 0x1fffff) * 4294967296;
}
