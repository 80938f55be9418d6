// The querier: parses LogQL, applies query limits, evaluates over ingesters + store, and answers
// the label, series and index-stats APIs. Returns data and stats; HTTP encoding is done by routes.
import type { Limits } from '../config/limits.js';
import { isLogExpr, type Expr } from '../logql/ast.js';
import { evaluate, type EngineDeps, type QueryParams, type QueryResult } from '../logql/engine/index.js';
import { parseExpr, parseMatchers } from '../logql/syntax/index.js';
import { TimeoutError, ValidationError, type Labels, type Matcher, type Nanos } from '../model/index.js';
import { labelsString } from '../model/labels.js';
import { formatGoDuration, formatPromDuration, nowNanos } from '../model/time.js';
import { QueryStats } from '../model/stats.js';
import type { ChunkStore } from '../storage/index.js';
import type { InstantQueryRequest, RangeQueryRequest } from './params.js';
import { MergedSource, type IndexStats, type IngesterReader } from './sources.js';
import { SampleWorkerPool } from './sample-workers.js';
import type { LogSelectorExpr } from '../logql/ast.js';
import type { ResultStream } from '../logql/engine/index.js';
import { ingesterChunkExtents, type SeriesExtents } from './volume.js';

export interface QuerierOptions {
  store: ChunkStore | undefined;
  /** The ingesters to ask right now (one local ingester, or the healthy ones of the ring). */
  ingesters: () => readonly IngesterReader[];
  /** Ingesters hold replicas of each stream (distributed mode): drop replica duplicates. */
  replicated: boolean;
  /** Failed ingesters a read tolerates (default: none). */
  maxIngesterErrors?: () => number;
  /** Copies of each stream among the ingesters (to count index stats once). */
  replicationFactor?: number;
  queryIngestersWithin: bigint;
  queryStoreOnly: boolean;
  queryIngesterOnly: boolean;
  limits: (tenant: string) => Limits;
  engine: EngineDeps;
  /** Worker threads for store sample reads; default: one per core (when the worker is built), false: none. */
  sampleWorkers?: SampleWorkerPool | false;
}

export interface QueryOutcome {
  result: QueryResult;
  stats: QueryStats;
  execSeconds: number;
  entriesReturned: number;
}

/** Replicas report the same series with their own chunks; keep the copy holding the most bytes. */
function onePerSeries(lists: SeriesExtents[][]): SeriesExtents[] {
  const best = new Map<string, { extents: SeriesExtents; bytes: number }>();
  for (const list of lists) {
    for (const e of list) {
      const key = labelsString(e.labels);
      const bytes = e.chunks.reduce((n, c) => n + c.bytes, 0);
      const prev = best.get(key);
      if (!prev || bytes > prev.bytes) best.set(key, { extents: e, bytes });
    }
  }
  return [...best.values()].map((b) => b.extents);
}

/**
 * The caller's signal, also aborted with Loki's 504 TimeoutError once `timeout` ns have passed (the
 * tenant's query_timeout; 0 = none). clear() stops the timer.
 */
function withTimeout(signal: AbortSignal | undefined, timeout: bigint): { signal: AbortSignal | undefined; clear(): void } {
  if (timeout <= 0n) return { signal, clear: () => {} };
  const timer = new AbortController();
  const t = setTimeout(() => timer.abort(new TimeoutError()), Number(timeout / 1_000_000n));
  return { signal: signal === undefined ? timer.signal : AbortSignal.any([signal, timer.signal]), clear: () => clearTimeout(t) };
}

export class Querier {
  private readonly workers: SampleWorkerPool | undefined;

  constructor(private readonly o: QuerierOptions) {
    this.workers = o.sampleWorkers === undefined ? SampleWorkerPool.create() : o.sampleWorkers || undefined;
  }

  /**
   * Starts the worker threads now, so the first queries do not share the cores with threads starting
   * and loading their code (the server calls it once it is up).
   */
  warm(): void {
    this.workers?.warm();
  }

  /** Terminates the worker threads. */
  close(): Promise<void> {
    return this.workers?.close() ?? Promise.resolve();
  }

  private source(tenant: string, stats: QueryStats, now: Nanos, signal?: AbortSignal): MergedSource {
    return new MergedSource({
      tenant,
      ingesters: this.o.queryStoreOnly ? [] : this.o.ingesters(),
      replicated: this.o.replicated,
      maxIngesterErrors: this.o.maxIngesterErrors?.() ?? 0,
      store: this.o.queryIngesterOnly ? undefined : this.o.store,
      queryIngestersWithin: this.o.queryIngestersWithin,
      now,
      stats,
      workers: this.workers,
      signal,
    });
  }

