// The read side of a local ingester in the shape queriers consume (the same shape the gRPC
// client of a remote ingester has): logs, samples, labels, series and stats over memory.
import type { SelectLogsParams, SelectSamplesParams, SeriesSamples, StreamResult } from '../logql/contracts.js';
import type { Labels, Matcher, Nanos } from '../model/index.js';
import type { QueryStats } from '../model/stats.js';
import type { Ingester } from './ingester.js';

export class LocalIngesterReader {
  constructor(private readonly ingester: Ingester) {}

  async *selectLogs(tenant: string, params: SelectLogsParams, stats: QueryStats, served: Set<string>): AsyncGenerator<StreamResult[]> {
    const inst = this.ingester.instance(tenant);
    stats.ingester.totalReached++;
    if (!inst) return;
    const info = { servedChunkKeys: served, chunksMatched: 0 };
    for await (const batch of inst.selectLogs(params, stats.ingester.store.chunk, info)) {
      stats.ingester.totalBatches++;
      for (const s of batch) stats.ingester.totalLinesSent += s.entries.length;
      yield batch;
    }
    stats.ingester.totalChunksMatched += info.chunksMatched;
  }

  /** With `hashLines` every sample carries its line's hash (for queriers that drop replicas). */
  async *selectSamples(
    tenant: string,
    params: SelectSamplesParams,
    stats: QueryStats,
    served: Set<string>,
    hashLines = false,
  ): AsyncGenerator<SeriesSamples[]> {
    const inst = this.ingester.instance(tenant);
    stats.ingester.totalReached++;
    if (!inst) return;
    const info = { servedChunkKeys: served, chunksMatched: 0 };
    for await (const batch of inst.selectSamples(params, stats.ingester.store.chunk, info, hashLines)) {
      stats.ingester.totalBatches++;
      for (const s of batch) stats.ingester.totalLinesSent += s.offsets.length;
      yield batch;
    }
    stats.ingester.totalChunksMatched += info.chunksMatched;
  }

  async labelNames(tenant: string, start: Nanos, end: Nanos, matchers?: Matcher[]): Promise<string[]> {
    return this.ingester.instance(tenant)?.labelNames(start, end, matchers) ?? [];
  }

  async labelValues(tenant: string, name: string, start: Nanos, end: Nanos, matchers?: Matcher[]): Promise<string[]> {
    return this.ingester.instance(tenant)?.labelValues(name, start, end, matchers) ?? [];
  }

  async series(tenant: string, matchers: Matcher[] | undefined, start: Nanos, end: Nanos): Promise<Labels[]> {
    return this.ingester.instance(tenant)?.series(matchers, start, end) ?? [];
  }

  /** Streams, unflushed chunks, bytes and entries in memory for the matchers and range. */
  async stats(tenant: string, matchers: Matcher[], start: Nanos, end: Nanos): Promise<{ streams: number; chunks: number; bytes: number; entries: number }> {
    const out = { streams: 0, chunks: 0, bytes: 0, entries: 0 };
    const inst = this.ingester.instance(tenant);
    if (!inst) return out;
    for (const s of inst.seriesIn(matchers, start, end)) {
      let counted = false;
      for (const c of s.chunks) {
        if (c.flushedMs || c.chunk.entries === 0 || c.chunk.maxTs < start || c.chunk.minTs >= end) continue;
        counted = true;
        out.chunks++;
        out.bytes += c.chunk.uncompressedBytes;
        out.entries += c.chunk.entries;
      }
      if (counted) out.streams++;
    }
    return out;
  }

  /** Unflushed chunks of the matching series overlapping [from, through]: time range and uncompressed bytes (index volume). */
  async chunkExtents(
    tenant: string,
    matchers: Matcher[],
    from: Nanos,
    through: Nanos,
  ): Promise<{ labels: Labels; chunks: { from: Nanos; through: Nanos; bytes: number }[] }[]> {
    const inst = this.ingester.instance(tenant);
    if (!inst) return [];
    const out: { labels: Labels; chunks: { from: Nanos; through: Nanos; bytes: number }[] }[] = [];
    for (const s of inst.seriesIn(matchers.length ? matchers : undefined, from, through + 1n)) {
      const chunks = s.chunks
        .filter((c) => !c.flushedMs && c.chunk.entries > 0 && c.chunk.maxTs >= from && c.chunk.minTs <= through)
        .map((c) => ({ from: c.chunk.minTs, through: c.chunk.maxTs, bytes: c.chunk.uncompressedBytes }));
      if (chunks.length) out.push({ labels: s.labels, chunks });
    }
    return out;
  }
}
