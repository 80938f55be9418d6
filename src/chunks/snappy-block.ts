// Decoder of the snappy block format (uvarint length, then literal and copy elements), bulk-copying
// where it can. Never reads or writes out of bounds: any malformed element or length mismatch throws.

function fail(what: string): Error {
  return new Error(`invalid snappy block: ${what}`);
}

/** Decompresses a snappy block that must expand to exactly `expectedLength` bytes. */
export function uncompressSnappyBlock(src: Uint8Array, expectedLength: number): Buffer {
  const end = src.length;
  let p = 0;
  let length = 0;
  let mul = 1;
  let b: number;
  do {
    if (p >= end || mul > 0x10000000) throw fail('bad length header');
    b = src[p++];
    length += (b & 127) * mul;
    mul *= 128;
  } while (b > 127);
  if (length !== expectedLength) throw fail(`header says ${length} bytes, expected ${expectedLength}`);

  const out = Buffer.allocUnsafe(length);
  let op = 0;
  while (p < end) {
    const tag = src[p++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = (tag >>> 2) + 1;
      if (n > 60) {
        const k = n - 60;
        if (p + k > end) throw fail('truncated literal length');
        n = src[p] + (k > 1 ? src[p + 1] * 0x100 : 0) + (k > 2 ? src[p + 2] * 0x10000 : 0) + (k > 3 ? src[p + 3] * 0x1000000 : 0) + 1;
        p += k;
      }
      if (p + n > end || op + n > length) throw fail('literal runs past the end');
      if (n < 16) for (let i = 0; i < n; i++) out[op + i] = src[p + i];
      else out.set(src.subarray(p, p + n), op);
      p += n;
      op += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (p >= end) throw fail('truncated copy');
      n = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[p++];
    } else if (kind === 2) {
      if (p + 2 > end) throw fail('truncated copy');
      n = (tag >>> 2) + 1;
      offset = src[p] | (src[p + 1] << 8);
      p += 2;
    } else {
      if (p + 4 > end) throw fail('truncated copy');
      n = (tag >>> 2) + 1;
      offset = src[p] + src[p + 1] * 0x100 + src[p + 2] * 0x10000 + src[p + 3] * 0x1000000;
      p += 4;
    }
    if (offset === 0 || offset > op || op + n > length) throw fail('copy reaches outside the output');
    if (offset >= n && n >= 16) out.copyWithin(op, op - offset, op - offset + n);
    else for (let i = 0; i < n; i++) out[op + i] = out[op - offset + i];
    op += n;
  }
  if (op !== length) throw fail(`decoded ${op} bytes, expected ${length}`);
  return out;
}
