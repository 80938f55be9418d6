// A chunk read back from storage: validates header and block table up front, decodes only the blocks a
// read overlaps and its needles do not rule out, each after its checksums passed. Never returns data that
// failed a check.
import type { Direction, Entry } from '../model/entry.js';
import { SealedBlock } from './block.js';
import type { Codec } from './codec.js';
import { iterateRuns, lineColumnsOfRuns, sampleColumnsOfRuns, sampleViewsOfRuns, samplesOfViews } from './entry-runs.js';
import { readChunkLayout } from './format.js';
import type { BlockMeta, ChunkSectionCache, LineBytesFilter, LineColumns, Sample, SampleColumns, SampleView, SkippedEntries } from './types.js';

export class StoredChunk {
  /** The earliest timestamp in the chunk; 0n when it holds no entries. */
  readonly minTs: bigint;
  /** The latest timestamp in the chunk; 0n when it holds no entries. */
  readonly maxTs: bigint;
  readonly entries: number;
  /** Line bytes plus structured metadata name and value bytes (Loki's uncompressed size). */
  readonly uncompressedBytes: number;

  private constructor(
    readonly codec: Codec,
    private readonly sealed: readonly SealedBlock[],
    /** Size of the encoded chunk. */
    readonly compressedBytes: number,
  ) {
    let entries = 0;
    let raw = 0;
    let minTs = sealed.length > 0 ? sealed[0].minTs : 0n;
    let maxTs = sealed.length > 0 ? sealed[0].maxTs : 0n;
    for (const b of sealed) {
      entries += b.meta.entries;
      raw += b.meta.rawBytes;
      if (b.minTs < minTs) minTs = b.minTs;
      if (b.maxTs > maxTs) maxTs = b.maxTs;
    }
    this.entries = entries;
    this.uncompressedBytes = raw;
    this.minTs = minTs;
    this.maxTs = maxTs;
  }

  /**
   * Reads an encoded chunk (without copying it); throws CorruptDataError when its header or table is
   * damaged. With `sections`, the blocks' expanded sections are kept in and taken from its cache,
   * under the chunk's name, the block's index and the section's.
   */
  static decode(data: Uint8Array, sections?: ChunkSectionCache): StoredChunk {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const { codec, version, blocks, filters } = readChunkLayout(buf);
    const sealed = blocks.map((meta, i) => new SealedBlock(meta, buf.subarray(meta.offset, meta.offset + meta.length), codec, i, version, filters?.[i], sections));
    return new StoredChunk(codec, sealed, buf.length);
  }

  /** The block table, so readers can prune by time. */
  blocks(): readonly BlockMeta[] {
    return this.sealed.map((b) => b.meta);
  }

  /**
   * Entries with from <= ts < through, by ts in `direction`; ties in insertion order (reversed backward).
   * With a filter, lines not passing it are skipped undecoded and counted in `skipped`.
   */
  iterate(from: bigint, through: bigint, direction: Direction, filter?: LineBytesFilter, skipped?: SkippedEntries): Iterable<Entry> {
    return iterateRuns(this.sealed, from, through, direction, filter, skipped);
  }

  /** Timestamps, line sizes and structured metadata of entries with from <= ts < through; undefined when blocks overlap in time. */
  sampleColumns(from: bigint, through: bigint): SampleColumns[] | undefined {
    return sampleColumnsOfRuns(this.sealed, from, through);
  }

  /**
   * sampleColumns with each block's lines (lines not passing `filter` masked and counted in `skipped`);
   * undefined, before anything is read, when blocks overlap in time or touch.
   */
  lineColumns(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): LineColumns[] | undefined {
    return lineColumnsOfRuns(this.sealed, from, through, filter, skipped);
  }

  /** Columnar timestamps and line sizes of entries with from <= ts < through, ascending; no line is decompressed. */
  sampleViews(from: bigint, through: bigint): SampleView[] {
    return sampleViewsOfRuns(this.sealed, from, through);
  }

  /** The samples of sampleViews(from, through), one object each. */
  samples(from: bigint, through: bigint): Iterable<Sample> {
    return samplesOfViews(this.sampleViews(from, through));
  }
}
