// Index volume: request parsing, Loki's bucket split, chunk overlap factors, grouping by series or
// label, ordering and limits, the vector/matrix answer, and the ingester stats fallback.
import { describe, expect, it } from 'vitest';
import type { SelectLogsParams, StreamResult } from '../../src/logql/contracts.js';
import { buildPipeline } from '../../src/logql/log/index.js';
import type { Labels, Matcher } from '../../src/model/index.js';
import {
  VolumeAccumulator,
  bucketVolumes,
  ingesterChunkExtents,
  overlapFactor,
  parseVolumeRequest,
  queryVolume,
  selectionMatchers,
  seriesBytesIn,
  volumeBuckets,
  volumeQueryResult,
  type SeriesExtents,
  type VolumeRequest,
} from '../../src/querier/volume.js';

const S = 1_000_000_000n;
const ls = (rec: Record<string, string>): Labels =>
  Object.keys(rec)
    .sort()
    .map((name) => ({ name, value: rec[name] }));

function request(over: Partial<VolumeRequest> = {}): VolumeRequest {
  return {
    matchers: [{ name: 'namespace', op: '=', value: 'prod' }],
    start: 0n,
    end: 3600n * S,
    step: 0n,
    limit: 100,
    targetLabels: [],
    aggregateBy: 'series',
    ...over,
  };
}

describe('parseVolumeRequest', () => {
  const now = 1_795_448_066_462_000_536n;

  it('reads the instant form with Loki defaults (limit 100, aggregateBy series, since 1h)', () => {
    const r = parseVolumeRequest(new URLSearchParams({ query: '{namespace="prod"}' }), false, now);
    expect(r).toEqual({
      matchers: [{ name: 'namespace', op: '=', value: 'prod' }],
      start: now - 3600n * S,
      end: now,
      step: 0n,
      limit: 100,
      targetLabels: [],
      aggregateBy: 'series',
    });
  });

  it('treats limit=0 as the default 100 and rejects negative limits', () => {
    expect(parseVolumeRequest(new URLSearchParams({ query: '{a="b"}', limit: '0' }), false, now).limit).toBe(100);
    expect(() => parseVolumeRequest(new URLSearchParams({ query: '{a="b"}', limit: '-1' }), false, now)).toThrow('limit must be a positive value');
  });

  it('splits targetLabels on commas and accepts aggregateBy=labels', () => {
    const r = parseVolumeRequest(new URLSearchParams({ query: '{a="b"}', targetLabels: 'app,pod', aggregateBy: 'labels' }), false, now);
    expect(r.targetLabels).toEqual(['app', 'pod']);
    expect(r.aggregateBy).toBe('labels');
  });

  it('rejects an unknown aggregateBy with Loki text', () => {
    expect(() => parseVolumeRequest(new URLSearchParams({ query: '{a="b"}', aggregateBy: 'pods' }), false, now)).toThrow('invalid aggregation option');
  });

  it('takes {} as match-any with no matchers', () => {
    expect(parseVolumeRequest(new URLSearchParams({ query: '{}' }), false, now).matchers).toEqual([]);
  });

  it('parses the range form with a Grafana step in milliseconds', () => {
    const r = parseVolumeRequest(
      new URLSearchParams({ query: '{a="b"}', start: '1795444466462000536', end: '1795448066462000536', step: '60000ms' }),
      true,
      now,
    );
    expect(r.step).toBe(60n * S);
    expect(r.start).toBe(1_795_444_466_462_000_536n);
  });
});

describe('volumeBuckets', () => {
  it('makes one bucket for an instant request, stamped with the end rounded up to ms', () => {
    expect(volumeBuckets(1_795_444_466_462_000_536n, 1_795_448_066_462_000_536n, 0n)).toEqual([
      { from: 1_795_444_466n * S, through: 1_795_448_066n * S, atMs: 1_795_448_066_463 },
    ]);
  });

  it('aligns range buckets to the step, each ending 1ms before the next, the last at the end', () => {
    expect(volumeBuckets(1000n * S, 1300n * S + 500_000_000n, 100n * S)).toEqual([
      { from: 1000n * S, through: 1099n * S, atMs: 1_099_999 },
      { from: 1100n * S, through: 1199n * S, atMs: 1_199_999 },
      { from: 1200n * S, through: 1299n * S, atMs: 1_299_999 },
      { from: 1300n * S, through: 1300n * S, atMs: 1_300_500 },
    ]);
  });

  it('keeps the unaligned start of the first bucket', () => {
    expect(volumeBuckets(1050n * S, 1200n * S, 100n * S)).toEqual([
      { from: 1050n * S, through: 1099n * S, atMs: 1_099_999 },
      { from: 1100n * S, through: 1200n * S, atMs: 1_200_000 },
    ]);
  });
});

