// Columnar sample series (contracts' SeriesSamples): building them sample by sample, and merging
// ascending series into one (dropping replicas by line hash where asked). Pure; never a BigInt per sample.
import type { LabelsResult, SeriesSamples } from '../contracts.js';
import type { Nanos } from '../../model/index.js';

/** Appends samples (offsets from one base, values, optional line hashes) into growing columns. */
export class SeriesSamplesBuilder {
  private offsets: Float64Array;
  private values: Float64Array;
  private hashes: Float64Array | undefined;
  length = 0;

  constructor(
    readonly labels: LabelsResult,
    readonly baseTs: Nanos,
    hashed: boolean,
    capacity = 256,
  ) {
    this.offsets = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.hashes = hashed ? new Float64Array(capacity) : undefined;
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    this.offsets = grown(this.offsets, n);
    this.values = grown(this.values, n);
    if (this.hashes !== undefined) this.hashes = grown(this.hashes, n);
  }

  push(offset: number, value: number): void {
    if (this.length === this.offsets.length) this.grow();
    this.offsets[this.length] = offset;
    this.values[this.length++] = value;
  }

  /** push() for a builder made with `hashed`. */
  pushHashed(offset: number, value: number, hash: number): void {
    if (this.length === this.offsets.length) this.grow();
    this.hashes![this.length] = hash;
    this.offsets[this.length] = offset;
    this.values[this.length++] = value;
  }

  finish(): SeriesSamples {
    const n = this.length;
    const out: SeriesSamples = { labels: this.labels, baseTs: this.baseTs, offsets: this.offsets.subarray(0, n), values: this.values.subarray(0, n) };
    if (this.hashes !== undefined) out.hashes = this.hashes.subarray(0, n);
    return out;
  }
}

function grown(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  out.set(a);
  return out;
}

/** The exact number `to - from` (ns); throws where it would not be exact. */
export function offsetBetween(from: Nanos, to: Nanos): number {
  const d = to - from;
  if (d > MAX_EXACT || d < -MAX_EXACT) throw new Error(`sample offset of ${d} ns is beyond exact doubles`);
  return Number(d);
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Merges two ascending series into one ascending series on the base of `a` (ties: `a` first). With
 * `dedupe` and hashes on both, a sample with the timestamp and hash of one already taken is a replica
 * and is dropped (the result keeps the hashes); otherwise every sample is kept and hashes are not.
 */
function mergeTwo(a: SeriesSamples, b: SeriesSamples, dedupe: boolean): SeriesSamples {
  const shift = a.baseTs === b.baseTs ? 0 : offsetBetween(a.baseTs, b.baseTs);
  const an = a.offsets.length;
  const bn = b.offsets.length;
  const offsets = new Float64Array(an + bn);
  const values = new Float64Array(an + bn);
  const ah = a.hashes;
  const bh = b.hashes;
  const hashes = dedupe && ah !== undefined && bh !== undefined ? new Float64Array(an + bn) : undefined;
  let i = 0;
  let j = 0;
  let n = 0;
  let runStart = 0;
  while (i < an || j < bn) {
    let t: number;
    let v: number;
    let h = 0;
    if (j >= bn || (i < an && a.offsets[i] <= b.offsets[j] + shift)) {
      t = a.offsets[i];
      v = a.values[i];
      if (hashes !== undefined) h = ah![i];
      i++;
    } else {
      t = b.offsets[j] + shift;
      v = b.values[j];
      if (hashes !== undefined) h = bh![j];
      j++;
    }
    if (n === 0 || offsets[n - 1] !== t) runStart = n;
    else if (hashes !== undefined && isTaken(hashes, runStart, n, h)) continue;
    offsets[n] = t;
    values[n] = v;
    if (hashes !== undefined) hashes[n] = h;
    n++;
  }
  const out: SeriesSamples = { labels: a.labels, baseTs: a.baseTs, offsets: offsets.subarray(0, n), values: values.subarray(0, n) };
  if (hashes !== undefined) out.hashes = hashes.subarray(0, n);
  return out;
}

function isTaken(hashes: Float64Array, from: number, to: number, h: number): boolean {
  for (let k = from; k < to; k++) if (hashes[k] === h) return true;
  return false;
}

/**
 * Merges two ascending sample series into one ascending series. When both carry line hashes, a
 * sample with the timestamp and hash of one already taken is a replica and is dropped.
 */
export function mergeSamples(a: SeriesSamples, b: SeriesSamples): SeriesSamples {
  return mergeTwo(a, b, a.hashes !== undefined && b.hashes !== undefined);
}

/** Merges ascending series pairwise until one is left (n log k); replicas dropped as in mergeSamples. */
export function mergeAllSamples(list: readonly SeriesSamples[]): SeriesSamples {
  return mergePairwise(list, true);
}

/**
 * One ascending series of all the samples of `parts` (each ascending), keeping every sample: equal
 * timestamps keep the order of their parts, as a stable sort of the parts' concatenation would.
 */
export function joinSamples(parts: readonly SeriesSamples[]): SeriesSamples {
  return mergePairwise(parts, false);
}

function mergePairwise(list: readonly SeriesSamples[], dedupe: boolean): SeriesSamples {
  let level = list;
  while (level.length > 1) {
    const next: SeriesSamples[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 >= level.length) next.push(level[i]);
      else next.push(dedupe ? mergeSamples(level[i], level[i + 1]) : mergeTwo(level[i], level[i + 1], false));
    }
    level = next;
  }
  return level[0];
}
