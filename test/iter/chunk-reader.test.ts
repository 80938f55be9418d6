// Reading a stream's chunks into samples: metadata-only extraction for count and bytes aggregations
// gives exactly what the per-entry extractor gives, and stats count every entry read.
import { describe, expect, it } from 'vitest';
import { MemChunk, StoredChunk } from '../../src/chunks/index.js';
import { assembleBlock, compressLayoutSection, encodeChunk, layoutBlock, type HeadColumns } from '../../src/chunks/format.js';
import {
  chunkEntries,
  readChunkLogs,
  readChunkSamples,
  readStreamLogs,
  readStreamSamples,
  valueWithoutLine,
  type ReadableChunk,
} from '../../src/iter/chunk-reader.js';
import type { Grouping, LogSelectorExpr, RangeAggregationExpr } from '../../src/logql/ast.js';
import type { SeriesSamples } from '../../src/logql/contracts.js';
import { buildPipeline, buildSampleExtractor } from '../../src/logql/log/index.js';
import { parseExpr } from '../../src/logql/syntax/index.js';
import type { Entry, Labels } from '../../src/model/index.js';
import { emptyChunkStats, skippedBlockTotals, type ChunkStats } from '../../src/model/stats.js';

const T0 = 1_700_000_000_000_000_000n;
const STREAM: Labels = [
  { name: 'app', value: 'api' },
  { name: 'level', value: 'info' },
];
const WARN: Labels = [{ name: 'detected_level', value: 'warn' }];
const INFO: Labels = [{ name: 'detected_level', value: 'info' }];

function entries(): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < 40; i++) {
    const metadata = i % 4 === 0 ? undefined : i % 4 === 1 ? WARN : [{ name: 'detected_level', value: i % 3 === 0 ? 'warn' : 'info' }];
    out.push({ ts: T0 + BigInt(i) * 1_000_000n, line: i % 5 === 0 ? `ünïcødé line ${i}` : `line ${i} error=${i % 2}`, metadata });
  }
  return out;
}

/**
 * A one-block stored chunk holding `list` as given (sorted by timestamp), repeats included: head
 * blocks drop a line repeated at its timestamp, but chunks written before they did may hold some.
 */
function chunkAsGiven(list: readonly Entry[]): StoredChunk {
  const lines = list.map((e) => Buffer.from(e.line, 'utf8'));
  const columns: HeadColumns = {
    entries: list.length,
    lineBytesTotal: lines.reduce((n, l) => n + l.length, 0),
    metadataEntries: list.filter((e) => e.metadata !== undefined && e.metadata.length > 0).length,
    sortedTimestamps: () => BigInt64Array.from(list.map((e) => e.ts)),
    lineLength: (i) => lines[i].length,
    linesSection: () => Buffer.concat(lines),
    metadataAt: (i) => list[i].metadata,
  };
  const layout = layoutBlock(columns);
  const block = assembleBlock(layout, [0, 1, 2, 3].map((k) => compressLayoutSection(layout, k, 'gzip')));
  let rawBytes = 0;
  for (const [i, e] of list.entries()) rawBytes += lines[i].length + (e.metadata ?? []).reduce((n, l) => n + l.name.length + l.value.length, 0);
  const meta = {
    minTs: list[0].ts,
    maxTs: list[list.length - 1].ts,
    entries: list.length,
    offset: 0,
    length: block.bytes.length,
    uncompressedLength: block.uncompressedLength,
    rawBytes,
    crc32: block.crc32,
    columnsCrc32: block.columnsCrc32,
  };
  return StoredChunk.decode(encodeChunk('gzip', [{ meta, bytes: block.bytes }]));
}

function storedChunk(list: readonly Entry[], blockSize = 300): StoredChunk {
  const c = new MemChunk({ blockSize, targetSize: 0, codec: 'gzip' });
  for (const e of list) c.append(e.ts, e.line, e.metadata);
  return StoredChunk.decode(c.encode());
}