describe('overlap factors', () => {
  it('is 1 inside, 0 outside, proportional at the edges, 1 for a single-entry chunk', () => {
    expect(overlapFactor(0n, 100n, 10n, 20n)).toBe(1);
    expect(overlapFactor(30n, 100n, 10n, 20n)).toBe(0);
    expect(overlapFactor(15n, 100n, 10n, 20n)).toBe(0.5);
    expect(overlapFactor(0n, 12n, 10n, 20n)).toBe(0.2);
    expect(overlapFactor(0n, 100n, 50n, 50n)).toBe(1);
  });

  it('scales and truncates each chunk separately', () => {
    const chunks = [
      { from: 0n, through: 10n, bytes: 1001 },
      { from: 10n, through: 20n, bytes: 1001 },
    ];
    expect(seriesBytesIn(chunks, 5n, 15n)).toBe(500 + 500);
  });
});

describe('VolumeAccumulator', () => {
  const web1 = ls({ app: 'web', namespace: 'prod', pod: 'web-1' });
  const web2 = ls({ app: 'web', namespace: 'prod', pod: 'web-2' });
  const api1 = ls({ app: 'api', namespace: 'prod', pod: 'api-1' });

  it('groups series by the labels the selector names', () => {
    const acc = new VolumeAccumulator(request(), 1000);
    acc.add(web1, 10);
    acc.add(web2, 20);
    acc.add(api1, 5);
    expect(acc.top(100)).toEqual([{ name: '{namespace="prod"}', metric: [{ name: 'namespace', value: 'prod' }], volume: 35 }]);
  });

  it('groups series by target labels, largest first, ties by name, limited', () => {
    const acc = new VolumeAccumulator(request({ targetLabels: ['app'] }), 1000);
    acc.add(web1, 10);
    acc.add(web2, 20);
    acc.add(api1, 30);
    acc.add(ls({ app: 'db', namespace: 'prod' }), 5);
    expect(acc.top(2)).toEqual([
      { name: '{app="api"}', metric: [{ name: 'app', value: 'api' }], volume: 30 },
      { name: '{app="web"}', metric: [{ name: 'app', value: 'web' }], volume: 30 },
    ]);
  });

  it('keeps every label for the match-any selector', () => {
    const acc = new VolumeAccumulator(request({ matchers: [] }), 1000);
    acc.add(web1, 7);
    expect(acc.top(10).map((v) => v.name)).toEqual(['{app="web", namespace="prod", pod="web-1"}']);
  });

  it('counts every label name of a series when aggregating by labels, as {"<name>":""}', () => {
    const acc = new VolumeAccumulator(request({ aggregateBy: 'labels' }), 1000);
    acc.add(web1, 10);
    acc.add(ls({ app: 'api', namespace: 'prod' }), 4);
    expect(acc.top(10)).toEqual([
      { name: 'app', metric: [{ name: 'app', value: '' }], volume: 14 },
      { name: 'namespace', metric: [{ name: 'namespace', value: '' }], volume: 14 },
      { name: 'pod', metric: [{ name: 'pod', value: '' }], volume: 10 },
    ]);
  });

  it('restricts label aggregation to the target labels', () => {
    const acc = new VolumeAccumulator(request({ aggregateBy: 'labels', targetLabels: ['pod'] }), 1000);
    acc.add(web1, 10);
    expect(acc.top(10).map((v) => v.name)).toEqual(['pod']);
  });

  it('fails past volume_max_series with Loki text', () => {
    const acc = new VolumeAccumulator(request({ targetLabels: ['pod'] }), 1);
    acc.add(web1, 1);
    expect(() => acc.add(web2, 1)).toThrow('the query hit the max number of series limit (limit: 1 series)');
  });
});

