// A sealed block read in place: decodes only the sections a read needs (timestamps and lengths for samples),
// each after the checksum that covers it passed, and none when its gram filter rules out a needle of the
// read. Never returns data from an unchecked part of a block.
import type { Entry } from '../model/entry.js';
import type { Labels } from '../model/labels.js';
import type { Codec } from './codec.js';
import type { EntryRun } from './entry-runs.js';
import { lowerBound } from './entry-runs.js';
import {
  checkBlockCrc,
  checkSections,
  decodeLengths,
  decodeMetadata,
  decodeTimestamps,
  METADATA_IN_COLUMNS_VERSION,
  readSection,
  SECTION_LENGTHS,
  SECTION_LINES,
  SECTION_METADATA,
  SECTION_TIMESTAMPS,
  sectionLength,
} from './format.js';
import type { GramFilter } from './gram-filter.js';
import { countSkipped, linesPassing } from './line-match.js';
import type { BlockMeta, ChunkSectionCache, LineBytesFilter, LineColumns, SampleColumns, SampleView, SkippedEntries } from './types.js';

/** Node's Buffer#utf8Slice: the fastest way from UTF-8 bytes to a string (no argument juggling). */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
}

const NO_OFFSETS = new Float64Array(0);
const NO_LENGTHS = new Uint32Array(0);
const NO_LINES = Buffer.alloc(0);

// The per-entry loops below are kept out of linesIn: a loop running over a block's entries makes
// its function hot, and V8 would then optimize linesIn with everything it inlines (column decoders,
// section reads), a compile job many times larger than these loops' own, run while queries wait.

function sumOf(lengths: Uint32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += lengths[i];
  return sum;
}

/** The end of each line lo..hi-1 in the lines section (indexed by entry), the first starting at `start`. */
function lineEnds(lengths: Uint32Array, start: number, lo: number, hi: number): Uint32Array {
  const ends = new Uint32Array(hi);
  for (let i = lo, e = start; i < hi; i++) ends[i] = e += lengths[i];
  return ends;
}

function countSkippedLines(skipped: SkippedEntries, mask: Uint8Array, lengths: Uint32Array, lo: number, hi: number, metadata: readonly (Labels | undefined)[] | undefined): void {
  for (let i = lo; i < hi; i++) if (mask[i - lo] === 0) countSkipped(skipped, lengths[i], metadata === undefined ? undefined : metadata[i - lo]);
}

/** Bytes a view may share beyond its own before a cache would rather hold a copy. */
const SHARED_SLACK = 1024;

/**
 * `section`, or a copy when it is a view of a larger allocation (a small decoder output is carved
 * from Node's shared 8 KiB pool): a cache accounts for a section's own length, so holding the view
 * would hold the rest unaccounted.
 */
function ownBytes(section: Buffer): Buffer {
  if (section.buffer.byteLength <= section.length + SHARED_SLACK) return section;
  const own = Buffer.allocUnsafeSlow(section.length);
  section.copy(own);
  return own;
}

/** A block's entries in a time range [lo, hi) with the lines section they are read from. */
interface LinesInRange {
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
  readonly lo: number;
  readonly hi: number;
  readonly lines: Buffer;
  /** Where entry lo's line starts in `lines`. */
  readonly start: number;
  readonly metadata: (Labels | undefined)[] | undefined;
  /** Indexed by i - lo: 1 = the line passes the read's byte filter; undefined: all pass. */
  readonly mask: Uint8Array | undefined;
}

/** The block's timestamps (offsets from minTs) and line lengths. */
interface DecodedColumns {
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
}

export class SealedBlock implements EntryRun {
  /** Section starts once the section sizes, timestamps and lengths have been checked. */
  private starts: number[] | undefined;
  /** Whether the whole block (lines and metadata too) passed its CRC. */
  private wholeChecked = false;

  constructor(
    readonly meta: BlockMeta,
    readonly bytes: Buffer,
    private readonly codec: Codec,
    private readonly index: number,
    /** The chunk format version the block is written in. */
    private readonly version: number,
    /** Which 4-byte grams its lines may hold (none before format version 3). */
    readonly filter?: GramFilter,
    /** Where the stored chunk's expanded sections are kept for later reads (under its name, the block's index and the section's). */
    private readonly sectionCache?: ChunkSectionCache,
  ) {}

  get minTs(): bigint {
    return this.meta.minTs;
  }

  get maxTs(): bigint {
    return this.meta.maxTs;
  }

  private section(s: number): Buffer {
    // Uncompressed sections are views of the chunk: holding them would hold the chunk.
    if (this.sectionCache === undefined || this.codec === 'none') return this.checkedSection(s);
    const { cache, chunk } = this.sectionCache;
    const key = `${chunk}#${this.index}#${s}`;
    const held = cache.get(key);
    if (held !== undefined) return held;
    // Held only once checkedSection has checked the CRC that covers it.
    const section = ownBytes(this.checkedSection(s));
    cache.set(key, section);
    return section;
  }

  private checkedSection(s: number): Buffer {
    if (!this.wholeChecked && (s === SECTION_LINES || (s === SECTION_METADATA && this.version < METADATA_IN_COLUMNS_VERSION))) {
      checkBlockCrc(this.bytes, this.meta, this.index);
      this.wholeChecked = true;
    }
    this.starts ??= checkSections(this.bytes, this.meta, this.codec, this.index, this.version);
    return readSection(this.bytes, this.starts, s, this.codec, this.index);
  }

