// Writes label-only index files: groups chunk refs by index period (a chunk spanning several periods is
// listed in each) and names files `index/<period>/<tenant>/<writer>-<seq>`. Never writes chunk data.
import type { ObjectStore } from './object-store.js';
import { encodeIndexFile, type IndexFile, type IndexSeries } from './index-format.js';
import { indexFileKey, periodsSpanned } from './object-keys.js';

export interface WrittenIndexFile {
  key: string;
  file: IndexFile;
}

/** One IndexFile per period the series' chunks touch, each listing only that period's chunks. Pure. */
export function splitByPeriod(tenant: string, series: readonly IndexSeries[], period: bigint): IndexFile[] {
  const files = new Map<bigint, Map<IndexSeries, IndexSeries>>();
  for (const s of series) {
    for (const chunk of s.chunks) {
      for (const p of periodsSpanned(chunk.from, chunk.through, period)) {
        let bySeries = files.get(p);
        if (!bySeries) files.set(p, (bySeries = new Map()));
        let out = bySeries.get(s);
        if (!out) bySeries.set(s, (out = { labels: s.labels, fingerprint: s.fingerprint, chunks: [] }));
        out.chunks.push(chunk);
      }
    }
  }
  return [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([p, bySeries]) => ({ tenant, period: p, series: [...bySeries.values()] }));
}

export class IndexWriter {
  private lastSeq = 0n;

  constructor(
    private readonly store: ObjectStore,
    readonly writerId: string,
    readonly period: bigint,
  ) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(writerId)) throw new TypeError(`invalid index writer id: ${JSON.stringify(writerId)}`);
  }

  /**
   * A sequence unique for this writer id across restarts: µs-scaled wall clock, bumped past the last
   * one issued, 16 digits so names sort by write time.
   */
  nextSeq(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.lastSeq = now > this.lastSeq ? now : this.lastSeq + 1n;
    return this.lastSeq.toString().padStart(16, '0');
  }

  async writeFile(file: IndexFile): Promise<WrittenIndexFile> {
    const key = indexFileKey(file.period, file.tenant, this.writerId, this.nextSeq());
    await this.store.put(key, encodeIndexFile(file));
    return { key, file };
  }

  /** Writes one file per period touched; returns them in period order. */
  async write(tenant: string, series: readonly IndexSeries[]): Promise<WrittenIndexFile[]> {
    const files = splitByPeriod(tenant, series, this.period);
    return Promise.all(files.map((f) => this.writeFile(f)));
  }
}
