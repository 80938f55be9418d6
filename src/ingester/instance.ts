// A tenant's streams inside an ingester: the stream map, the in-memory label index, and the read
// side (logs, samples, labels, series, stats) over chunks held in memory.
import { readChunkLogs, readChunkSamples } from '../iter/chunk-reader.js';
import type { SelectLogsParams, SelectSamplesParams, SeriesSamples, StreamResult } from '../logql/contracts.js';
import { compileMatchers, matchesLabels, type Labels, type Matcher, type Nanos } from '../model/index.js';
import type { ChunkStats } from '../model/stats.js';
import type { ChunkDesc, IngesterStream } from './stream.js';

/** What a read of memory reports besides results: flushed chunks it covered (the store skips them). */
export interface MemoryReadInfo {
  servedChunkKeys: Set<string>;
  chunksMatched: number;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class TenantInstance {
  readonly streams = new Map<string, IngesterStream>();
  /** name → value → streams, for equality lookups. */
  private readonly index = new Map<string, Map<string, Set<IngesterStream>>>();

  constructor(readonly tenant: string) {}

  get(labelsString: string): IngesterStream | undefined {
    return this.streams.get(labelsString);
  }

  add(stream: IngesterStream): void {
    this.streams.set(stream.labelsString, stream);
    for (const l of stream.labels) {
      let values = this.index.get(l.name);
      if (!values) this.index.set(l.name, (values = new Map()));
      let set = values.get(l.value);
      if (!set) values.set(l.value, (set = new Set()));
      set.add(stream);
    }
  }

  remove(stream: IngesterStream): void {
    this.streams.delete(stream.labelsString);
    for (const l of stream.labels) {
      const values = this.index.get(l.name);
      const set = values?.get(l.value);
      set?.delete(stream);
      if (set && set.size === 0) values!.delete(l.value);
      if (values && values.size === 0) this.index.delete(l.name);
    }
  }

  /** Streams matching all matchers (an equality matcher narrows the scan through the index). */
  lookup(matchers: readonly Matcher[]): IngesterStream[] {
    let candidates: Iterable<IngesterStream> = this.streams.values();
    let best: Set<IngesterStream> | undefined;
    for (const m of matchers) {
      if (m.op !== '=' || m.value === '') continue;
      const set = this.index.get(m.name)?.get(m.value);
      if (!set) return [];
      if (!best || set.size < best.size) best = set;
    }
    if (best) candidates = best;
    const compiled = compileMatchers(matchers);
    const out: IngesterStream[] = [];
    for (const s of candidates) if (matchesLabels(compiled, s.labels)) out.push(s);
    return out;
  }

  private chunksIn(stream: IngesterStream, start: Nanos, end: Nanos, info: MemoryReadInfo): ChunkDesc[] {
    const out: ChunkDesc[] = [];
    for (const c of stream.chunks) {
      if (c.chunk.entries === 0 || c.chunk.maxTs < start || c.chunk.minTs >= end) continue;
      out.push(c);
      if (c.storeKey) info.servedChunkKeys.add(c.storeKey);
    }
    info.chunksMatched += out.length;
    return out;
  }

  async *selectLogs(params: SelectLogsParams, stats: ChunkStats, info: MemoryReadInfo): AsyncGenerator<StreamResult[]> {
    let work = 0;
    for (const stream of this.lookup(params.matchers)) {
      const chunks = this.chunksIn(stream, params.start, params.end, info).map((c) => c.chunk);
      if (!chunks.length) continue;
      const res = readChunkLogs(stream.labels, chunks, params, stats, { head: true, dropDuplicates: false });
      if (res.length) yield res;
      if (++work % 64 === 0) await yieldToLoop();
    }
  }

  /** With `hashLines` every sample carries its line's hash (replica de-duplication). */
  async *selectSamples(params: SelectSamplesParams, stats: ChunkStats, info: MemoryReadInfo, hashLines = false): AsyncGenerator<SeriesSamples[]> {
    let work = 0;
    for (const stream of this.lookup(params.matchers)) {
      const chunks = this.chunksIn(stream, params.start, params.end, info).map((c) => c.chunk);
      if (!chunks.length) continue;
      const res = readChunkSamples(stream.labels, chunks, params, stats, { head: true, dropDuplicates: false, hashLines, byMetadata: true });
      if (res.length) yield res;
      if (++work % 16 === 0) await yieldToLoop();
    }
  }

  /** Streams with data in [start, end) matching the matchers (all streams when none are given). */
  seriesIn(matchers: readonly Matcher[] | undefined, start: Nanos, end: Nanos): IngesterStream[] {
    const streams = matchers && matchers.length ? this.lookup(matchers) : [...this.streams.values()];
    return streams.filter((s) => s.chunks.some((c) => c.chunk.entries > 0 && c.chunk.maxTs >= start && c.chunk.minTs < end));
  }

  labelNames(start: Nanos, end: Nanos, matchers?: readonly Matcher[]): string[] {
    const names = new Set<string>();
    for (const s of this.seriesIn(matchers, start, end)) for (const l of s.labels) names.add(l.name);
    return [...names];
  }

  labelValues(name: string, start: Nanos, end: Nanos, matchers?: readonly Matcher[]): string[] {
    const values = new Set<string>();
    for (const s of this.seriesIn(matchers, start, end)) for (const l of s.labels) if (l.name === name) values.add(l.value);
    return [...values];
  }

  series(matchers: readonly Matcher[] | undefined, start: Nanos, end: Nanos): Labels[] {
    return this.seriesIn(matchers, start, end).map((s) => s.labels);
  }
}
