// Reads over the ingester gRPC transport must equal the in-process reader's: logs, samples, labels,
// series, stats, served chunk keys and the engine's results. Tests only; no shared state between files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalIngesterReader } from '../../src/ingester/reader.js';
import { QueryStats } from '../../src/model/stats.js';
import { evaluate } from '../../src/logql/engine/index.js';
import type { QuerySource } from '../../src/logql/contracts.js';
import { buildPipeline, buildSampleExtractor } from '../../src/logql/log/index.js';
import { parseExpr } from '../../src/logql/syntax/index.js';
import type { IngesterReader } from '../../src/querier/sources.js';
import { collect, logParams, pushStream, sampleParams, startPair, T, type GrpcPair } from './harness.js';

describe('reads through the ingester gRPC client', () => {
  let pair: GrpcPair;
  let local: LocalIngesterReader;

  beforeAll(async () => {
    pair = await startPair();
    local = new LocalIngesterReader(pair.ingester);
    await pair.client.push('tenant-a', [
      pushStream('{app="api", env="prod"}', [
        [T, 'level=info msg="first"'],
        [T + 1n, 'level=error msg="second"', { trace_id: 'abc', empty: '' }],
        [T + 2n, 'level=info msg="first"'],
      ]),
      pushStream('{app="web", env="dev"}', [[T + 5n, 'GET /index.html 200']]),
    ]);
    await pair.client.push('tenant-b', [pushStream('{app="other"}', [[T, 'b only']])]);
  });

  afterAll(() => pair.close());

  it('returns pushed entries with exact nanosecond timestamps and structured metadata', async () => {
    const streams = await collect(pair.client.selectLogs('tenant-a', logParams('{app="api"}', T, T + 10n), new QueryStats(), new Set()));
    expect(streams.map((s) => [s.labels.key, s.entries])).toEqual([
      [
        '{app="api", env="prod"}',
        [
          { ts: T, line: 'level=info msg="first"' },
          { ts: T + 2n, line: 'level=info msg="first"' },
        ],
      ],
      [
        '{app="api", empty="", env="prod", trace_id="abc"}',
        [{ ts: T + 1n, line: 'level=error msg="second"', metadata: [{ name: 'trace_id', value: 'abc' }, { name: 'empty', value: '' }] }],
      ],
    ]);
  });

  it('answers log queries exactly as the in-process reader, in both directions and with pipelines', async () => {
    const queries = [
      '{env=~"prod|dev"}',
      '{app="api"} |= "first"',
      '{app="api"} | logfmt | level="error"',
      '{app="api"} | logfmt | line_format "{{.msg}}"',
    ];
    for (const q of queries) {
      for (const direction of ['forward', 'backward'] as const) {
        const remoteStats = new QueryStats();
        const localStats = new QueryStats();
        const remote = await collect(pair.client.selectLogs('tenant-a', logParams(q, T, T + 10n, direction, 2), remoteStats, new Set()));
        const expected = await collect(local.selectLogs('tenant-a', logParams(q, T, T + 10n, direction, 2), localStats, new Set()));
        expect(remote).toEqual(expected);
        expect(remoteStats.ingester).toEqual(localStats.ingester);
      }
    }
  });

  it('rebuilds the label categories of results after parsers', async () => {
    const [s] = await collect(
      pair.client.selectLogs('tenant-a', logParams('{app="api"} | logfmt | level="error"', T, T + 10n), new QueryStats(), new Set()),
    );
    expect(s.labels.stream).toEqual([
      { name: 'app', value: 'api' },
      { name: 'env', value: 'prod' },
    ]);
    expect(s.labels.structuredMetadata).toEqual([
      { name: 'empty', value: '' },
      { name: 'trace_id', value: 'abc' },
    ]);
    expect(s.labels.parsed).toEqual([
      { name: 'level', value: 'error' },
      { name: 'msg', value: 'second' },
    ]);
    expect(s.labels.key).toBe('{app="api", empty="", env="prod", level="error", msg="second", trace_id="abc"}');
  });

  it('merges the ingester stats into the caller', async () => {
    const stats = new QueryStats();
    await collect(pair.client.selectLogs('tenant-a', logParams('{app="api"}', T, T + 10n), stats, new Set()));
    expect(stats.ingester.totalReached).toBe(1);
    expect(stats.ingester.totalLinesSent).toBe(3);
    expect(stats.ingester.store.chunk.headChunkLines).toBe(3);
    expect(stats.ingester.store.chunk.headChunkBytes).toBe(68);
    expect(stats.ingester.store.chunk.headChunkStructuredMetadataBytes).toBe(16);
  });

  it('keeps tenants apart', async () => {
    const a = await collect(pair.client.selectLogs('tenant-b', logParams('{app="api"}', T, T + 10n), new QueryStats(), new Set()));
    const b = await collect(pair.client.selectLogs('tenant-b', logParams('{app="other"}', T, T + 10n), new QueryStats(), new Set()));
    const none = await collect(pair.client.selectLogs('nobody', logParams('{app="other"}', T, T + 10n), new QueryStats(), new Set()));
    expect(a).toEqual([]);
    expect(b.map((s) => s.entries)).toEqual([[{ ts: T, line: 'b only' }]]);
    expect(none).toEqual([]);
  });

  it('answers sample queries exactly as the in-process reader', async () => {
    for (const q of ['count_over_time({env=~".+"}[1m])', 'bytes_over_time({app="api"} | logfmt [5m])', 'sum_over_time({app="api"} | logfmt | unwrap level [1m])']) {
      const remoteStats = new QueryStats();
      const localStats = new QueryStats();
      const remote = await collect(pair.client.selectSamples('tenant-a', sampleParams(q, T, T + 10n), remoteStats, new Set()));
      const expected = await collect(local.selectSamples('tenant-a', sampleParams(q, T, T + 10n), localStats, new Set()));
      expect(remote.map(({ hashes: _, ...s }) => s)).toEqual(expected);
      expect(remoteStats.ingester).toEqual(localStats.ingester);
    }
  });

  it('hashes each sample source line alike for equal lines and apart for different ones', async () => {
    const series = await collect(
      pair.client.selectSamples('tenant-a', sampleParams('count_over_time({app="api"}[1m])', T, T + 10n), new QueryStats(), new Set()),
    );
    const byTs = new Map<bigint, number>();
    for (const s of series) s.offsets.forEach((o, i) => byTs.set(s.baseTs + BigInt(o), s.hashes![i]));
    expect([...byTs.keys()].sort()).toEqual([T, T + 1n, T + 2n]);
    expect(byTs.get(T)).toBe(byTs.get(T + 2n));
    expect(byTs.get(T)).not.toBe(byTs.get(T + 1n));
  });

  it('answers label names, values, series and memory stats as the in-process reader', async () => {
    const m = [{ name: 'app', op: '=~' as const, value: 'api|web' }];
    expect(await pair.client.labelNames('tenant-a', T, T + 10n)).toEqual(['app', 'env']);
    expect(await pair.client.labelNames('tenant-a', T + 3n, T + 10n, m)).toEqual(await local.labelNames('tenant-a', T + 3n, T + 10n, m));
    expect((await pair.client.labelValues('tenant-a', 'env', T, T + 10n)).sort()).toEqual(['dev', 'prod']);
    expect(await pair.client.labelValues('tenant-a', 'env', T, T + 10n, [{ name: 'app', op: '=', value: 'web' }])).toEqual(['dev']);
    expect(await pair.client.series('tenant-a', m, T, T + 10n)).toEqual(await local.series('tenant-a', m, T, T + 10n));
    expect(await pair.client.series('tenant-a', undefined, T + 5n, T + 6n)).toEqual([
      [
        { name: 'app', value: 'web' },
        { name: 'env', value: 'dev' },
      ],
    ]);
    const stats = await pair.client.stats('tenant-a', [{ name: 'env', op: '=~', value: '.+' }], T, T + 10n);
    expect(stats).toEqual(await local.stats('tenant-a', [{ name: 'env', op: '=~', value: '.+' }], T, T + 10n));
    expect(stats).toMatchObject({ streams: 2, chunks: 2, entries: 4 });
  });

  it('gives the LogQL engine the same results as the in-process reader', async () => {
    const over = (r: IngesterReader): QuerySource => ({
      selectLogs: (p) => r.selectLogs('tenant-a', p, new QueryStats(), new Set()),
      selectSamples: (p) => r.selectSamples('tenant-a', p, new QueryStats(), new Set()),
    });
    const S = 1_000_000_000n;
    const queries = [
      '{env=~".+"} | logfmt',
      'sum by (level) (count_over_time({app="api"} | logfmt [1m]))',
      'rate({env=~".+"}[1m])',
    ];
    for (const query of queries) {
      const params = { expr: parseExpr(query), start: T, end: T + 60n * S, step: 15n * S, interval: 0n, direction: 'backward' as const, limit: 100, instant: false };
      const deps = { buildPipeline, buildSampleExtractor };
      const remote = await evaluate(params, over(pair.client), deps, { maxQuerySeries: 500 });
      const expected = await evaluate(params, over(local), deps, { maxQuerySeries: 500 });
      expect(remote).toEqual(expected);
      expect(remote.type === 'streams' ? remote.streams.length : remote.type === 'matrix' ? remote.series.length : 0).toBeGreaterThan(0);
    }
  });

  it('reports the keys of flushed chunks it answered from memory', async () => {
    const p = await startPair();
    try {
      await p.client.push('t', [pushStream('{app="x"}', [[T, 'one']])]);
      await p.ingester.flushAll();
      const served = new Set<string>();
      const streams = await collect(p.client.selectLogs('t', logParams('{app="x"}', T, T + 1n), new QueryStats(), served));
      expect(streams.map((s) => s.entries)).toEqual([[{ ts: T, line: 'one' }]]);
      const localServed = new Set<string>();
      await collect(new LocalIngesterReader(p.ingester).selectLogs('t', logParams('{app="x"}', T, T + 1n), new QueryStats(), localServed));
      expect(localServed.size).toBe(1);
      expect([...served]).toEqual([...localServed]);
    } finally {
      await p.close();
    }
  });
});
