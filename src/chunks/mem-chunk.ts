// What an ingester appends to: a sorted head block sealed into compressed blocks at blockSize, encoded
// into the chunk format on demand. Pure: no I/O, no clocks; the ingester decides which timestamps it accepts.
import type { Direction, Entry } from '../model/entry.js';
import type { Labels } from '../model/labels.js';
import { SealedBlock } from './block.js';
import { codecId } from './codec.js';
import { iterateRuns, sampleViewsOfRuns, samplesOfViews, type EntryRun } from './entry-runs.js';
import { encodeBlock, encodeChunk, HEADER_LENGTH } from './format.js';
import { HeadBlock } from './head-block.js';
import type { BlockMeta, ChunkOptions, Sample, SampleView } from './types.js';

/** Loki's blocksPerChunk: how many blocks make a chunk full when no target size is set. */
const BLOCKS_PER_CHUNK = 10;
const MIN_TS = -(2n ** 63n);
const MAX_TS = 2n ** 63n - 1n;

function metadataBytes(metadata: Labels): number {
  let n = 0;
  for (const l of metadata) n += Buffer.byteLength(l.name) + Buffer.byteLength(l.value);
  return n;
}

export class MemChunk {
  private readonly opts: ChunkOptions;
  private readonly sealed: SealedBlock[] = [];
  private head = new HeadBlock();
  private sealedBytes = 0;
  private sealedRawBytes = 0;
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

  /** Sealed blocks as encoded plus the head uncompressed (Loki's CompressedSize). */
  get compressedBytes(): number {
    return this.sealedBytes + this.head.size;
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
   * Appends one entry; returns false (storing nothing) when an identical entry (timestamp, line and
   * structured metadata) is already in the head block. Any timestamp is accepted; empty metadata is
   * stored as none. Seals the head once it holds blockSize bytes, or first when `ts` would stretch
   * it over MAX_EXACT_SPAN_NS.
   */
  append(ts: bigint, line: string, metadata?: Labels): boolean {
    if (ts < MIN_TS || ts > MAX_TS) throw new RangeError(`timestamp ${ts} is outside the signed 64-bit nanosecond range`);
    const md = metadata !== undefined && metadata.length > 0 ? metadata : undefined;
    if (!this.head.fits(ts)) this.cutBlock();
    if (!this.head.append(ts, line, Buffer.byteLength(line), md, md === undefined ? 0 : metadataBytes(md))) return false;
    if (this.count === 0 || ts < this.lowest) this.lowest = ts;
    if (this.count === 0 || ts > this.highest) this.highest = ts;
    this.count++;
    if (this.head.size >= this.opts.blockSize) this.cutBlock();
    return true;
  }

  /** Seals the head block (sorted, compressed); a no-op when the head is empty. */
  cutBlock(): void {
    const head = this.head;
    if (head.entries === 0) return;
    const { bytes, uncompressedLength, crc32, columnsCrc32 } = encodeBlock(head, this.opts.codec);
    const meta: BlockMeta = {
      minTs: head.minTs,
      maxTs: head.maxTs,
      entries: head.entries,
      offset: HEADER_LENGTH + this.sealedBytes,
      length: bytes.length,
      uncompressedLength,
      rawBytes: head.size,
      crc32,
      columnsCrc32,
    };
    this.sealed.push(new SealedBlock(meta, bytes, this.opts.codec, this.sealed.length));
    this.sealedBytes += bytes.length;
    this.sealedRawBytes += head.size;
    this.head = new HeadBlock();
    this.encoded = undefined;
  }

  /** Loki's chunk-full rule: compressedBytes reached targetSize, or 10 sealed blocks when targetSize is 0. */
  isFull(): boolean {
    if (this.opts.targetSize > 0) return this.compressedBytes >= this.opts.targetSize;
    return this.sealed.length >= BLOCKS_PER_CHUNK;
  }

  /** Loki's SpaceFor: whether the entry still fits below targetSize (or under 10 sealed blocks when it is 0). */
  spaceFor(line: string, metadata?: Labels): boolean {
    if (this.opts.targetSize > 0) {
      const added = Buffer.byteLength(line) + (metadata === undefined ? 0 : metadataBytes(metadata));
      return this.compressedBytes + added < this.opts.targetSize;
    }
    return this.sealed.length < BLOCKS_PER_CHUNK;
  }

  /** Table entries of the sealed blocks (the head is not among them until cut). */
  blocks(): readonly BlockMeta[] {
    return this.sealed.map((b) => b.meta);
  }

  /**
   * Seals the head and returns the encoded chunk; the chunk stays readable and appendable. The sealed
   * blocks then read from the returned bytes (no second copy is kept), so do not mutate them.
   */
  encode(): Uint8Array {
    this.cutBlock();
    if (this.encoded === undefined) {
      const encoded = encodeChunk(this.opts.codec, this.sealed);
      for (let i = 0; i < this.sealed.length; i++) {
        const { meta } = this.sealed[i];
        this.sealed[i] = new SealedBlock(meta, encoded.subarray(meta.offset, meta.offset + meta.length), this.opts.codec, i);
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

  /** Entries with from <= ts < through, by ts in `direction`; ties in insertion order (reversed backward). */
  iterate(from: bigint, through: bigint, direction: Direction): Iterable<Entry> {
    return iterateRuns(this.runs(from, through), from, through, direction);
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
