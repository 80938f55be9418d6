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
  readSection,
  SECTION_LENGTHS,
  SECTION_LINES,
  SECTION_METADATA,
  SECTION_TIMESTAMPS,
  sectionLength,
} from './format.js';
import type { GramFilter } from './gram-filter.js';
import { countSkipped, linesPassing } from './line-match.js';
import type { BlockMeta, LineBytesFilter, SampleColumns, SampleView, SkippedEntries } from './types.js';

/** Node's Buffer#utf8Slice: the fastest way from UTF-8 bytes to a string (no argument juggling). */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
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
  ) {}

  get minTs(): bigint {
    return this.meta.minTs;
  }

  get maxTs(): bigint {
    return this.meta.maxTs;
  }

  private section(s: number): Buffer {
    if (s !== SECTION_TIMESTAMPS && s !== SECTION_LENGTHS && !this.wholeChecked) {
      checkBlockCrc(this.bytes, this.meta, this.index);
      this.wholeChecked = true;
    }
    this.starts ??= checkSections(this.bytes, this.meta, this.codec, this.index);
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

  entriesIn(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): Entry[] {
    if (filter !== undefined && this.ruledOut(filter)) {
      if (skipped !== undefined) {
        skipped.blocks = (skipped.blocks ?? 0) + 1;
        skipped.blockBytes = (skipped.blockBytes ?? 0) + this.meta.rawBytes;
      }
      return [];
    }
    const { offsets, lengths } = this.columns();
    const lo = lowerBound(offsets, this.offsetOf(from));
    const hi = lowerBound(offsets, this.offsetOf(through), lo);
    if (lo >= hi) return [];
    const linesSection = this.section(SECTION_LINES);
    const lines = linesSection as unknown as Utf8Slicing;
    const metadata = this.metadata(lo, hi);
    let p = 0;
    for (let i = 0; i < lo; i++) p += lengths[i];
    let mask: Uint8Array | undefined;
    if (filter !== undefined) {
      const ends = new Uint32Array(hi);
      for (let i = lo, e = p; i < hi; i++) ends[i] = e += lengths[i];
      mask = linesPassing(linesSection, ends, p, lo, hi, filter);
    }
    const out: Entry[] = [];
    const base = this.meta.minTs;
    let prevOffset = -1;
    let ts = base;
    for (let i = lo; i < hi; i++) {
      const end = p + lengths[i];
      const md = metadata === undefined ? undefined : metadata[i - lo];
      if (mask !== undefined && mask[i - lo] === 0) {
        countSkipped(skipped, lengths[i], md);
        p = end;
        continue;
      }
      if (offsets[i] !== prevOffset) {
        prevOffset = offsets[i];
        ts = base + BigInt(prevOffset);
      }
      out.push({ ts, line: lines.utf8Slice(p, end), metadata: md });
      p = end;
    }
    return out;
  }
}
