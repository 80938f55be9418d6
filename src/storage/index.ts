// Public surface of the storage module: object stores (filesystem, S3) and the chunk store with its
// label-only index. Other modules import from here only.
export { ObjectNotFoundError, type ObjectStore } from './object-store.js';
export { createFilesystemStore } from './filesystem-store.js';
export { createS3Store, resolveS3Config, type S3Config } from './s3-store.js';
export type { ChunkRef, SeriesRefs, FlushedChunk } from './chunk-ref.js';
export { ChunkStore, DEFAULT_INDEX_PERIOD, type ChunkStoreOptions, type IndexStats } from './chunk-store.js';
export type { CompactionResult } from './index-compactor.js';
export type { StorageLogger } from './storage-logger.js';
export { chunkKey } from './object-keys.js';
export { encodeIndexFile, decodeIndexFile, INDEX_FORMAT_VERSION, type IndexFile, type IndexSeries } from './index-format.js';
