// Reads one stream's chunks for a query: entries in time order across chunks, through the compiled
// pipeline or sample extractor, into result streams/series. Shared by the ingester (memory) and
// the querier (stored chunks); does no I/O.
import type { Entry, Labels, Nanos, Direction } from '../model/index.js';
import type { ChunkStats } from '../model/stats.js';
import { lineHash } from './line-hash.js';
import type { RangeAggregationExpr } from '../logql/ast.js';
import type {
  LabelsResult,
  SampleOutput,
  SelectLogsParams,
  SelectSamplesParams,
  SeriesSamples,
  StreamResult,
} from '../logql/contracts.js';

/** What the reader needs of a chunk; MemChunk and StoredChunk both provide it. */
export interface ReadableChunk {
  readonly minTs: Nanos;
  readonly maxTs: Nanos;
  iterate(from: Nanos, through: Nanos, direction: Direction): Iterable<Entry>;
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

function metadataBytes(md: Labels | undefined): number {
  if (!md) return 0;
  let n = 0;
  for (const l of md) n += utf8Length(l.name) + utf8Length(l.value);
  return n;
}

/** Entries of the chunks with from <= ts < through, ordered by `direction` across chunks. */
export function* chunkEntries(
  chunks: readonly ReadableChunk[],
  from: Nanos,
  through: Nanos,
  direction: Direction,
): Generator<Entry> {
  const overlapping = chunks.filter((c) => c.maxTs >= from && c.minTs < through);
  if (overlapping.length === 0) return;
  const sorted = [...overlapping].sort((a, b) => (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
  let disjoint = true;
  for (let i = 1; i < sorted.length; i++) if (sorted[i].minTs < sorted[i - 1].maxTs) disjoint = false;
  if (disjoint) {
    if (direction === 'forward') for (const c of sorted) yield* c.iterate(from, through, 'forward');
    else for (let i = sorted.length - 1; i >= 0; i--) yield* sorted[i].iterate(from, through, 'backward');
    return;
  }
  // Out-of-order writes made chunks overlap: merge them (stable: ties keep chunk order).
  const all: Entry[] = [];
  for (const c of sorted) for (const e of c.iterate(from, through, 'forward')) all.push(e);
  all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  if (direction === 'forward') yield* all;
  else for (let i = all.length - 1; i >= 0; i--) yield all[i];
}

/** Adds an entry's size to the stats of its side (memory or decompressed chunks). */
export function countEntry(stats: ChunkStats, head: boolean, e: Entry): void {
  const bytes = utf8Length(e.line);
  const md = metadataBytes(e.metadata);
  if (head) {
    stats.headChunkLines++;
    stats.headChunkBytes += bytes;
    stats.headChunkStructuredMetadataBytes += md;
  } else {
    stats.decompressedLines++;
    stats.decompressedBytes += bytes;
    stats.decompressedStructuredMetadataBytes += md;
  }
}

/**
 * Runs a log query over one stream: at most `limit` entries that pass the pipeline, grouped by
 * their post-pipeline labels, in the query direction.
 */
export function readStreamLogs(
  streamLabels: Labels,
  entries: Iterable<Entry>,
  params: SelectLogsParams,
  stats: ChunkStats,
  head: boolean,
): StreamResult[] {
  const pipeline = params.pipeline.forStream(streamLabels);
  const groups = new Map<string, StreamResult>();
  let taken = 0;
  for (const e of entries) {
    countEntry(stats, head, e);
    const out = pipeline.process(e.ts, e.line, e.metadata);
    if (!out) continue;
    stats.postFilterLines++;
    let g = groups.get(out.labels.key);
    if (!g) {
      g = { labels: out.labels, entries: [] };
      groups.set(out.labels.key, g);
    }
    g.entries.push(out.line === e.line ? e : { ts: e.ts, line: out.line, metadata: e.metadata });
    if (++taken >= params.limit) break;
  }
  return [...groups.values()];
}

/**
 * The per-entry value of a range aggregation that never looks at a line's content: 'count' (1 an
 * entry) or 'bytes' (the line's UTF-8 length); undefined when a stage or unwrap reads the line. Such
 * an aggregation's labels depend on the stream and the entry's structured metadata only.
 */
export function valueWithoutLine(expr: RangeAggregationExpr): 'count' | 'bytes' | undefined {
  if (expr.range.selector.stages.length > 0 || expr.range.unwrap !== undefined) return undefined;
  switch (expr.op) {
    case 'count_over_time':
    case 'rate':
    case 'absent_over_time':
      return 'count';
    case 'bytes_over_time':
    case 'bytes_rate':
      return 'bytes';
    default:
      return undefined;
  }
}

/**
 * Extracts samples of one stream (ascending time), grouped by their output labels; with
 * `hashLines` each sample also carries its line's hash (for replica de-duplication).
 */
export function readStreamSamples(
  streamLabels: Labels,
  entries: Iterable<Entry>,
  params: SelectSamplesParams,
  stats: ChunkStats,
  head: boolean,
  hashLines = false,
): SeriesSamples[] {
  const extractor = params.extractor.forStream(streamLabels);
  const groups = new Map<LabelsResult, SeriesSamples>();
  const lineFree = valueWithoutLine(params.expr);
  // Without a stage that reads lines, an entry's output depends on its metadata object alone.
  let lastMetadata: Labels | undefined | null = null;
  let lastOut: SampleOutput | undefined;
  let g: SeriesSamples | undefined;
  for (const e of entries) {
    countEntry(stats, head, e);
    let value: number;
    if (lineFree === undefined) {
      const out = extractor.process(e.ts, e.line, e.metadata);
      if (!out) continue;
      g = groupOf(groups, out.labels, hashLines);
      value = out.value;
    } else {
      if (e.metadata !== lastMetadata) {
        lastMetadata = e.metadata;
        lastOut = extractor.process(e.ts, e.line, e.metadata);
        g = lastOut ? groupOf(groups, lastOut.labels, hashLines) : undefined;
      }
      if (!g) continue;
      value = lineFree === 'count' ? 1 : utf8Length(e.line);
    }
    stats.postFilterLines++;
    g.ts.push(e.ts);
    g.values.push(value);
    g.hashes?.push(lineHash(e.line));
  }
  return mergeByKey([...groups.values()]);
}

function groupOf(groups: Map<LabelsResult, SeriesSamples>, labels: LabelsResult, hashLines: boolean): SeriesSamples {
  let g = groups.get(labels);
  if (!g) {
    g = hashLines ? { labels, ts: [], values: [], hashes: [] } : { labels, ts: [], values: [] };
    groups.set(labels, g);
  }
  return g;
}

/** Series from the same stream can map to equal label sets held in different objects; join them. */
function mergeByKey(series: SeriesSamples[]): SeriesSamples[] {
  if (series.length < 2) return series;
  const byKey = new Map<string, SeriesSamples>();
  for (const s of series) {
    const prev = byKey.get(s.labels.key);
    if (!prev) byKey.set(s.labels.key, s);
    else byKey.set(s.labels.key, mergeSamples(prev, s));
  }
  return [...byKey.values()];
}

/**
 * Merges two ascending sample series into one ascending series. When both carry line hashes, a
 * sample of `b` with the timestamp and hash of one already taken is a replica and is dropped.
 */
export function mergeSamples(a: SeriesSamples, b: SeriesSamples): SeriesSamples {
  const dedupe = a.hashes !== undefined && b.hashes !== undefined;
  const ts: Nanos[] = [];
  const values: number[] = [];
  const hashes: number[] | undefined = dedupe ? [] : undefined;
  let i = 0;
  let j = 0;
  let runStart = 0;
  const take = (t: Nanos, v: number, h: number | undefined): void => {
    if (ts.length === 0 || ts[ts.length - 1] !== t) runStart = ts.length;
    else if (hashes && h !== undefined) {
      for (let k = runStart; k < hashes.length; k++) if (hashes[k] === h) return;
    }
    ts.push(t);
    values.push(v);
    if (hashes) hashes.push(h!);
  };
  while (i < a.ts.length || j < b.ts.length) {
    if (j >= b.ts.length || (i < a.ts.length && a.ts[i] <= b.ts[j])) {
      take(a.ts[i], a.values[i], a.hashes?.[i]);
      i++;
    } else {
      take(b.ts[j], b.values[j], b.hashes?.[j]);
      j++;
    }
  }
  return hashes ? { labels: a.labels, ts, values, hashes } : { labels: a.labels, ts, values };
}
