// StoreSource.selectSamples on workers over an in-memory store: stops once the query's signal
// aborts, fails at once with its error, has the workers drop the read's tasks, and leaves the pool
// serving later reads.
import { afterAll, describe, expect, it } from 'vitest';
import type { RangeAggregationExpr, VectorAggregationExpr } from '../../src/logql/ast.js';
import type { SelectSamplesParams, SeriesSamples } from '../../src/logql/contracts.js';
import { buildSampleExtractor } from '../../src/logql/log/index.js';
import { parseExpr } from '../../src/logql/syntax/index.js';
import { CancelledError, TimeoutError } from '../../src/model/index.js';
import { labelsFromRecord } from '../../src/model/labels.js';
import { QueryStats } from '../../src/model/stats.js';
import { SampleWorkerPool } from '../../src/querier/sample-workers.js';
import { StoreSource } from '../../src/querier/sources.js';
import { MemStore, type Entry } from './mem-store.js';

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

describe('StoreSource.selectSamples on workers', () => {
  const pools: SampleWorkerPool[] = [];
  afterAll(() => Promise.all(pools.map((p) => p.close())));

  const store = new MemStore();
  const SERIES = 24;
  for (let k = 0; k < SERIES; k++) {
    const chunks: Entry[][] = [0, 1].map((c) =>
      Array.from({ length: 3000 }, (_, j) => {
        const i = c * 3000 + j;
        return { ts: T0 + BigInt(i) * (SEC / 10n), line: `level=info msg="request ${i} served" path=/api/items/${i % 97} duration=${((i * 37 + k) % 1500) + 1}ms` };
      }),
    );
    store.add(labelsFromRecord({ app: `app${k}`, namespace: 'prod' }), chunks);
  }
  const outer = parseExpr('sum by (app) (rate({namespace="prod"} | logfmt | duration > 500ms [5m]))') as VectorAggregationExpr;
  const expr = outer.expr as RangeAggregationExpr;
  const params = (): SelectSamplesParams => ({
    expr,
    matchers: expr.range.selector.matchers,
    extractor: buildSampleExtractor(expr, outer.grouping),
    start: T0,
    end: T0 + 3600n * SEC,
  });
  const shape = (list: SeriesSamples[]) =>
    list.map((s) => ({ key: s.labels.key, offsets: [...s.offsets], values: [...s.values] })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  async function collect(source: StoreSource): Promise<SeriesSamples[]> {
    const out: SeriesSamples[] = [];
    for await (const batch of source.selectSamples(params(), new Set())) out.push(...batch);
    return out;
  }

  function pool(): SampleWorkerPool {
    const p = SampleWorkerPool.create(2);
    if (p === undefined) throw new Error('the compiled sample worker is missing (dist/ is built by the test setup)');
    pools.push(p);
    p.warm();
    return p;
  }

  it('stops starting groups once the signal aborts and fails at once with its error; the pool then reads correctly', async () => {
    const p = pool();
    const want = shape(await collect(new StoreSource(store.asStore(), 't', new QueryStats())));
    expect(want.length).toBe(SERIES);

    // Aborted while the first groups' chunks are on their way.
    store.fetches = 0;
    store.delayMs = 30;
    const abort = new AbortController();
    const reading = collect(new StoreSource(store.asStore(), 't', new QueryStats(), false, p, abort.signal)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    const aborted = performance.now();
    const timeout = new TimeoutError();
    abort.abort(timeout);
    expect(await reading).toBe(timeout);
    expect(performance.now() - aborted).toBeLessThan(500);
    const fetched = store.fetches;
    await new Promise((r) => setTimeout(r, 200));
    // At most the groups started before the abort (two per worker) fetched their chunks, and no more since.
    expect(store.fetches).toBe(fetched);
    expect(fetched).toBeLessThan(SERIES * 2);
    store.delayMs = 0;

    expect(shape(await collect(new StoreSource(store.asStore(), 't', new QueryStats(), false, p)))).toEqual(want);
  });

  it('has the workers skip or stop the tasks of a read aborted after its first batch', async () => {
    const p = pool();
    const want = shape(await collect(new StoreSource(store.asStore(), 't', new QueryStats())));
    await collect(new StoreSource(store.asStore(), 't', new QueryStats(), false, p));
    const before = await p.taskCounts();

    const abort = new AbortController();
    const source = new StoreSource(store.asStore(), 't', new QueryStats(), false, p, abort.signal);
    const err = await (async () => {
      for await (const _ of source.selectSamples(params(), new Set())) abort.abort();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    const after = await p.taskCounts();
    const cancelled = after.reduce((n, c) => n + c.cancelled, 0) - before.reduce((n, c) => n + c.cancelled, 0);
    expect(cancelled).toBeGreaterThan(0);

    expect(shape(await collect(new StoreSource(store.asStore(), 't', new QueryStats(), false, p, new AbortController().signal)))).toEqual(want);
  });
});
