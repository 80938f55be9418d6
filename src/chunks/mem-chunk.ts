// What an ingester appends to: a sorted head block sealed into compressed blocks (each with the gram
// filter of its lines) at blockSize, encoded into the chunk format on demand. No I/O, no clocks; the ingester decides which timestamps it accepts.
// With gzip a sealed block's lines compress on the thread pool; until then reads use its columns.
import type { Direction, Entry } from '../model/entry.js';
import type { Labels } from '../model/labels.js';
import { SealedBlock } from './block.js';
import { codecId, compressesInBackground, compressSectionInBackground } from './codec.js';
import { iterateRuns, lineColumnsOfRuns, sampleColumnsOfRuns, sampleViewsOfRuns, samplesOfViews, type EntryRun } from './entry-runs.js';
import {
  assembleBlock,
  compressLayoutSection,
  encodeChunk,
  FORMAT_VERSION,
  HEADER_LENGTH,
  layoutBlock,
  SECTION_LINES,
  SECTIONS,
  type AssembledBlock,
  type BlockLayout,
} from './format.js';
import { buildGramFilter, type GramFilter } from './gram-filter.js';
import { HeadBlock } from './head-block.js';
import { metadataBytes } from './metadata-size.js';
import type { BlockMeta, ChunkOptions, LineBytesFilter, LineColumns, Sample, SampleColumns, SampleView, SkippedEntries } from './types.js';

/** Loki's blocksPerChunk: how many blocks make a chunk full when no target size is set. */
const BLOCKS_PER_CHUNK = 10;
const MIN_TS = -(2n ** 63n);
const EMPTY = Buffer.alloc(0);
const MAX_TS = 2n ** 63n - 1n;

/** A sealed head block whose lines section is being compressed in the background. */
interface PendingBlock {
  readonly head: HeadBlock;
  readonly layout: BlockLayout;
  /** Every section but the lines, compressed already. */
  readonly compressed: Buffer[];
  readonly filter: GramFilter;
}

export class MemChunk {
  private readonly opts: ChunkOptions;
  /** Sealed blocks in the order they were cut; a HeadBlock marks one still compressing (see `pending`). */
  private readonly sealed: (SealedBlock | HeadBlock)[] = [];
  private readonly pending = new Map<number, PendingBlock>();
  private waiters: (() => void)[] = [];
  private head = new HeadBlock();
  /** Encoded bytes of the sealed blocks that finished compressing. */
  private sealedBytes = 0;
  /** Uncompressed bytes of the blocks still compressing. */
  private pendingBytes = 0;
  private sealedRawBytes = 0;
  /**
   * Encoded / raw bytes of the first sealed block, compressed on this thread: the ratio the size of
   * later blocks is estimated with for the chunk-full rule when blocks compress in the background.
   */
  private firstBlockRatio = 1;
  private count = 0;
  private lowest = 0n;
  private highest = 0n;
  /** The encoded chunk, valid until the next block is sealed. */
  private encoded: Buffer | undefined;

  constructor(opts: ChunkOptions) {
    codecId(opts.codec);
    if (!Number.isSafeInteger(opts.blockSize) || opts.blockSize <= 0)
      throw new RangeError(`chunk block size must be a positive integer, got ${opts.blockSize}`);
    if (!Number.isSafeInteger(opts.targetSize) || opts.targetSize < 0)
      throw new RangeError(`chunk target size must be a non-negative integer, got ${opts.targetSize}`);
    this.opts = { ...opts };
  }

  get codec(): ChunkOptions['codec'] {
    return this.opts.codec;
  }

  /** Entries appended (duplicates not counted). */
  get entries(): number {
    return this.count;
  }

  /** Line bytes plus structured metadata name and value bytes of all entries (Loki's uncompressed size). */
  get uncompressedBytes(): number {
    return this.sealedRawBytes + this.head.size;
  }

  /** Sealed blocks as encoded plus the head uncompressed (Loki's CompressedSize); a block still compressing counts uncompressed. */
  get compressedBytes(): number {
    return this.sealedBytes + this.pendingBytes + this.head.size;
  }

  /** The earliest timestamp appended; 0n while empty. */
  get minTs(): bigint {
    return this.lowest;
  }

  /** The latest timestamp appended; 0n while empty. */
  get maxTs(): bigint {
    return this.highest;
  }

