// Query sources the querier combines: ingesters (memory, local or remote) and the store (flushed
// chunks), merged into one QuerySource for the engine. Flushed chunks an ingester still serves from
// memory are skipped in the store, so single-process reads never see an entry twice.
import { readChunkLogs, readChunkSamples, type ReadableChunk } from '../iter/chunk-reader.js';
import { mergeAllSamples } from '../logql/engine/series-samples.js';
import type {
  QuerySource,
  SelectLogsParams,
  SelectSamplesParams,
  SeriesSamples,
  StreamResult,
} from '../logql/contracts.js';
import { StoredChunk } from '../chunks/index.js';
import type { Labels, Matcher, Nanos } from '../model/index.js';
import type { QueryStats } from '../model/stats.js';
import type { ChunkRef, ChunkStore } from '../storage/index.js';

/** The read side of an ingester as the querier sees it (the local one, or a gRPC client). */
export interface IngesterReader {
  selectLogs(tenant: string, params: SelectLogsParams, stats: QueryStats, served: Set<string>): AsyncIterable<StreamResult[]>;
  selectSamples(tenant: string, params: SelectSamplesParams, stats: QueryStats, served: Set<string>): AsyncIterable<SeriesSamples[]>;
  labelNames(tenant: string, start: Nanos, end: Nanos, matchers?: Matcher[]): Promise<string[]>;
  labelValues(tenant: string, name: string, start: Nanos, end: Nanos, matchers?: Matcher[]): Promise<string[]>;
  series(tenant: string, matchers: Matcher[] | undefined, start: Nanos, end: Nanos): Promise<Labels[]>;
  stats(tenant: string, matchers: Matcher[], start: Nanos, end: Nanos): Promise<IndexStats>;
}

export interface IndexStats {
  streams: number;
  chunks: number;
  bytes: number;
  entries: number;
}

export interface SourceOptions {
  tenant: string;
  ingesters: readonly IngesterReader[];
  /** Ingesters hold replicas (RF > 1 over gRPC): read them in parallel, drop replica duplicates. */
  replicated: boolean;
  /** How many ingesters may fail before the query fails (replicas cover for them). */
  maxIngesterErrors: number;
  store: ChunkStore | undefined;
  /** Ask ingesters only for data newer than now - this (0 = always the whole range). */
  queryIngestersWithin: bigint;
  now: Nanos;
  stats: QueryStats;
}

/** Reads flushed chunks of matching series from the store. */
export class StoreSource {
  constructor(
    private readonly store: ChunkStore,
    private readonly tenant: string,
    private readonly stats: QueryStats,
    private readonly hashLines = false,
  ) {}

  private async load(refs: readonly ChunkRef[]): Promise<ReadableChunk[]> {
    const started = process.hrtime.bigint();
    const out = await Promise.all(
      refs.map(async (r) => {
        const data = await this.store.fetchChunk(r);
        this.stats.store.chunk.compressedBytes += data.length;
        return StoredChunk.decode(data);
      }),
    );
    this.stats.store.totalChunksDownloaded += refs.length;
    this.stats.store.chunksDownloadTime += Number(process.hrtime.bigint() - started);
    return out;
  }

  private async seriesFor(matchers: Matcher[], start: Nanos, end: Nanos, skip: Set<string>) {
    const started = process.hrtime.bigint();
    const series = await this.store.series(this.tenant, matchers, start, end);
    this.stats.store.chunkRefsFetchTime += Number(process.hrtime.bigint() - started);
    return series.map((s) => {
      const refs = s.chunks.filter((c) => !skip.has(c.key) && c.through >= start && c.from < end);
      this.stats.store.totalChunksRef += refs.length;
      return { labels: s.labels, refs };
    });
  }

  /**
   * Reads time windows from the query's far end across all series (the first sized to hold about
   * twice `limit` entries by the chunk refs' entry counts, then doubling), and stops once a window
   * completes with `limit` entries taken: older entries cannot make the result.
   */
  async *selectLogs(p: SelectLogsParams, skip: Set<string>): AsyncGenerator<StreamResult[]> {
    const series = (await this.seriesFor(p.matchers, p.start, p.end, skip)).filter((s) => s.refs.length > 0);
    const loaded = new Map<string, ReadableChunk>();
    let taken = 0;
    let entries = 0;
    for (const s of series) for (const r of s.refs) entries += r.entries;
    const span = p.end - p.start;
    let width = entries > 2 * p.limit ? (span * BigInt(2 * p.limit)) / BigInt(entries) : span;
    if (width < 1_000_000_000n) width = 1_000_000_000n;
    for (let near = p.direction === 'backward' ? p.end : p.start; p.direction === 'backward' ? near > p.start : near < p.end; width *= 2n) {
      const from = p.direction === 'backward' ? (near - width > p.start ? near - width : p.start) : near;
      const through = p.direction === 'backward' ? near : near + width < p.end ? near + width : p.end;
      near = p.direction === 'backward' ? from : through;
      for (const s of series) {
        const refs = s.refs.filter((r) => r.through >= from && r.from < through);
        if (!refs.length) continue;
        const missing = refs.filter((r) => !loaded.has(r.key));
        if (missing.length) (await this.load(missing)).forEach((c, i) => loaded.set(missing[i].key, c));
        const chunks = refs.map((r) => loaded.get(r.key)!);
        const res = readChunkLogs(s.labels, chunks, { ...p, start: from, end: through }, this.stats.store.chunk, { head: false, dropDuplicates: true, byMetadata: true });
        for (const r of res) taken += r.entries.length;
        if (res.length) yield res;
      }
      if (taken >= p.limit) return;
    }
  }