/** The timestamps of columnar samples. */
const timestampsOf = (s: SeriesSamples): bigint[] => Array.from(s.offsets, (o) => s.baseTs + BigInt(o));

/** An enclosing `sum by (detected_level)`, pushed into the extractor as the engine does. */
const BY_LEVEL: Grouping = { labels: ['detected_level'], without: false };

function samplesOf(query: string, list: readonly Entry[], outer?: Grouping) {
  const expr = parseExpr(query) as RangeAggregationExpr;
  const stats = emptyChunkStats();
  const params = { expr, matchers: [], extractor: buildSampleExtractor(expr, outer), start: T0, end: T0 + 10n ** 12n };
  const series = readStreamSamples(STREAM, chunkEntries([storedChunk(list)], params.start, params.end, 'forward'), params, stats, false);
  return { series: series.map((s) => ({ labels: s.labels.key, ts: timestampsOf(s), values: [...s.values] })), stats };
}

/** What the extractor says entry by entry, grouped by output labels. */
function expected(query: string, list: readonly Entry[], outer?: Grouping) {
  const expr = parseExpr(query) as RangeAggregationExpr;
  const extractor = buildSampleExtractor(expr, outer).forStream(STREAM);
  const byKey = new Map<string, { labels: string; ts: bigint[]; values: number[] }>();
  for (const e of list) {
    const out = extractor.process(e.ts, e.line, e.metadata);
    if (!out) continue;
    let s = byKey.get(out.labels.key);
    if (!s) byKey.set(out.labels.key, (s = { labels: out.labels.key, ts: [], values: [] }));
    s.ts.push(e.ts);
    s.values.push(out.value);
  }
  return [...byKey.values()];
}

const byLabels = <T extends { labels: string }>(xs: T[]): T[] => [...xs].sort((a, b) => (a.labels < b.labels ? -1 : 1));

describe('readStreamSamples', () => {
  it('tells which aggregations never read a line', () => {
    const op = (q: string) => valueWithoutLine(parseExpr(q) as RangeAggregationExpr);
    expect(op('count_over_time({a="b"}[1m])')).toBe('count');
    expect(op('rate({a="b"}[1m])')).toBe('count');
    expect(op('absent_over_time({a="b"}[1m])')).toBe('count');
    expect(op('bytes_over_time({a="b"}[1m])')).toBe('bytes');
    expect(op('bytes_rate({a="b"}[1m])')).toBe('bytes');
    expect(op('count_over_time({a="b"} |= "x" [1m])')).toBeUndefined();
    expect(op('count_over_time({a="b"} | detected_level="warn" [1m])')).toBeUndefined();
    expect(op('sum_over_time({a="b"} | unwrap x [1m])')).toBeUndefined();
  });

  for (const [query, outer] of [
    ['count_over_time({app="api"}[1m])', undefined],
    ['bytes_over_time({app="api"}[1m])', undefined],
    ['bytes_rate({app="api"}[1m])', BY_LEVEL],
    ['count_over_time({app="api"} |= "error=1" [1m])', undefined],
  ] as const) {
    it(`gives the per-entry extractor's series for ${query}${outer ? ' under sum by (detected_level)' : ''}, split by structured metadata`, () => {
      const list = entries();
      const got = samplesOf(query, list, outer);
      expect(byLabels(got.series)).toEqual(byLabels(expected(query, list, outer)));
      expect(got.series.length).toBeGreaterThan(1);
    });
  }

  it('counts every entry read in the stats, and the ones that passed as post-filter lines', () => {
    const list = entries();
    const bytes = list.reduce((n, e) => n + Buffer.byteLength(e.line), 0);
    const metadataBytes = list.reduce((n, e) => n + (e.metadata ? 'detected_level'.length + e.metadata[0].value.length : 0), 0);
    const all = samplesOf('bytes_over_time({app="api"}[1m])', list).stats;
    expect([all.decompressedLines, all.decompressedBytes, all.decompressedStructuredMetadataBytes, all.postFilterLines]).toEqual([
      40,
      bytes,
      metadataBytes,
      40,
    ]);
    expect(samplesOf('count_over_time({app="api"} |= "error=1" [1m])', list).stats.postFilterLines).toBe(16);
  });
});

