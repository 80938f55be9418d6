// Finds which of a run of consecutive lines (one byte buffer, line i ending at ends[i]) pass a
// LineBytesFilter, with native substring search over the whole run. Pure; never decodes a line.
import type { Labels } from '../model/labels.js';
import { metadataBytes } from './metadata-size.js';
import type { LineBytesFilter, SkippedEntries } from './types.js';

/**
 * Calls `hit(i)` once for every line lo <= i < hi containing `needle`; line i spans
 * [i === lo ? start : ends[i - 1], ends[i]) of `bytes`.
 */
function eachLineContaining(
  bytes: Uint8Array,
  ends: ArrayLike<number>,
  start: number,
  lo: number,
  hi: number,
  needle: Uint8Array,
  hit: (i: number) => void,
): void {
  if (lo >= hi) return;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, ends[hi - 1]);
  let i = lo;
  let pos = buf.indexOf(needle, start);
  while (pos >= 0) {
    while (ends[i] <= pos) i++;
    if (pos + needle.length <= ends[i]) {
      hit(i);
      if (++i >= hi) return;
      pos = buf.indexOf(needle, ends[i - 1]);
    } else pos = buf.indexOf(needle, pos + 1);
  }
}

/**
 * Which lines lo..hi-1 pass the filter: a mask indexed by i - lo (1 = decode it), or undefined when
 * every line passes.
 */
export function linesPassing(
  bytes: Uint8Array,
  ends: ArrayLike<number>,
  start: number,
  lo: number,
  hi: number,
  filter: LineBytesFilter,
): Uint8Array | undefined {
  const { include, exclude } = filter;
  if (include.length === 0 && exclude.length === 0) return undefined;
  const mask = new Uint8Array(hi - lo);
  if (include.length === 0) mask.fill(1);
  else {
    // A line passes when every include needle is in it: count needles found per line.
    const required = include.length;
    eachLineContaining(bytes, ends, start, lo, hi, include[0], (i) => (mask[i - lo] = 1));
    for (let k = 1; k < required; k++) {
      eachLineContaining(bytes, ends, start, lo, hi, include[k], (i) => {
        if (mask[i - lo] === k) mask[i - lo] = k + 1;
      });
    }
    if (required > 1) for (let i = 0; i < mask.length; i++) mask[i] = mask[i] === required ? 1 : 0;
  }
  for (const needle of exclude) eachLineContaining(bytes, ends, start, lo, hi, needle, (i) => (mask[i - lo] = 0));
  return mask;
}

/** Counts one line a filtered read skipped. */
export function countSkipped(skipped: SkippedEntries | undefined, bytes: number, metadata: Labels | undefined): void {
  if (skipped === undefined) return;
  skipped.lines++;
  skipped.bytes += bytes;
  skipped.metadataBytes += metadataBytes(metadata);
}

/**
 * Whether every byte of bytes[start, end) lies in 0x20–0x7f: printable ASCII, so each byte is one
 * character and no control character can act as a separator. Four bytes at a time: a byte below 0x20
 * borrows into its top bit when 0x20 is subtracted from it, a byte from 0x80 up has it set already.
 */
export function isPrintableAscii(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) {
    const b = bytes[i++];
    if (b < 0x20 || b >= 0x80) return false;
  }
  const words = (end - i) >>> 2;
  if (words > 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const x = w[k];
      if ((((x - 0x20202020) | x) & 0x80808080) !== 0) return false;
    }
    i += words * 4;
  }
  for (; i < end; i++) {
    const b = bytes[i];
    if (b < 0x20 || b >= 0x80) return false;
  }
  return true;
}