describe('volume results', () => {
  it('adds a `=~".+"` matcher for target labels the selector does not name', () => {
    expect(selectionMatchers(request({ targetLabels: ['namespace', 'app'] }))).toEqual([
      { name: 'namespace', op: '=', value: 'prod' },
      { name: 'app', op: '=~', value: '.+' },
    ]);
  });

  it('answers a vector when every name has one sample, ordered by volume', () => {
    const buckets = [{ from: 0n, through: 10n, atMs: 5000 }];
    const result = volumeQueryResult(buckets, [
      [
        { name: '{app="a"}', metric: ls({ app: 'a' }), volume: 9 },
        { name: '{app="b"}', metric: ls({ app: 'b' }), volume: 3 },
      ],
    ]);
    expect(result).toEqual({
      type: 'vector',
      samples: [
        { metric: ls({ app: 'a' }), ms: 5000, value: 9 },
        { metric: ls({ app: 'b' }), ms: 5000, value: 3 },
      ],
    });
  });

  it('answers a matrix once a name has several buckets, ordered by its first value', () => {
    const buckets = [
      { from: 0n, through: 9n, atMs: 9999 },
      { from: 10n, through: 19n, atMs: 19999 },
    ];
    const a = { name: '{app="a"}', metric: ls({ app: 'a' }) };
    const b = { name: '{app="b"}', metric: ls({ app: 'b' }) };
    const result = volumeQueryResult(buckets, [
      [{ ...a, volume: 1 }],
      [
        { ...b, volume: 50 },
        { ...a, volume: 2 },
      ],
    ]);
    expect(result).toEqual({
      type: 'matrix',
      series: [
        { metric: ls({ app: 'b' }), values: [[19999, 50]] },
        { metric: ls({ app: 'a' }), values: [[9999, 1], [19999, 2]] },
      ],
    });
  });

  it('spreads a chunk over the buckets it spans', () => {
    const req = request({ start: 0n, end: 20n * S, step: 10n * S, targetLabels: ['app'] });
    const buckets = volumeBuckets(req.start, req.end, req.step);
    const series: SeriesExtents = { labels: ls({ app: 'x', namespace: 'prod' }), chunks: [{ from: 0n, through: 20n * S, bytes: 2000 }] };
    expect(bucketVolumes(req, buckets, [series], 100)).toEqual([
      [{ name: '{app="x"}', metric: ls({ app: 'x' }), volume: 900 }],
      [{ name: '{app="x"}', metric: ls({ app: 'x' }), volume: 1000 }],
    ]);
  });

  it('reads the extents of the whole range once with the selection matchers', async () => {
    const asked: [Matcher[], bigint, bigint][] = [];
    const source = {
      chunkExtents: async (_t: string, m: Matcher[], from: bigint, through: bigint) => {
        asked.push([m, from, through]);
        return [{ labels: ls({ app: 'x', namespace: 'prod' }), chunks: [{ from, through, bytes: 100 }] }];
      },
    };
    const out = await queryVolume(source, 'fake', request({ start: 1000n * S, end: 2000n * S }), 100);
    expect(asked).toEqual([[[{ name: 'namespace', op: '=', value: 'prod' }], 1000n * S, 2000n * S]]);
    expect(out).toEqual({
      result: { type: 'vector', samples: [{ metric: ls({ namespace: 'prod' }), ms: 2_000_000, value: 100 }] },
      buckets: 1,
    });
    asked.length = 0;
    const range = await queryVolume(source, 'fake', request({ start: 1000n * S, end: 1200n * S, step: 100n * S }), 100);
    expect(asked).toEqual([[[{ name: 'namespace', op: '=', value: 'prod' }], 1000n * S, 1200n * S]]);
    expect(range.buckets).toBe(2);
  });
});

describe('ingesterChunkExtents', () => {
  const noop = buildPipeline([]);

  it('uses a reader’s own chunkExtents when it has one', async () => {
    const own = [{ labels: ls({ a: '1' }), chunks: [{ from: 1n, through: 2n, bytes: 3 }] }];
    const reader = {
      chunkExtents: async () => own,
      selectLogs: async function* () {},
      series: async () => [],
      labelNames: async () => [],
      stats: async () => ({ bytes: 0 }),
    };
    expect(await ingesterChunkExtents(reader, 't', [], 0n, 10n, noop)).toBe(own);
  });

  it('falls back to per-series stats (exact label match) spanning the first and last entry in range', async () => {
    const statsAsked: Matcher[][] = [];
    const logsAsked: SelectLogsParams[] = [];
    const a = ls({ app: 'a' });
    const ap = ls({ app: 'a', pod: 'p' });
    const result = (labels: Labels, ts: bigint): StreamResult => ({
      labels: { stream: labels, structuredMetadata: [], parsed: [], all: labels, key: '' },
      entries: [{ ts, line: 'x' }],
    });
    const reader = {
      selectLogs: async function* (_t: string, p: SelectLogsParams) {
        logsAsked.push(p);
        yield p.direction === 'forward' ? [result(ap, 6n)] : [result(ap, 8n), result(a, 7n)];
      },
      series: async () => [a, ap],
      labelNames: async () => ['app', 'pod'],
      stats: async (_t: string, m: Matcher[]) => {
        statsAsked.push(m);
        return { bytes: 40 };
      },
    };
    const out = await ingesterChunkExtents(reader, 't', [{ name: 'app', op: '=', value: 'a' }], 5n, 9n, noop);
    expect(logsAsked.map((p) => [p.direction, p.limit, p.start, p.end])).toEqual([
      ['forward', 1, 5n, 10n],
      ['backward', 1, 5n, 10n],
    ]);
    expect(statsAsked).toEqual([
      [
        { name: 'app', op: '=', value: 'a' },
        { name: 'pod', op: '=', value: 'p' },
      ],
    ]);
    expect(out).toEqual([{ labels: ap, chunks: [{ from: 6n, through: 8n, bytes: 40 }] }]);
  });
});
