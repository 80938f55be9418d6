// The chunk package's public face: in-memory chunks ingesters append to and stored chunks read back.
// Re-exports only; no logic.
export type { Codec } from './codec.js';
export type { BlockMeta, ChunkOptions, ChunkSectionCache, LineBytesFilter, LineColumns, Sample, SectionCache, SampleColumns, SampleView, SkippedEntries } from './types.js';
export { DEFAULT_CHUNK_OPTIONS, MAX_EXACT_SPAN_NS } from './types.js';
export { FORMAT_VERSION } from './format.js';
export { MemChunk } from './mem-chunk.js';
export { StoredChunk } from './stored-chunk.js';
export { metadataBytes } from './metadata-size.js';
export { isPrintableAscii } from './line-match.js';
