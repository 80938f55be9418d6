// Compacts the index: for each (period, tenant) with several index files, writes one merged file and
// then deletes the files it merged. Safe while readers and writers run: the merged file exists before
// any source disappears, and files written meanwhile are left alone. Never touches chunk objects.
import { CorruptDataError } from '../model/errors.js';
import { mapBounded } from './bounded-map.js';
import type { IndexFile } from './index-format.js';
import { decodeIndexFileAt, type IndexReader } from './index-reader.js';
import type { IndexWriter } from './index-writer.js';
import { INDEX_PREFIX, parseIndexFileKey } from './object-keys.js';
import { ObjectNotFoundError, type ObjectStore } from './object-store.js';
import { SeriesTable } from './series-table.js';
import type { StorageLogger } from './storage-logger.js';

const LOAD_CONCURRENCY = 8;

export interface CompactionResult {
  /** Merged files written. */
  written: string[];
  /** Source files deleted after merging. */
  deleted: string[];
  /** Corrupt files left in place. */
  corrupt: string[];
}

/** Groups every index file key by `<period>/<tenant>`. */
function groupByFolder(keys: readonly string[]): Map<string, { tenant: string; period: bigint; keys: string[] }> {
  const groups = new Map<string, { tenant: string; period: bigint; keys: string[] }>();
  for (const key of keys) {
    const place = parseIndexFileKey(key);
    if (!place) continue;
    const id = `${place.period}/${place.tenant}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { ...place, keys: [] }));
    g.keys.push(key);
  }
  return groups;
}

export class IndexCompactor {
  constructor(
    private readonly store: ObjectStore,
    private readonly writer: IndexWriter,
    private readonly reader: IndexReader,
    private readonly logger: StorageLogger,
  ) {}

  async compact(): Promise<CompactionResult> {
    const result: CompactionResult = { written: [], deleted: [], corrupt: [] };
    const groups = groupByFolder(await this.store.list(INDEX_PREFIX));
    for (const g of groups.values()) if (g.keys.length > 1) await this.compactFolder(g.tenant, g.period, g.keys, result);
    return result;
  }

  private async compactFolder(tenant: string, period: bigint, keys: string[], result: CompactionResult): Promise<void> {
    const files = await mapBounded(keys, LOAD_CONCURRENCY, (key) => this.load(tenant, period, key));
    const merged: string[] = [];
    const table = new SeriesTable();
    for (let i = 0; i < keys.length; i++) {
      const file = files[i];
      if (file === null) result.corrupt.push(keys[i]);
      if (!file) continue;
      table.addAll(file.series);
      merged.push(keys[i]);
    }
    if (merged.length < 2) return;
    const out: IndexFile = { tenant, period, series: table.toIndexSeries() };
    const written = await this.writer.writeFile(out);
    this.reader.addLocalFile(written.key, out);
    result.written.push(written.key);
    this.reader.forgetFiles(tenant, period, merged);
    await mapBounded(merged, LOAD_CONCURRENCY, (key) => this.store.delete(key));
    result.deleted.push(...merged);
  }

  /** The parsed file; null when corrupt (reported), undefined when another compactor removed it. */
  private async load(tenant: string, period: bigint, key: string): Promise<IndexFile | null | undefined> {
    const cached = this.reader.cachedFile(tenant, period, key);
    if (cached !== undefined) return cached;
    try {
      return decodeIndexFileAt(key, await this.store.get(key));
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      if (!(err instanceof CorruptDataError)) throw err;
      this.logger.warn({ key, err: err.message }, 'compactor skipping corrupt index file');
      return null;
    }
  }
}