/** The querier's composition before readChunk*: every entry decoded, exact duplicates dropped. */
function* decodedWithoutDuplicates(chunks: ReadableChunk[], from: bigint, through: bigint, direction: 'forward' | 'backward', stats: ChunkStats) {
  let lastTs = -1n;
  let seen: string[] = [];
  for (const e of chunkEntries(chunks, from, through, direction)) {
    if (e.ts !== lastTs) {
      lastTs = e.ts;
      seen = [e.line];
      yield e;
    } else if (seen.includes(e.line)) stats.totalDuplicates++;
    else {
      seen.push(e.line);
      yield e;
    }
  }
}

/** Two stored chunks of one stream that overlap in time and share some exact duplicates, or two disjoint ones. */
function chunkPairs(): Record<string, ReadableChunk[]> {
  const list = entries();
  const later = list.map((e) => ({ ...e, ts: e.ts + 100_000_000n }));
  const overlapping = list.slice(20).map((e, i) => (i % 3 === 0 ? e : { ...e, line: e.line + ' again' }));
  // Repeats: the same timestamp and line with other metadata (a head block drops them, as Loki's
  // does; chunks written before that kept them, see 'repeating entries in one block'), and
  // same-timestamp twins with other lines.
  const other = (e: Entry): Entry => ({ ...e, metadata: e.metadata === WARN ? INFO : WARN });
  const repeated = list.flatMap((e, i) => (i % 3 === 0 ? [e, other(e)] : i % 7 === 0 ? [e, { ...e, line: e.line + ' twin' }, other(e)] : [e]));
  return {
    disjoint: [storedChunk(list), storedChunk(later)],
    'repeating entries': [storedChunk(repeated), storedChunk(later)],
    'repeating entries in one block': [chunkAsGiven(repeated), storedChunk(later)],
    overlapping: [storedChunk(list), storedChunk(overlapping)],
    'in memory': [(() => {
      const c = new MemChunk({ blockSize: 300, targetSize: 0, codec: 'gzip' });
      for (const e of list) c.append(e.ts, e.line, e.metadata);
      return c;
    })()],
  };
}

