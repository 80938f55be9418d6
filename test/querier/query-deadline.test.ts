// A query past its tenant's query_timeout fails with Loki's 504 text, and a caller's abort (a client
// that went away) with 499; a query within its time is unaffected and leaves no timer behind.
import { describe, expect, it } from 'vitest';
import { defaultLimits, type Limits } from '../../src/config/limits.js';
import type { SeriesSamples } from '../../src/logql/contracts.js';
import { buildPipeline, buildSampleExtractor } from '../../src/logql/log/index.js';
import { labelsFromRecord } from '../../src/model/labels.js';
import { Querier } from '../../src/querier/querier.js';
import type { IngesterReader } from '../../src/querier/sources.js';

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

/** An ingester whose sample reads yield one small batch every `gapMs`, `batches` times. */
function slowIngester(batches: number, gapMs: number): IngesterReader {
  const labels = labelsFromRecord({ app: 'a' });
  return {
    async *selectLogs() {},
    async *selectSamples(): AsyncGenerator<SeriesSamples[]> {
      for (let i = 0; i < batches; i++) {
        await new Promise((r) => setTimeout(r, gapMs));
        yield [{ labels: { stream: labels, structuredMetadata: [], parsed: [], all: labels, key: '{app="a"}' }, baseTs: T0, offsets: new Float64Array([i * 1e9]), values: new Float64Array([1]) }];
      }
    },
    labelNames: async () => [],
    labelValues: async () => [],
    series: async () => [],
    stats: async () => ({ streams: 0, chunks: 0, bytes: 0, entries: 0 }),
  };
}

function querier(reader: IngesterReader, timeout: bigint): Querier {
  const limits: Limits = { ...defaultLimits(), query_timeout: timeout };
  return new Querier({
    store: undefined,
    ingesters: () => [reader],
    replicated: false,
    queryIngestersWithin: 0n,
    queryStoreOnly: false,
    queryIngesterOnly: true,
    limits: () => limits,
    engine: { buildPipeline, buildSampleExtractor },
    sampleWorkers: false,
  });
}

const request = { query: 'sum(count_over_time({app="a"}[1m]))', start: T0, end: T0 + 60n * SEC, step: 10n * SEC, interval: 0n, direction: 'backward' as const, limit: 100 };

describe('query deadlines', () => {
  it('fail a query that outlives query_timeout with 504 and Loki’s text', async () => {
    const err = await querier(slowIngester(50, 20), 60_000_000n).rangeQuery('fake', request, false).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 504 });
    expect((err as Error).message).toBe(
      'request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed',
    );
  });

  it('fail a query whose caller aborted with 499', async () => {
    const gone = new AbortController();
    setTimeout(() => gone.abort(), 30);
    const err = await querier(slowIngester(50, 20), 60n * SEC).rangeQuery('fake', request, false, gone.signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 499, message: 'the request was cancelled by the client' });
  });

  it('let a query within its time finish', async () => {
    const out = await querier(slowIngester(3, 1), 60n * SEC).rangeQuery('fake', request, false);
    expect(out.result.type).toBe('matrix');
  });
});
