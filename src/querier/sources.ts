// Query sources the querier combines: ingesters (memory, local or remote) and the store (flushed
// chunks), merged into one QuerySource for the engine. Flushed chunks an ingester still serves from
// memory are skipped in the store, so single-process reads never see an entry twice.
import { readChunkLogs, readChunkSamples, valueWithoutLine, type ReadableChunk } from '../iter/chunk-reader.js';
import { mergeAllSamples } from '../logql/engine/series-samples.js';
import type {
  QuerySource,
  SelectLogsParams,
  SelectSamplesParams,
  SeriesSamples,
  StreamResult,
} from '../logql/contracts.js';
import { StoredChunk } from '../chunks/index.js';
import { printExpr } from '../logql/syntax/index.js';
import type { Labels, Matcher, Nanos } from '../model/index.js';
import type { QueryStats } from '../model/stats.js';
import type { ChunkRef, ChunkStore } from '../storage/index.js';
import { addChunkStats, endScope, taskScope, type SampleTask, type SampleTaskResult } from './sample-task.js';
import { abortError, type SampleWorkerPool } from './sample-workers.js';

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
  /** Worker threads for store sample reads (absent: read on this thread). */
  workers?: SampleWorkerPool;
  /** The query's signal: once it aborts, store reads stop and fail with abortError(signal). */
  signal?: AbortSignal;
}

/** Series of one store read, with the chunks to read for each. */
interface SeriesToRead {
  labels: Labels;
  refs: ChunkRef[];
}

/**
 * Splits series into about `n` groups of similar stored size (largest first, each to the lightest
 * group), so workers finish together and results stream in several batches.
 */
function balancedGroups(series: readonly SeriesToRead[], n: number): SeriesToRead[][] {
  const sized = series.map((s) => ({ s, bytes: s.refs.reduce((sum, r) => sum + r.size, 0) })).sort((a, b) => b.bytes - a.bytes);
  const groups = Array.from({ length: Math.min(n, series.length) }, () => ({ bytes: 0, series: [] as SeriesToRead[] }));
  for (const { s, bytes } of sized) {
    let g = groups[0];
    for (const x of groups) if (x.bytes < g.bytes) g = x;
    g.bytes += bytes;
    g.series.push(s);
  }
  return groups.map((g) => g.series);
}

/**
 * The width of selectLogs' next window, after windows covering `covered` ns gave `taken` of the
 * `limit` entries: half again what their yield says the rest needs, and at least twice the last
 * width (four times when nothing was taken: a rare match should not cost many rounds).
 */
export function nextWidth(width: bigint, covered: bigint, taken: number, limit: number): bigint {
  if (taken === 0) return width * 4n;
  const needed = (covered * BigInt(limit - taken) * 3n) / (2n * BigInt(taken));
  return needed > width * 2n ? needed : width * 2n;
}

/** Throws abortError(signal) once the signal aborted. */
function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** How many series' chunks selectLogs fetches ahead of the one it reads. */
export const PREFETCH_SERIES = 8;

/** Reads flushed chunks of matching series from the store. */
export class StoreSource {
  private mostHeld = 0;

  constructor(
    private readonly store: ChunkStore,
    private readonly tenant: string,
    private readonly stats: QueryStats,
    private readonly hashLines = false,
    private readonly workers?: SampleWorkerPool,
    private readonly signal?: AbortSignal,
  ) {}

  /** The most decoded chunks selectLogs held at once so far (they stay only while a later window needs them). */
  get peakChunksHeld(): number {
    return this.mostHeld;
  }

  /** The chunks' stored bytes (counted as downloaded). */
  private async fetch(refs: readonly ChunkRef[]): Promise<Uint8Array[]> {
    const started = process.hrtime.bigint();
    const out = await Promise.all(
      refs.map(async (r) => {
        const data = await this.store.fetchChunk(r);
        this.stats.store.chunk.compressedBytes += data.length;
        return data;
      }),
    );
    this.stats.store.totalChunksDownloaded += refs.length;
    this.stats.store.chunksDownloadTime += Number(process.hrtime.bigint() - started);
    return out;
  }