  /**
   * Appends one entry (its line as text or as UTF-8 bytes, which are copied); returns false (storing
   * nothing) when an identical entry (timestamp, line and structured metadata) is already in the head
   * block. Any timestamp is accepted; empty metadata is stored as none. Seals the head once it holds
   * blockSize bytes, or first when `ts` would stretch it over MAX_EXACT_SPAN_NS.
   */
  append(ts: bigint, line: string | Uint8Array, metadata?: Labels): boolean {
    if (ts < MIN_TS || ts > MAX_TS) throw new RangeError(`timestamp ${ts} is outside the signed 64-bit nanosecond range`);
    const md = metadata !== undefined && metadata.length > 0 ? metadata : undefined;
    if (!this.head.fits(ts)) this.cutBlock();
    if (this.head.append(ts, line, md, md === undefined ? 0 : metadataBytes(md)) < 0) return false;
    if (this.count === 0 || ts < this.lowest) this.lowest = ts;
    if (this.count === 0 || ts > this.highest) this.highest = ts;
    this.count++;
    if (this.head.size >= this.opts.blockSize) this.cutBlock();
    return true;
  }

  /**
   * Seals the head block (sorted, compressed); a no-op when the head is empty. With a codec that
   * compresses in the background the lines compress on the thread pool and the block reads from
   * its columns until then.
   */
  cutBlock(): void {
    const head = this.head;
    if (head.entries === 0) return;
    this.head = new HeadBlock(head.capacity);
    this.encoded = undefined;
    this.sealedRawBytes += head.size;
    const codec = this.opts.codec;
    const index = this.sealed.length;
    const layout = layoutBlock(head);
    const filter = buildGramFilter(layout.sections[SECTION_LINES]);
    // The first block compresses on this thread: its ratio sizes the others for the chunk-full rule.
    const background = compressesInBackground(codec) && index > 0;
    const compressed: Buffer[] = [];
    // Every section but the lines is small and lives in a scratch buffer: compress those now.
    for (let s = 0; s < SECTIONS; s++) compressed.push(s === SECTION_LINES && background ? EMPTY : compressLayoutSection(layout, s, codec));
    if (!background) {
      const block = assembleBlock(layout, compressed);
      if (index === 0) this.firstBlockRatio = block.bytes.length / head.size;
      this.install(index, head, block, filter);
      return;
    }
    this.sealed.push(head);
    this.pending.set(index, { head, layout, compressed, filter });
    this.pendingBytes += head.size;
    const lines = layout.sections[SECTION_LINES];
    const finishInBackground = (err: Error | null, out: Buffer): void => {
      const p = this.pending.get(index);
      // Settled synchronously meanwhile (encode); a failure is retried there and reported to its caller.
      if (p === undefined || err) return;
      p.compressed[SECTION_LINES] = out;
      this.finish(index, p);
    };
    if (lines.length === 0) finishInBackground(null, EMPTY);
    else compressSectionInBackground(codec, lines, finishInBackground);
  }

