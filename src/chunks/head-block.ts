// The open block a MemChunk appends to: timestamps, line bytes and structured metadata in arrival order
// (typed arrays and one byte buffer, so lines do not live on as strings), a time-order permutation once
// an entry arrives out of order, exact-duplicate detection and size accounting. Never compresses.
import type { Entry } from '../model/entry.js';
import type { Labels } from '../model/labels.js';
import type { EntryRun } from './entry-runs.js';
import type { HeadColumns } from './format.js';
import { countSkipped, linesPassing } from './line-match.js';
import { MAX_EXACT_SPAN_NS, type LineBytesFilter, type LineColumns, type SampleColumns, type SampleView, type SkippedEntries } from './types.js';

/** Node's Buffer#utf8Slice and #utf8Write: the fastest ways between UTF-8 bytes and strings. */
type Utf8SlicingBuffer = Buffer & { utf8Slice(start: number, end: number): string; utf8Write(s: string, offset: number): number };

/** Buffer#copy, which also copies out of a plain Uint8Array (the quickest native copy of a short range). */
const copyBytes = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number) => number;

const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;
const TWO_POW_32 = 0x100000000;
const INITIAL_ENTRIES = 64;
const INITIAL_BYTES = 4096;

/** The columns one head block (and its snapshots) share; appends only ever write past `count`. */
interface Columns {
  ts: BigInt64Array;
  /** 32-bit halves of `ts`, so differences are taken without allocating bigints. */
  tsLow: Uint32Array;
  tsHigh: Int32Array;
  /** ends[i]: where the bytes of arrival i's line end in `bytes` (they start at ends[i - 1], or 0). */
  ends: Uint32Array;
  bytes: Utf8SlicingBuffer;
  metadata: (Labels | undefined)[];
}

function newColumns(entries: number, bytes: number): Columns {
  const ts = new BigInt64Array(entries);
  return {
    ts,
    tsLow: new Uint32Array(ts.buffer),
    tsHigh: new Int32Array(ts.buffer),
    ends: new Uint32Array(entries),
    bytes: Buffer.allocUnsafe(bytes) as Utf8SlicingBuffer,
    metadata: [],
  };
}

export class HeadBlock implements EntryRun, HeadColumns {
  lineBytesTotal = 0;
  metadataEntries = 0;
  /** Line bytes plus structured metadata name and value bytes. */
  size = 0;
  private count = 0;
  private lowest = 0n;
  private highest = 0n;
  /** The latest timestamp that keeps the span within MAX_EXACT_SPAN_NS of the current minimum. */
  private latestFitting = 0n;
  private cols: Columns;
  /** Arrival indexes in time order (ties in arrival order); undefined while arrivals are in time order. */
  private order: Uint32Array | undefined;

  /** `capacity`: entries and line bytes to make room for up front (a previous block's size saves regrowing). */
  constructor(capacity?: { entries: number; bytes: number }) {
    this.cols = newColumns(Math.max(INITIAL_ENTRIES, capacity?.entries ?? 0), Math.max(INITIAL_BYTES, capacity?.bytes ?? 0));
  }

  /** Room for a block like this one and an eighth more: the capacity hint for the next head block. */
  get capacity(): { entries: number; bytes: number } {
    return { entries: this.count + (this.count >>> 3), bytes: this.lineBytesTotal + (this.lineBytesTotal >>> 3) };
  }

  get entries(): number {
    return this.count;
  }

  get minTs(): bigint {
    return this.lowest;
  }

  get maxTs(): bigint {
    return this.highest;
  }

  /** Whether `ts` can join without the block spanning more than MAX_EXACT_SPAN_NS. */
  fits(ts: bigint): boolean {
    if (this.count === 0) return true;
    if (ts > this.highest) return ts <= this.latestFitting;
    return ts >= this.lowest || this.highest - ts <= MAX_EXACT_SPAN_NS;
  }

  /** Arrival index of the i-th entry in time order. */
  private at(i: number): number {
    return this.order === undefined ? i : this.order[i];
  }

