// What the store records about a flushed chunk and what it hands back to queriers. Pure types.
import type { Labels } from '../model/labels.js';

/** Where a stored chunk lives and what it covers; `from`/`through` are inclusive ns timestamps. */
export interface ChunkRef {
  tenant: string;
  fingerprint: string;
  from: bigint;
  through: bigint;
  /** CRC32 of the stored chunk bytes. */
  checksum: number;
  entries: number;
  uncompressedBytes: number;
  /** Stored (encoded) size in bytes. */
  size: number;
  key: string;
}

export interface SeriesRefs {
  labels: Labels;
  fingerprint: string;
  chunks: ChunkRef[];
}

/** A chunk as the ingester hands it over for storage: encoded bytes plus what the index records. */
export interface FlushedChunk {
  labels: Labels;
  fingerprint: string;
  from: bigint;
  through: bigint;
  entries: number;
  uncompressedBytes: number;
  data: Uint8Array;
}
