// Query statistics counted while a query runs (lines/bytes read from ingester memory and from
// stored chunks, chunks fetched, entries returned), shaped like Loki's stats.proto for responses.

export interface ChunkStats {
  headChunkBytes: number;
  headChunkLines: number;
  decompressedBytes: number;
  decompressedLines: number;
  compressedBytes: number;
  totalDuplicates: number;
  postFilterLines: number;
  headChunkStructuredMetadataBytes: number;
  decompressedStructuredMetadataBytes: number;
}

export interface StoreStats {
  totalChunksRef: number;
  totalChunksDownloaded: number;
  /** ns */
  chunksDownloadTime: number;
  queryReferencedStructuredMetadata: boolean;
  chunk: ChunkStats;
  /** ns */
  chunkRefsFetchTime: number;
  congestionControlLatency: number;
  pipelineWrapperFilteredLines: number;
}

export interface IngesterStats {
  totalReached: number;
  totalChunksMatched: number;
  totalBatches: number;
  totalLinesSent: number;
  store: StoreStats;
}

/**
 * Blocks that reads passed over because their gram filters ruled out a line filter's needle, and their
 * line and metadata bytes, since the process started; read by /metrics. Not part of Loki's stats shape.
 */
export const skippedBlockTotals = {
  ingester: { blocks: 0, bytes: 0 },
  store: { blocks: 0, bytes: 0 },
};

export function emptyChunkStats(): ChunkStats {
  return {
    headChunkBytes: 0,
    headChunkLines: 0,
    decompressedBytes: 0,
    decompressedLines: 0,
    compressedBytes: 0,
    totalDuplicates: 0,
    postFilterLines: 0,
    headChunkStructuredMetadataBytes: 0,
    decompressedStructuredMetadataBytes: 0,
  };
}

export function emptyStoreStats(): StoreStats {
  return {
    totalChunksRef: 0,
    totalChunksDownloaded: 0,
    chunksDownloadTime: 0,
    queryReferencedStructuredMetadata: false,
    chunk: emptyChunkStats(),
    chunkRefsFetchTime: 0,
    congestionControlLatency: 0,
    pipelineWrapperFilteredLines: 0,
  };
}

export function emptyIngesterStats(): IngesterStats {
  return { totalReached: 0, totalChunksMatched: 0, totalBatches: 0, totalLinesSent: 0, store: emptyStoreStats() };
}

/** Counters a source adds to while it reads; one per query and side (ingester or store). */
export class QueryStats {
  readonly ingester: IngesterStats = emptyIngesterStats();
  readonly store: StoreStats = emptyStoreStats();
  entriesReturned = 0;
  postFilterLines = 0;
  queueTimeNs = 0;

  /** Adds another (e.g. a remote ingester's) stats into this one. */
  merge(other: { ingester?: IngesterStats; store?: StoreStats }): void {
    if (other.ingester) addInto(this.ingester as unknown as Numeric, other.ingester as unknown as Numeric);
    if (other.store) addInto(this.store as unknown as Numeric, other.store as unknown as Numeric);
  }

  totalBytes(): number {
    const i = this.ingester.store.chunk;
    const s = this.store.chunk;
    return i.headChunkBytes + i.decompressedBytes + s.headChunkBytes + s.decompressedBytes;
  }

  totalLines(): number {
    const i = this.ingester.store.chunk;
    const s = this.store.chunk;
    return i.headChunkLines + i.decompressedLines + s.headChunkLines + s.decompressedLines;
  }

  totalStructuredMetadataBytes(): number {
    const i = this.ingester.store.chunk;
    const s = this.store.chunk;
    return (
      i.headChunkStructuredMetadataBytes +
      i.decompressedStructuredMetadataBytes +
      s.headChunkStructuredMetadataBytes +
      s.decompressedStructuredMetadataBytes
    );
  }
}

type Numeric = { [k: string]: number | boolean | Numeric };

function addInto(dst: Numeric, src: Numeric): void {
  for (const [k, v] of Object.entries(src)) {
    if (typeof v === 'number') dst[k] = ((dst[k] as number) ?? 0) + v;
    else if (typeof v === 'boolean') dst[k] = Boolean(dst[k]) || v;
    else addInto((dst[k] ??= {}) as Numeric, v);
  }
}