  private lineStart(arrival: number): number {
    return arrival === 0 ? 0 : this.cols.ends[arrival - 1];
  }

  /** Makes room for one more entry of up to `maxBytes` line bytes. */
  private reserve(maxBytes: number): void {
    const c = this.cols;
    const n = this.count;
    const needed = this.lineBytesTotal + maxBytes;
    if (n === c.ts.length || needed > c.bytes.length) {
      let capacity = c.bytes.length;
      while (capacity < needed) capacity *= 2;
      const grown = newColumns(n === c.ts.length ? 2 * n : c.ts.length, capacity);
      grown.ts.set(c.ts.subarray(0, n));
      grown.ends.set(c.ends.subarray(0, n));
      c.bytes.copy(grown.bytes, 0, 0, this.lineBytesTotal);
      grown.metadata = c.metadata;
      this.cols = grown;
    }
    if (this.order !== undefined && n === this.order.length) {
      const order = new Uint32Array(2 * n);
      order.set(this.order);
      this.order = order;
    }
  }

  /** Number of entries (in time order) whose timestamp is below `ts`, or at most `ts` when `inclusive`. */
  private rank(ts: bigint, inclusive: boolean, lo = 0): number {
    const t = this.cols.ts;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = t[this.at(mid)];
      if (v < ts || (inclusive && v === ts)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Inserts in timestamp order after equal timestamps; returns the line's UTF-8 byte length, or -1
   * (nothing stored) for an exact duplicate of an entry in this block. `line` is text or its UTF-8 bytes.
   */
  append(ts: bigint, line: string | Uint8Array, metadata: Labels | undefined, metadataBytes: number): number {
    const text = typeof line === 'string';
    this.reserve(text ? 3 * line.length : line.length);
    const c = this.cols;
    const n = this.count;
    const start = this.lineBytesTotal;
    const bytes = text ? c.bytes.utf8Write(line, start) : copyBytes.call(line, c.bytes, start);
    const inOrder = n === 0 || ts >= this.highest;
    const at = inOrder ? n : this.rank(ts, true);
    if (n > 0 && this.holdsDuplicate(at, ts, start, bytes)) return -1;
    c.ts[n] = ts;
    c.ends[n] = start + bytes;
    c.metadata[n] = metadata;
    if (!inOrder) {
      if (this.order === undefined) {
        this.order = new Uint32Array(c.ts.length);
        for (let i = 0; i < n; i++) this.order[i] = i;
      }
      this.order.copyWithin(at + 1, at, n);
      this.order[at] = n;
    } else if (this.order !== undefined) this.order[n] = n;
    if (n === 0 || ts < this.lowest) {
      this.lowest = ts;
      this.latestFitting = ts + MAX_EXACT_SPAN_NS;
    }
    if (n === 0 || ts > this.highest) this.highest = ts;
    this.count = n + 1;
    this.lineBytesTotal = start + bytes;
    this.size += bytes + metadataBytes;
    if (metadata !== undefined) this.metadataEntries++;
    return bytes;
  }

  /**
   * Whether an entry with timestamp `ts` and the line bytes at start..start+len sits among the equal
   * timestamps before time position `end`. Structured metadata is not compared: like Loki's head
   * block, a repeat of a line at its timestamp is dropped whatever metadata it carries.
   */
  private holdsDuplicate(end: number, ts: bigint, start: number, len: number): boolean {
    const c = this.cols;
    for (let i = end - 1; i >= 0; i--) {
      const a = this.at(i);
      if (c.ts[a] !== ts) return false;
      const s = this.lineStart(a);
      if (c.ends[a] - s === len && c.bytes.compare(c.bytes, s, s + len, start, start + len) === 0) return true;
    }
    return false;
  }

  /** A view that later appends do not change, for reads that outlive the call that started them. */
  snapshot(): HeadBlock {
    const copy = Object.create(HeadBlock.prototype) as HeadBlock;
    Object.assign(copy, this);
    copy.order = this.order?.slice(0, this.count);
    return copy;
  }

  sortedTimestamps(): BigInt64Array {
    const { ts } = this.cols;
    if (this.order === undefined) return ts.subarray(0, this.count);
    const out = new BigInt64Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = ts[this.order[i]];
    return out;
  }

  lineLength(i: number): number {
    const a = this.at(i);
    return this.cols.ends[a] - this.lineStart(a);
  }

  linesSection(): Buffer {
    const { bytes } = this.cols;
    if (this.order === undefined) return bytes.subarray(0, this.lineBytesTotal);
    const out = Buffer.allocUnsafe(this.lineBytesTotal);
    let p = 0;
    for (let i = 0; i < this.count; i++) {
      const a = this.order[i];
      p += bytes.copy(out, p, this.lineStart(a), this.cols.ends[a]);
    }
    return out;
  }

  metadataAt(i: number): Labels | undefined {
    return this.cols.metadata[this.at(i)];
  }

  entriesIn(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): Entry[] {
    const lo = this.rank(from, false);
    const hi = this.rank(through, false, lo);
    const c = this.cols;
    // The mask is by arrival: lines lie in the buffer in arrival order.
    const mask = filter === undefined || lo >= hi ? undefined : linesPassing(c.bytes, c.ends, 0, 0, this.count, filter);
    const out: Entry[] = [];
    for (let i = lo; i < hi; i++) {
      const a = this.at(i);
      const start = this.lineStart(a);
      if (mask !== undefined && mask[a] === 0) {
        countSkipped(skipped, c.ends[a] - start, c.metadata[a]);
        continue;
      }
      out.push({ ts: c.ts[a], line: c.bytes.utf8Slice(start, c.ends[a]), metadata: c.metadata[a] });
    }
    return out;
  }

  /**
   * columnsIn with the lines, straight from the block's buffer (lines not passing `filter` masked and
   * counted in `skipped`); undefined once entries arrived out of order (lines are then not in time order).
   */
  lineColumnsIn(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): LineColumns | undefined {
    if (this.order !== undefined) return undefined;
    const { baseTs, offsetsNs, bytes, metadata } = this.columnsIn(from, through);
    const lo = this.rank(from, false);
    const hi = lo + offsetsNs.length;
    const c = this.cols;
    const start = this.lineStart(lo);
    const mask = filter === undefined || lo >= hi ? undefined : linesPassing(c.bytes, c.ends, start, lo, hi, filter);
    if (mask !== undefined) for (let i = lo; i < hi; i++) if (mask[i - lo] === 0) countSkipped(skipped, c.ends[i] - this.lineStart(i), c.metadata[i]);
    return { baseTs, offsetsNs, bytes, metadata, lines: c.bytes, lineStart: start, mask };
  }

  columnsIn(from: bigint, through: bigint): SampleColumns {
    const view = this.samplesIn(from, through);
    if (this.metadataEntries === 0) return { ...view, metadata: undefined };
    const lo = this.rank(from, false);
    const metadata = new Array<Labels | undefined>(view.bytes.length);
    for (let i = 0; i < metadata.length; i++) metadata[i] = this.cols.metadata[this.at(lo + i)];
    return { ...view, metadata };
  }

  samplesIn(from: bigint, through: bigint): SampleView {
    const lo = this.rank(from, false);
    const hi = this.rank(through, false, lo);
    const c = this.cols;
    const base = lo < hi ? this.at(lo) : 0;
    const baseTs = this.count === 0 ? 0n : c.ts[base];
    const baseLow = c.tsLow[2 * base + LOW_WORD];
    const baseHigh = c.tsHigh[2 * base + HIGH_WORD];
    const offsetsNs = new Float64Array(hi - lo);
    const bytes = new Uint32Array(hi - lo);
    for (let i = lo; i < hi; i++) {
      const a = this.at(i);
      offsetsNs[i - lo] = (c.tsHigh[2 * a + HIGH_WORD] - baseHigh) * TWO_POW_32 + (c.tsLow[2 * a + LOW_WORD] - baseLow);
      bytes[i - lo] = c.ends[a] - this.lineStart(a);
    }
    return { baseTs, offsetsNs, bytes };
  }
}