  /** Resolves once no sealed block is still compressing in the background. */
  whenCompressed(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Turns a finished pending block into a sealed block. */
  private finish(index: number, p: PendingBlock): void {
    this.pending.delete(index);
    this.pendingBytes -= p.head.size;
    this.install(index, p.head, assembleBlock(p.layout, p.compressed), p.filter);
    if (this.pending.size === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  private install(index: number, head: HeadBlock, block: AssembledBlock, filter: GramFilter): void {
    const meta: BlockMeta = {
      minTs: head.minTs,
      maxTs: head.maxTs,
      entries: head.entries,
      offset: 0,
      length: block.bytes.length,
      uncompressedLength: block.uncompressedLength,
      rawBytes: head.size,
      crc32: block.crc32,
      columnsCrc32: block.columnsCrc32,
    };
    this.sealed[index] = new SealedBlock(meta, block.bytes, this.opts.codec, index, FORMAT_VERSION, filter);
    this.sealedBytes += block.bytes.length;
  }

  /** Compresses every block still pending right now, on this thread. */
  private settle(): SealedBlock[] {
    for (const [index, p] of this.pending) {
      p.compressed[SECTION_LINES] = compressLayoutSection(p.layout, SECTION_LINES, this.opts.codec);
      this.finish(index, p);
    }
    return this.sealed as SealedBlock[];
  }

  /** The sealed blocks' table entries with their offsets in the encoded chunk. */
  private tableEntries(): BlockMeta[] {
    let offset = HEADER_LENGTH;
    return this.settle().map((b) => {
      const meta = b.meta.offset === offset ? b.meta : { ...b.meta, offset };
      offset += meta.length;
      return meta;
    });
  }

  /**
   * The size the chunk-full rule compares with targetSize: compressedBytes, except when blocks compress
   * in the background. Then it is the sealed blocks' raw bytes at the first block's ratio, plus the head:
   * the same whenever compressions finish, so replicas given the same entries cut the same chunks.
   */
  private fullnessBytes(): number {
    if (!compressesInBackground(this.opts.codec)) return this.compressedBytes;
    return Math.ceil(this.sealedRawBytes * this.firstBlockRatio) + this.head.size;
  }

  /** Loki's chunk-full rule: the (estimated) compressed size reached targetSize, or 10 sealed blocks when targetSize is 0. */
  isFull(): boolean {
    if (this.opts.targetSize > 0) return this.fullnessBytes() >= this.opts.targetSize;
    return this.sealed.length >= BLOCKS_PER_CHUNK;
  }

  /** Loki's SpaceFor: whether the entry still fits below targetSize (or under 10 sealed blocks when it is 0). */
  spaceFor(line: string | Uint8Array, metadata?: Labels): boolean {
    if (this.opts.targetSize > 0) {
      const added = Buffer.byteLength(line) + (metadata === undefined ? 0 : metadataBytes(metadata));
      return this.fullnessBytes() + added < this.opts.targetSize;
    }
    return this.sealed.length < BLOCKS_PER_CHUNK;
  }

  /** Table entries of the sealed blocks (the head is not among them until cut); finishes pending compression. */
  blocks(): readonly BlockMeta[] {
    return this.tableEntries();
  }

  /**
   * Seals the head and returns the encoded chunk; the chunk stays readable and appendable. The sealed
   * blocks then read from the returned bytes (no second copy is kept), so do not mutate them.
   */
  encode(): Uint8Array {
    this.cutBlock();
    if (this.encoded === undefined) {
      const metas = this.tableEntries();
      const sealed = this.sealed as SealedBlock[];
      const encoded = encodeChunk(
        this.opts.codec,
        sealed.map((b, i) => ({ meta: metas[i], bytes: b.bytes, filter: b.filter })),
      );
      for (let i = 0; i < sealed.length; i++) {
        const meta = metas[i];
        sealed[i] = new SealedBlock(meta, encoded.subarray(meta.offset, meta.offset + meta.length), this.opts.codec, i, FORMAT_VERSION, sealed[i].filter);
      }
      this.encoded = encoded;
    }
    return this.encoded;
  }

  /** The runs a read of [from, through) uses, fixed now: later appends and cuts do not change them. */
  private runs(from: bigint, through: bigint): EntryRun[] {
    const runs: EntryRun[] = [...this.sealed];
    const head = this.head;
    if (head.entries > 0 && head.minTs < through && head.maxTs >= from) runs.push(head.snapshot());
    return runs;
  }

  /**
   * Entries with from <= ts < through, by ts in `direction`; ties in insertion order (reversed backward).
   * With a filter, lines not passing it are skipped undecoded and counted in `skipped`.
   */
  iterate(from: bigint, through: bigint, direction: Direction, filter?: LineBytesFilter, skipped?: SkippedEntries): Iterable<Entry> {
    return iterateRuns(this.runs(from, through), from, through, direction, filter, skipped);
  }

  /** Timestamps, line sizes and structured metadata of entries with from <= ts < through; undefined when blocks overlap in time. */
  sampleColumns(from: bigint, through: bigint): SampleColumns[] | undefined {
    return sampleColumnsOfRuns(this.runs(from, through), from, through);
  }

  /**
   * sampleColumns with each run's lines (lines not passing `filter` masked and counted in `skipped`);
   * undefined when runs overlap or touch, or a head block holds entries out of order (the caller then
   * discards what `skipped` counted and reads entries).
   */
  lineColumns(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): LineColumns[] | undefined {
    return lineColumnsOfRuns(this.runs(from, through), from, through, filter, skipped);
  }

  /** Columnar timestamps and line sizes of entries with from <= ts < through, ascending; no line is decoded. */
  sampleViews(from: bigint, through: bigint): SampleView[] {
    return sampleViewsOfRuns(this.runs(from, through), from, through);
  }

  /** The samples of sampleViews(from, through), one object each. */
  samples(from: bigint, through: bigint): Iterable<Sample> {
    return samplesOfViews(this.sampleViews(from, through));
  }
}
