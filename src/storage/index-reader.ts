// Reads the label-only index: lists each (tenant, period)'s index files, caches the parsed files
// (immutable) and answers which series have chunks in a time range. Never reads chunk data.
import { CorruptDataError } from '../model/errors.js';
import { matchesLabels, type CompiledMatcher } from '../model/matchers.js';
import { mapBounded } from './bounded-map.js';
import { decodeIndexFile, type IndexFile } from './index-format.js';
import { indexFolder, parseIndexFileKey, periodsOverlapping } from './object-keys.js';
import { ObjectNotFoundError, type ObjectStore } from './object-store.js';
import { SeriesTable } from './series-table.js';
import type { StorageLogger } from './storage-logger.js';

export interface IndexReaderOptions {
  period: bigint;
  /** Re-list a period's files at most this often (ms); 0 lists on every query. */
  refreshMs: number;
  logger: StorageLogger;
}

const LOAD_CONCURRENCY = 8;
/** Listings retried when files vanished between list and get (compaction replaced them). */
const MAX_LIST_ATTEMPTS = 5;

/** The cached state of one (tenant, period) folder. */
class PeriodIndex {
  /** Parsed files by key; null marks a corrupt file that is skipped. */
  readonly files = new Map<string, IndexFile | null>();
  /** Files this instance wrote, with the generation at which it added them. */
  readonly localSince = new Map<string, number>();
  listedAt = -Infinity;
  refreshing: Promise<void> | undefined;
  private table: SeriesTable | undefined;

  /** All series of the period's readable files, merged (built lazily, extended on additions). */
  merged(): SeriesTable {
    if (!this.table) {
      this.table = new SeriesTable();
      for (const f of this.files.values()) if (f) this.table.addAll(f.series);
    }
    return this.table;
  }

  add(key: string, file: IndexFile | null): void {
    this.files.set(key, file);
    if (file) this.table?.addAll(file.series);
  }

  remove(key: string): void {
    if (!this.files.delete(key)) return;
    this.localSince.delete(key);
    this.table = undefined;
  }
}

export class IndexReader {
  private readonly periods = new Map<string, PeriodIndex>();
  private generation = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: IndexReaderOptions,
  ) {}

  private periodIndex(tenant: string, period: bigint): PeriodIndex {
    const id = `${tenant}/${period}`;
    let pi = this.periods.get(id);
    if (!pi) this.periods.set(id, (pi = new PeriodIndex()));
    return pi;
  }

  /** Makes a file this instance just wrote visible at once, without waiting for a listing. */
  addLocalFile(key: string, file: IndexFile): void {
    const pi = this.periodIndex(file.tenant, file.period);
    pi.add(key, file);
    pi.localSince.set(key, ++this.generation);
  }

  /** Drops files this instance deleted (after compacting them into a file it added). */
  forgetFiles(tenant: string, period: bigint, keys: readonly string[]): void {
    const pi = this.periodIndex(tenant, period);
    for (const k of keys) pi.remove(k);
  }

  /** A parsed file already cached, if any (null when known corrupt). */
  cachedFile(tenant: string, period: bigint, key: string): IndexFile | null | undefined {
    return this.periods.get(`${tenant}/${period}`)?.files.get(key);
  }

  /**
   * Series matching all matchers with at least one chunk overlapping [start, end); each carries only
   * those chunks, de-duplicated across files and periods.
   */
  async select(tenant: string, matchers: readonly CompiledMatcher[], start: bigint, end: bigint): Promise<SeriesTable> {
    const periods = periodsOverlapping(start < 0n ? 0n : start, end, this.opts.period);
    const indexes = await Promise.all(periods.map((p) => this.fresh(tenant, p)));
    const out = new SeriesTable();
    for (const pi of indexes) {
      for (const s of pi.merged().series.values()) {
        if (s.maxThrough < start || s.minFrom >= end) continue;
        if (!matchesLabels(matchers, s.labels)) continue;
        const inRange = [];
        for (const c of s.chunks.values()) if (c.from < end && c.through >= start) inRange.push(c);
        if (inRange.length > 0) out.addSeries(s.labels, s.fingerprint, inRange);
      }
    }
    return out;
  }

  private async fresh(tenant: string, period: bigint): Promise<PeriodIndex> {
    const pi = this.periodIndex(tenant, period);
    if (!pi.refreshing && Date.now() - pi.listedAt >= this.opts.refreshMs) {
      pi.refreshing = this.refresh(tenant, period, pi).finally(() => {
        pi.refreshing = undefined;
      });
    }
    if (pi.refreshing) await pi.refreshing;
    return pi;
  }

  private async refresh(tenant: string, period: bigint, pi: PeriodIndex): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const startedAt = Date.now();
      const startedGeneration = this.generation;
      const keys = await this.store.list(indexFolder(period, tenant));
      const listed = new Set(keys);
      const toLoad = keys.filter((k) => !pi.files.has(k));
      const loaded = await mapBounded(toLoad, LOAD_CONCURRENCY, (key) => this.load(key));
      let vanished = false;
      for (let i = 0; i < toLoad.length; i++) {
        const file = loaded[i];
        if (file === undefined) vanished = true;
        else pi.add(toLoad[i], file);
      }
      for (const key of [...pi.files.keys()]) {
        if (listed.has(key)) pi.localSince.delete(key);
        else if ((pi.localSince.get(key) ?? 0) <= startedGeneration) pi.remove(key);
      }
      if (!vanished || attempt >= MAX_LIST_ATTEMPTS) {
        pi.listedAt = startedAt;
        return;
      }
    }
  }

  /** The parsed file; null when corrupt (reported), undefined when it disappeared after listing. */
  private async load(key: string): Promise<IndexFile | null | undefined> {
    let data: Uint8Array;
    try {
      data = await this.store.get(key);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
    try {
      return decodeIndexFileAt(key, data);
    } catch (err) {
      if (!(err instanceof CorruptDataError)) throw err;
      this.opts.logger.warn({ key, err: err.message }, 'skipping corrupt index file');
      return null;
    }
  }
}

/** Decodes a file and checks it belongs where it is stored, so no file can leak into another tenant. */
export function decodeIndexFileAt(key: string, data: Uint8Array): IndexFile {
  const file = decodeIndexFile(key, data);
  const place = parseIndexFileKey(key);
  if (!place || place.tenant !== file.tenant || place.period !== file.period)
    throw new CorruptDataError(`corrupt index file ${key}: holds tenant ${JSON.stringify(file.tenant)} period ${file.period}`);
  return file;
}