  private checkLimits(tenant: string, expr: Expr, start: Nanos, end: Nanos, limit: number): Limits {
    const limits = this.o.limits(tenant);
    if (isLogExpr(expr) && limit > limits.max_entries_limit_per_query && limits.max_entries_limit_per_query > 0)
      throw new ValidationError(
        `max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${limits.max_entries_limit_per_query})`,
      );
    if (limits.max_query_length > 0n && end - start > limits.max_query_length)
      throw new ValidationError(
        `the query time range exceeds the limit (query length: ${formatGoDuration(end - start)}, limit: ${formatPromDuration(limits.max_query_length)})`,
      );
    return limits;
  }

  async rangeQuery(tenant: string, req: RangeQueryRequest, categorize: boolean, signal?: AbortSignal): Promise<QueryOutcome> {
    const { query, start, end, step, interval, direction, limit } = req;
    return this.evaluateQuery(tenant, query, { start, end, step, interval, direction, limit, instant: false, categorizeLabels: categorize }, signal);
  }

  async instantQuery(tenant: string, req: InstantQueryRequest, categorize: boolean, signal?: AbortSignal): Promise<QueryOutcome> {
    const { query, ts, direction, limit } = req;
    return this.evaluateQuery(
      tenant,
      query,
      { start: ts, end: ts, step: 0n, interval: 0n, direction, limit, instant: true, categorizeLabels: categorize },
      signal,
    );
  }

