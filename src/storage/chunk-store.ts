// The chunk store: writes flushed chunks and their label-only index, answers series/label/stats
// questions from the index, and fetches chunk bytes (checked against their CRC32, LRU-cached).
// Never decodes chunks and never stores log text in the index; it owns the cache where readers of the
// chunks it fetched keep their blocks' expanded sections (StoredChunk.decode's `sections`).
import { crc32 } from 'node:zlib';
import { CorruptDataError, ValidationError } from '../model/errors.js';
import { compileMatchers, type Matcher } from '../model/matchers.js';
import { NS_PER_SECOND } from '../model/time.js';
import { mapBounded } from './bounded-map.js';
import { ChunkCache } from './chunk-cache.js';
import type { ChunkRef, FlushedChunk, SeriesRefs } from './chunk-ref.js';
import { IndexCompactor, type CompactionResult } from './index-compactor.js';
import type { IndexSeries } from './index-format.js';
import { IndexReader } from './index-reader.js';
import { IndexWriter } from './index-writer.js';
import { chunkKey, validateTenant } from './object-keys.js';
import type { ObjectStore } from './object-store.js';
import type { SeriesTable } from './series-table.js';
import { stderrLogger, type StorageLogger } from './storage-logger.js';

export interface ChunkStoreOptions {
  /** Names this instance's index files; unique per process writing to the store (e.g. the ingester's id). */
  writerId: string;
  /** Index period in ns (default 24h). All readers and writers of one store must agree on it. */
  indexPeriod?: bigint;
  /** Byte budget of the chunk cache (default 64 MiB; 0 disables it). */
  chunkCacheBytes?: number;
  /** Byte budget of the cache of fetched chunks' expanded block sections (default 32 MiB; 0 disables it). */
  sectionCacheBytes?: number;
  /** Re-list a period's index files at most this often (default 5000 ms; 0 = on every query). */
  indexRefreshMs?: number;
  /** Where corrupt index files are reported (default: JSON lines on stderr). */
  logger?: StorageLogger;
}

export const DEFAULT_INDEX_PERIOD = 24n * 3600n * NS_PER_SECOND;
const DEFAULT_CHUNK_CACHE_BYTES = 64 * 1024 * 1024;
const DEFAULT_SECTION_CACHE_BYTES = 32 * 1024 * 1024;
const DEFAULT_INDEX_REFRESH_MS = 5000;
const PUT_CONCURRENCY = 8;

export interface IndexStats {
  streams: number;
  chunks: number;
  bytes: number;
  entries: number;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function validateChunk(c: FlushedChunk): void {
  if (!/^[0-9a-f]{1,16}$/.test(c.fingerprint)) throw new ValidationError(`invalid chunk fingerprint: ${JSON.stringify(c.fingerprint)}`);
  if (c.from < 0n || c.through < c.from) throw new ValidationError(`invalid chunk time range: ${c.from}..${c.through}`);
  if (!isCount(c.entries) || !isCount(c.uncompressedBytes)) throw new ValidationError('invalid chunk entry count or size');
}

export class ChunkStore {
  private readonly writer: IndexWriter;
  private readonly reader: IndexReader;
  private readonly compactor: IndexCompactor;
  private readonly cache: ChunkCache | undefined;
  /** Where readers of fetched chunks keep their expanded sections, by chunk key, block and section. */
  readonly sectionCache: ChunkCache<Buffer> | undefined;
  private readonly inflight = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly store: ObjectStore,
    opts: ChunkStoreOptions,
  ) {
    const period = opts.indexPeriod ?? DEFAULT_INDEX_PERIOD;
    if (period <= 0n) throw new TypeError('indexPeriod must be positive');
    const logger = opts.logger ?? stderrLogger;
    this.writer = new IndexWriter(store, opts.writerId, period);
    this.reader = new IndexReader(store, { period, refreshMs: opts.indexRefreshMs ?? DEFAULT_INDEX_REFRESH_MS, logger });
    this.compactor = new IndexCompactor(store, this.writer, this.reader, logger);
    const cacheBytes = opts.chunkCacheBytes ?? DEFAULT_CHUNK_CACHE_BYTES;
    this.cache = cacheBytes > 0 ? new ChunkCache(cacheBytes) : undefined;
    const sectionBytes = opts.sectionCacheBytes ?? DEFAULT_SECTION_CACHE_BYTES;
    this.sectionCache = sectionBytes > 0 ? new ChunkCache<Buffer>(sectionBytes) : undefined;
  }