describe('readChunkLogs and readChunkSamples', () => {
  const logQueries = [
    '{app="api"}',
    '{app="api"} |= "error"',
    '{app="api"} |= "error" != "error=1"',
    '{app="api"} != "line 1" or "ünïcødé"',
    '{app="api"} |= "line" | logfmt | error="0"',
    '{app="api"} |= "line" | line_format "{{.app}}" |= "api"',
  ];
  for (const [name, chunks] of Object.entries(chunkPairs())) for (const byMetadata of [false, true]) {
    const how = byMetadata ? ', metadata-level reads allowed' : '';
    for (const query of logQueries) {
      for (const direction of ['forward', 'backward'] as const) for (const wholeRange of [false, true]) {
        const whole = wholeRange ? ', the whole range read' : '';
        it(`return what decoding every line returns for ${query} ${direction} (${name} chunks${how}${whole}), with equal stats`, () => {
          const selector = parseExpr(query) as LogSelectorExpr;
          for (const limit of [25, 1000]) {
            const params = { selector, matchers: [], pipeline: buildPipeline(selector.stages), start: T0, end: T0 + 10n ** 12n, direction, limit };
            const wantStats = emptyChunkStats();
            const want = readStreamLogs(STREAM, decodedWithoutDuplicates(chunks, params.start, params.end, direction, wantStats), params, wantStats, false);
            const gotStats = emptyChunkStats();
            const got = readChunkLogs(STREAM, chunks, params, gotStats, { head: false, dropDuplicates: true, byMetadata, wholeRange });
            expect(got).toEqual(want);
            // Repeats inside a block never reach the store (ingesters drop them); a line filter counts
            // a skipped repeat as a line read, so only the entries are compared there.
            if (params.limit > want.reduce((n, s) => n + s.entries.length, 0) && !name.startsWith('repeating entries')) expect(gotStats).toEqual(wantStats);
          }
        });
      }
    }
    const sampleQueries = [
      'count_over_time({app="api"}[1m])',
      'bytes_over_time({app="api"}[1m])',
      'rate({app="api"} |= "error" [1m])',
      'count_over_time({app="api"} != "line 2" [1m])',
      'sum_over_time({app="api"} |= "line" | logfmt | unwrap error [1m])',
    ];
    // Sample reads of strictly disjoint blocks do not look for repeats inside a block (see 'repeating
    // entries in one block': same timestamp and line, other metadata).
    if (name !== 'repeating entries in one block') for (const query of sampleQueries) {
      it(`return what decoding every line returns for ${query} (${name} chunks${how}), with equal stats`, () => {
        const expr = parseExpr(query) as RangeAggregationExpr;
        const params = { expr, matchers: [], extractor: buildSampleExtractor(expr), start: T0, end: T0 + 10n ** 12n };
        const wantStats = emptyChunkStats();
        const want = readStreamSamples(STREAM, decodedWithoutDuplicates(chunks, params.start, params.end, 'forward', wantStats), params, wantStats, false);
        const gotStats = emptyChunkStats();
        const got = readChunkSamples(STREAM, chunks, params, gotStats, { head: false, dropDuplicates: true, byMetadata });
        expect(byLabels(got.map((s) => ({ labels: s.labels.key, ts: timestampsOf(s), values: [...s.values] })))).toEqual(
          byLabels(want.map((s) => ({ labels: s.labels.key, ts: timestampsOf(s), values: [...s.values] }))),
        );
        if (!name.startsWith('repeating entries')) expect(gotStats).toEqual(wantStats);
      });
    }
  }
});

describe('extractor calls', () => {
  /** The extractor of `query`, counting the lines it is called with. */
  function counting(query: string) {
    const expr = parseExpr(query) as RangeAggregationExpr;
    const inner = buildSampleExtractor(expr);
    const lines: string[] = [];
    const extractor = {
      forStream: (labels: Labels) => {
        const s = inner.forStream(labels);
        return { process: (ts: bigint, line: string, md: Labels | undefined) => (lines.push(line), s.process(ts, line, md)) };
      },
    };
    return { params: { expr, matchers: [], extractor, start: T0, end: T0 + 10n ** 12n }, lines };
  }

  it('happen once per entry with its line unless the caller allows metadata-level reads', () => {
    const list = entries();
    const chunks = [storedChunk(list)];
    const perEntry = counting('count_over_time({app="api"}[1m])');
    readChunkSamples(STREAM, chunks, perEntry.params, emptyChunkStats(), { head: false, dropDuplicates: true });
    expect(perEntry.lines).toEqual(list.map((e) => e.line));
    const streamRead = counting('bytes_over_time({app="api"}[1m])');
    readStreamSamples(STREAM, chunkEntries(chunks, T0, T0 + 10n ** 12n, 'forward'), streamRead.params, emptyChunkStats(), false);
    expect(streamRead.lines).toEqual(list.map((e) => e.line));
    const byMetadata = counting('count_over_time({app="api"}[1m])');
    readChunkSamples(STREAM, chunks, byMetadata.params, emptyChunkStats(), { head: false, dropDuplicates: true, byMetadata: true });
    expect(byMetadata.lines.length).toBeLessThan(list.length);
  });
});

