// Shared shapes of the chunk package: options, block metadata and the columnar sample view.
// Types and constants only; no logic.
import type { Labels } from '../model/labels.js';
import type { Codec } from './codec.js';

export interface ChunkOptions {
  /** Uncompressed bytes (lines + structured metadata) at which the head block is sealed. */
  blockSize: number;
  /** Chunk size (sealed blocks compressed + head uncompressed) at which the chunk is full; 0 = 10 blocks. */
  targetSize: number;
  codec: Codec;
}

/** Loki's chunk_block_size, chunk_target_size and chunk_encoding defaults. */
export const DEFAULT_CHUNK_OPTIONS: Readonly<ChunkOptions> = { blockSize: 262_144, targetSize: 1_572_864, codec: 'snappy' };

/** Where a sealed block sits in the encoded chunk and what it holds. */
export interface BlockMeta {
  readonly minTs: bigint;
  readonly maxTs: bigint;
  readonly entries: number;
  /** Byte offset of the block in the encoded chunk. */
  readonly offset: number;
  /** Bytes of the block in the encoded chunk (its section sizes and compressed sections). */
  readonly length: number;
  /** Sum of the block's four sections uncompressed. */
  readonly uncompressedLength: number;
  /** UTF-8 bytes of the lines plus structured metadata names and values (Loki's uncompressed size). */
  readonly rawBytes: number;
  /** CRC-32 of the block's `length` bytes. */
  readonly crc32: number;
  /** CRC-32 of the block's section sizes, timestamps and lengths sections: all a sample read touches. */
  readonly columnsCrc32: number;
}

/**
 * Timestamps and line sizes of consecutive entries, ascending by timestamp. Entry i has timestamp
 * `baseTs + BigInt(offsetsNs[i])` and a line of `bytes[i]` UTF-8 bytes. Offsets are integral
 * nanoseconds and exact: a view never spans more than MAX_EXACT_SPAN_NS (about 104 days).
 */
export interface SampleView {
  readonly baseTs: bigint;
  readonly offsetsNs: Float64Array;
  readonly bytes: Uint32Array;
}

export interface Sample {
  ts: bigint;
  bytes: number;
}

/** The widest span of timestamps inside one block or sample view: offsets stay exact doubles. */
export const MAX_EXACT_SPAN_NS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * What a read may test on a line's UTF-8 bytes before decoding it: only lines containing every
 * `include` and no `exclude` are decoded. Needles are non-empty valid UTF-8, so a byte match is a
 * match of the decoded line; readers still apply their full filters to what is returned.
 */
export interface LineBytesFilter {
  readonly include: readonly Uint8Array[];
  readonly exclude: readonly Uint8Array[];
  /**
   * Read every block even when its gram filter rules out an include needle (to measure what the
   * filters save; results are the same either way).
   */
  readonly ignoreBlockFilters?: boolean;
}

/** Counts of entries a filtered read passed over without decoding them (for query statistics). */
export interface SkippedEntries {
  /** Lines of decompressed blocks that were not decoded. */
  lines: number;
  /** Their lines' UTF-8 bytes. */
  bytes: number;
  /** Their structured metadata name and value bytes. */
  metadataBytes: number;
  /** Blocks whose gram filter ruled out an include needle: never decompressed, their lines not counted above. */
  blocks?: number;
  /** Their line and structured metadata bytes (BlockMeta.rawBytes). */
  blockBytes?: number;
}

/** A SampleView with each entry's structured metadata; consecutive entries with equal metadata share one object. */
export interface SampleColumns extends SampleView {
  /** Undefined when no entry of the view has structured metadata. */
  readonly metadata: readonly (Labels | undefined)[] | undefined;
}

/**
 * SampleColumns with the lines section they come from, for reads that run a pipeline over the lines
 * without building entries: entry i's line is the next bytes[i] bytes of `lines`, entry 0's starting
 * at `lineStart`. Entries whose `mask` byte is 0 did not pass the read's line-bytes filter (they were
 * counted as skipped); without a mask every entry passed.
 */
export interface LineColumns extends SampleColumns {
  readonly lines: Buffer;
  readonly lineStart: number;
  readonly mask: Uint8Array | undefined;
}

/** Where readers keep stored blocks' expanded sections for later reads (read-only once held). */
export interface SectionCache {
  get(key: string): Buffer | undefined;
  set(key: string, section: Buffer): void;
}

/**
 * A stored chunk's place in a SectionCache: `chunk` names its bytes (the same bytes wherever the
 * name is used, as a store key with the chunk's checksum does).
 */
export interface ChunkSectionCache {
  readonly cache: SectionCache;
  readonly chunk: string;
}
