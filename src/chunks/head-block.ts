// The open block a MemChunk appends to: parallel columns kept sorted by timestamp (stable for equal
// timestamps), exact-duplicate detection and size accounting. Never compresses; sealing is format.ts's job.
import type { Entry } from '../model/entry.js';
import type { Labels } from '../model/labels.js';
import type { EntryRun } from './entry-runs.js';
import { lowerBound } from './entry-runs.js';
import type { HeadColumns } from './format.js';
import { MAX_EXACT_SPAN_NS, type SampleView } from './types.js';

function sameMetadata(a: Labels | undefined, b: Labels | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  return true;
}

/** First index whose timestamp is > `ts`. */
function upperBound(values: readonly bigint[], ts: bigint): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class HeadBlock implements EntryRun, HeadColumns {
  lineBytesTotal = 0;
  metadataEntries = 0;
  /** Line bytes plus structured metadata name and value bytes. */
  size = 0;
  /** The latest timestamp that keeps the span within MAX_EXACT_SPAN_NS of the current minimum. */
  private latestFitting = 0n;

  constructor(
    readonly ts: bigint[] = [],
    readonly lines: string[] = [],
    readonly lineBytes: number[] = [],
    readonly metadata: (Labels | undefined)[] = [],
  ) {}

  get entries(): number {
    return this.ts.length;
  }

  get minTs(): bigint {
    return this.ts[0];
  }

  get maxTs(): bigint {
    return this.ts[this.ts.length - 1];
  }

  /** Whether `ts` can join without the block spanning more than MAX_EXACT_SPAN_NS. */
  fits(ts: bigint): boolean {
    const n = this.ts.length;
    if (n === 0) return true;
    if (ts > this.ts[n - 1]) return ts <= this.latestFitting;
    return ts >= this.ts[0] || this.ts[n - 1] - ts <= MAX_EXACT_SPAN_NS;
  }

  /** Inserts in timestamp order after equal timestamps; false (nothing stored) for an exact duplicate. */
  append(ts: bigint, line: string, bytes: number, metadata: Labels | undefined, metadataBytes: number): boolean {
    const n = this.ts.length;
    if (n === 0 || ts >= this.ts[n - 1]) {
      if (n > 0 && ts === this.ts[n - 1] && this.holdsDuplicate(n, ts, line, metadata)) return false;
      this.ts.push(ts);
      this.lines.push(line);
      this.lineBytes.push(bytes);
      this.metadata.push(metadata);
      if (n === 0) this.latestFitting = ts + MAX_EXACT_SPAN_NS;
    } else {
      const at = upperBound(this.ts, ts);
      if (at > 0 && this.ts[at - 1] === ts && this.holdsDuplicate(at, ts, line, metadata)) return false;
      this.ts.splice(at, 0, ts);
      this.lines.splice(at, 0, line);
      this.lineBytes.splice(at, 0, bytes);
      this.metadata.splice(at, 0, metadata);
      if (at === 0) this.latestFitting = ts + MAX_EXACT_SPAN_NS;
    }
    this.lineBytesTotal += bytes;
    this.size += bytes + metadataBytes;
    if (metadata !== undefined) this.metadataEntries++;
    return true;
  }

  /** Whether an entry equal to (ts, line, metadata) sits among the equal timestamps ending before `end`. */
  private holdsDuplicate(end: number, ts: bigint, line: string, metadata: Labels | undefined): boolean {
    for (let i = end - 1; i >= 0 && this.ts[i] === ts; i--) {
      if (this.lines[i] === line && sameMetadata(this.metadata[i], metadata)) return true;
    }
    return false;
  }

  /** A copy that later appends do not change, for reads that outlive the call that started them. */
  snapshot(): HeadBlock {
    const copy = new HeadBlock(this.ts.slice(), this.lines.slice(), this.lineBytes.slice(), this.metadata.slice());
    copy.lineBytesTotal = this.lineBytesTotal;
    copy.metadataEntries = this.metadataEntries;
    copy.size = this.size;
    copy.latestFitting = this.latestFitting;
    return copy;
  }

  entriesIn(from: bigint, through: bigint): Entry[] {
    const lo = lowerBound(this.ts, from);
    const hi = lowerBound(this.ts, through, lo);
    const out = new Array<Entry>(hi - lo);
    for (let i = lo; i < hi; i++) out[i - lo] = { ts: this.ts[i], line: this.lines[i], metadata: this.metadata[i] };
    return out;
  }

  samplesIn(from: bigint, through: bigint): SampleView {
    const lo = lowerBound(this.ts, from);
    const hi = lowerBound(this.ts, through, lo);
    const baseTs = lo < hi ? this.ts[lo] : this.ts[0];
    const offsetsNs = new Float64Array(hi - lo);
    const bytes = new Uint32Array(hi - lo);
    for (let i = lo; i < hi; i++) {
      offsetsNs[i - lo] = Number(this.ts[i] - baseTs);
      bytes[i - lo] = this.lineBytes[i];
    }
    return { baseTs, offsetsNs, bytes };
  }
}