  private async evaluateQuery(tenant: string, query: string, params: Omit<QueryParams, 'expr'>, signal?: AbortSignal): Promise<QueryOutcome> {
    const expr = parseExpr(query);
    const limits = this.checkLimits(tenant, expr, params.start, params.end, params.limit);
    const engineLimits = { maxQuerySeries: limits.max_query_series, splitQueriesByInterval: limits.split_queries_by_interval };
    const deadline = withTimeout(signal, limits.query_timeout);
    try {
      return await this.run(tenant, (source) => evaluate({ ...params, expr }, source, this.o.engine, engineLimits, deadline.signal), deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  private async run(tenant: string, fn: (source: MergedSource) => Promise<QueryResult>, signal?: AbortSignal): Promise<QueryOutcome> {
    const started = process.hrtime.bigint();
    // Without the server's warm() the first query starts the workers, so a later one does not wait for threads.
    this.workers?.warm();
    const stats = new QueryStats();
    const result = await fn(this.source(tenant, stats, nowNanos(), signal));
    const execSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const entriesReturned =
      result.type === 'streams'
        ? result.streams.reduce((n, s) => n + s.entries.length, 0)
        : result.type === 'matrix'
          ? result.series.length
          : result.type === 'vector'
            ? result.samples.length
            : 1;
    return { result, stats, execSeconds, entriesReturned };
  }

  /** Runs `fn` on every ingester in parallel; tolerates as many failures as replicas cover. */
  private async fromIngesters<T>(fn: (ing: IngesterReader) => Promise<T>): Promise<T[]> {
    if (this.o.queryStoreOnly) return [];
    const settled = await Promise.allSettled(this.o.ingesters().map(fn));
    const out: T[] = [];
    let errors = 0;
    for (const r of settled) {
      if (r.status === 'fulfilled') out.push(r.value);
      else if (++errors > (this.o.maxIngesterErrors?.() ?? 0)) throw r.reason;
    }
    return out;
  }

  private parseOptionalMatchers(query: string | null): Matcher[] | undefined {
    if (!query) return undefined;
    const ms = parseMatchers(query);
    return ms.length ? ms : undefined;
  }

  async labelNames(tenant: string, start: Nanos, end: Nanos, query: string | null): Promise<string[]> {
    const matchers = this.parseOptionalMatchers(query);
    const names = new Set<string>();
    for (const list of await this.fromIngesters((ing) => ing.labelNames(tenant, start, end, matchers))) for (const n of list) names.add(n);
    if (this.o.store && !this.o.queryIngesterOnly)
      for (const n of await this.o.store.labelNames(tenant, start, end, matchers)) names.add(n);
    return [...names].sort();
  }

  async labelValues(tenant: string, name: string, start: Nanos, end: Nanos, query: string | null): Promise<string[]> {
    const matchers = this.parseOptionalMatchers(query);
    const values = new Set<string>();
    for (const list of await this.fromIngesters((ing) => ing.labelValues(tenant, name, start, end, matchers))) for (const v of list) values.add(v);
    if (this.o.store && !this.o.queryIngesterOnly)
      for (const v of await this.o.store.labelValues(tenant, name, start, end, matchers)) values.add(v);
    return [...values].sort();
  }

  /** Series matching any of the matcher groups (a lone `{}` means all series). */
  async series(tenant: string, groups: readonly string[], start: Nanos, end: Nanos): Promise<Labels[]> {
    if (groups.length === 0) throw new ValidationError('0 matcher groups supplied');
    const parsed = groups.map((g) => parseMatchers(g));
    const out = new Map<string, Labels>();
    for (const matchers of parsed) {
      const ms = matchers.length ? matchers : undefined;
      for (const list of await this.fromIngesters((ing) => ing.series(tenant, ms, start, end))) for (const ls of list) out.set(labelsString(ls), ls);
      if (this.o.store && !this.o.queryIngesterOnly) {
        for (const s of await this.o.store.series(tenant, ms ?? [], start, end)) out.set(labelsString(s.labels), s.labels);
      }
    }
    return [...out.keys()].sort().map((k) => out.get(k)!);
  }

  async indexStats(tenant: string, query: string, start: Nanos, end: Nanos): Promise<IndexStats> {
    const matchers = parseMatchers(query);
    const total: IndexStats = { streams: 0, chunks: 0, bytes: 0, entries: 0 };
    const add = (s: IndexStats): void => {
      total.streams += s.streams;
      total.chunks += s.chunks;
      total.bytes += s.bytes;
      total.entries += s.entries;
    };
    const fromIngesters: IndexStats = { streams: 0, chunks: 0, bytes: 0, entries: 0 };
    for (const s of await this.fromIngesters((ing) => ing.stats(tenant, matchers, start, end))) {
      fromIngesters.streams += s.streams;
      fromIngesters.chunks += s.chunks;
      fromIngesters.bytes += s.bytes;
      fromIngesters.entries += s.entries;
    }
    // Each stream lives on `replicationFactor` ingesters; count it once.
    const rf = Math.max(1, this.o.replicationFactor ?? 1);
    add({
      streams: Math.round(fromIngesters.streams / rf),
      chunks: Math.round(fromIngesters.chunks / rf),
      bytes: Math.round(fromIngesters.bytes / rf),
      entries: Math.round(fromIngesters.entries / rf),
    });
    if (this.o.store && !this.o.queryIngesterOnly) add(await this.o.store.stats(tenant, matchers, start, end));
    return total;
  }

  /**
   * Chunk extents (time range, uncompressed bytes) of the series matching `matchers` with data in
   * [from, through]: unflushed chunks from ingesters, flushed ones from the store (index volume).
   */
  async chunkExtents(tenant: string, matchers: Matcher[], from: Nanos, through: Nanos): Promise<SeriesExtents[]> {
    const out: SeriesExtents[] = [];
    const within = this.o.queryIngestersWithin;
    if (!this.o.queryStoreOnly && (within <= 0n || through > nowNanos() - within)) {
      const pipeline = this.o.engine.buildPipeline([]);
      const lists = await this.fromIngesters((ing) => ingesterChunkExtents(ing, tenant, matchers, from, through, pipeline));
      out.push(...(this.o.replicated ? onePerSeries(lists) : lists.flat()));
    }
    if (this.o.store && !this.o.queryIngesterOnly) {
      for (const s of await this.o.store.series(tenant, matchers, from, through + 1n))
        out.push({ labels: s.labels, chunks: s.chunks.map((c) => ({ from: c.from, through: c.through, bytes: c.uncompressedBytes })) });
    }
    return out;
  }

  /** The `limit` newest entries of a log query, categorized, without the per-query entries limit (pattern detection). */
  async readLogs(tenant: string, expr: LogSelectorExpr, start: Nanos, end: Nanos, limit: number): Promise<ResultStream[]> {
    const limits = this.o.limits(tenant);
    const params = { expr, start, end, step: 0n, interval: 0n, direction: 'backward' as const, limit, instant: false, categorizeLabels: true };
    const out = await this.run(tenant, (source) => evaluate(params, source, this.o.engine, { maxQuerySeries: limits.max_query_series }));
    return out.result.type === 'streams' ? out.result.streams : [];
  }
}