  async *selectSamples(p: SelectSamplesParams, skip: Set<string>): AsyncGenerator<SeriesSamples[]> {
    for (const s of await this.seriesFor(p.matchers, p.start, p.end, skip)) {
      if (!s.refs.length) continue;
      const chunks = await this.load(s.refs);
      const res = readChunkSamples(s.labels, chunks, p, this.stats.store.chunk, { head: false, dropDuplicates: true, hashLines: this.hashLines, byMetadata: true });
      if (res.length) yield res;
    }
  }
}

/**
 * Yields the batches of several async sources as they arrive. A failing source is dropped while at
 * most `maxErrors` have failed (replicas hold the same data); one more failure fails the read.
 */
async function* interleave<T>(sources: AsyncIterable<T>[], maxErrors: number): AsyncGenerator<T> {
  const iters = sources.map((s) => s[Symbol.asyncIterator]());
  const next = (i: number) => iters[i].next().then(
    (r) => ({ i, r, err: undefined as unknown }),
    (err: unknown) => ({ i, r: undefined, err }),
  );
  const pending = new Map(iters.map((_, i) => [i, next(i)]));
  let errors = 0;
  try {
    while (pending.size) {
      const { i, r, err } = await Promise.race(pending.values());
      if (err !== undefined || !r) {
        pending.delete(i);
        if (++errors > maxErrors) throw err;
        continue;
      }
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pending.set(i, next(i));
      yield r.value;
    }
  } finally {
    for (const i of pending.keys()) void iters[i].return?.();
  }
}

/** A series without its line hashes: without replicas equal samples of one series are all kept. */
function withoutHashes(s: SeriesSamples): SeriesSamples {
  return s.hashes === undefined ? s : { labels: s.labels, baseTs: s.baseTs, offsets: s.offsets, values: s.values };
}

/** Ingesters first (recording which flushed chunks they covered), then the store for the rest. */
export class MergedSource implements QuerySource {
  constructor(private readonly o: SourceOptions) {}

  private ingesterStart(start: Nanos): Nanos {
    if (this.o.queryIngestersWithin <= 0n) return start;
    const min = this.o.now - this.o.queryIngestersWithin;
    return start > min ? start : min;
  }

  async *selectLogs(p: SelectLogsParams): AsyncGenerator<StreamResult[]> {
    const served = new Set<string>();
    const start = this.ingesterStart(p.start);
    if (start < p.end && this.o.ingesters.length) {
      const reads = this.o.ingesters.map((ing) => ing.selectLogs(this.o.tenant, { ...p, start }, this.o.stats, served));
      yield* interleave(reads, this.o.replicated ? this.o.maxIngesterErrors : 0);
    }
    if (this.o.store) yield* new StoreSource(this.o.store, this.o.tenant, this.o.stats).selectLogs(p, served);
  }

  /**
   * Without replicas, batches are passed on as they arrive (the engine joins the parts of a series).
   * With replicas, the parts of each series are merged once at the end, pairwise (n log k), dropping
   * samples equal in timestamp and line hash.
   */
  async *selectSamples(p: SelectSamplesParams): AsyncGenerator<SeriesSamples[]> {
    const served = new Set<string>();
    const { replicated } = this.o;
    const parts = new Map<string, SeriesSamples[]>();
    const add = (batch: SeriesSamples[]): void => {
      for (const s of batch) {
        const list = parts.get(s.labels.key);
        if (list) list.push(s);
        else parts.set(s.labels.key, [s]);
      }
    };
    const start = this.ingesterStart(p.start);
    if (start < p.end && this.o.ingesters.length) {
      const reads = this.o.ingesters.map((ing) => ing.selectSamples(this.o.tenant, { ...p, start }, this.o.stats, served));
      for await (const batch of interleave(reads, replicated ? this.o.maxIngesterErrors : 0)) {
        if (replicated) add(batch);
        else yield batch.map(withoutHashes);
      }
    }
    if (this.o.store) {
      const store = new StoreSource(this.o.store, this.o.tenant, this.o.stats, replicated);
      for await (const batch of store.selectSamples(p, served)) {
        if (replicated) add(batch);
        else yield batch;
      }
    }
    if (parts.size) yield [...parts.values()].map(mergeAllSamples);
  }
}