  private columns(): DecodedColumns {
    const n = this.meta.entries;
    const span = Number(this.meta.maxTs - this.meta.minTs);
    const offsets = decodeTimestamps(this.section(SECTION_TIMESTAMPS), n, span, this.index);
    const lengths = decodeLengths(this.section(SECTION_LENGTHS), n, sectionLength(this.bytes, SECTION_LINES), this.index);
    return { offsets, lengths };
  }

  /** Offset of `t` from minTs, clamped to [0, span + 1] so it can be searched among the offsets. */
  private offsetOf(t: bigint): number {
    if (t <= this.meta.minTs) return 0;
    if (t > this.meta.maxTs) return Number(this.meta.maxTs - this.meta.minTs) + 1;
    return Number(t - this.meta.minTs);
  }

  /** The entries with from <= ts < through as a view of the columns, and their index range. */
  private viewIn(from: bigint, through: bigint): { view: SampleView; lo: number; hi: number } {
    const { offsets, lengths } = this.columns();
    const lo = lowerBound(offsets, this.offsetOf(from));
    const hi = lowerBound(offsets, this.offsetOf(through), lo);
    return { view: { baseTs: this.meta.minTs, offsetsNs: offsets.subarray(lo, hi), bytes: lengths.subarray(lo, hi) }, lo, hi };
  }

  samplesIn(from: bigint, through: bigint): SampleView {
    return this.viewIn(from, through).view;
  }

  columnsIn(from: bigint, through: bigint): SampleColumns {
    const { view, lo, hi } = this.viewIn(from, through);
    return { ...view, metadata: lo < hi ? this.metadata(lo, hi) : undefined };
  }

  /** Whether the block's gram filter proves that no line holds every include needle of `filter`. */
  private ruledOut(filter: LineBytesFilter): boolean {
    return this.filter !== undefined && filter.include.length > 0 && filter.ignoreBlockFilters !== true && !this.filter.admits(filter.include);
  }

  private metadata(lo: number, hi: number): (Labels | undefined)[] | undefined {
    return sectionLength(this.bytes, SECTION_METADATA) > 0 ? decodeMetadata(this.section(SECTION_METADATA), lo, hi, this.index, this.version) : undefined;
  }

  /**
   * The entries with from <= ts < through with their lines section, and which of them pass `filter`
   * (lines that do not are counted in `skipped`); undefined when the filter's gram filter rules the
   * block out (counted in `skipped` as a block) or no entry lies in the range.
   */
  private linesIn(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): LinesInRange | undefined {
    if (filter !== undefined && this.ruledOut(filter)) {
      if (skipped !== undefined) {
        skipped.blocks = (skipped.blocks ?? 0) + 1;
        skipped.blockBytes = (skipped.blockBytes ?? 0) + this.meta.rawBytes;
      }
      return undefined;
    }
    const { offsets, lengths } = this.columns();
    const lo = lowerBound(offsets, this.offsetOf(from));
    const hi = lowerBound(offsets, this.offsetOf(through), lo);
    if (lo >= hi) return undefined;
    const lines = this.section(SECTION_LINES);
    const metadata = this.metadata(lo, hi);
    const start = sumOf(lengths, 0, lo);
    let mask: Uint8Array | undefined;
    if (filter !== undefined) {
      mask = linesPassing(lines, lineEnds(lengths, start, lo, hi), start, lo, hi, filter);
      if (mask !== undefined && skipped !== undefined) countSkippedLines(skipped, mask, lengths, lo, hi, metadata);
    }
    return { offsets, lengths, lo, hi, lines, start, metadata, mask };
  }

  entriesIn(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): Entry[] {
    const r = this.linesIn(from, through, filter, skipped);
    if (r === undefined) return [];
    const { offsets, lengths, lo, hi, metadata, mask } = r;
    const lines = r.lines as unknown as Utf8Slicing;
    let p = r.start;
    const out: Entry[] = [];
    const base = this.meta.minTs;
    let prevOffset = -1;
    let ts = base;
    for (let i = lo; i < hi; i++) {
      const end = p + lengths[i];
      if (mask !== undefined && mask[i - lo] === 0) {
        p = end;
        continue;
      }
      if (offsets[i] !== prevOffset) {
        prevOffset = offsets[i];
        ts = base + BigInt(prevOffset);
      }
      out.push({ ts, line: lines.utf8Slice(p, end), metadata: metadata === undefined ? undefined : metadata[i - lo] });
      p = end;
    }
    return out;
  }

  lineColumnsIn(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): LineColumns {
    const r = this.linesIn(from, through, filter, skipped);
    if (r === undefined) return { baseTs: this.meta.minTs, offsetsNs: NO_OFFSETS, bytes: NO_LENGTHS, metadata: undefined, lines: NO_LINES, lineStart: 0, mask: undefined };
    return {
      baseTs: this.meta.minTs,
      offsetsNs: r.offsets.subarray(r.lo, r.hi),
      bytes: r.lengths.subarray(r.lo, r.hi),
      metadata: r.metadata,
      lines: r.lines,
      lineStart: r.start,
      mask: r.mask,
    };
  }
}
