// Snappy block-format decompression with Go snappy's validation and error texts ("snappy: corrupt
// input"). Pure: no I/O; never allocates more than a valid stream could expand to.

import { decodeSnappyTagsWasm } from './snappy-wasm.js';

export const SNAPPY_CORRUPT = 'snappy: corrupt input';

export class SnappyError extends Error {}

/** Longest output one input byte can produce: a 3-byte copy tag yields at most 64 bytes. */
const MAX_EXPANSION = 64 / 3;

/**
 * Reads the uncompressed length from the block header (Go snappy.DecodedLen).
 * Returns [length, headerBytes]; throws SnappyError for a bad header.
 */
export function snappyDecodedLength(src: Uint8Array): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    // Go binary.Uvarint: more than 10 bytes, or a 10th byte above 1, overflows 64 bits.
    if (i === 9 && b > 1) throw new SnappyError(SNAPPY_CORRUPT);
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (value > 0xffffffff) throw new SnappyError(SNAPPY_CORRUPT);
      return [value, i + 1];
    }
    if (i === 9) throw new SnappyError(SNAPPY_CORRUPT);
    scale *= 128;
  }
  throw new SnappyError(SNAPPY_CORRUPT);
}

/**
 * Decompresses a whole snappy block (Go snappy.Decode); throws SnappyError when it is not valid. The
 * tags are expanded in WebAssembly (snappy-wasm.ts) unless `useWasm` is false or it is unavailable.
 */
export function decodeSnappyBlock(src: Buffer, useWasm = true): Buffer {
  const [length, header] = snappyDecodedLength(src);
  // A stream claiming more output than its tags can produce is corrupt; say so before allocating.
  if (length > Math.ceil((src.length - header) * MAX_EXPANSION)) throw new SnappyError(SNAPPY_CORRUPT);
  if (useWasm) {
    const fast = decodeSnappyTagsWasm(src, header, length);
    if (fast === false) throw new SnappyError(SNAPPY_CORRUPT);
    if (fast !== undefined) return fast;
  }
  const dst = Buffer.allocUnsafe(length);
  let s = header;
  let d = 0;
  const end = src.length;
  while (s < end) {
    const tag = src[s];
    let copyLength: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        let x = tag >>> 2;
        if (x < 60) {
          s += 1;
        } else {
          const extra = x - 59;
          s += 1 + extra;
          if (s > end) throw new SnappyError(SNAPPY_CORRUPT);
          x = src[s - extra];
          if (extra > 1) x |= src[s - extra + 1] << 8;
          if (extra > 2) x |= src[s - extra + 2] << 16;
          if (extra > 3) x = (x | (src[s - 1] << 24)) >>> 0;
        }
        const literal = x + 1;
        if (literal > length - d || literal > end - s) throw new SnappyError(SNAPPY_CORRUPT);
        if (literal > 32) {
          src.copy(dst, d, s, s + literal);
          d += literal;
          s += literal;
        } else {
          for (let i = 0; i < literal; i++) dst[d++] = src[s++];
        }
        continue;
      }
      case 1:
        s += 2;
        if (s > end) throw new SnappyError(SNAPPY_CORRUPT);
        copyLength = 4 + ((tag >>> 2) & 7);
        offset = ((tag & 0xe0) << 3) | src[s - 1];
        break;
      case 2:
        s += 3;
        if (s > end) throw new SnappyError(SNAPPY_CORRUPT);
        copyLength = 1 + (tag >>> 2);
        offset = src[s - 2] | (src[s - 1] << 8);
        break;
      default:
        s += 5;
        if (s > end) throw new SnappyError(SNAPPY_CORRUPT);
        copyLength = 1 + (tag >>> 2);
        offset = (src[s - 4] | (src[s - 3] << 8) | (src[s - 2] << 16) | (src[s - 1] << 24)) >>> 0;
        break;
    }
    if (offset <= 0 || d < offset || copyLength > length - d) throw new SnappyError(SNAPPY_CORRUPT);
    // Copies are at most 64 bytes and may overlap the bytes they write: copy byte by byte.
    for (let from = d - offset, stop = d + copyLength; d < stop; ) dst[d++] = dst[from++];
  }
  if (d !== length) throw new SnappyError(SNAPPY_CORRUPT);
  return dst;
}