describe('reads with gram filters', () => {
  /** 400 entries; only entries 123 and 321 hold the needle. */
  function needleEntries(): Entry[] {
    return Array.from({ length: 400 }, (_, i) => ({
      ts: T0 + BigInt(i) * 1_000_000n,
      line: i === 123 || i === 321 ? `line ${i} order=order-7f3a9c` : `line ${i} order=ord-${i * 7919}`,
      metadata: undefined,
    }));
  }

  it('skip blocks that cannot hold the needle: same entries, fewer bytes decompressed, skipped blocks counted', () => {
    const list = needleEntries();
    const chunks = [storedChunk(list)];
    const selector = parseExpr('{app="api"} |= "order-7f3a9c"') as LogSelectorExpr;
    const params = { selector, matchers: [], pipeline: buildPipeline(selector.stages), start: T0, end: T0 + 10n ** 12n, direction: 'forward' as const, limit: 100 };
    const wantStats = emptyChunkStats();
    const want = readStreamLogs(STREAM, chunkEntries(chunks, params.start, params.end, 'forward'), params, wantStats, false);
    const before = { ...skippedBlockTotals.store };
    const gotStats = emptyChunkStats();
    const got = readChunkLogs(STREAM, chunks, params, gotStats, { head: false, dropDuplicates: true, byMetadata: true });
    expect(got).toEqual(want);
    expect(got.flatMap((s) => s.entries.map((e) => e.line))).toEqual(['line 123 order=order-7f3a9c', 'line 321 order=order-7f3a9c']);
    expect(gotStats.postFilterLines).toBe(2);
    expect(gotStats.decompressedBytes).toBeLessThan(wantStats.decompressedBytes / 5);
    const skipped = skippedBlockTotals.store.blocks - before.blocks;
    expect(skipped).toBeGreaterThan(chunks[0].blocks().length / 2);
    expect(skippedBlockTotals.store.bytes - before.bytes + gotStats.decompressedBytes).toBe(wantStats.decompressedBytes);
  });
});

