// MergedSource with replicas: store chunks of replicas de-duplicated per stream, and against
// ingester samples by line hash only when ingesters returned any.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemChunk } from '../../src/chunks/index.js';
import { lineHash } from '../../src/iter/line-hash.js';
import type { RangeAggregationExpr } from '../../src/logql/ast.js';
import type { SeriesSamples } from '../../src/logql/contracts.js';
import { buildSampleExtractor } from '../../src/logql/log/index.js';
import { parseExpr } from '../../src/logql/syntax/index.js';
import { fingerprint, labelsFromRecord } from '../../src/model/labels.js';
import { QueryStats } from '../../src/model/stats.js';
import { MergedSource, type IngesterReader } from '../../src/querier/sources.js';
import { ChunkStore, createFilesystemStore } from '../../src/storage/index.js';

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;
const LABELS = labelsFromRecord({ app: 'a' });
const line = (i: number): string => `level=info i=${i}`;

/** A replica's chunk of entries `from`..`to` (one per second): replicas cut at different points. */
function replicaChunk(from: number, to: number) {
  const c = new MemChunk({ blockSize: 256, targetSize: 0, codec: 'gzip' });
  for (let i = from; i <= to; i++) c.append(T0 + BigInt(i) * SEC, line(i));
  return { labels: LABELS, fingerprint: fingerprint(LABELS), from: c.minTs, through: c.maxTs, entries: c.entries, uncompressedBytes: c.uncompressedBytes, data: c.encode() };
}

/** An ingester that answers sample reads with `samples` (and nothing else). */
function ingester(samples: SeriesSamples[]): IngesterReader {
  const none = async function* () {};
  return {
    selectLogs: none,
    async *selectSamples() {
      if (samples.length) yield samples;
    },
    labelNames: async () => [],
    labelValues: async () => [],
    series: async () => [],
    stats: async () => ({ streams: 0, chunks: 0, bytes: 0, entries: 0 }),
  };
}

let dir = '';
let store: ChunkStore;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'merged-source-'));
  store = new ChunkStore(createFilesystemStore(dir), { writerId: 'test' });
  await store.putChunks('fake', [replicaChunk(0, 9), replicaChunk(5, 14)]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The labels of the series a replicated read of `query` (range aggregation, its grouping pushed down) yields. */
async function seriesLabels(ingesters: IngesterReader[], query: string, by: string[]): Promise<string[]> {
  const expr = parseExpr(query) as RangeAggregationExpr;
  const source = new MergedSource({ tenant: 'fake', ingesters, replicated: true, maxIngesterErrors: 1, store, queryIngestersWithin: 0n, now: T0 + 3600n * SEC, stats: new QueryStats() });
  const grouping = { labels: by, without: false };
  const keys = new Set<string>();
  const params = { expr, matchers: [{ name: 'app', op: '=' as const, value: 'a' }], extractor: buildSampleExtractor(expr), groupedExtractor: buildSampleExtractor(expr, grouping), start: T0, end: T0 + 3600n * SEC };
  for await (const batch of source.selectSamples(params)) for (const s of batch) keys.add(s.labels.key);
  return [...keys].sort();
}

async function countSamples(ingesters: IngesterReader[]): Promise<bigint[]> {
  const expr = parseExpr('count_over_time({app="a"}[1h])') as RangeAggregationExpr;
  const source = new MergedSource({
    tenant: 'fake',
    ingesters,
    replicated: true,
    maxIngesterErrors: 1,
    store,
    queryIngestersWithin: 0n,
    now: T0 + 3600n * SEC,
    stats: new QueryStats(),
  });
  const ts: bigint[] = [];
  for await (const batch of source.selectSamples({ expr, matchers: [{ name: 'app', op: '=', value: 'a' }], extractor: buildSampleExtractor(expr), start: T0, end: T0 + 3600n * SEC }))
    for (const s of batch) for (const o of s.offsets) ts.push(s.baseTs + BigInt(o));
  return ts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const want = (from: number, to: number): bigint[] => Array.from({ length: to - from + 1 }, (_, k) => T0 + BigInt(from + k) * SEC);

describe('MergedSource with replicas', () => {
  it('reads overlapping replica chunks of the store once each entry, with no ingester data', async () => {
    expect(await countSamples([ingester([]), ingester([])])).toEqual(want(0, 14));
  });

  it('drops store samples that ingester replicas also returned (same timestamp and line hash)', async () => {
    const offsets = [12, 13, 14, 15, 16].map((i) => i * 1e9);
    const fromIngester: SeriesSamples = {
      labels: { stream: LABELS, structuredMetadata: [], parsed: [], all: LABELS, key: '{app="a"}' },
      baseTs: T0,
      offsets: Float64Array.from(offsets),
      values: Float64Array.from(offsets.map(() => 1)),
      hashes: Float64Array.from([12, 13, 14, 15, 16].map((i) => lineHash(line(i)))),
    };
    expect(await countSamples([ingester([fromIngester]), ingester([fromIngester])])).toEqual(want(0, 16));
  });

  it('reads the store with the grouped extractor when ingesters returned nothing, and with full labels otherwise', async () => {
    const query = 'count_over_time({app="a"} | logfmt [1h])';
    // Parsed `i` labels split series by entry unless the grouping (by app) narrows extraction.
    expect(await seriesLabels([ingester([]), ingester([])], query, ['app'])).toEqual(['{app="a"}']);
    const fromIngester: SeriesSamples = {
      labels: { stream: LABELS, structuredMetadata: [], parsed: [], all: LABELS, key: '{app="a"}' },
      baseTs: T0,
      offsets: Float64Array.from([20e9]),
      values: Float64Array.from([1]),
      hashes: Float64Array.from([lineHash('other')]),
    };
    const full = await seriesLabels([ingester([fromIngester]), ingester([fromIngester])], query, ['app']);
    expect(full.length).toBeGreaterThan(10);
    expect(full).toContain('{app="a", i="3", level="info"}');
  });
});