  private async load(refs: readonly ChunkRef[]): Promise<ReadableChunk[]> {
    const cache = this.store.sectionCache;
    // A chunk key names the chunk's bytes (it carries their checksum, checked at fetch).
    return (await this.fetch(refs)).map((data, k) => StoredChunk.decode(data, cache === undefined ? undefined : { cache, chunk: refs[k].key }));
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
   * Reads time windows from the stored data's edge at the query's far end across all series (the
   * first sized by the chunk refs' entry counts, later ones by what was taken; see nextWidth), and
   * stops once a window completes with `limit` entries taken: older entries cannot make the result.
   * A decoded chunk is kept only while a later window overlaps it.
   */
  async *selectLogs(p: SelectLogsParams, skip: Set<string>): AsyncGenerator<StreamResult[]> {
    checkAborted(this.signal);
    const series = (await this.seriesFor(p.matchers, p.start, p.end, skip)).filter((s) => s.refs.length > 0);
    if (series.length === 0) return;
    const loaded = new Map<string, ReadableChunk>();
    let taken = 0;
    let entries = 0;
    // Entries lie within [first, last] of the chunk refs: windows start at the data, not at the range's
    // edge (a range ending at "now" usually ends after the newest stored entry), and size by its span.
    let first = p.end;
    let last = p.start;
    for (const s of series)
      for (const r of s.refs) {
        entries += r.entries;
        if (r.from < first) first = r.from;
        if (r.through > last) last = r.through;
      }
    const lo = first > p.start ? first : p.start;
    const hi = last + 1n < p.end ? last + 1n : p.end;
    const span = hi - lo;
    // The first window should hold about twice `limit` entries, or eight times when stages may drop
    // entries (line filters usually keep few; each extra window re-reads the blocks at its edge).
    const wanted = (p.pipeline.noop ? 2 : 8) * p.limit;
    let width = entries > wanted ? (span * BigInt(wanted)) / BigInt(entries) : span;
    if (width < 1_000_000_000n) width = 1_000_000_000n;
    const backward = p.direction === 'backward';
    for (let near = backward ? hi : lo; backward ? near > lo : near < hi; width = nextWidth(width, backward ? hi - near : near - lo, taken, p.limit)) {
      const from = backward ? (near - width > lo ? near - width : lo) : near;
      const through = backward ? near : near + width < hi ? near + width : hi;
      near = backward ? from : through;
      const todo = series.map((s) => ({ labels: s.labels, refs: s.refs.filter((r) => r.through >= from && r.from < through) })).filter((s) => s.refs.length > 0);
      // The next few series' chunks are fetched while this one is read (a series' chunks are its own).
      const fetched: Promise<void>[] = [];
      const prefetch = (i: number): void => {
        if (i >= todo.length || fetched[i] !== undefined) return;
        const missing = todo[i].refs.filter((r) => !loaded.has(r.key));
        const done = missing.length === 0 ? Promise.resolve() : this.load(missing).then((cs) => cs.forEach((c, k) => loaded.set(missing[k].key, c)));
        // Awaited in turn; a failure nobody reaches (the read stopped first) is not unhandled.
        done.catch(() => undefined);
        fetched[i] = done;
      };
      for (let i = 0; i < todo.length; i++) {
        const s = todo[i];
        const refs = s.refs;
        checkAborted(this.signal);
        for (let k = i; k < i + PREFETCH_SERIES; k++) prefetch(k);
        await fetched[i];
        if (loaded.size > this.mostHeld) this.mostHeld = loaded.size;
        const chunks = refs.map((r) => loaded.get(r.key)!);
        // Later windows lie beyond this one's far edge: they overlap only the chunks that reach past it.
        for (const r of refs) if (backward ? r.from >= from : r.through < through) loaded.delete(r.key);
        const res = readChunkLogs(s.labels, chunks, { ...p, start: from, end: through }, this.stats.store.chunk, { head: false, dropDuplicates: true, byMetadata: true, wholeRange: true });
        for (const r of res) taken += r.entries.length;
        if (res.length) yield res;
      }
      if (taken >= p.limit) return;
    }
  }

  async *selectSamples(p: SelectSamplesParams, skip: Set<string>): AsyncGenerator<SeriesSamples[]> {
    checkAborted(this.signal);
    const series = (await this.seriesFor(p.matchers, p.start, p.end, skip)).filter((s) => s.refs.length > 0);
    // Count and bytes aggregations without stages read columns only: cheaper here than a worker round trip.
    const from = p.extractor.compiledFrom;
    if (this.workers !== undefined && from !== undefined && series.length > 1 && valueWithoutLine(p.expr) === undefined) {
      const task = { expr: printExpr(from.expr), outer: from.outer, start: p.start, end: p.end, hashLines: this.hashLines };
      yield* this.onWorkers(this.workers, task, series);
      return;
    }
    for (const s of series) {
      checkAborted(this.signal);
      const chunks = await this.load(s.refs);
      const res = readChunkSamples(s.labels, chunks, p, this.stats.store.chunk, { head: false, dropDuplicates: true, hashLines: this.hashLines, byMetadata: true });
      if (res.length) yield res;
    }
  }

  /**
   * Reads the series on the pool's workers, a few groups per worker; fetches the chunks of at most
   * two groups per worker ahead, and yields each group's samples as it completes. Once the query's
   * signal aborts it starts no more groups and fails at once with abortError(signal); when it ends
   * in any way, the workers skip or stop the tasks of this read still queued or running.
   */
  private async *onWorkers(pool: SampleWorkerPool, task: Omit<SampleTask, 'series'>, series: readonly SeriesToRead[]): AsyncGenerator<SeriesSamples[]> {
    const { signal } = this;
    const groups = balancedGroups(series, pool.size * 3);
    const scope = taskScope();
    type Outcome = { done: SampleTaskResult } | { failed: unknown };
    const running = new Map<number, Promise<{ i: number; out: Outcome }>>();
    const start = (i: number): void => {
      const work = (async () => {
        const list = await Promise.all(groups[i].map(async (s) => ({ labels: s.labels, chunks: await this.fetch(s.refs) })));
        checkAborted(signal);
        return pool.run({ ...task, scope, series: list }, signal);
      })();
      running.set(i, work.then((done) => ({ i, out: { done } }), (failed: unknown) => ({ i, out: { failed } })));
    };
    // Settles (as a failure) only when the signal aborts.
    let onAbort: (() => void) | undefined;
    const aborted =
      signal === undefined
        ? undefined
        : new Promise<{ i: number; out: Outcome }>((resolve) => {
            onAbort = () => resolve({ i: -1, out: { failed: abortError(signal) } });
            signal.addEventListener('abort', onAbort, { once: true });
          });
    try {
      checkAborted(signal);
      let next = 0;
      while (next < groups.length && running.size < pool.size * 2) start(next++);
      while (running.size > 0) {
        const { i, out } = await Promise.race(aborted === undefined ? running.values() : [aborted, ...running.values()]);
        if ('failed' in out) throw out.failed;
        running.delete(i);
        checkAborted(signal);
        if (next < groups.length) start(next++);
        addChunkStats(this.stats.store.chunk, out.done.stats);
        if (out.done.series.length) yield out.done.series;
      }
    } finally {
      endScope(scope);
      if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
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
    if (this.o.store) yield* new StoreSource(this.o.store, this.o.tenant, this.o.stats, false, undefined, this.o.signal).selectLogs(p, served);
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
      // Store samples need line hashes only to meet ingester replicas of themselves; replica chunks
      // within the store are de-duplicated per stream by (timestamp, line) as in one process. When
      // ingesters returned nothing (no recent data, or a range they were not asked for), counting
      // reads keep to the timestamp and size columns.
      // With nothing from ingesters to meet, store samples are final as read: the extractor with the
      // enclosing grouping pushed in may narrow what parsers extract, as in one process.
      const alone = replicated && parts.size === 0 && p.groupedExtractor !== undefined;
      const store = new StoreSource(this.o.store, this.o.tenant, this.o.stats, replicated && parts.size > 0, this.o.workers, this.o.signal);
      for await (const batch of store.selectSamples(alone ? { ...p, extractor: p.groupedExtractor! } : p, served)) {
        if (replicated && !alone) add(batch);
        else yield batch;
      }
    }
    if (parts.size) yield [...parts.values()].map(mergeAllSamples);
  }
}