  /**
   * Writes the chunk objects, then the index files referencing them (one per index period touched),
   * so an index entry never points at a missing chunk. Returns the refs in input order.
   */
  async putChunks(tenant: string, chunks: FlushedChunk[]): Promise<ChunkRef[]> {
    validateTenant(tenant);
    for (const c of chunks) validateChunk(c);
    const refs = chunks.map((c): ChunkRef => {
      const checksum = crc32(c.data);
      return {
        tenant,
        fingerprint: c.fingerprint,
        from: c.from,
        through: c.through,
        checksum,
        entries: c.entries,
        uncompressedBytes: c.uncompressedBytes,
        size: c.data.length,
        key: chunkKey(tenant, c.fingerprint, c.from, c.through, checksum),
      };
    });
    await mapBounded(chunks, PUT_CONCURRENCY, (c, i) => this.store.put(refs[i].key, c.data));
    const bySeries = new Map<string, IndexSeries>();
    for (let i = 0; i < chunks.length; i++) {
      let s = bySeries.get(chunks[i].fingerprint);
      if (!s) bySeries.set(chunks[i].fingerprint, (s = { labels: chunks[i].labels, fingerprint: chunks[i].fingerprint, chunks: [] }));
      s.chunks.push(refs[i]);
    }
    for (const written of await this.writer.write(tenant, [...bySeries.values()])) this.reader.addLocalFile(written.key, written.file);
    return refs;
  }

  private select(tenant: string, matchers: Matcher[], start: bigint, end: bigint): Promise<SeriesTable> {
    validateTenant(tenant);
    return this.reader.select(tenant, compileMatchers(matchers), start, end);
  }

  /** Series matching the matchers with at least one chunk overlapping [start, end), sorted by labels. */
  async series(tenant: string, matchers: Matcher[], start: bigint, end: bigint): Promise<SeriesRefs[]> {
    return (await this.select(tenant, matchers, start, end)).toIndexSeries();
  }

  /** The chunk's stored bytes, checked against the ref's size and CRC32; read-only (shared with the cache). */
  async fetchChunk(ref: ChunkRef): Promise<Uint8Array> {
    const cached = this.cache?.get(ref.key);
    if (cached) return cached;
    let pending = this.inflight.get(ref.key);
    if (!pending) {
      pending = this.load(ref).finally(() => this.inflight.delete(ref.key));
      this.inflight.set(ref.key, pending);
    }
    return pending;
  }

  private async load(ref: ChunkRef): Promise<Uint8Array> {
    const data = await this.store.get(ref.key);
    if (data.length !== ref.size || crc32(data) !== ref.checksum)
      throw new CorruptDataError(`corrupt chunk ${ref.key}: size or checksum mismatch`);
    this.cache?.set(ref.key, data);
    return data;
  }

  /** Label names of the (matching) series with chunks in [start, end), sorted. */
  async labelNames(tenant: string, start: bigint, end: bigint, matchers: Matcher[] = []): Promise<string[]> {
    const names = new Set<string>();
    for (const s of (await this.select(tenant, matchers, start, end)).series.values()) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  /** Values of label `name` among the (matching) series with chunks in [start, end), sorted. */
  async labelValues(tenant: string, name: string, start: bigint, end: bigint, matchers: Matcher[] = []): Promise<string[]> {
    const values = new Set<string>();
    for (const s of (await this.select(tenant, matchers, start, end)).series.values())
      for (const l of s.labels) if (l.name === name && l.value !== '') values.add(l.value);
    return [...values].sort();
  }

  /** Counts over the matching series' chunks overlapping [start, end); bytes are uncompressed bytes. */
  async stats(tenant: string, matchers: Matcher[], start: bigint, end: bigint): Promise<IndexStats> {
    const out: IndexStats = { streams: 0, chunks: 0, bytes: 0, entries: 0 };
    for (const s of (await this.select(tenant, matchers, start, end)).series.values()) {
      out.streams++;
      for (const c of s.chunks.values()) {
        out.chunks++;
        out.bytes += c.uncompressedBytes;
        out.entries += c.entries;
      }
    }
    return out;
  }

  /** Merges each (period, tenant)'s index files into one and deletes the merged ones. */
  async compact(): Promise<CompactionResult> {
    return this.compactor.compact();
  }
}
