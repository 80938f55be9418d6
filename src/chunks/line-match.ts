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