describe('store sample reads of line-reading queries', () => {
  /** A stored chunk that records which of its read paths were used. */
  function recording(chunk: StoredChunk) {
    const used = { lineColumns: 0, iterate: 0 };
    const c: ReadableChunk = {
      minTs: chunk.minTs,
      maxTs: chunk.maxTs,
      iterate: (...a) => (used.iterate++, chunk.iterate(...a)),
      sampleColumns: (...a) => chunk.sampleColumns(...a),
      lineColumns: (...a) => (used.lineColumns++, chunk.lineColumns(...a)),
    };
    return { c, used };
  }

  function sampleRead(query: string, chunks: ReadableChunk[]) {
    const expr = parseExpr(query) as RangeAggregationExpr;
    const params = { expr, matchers: [], extractor: buildSampleExtractor(expr), start: T0, end: T0 + 10n ** 12n };
    const stats = emptyChunkStats();
    const series = readChunkSamples(STREAM, chunks, params, stats, { head: false, dropDuplicates: true, byMetadata: true });
    return { series: byLabels(series.map((s) => ({ labels: s.labels.key, ts: timestampsOf(s), values: [...s.values] }))), stats };
  }

  it('take lines from line columns, without entries, when chunks are disjoint', () => {
    const a = recording(storedChunk(entries()));
    const b = recording(storedChunk(entries().map((e) => ({ ...e, ts: e.ts + 100_000_000n }))));
    const got = sampleRead('sum_over_time({app="api"} |= "line" | logfmt | unwrap error [1m])', [a.c, b.c]);
    expect([a.used, b.used]).toEqual([{ lineColumns: 1, iterate: 0 }, { lineColumns: 1, iterate: 0 }]);
    expect(got.series.length).toBeGreaterThan(1);
    expect(got.stats.decompressedLines).toBe(2 * 40);
  });

  it('fall back to entries when chunks overlap, counting nothing twice', () => {
    const a = recording(storedChunk(entries()));
    const b = recording(storedChunk(entries().slice(20).map((e) => ({ ...e, line: e.line + ' again' }))));
    const query = 'count_over_time({app="api"} |= "line" [1m])';
    const got = sampleRead(query, [a.c, b.c]);
    expect(a.used.iterate + b.used.iterate).toBeGreaterThan(0);
    expect(a.used.lineColumns + b.used.lineColumns).toBe(0);
    const want = sampleRead(query, [storedChunk(entries()), storedChunk(entries().slice(20).map((e) => ({ ...e, line: e.line + ' again' })))]);
    expect(got).toEqual(want);
  });

  it('skip blocks by their gram filters and mask lines by the needle like entry reads do', () => {
    const list = Array.from({ length: 400 }, (_, i) => ({
      ts: T0 + BigInt(i) * 1_000_000n,
      line: i === 123 || i === 321 ? `line ${i} order=order-7f3a9c took=${i}` : `line ${i} order=ord-${i * 7919} took=${i}`,
      metadata: i % 2 === 0 ? WARN : undefined,
    }));
    const query = 'sum by (detected_level) (sum_over_time({app="api"} |= "order-7f3a9c" | logfmt | unwrap took [1m]))';
    const expr = (parseExpr(query) as { expr: RangeAggregationExpr }).expr;
    const params = { expr, matchers: [], extractor: buildSampleExtractor(expr), start: T0, end: T0 + 10n ** 12n };
    const wantStats = emptyChunkStats();
    const want = readStreamSamples(STREAM, chunkEntries([storedChunk(list)], params.start, params.end, 'forward'), params, wantStats, false);
    const before = { ...skippedBlockTotals.store };
    const gotStats = emptyChunkStats();
    const got = readChunkSamples(STREAM, [storedChunk(list)], params, gotStats, { head: false, dropDuplicates: true, byMetadata: true });
    const shape = (xs: SeriesSamples[]) => byLabels(xs.map((s) => ({ labels: s.labels.key, ts: timestampsOf(s), values: [...s.values] })));
    expect(shape(got)).toEqual(shape(want));
    expect(got.flatMap((s) => [...s.values])).toEqual([123, 321]);
    expect(gotStats.postFilterLines).toBe(2);
    expect(skippedBlockTotals.store.blocks - before.blocks).toBeGreaterThan(0);
    // Every line (and its metadata) is either decompressed and counted, or in a block the gram filter skipped.
    expect(skippedBlockTotals.store.bytes - before.bytes + gotStats.decompressedBytes + gotStats.decompressedStructuredMetadataBytes).toBe(
      wantStats.decompressedBytes + wantStats.decompressedStructuredMetadataBytes,
    );
    expect(gotStats.decompressedLines).toBeLessThan(list.length);
  });

  it('hand templates each entry its own timestamp (other stages are handed any)', () => {
    const list = Array.from({ length: 60 }, (_, i) => ({ ts: T0 + BigInt(i) * 1_000_000_007n, line: `line ${i} took=${i}`, metadata: undefined }));
    const query = 'sum by (at) (count_over_time({app="api"} | label_format at="{{ __timestamp__ | unixEpochNanos }}" [1m]))';
    const parsed = parseExpr(query) as { expr: RangeAggregationExpr; grouping: Grouping };
    const params = { expr: parsed.expr, matchers: [], extractor: buildSampleExtractor(parsed.expr, parsed.grouping), start: T0, end: T0 + 10n ** 12n };
    expect(params.extractor.readsTimestamps).toBe(true);
    expect(buildSampleExtractor((parseExpr('count_over_time({app="api"} | json | took > 3 [1m])') as RangeAggregationExpr)).readsTimestamps).toBe(false);
    const got = readChunkSamples(STREAM, [storedChunk(list)], params, emptyChunkStats(), { head: false, dropDuplicates: true, byMetadata: true });
    expect(got.map((s) => s.labels.key).sort()).toEqual(list.map((e) => `{at="${e.ts}"}`).sort());
  });

  it('give hinted logfmt queries over printable and non-printable blocks what entry reads give', () => {
    const lines = (k: number) =>
      Array.from({ length: 120 }, (_, i) => ({
        ts: T0 + BigInt(k * 1000 + i) * 1_000_000n,
        line:
          k === 1 && i === 57
            ? `lével=ünïcødé\tduration=${i}s a="x y" duration=1s who=ünï`
            : `level=info msg="m ${i}" a=${i % 3 === 0 ? 'b=c' : 'd'} duration=${(i * 37) % 900}ms${i % 5 === 0 ? ' duration=1s' : ''}`,
        metadata: undefined,
      }));
    // The non-ASCII line's `who` is grouped on: read as anything but UTF-8 it would name another series.
    const query = 'sum by (duration, who) (count_over_time({app="api"} | logfmt | duration > 300ms [1m]))';
    const parsed = parseExpr(query) as { expr: RangeAggregationExpr; grouping: Grouping };
    const chunks = () => [0, 1, 2].map((k) => storedChunk(lines(k)));
    const params = () => ({ expr: parsed.expr, matchers: [], extractor: buildSampleExtractor(parsed.expr, parsed.grouping), start: T0, end: T0 + 10n ** 12n });
    const shape = (xs: SeriesSamples[]) => byLabels(xs.map((s) => ({ labels: s.labels.key, ts: timestampsOf(s), values: [...s.values] })));
    const p = params();
    expect(p.extractor.usesPrintableLines).toBe(true);
    const want = readStreamSamples(STREAM, chunkEntries(chunks(), T0, p.end, 'forward'), params(), emptyChunkStats(), false);
    const got = readChunkSamples(STREAM, chunks(), p, emptyChunkStats(), { head: false, dropDuplicates: true, byMetadata: true });
    expect(shape(got)).toEqual(shape(want));
    expect(got.length).toBeGreaterThan(3);
    expect(got.some((s) => s.labels.key.includes('who="ünï"'))).toBe(true);
  });

  it('read ingester memory (sealed blocks and the head) from line columns, and fall back once the head holds entries out of order', () => {
    const query = 'count_over_time({app="api"} |= "error=1" | logfmt [1m])';
    const expr = parseExpr(query) as RangeAggregationExpr;
    const shape = (xs: SeriesSamples[]) => byLabels(xs.map((s) => ({ labels: s.labels.key, ts: timestampsOf(s), values: [...s.values] })));
    for (const outOfOrder of [false, true]) {
      const list = entries();
      const c = new MemChunk({ blockSize: 300, targetSize: 0, codec: 'none' });
      for (const e of list) c.append(e.ts, e.line, e.metadata);
      if (outOfOrder) c.append(list[list.length - 1].ts - 1n, 'late line error=1', undefined);
      let lineColumnReads = 0;
      const recorded: ReadableChunk = {
        minTs: c.minTs,
        maxTs: c.maxTs,
        iterate: (...a) => c.iterate(...a),
        sampleColumns: (...a) => c.sampleColumns(...a),
        lineColumns: (...a) => {
          const out = c.lineColumns(...a);
          if (out !== undefined) lineColumnReads++;
          return out;
        },
      };
      const params = () => ({ expr, matchers: [], extractor: buildSampleExtractor(expr), start: T0, end: T0 + 10n ** 12n });
      const wantStats = emptyChunkStats();
      const want = readStreamSamples(STREAM, chunkEntries([c], T0, T0 + 10n ** 12n, 'forward'), params(), wantStats, true);
      const gotStats = emptyChunkStats();
      const got = readChunkSamples(STREAM, [recorded], params(), gotStats, { head: true, dropDuplicates: false, byMetadata: true });
      expect(lineColumnReads).toBe(outOfOrder ? 0 : 1);
      expect(shape(got)).toEqual(shape(want));
      // Lines the filter skipped count as read, as entry reads count them.
      expect(gotStats.headChunkLines).toBe(list.length + (outOfOrder ? 1 : 0));
      expect(gotStats.postFilterLines).toBe(wantStats.postFilterLines);
    }
  });
});

